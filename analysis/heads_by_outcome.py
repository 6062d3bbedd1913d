#!/usr/bin/python3
"""heads_by_outcome.py STORE [--tau 0.95] — which heads did the runs that solve grow, and the
runs that did not?

For every configuration of a store (the config without train.seed), splits its done runs into
solved (final query accuracy >= tau, as `hopsweep analyze` decides) and unsolved, and prints as
Markdown each run's heads at its last evaluation (role and score, from the last row of its
metrics.csv: the roles of DESIGN §1.2) and whether it shows the tripling signature of the theory
at two layers — a backward and a forward head at ±1 in layer 1 (L1:-1 and L1:+k, k >= 1) and a
layer-2 head reaching three back (L2:-3) — or only the doubling one (backward heads only). A
role is counted whatever its score; the score says how sharp it is.
Exit 0, or 2 when the store cannot be read.
"""
import argparse
import csv
import json
import os
import sys


def last_heads(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return []
    last = rows[-1]
    heads = []
    for col in last:
        if col.endswith("_role") and last[col]:
            name = col[:-5]
            heads.append((name, last[col], float(last[name + "_score"] or "nan")))
    return heads


def signature(heads):
    roles = {r for _, r, _ in heads}
    forward1 = any(r.startswith("L1:+") for r in roles)
    if "L1:-1" in roles and forward1 and "L2:-3" in roles:
        return "tripling"
    if forward1:
        return "forward head in L1"
    return "backward only"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("store")
    ap.add_argument("--tau", type=float, default=0.95)
    args = ap.parse_args()
    groups = {}
    try:
        with open(os.path.join(args.store, "runs.jsonl"), encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                rec = json.loads(line)
                if rec.get("status") != "done":
                    continue
                cfg = json.loads(json.dumps(rec["config"]))
                seed = cfg["train"].pop("seed")
                key = json.dumps(cfg, sort_keys=True)
                heads = last_heads(os.path.join(args.store, rec["files"]["metrics"]))
                groups.setdefault(key, []).append((seed, rec, heads))
    except (OSError, ValueError, KeyError) as e:
        print(f"heads_by_outcome.py: {e}", file=sys.stderr)
        return 2
    base = None
    for key in sorted(groups):
        cfg = json.loads(key)
        flat = {f"{s}.{k}": v for s, sec in cfg.items() for k, v in sec.items()}
        if base is None:
            base = flat
        diff = " ".join(f"{k}={v}" for k, v in sorted(flat.items()) if base.get(k) != v)
        runs = sorted(groups[key], key=lambda r: r[0])
        solved = sum((r[1]["final"]["query_acc"] or 0) >= args.tau for r in runs)
        print(f"### {diff or 'first configuration'} — {solved}/{len(runs)} solved\n")
        print("| seed | query acc | steps | signature | heads at the end (role, score) |")
        print("|---:|---:|---:|---|---|")
        for seed, rec, heads in runs:
            hs = ", ".join(f"{n} {r} {s:.2f}" for n, r, s in heads)
            print(f"| {seed} | {rec['final']['query_acc']:.3f} | {rec['steps']} | "
                  f"{signature(heads)} | {hs} |")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
