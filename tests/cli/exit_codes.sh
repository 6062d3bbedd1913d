#!/bin/sh
# One exit code per kind of failure, decided in one place (cli.h): every command given an input
# file or store that does not exist exits 2 with one line naming it, so does every command reading
# a store whose runs.jsonl is a FIFO, and an unknown option exits 2 too.
set -eu
hs=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
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
[ $failed -eq 0 ] || exit 1
echo "every command: missing input -> exit 2, unknown option -> exit 2"
