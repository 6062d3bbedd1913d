#!/bin/sh
# Learning: with the implicit curriculum, 2 layers learn 2 hops among 4 chains (chance 0.25)
# to query accuracy >= 0.98 on the evaluation set within seconds; and a diverging job is
# recorded as failed with its reason and exit 1, not a crash.
set -eu
. "$(dirname "$0")/lib.sh"
"$hs" train task.hops=2 task.chains=4 model.layers=2 task.curriculum=implicit train.steps=1500 \
    train.eval_every=100 train.early_stop=0.99 --json --quiet >"$tmp/rec.json"
/usr/bin/python3 - "$tmp/rec.json" <<'PY'
import json, sys
rec = json.load(open(sys.argv[1]))
acc = rec["final"]["query_acc"]
print("hops 2, 2 layers, implicit: query accuracy", acc, "after", rec["steps"], "steps")
assert rec["status"] == "done"
assert acc >= 0.98, acc
PY
# Conditional retrieval: 2 relations over the same nodes, the query naming one (chance among
# the asked relation's roots 0.5); the checkpoint carries the relation table as emb.rel [R][d].
"$hs" train task.kind=conditional task.relations=2 task.hops=2 task.chains=2 model.layers=2 \
    train.steps=2000 train.early_stop=0.98 log.checkpoint=true --out "$tmp/cond" --json --quiet \
    >"$tmp/cond.json"
/usr/bin/python3 - "$tmp/cond.json" "$tmp/cond/model.safetensors" <<'PY'
import json, struct, sys
rec = json.load(open(sys.argv[1]))
acc = rec["final"]["query_acc"]
print("conditional, 2 relations, hops 2, 2 layers: query accuracy", acc, "after", rec["steps"], "steps")
assert rec["status"] == "done" and rec["config"]["task"]["kind"] == "conditional"
assert acc >= 0.98, acc
with open(sys.argv[2], "rb") as f:
    header = json.loads(f.read(struct.unpack("<Q", f.read(8))[0]))
assert header["emb.rel"]["shape"] == [2, 64], header["emb.rel"]
assert header["emb.chi"]["shape"] == [65, 64], header["emb.chi"]
PY
# weight decay 10 at lr 10 multiplies the weights by -99 every step: the loss must overflow
set +e
"$hs" train train.lr=10 train.weight_decay=10 train.warmup=0 train.steps=200 --json --quiet \
    >"$tmp/nan.json" 2>"$tmp/nan.err"
rc=$?
set -e
[ "$rc" -eq 1 ] || { echo "FAIL: diverging job exited $rc"; cat "$tmp/nan.err"; exit 1; }
grep -q "job failed: training loss became" "$tmp/nan.err"
/usr/bin/python3 -c '
import json, sys
rec = json.load(open(sys.argv[1]))
assert rec["status"] == "failed", rec["status"]
assert "loss became" in rec["error"], rec["error"]
print("diverged job recorded as failed:", rec["error"])
' "$tmp/nan.json"
