#!/bin/sh
# Slurm's time-limit warning in the middle of a sweep, imitated with
# `scancel --batch --signal=USR1` once the ranks run their first jobs: the batch
# script passes it to hopsweep, which checkpoints the running jobs (recorded as interrupted) and
# exits 4, and the script requeues the job. The requeued job resumes them: in the end every job
# is done exactly once, with records and metrics identical to a plain uninterrupted
# `hopsweep run` of the same sweep.
# usage: preempt.sh HOPSWEEP
set -eu
hs=$1
here=$(cd "$(dirname "$0")" && pwd)
check="/usr/bin/python3 $here/../mpi/check_store.py"
. "$here/cluster.sh"
cluster_test_begin

# jobs of about 2.5 s on one core, so the warning lands inside them
cat >"$tmp/pre.yaml" <<'YAML'
name: pre
base:
  task: {chains: 2, hops: 4, curriculum: implicit}
  model: {d_model: 32, layers: 3}
  train: {steps: 800, batch: 64, eval_every: 100, eval_examples: 64}
grid:
  train.seed: [0, 1, 2, 3]
YAML
ranks=$(nproc)
[ "$ranks" -le 2 ] || ranks=2
cd "$tmp"
store=$tmp/store
# the same sweep, uninterrupted, without Slurm (alongside: only the timing of the warning
# depends on the machine's load, and it lands inside a job either way)
"$hs" run pre.yaml --out plain --quiet 2>plain.err &
plain=$!
cluster_test_pids=$plain

jobid=$("$hs" slurm pre.yaml --out "$store" --ntasks-per-node "$ranks" --time 10 --grace 60 --submit 2>submit.err) ||
    cluster_fail "hopsweep slurm --submit failed" submit.err
log=$tmp/hopsweep-pre-$jobid.out

i=0
until grep -q "hopsweep-slurm: running:" "$log" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 240 ] || cluster_fail "job $jobid did not start" "$log"
    sleep 0.25
done
# a job is running once its heartbeat is there (the signal handlers are in place before): on a
# loaded machine a fixed second after srun can land before the ranks have started
i=0
until ls "$store"/jobs/*/running.json >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -lt 480 ] || cluster_fail "job $jobid started no training job" "$log"
    sleep 0.25
done
sleep 0.5
scancel --batch --signal=USR1 "$jobid"

# The script requeues the job, which comes back pending with one restart. Slurm holds a
# requeued job for about two minutes before it may start again; the test starts it sooner.
i=0
until scontrol show job "$jobid" 2>/dev/null | grep -q "Restarts=1" &&
    [ "$(cluster_job_state "$jobid")" = PENDING ]; do
    i=$((i + 1))
    [ $i -lt 240 ] || cluster_fail "job $jobid was not requeued (state $(cluster_job_state "$jobid"))" "$log"
    sleep 0.25
done
/usr/bin/python3 - "$store/runs.jsonl" <<'PY' || cluster_fail "the warning did not interrupt a running job" "$log"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
interrupted = [r["id"] for r in recs if r["status"] == "interrupted"]
done = [r["id"] for r in recs if r["status"] == "done"]
print(f"after the warning: {len(done)} done, {len(interrupted)} interrupted")
assert interrupted and len(done) < 4
PY
cluster_wait_steps_gone "$jobid" 60 || cluster_fail "the first run's step did not end" "$log"
scontrol update JobId="$jobid" StartTime=now

cluster_wait_job "$jobid" 600 || cluster_fail "the requeued job $jobid did not finish" "$log"
state=$(cluster_job_state "$jobid")
[ "$state" = COMPLETED ] || cluster_fail "the requeued job $jobid ended $state" "$log"
for line in "USR1: the time limit is near" "stopped with work remaining; requeueing $jobid to resume (restart 1)" \
    "job $jobid (restart 0) on " "job $jobid (restart 1) on " "done: every job of this run is in $store"; do
    grep -qF "hopsweep-slurm: $line" "$log" || cluster_fail "the log lacks \"hopsweep-slurm: $line\"" "$log"
done
grep -Eq "^$jobid - 0 .*Z\$" "$store/slurm_jobs.txt" && grep -Eq "^$jobid - 1 .*Z\$" "$store/slurm_jobs.txt" ||
    cluster_fail "slurm_jobs.txt does not record both starts" "$store/slurm_jobs.txt"

wait "$plain" || cluster_fail "the plain run failed" plain.err
cluster_test_pids=""
$check "$store" 4 "$tmp/plain" || cluster_fail "the resumed store differs from an uninterrupted run" "$log"
/usr/bin/python3 - "$store/runs.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
interrupted = {r["id"] for r in recs if r["status"] == "interrupted"}
done = [r["id"] for r in recs if r["status"] == "done"]
assert interrupted <= set(done), "an interrupted job was never finished"
print(f"ok: {len(interrupted)} job(s) interrupted by the warning and resumed; all 4 identical to an uninterrupted run")
PY
