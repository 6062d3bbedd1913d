#!/bin/sh
# A fixed training set (task.train_examples): a job on 4,096 examples learns 2 hops among 4
# chains and generalises to the (disjoint) evaluation set, and its record counts the epochs;
# 16 examples are memorised (training loss near 0) without being learned (evaluation at chance),
# which only a set that really stays fixed can do; bad values and a set that leaves nothing to
# evaluate on are refused with one line.
set -eu
. "$(dirname "$0")/lib.sh"
"$hs" train task.hops=2 task.chains=4 model.layers=2 train.steps=1500 train.eval_every=100 \
    train.early_stop=0.97 task.train_examples=4096 --json --quiet >"$tmp/rec.json"
/usr/bin/python3 - "$tmp/rec.json" <<'PY'
import json, sys
rec = json.load(open(sys.argv[1]))
acc, steps = rec["final"]["query_acc"], rec["steps"]
print("4096 examples, hops 2, 2 layers: query accuracy", acc, "after", steps, "steps,",
      rec["epochs"], "epochs")
assert rec["status"] == "done"
assert rec["config"]["task"]["train_examples"] == 4096
assert rec["epochs"] == steps * 64 // 4096, rec["epochs"]
assert acc >= 0.95, acc
PY
"$hs" train task.hops=2 task.chains=4 model.layers=2 train.steps=400 train.eval_every=100 \
    train.batch=16 task.train_examples=16 --out "$tmp/mem" --json --quiet >"$tmp/mem.json"
/usr/bin/python3 - "$tmp/mem.json" "$tmp/mem/metrics.csv" <<'PY'
import csv, json, sys
rec = json.load(open(sys.argv[1]))
last = list(csv.DictReader(open(sys.argv[2])))[-1]
print("16 examples: training loss", last["train_loss"], "query accuracy", last["query_acc"],
      "epochs", rec["epochs"])
assert rec["epochs"] == 400
assert float(last["train_loss"]) < 0.1, last
assert float(last["query_acc"]) < 0.5, last
PY
# fresh examples (the default) write no "epochs"
"$hs" train task.hops=1 task.chains=1 model.layers=1 train.steps=2 --json --quiet >"$tmp/fresh.json"
/usr/bin/python3 -c '
import json, sys
rec = json.load(open(sys.argv[1]))
assert "epochs" not in rec and rec["config"]["task"]["train_examples"] == 0, rec
' "$tmp/fresh.json"

refuse() { # expected-exit expected-text args...
    want=$1 text=$2
    shift 2
    set +e
    "$hs" train "$@" --quiet >"$tmp/out" 2>"$tmp/err"
    rc=$?
    set -e
    [ "$rc" -eq "$want" ] || { echo "FAIL: $* exited $rc, wanted $want"; cat "$tmp/err"; exit 1; }
    grep -q -- "$text" "$tmp/err" || { echo "FAIL: $*: no \"$text\" in:"; cat "$tmp/err"; exit 1; }
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || { echo "FAIL: $*: more than one line:"; cat "$tmp/err"; exit 1; }
}
refuse 2 "task.train_examples: \"-3\" is out of range" task.train_examples=-3
refuse 2 "task.train_examples: \"2147483648\" is out of range" task.train_examples=2147483648
refuse 2 "task.train_examples: \"1e5\" is not an integer" task.train_examples=1e5
# 1 hop, 1 chain, vocab 2: two possible examples, and 64 training examples hold both
set +e
"$hs" train task.hops=1 task.chains=1 task.vocab=2 train.steps=10 task.train_examples=64 \
    --quiet >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ "$rc" -ne 0 ] || { echo "FAIL: an impossible disjoint evaluation set was accepted"; exit 1; }
grep -q "too few distinct examples" "$tmp/err" || { cat "$tmp/err"; exit 1; }
echo "ok"
