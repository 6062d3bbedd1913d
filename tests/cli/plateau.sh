#!/bin/sh
# analysis/plateau.py on a hand-made store whose curves are known: a flat unsolved seed beside a
# solved one (flat since the step the smoothed query settles; a rerun of twice the latest jump,
# with the command), a run with fewer layers than Theorem 1 allows (no rerun), a run whose edges
# still rise (twice its steps), a run that already trained past twice the latest jump of a harder
# setting, a run with no solved comparable run (no evidence), the store's own spread of jumps,
# the exit code, and bad input (no store: 3; a malformed line, a record without the keys a verdict
# needs, a metrics file outside the store: 2, one line). Needs no hopsweep binary.
# usage: plateau.sh HOPSWEEP (unused)
set -u
. "$(dirname "$0")/lib.sh"
plateau=$here/../../analysis/plateau.py

S=$tmp/store
$py - "$S" <<'PY' || fail "could not write the store"
import json, os, sys
S = sys.argv[1]
os.makedirs(S)
runs = open(os.path.join(S, "runs.jsonl"), "w")

def job(name, hops, layers, cur, seed, steps, acc, jump=None, query=None, hop=None):
    cfg = {"task": {"hops": hops, "curriculum": cur, "chains": 2, "kind": "retrieval"},
           "model": {"layers": layers, "positions": "none"},
           "train": {"seed": seed, "steps": steps, "eval_every": 100}}
    rec = {"id": name, "config": cfg, "status": "done", "steps": steps,
           "final": {"query_acc": acc},
           "emergence": {"hop_steps": [0] * hops + [jump]},
           "files": {"metrics": None}}
    if query:
        os.makedirs(os.path.join(S, "jobs", name))
        rec["files"]["metrics"] = f"jobs/{name}/metrics.csv"
        with open(os.path.join(S, rec["files"]["metrics"]), "w") as f:
            f.write("step,query_acc,hop_0,hop_1\n")
            for i in range(steps // 100 + 1):
                f.write(f"{i * 100},{query(i)},{hop(i)},{hop(i)}\n")
    runs.write(json.dumps(rec) + "\n")

settles = lambda i: [0.05, 0.2, 0.3, 0.4, 0.3][i] if i < 5 else 0.5
job("solved0", 4, 2, "implicit", 0, 4000, 0.99, jump=3000)
job("solved2", 4, 2, "implicit", 2, 4000, 0.99, jump=2000)
job("flat", 4, 2, "implicit", 1, 4000, 0.5, query=settles, hop=lambda i: 0.9)
job("theory", 4, 1, "implicit", 0, 4000, 0.5, query=settles, hop=lambda i: 0.9)
job("rising", 3, 3, "implicit", 0, 4000, 0.5, query=settles, hop=lambda i: 0.5 + 0.01 * i)
job("past", 2, 3, "implicit", 0, 8000, 0.5, query=settles, hop=lambda i: 0.9)
job("none", 6, 3, "none", 0, 4000, 0.5, query=settles, hop=lambda i: 0.5)
PY

$py "$plateau" "$S" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] || fail "exit $rc, expected 1 (a run still rises, one is short): $(cat "$tmp/err")"
has() {
    grep -qF -- "$1" "$tmp/out" || fail "$2: no line with: $1"
}
has "| 4 | 2 | implicit | 1 | 4000 | 0.500 | 0.500 |" "flat run row"
has "| unsolved within 4000 steps; query flat since step 900 (32 evaluations) | 3000 (seeds of this configuration, 2 solved) | 6000 |" "flat run verdict"
has "hopsweep run $S/sweep.yaml --out $S model.layers=2 task.curriculum=implicit task.hops=4 train.seed=1 train.steps=6000" "rerun command"
has "| 4 | 1 | implicit | 0 | 4000 |" "below-theory row"
has "| - (below ceil(log3(2D+1)) = 2 layers: Theorem 1) | none |" "below-theory verdict"
has "| still rising (hop labels) at 4000 | 3000 (as hard or harder: as many hops or more, as many layers or fewer, 2 solved) | 8000 (still rising) |" "rising run"
has "model.layers=3 task.curriculum=implicit task.hops=3 train.seed=0 train.steps=8000" "rising rerun"
has "| 2 | 3 | implicit | 0 | 8000 |" "past row"
has "| unsolved within 8000 steps; query flat since step 1200 (69 evaluations) | 3000 (as hard or harder" "past verdict"
has "| none (8000 >= 6000) |" "past: no rerun"
has "| 6 | 3 | none | 0 | 4000 |" "no-evidence row"
has "| none solved | - |" "no evidence"
has "5 unsolved runs (final query accuracy < 0.95): 1 have fewer layers than Theorem 1 allows (a depth limit, whatever the curves do); of the others, 1 still rising at the end (> 0.03 over the last quarter), 1 stopped short of 2x the latest jump of comparable solved runs (a late jump not ruled out), 1 trained past it, 1 have no solved comparable run in this store (no evidence either way)" "summary"
has "In this store the latest jump of a configuration is at most 1.50x its second latest (jumps 2000, 3000)" "spread"
grep -q '| flat |\|| rising |' "$tmp/out" && fail "a bare flat/rising verdict is back"
[ "$(grep -c '^hopsweep run ' "$tmp/out")" -eq 2 ] || fail "expected 2 rerun commands"

# A factor of 1 rules the flat run's late jump out at 3000 steps: no short run, exit still 1
# (the rising one).
$py "$plateau" "$S" --factor 1 >"$tmp/f1"
grep -qF "| 3000 (seeds of this configuration, 2 solved) | none (4000 >= 3000) |" "$tmp/f1" ||
    fail "--factor 1"

$py "$plateau" "$tmp/none" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "no store: exit $rc, $(cat "$tmp/err")"
# A record whose metrics file lies outside the store is refused, not read.
cp "$S/runs.jsonl" "$tmp/runs.orig"
printf '{"id": "out", "config": {"task": {"hops": 2}, "model": {"layers": 3}, "train": {"seed": 5}}, "status": "done", "final": {"query_acc": 0.5}, "files": {"metrics": "../secret.csv"}}\n' >>"$S/runs.jsonl"
printf 'step,query_acc\n0,0.5\n100,0.5\n200,0.5\n300,0.5\n' >"$tmp/secret.csv"
$py "$plateau" "$S" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q "outside the store; not read" "$tmp/err" && [ "$(wc -l <"$tmp/err")" -eq 1 ] ||
    fail "metrics outside the store: exit $rc, $(cat "$tmp/err")"
# A record without the keys a verdict needs, then a line that is not JSON: one line, exit 2.
cp "$tmp/runs.orig" "$S/runs.jsonl"
printf '{"id": "x", "config": {"task": {}}, "status": "done"}\n' >>"$S/runs.jsonl"
$py "$plateau" "$S" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q 'runs.jsonl:8: not a job record' "$tmp/err" ||
    fail "record without task.hops: exit $rc, $(cat "$tmp/err")"
cp "$tmp/runs.orig" "$S/runs.jsonl"
printf '{"id": "x", "config": {}\n' >>"$S/runs.jsonl"
$py "$plateau" "$S" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q 'runs.jsonl:8: not a JSON record' "$tmp/err" ||
    fail "malformed line: exit $rc, $(cat "$tmp/err")"

[ $failures -eq 0 ] && echo "plateau.py: all checks passed"
exit $failures
