#!/bin/sh
# SIGHUP stops `run` as SIGTERM does (issue 12, F17): with --abandon the running job is
# interrupted, its record says so and its state is saved (exit 4), instead of the process dying
# at once (exit 129). And the end-of-run summary counts every job (F18): when the store cannot
# take a result (files over `ulimit -f`, EFBIG), that job is "not stored", so done + failed +
# interrupted + skipped + not started + not stored = the sweep's jobs.
# usage: store_signals.sh HOPSWEEP
set -u
hs=$(readlink -f "$1")
tmp=$(mktemp -d)
bg=""
trap '[ -n "$bg" ] && kill -9 $bg 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
cd "$tmp" || exit 1
cat >long.yaml <<'YAML'
name: long
output: st
base: {task: {chains: 2, hops: 2}, model: {d_model: 16, layers: 1, heads: 1, mlp: 1}, train: {steps: 200000, batch: 8, eval_every: 1000, eval_examples: 16}}
grid: {train.seed: [0]}
YAML
"$hs" run long.yaml --abandon --progress-every 0.05 2>err &
bg=$!
i=0
until grep -q "to run on" err 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 400 ] || { fail "the sweep did not start"; break; }
    sleep 0.05
done
sleep 0.3
kill -HUP "$bg"
rc=0
wait "$bg" || rc=$?
bg=""
[ "$rc" -eq 4 ] || { cat err; fail "SIGHUP: exit $rc, wanted 4"; }
grep -q '"status":"interrupted"' st/runs.jsonl 2>/dev/null || fail "SIGHUP: no interrupted record"
ls st/jobs/*/resume.bin >/dev/null 2>&1 || fail "SIGHUP: no resume state"
[ "$failures" -eq 0 ] && echo "ok: SIGHUP interrupts and saves the running job (exit 4)"

cat >s.yaml <<'YAML'
name: s
output: full
base: {task: {chains: 2, hops: 2}, model: {d_model: 16, layers: 1, heads: 1, mlp: 1}, train: {steps: 40, batch: 8, eval_every: 20, eval_examples: 16}, log: {checkpoint: true, attention_every: 20}}
grid: {train.seed: [0, 1, 2]}
YAML
rc=0
sh -c 'trap "" XFSZ; ulimit -f 4; exec "$0" run s.yaml --quiet' "$hs" 2>err || rc=$?
[ "$rc" -eq 3 ] || { cat err; fail "full: exit $rc, wanted 3"; }
grep -q "cannot write full/jobs/.*: File too large" err || { cat err; fail "full: no message naming the file"; }
line=$(grep "sweep s: 3 jobs:" err)
echo "$line" | grep -q "1 not stored" || { cat err; fail "full: the unstored job is not counted"; }
sum=$(echo "$line" | sed 's/.*3 jobs: //; s/;.*//' | tr -cs '0-9' ' ' | awk '{s = 0; for (i = 1; i <= NF; i++) s += $i; print s}')
[ "$sum" -eq 3 ] || fail "full: the summary's columns add up to $sum, not 3: $line"
[ "$failures" -eq 0 ] && echo "ok: $line"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "store_signals: all ok"
