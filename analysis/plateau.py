#!/usr/bin/env python3
"""plateau.py — is an unsolved run limited by depth or by budget?

Reads a result store (runs.jsonl and every job's metrics.csv) and, for each finished run whose
final query accuracy is below --tau, compares its accuracies over the last quarter of its
evaluations with the quarter before: a run still climbing at the end was stopped by its budget,
one that is flat sat on a plateau for the whole last half of its steps. Both the query accuracy
and the mean accuracy over every hop label are checked: with the implicit curriculum the query
can sit at chance while the edges are still being learned hop by hop, and such a run is still
learning — the query might follow. Prints a Markdown table,
one row per unsolved run, and a one-line summary; exits 1 when any unsolved run is still rising,
so a study can check that its budget was enough (2: a malformed record, 3: no readable store).

    /usr/bin/python3 analysis/plateau.py docs/results/study-staircase-13 [--tau 0.95] [--rise 0.03]

"rising": for the query accuracy or the mean hop accuracy, the mean of the last quarter exceeds
the previous quarter's by more than --rise (default 0.03, about twice the evaluation's sampling
noise at 512 examples and accuracy 0.5), or the last evaluation beats every earlier one by more
than --rise. Only the standard
library is used.
"""
import argparse
import csv
import json
import os
import sys


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
            evals = []
            for r in csv.DictReader(f):
                if not r.get("query_acc"):
                    continue
                hops = [float(v) for k, v in r.items() if k.startswith("hop_") and v]
                evals.append((int(r["step"]), float(r["query_acc"]), sum(hops) / len(hops)))
        if len(evals) < 4:
            continue
        query = [e[1] for e in evals]
        mean_hop = [e[2] for e in evals]
        qp, ql, q_up = climbs(query, a.rise)
        hp, hl, h_up = climbs(mean_hop, a.rise)
        up = q_up or h_up
        rising += up
        c = rec["config"]
        rows.append((c["task"]["hops"], c["model"]["layers"], c["task"]["curriculum"],
                     c["train"]["seed"], evals[-1][0], query[-1], max(query), qp, ql, hp, hl,
                     "rising" if up else "flat"))
    rows.sort()
    print("| hops | layers | curriculum | seed | steps | final query acc | best query acc | "
          "query acc, 3rd / last quarter | mean hop acc, 3rd / last quarter | verdict |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]:.3f} | {r[6]:.3f} | "
              f"{r[7]:.3f} / {r[8]:.3f} | {r[9]:.3f} / {r[10]:.3f} | {r[11]} |")
    print(f"\n{len(rows)} unsolved runs (final query accuracy < {a.tau}); {rising} still rising "
          f"at the end (> {a.rise} over the last quarter)")
    return 1 if rising else 0


if __name__ == "__main__":
    sys.exit(main())
