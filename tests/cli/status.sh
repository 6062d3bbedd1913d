#!/bin/sh
# `hopsweep status` on a real store (a sweep of five tiny jobs run here) whose records are then
# edited into every state: two done, one failed with its error, one interrupted, one never
# started. The text and --json give the exact counts, the failed job's error and the slowest
# jobs in order; a directory that is not a store gets one line and exit 2; a store whose
# sweep.yaml is gone still counts its records and says what it cannot know.
# usage: status.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"

cat >"$tmp/s.yaml" <<YAML
name: st
output: $tmp/store
base:
  task: {chains: 2, vocab: 16, hops: 1, curriculum: implicit}
  model: {d_model: 16, heads: 2, mlp: 2, layers: 1}
  train: {steps: 20, batch: 8, eval_every: 10, eval_examples: 16}
grid:
  train.seed: [0, 1, 2, 3, 4]
YAML
"$hs" run "$tmp/s.yaml" >"$tmp/run.out" 2>&1 || fail "the sweep did not run: $(tail -3 "$tmp/run.out")"
S=$tmp/store
# Seed 2 failed, seed 3 was interrupted, seed 4 never started; wall times made distinct.
$py - "$S/runs.jsonl" <<'PY' || fail "could not edit the records"
import json, sys
path = sys.argv[1]
recs = [json.loads(l) for l in open(path)]
assert len(recs) == 5, len(recs)
out = []
for r in recs:
    seed = r["config"]["train"]["seed"]
    r["wall_s"] = 10.0 + seed
    if seed == 2:
        r["status"], r["error"] = "failed", "diverged: loss is NaN at step 12"
    if seed == 3:
        r["status"], r["error"] = "interrupted", "stopped by SIGTERM at step 7"
    if seed != 4:
        out.append(r)
with open(path, "w") as f:
    for r in out:
        f.write(json.dumps(r) + "\n")
PY

"$hs" status "$S" >"$tmp/text" 2>"$tmp/err" || fail "status exit $?: $(cat "$tmp/err")"
grep -q "sweep st: 5 jobs: 2 done, 1 failed, 1 interrupted, 1 never started" "$tmp/text" ||
    fail "text counts: $(head -1 "$tmp/text")"
grep -q "seed=2  diverged: loss is NaN at step 12" "$tmp/text" || fail "failed job's error missing"
grep -q "stopped by SIGTERM at step 7" "$tmp/text" || fail "interrupted job missing"

"$hs" status "$S" --json --slowest 2 >"$tmp/json" 2>"$tmp/err" || fail "status --json exit $?"
$py - "$tmp/json" <<'PY' || fail "JSON checks"
import json, sys
j = json.load(open(sys.argv[1]))
want = {"sweep": "st", "total": 5, "records": 4, "done": 2, "failed": 1, "interrupted": 1,
        "never_started": 1, "not_in_sweep": 0}
for k, v in want.items():
    assert j[k] == v, (k, j[k], v)
assert [f["error"] for f in j["failed_jobs"]] == ["diverged: loss is NaN at step 12"], j["failed_jobs"]
assert "seed=2" in j["failed_jobs"][0]["label"]
assert [r["wall_s"] for r in j["slowest"]] == [13.0, 12.0], j["slowest"]
assert abs(j["wall_s"] - 46.0) < 1e-9 and abs(j["core_hours"] - 46.0 / 3600) < 1e-12
PY

# Not a store: one line on stderr, exit 2, nothing on stdout.
mkdir "$tmp/empty"
"$hs" status "$tmp/empty" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "not a store: exit $rc"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "not a store: $(cat "$tmp/err")"
grep -q "runs.jsonl" "$tmp/err" || fail "not a store: message does not say what is missing"
[ -s "$tmp/out" ] && fail "not a store: printed on stdout"
"$hs" status "$tmp/nowhere" >/dev/null 2>&1
[ $? -eq 2 ] || fail "missing directory: not exit 2"
"$hs" status "$S" --slowest x >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad --slowest: not exit 2"

# Without sweep.yaml the records are still counted; the never started are unknown.
rm "$S/sweep.yaml"
"$hs" status "$S" --json >"$tmp/json" 2>"$tmp/err" || fail "no sweep.yaml: exit $?"
$py -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["total"] is None and j["never_started"] is None and j["records"] == 4, j
assert "sweep.yaml" in j["sweep_note"], j["sweep_note"]
' "$tmp/json" || fail "no sweep.yaml: JSON"

[ $failures -eq 0 ] && echo "status: all checks passed"
exit $failures
