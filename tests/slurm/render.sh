#!/bin/sh
# The scripts `hopsweep slurm` renders, through the command line: byte for byte the golden files
# (this run's directory written as /data, the executable given as /opt/hopsweep/bin/hopsweep,
# as test_slurm_render renders them), accepted by `sbatch --test-only` on the test cluster, and
# read back by bash with hostile paths intact. Bad options, a missing sbatch and a job sbatch
# refuses each get one clear line of ours and exit 2; a full disk exit 3.
# usage: render.sh HOPSWEEP
set -eu
hs=$1
here=$(cd "$(dirname "$0")" && pwd)
golden=$here/golden
. "$here/cluster.sh"
cluster_test_begin

mkdir -p "$tmp/sweeps"
cat >"$tmp/sweeps/tiny.yaml" <<'YAML'
name: tiny
base:
  task: {chains: 2, hops: 2}
  model: {d_model: 32, layers: 1}
  train: {steps: 200, batch: 16, eval_every: 100, eval_examples: 64}
YAML
cd "$tmp"

# check_set NAME ARGS...: the script for ARGS is golden/NAME.sbatch, and sbatch accepts it on
# the one-node test cluster once it asks for what the cluster has (one node, task and CPU)
n=0
check_set() {
    name=$1
    shift
    "$hs" slurm sweeps/tiny.yaml --out results/tiny --hopsweep-bin /opt/hopsweep/bin/hopsweep "$@" \
        >"$name.sbatch" 2>"$name.err" || cluster_fail "$name: hopsweep slurm failed" "$name.err"
    sed "s|$tmp|/data|g" "$name.sbatch" >"$name.mapped"
    if ! cmp -s "$name.mapped" "$golden/$name.sbatch"; then
        diff "$golden/$name.sbatch" "$name.mapped" | head -20
        cluster_fail "$name: the rendered script differs from $golden/$name.sbatch"
    fi
    "$hs" slurm sweeps/tiny.yaml --out results/tiny "$@" --nodes 1 --ntasks-per-node 1 --cpus-per-task 1 \
        --script "$name.fit.sbatch" 2>/dev/null
    sbatch --test-only "$name.fit.sbatch" >"$name.test" 2>&1 ||
        cluster_fail "$name: sbatch --test-only refused it" "$name.test" "$name.fit.sbatch"
    n=$((n + 1))
}
# the option sets of tests/test_slurm_render.c
check_set defaults
check_set multinode model.layers=1,2 train.steps=300 --nodes 2 --ntasks-per-node 2 --time 1-00:00:00 \
    --grace 300 --partition batch --account lab --qos normal --mem 1G --output 'logs/%x-%j.out' \
    --extra '#SBATCH --mail-type=END,FAIL' --extra '#SBATCH --comment=hopsweep'
check_set array train.seed=0,1,2,3 --array 2 --time 30 --grace 60
check_set mpirun --launcher mpirun --ntasks-per-node 2 --cpus-per-task 2 --time 2:00:00
echo "ok: $n rendered scripts match their golden files and pass sbatch --test-only"

# --script writes what stdout shows
"$hs" slurm sweeps/tiny.yaml --out results/tiny --script out/s.sbatch 2>script.err
"$hs" slurm sweeps/tiny.yaml --out results/tiny >stdout.sbatch
cmp -s out/s.sbatch stdout.sbatch || cluster_fail "--script and stdout differ"
grep -q "wrote out/s.sbatch; submit it with: sbatch out/s.sbatch" script.err || cluster_fail "--script message" script.err

# hostile paths reach bash intact: quotes, spaces, $ and backquotes
weird="$tmp/it's a \$HOME \`x\` dir"
"$hs" slurm sweeps/tiny.yaml --out "$weird" train.steps=100 >weird.sbatch
bash -n weird.sbatch || cluster_fail "bash cannot parse the script for a hostile path"
sed -n '/^hopsweep=/,/^launcher=/p' weird.sbatch >vars.sh
got=$(bash -c '. ./vars.sh; printf "%s|%s|%s" "$store" "$sweep" "${overrides[*]}"')
[ "$got" = "$weird|$tmp/sweeps/tiny.yaml|train.steps=100" ] || cluster_fail "bash read back \"$got\""
echo "ok: hostile paths survive bash quoting"

# expect WHAT CODE SUBSTRING ARGS...: `hopsweep slurm ARGS` exits CODE, prints nothing on
# stdout, and its last stderr line is ours and holds SUBSTRING
expect() {
    what=$1 code=$2 want=$3
    shift 3
    rc=0
    "$hs" slurm "$@" >case.out 2>case.err || rc=$?
    last=$(tail -n 1 case.err)
    [ "$rc" -eq "$code" ] && [ ! -s case.out ] && echo "$last" | grep -q "^hopsweep slurm: " &&
        echo "$last" | grep -qF -- "$want" ||
        cluster_fail "$what: exit $rc (wanted $code), last line \"$last\" (wanted \"$want\")" case.err case.out
    echo "ok: $what: $last"
}
expect "bad time" 2 '--time "1h" is not a Slurm time limit' sweeps/tiny.yaml --time 1h
expect "extra without #SBATCH" 2 'must be one line starting with "#SBATCH "' sweeps/tiny.yaml --extra "--gres=gpu:1"
expect "more array tasks than jobs" 2 "--array 3: sweep tiny has only 1 job" sweeps/tiny.yaml --array 3
expect "missing sweep" 2 "nothere.yaml" nothere.yaml
expect "bad override" 2 "model.layers" sweeps/tiny.yaml model.layers=0
[ "$(wc -l <case.err)" -eq 1 ] || cluster_fail "more than one line for a bad override" case.err
rc=0
PATH=/nonexistent "$hs" slurm sweeps/tiny.yaml --out nosbatch --submit >case.out 2>case.err || rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <case.err)" -eq 1 ] && grep -q "sbatch not found on PATH" case.err ||
    cluster_fail "missing sbatch: exit $rc" case.err
[ -f nosbatch/slurm/hopsweep-tiny.sbatch ] || cluster_fail "the script was not kept when sbatch is missing"
echo "ok: missing sbatch: $(cat case.err)"
expect "sbatch refuses the job" 2 "sbatch did not accept" sweeps/tiny.yaml --out refused --partition nosuchpartition --submit
grep -q "invalid partition" case.err || cluster_fail "sbatch's own reason is not shown" case.err
if [ -w /dev/full ]; then
    rc=0
    "$hs" slurm sweeps/tiny.yaml >/dev/full 2>case.err || rc=$?
    [ "$rc" -eq 3 ] && grep -q "cannot write the script to stdout" case.err || cluster_fail "a full stdout: exit $rc" case.err
    echo "ok: a full stdout: $(cat case.err)"
fi
