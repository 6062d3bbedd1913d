#!/bin/sh
# resume.bin from outside C (analysis/read_resume.py, numpy): an interrupted job's state is a
# safetensors file whose tensors and scalars are the ones docs/resume.md lists, with shapes that
# follow from the config in its own metadata; the Python writer rebuilds it byte for byte
# (so the layout, the JSON and the checksum rule are the documented ones); a state edited in
# Python and resealed is checked by hopsweep as strictly as a damaged one (refused in one
# line, the job starts afresh), and a flipped bit is found by both readers. That a resumed job
# ends exactly as an uninterrupted one is sweep_stop.sh's and store_signals.sh's.
set -eu
. "$(dirname "$0")/lib.sh"
cd "$tmp"
cat >r.yaml <<'YAML'
name: r
base:
  task: {chains: 2, hops: 2, curriculum: explicit}
  model: {d_model: 16, layers: 2, heads: 2}
  train: {steps: 200000, batch: 8, eval_every: 50, eval_examples: 16}
  log: {attention_every: 100}
YAML
id=$("$hs" expand r.yaml 2>/dev/null | awk 'NR==1{print $1}')
[ -n "$id" ] || die "no job id from expand"
# An interrupted state: with --abandon, SIGTERM stops the running job at once and saves it.
for wait in 0.5 1 2 4; do
    rm -rf st
    "$hs" run r.yaml --out st --abandon --quiet 2>/dev/null & pid=$!
    sleep $wait
    kill -TERM $pid 2>/dev/null || true
    wait $pid || true
    [ -f "st/jobs/$id/resume.bin" ] && break
done
[ -f "st/jobs/$id/resume.bin" ] || die "the job left no resume.bin"
$py "$here/../../analysis/read_resume.py" "st/jobs/$id/resume.bin" >listing.txt || die "read_resume.py refused a genuine state"
grep -q "^tensor params float32" listing.txt || die "no params tensor: $(cat listing.txt)"
PYTHONPATH="$here/../../analysis" $py - "st/jobs/$id/resume.bin" <<'PY' || die "the Python checks"
import json, sys
import numpy as np
import read_resume as rr
path = sys.argv[1]
blob = open(path, "rb").read()
r = rr.read(path)
cfg = r.config()
m, t = r.meta, r.tensors
step, ee = int(m["step"]), cfg["train"]["eval_every"]
E, D = (step - 1) // ee + 1, cfg["task"]["hops"]
NH = cfg["model"]["layers"] * cfg["model"]["heads"]
assert set(t) == {"params", "adam.m", "adam.v", "history", "eval_steps", "role_bins",
                  "role_scores", "metrics", "attention"}, sorted(t)
assert t["history"].shape == (E, D + 1) and t["history"].dtype == np.float32
assert list(t["eval_steps"]) == [e * ee for e in range(E)]
assert t["role_bins"].shape == (E, NH) and t["role_scores"].shape == (E, NH)
assert t["params"].shape == t["adam.m"].shape == t["adam.v"].shape
assert np.all(np.isfinite(t["params"])) and np.all(t["adam.v"] >= 0)
assert int(m["adam_t"]) == step and int(m["loss_n"]) == (step - 1) % ee + 1
assert r.metrics_text().count("\n") == E + 1  # header and one row per evaluation
assert t["attention"][:4].tobytes() == b"\x28\xb5\x2f\xfd"  # a zstd frame
# rebuilt in Python: the same bytes
assert rr.build(m, t) == blob, "the Python writer does not rebuild the file byte for byte"
# an edited, resealed state: level out of range, and one evaluation too many
rr.write("level.bin", dict(m, level="1000000"), t)
rr.write("evals.bin", m, dict(t, history=np.vstack([t["history"], t["history"][-1:]])))
# damage the checksum cannot hide
bad = bytearray(blob); bad[len(bad) // 2] ^= 0x10
open("flip.bin", "wb").write(bad)
try:
    rr.read("flip.bin"); raise SystemExit("a flipped bit was not found")
except rr.ResumeError as e:
    assert "checksum" in str(e), e
print("resume.bin: %d tensors, step %d, %d evaluations, checksum %s" % (len(t), step, E, m["checksum"]))
PY
for case in level:"curriculum level 1000000" evals:"evaluations" flip:"checksum mismatch"; do
    name=${case%%:*} want=${case#*:}
    rm -rf "st_$name"; cp -a st "st_$name"
    cp "$name.bin" "st_$name/jobs/$id/resume.bin"
    # the job is long: the resumed run is stopped again as soon as it has started afresh
    "$hs" run r.yaml --out "st_$name" --abandon 2>"$name.err" & pid=$!
    i=0
    while ! grep -q "starting it afresh" "$name.err" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 200 ] || { kill -9 $pid; die "$name: not refused: $(cat "$name.err")"; }
        sleep 0.05
    done
    kill -TERM $pid 2>/dev/null || true
    wait $pid || true
    [ "$(grep -c "resume state unusable" "$name.err")" -eq 1 ] || die "$name: not one line: $(cat "$name.err")"
    grep "resume state unusable" "$name.err" | grep -q "$want" || die "$name: message $(cat "$name.err")"
done
echo "resume.bin reads, rebuilds and is checked from Python"
