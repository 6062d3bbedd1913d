#!/bin/sh
# `hopsweep slurm` writes only inside the store (issue 22, SL03-SL05): links planted at
# STORE/slurm, STORE/shards, STORE/shards/K or STORE/slurm_jobs.txt are refused with one line
# before anything is written or submitted, and the batch script itself refuses them when the job
# starts (run here outside Slurm with the variables Slurm sets). And every command hopsweep
# prints for pasting is one shell word per argument (C11): the resume hint of an interrupted run
# whose paths hold quotes, `;`, `$(...)` and a newline, read back by bash, is exactly the argv.
# usage: slurm_links.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1
mkdir victim
cat >s.yaml <<'YAML'
name: s
output: st
base: {task: {chains: 2, hops: 2}, model: {d_model: 16, layers: 1, heads: 1, mlp: 1}, train: {steps: 20, batch: 8, eval_every: 10, eval_examples: 16}}
grid: {train.seed: [0, 1]}
YAML

for entry in slurm shards shards/1 slurm_jobs.txt; do
    rm -rf st victim/* && mkdir -p "st/$(dirname "$entry")"
    ln -s "$tmp/victim" "st/$entry"
    rc=0
    PATH=/nonexistent "$hs" slurm s.yaml --out st --array 2 --submit >out 2>err || rc=$?
    [ "$rc" -eq 2 ] || fail "$entry: exit $rc, wanted 2"
    [ "$(wc -l <err)" -eq 1 ] && grep -q "st/$entry is a symbolic link" err ||
        fail "$entry: not one line naming the link: $(cat err)"
    [ -z "$(ls victim)" ] || fail "$entry: written through the link: $(ls victim)"
done
[ "$failures" -eq 0 ] && echo "ok: hopsweep slurm refuses links at slurm, shards, shards/K, slurm_jobs.txt"

# the batch script checks again when the job starts (the links may come later)
rm -rf st && "$hs" slurm s.yaml --out st --array 2 --script job.sbatch 2>/dev/null ||
    fail "no script written"
for entry in slurm_jobs.txt shards shards/0; do
    rm -rf st victim/* && mkdir -p "st/$(dirname "$entry")"
    ln -s "$tmp/victim" "st/$entry"
    rc=0
    SLURM_JOB_ID=7 SLURM_ARRAY_JOB_ID=7 SLURM_ARRAY_TASK_ID=0 SLURM_JOB_NODELIST=here \
        bash job.sbatch >log 2>&1 || rc=$?
    [ "$rc" -eq 2 ] || fail "script, $entry: exit $rc, wanted 2: $(cat log)"
    grep -q "$entry is a link or not a" log || fail "script, $entry: no line naming it: $(cat log)"
    [ -z "$(ls victim)" ] || fail "script, $entry: written through the link: $(ls victim)"
done
[ "$failures" -eq 0 ] && echo "ok: the batch script refuses the same links when it starts"

# the printed commands: each argument one shell word
d="q'dir;touch \$(echo x)\`id\`;'
nl"
mkdir -p "$d" && cp s.yaml "$d/s.yaml"
sed 's/steps: 20,/steps: 200000,/' s.yaml >"$d/s.yaml"
"$hs" run "$d/s.yaml" --out "o';id;'" --abandon 2>err &
bg=$!
i=0
until grep -q "to run on" err 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 400 ] || { fail "the sweep did not start"; break; }
    sleep 0.05
done
kill -TERM "$bg"
wait "$bg"
bg=""
line=$(grep -o 'to resume, run the same command again: .*' err | sed 's/^[^:]*: //')
[ -n "$line" ] || fail "no resume command: $(cat err)"
# bash reads the line back into its words; they must be the argv, and nothing runs
printf '%s\n%s\n%s\n%s\n' hopsweep run "$d/s.yaml" --out >want
printf '%s\n%s\n' "o';id;'" --abandon >>want
bash -c 'eval "set -- $1"; for a; do printf "%s\n" "$a"; done' sh "$line" >got 2>&1 ||
    fail "bash could not read the resume command: $line"
cmp -s want got || fail "the resume command reads back as other words: $line"
[ -e x ] && fail "pasting the resume command ran a command"
[ "$failures" -eq 0 ] && echo "ok: the resume command reads back as the same arguments: $line"

out=$("$hs" slurm s.yaml --out st --script "a b';c.sbatch" 2>&1)
echo "$out" | grep -qF "sbatch 'a b'\\'';c.sbatch'" || fail "the sbatch hint is not quoted: $out"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "slurm_links: all ok"
