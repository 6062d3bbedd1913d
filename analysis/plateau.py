#!/usr/bin/env python3
"""plateau.py — what a store can say about its unsolved runs: still rising, or unsolved within
its budget, and how long a rerun would need to rule out a late jump.

Reads a result store (runs.jsonl and every job's metrics.csv) and, for each finished run whose
final query accuracy is below --tau, says what its curves support, never more:

  "still rising": for the query accuracy or the mean accuracy over every hop label, the mean of
      the last quarter of its evaluations exceeds the quarter before by more than --rise
      (default 0.03, about twice the evaluation's sampling noise at 512 examples and accuracy
      0.5), or the last evaluation beats every earlier one by more than --rise. Its budget
      stopped it. (With the implicit curriculum the query can sit at chance while the edges are
      still being learned hop by hop; such a run is still learning.)
  "unsolved within N steps; query flat since step M (K evaluations)": not rising. M is the first
      evaluation from which the query accuracy, smoothed over a window of an eighth of the
      evaluations, stays within --rise of its final level. A flat query is not a depth limit:
      trained models can sit at chance for thousands of steps and then jump (without gradient
      clipping, 3 layers at 8 hops sat at chance for 8,000 steps and solved at ~11,000).

For each unsolved run, the evidence the store itself has about late jumps: the latest step at
which the query emerged (emergence.hop_steps[D]) among the solved runs of the most comparable
setting that has any — the same configuration's other seeds; else the same task (every task.*
key) at the same depth, any other setting (e.g. another optimizer); else the same task at any
depth; else the same task but as many hops or more. A late jump is ruled out, by this store's
evidence, once a run has trained --factor times that step (default 2: in the committed stores
the latest jump of a configuration is at most 1.9x its second latest, bound-2x4 at batch 64:
4,750 then 9,000; the script prints the same ratio for the store it reads, so a store that
needs a larger factor says so). For a run short of that it prints the budget (rounded up to
train.eval_every) and the command that reruns it into the same store (a new job id, since
train.steps is in the id; the old run stays): one line per configuration, its unsolved seeds as
a list. A run with no solved comparable run has no evidence either way. A run with fewer layers
than ceil(log3(2D+1)) (no positions, the retrieval task) is Theorem 1's depth limit whatever its
curves do, and needs no rerun.

Prints a Markdown table, one row per unsolved run, the rerun commands, and a summary; exits 1
when any unsolved run above Theorem 1's bound is still rising or short of the budget that rules
out a late jump (the study's verdicts for those cells need a longer run), 2 on a malformed
record or a metrics file that cannot be read or lies outside the store, 3 when there is no
readable store.

    /usr/bin/python3 analysis/plateau.py docs/results/study-staircase-13 [--tau 0.95] [--rise 0.03] [--factor 2]

Only the standard library is used.
"""
import argparse
import csv
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hopsweep_store import flatten  # noqa: E402


def climbs(values, rise):
    """(mean of the quarter before the last, mean of the last quarter, still rising?)"""
    prev, last = quarter_means(values)
    return prev, last, last - prev > rise or values[-1] - max(values[:-1]) > rise


def quarter_means(values):
    n = len(values)
    q = max(1, n // 4)
    last = values[n - q:]
    prev = values[max(0, n - 2 * q):n - q] or last
    return sum(prev) / len(prev), sum(last) / len(last)


def flat_since(steps, values, rise):
    """(index of the first evaluation from which the smoothed values stay within rise of their
    final level, that level)"""
    w = max(1, len(values) // 8)
    smooth = []
    for i in range(len(values)):
        win = values[max(0, i - w + 1):i + 1]
        smooth.append(sum(win) / len(win))
    level = smooth[-1]
    i = len(smooth) - 1
    while i > 0 and abs(smooth[i - 1] - level) <= rise:
        i -= 1
    return i, level


def text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def theory_min_layers(hops):
    """ceil(log3(2D+1)): the fewest layers Theorem 1 allows for D hops."""
    t, reach = 0, 0
    while reach < hops:
        t += 1
        reach = (3 ** t - 1) // 2
    return t


def comparable(run, solved):
    """(latest jump step, which runs it comes from, how many) of the most comparable level of
    solved runs that has any; (None, None, 0) when none does. Past the run's own configuration
    and depth, only runs at least as hard (as many hops or more, as many layers or fewer), then
    the latest jump of the whole task: a jump of an easier setting would understate the wait."""
    c = run["cfg"]
    task = {k: v for k, v in c.items() if k.startswith("task.") and k != "task.hops"}
    same_task = [s for s in solved
                 if all(s["cfg"].get(k) == v for k, v in task.items())]
    levels = [
        ("seeds of this configuration",
         [s for s in solved if s["key"] == run["key"]]),
        ("same task and depth, other settings",
         [s for s in same_task if s["cfg"]["task.hops"] == c["task.hops"]
          and s["cfg"]["model.layers"] == c["model.layers"]]),
        ("as hard or harder: as many hops or more, as many layers or fewer",
         [s for s in same_task if s["cfg"]["task.hops"] >= c["task.hops"]
          and s["cfg"]["model.layers"] <= c["model.layers"]]),
        ("latest of this task at any hops and depth", same_task),
    ]
    for name, runs in levels:
        if runs:
            return max(s["jump"] for s in runs), name, len(runs)
    return None, None, 0


def order(v):
    return (0, v, "") if isinstance(v, (int, float)) and not isinstance(v, bool) else (1, 0, str(v))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--tau", type=float, default=0.95, help="solved: final query accuracy >= tau")
    ap.add_argument("--rise", type=float, default=0.03, help="gain that counts as still rising")
    ap.add_argument("--factor", type=float, default=2.0,
                    help="a late jump is ruled out after this many times the latest jump seen")
    a = ap.parse_args()
    runs_path = os.path.join(a.store, "runs.jsonl")
    try:
        lines = open(runs_path, encoding="utf-8").read().splitlines()
    except OSError as e:
        print(f"plateau.py: cannot read {runs_path}: {e.strerror}; give a result store",
              file=sys.stderr)
        return 3
    records = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            print(f"plateau.py: {runs_path}:{n}: not a JSON record ({e.msg})", file=sys.stderr)
            return 2
        if not isinstance(rec, dict) or not isinstance(rec.get("config"), dict):
            print(f"plateau.py: {runs_path}:{n}: not a job record (no config)", file=sys.stderr)
            return 2
        cfg = flatten(rec["config"])
        if not all(isinstance(cfg.get(k), int) for k in ("task.hops", "model.layers", "train.seed")):
            print(f"plateau.py: {runs_path}:{n}: not a job record (its config lacks task.hops, "
                  "model.layers or train.seed)", file=sys.stderr)
            return 2
        key = tuple(sorted((k, text(v)) for k, v in cfg.items() if k != "train.seed"))
        records.append({"rec": rec, "cfg": cfg, "key": key})

    # Keys that differ between records: they name a configuration in the table and the command.
    names = sorted({k for r in records for k in r["cfg"]})
    # (train.steps is the steps column, and the command sets it.)
    varied = [k for k in names if k not in ("train.seed", "train.steps")
              and len({text(r["cfg"].get(k)) for r in records}) > 1]
    extra = [k for k in varied if k not in ("task.hops", "model.layers", "task.curriculum")]

    solved, unsolved = [], []
    for r in records:
        rec = r["rec"]
        acc = (rec.get("final") or {}).get("query_acc")
        if rec.get("status") != "done" or acc is None:
            continue
        if acc >= a.tau:
            steps = (rec.get("emergence") or {}).get("hop_steps") or []
            d = r["cfg"]["task.hops"]
            if d < len(steps) and steps[d] is not None:
                solved.append(dict(r, jump=steps[d]))
            continue
        metrics = (rec.get("files") or {}).get("metrics")
        if metrics:
            unsolved.append(dict(r, acc=acc, metrics=metrics))

    # The store's own spread of jumps: the latest of a configuration over its second latest.
    by_key = {}
    for s in solved:
        by_key.setdefault(s["key"], []).append(s["jump"])
    spread, spread_at = None, None
    for k, jumps in by_key.items():
        jumps.sort()
        if len(jumps) >= 2 and jumps[-2] > 0 and (spread is None or jumps[-1] / jumps[-2] > spread):
            spread, spread_at = jumps[-1] / jumps[-2], jumps

    rows, rising, short, past, below, no_evidence, reruns = [], 0, 0, 0, 0, 0, {}
    root = os.path.realpath(a.store)
    for r in unsolved:
        path = os.path.realpath(os.path.join(a.store, str(r["metrics"])))
        if not path.startswith(root + os.sep):
            print(f"plateau.py: {runs_path}: run {r['rec'].get('id')}: its metrics file "
                  f"{r['metrics']!r} is outside the store; not read", file=sys.stderr)
            return 2
        evals = []
        try:
            with open(path, newline="", encoding="utf-8") as f:
                for m in csv.DictReader(f):
                    if not m.get("query_acc"):
                        continue
                    hops = [float(v) for k, v in m.items()
                            if k and k.startswith("hop_") and v] or [float(m["query_acc"])]
                    evals.append((int(m["step"]), float(m["query_acc"]), sum(hops) / len(hops)))
        except (OSError, ValueError, KeyError, UnicodeDecodeError) as e:
            print(f"plateau.py: {path}: not a readable metrics.csv ({e}); rerun the job or "
                  "remove its record", file=sys.stderr)
            return 2
        if len(evals) < 4:
            continue
        steps = [e[0] for e in evals]
        query = [e[1] for e in evals]
        mean_hop = [e[2] for e in evals]
        qp, ql, q_up = climbs(query, a.rise)
        hp, hl, h_up = climbs(mean_hop, a.rise)
        c = r["cfg"]
        n_steps = max(steps[-1], r["rec"].get("steps") or 0)
        if q_up or h_up:
            what = " and ".join(w for w, up in (("query", q_up), ("hop labels", h_up)) if up)
            verdict = f"still rising ({what}) at {n_steps}"
        else:
            i, _ = flat_since(steps, query, a.rise)
            verdict = (f"unsolved within {n_steps} steps; query flat since step {steps[i]} "
                       f"({len(steps) - i} evaluations)")
        jump, level, count = comparable(r, solved)
        still = q_up or h_up
        bound = theory_min_layers(c["task.hops"])
        proven = (c["model.layers"] < bound and c.get("model.positions", "none") == "none"
                  and c.get("task.kind", "retrieval") == "retrieval")
        if proven:
            evidence, need = f"- (below ceil(log3(2D+1)) = {bound} layers: Theorem 1)", "none"
            below += 1
        else:
            rising += still
            every = int(c.get("train.eval_every") or 1)
            needed = int(math.ceil(a.factor * (jump or 0) / every) * every)
            evidence = "none solved" if jump is None else f"{jump} ({level}, {count} solved)"
            if still:  # its own curve says the budget was short: at least twice the steps
                needed = max(needed, int(math.ceil(2 * n_steps / every) * every))
                need = f"{needed} (still rising)"
            elif jump is None:
                need = "-"
                no_evidence += 1
            elif n_steps >= needed:
                need = f"none ({n_steps} >= {needed})"
                past += 1
            else:
                need = str(needed)
                short += 1
            if still or (jump is not None and n_steps < needed):
                reruns.setdefault((r["key"], needed), (c, []))[1].append(c["train.seed"])
        config = " ".join(f"{k}={text(c.get(k))}" for k in extra)
        rows.append((c["task.hops"], c["model.layers"], c["task.curriculum"], config,
                     c["train.seed"], n_steps, query[-1], max(query), qp, ql, hp, hl, verdict,
                     evidence, need))
    rows.sort()

    head = "| hops | layers | curriculum |" + (" config |" if extra else "")
    print(head + " seed | steps | final query acc | best query acc | query acc, 3rd / last "
          "quarter | mean hop acc, 3rd / last quarter | verdict | latest comparable jump | "
          "rerun steps to rule out a late jump |")
    print("|---:|---:|---|" + ("---|" if extra else "") + "---:|---:|---:|---:|---:|---:|---|---|---:|")
    for r in rows:
        cfgcol = f" {r[3]} |" if extra else ""
        print(f"| {r[0]} | {r[1]} | {r[2]} |{cfgcol} {r[4]} | {r[5]} | {r[6]:.3f} | {r[7]:.3f} | "
              f"{r[8]:.3f} / {r[9]:.3f} | {r[10]:.3f} / {r[11]:.3f} | {r[12]} | {r[13]} | "
              f"{r[14]} |")
    if reruns:
        print(f"\nReruns that would rule out a late jump ({a.factor:g}x the latest comparable "
              "jump; a run still rising: at least twice its steps), each into this store:\n\n"
              "```sh")
        sweep = os.path.join(a.store, "sweep.yaml")
        for (key, needed), (c, seeds) in sorted(
                reruns.items(), key=lambda x: [order(x[1][0][k]) for k in varied] + [x[0][1]]):
            keys = " ".join(f"{k}={text(c[k])}" for k in varied)
            seed_list = ",".join(str(s) for s in sorted(seeds))
            print(f"hopsweep run {sweep} --out {a.store} {keys} train.seed={seed_list} "
                  f"train.steps={needed}")
        print("```")
    print(f"\n{len(rows)} unsolved runs (final query accuracy < {a.tau}): {below} have fewer "
          f"layers than Theorem 1 allows (a depth limit, whatever the curves do); of the others, "
          f"{rising} still rising at the end (> {a.rise} over the last quarter), {short} stopped "
          f"short of {a.factor:g}x the latest jump of comparable solved runs (a late jump not "
          f"ruled out), {past} trained past it, {no_evidence} have no solved comparable run in this store (no evidence either way)")
    if spread is not None:
        note = "" if spread <= a.factor else f"; larger than --factor {a.factor:g}: use a larger one"
        print(f"\nIn this store the latest jump of a configuration is at most {spread:.2f}x its "
              f"second latest (jumps {', '.join(str(j) for j in spread_at)}){note}")
    return 1 if rising or short else 0


if __name__ == "__main__":
    sys.exit(main())
