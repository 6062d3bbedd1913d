#!/bin/sh
# Runs the attention-log reader's fuzzer over a fixed number of inputs from fresh seeds (a smoke
# test that it builds, runs and finds nothing quickly; fuzz for real with -max_total_time).
# usage: run.sh FUZZ_ATTNLOG ATTNLOG_DUMP [RUNS]
set -eu
fuzz=$1 dump=$2 runs=${3:-20000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$dump" seeds "$tmp/corpus"
"$fuzz" -runs="$runs" -seed=1 -max_len=65536 -print_final_stats=1 "$tmp/corpus"
