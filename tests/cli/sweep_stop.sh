#!/bin/sh
# SIGINT stops a sweep after the running job (exit 4, with the command that resumes);
# SIGTERM with --abandon interrupts the running job (recorded as interrupted, its state saved).
# Rerunning finishes the sweep: every job is done exactly once, and the interrupted one ends
# exactly as in an uninterrupted run (records, metrics and attention log). A failing job is
# recorded as failed and the sweep goes on.
set -eu
. "$(dirname "$0")/lib.sh"
check="/usr/bin/python3 $(dirname "$0")/../mpi/check_store.py"
cat >"$tmp/stop.yaml" <<'YAML'
name: stop
base:
  task: {chains: 2, hops: 2}
  model: {d_model: 32, layers: 1}
  train: {steps: 600, batch: 32, eval_every: 50, eval_examples: 64}
  log: {attention_every: 100}
grid:
  train.seed: [0, 1, 2, 3, 4, 5]
YAML
store=$tmp/store
"$hs" run "$tmp/stop.yaml" --out "$tmp/clean" --quiet
lines() { [ -f "$store/runs.jsonl" ] && wc -l <"$store/runs.jsonl" || echo 0; }
wait_lines() {
    i=0
    while [ "$(lines)" -lt "$1" ]; do
        i=$((i + 1))
        [ $i -lt 1200 ] || { echo "FAIL: no progress"; exit 1; }
        sleep 0.05
    done
}

"$hs" run "$tmp/stop.yaml" --out "$store" 2>"$tmp/int.log" &
bg=$!
wait_lines 1
kill -INT "$bg"
rc=0
wait "$bg" || rc=$?
bg=""
[ "$rc" -eq 4 ] || { cat "$tmp/int.log"; echo "FAIL: SIGINT: exit $rc, wanted 4"; exit 1; }
grep -q "to resume, run the same command again: hopsweep run $tmp/stop.yaml --out $store" "$tmp/int.log" ||
    { cat "$tmp/int.log"; echo "FAIL: no resume command"; exit 1; }
# the first signal says at once what it does, before the running job's line
grep -q "finishing the running job, then stopping; Ctrl-C again to stop now" "$tmp/int.log" ||
    { cat "$tmp/int.log"; echo "FAIL: SIGINT did not say what it does"; exit 1; }
grep -q '"status":"interrupted"' "$store/runs.jsonl" && { echo "FAIL: SIGINT interrupted a job"; exit 1; }
n=$(lines)
[ "$n" -lt 6 ] || { echo "FAIL: the sweep ran to the end despite SIGINT"; exit 1; }

"$hs" run "$tmp/stop.yaml" --out "$store" --abandon 2>"$tmp/term.log" &
bg=$!
wait_lines $((n + 1))
kill -TERM "$bg"
rc=0
wait "$bg" || rc=$?
bg=""
[ "$rc" -eq 4 ] || { cat "$tmp/term.log"; echo "FAIL: SIGTERM: exit $rc, wanted 4"; exit 1; }
grep -q "stopping now: the running jobs save their state" "$tmp/term.log" ||
    { cat "$tmp/term.log"; echo "FAIL: SIGTERM with --abandon did not say what it does"; exit 1; }

interrupted=$(grep -c '"status":"interrupted"' "$store/runs.jsonl" || true)
[ "$interrupted" -ge 1 ] || { echo "FAIL: SIGTERM with --abandon left no interrupted job"; exit 1; }
ls "$store"/jobs/*/resume.bin >/dev/null || { echo "FAIL: no resume state saved"; exit 1; }
"$hs" run "$tmp/stop.yaml" --out "$store" --quiet
$check "$store" 6 "$tmp/clean"
for f in "$tmp"/clean/jobs/*/attn.zst; do cmp "$f" "$store/jobs/$(basename "$(dirname "$f")")/attn.zst"; done
ls "$store"/jobs/*/resume.bin 2>/dev/null && { echo "FAIL: resume state left behind"; exit 1; }
echo "stop and resume: ok ($interrupted interrupted job(s) resumed to the same result)"

# a diverging job is recorded as failed, the others still run, the exit code says so
rc=0
"$hs" run "$tmp/stop.yaml" --out "$tmp/fail" --quiet train.seed=0 train.lr=0.001,10 train.weight_decay=10 2>"$tmp/fail.log" || rc=$?
[ "$rc" -eq 1 ] || { cat "$tmp/fail.log"; echo "FAIL: a failed job: exit $rc, wanted 1"; exit 1; }
/usr/bin/python3 - "$tmp/fail/runs.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
st = sorted(r["status"] for r in recs)
assert st == ["done", "failed"], st
bad = [r for r in recs if r["status"] == "failed"][0]
assert "NaN" in bad["error"] or "infinite" in bad["error"], bad["error"]
PY
# the failed job is a result: a rerun skips it unless asked to retry
"$hs" run "$tmp/stop.yaml" --out "$tmp/fail" --quiet train.seed=0 train.lr=0.001,10 train.weight_decay=10 2>"$tmp/fail2.log"
grep -q "2 skipped" "$tmp/fail2.log"
echo ok
