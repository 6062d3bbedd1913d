#!/bin/sh
# One exit code per kind of failure, decided in one place (cli.h): every command given an input
# file or store that does not exist exits 2 with one line naming it, so does every command reading
# a store whose runs.jsonl is a FIFO, and an unknown option exits 2 too; so does a number on
# the command line that is not one, or out of range (cli.c's parsers), in one line.
set -eu
. "$(dirname "$0")/lib.sh"
missing=$tmp/missing
failed=0
check() {
    want=$1
    shift
    set +e
    "$hs" "$@" >/dev/null 2>"$tmp/err"
    rc=$?
    set -e
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" -ne "$want" ] || [ "$lines" -ne 1 ] || ! grep -q "$missing" "$tmp/err"; then
        echo "FAIL: hopsweep $*: exit $rc (want $want), $lines line(s): $(cat "$tmp/err")"
        failed=$((failed + 1))
    else
        echo "ok: hopsweep $1: exit $rc"
    fi
}
check 2 train "$missing.yaml"
check 2 run "$missing.yaml"
check 2 expand "$missing.yaml"
check 2 slurm "$missing.yaml"
check 2 analyze "$missing"
check 2 status "$missing"
check 2 report "$missing"
check 2 attn "$missing.zst"
check 2 prompts score "$missing.jsonl" "$missing.answers.jsonl"
check 2 store merge "$tmp" "$missing"
# a store whose runs.jsonl is a FIFO is bad input for every command that reads a store
mkdir "$tmp/fifo"
mkfifo "$tmp/fifo/runs.jsonl"
missing=$tmp/fifo/runs.jsonl
check 2 analyze "$tmp/fifo"
check 2 status "$tmp/fifo"
check 2 report "$tmp/fifo"
for c in train run expand slurm analyze status report attn bench store prompts; do
    set +e
    "$hs" $c --no-such-option >/dev/null 2>&1
    rc=$?
    set -e
    [ $rc -eq 2 ] || { echo "FAIL: hopsweep $c --no-such-option exited $rc, not 2"; failed=$((failed + 1)); }
done
# a number that is not one (by config.c's rules: decimal, no sign or space where none belongs,
# finite, in range) exits 2 with one line naming the option, from every command that takes one
mkdir -p "$tmp/store"
: >"$tmp/store/runs.jsonl"
printf 'name: s\noutput: %s/out\nbase: {}\ngrid: {train.seed: [0]}\n' "$tmp" >"$tmp/s.yaml"
printf '{"id":"x"}\n' >"$tmp/p.jsonl"
bad_number() {
    opt=$1 value=$2
    shift 2
    set +e
    "$hs" "$@" "$opt" "$value" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    set -e
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$opt" "$tmp/err" || [ -s "$tmp/out" ]; then
        echo "FAIL: hopsweep $* $opt '$value': exit $rc (want 2), $lines line(s): $(cat "$tmp/err")"
        failed=$((failed + 1))
    fi
}
for v in abc ' 4' 4x 0x10 +4 1e3 '' 99999999999999999999 "$(printf '4\n5')"; do
    bad_number --threads "$v" run "$tmp/s.yaml"
    bad_number --threads "$v" train
    bad_number --threads "$v" bench
    bad_number --slowest "$v" status "$tmp/store"
    bad_number --max-jobs "$v" report "$tmp/store"
    bad_number --step "$v" attn "$tmp/missing.zst"
    bad_number --n "$v" prompts
    bad_number --nodes "$v" slurm "$tmp/s.yaml"
done
bad_number --slowest -1 status "$tmp/store"
bad_number --max-cells 1000001 report "$tmp/store"
bad_number --layer -1 attn "$tmp/missing.zst"
bad_number --distractors 1001 prompts
bad_number --grace 0 slurm "$tmp/s.yaml"
for v in abc ' 0.5' 0x1p-1 inf nan 0 1.5 -0.5 '' 0.5x; do
    bad_number --tau "$v" analyze "$tmp/store"
    bad_number --fraction "$v" report "$tmp/store"
done
for v in abc ' 5' inf nan 0 -1 86401 1e9; do
    bad_number --progress-every "$v" run "$tmp/s.yaml"
done
for v in 0 1/0 2/2 -1/2 ' 0/2' 0/2x 0/+2 1/1000001 /2 0/; do
    bad_number --shard "$v" run "$tmp/s.yaml"
done
bad_number --seconds 0 bench
bad_number --seconds 3601 bench
bad_number --seconds 1e999 bench

[ $failed -eq 0 ] || exit 1
echo "every command: missing input -> exit 2, unknown option -> exit 2, a bad number -> exit 2 in one line"
