#!/bin/sh
# A done job's files are checked against the sizes its record gives (issue 22, CR04): a rerun
# after a file was cut (a power cut beyond fsync's promise, a disk error) says so, records the
# job as interrupted with the reason, runs it again and ends with the same files as the first
# run; records written before "sizes" existed stay readable and are not rerun. `analyze --plots`
# says when it leaves out a metrics row cut off without its newline.
# usage: store_verify.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1
cat >s.yaml <<'YAML'
name: s
output: st
base: {task: {chains: 2, hops: 2}, model: {d_model: 16, layers: 1, heads: 1, mlp: 1}, train: {steps: 40, batch: 8, eval_every: 10, eval_examples: 16}, log: {attention_every: 20, checkpoint: true}}
grid: {train.seed: [0, 1, 2]}
YAML
"$hs" run s.yaml --quiet || fail "first run: exit $?"
grep -q '"sizes":{"metrics":[0-9]*,"attention":[0-9]*,"model":[0-9]*}' st/runs.jsonl ||
    fail "no sizes in the records"
cp -r st clean
id=$(ls st/jobs | head -1)
id2=$(ls st/jobs | sed -n 2p)
truncate -s -10 "st/jobs/$id/metrics.csv"
truncate -s 100 "st/jobs/$id2/model.safetensors"
"$hs" run s.yaml --quiet 2>err || fail "rerun: exit $?"
grep -q "job $id: files damaged since it was done (jobs/$id/metrics.csv is [0-9]* bytes, its record says [0-9]*); running it again" err ||
    fail "no line about the cut metrics.csv: $(cat err)"
grep -q "jobs/$id2/model.safetensors is 100 bytes" err || fail "no line about the cut checkpoint: $(cat err)"
grep -q "sweep s: 3 jobs: 2 done, 0 failed, 0 interrupted, 1 skipped" err || fail "not 2 jobs rerun: $(cat err)"
[ "$(grep -c "\"id\":\"$id\".*\"status\":\"interrupted\".*files damaged" st/runs.jsonl)" -eq 1 ] ||
    fail "no interrupted record saying why"
for j in "$id" "$id2"; do
    for f in metrics.csv attn.zst model.safetensors; do
        cmp -s "clean/jobs/$j/$f" "st/jobs/$j/$f" || fail "$j/$f differs from the first run's"
    done
done
"$hs" run s.yaml --quiet 2>err || fail "third run: exit $?"
grep -q "3 skipped" err || fail "intact files were rerun: $(cat err)"
[ "$failures" -eq 0 ] && echo "ok: cut files are found by size, said, recorded and rerun to the same bytes"

# records from before "sizes": read as before, never rerun
sed 's/,"sizes":{[^}]*}//' clean/runs.jsonl >old.jsonl && cp old.jsonl clean/runs.jsonl
grep -q '"sizes"' clean/runs.jsonl && fail "could not make old records"
truncate -s -10 "clean/jobs/$id/metrics.csv"
"$hs" run s.yaml --out clean --quiet 2>err || fail "old records: exit $?"
grep -q "3 skipped" err || fail "old records: not all skipped: $(cat err)"
[ "$failures" -eq 0 ] && echo "ok: records without sizes stay readable and are skipped"

# analyze --plots names the row it leaves out
"$hs" analyze clean --plots figs --run "$id" >/dev/null 2>err
grep -q "run $id: metrics.csv line [0-9]* has no newline" err ||
    fail "analyze --plots dropped the cut row silently: $(cat err)"
[ "$failures" -eq 0 ] && echo "ok: analyze --plots says which row it leaves out"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "store_verify: all ok"
