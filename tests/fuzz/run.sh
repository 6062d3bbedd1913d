#!/bin/sh
# Runs one fuzzer over a fixed number of inputs from fresh seeds (a smoke test that it builds,
# runs and finds nothing quickly; fuzz for real with -max_total_time, as README's reliability
# section did).
# usage: run.sh TARGET FUZZER ATTNLOG_DUMP SOURCE_DIR [RUNS]
#   attnlog:  seeds from `attnlog_dump seeds`;  sweep: sweeps/*.yaml and tests/fuzz/seeds/sweep;
#   jsonline: tests/fuzz/seeds/jsonline;        resume: none needed (the harness makes a state);
#   report:   tests/fuzz/seeds/report's metrics.csv with its attn.zst, and with each record seed
#             of `attnlog_dump seeds` (the input layout is fuzz_report.c's).
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
report)
    mkdir "$tmp/logs"
    "$dump" seeds "$tmp/logs"
    /usr/bin/python3 - "$src/tests/fuzz/seeds/report" "$tmp/logs" "$tmp/corpus" <<'PY'
import os, sys
seeds, logs, out = sys.argv[1:]
metrics = open(os.path.join(seeds, "metrics.csv"), "rb").read()
def put(name, mode, attn):
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes([mode]) + len(metrics).to_bytes(2, "little") + metrics + attn)
put("store-job", 0, open(os.path.join(seeds, "attn.zst"), "rb").read())
for name in sorted(os.listdir(logs)):
    data = open(os.path.join(logs, name), "rb").read()
    if data:
        put("log-" + name, data[0], data[1:])
PY
    n=3000 ;;
esac
runs=${runs:-$n}
"$fuzz" -runs="$runs" -seed=1 -max_len=$max_len -print_final_stats=1 "$tmp/corpus"
