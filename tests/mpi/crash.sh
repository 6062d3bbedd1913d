#!/bin/sh
# SIGKILL a worker, then rank 0, then a lone run, in the middle of a sweep; tear the last line
# of runs.jsonl by hand; rerun each time. In the end every job is done exactly once and every
# line of runs.jsonl is whole.
set -eu
. "$(dirname "$0")/../cli/lib.sh"
mpirun=$2
check="/usr/bin/python3 $(dirname "$0")/check_store.py"
cat >"$tmp/crash.yaml" <<'YAML'
name: crash
base:
  task: {chains: 2, hops: 3, curriculum: implicit}
  model: {d_model: 32, layers: 2}
  train: {steps: 600, batch: 32, eval_every: 100, eval_examples: 64}
grid:
  train.seed: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
YAML
store=$tmp/store

lines() { [ -f "$store/runs.jsonl" ] && wc -l <"$store/runs.jsonl" || echo 0; }
wait_lines() { # wait until runs.jsonl has at least $1 lines
    i=0
    while [ "$(lines)" -lt "$1" ]; do
        i=$((i + 1))
        [ $i -lt 1200 ] || { echo "FAIL: no progress"; exit 1; }
        sleep 0.1
    done
}
rank_pid() { # pid of the hopsweep process of MPI rank $1 writing $store
    for p in $(pgrep -f -- "--out $store"); do
        if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$1"; then
            echo "$p"
            return
        fi
    done
}
kill_rank() {
    "$mpirun" -np 2 --oversubscribe "$hs" run "$tmp/crash.yaml" --out "$store" --quiet 2>"$tmp/mpirun.log" &
    bg=$!
    wait_lines "$2"
    pid=$(rank_pid "$1")
    [ -n "$pid" ] || { echo "FAIL: rank $1 not found"; exit 1; }
    kill -9 "$pid"
    wait "$bg" && { echo "FAIL: mpirun succeeded although rank $1 was killed"; exit 1; }
    bg=""
    echo "killed rank $1 after $(lines) records"
}

kill_rank 1 2
n1=$(lines)
kill_rank 0 $((n1 + 2))
n2=$(lines)
[ "$n2" -lt 10 ] || { echo "FAIL: the sweep finished before the kills (jobs too short for this test)"; exit 1; }

# a lone run killed, and a torn last line as a crash mid-append would leave it
"$hs" run "$tmp/crash.yaml" --out "$store" --quiet &
bg=$!
wait_lines $((n2 + 1))
kill -9 "$bg"
wait "$bg" || true
bg=""
printf '{"id":"0123456789abcdef","status":"do' >>"$store/runs.jsonl"

"$mpirun" -np 2 --oversubscribe "$hs" run "$tmp/crash.yaml" --out "$store" 2>"$tmp/final.log"
grep -q "partial last line" "$tmp/final.log" || { cat "$tmp/final.log"; echo "FAIL: the torn line was not reported"; exit 1; }
$check "$store" 10
echo ok
