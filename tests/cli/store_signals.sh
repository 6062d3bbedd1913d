#!/bin/sh
# SIGHUP stops `run` (issue 12, F17): with --abandon the running job is interrupted, its record
# says so and its state is saved (exit 4), instead of the process dying at once (exit 129).
# SIGTERM alone (preemption, scancel: SIGKILL follows seconds later) checkpoints the running job
# at once, without --abandon (issue 22, SL08). A closed stderr pipe is an ordinary write error:
# the run stops as for SIGHUP, keeping every record (C14, not exit 141). And the end-of-run
# summary counts every job (F18): when the store cannot take a result (files over `ulimit -f`;
# hopsweep ignores SIGXFSZ itself, R05), that job is "not stored", so done + failed +
# interrupted + skipped + not started + not stored = the sweep's jobs, and no temporary is left.
# usage: store_signals.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1
cat >long.yaml <<'YAML'
name: long
output: st
base: {task: {chains: 2, hops: 2}, model: {d_model: 16, layers: 1, heads: 1, mlp: 1}, train: {steps: 200000, batch: 8, eval_every: 1000, eval_examples: 16}}
grid: {train.seed: [0]}
YAML
# stop_long SIGNAL [run options]: starts the long job, sends SIGNAL, wants exit 4, an interrupted
# record and a resume state
stop_long() {
    sig=$1
    shift
    rm -rf st
    "$hs" run long.yaml "$@" --progress-every 0.05 2>err &
    bg=$!
    i=0
    until grep -q "to run on" err 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 400 ] || { fail "the sweep did not start"; break; }
        sleep 0.05
    done
    sleep 0.3
    kill -"$sig" "$bg"
    rc=0
    wait "$bg" || rc=$?
    bg=""
    [ "$rc" -eq 4 ] || { cat err; fail "$sig: exit $rc, wanted 4"; }
    grep -q '"status":"interrupted"' st/runs.jsonl 2>/dev/null || fail "$sig: no interrupted record"
    ls st/jobs/*/resume.bin >/dev/null 2>&1 || fail "$sig: no resume state"
    [ "$failures" -eq 0 ] && echo "ok: SIG$sig $* interrupts and saves the running job (exit 4)"
}
stop_long HUP --abandon
stop_long TERM

# the reader of stderr goes away: SIGPIPE is a stop, not a death; the running job's record lands
cat >pipe.yaml <<'YAML'
name: pipe
output: pp
base: {task: {chains: 2, hops: 2}, model: {d_model: 16, layers: 1, heads: 1, mlp: 1}, train: {steps: 300, batch: 8, eval_every: 100, eval_examples: 16}}
grid: {train.seed: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}
YAML
{ "$hs" run pipe.yaml --progress-every 0.01 2>&1; echo $? >rc; } | head -n 2 >/dev/null
sleep 0.2
rc=$(cat rc)
[ "$rc" -eq 4 ] || fail "closed pipe: exit $rc, wanted 4 (141 = killed by SIGPIPE)"
n=$(wc -l <pp/runs.jsonl)
[ "$n" -ge 1 ] && [ "$n" -lt 12 ] || fail "closed pipe: $n records, wanted the jobs that ran before the stop"
grep -q '"status":"done"' pp/runs.jsonl || fail "closed pipe: no done record"
[ "$failures" -eq 0 ] && echo "ok: a closed stderr pipe stops the run with $n record(s), exit 4"

cat >s.yaml <<'YAML'
name: s
output: full
base: {task: {chains: 2, hops: 2}, model: {d_model: 16, layers: 1, heads: 1, mlp: 1}, train: {steps: 40, batch: 8, eval_every: 20, eval_examples: 16}, log: {checkpoint: true, attention_every: 20}}
grid: {train.seed: [0, 1, 2]}
YAML
rc=0
sh -c 'ulimit -f 4; exec "$0" run s.yaml --quiet' "$hs" 2>err || rc=$?
[ "$rc" -eq 3 ] || { cat err; fail "full: exit $rc, wanted 3"; }
grep -q "cannot write full/jobs/.*: File too large" err || { cat err; fail "full: no message naming the file"; }
line=$(grep "sweep s: 3 jobs:" err)
echo "$line" | grep -q "1 not stored" || { cat err; fail "full: the unstored job is not counted"; }
sum=$(echo "$line" | sed 's/.*3 jobs: //; s/;.*//' | tr -cs '0-9' ' ' | awk '{s = 0; for (i = 1; i <= NF; i++) s += $i; print s}')
[ "$sum" -eq 3 ] || fail "full: the summary's columns add up to $sum, not 3: $line"
[ -z "$(find full -name '*.tmp')" ] || fail "full: temporaries left: $(find full -name '*.tmp')"
[ "$failures" -eq 0 ] && echo "ok: $line"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "store_signals: all ok"
