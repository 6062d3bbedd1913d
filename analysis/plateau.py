#!/usr/bin/env python3
"""plateau.py — is an unsolved run limited by depth or by budget?

Reads a result store (runs.jsonl and every job's metrics.csv) and, for each finished run whose
final query accuracy is below --tau, compares its query accuracy over the last quarter of its
evaluations with the quarter before: a run still climbing at the end was stopped by its budget,
one that is flat sat on a plateau for the whole last half of its steps. Prints a Markdown table,
one row per unsolved run, and a one-line summary; exits 1 when any unsolved run is still rising,
so a study can check that its budget was enough (2: a malformed record, 3: no readable store).

    /usr/bin/python3 analysis/plateau.py docs/results/study-staircase-13 [--tau 0.95] [--rise 0.03]

"rising": the mean query accuracy of the last quarter exceeds the previous quarter's by more
than --rise (default 0.03, about twice the evaluation's sampling noise at 512 examples and
accuracy 0.5), or the last evaluation is the best one by more than --rise. Only the standard
library is used.
"""
import argparse
import csv
import json
import os
import sys


def quarter_means(values):
    n = len(values)
    q = max(1, n // 4)
    last = values[n - q:]
    prev = values[max(0, n - 2 * q):n - q] or last
    return sum(prev) / len(prev), sum(last) / len(last)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--tau", type=float, default=0.95, help="solved: final query accuracy >= tau")
    ap.add_argument("--rise", type=float, default=0.03, help="gain that counts as still rising")
    a = ap.parse_args()
    runs_path = os.path.join(a.store, "runs.jsonl")
    try:
        lines = open(runs_path, encoding="utf-8").read().splitlines()
    except OSError as e:
        print(f"plateau.py: cannot read {runs_path}: {e.strerror}; give a result store",
              file=sys.stderr)
        return 3
    rows, rising = [], 0
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            print(f"plateau.py: {runs_path}:{n}: not a JSON record ({e.msg})", file=sys.stderr)
            return 2
        acc = (rec.get("final") or {}).get("query_acc")
        if rec.get("status") != "done" or acc is None or acc >= a.tau:
            continue
        metrics = (rec.get("files") or {}).get("metrics")
        if not metrics:
            continue
        with open(os.path.join(a.store, metrics), newline="", encoding="utf-8") as f:
            evals = [(int(r["step"]), float(r["query_acc"])) for r in csv.DictReader(f)
                     if r.get("query_acc")]
        if len(evals) < 4:
            continue
        values = [v for _, v in evals]
        prev, last = quarter_means(values)
        best_before = max(values[:-1])
        up = last - prev > a.rise or values[-1] - best_before > a.rise
        rising += up
        c = rec["config"]
        rows.append((c["task"]["hops"], c["model"]["layers"], c["task"]["curriculum"],
                     c["train"]["seed"], evals[-1][0], values[-1], max(values), prev, last,
                     "rising" if up else "flat"))
    rows.sort()
    print("| hops | layers | curriculum | seed | steps | final acc | best acc | "
          "mean 3rd quarter | mean last quarter | verdict |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]:.3f} | {r[6]:.3f} | "
              f"{r[7]:.3f} | {r[8]:.3f} | {r[9]} |")
    print(f"\n{len(rows)} unsolved runs (final query accuracy < {a.tau}); {rising} still rising "
          f"at the end (> {a.rise} over the last quarter)")
    return 1 if rising else 0


if __name__ == "__main__":
    sys.exit(main())
