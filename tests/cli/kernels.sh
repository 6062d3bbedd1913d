#!/bin/sh
# The guard on the products' kernels: a small training step (config S) at fp32, and at bf16 where
# the CPU has it, through `bench --products --json`; every product of the step must run on a
# oneDNN brgemm kernel (`brg:` in oneDNN 2.6), on AMD and Intel alike. A product that left the
# fast path (`gemm:jit`, `ref`: a strided view, an output scale) fails the test by name. Skipped,
# with a message, when the build has no oneDNN.
set -eu
. "$(dirname "$0")/lib.sh"

"$hs" bench --config S --precision fp32,bf16 --products --json --seconds 0.05 >"$tmp/bench.json" \
    2>"$tmp/bench.err"
/usr/bin/python3 - "$tmp/bench.json" "$tmp/bench.err" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert lines, "bench printed nothing"
if all(l["engine"].startswith("openblas") for l in lines):
    print("SKIP: this build has no oneDNN; its products run on OpenBLAS")
    sys.exit(0)
precisions = {l["precision"] for l in lines}
assert "fp32" in precisions, precisions
if "bf16" not in precisions:
    print("bf16 not checked:", open(sys.argv[2]).read().strip())
bad = []
for l in lines:
    products = l["products"]
    assert products, "%s %s: no products listed" % (l["config"], l["precision"])
    for p in products:
        assert p["calls_per_step"] > 0 and p["ms_per_call"] > 0, p
        if not p["impl"].startswith("brg:"):
            bad.append("%s %s: %s (%s) runs on %s, not brgemm"
                       % (l["config"], l["precision"], p["shape"], p["op"], p["impl"]))
    print("%s %s: %d products, all checked" % (l["config"], l["precision"], len(products)))
if bad:
    print("FAIL: products off oneDNN's fast kernel:\n  " + "\n  ".join(bad))
    sys.exit(1)
PY
