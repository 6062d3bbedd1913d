#!/bin/sh
# The store believes only whole JSON records (issue 12, F11/F12): a copy of a record with another
# config under the same id, a YAML flow line `{id: X, status: interrupted}`, and a bare
# {"id":X,"status":"done"} are each skipped with one note naming the line and why; none of them
# changes what is done (the finished job is not rerun, the unfinished one is not skipped), and the
# lines stay in runs.jsonl as they were.
# usage: store_records.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1
cat >s.yaml <<'YAML'
name: s
output: st
base: {task: {chains: 2, hops: 2}, model: {d_model: 16, layers: 1, heads: 1, mlp: 1}, train: {steps: 40, batch: 8, eval_every: 20, eval_examples: 16}}
grid: {train.seed: [0, 1]}
YAML
"$hs" expand s.yaml | head -2 | cut -c1-16 >ids
a=$(sed -n 1p ids)
b=$(sed -n 2p ids)
"$hs" run s.yaml train.seed=0 --quiet 2>/dev/null || fail "first run"

# F11: the same id with another config (7 layers, perfect accuracy) appended
/usr/bin/python3 - <<'PY'
import json
r = json.loads(open('st/runs.jsonl').readline())
r['config']['model']['layers'] = 7
r['final']['query_acc'] = 1.0
open('st/runs.jsonl', 'a').write(json.dumps(r) + '\n')
PY
# F12: a YAML line about the done job, a bare "done" line about the other one
echo "{id: $a, status: interrupted}" >>st/runs.jsonl
echo "{\"id\":\"$b\",\"status\":\"done\"}" >>st/runs.jsonl
before=$(cksum <st/runs.jsonl)
rc=0
"$hs" run s.yaml --quiet 2>err || rc=$?
[ "$rc" -eq 0 ] || { cat err; fail "rerun: exit $rc"; }
grep -q "st/runs.jsonl: skipped 3 line(s) that are not valid records, first at line 2 (an \"id\" that is not the hash of its config" err ||
    { cat err; fail "no one-line note about the forged lines"; }
[ "$(grep -c 'not valid records' err)" -eq 1 ] || fail "the note is not one line"
grep -q "2 jobs: 1 done, 0 failed, 0 interrupted, 1 skipped" err || { cat err; fail "the forged lines changed what is done"; }
# the store's lines: the real record of a, the three forged ones untouched, then b's real record
[ "$(sed -n 1,4p st/runs.jsonl | cksum)" = "$before" ] || fail "the forged lines were changed"
tail -1 st/runs.jsonl | grep -q "\"id\":\"$b\".*\"status\":\"done\"" || fail "b was not run"
/usr/bin/python3 -c "
import json, sys
recs = [json.loads(l) for l in open('st/runs.jsonl') if l.startswith('{\"')]
assert recs[-1]['config']['model']['layers'] == 1, recs[-1]['config']['model']
" || fail "b's record"
# analyze reads the same lines the same way: the forged copy of a is skipped, named with its
# line, and a's real 1-layer result is what it reports (F11), exit 0
rc=0
"$hs" analyze st --json >an.json 2>an.err || rc=$?
[ "$rc" -eq 0 ] || { cat an.err; fail "analyze: exit $rc"; }
grep -q "st/runs.jsonl: skipped 3 unreadable line(s), the first at line 2 (an \"id\" that is not the hash of its config" an.err ||
    { cat an.err; fail "analyze: no one-line note about the forged line"; }
[ "$(wc -l <an.err)" -eq 1 ] || { cat an.err; fail "analyze: more than one line on stderr"; }
/usr/bin/python3 -c "
import json
d = json.load(open('an.json'))
assert d['done'] == 2, d['done']
assert d['accuracy'] and all(c['layers'] == 1 for c in d['accuracy']), d['accuracy']
" || fail "analyze analysed the forged record"
[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "store_records: all ok"
