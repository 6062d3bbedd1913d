#!/bin/sh
# Array mode (`hopsweep slurm --array 2`): each array task runs its shard of the sweep without
# MPI into STORE/shards/<task> and merges it into STORE. Task 0 gets the time-limit warning in
# the middle of a job and requeues only itself; the requeued task resumes and merges again. In
# the end STORE holds every job done exactly once, identical to a plain `hopsweep run`, and
# merging the shards once more adds nothing.
# usage: array.sh HOPSWEEP
set -eu
hs=$1
here=$(cd "$(dirname "$0")" && pwd)
check="/usr/bin/python3 $here/../mpi/check_store.py"
. "$here/cluster.sh"
cluster_test_begin

# jobs of about 2.5 s, so the warning lands inside one
cat >"$tmp/arr.yaml" <<'YAML'
name: arr
base:
  task: {chains: 2, hops: 4, curriculum: implicit}
  model: {d_model: 32, layers: 3}
  train: {steps: 800, batch: 64, eval_every: 100, eval_examples: 64}
grid:
  train.seed: [0, 1, 2, 3]
YAML
cd "$tmp"
store=$tmp/store
"$hs" run arr.yaml --out plain --quiet 2>plain.err &
plain=$!
cluster_test_pids=$plain

jobid=$("$hs" slurm arr.yaml --out "$store" --array 2 --time 10 --grace 60 --submit 2>submit.err) ||
    cluster_fail "hopsweep slurm --array 2 --submit failed" submit.err
# the sweep as submitted is in the store at once: status counts every job before any merge
"$hs" status "$store" --json | /usr/bin/python3 -c 'import json,sys; j=json.load(sys.stdin); assert j["sweep"] == "arr" and j["total"] == 4, j' ||
    cluster_fail "status right after the array's submission does not count its 4 jobs" submit.err
log0=$tmp/hopsweep-arr-${jobid}_0.out
log1=$tmp/hopsweep-arr-${jobid}_1.out

i=0
until grep -q "hopsweep-slurm: running:" "$log0" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 240 ] || cluster_fail "array task ${jobid}_0 did not start" "$log0"
    sleep 0.25
done
sleep 1
scancel --batch --signal=USR1 "${jobid}_0"

# task 0 requeues itself (and only itself); see preempt.sh for why the test then waits for its
# old steps and starts it at once
i=0
until scontrol show job "${jobid}_0" 2>/dev/null | grep -q "Restarts=1" &&
    [ "$(cluster_job_state "${jobid}_0")" = PENDING ]; do
    i=$((i + 1))
    [ $i -lt 240 ] || cluster_fail "array task ${jobid}_0 was not requeued" "$log0"
    sleep 0.25
done
grep -q "hopsweep-slurm: stopped with work remaining; requeueing ${jobid}_0 to resume" "$log0" ||
    cluster_fail "task 0 does not say it requeues itself" "$log0"
task0=$(scontrol show job "${jobid}_0" | sed -n 's/^JobId=\([0-9]*\).*/\1/p')
cluster_wait_steps_gone "$task0" 60 || cluster_fail "task 0's old steps did not end" "$log0"
scontrol update JobId="${jobid}_0" StartTime=now

cluster_wait_job "$jobid" 600 || cluster_fail "array job $jobid did not finish" "$log0" "$log1"
for t in 0 1; do
    state=$(cluster_job_state "${jobid}_$t")
    [ "$state" = COMPLETED ] || cluster_fail "array task ${jobid}_$t ended $state" "$tmp/hopsweep-arr-${jobid}_$t.out"
done
grep -q "hopsweep-slurm: USR1: the time limit is near" "$log0" || cluster_fail "task 0 got no warning" "$log0"
grep -q "USR1" "$log1" && cluster_fail "the warning for task 0 reached task 1" "$log1"
for log in "$log0" "$log1"; do
    grep -q "hopsweep-slurm: merging $store/shards/[01] into $store" "$log" || cluster_fail "no merge" "$log"
    grep -q "hopsweep-slurm: done: every job of this run is in $store" "$log" || cluster_fail "no done line" "$log"
done
# starts: task 0 twice, task 1 once
for start in "0 0" "0 1" "1 0"; do
    grep -Eq "^[0-9]+ $start [0-9T:-]+Z\$" "$store/slurm_jobs.txt" ||
        cluster_fail "slurm_jobs.txt lacks task/restart $start" "$store/slurm_jobs.txt"
done

wait "$plain" || cluster_fail "the plain run failed" plain.err
cluster_test_pids=""
$check "$store" 4 "$tmp/plain" || cluster_fail "the merged store differs from a plain run" "$log0" "$log1"
$check "$store/shards/0" 2 >/dev/null && $check "$store/shards/1" 2 >/dev/null ||
    cluster_fail "each shard should hold 2 jobs done"
grep -q '"status":"interrupted"' "$store/shards/0/runs.jsonl" ||
    cluster_fail "the warning interrupted no job of task 0" "$log0"

# merging again is a no-op
cp "$store/runs.jsonl" before.jsonl
"$hs" store merge "$store" "$store/shards/0" "$store/shards/1" 2>merge.err || cluster_fail "a second merge failed" merge.err
cmp -s before.jsonl "$store/runs.jsonl" || cluster_fail "a second merge changed runs.jsonl" merge.err
echo "ok: 2 array tasks, task 0 interrupted and requeued alone, merged store identical to a plain run"
