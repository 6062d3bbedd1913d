#!/bin/sh
# A worker that falls silent (SIGSTOP: what a hung process or a host cut off the network looks
# like to rank 0) is given up after --silence seconds: one line says so, its job is recorded as
# interrupted, rank 0 runs the rest, and mpirun ends with exit 4 instead of waiting for ever
# (issue 22, M03/N01); a rerun finishes every job exactly once. SIGTERM to one worker only
# interrupts its job and lets it leave; rank 0 runs the rest (M09: it used to be handed job after
# job, each interrupted after one step). Workers are found by their OMPI_COMM_WORLD_RANK.
# usage: liveness.sh HOPSWEEP MPIEXEC
set -u
. "$(dirname "$0")/../cli/lib.sh"
mpirun=$2
mp=""
stopped=""
on_exit() {
    [ -z "$stopped" ] || kill -CONT $stopped 2>/dev/null
    [ -z "$mp" ] || kill -9 $mp 2>/dev/null
}
cd "$tmp" || exit 1
cat >s.yaml <<'YAML'
name: s
output: st
base: {task: {chains: 2, hops: 2}, model: {d_model: 16, layers: 1, heads: 1, mlp: 1}, train: {steps: 1500, batch: 8, eval_every: 250, eval_examples: 16}}
grid: {train.seed: [0, 1, 2, 3, 4, 5]}
YAML
# jobs that outlast finding the worker and its handler (~0.3 s each above, ~2.5 s these): with
# short ones a quiet machine finishes the sweep before the signal lands
sed 's/steps: 1500/steps: 12000/' s.yaml >long.yaml
# worker: the pid of this test's rank 1
worker() {
    i=0
    while [ $i -lt 200 ]; do
        for p in $(pgrep -x hopsweep); do
            tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1" &&
                [ "$(readlink "/proc/$p/cwd")" = "$tmp" ] && { echo "$p"; return; }
        done
        i=$((i + 1))
        sleep 0.05
    done
}
# once: every job done exactly once after a rerun alone
once() {
    "$hs" run "${2:-s.yaml}" --quiet || fail "$1: the rerun: exit $?"
    /usr/bin/python3 - st/runs.jsonl "$1" <<'PY' || failures=$((failures + 1))
import json, sys
done = [r["id"] for r in map(json.loads, open(sys.argv[1])) if r["status"] == "done"]
if len(done) != 6 or len(set(done)) != 6:
    sys.exit(f"FAIL: {sys.argv[2]}: {len(done)} done records, {len(set(done))} distinct, wanted 6")
PY
}

# M03: SIGSTOP the worker mid-job
"$mpirun" -np 2 --oversubscribe "$hs" run long.yaml --silence 2 >log 2>&1 &
mp=$!
stopped=$(worker)
[ -n "$stopped" ] || fail "no rank 1 found"
grep -q "to run on 2 ranks" log 2>/dev/null || sleep 0.5
kill -STOP "$stopped"
i=0
while kill -0 "$mp" 2>/dev/null && [ $i -lt 600 ]; do i=$((i + 1)); sleep 0.1; done
rc=0
kill -0 "$mp" 2>/dev/null && { fail "mpirun still waits 60 s after the worker stopped"; kill -9 "$mp"; }
wait "$mp" || rc=$?
mp=""
stopped=""
[ "$rc" -eq 4 ] || fail "stopped worker: mpirun exit $rc, wanted 4: $(tail -n 3 log)"
[ "$(grep -c "sent nothing for" log)" -eq 1 ] || fail "no single line about the silent rank: $(cat log)"
grep "sent nothing for" log | grep -q "interrupted on rank 1" || fail "the silent rank's job is not interrupted"
n=$(grep -c '"status":"done"' st/runs.jsonl)
[ "$n" -eq 5 ] || fail "stopped worker: $n jobs done, wanted the other 5"
once "stopped worker" long.yaml
[ "$failures" -eq 0 ] && echo "ok: a stopped worker is given up after 2 s; the rest ran; exit 4; the rerun finished it"

# M09: SIGTERM to the worker only
rm -rf st
"$mpirun" -np 2 --oversubscribe "$hs" run long.yaml --quiet >log 2>&1 &
mp=$!
w=$(worker)
# only once its handler is in place (SigCgt holds SIGTERM, bit 15): before, SIGTERM kills it
i=0
until [ -n "$w" ] && [ $(( 0x$(awk '/^SigCgt/ {print $2}' "/proc/$w/status" 2>/dev/null || echo 0) & 0x4000 )) -ne 0 ]; do
    i=$((i + 1))
    [ $i -lt 600 ] || { fail "the worker never took SIGTERM"; break; }
    sleep 0.05
done
sleep 0.5
kill -TERM "$w"
rc=0
wait "$mp" || rc=$?
mp=""
[ "$rc" -eq 4 ] || fail "SIGTERM to the worker: mpirun exit $rc, wanted 4: $(tail -n 3 log)"
ni=$(grep -c '"status":"interrupted"' st/runs.jsonl)
[ "$ni" -le 1 ] || fail "SIGTERM to the worker: $ni jobs interrupted, wanted at most its one"
nd=$(grep -c '"status":"done"' st/runs.jsonl)
[ "$nd" -ge 4 ] || fail "SIGTERM to the worker: rank 0 did not run the rest ($nd done)"
once "SIGTERM to the worker" long.yaml
[ "$failures" -eq 0 ] && echo "ok: SIGTERM to one worker interrupts its job only ($ni), rank 0 ran $nd"

# A busy worker is not silent, however far apart its evaluations: one evaluation per job, at its
# end, ~10 s away, under --silence 5 (the heartbeat goes by the clock, from between steps)
rm -rf st
sed 's/steps: 1500, batch: 8, eval_every: 250/steps: 50000, batch: 8, eval_every: 50000/;
     s/\[0, 1, 2, 3, 4, 5\]/[0, 1]/' s.yaml >sparse.yaml
rc=0
"$mpirun" -np 2 --oversubscribe "$hs" run sparse.yaml --silence 5 >log 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "evaluations far apart: mpirun exit $rc, wanted 0: $(tail -n 3 log)"
grep -q "sent nothing for" log && fail "evaluations far apart: a busy rank was given up: $(cat log)"
n=$(grep -c '"status":"done"' st/runs.jsonl)
[ "$n" -eq 2 ] || fail "evaluations far apart: $n jobs done, wanted 2"
[ "$failures" -eq 0 ] && echo "ok: a worker whose evaluations are far apart is not given up"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "liveness: all ok"
