#!/bin/sh
# task.kind=hopk and the GPT-2 options from the command line: bad input (keys of another task
# kind, vocab or d_model too small, dropout outside [0, 1)) exits 2 with one line naming the key;
# a small hopk job with learned positions, dropout 0.1 and the identity readout writes
# final.k_error for every k, and two runs of it write byte-identical metrics; `analyze` prints
# the error per k and the reach in every format (checked against runs.jsonl), and so does the
# report.
# usage: hopk.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"

expect() { # WHAT SUBSTRING ARGS...: `hopsweep train ARGS` exits 2 with one line holding SUBSTRING
    what=$1 want=$2
    shift 2
    "$hs" train "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$want" "$tmp/err" || [ -s "$tmp/out" ]; then
        echo "FAIL: $what: exit $rc, $lines stderr line(s), wanted \"$want\":"
        sed 's/^/    /' "$tmp/err"
        failures=$((failures + 1))
    else
        echo "ok: $what: $(cat "$tmp/err")"
    fi
}

hopk="task.kind=hopk task.hops=4 task.length=20 task.vocab=12"
expect "chains with hopk" 'task.chains does not apply to task.kind=hopk' $hopk task.chains=3
expect "curriculum with hopk" 'task.curriculum does not apply' $hopk task.curriculum=none
expect "relations with hopk" 'task.relations does not apply' $hopk task.relations=3
expect "letters without hopk" 'task.letters applies only to task.kind=hopk' task.letters=5
expect "min_hops without hopk" 'task.min_hops applies only' task.min_hops=1
expect "length without hopk" 'task.length applies only' task.length=50
expect "min_hops above hops" 'task.min_hops=5' $hopk task.min_hops=5
expect "vocab too small for hopk" 'task.vocab=10 is too small for hopk' task.kind=hopk task.hops=4 task.length=20 task.vocab=10
expect "one letter" 'task.letters' $hopk task.letters=1
expect "identity readout with d_model < vocab" 'raise model.d_model to >= 12' $hopk model.d_model=8 model.heads=2 model.readout=identity
expect "dropout 1" 'model.dropout=1' model.dropout=1
expect "dropout above 1" 'model.dropout' model.dropout=1.5
expect "dropout negative" 'model.dropout' model.dropout=-0.1
expect "bad positions" 'model.positions' model.positions=sinusoidal
expect "bad readout" 'model.readout' model.readout=none

job="$hopk task.min_hops=1 model.layers=2 model.heads=2 model.d_model=16 model.attention=causal
     model.positions=learned model.dropout=0.1 model.readout=identity train.steps=40 train.batch=8
     train.eval_every=20 train.eval_examples=24 train.schedule=linear train.warmup=5"
for run in a b; do
    # shellcheck disable=SC2086
    if ! "$hs" train $job --quiet --json --out "$tmp/$run" >"$tmp/$run.json" 2>"$tmp/$run.err"; then
        echo "FAIL: hopk job $run:"; cat "$tmp/$run.err"; failures=$((failures + 1))
    fi
done
if cmp -s "$tmp/a/metrics.csv" "$tmp/b/metrics.csv"; then
    echo "ok: two runs write identical metrics"
else
    echo "FAIL: two runs of one dropout job differ"; failures=$((failures + 1))
fi
# k_error: null below min_hops, a number in [0, 1] for k = 1..4
if /usr/bin/python3 - "$tmp/a.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
e = r["final"]["k_error"]
assert len(e) == 5 and e[0] is None, e
assert all(isinstance(x, float) and 0 <= x <= 1 for x in e[1:]), e
assert r["config"]["model"]["dropout"] == 0.1 and r["config"]["task"]["kind"] == "hopk"
PY
then echo "ok: final.k_error"; else echo "FAIL: final.k_error"; failures=$((failures + 1)); fi

# analyze: the k_error table in every format, its means and reach recomputed from runs.jsonl
cat >"$tmp/mini.yaml" <<EOF
name: mini-hopk
output: $tmp/mini
base:
  task: {kind: hopk, hops: 3, min_hops: 1, length: 16, vocab: 10}
  model: {d_model: 16, heads: 2, attention: causal, positions: learned, readout: identity}
  train: {steps: 60, batch: 8, lr: 0.01, eval_every: 30, eval_examples: 16, schedule: linear,
          warmup: 5}
grid:
  model.layers: [1, 2]
  train.seed: [0, 1]
EOF
if ! "$hs" run "$tmp/mini.yaml" --quiet >"$tmp/run.out" 2>&1; then
    echo "FAIL: mini sweep:"; cat "$tmp/run.out"; failures=$((failures + 1))
fi
for fmt in "" --markdown --csv; do
    # shellcheck disable=SC2086
    if "$hs" analyze "$tmp/mini" $fmt >"$tmp/an" 2>&1 && grep -q "k_error\|Error per k" "$tmp/an" &&
        grep -q "reach" "$tmp/an"; then
        echo "ok: analyze $fmt has the k_error table"
    else
        echo "FAIL: analyze $fmt:"; cat "$tmp/an"; failures=$((failures + 1))
    fi
done
"$hs" analyze "$tmp/mini" --json >"$tmp/an.json" 2>"$tmp/an.err"
if /usr/bin/python3 - "$tmp/mini/runs.jsonl" "$tmp/an.json" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
rows = json.load(open(sys.argv[2]))["k_error"]
want = {}
for r in runs:
    want.setdefault(r["config"]["model"]["layers"], []).append(r["final"]["k_error"])
assert len(rows) == 2 * 4, rows
for row in rows:
    errs = want[row["layers"]]
    assert row["runs"] == len(errs) == 2
    vals = [e[row["k"]] for e in errs if e[row["k"]] is not None]
    mean = sum(vals) / len(vals) if vals else None
    assert (mean is None and row["error"] is None) or abs(mean - row["error"]) < 1e-6, (row, mean)
    for bound, key in ((0.01, "reach_1pct"), (0.05, "reach_5pct")):
        reach = None
        for k in range(1, 4):  # from task.min_hops
            m = [e[k] for e in errs]
            if all(x is not None for x in m) and sum(m) / len(m) < bound:
                reach = k
            else:
                break
        assert row[key] == reach, (row, key, reach)
PY
then echo "ok: analyze --json means and reach"; else echo "FAIL: analyze --json k_error"; failures=$((failures + 1)); fi
if "$hs" report "$tmp/mini" --out "$tmp/report.html" >/dev/null 2>&1 &&
    grep -q 'id="k-error"' "$tmp/report.html"; then
    echo "ok: the report has the k_error section"
else
    echo "FAIL: report without the k_error section"; failures=$((failures + 1))
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all hopk checks passed"
