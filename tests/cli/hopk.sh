#!/bin/sh
# task.kind=hopk and the GPT-2 options from the command line: bad input (keys of another task
# kind, vocab or d_model too small, dropout outside [0, 1)) exits 2 with one line naming the key;
# a small hopk job with learned positions, dropout 0.1 and the identity readout writes
# final.k_error for every k, and two runs of it write byte-identical metrics.
# usage: hopk.sh HOPSWEEP
set -u
hs=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

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

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all hopk checks passed"
