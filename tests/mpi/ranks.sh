#!/bin/sh
# The same sweep alone, and under mpirun with 1, 2 and 3 ranks (3 oversubscribes this 2-core
# machine): job for job the same records (where and how fast aside) and byte-identical metrics.
set -eu
. "$(dirname "$0")/../cli/lib.sh"
mpirun=$2
cat >"$tmp/tiny.yaml" <<'YAML'
name: tiny
base:
  task: {chains: 2, curriculum: implicit}
  model: {d_model: 32}
  train: {steps: 60, batch: 16, eval_every: 20, eval_examples: 64, warmup: 10}
grid:
  model.layers: [1, 2]
  task.hops: [1, 2, 3]
  train.seed: [0, 1]
YAML
"$hs" run "$tmp/tiny.yaml" --out "$tmp/alone" --quiet
for np in 1 2 3; do
    "$mpirun" -np "$np" --oversubscribe "$hs" run "$tmp/tiny.yaml" --out "$tmp/np$np" --quiet
done
/usr/bin/python3 "$(dirname "$0")/check_store.py" "$tmp/alone" 12
for np in 1 2 3; do
    /usr/bin/python3 "$(dirname "$0")/check_store.py" "$tmp/np$np" 12 "$tmp/alone"
done
# with 3 ranks the work was shared: records name more than one rank
/usr/bin/python3 - "$tmp/np3/runs.jsonl" <<'PY'
import json, sys
ranks = {json.loads(l)["rank"] for l in open(sys.argv[1])}
assert len(ranks) > 1, f"only ranks {ranks} trained"
print("ranks that trained:", sorted(ranks))
PY
# a rerun of a finished sweep runs nothing
"$mpirun" -np 2 --oversubscribe "$hs" run "$tmp/tiny.yaml" --out "$tmp/np2" 2>"$tmp/rerun.log"
grep -q "12 skipped" "$tmp/rerun.log" || { cat "$tmp/rerun.log"; echo "FAIL: rerun did not skip all 12 jobs"; exit 1; }
[ "$(wc -l <"$tmp/np2/runs.jsonl")" -eq 12 ]
echo "ok"
