#!/usr/bin/python3
"""compare_precision.py FP32_STORE BF16_STORE — does train.precision=bf16 change the science?

Pairs every job of two stores of the same sweep run at fp32 and at bf16 (same config but for
train.precision) and prints, as Markdown: how many jobs reach the same verdict (solved: final
query accuracy >= --tau, 0.95, as `hopsweep analyze` decides), every job whose verdict differs,
and the emergence steps of the hop labels (`emergence.hop_steps`) and the emerged head order of
the two side by side. The minimum-layers tables come from `hopsweep analyze` on each store; this
script only pairs jobs. Exit 0 when at least --agree (0.95) of the jobs agree, 1 when fewer do,
2 when a store cannot be read or the stores do not pair up.
"""
import argparse
import json
import sys


def load(store):
    runs = {}
    with open(f"{store}/runs.jsonl", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            if rec.get("status") != "done":
                continue
            cfg = json.loads(json.dumps(rec["config"]))
            cfg["train"].pop("precision", None)
            runs[json.dumps(cfg, sort_keys=True)] = rec
    return runs


def name(rec):
    c = rec["config"]
    return (f"hops {c['task']['hops']}, {c['model']['layers']} layers, "
            f"{c['task']['curriculum']}, seed {c['train']['seed']}")


def steps(rec):
    return " ".join("-" if s is None else str(s) for s in rec["emergence"]["hop_steps"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("fp32")
    ap.add_argument("bf16")
    ap.add_argument("--tau", type=float, default=0.95)
    ap.add_argument("--agree", type=float, default=0.95)
    args = ap.parse_args()
    try:
        a, b = load(args.fp32), load(args.bf16)
    except (OSError, ValueError, KeyError) as e:
        print(f"compare_precision.py: {e}", file=sys.stderr)
        return 2
    keys = sorted(set(a) & set(b), key=lambda k: name(a[k]))
    if not keys:
        print("compare_precision.py: the stores share no job config", file=sys.stderr)
        return 2
    solved = lambda r: (r["final"]["query_acc"] or 0.0) >= args.tau  # noqa: E731
    differ = [k for k in keys if solved(a[k]) != solved(b[k])]
    agree = 1 - len(differ) / len(keys)
    print(f"{len(keys)} paired jobs ({len(set(a) ^ set(b))} unpaired); the solved/unsolved verdict "
          f"agrees for {len(keys) - len(differ)} ({100 * agree:.1f}%)\n")
    if differ:
        print("| job | fp32 query acc | bf16 query acc |\n|---|---:|---:|")
        for k in differ:
            print(f"| {name(a[k])} | {a[k]['final']['query_acc']:.3f} | "
                  f"{b[k]['final']['query_acc']:.3f} |")
        print()
    print("| job | fp32 hop_steps | bf16 hop_steps | fp32 order | bf16 order |\n|---|---|---|---|---|")
    for k in keys:
        print(f"| {name(a[k])} | {steps(a[k])} | {steps(b[k])} | "
              f"{' '.join(a[k]['emergence']['order'])} | {' '.join(b[k]['emergence']['order'])} |")
    return 0 if agree >= args.agree else 1


if __name__ == "__main__":
    sys.exit(main())
