#!/bin/sh
# Bad sweeps through the command line: `hopsweep expand` and `hopsweep run` must exit 2 with one
# line on stderr naming the place (file:line:column, or the argument) and the problem, write
# nothing into the store, and never crash. (tests/test_sweep.c checks many more messages.)
# usage: sweep_bad_input.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"
n=0

# expect WHAT SUBSTRING COMMAND ARGS...
expect() {
    what=$1 want=$2
    shift 2
    n=$((n + 1))
    "$hs" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$want" "$tmp/err"; then
        echo "FAIL: $what: exit $rc, $lines stderr line(s), wanted \"$want\":"
        sed 's/^/    /' "$tmp/err"
        failures=$((failures + 1))
    else
        echo "ok: $what: $(cat "$tmp/err")"
    fi
}

good='name: s
base:
  train: {steps: 0, eval_examples: 8}
grid:
  task.hops: [1, 2]
'
printf '%s' "$good" >"$tmp/good.yaml"
printf 'grid:\n\ttask.hops: [1, 2]\n' >"$tmp/tab.yaml"
expect "tab indentation" "tab.yaml:2:1" expand "$tmp/tab.yaml"
printf 'gird:\n  task.hops: [1, 2]\n' >"$tmp/typo.yaml"
expect "unknown top-level key" "typo.yaml:1:1" expand "$tmp/typo.yaml"
printf 'grid:\n  task.hops: [1, 2]\n  task.hops: [3]\n' >"$tmp/dup.yaml"
expect "duplicate grid key" "dup.yaml:3:3" expand "$tmp/dup.yaml"
printf 'grid:\n  task.hops: 3\n' >"$tmp/scalar.yaml"
expect "scalar where a list is needed" "scalar.yaml:2:14" expand "$tmp/scalar.yaml"
printf 'grid:\n  model.layers: [1, x]\n' >"$tmp/value.yaml"
expect "bad value in a grid list" "value.yaml:2:21" expand "$tmp/value.yaml"
printf 'grid:\n  task.hops: []\n' >"$tmp/empty.yaml"
expect "empty grid list" "empty.yaml:2" expand "$tmp/empty.yaml"
printf 'name: "unterminated\n' >"$tmp/quote.yaml"
expect "unterminated quote" "quote.yaml" expand "$tmp/quote.yaml"
printf 'name: caf\351\n' >"$tmp/latin1.yaml"
expect "non-UTF-8 bytes" "latin1.yaml:1" expand "$tmp/latin1.yaml"
expect "missing file" "$tmp/none.yaml" run "$tmp/none.yaml" --out "$tmp/store-none"
expect "bad override" "command line argument 1" expand "$tmp/good.yaml" task.hops=1,,2
expect "unknown override key" "model.layer" run "$tmp/good.yaml" model.layer=1,2 --out "$tmp/store-bad"
: >"$tmp/file"
expect "output that cannot be created" "$tmp/file/store" run "$tmp/good.yaml" --out "$tmp/file/store"
expect "bad --shard" "--shard" run "$tmp/good.yaml" --shard 2/2 --out "$tmp/store-shard"

# a store in use by another run is refused, naming the holder's pid
mkfifo "$tmp/hold"
printf 'name: slow\nbase:\n  train: {steps: 100000}\ngrid:\n  train.seed: [0]\n' >"$tmp/slow.yaml"
"$hs" run "$tmp/slow.yaml" --out "$tmp/busy" --quiet 2>/dev/null &
bg=$!
i=0
until [ -f "$tmp/busy/.lock" ] && [ -s "$tmp/busy/.lock" ]; do i=$((i + 1)); [ $i -lt 200 ] || break; sleep 0.05; done
expect "store in use" "process $bg" run "$tmp/good.yaml" --out "$tmp/busy"
kill -9 "$bg" 2>/dev/null
wait "$bg" 2>/dev/null
bg=""

for d in store-none store-bad store-shard; do
    [ -e "$tmp/$d/runs.jsonl" ] && { echo "FAIL: $d: a store was written for a bad sweep"; failures=$((failures + 1)); }
done
echo "$n cases, $failures failed"
[ "$failures" -eq 0 ]
