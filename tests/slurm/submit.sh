#!/bin/sh
# `hopsweep slurm --submit` on a private single-node Slurm, once with srun and once with mpirun
# starting the ranks: each job completes, its store holds every job done once with the same
# records and metrics as a plain `hopsweep run`, Slurm's job id is recorded in the store, and the
# log tells what happened in "hopsweep-slurm:" lines.
# usage: submit.sh HOPSWEEP
set -eu
hs=$1
here=$(cd "$(dirname "$0")" && pwd)
check="/usr/bin/python3 $here/../mpi/check_store.py"
. "$here/cluster.sh"
cluster_test_begin

cat >"$tmp/tiny.yaml" <<'YAML'
name: tiny
base:
  task: {chains: 2, hops: 2}
  model: {d_model: 32, layers: 1}
  train: {steps: 200, batch: 16, eval_every: 100, eval_examples: 64}
grid:
  train.seed: [0, 1, 2, 3]
YAML
ranks=$(nproc)
[ "$ranks" -le 2 ] || ranks=2
cd "$tmp" # the submit directory, where the logs land

"$hs" run tiny.yaml --out plain --quiet 2>plain.err

for launcher in srun mpirun; do
    store=$tmp/store-$launcher
    jobid=$("$hs" slurm tiny.yaml --out "$store" --launcher "$launcher" --ntasks-per-node "$ranks" \
        --time 5 --grace 30 --submit 2>"submit-$launcher.err") ||
        cluster_fail "$launcher: hopsweep slurm --submit failed" "submit-$launcher.err"
    case $jobid in
    '' | *[!0-9]*) cluster_fail "$launcher: --submit printed \"$jobid\", not a job id" "submit-$launcher.err" ;;
    esac
    grep -q "submitted Slurm job $jobid" "submit-$launcher.err" ||
        cluster_fail "$launcher: no submit message" "submit-$launcher.err"
    [ -f "$store/slurm/hopsweep-tiny.sbatch" ] || cluster_fail "$launcher: the script is not in the store"
    log=$tmp/hopsweep-tiny-$jobid.out
    cluster_wait_job "$jobid" 600 || cluster_fail "$launcher: job $jobid did not finish" "$log"
    state=$(cluster_job_state "$jobid")
    [ "$state" = COMPLETED ] || cluster_fail "$launcher: job $jobid ended $state" "$log"

    $check "$store" 4 "$tmp/plain" || cluster_fail "$launcher: the store differs from a plain run" "$log"
    grep -q "hopsweep-slurm: job $jobid (restart 0) on " "$log" || cluster_fail "$launcher: no start line" "$log"
    grep -q "hopsweep-slurm: done: every job of this run is in $store" "$log" ||
        cluster_fail "$launcher: no done line" "$log"
    grep -q "4 done, 0 failed.* on $ranks rank" "$log" ||
        cluster_fail "$launcher: hopsweep did not run on $ranks ranks" "$log"
    # one line per start: job id, no array task, restart 0, UTC time
    grep -Eq "^$jobid - 0 [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\$" "$store/slurm_jobs.txt" ||
        cluster_fail "$launcher: slurm_jobs.txt lacks job $jobid" "$store/slurm_jobs.txt"
    [ "$(wc -l <"$store/slurm_jobs.txt")" -eq 1 ] || cluster_fail "$launcher: slurm_jobs.txt" "$store/slurm_jobs.txt"
    echo "ok: $launcher: job $jobid completed on $ranks rank(s); store identical to a plain run"
done

# a job that fails at once (a store the job cannot create) ends FAILED with hopsweep's exit code
touch "$tmp/not-a-dir"
jobid=$("$hs" slurm tiny.yaml --out "$tmp/not-a-dir/store" --script "$tmp/bad.sbatch" --submit 2>/dev/null)
cluster_wait_job "$jobid" 30 || cluster_fail "job $jobid did not finish"
log=$tmp/hopsweep-tiny-$jobid.out
[ "$(cluster_job_state "$jobid")" = FAILED ] || cluster_fail "a broken job ended $(cluster_job_state "$jobid")" "$log"
grep -q "hopsweep-slurm: cannot create the store directory" "$log" || cluster_fail "no clear line for a broken store" "$log"
echo "ok: a job that cannot create its store fails with a clear line"
