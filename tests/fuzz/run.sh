#!/bin/sh
# Runs one fuzzer over a fixed number of inputs from fresh seeds (a smoke test that it builds,
# runs and finds nothing quickly; fuzz for real with -max_total_time, as README's reliability
# section did).
# usage: run.sh TARGET FUZZER ATTNLOG_DUMP SOURCE_DIR [RUNS]
#   attnlog:  seeds from `attnlog_dump seeds`;  sweep: sweeps/*.yaml and tests/fuzz/seeds/sweep;
#   jsonline: tests/fuzz/seeds/jsonline;        resume: none needed (the harness makes a state).
set -eu
target=$1 fuzz=$2 dump=$3 src=$4 runs=${5:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/corpus"
max_len=65536 n=20000
case $target in
attnlog) "$dump" seeds "$tmp/corpus" ;;
sweep) cp "$src"/sweeps/*.yaml "$src"/tests/fuzz/seeds/sweep/* "$tmp/corpus/"; max_len=8192 n=1500 ;;
jsonline) cp "$src"/tests/fuzz/seeds/jsonline/* "$tmp/corpus/"; max_len=16384 ;;
resume) printf '\001' > "$tmp/corpus/genuine"; max_len=4096 n=1000 ;;
esac
runs=${runs:-$n}
"$fuzz" -runs="$runs" -seed=1 -max_len=$max_len -print_final_stats=1 "$tmp/corpus"
