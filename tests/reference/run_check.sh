#!/bin/sh
# run_check.sh REF_DUMP CHECK_PY OUTDIR [key=value ...]
# One reference check (ctest label "reference"): ref_dump writes OUTDIR afresh, then the PyTorch
# reference (Debian's python3-torch, imported by /usr/bin/python3) compares it.
set -e
if [ $# -lt 3 ]; then
    echo "usage: run_check.sh REF_DUMP CHECK_PY OUTDIR [key=value ...]" >&2
    exit 2
fi
ref_dump=$1 check=$2 out=$3
shift 3
PYTHON=${HOPSWEEP_PYTHON:-/usr/bin/python3}
if ! "$PYTHON" -c 'import torch, numpy' 2>/dev/null; then
    echo "run_check.sh: $PYTHON cannot import torch and numpy; install python3-torch" \
         "(Debian) or set HOPSWEEP_PYTHON to an interpreter that has them" >&2
    exit 1
fi
case " $* " in
*" train.precision=bf16 "*)
    if ! grep -qw -e avx512_bf16 -e amx_bf16 /proc/cpuinfo; then
        echo "run_check.sh: this CPU has neither avx512_bf16 nor amx_bf16; bf16 check skipped" >&2
        exit 77
    fi ;;
esac
rm -rf "$out"
mkdir -p "$out"
"$ref_dump" "$out" "$@"
exec "$PYTHON" "$check" "$out"
