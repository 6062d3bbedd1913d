#!/bin/sh
# Bad input to `hopsweep train`: each case must exit 2 with exactly one line on stderr that
# names the offending key or value, print nothing on stdout, and never crash.
# usage: bad_input.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"
n=0

# expect WHAT SUBSTRING ARGS... : run `hopsweep train ARGS`, check exit 2 and the message
expect() {
    what=$1 want=$2
    shift 2
    n=$((n + 1))
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

expect "unknown key" 'model.layer' model.layer=2
expect "not an integer" '"abc"' task.hops=abc
expect "float for an integer" '"2.5"' model.layers=2.5
expect "out of range" 'model.layers' model.layers=0
expect "negative" 'train.steps' train.steps=-5
expect "bad enum" '"sometimes"' task.curriculum=sometimes
expect "bad bool" '"maybe"' model.layernorm=maybe
expect "bad task kind" '"cond"' task.kind=cond
expect "relations without the conditional task" 'task.kind=conditional' task.relations=3
expect "relations out of range" 'task.relations' task.kind=conditional task.relations=0
expect "not a finite float" 'train.lr' train.lr=nan
expect "impossible task sizes" 'task.vocab' task.vocab=5 task.hops=4 task.chains=2
expect "d_model not a multiple of heads" 'model.heads' model.d_model=10 model.heads=4
expect "empty key" '=4' =4
expect "missing file" "$tmp/none.yaml" "$tmp/none.yaml"
expect "two job files" 'two job files' a.yaml b.yaml
expect "unknown option" '--bogus' --bogus
expect "bad thread count" '--threads' --threads abc
expect "missing option value" '--out' --out

printf 'task:\n  hops: "4\n' >"$tmp/quote.yaml"
expect "unterminated quote" "quote.yaml:" "$tmp/quote.yaml"
printf 'task:\n\thops: 4\n' >"$tmp/tab.yaml"
expect "tab indentation" "tab.yaml:" "$tmp/tab.yaml"
printf 'task:\n  hops: [1, 2]\n' >"$tmp/seq.yaml"
expect "sequence where a value is needed" "task.hops" "$tmp/seq.yaml"
printf 'task:\n  hops: 4\n  hops: 5\n' >"$tmp/dup.yaml"
expect "duplicate key" "duplicate" "$tmp/dup.yaml"
printf 'task:\n  hops: \303\050\n' >"$tmp/utf8.yaml"
expect "non-UTF-8 bytes" "utf8.yaml:" "$tmp/utf8.yaml"
printf 'model:\n  layers: 2\nbogus:\n  x: 1\n' >"$tmp/section.yaml"
expect "unknown section" "bogus" "$tmp/section.yaml"
: >"$tmp/ro" # a file where the output directory should be
expect "output path that cannot be created" "--out $tmp/ro/sub" --out "$tmp/ro/sub" train.steps=1

echo "$n cases, $failures failed"
[ "$failures" -eq 0 ]
