#!/usr/bin/python3
"""model_py_check.py ANALYSIS_DIR TMP — the comparisons of model_py.sh (see there)."""
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
import hopsweep_model as hm  # noqa: E402
import read_attn  # noqa: E402

tmp = sys.argv[2]
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    failures += not ok


# 1. Logits of ref_dump's weights and batch; also of the peer's GPT-2 options on hopk (learned
#    positions, identity readout, dropout that an evaluation pass does not apply).
for dump in ("ref", "ref_hopk"):
    model = hm.load(f"{tmp}/{dump}/model.safetensors")
    batch, _ = hm.read_safetensors(f"{tmp}/{dump}/batch.safetensors")
    logits = model(batch["parent"], batch["child"]).detach().numpy()
    rel = np.abs(logits - batch["logits"]).max() / np.abs(batch["logits"]).max()
    check(rel < 1e-4, f"{dump}: logits agree with hopsweep's (max relative error {rel:.2e})")

# 2. Attention of the trained checkpoint on the probe examples against the attention log.
model = hm.load(f"{tmp}/job/model.safetensors")
probe, _ = hm.read_safetensors(f"{tmp}/job/probe.safetensors")
frames = list(read_attn.read_log(f"{tmp}/job/attn.zst"))
last = frames[-1]
record = json.load(open(f"{tmp}/job/record.json"))
check(last.step == record["steps"], f"the log's last frame is of the last step ({last.step})")
check(np.array_equal(last.chain, probe["chain"]) and np.array_equal(last.index, probe["index"]),
      "probe examples: chain ids and indices equal the log's")
_, cache = model.run_with_cache(probe["parent"], probe["child"])
att = np.stack([cache[f"attn.{l}"].detach().numpy() for l in range(model.config.layers)])
att = att.transpose(0, 2, 1, 3, 4)  # [layers][heads][examples][T][T], as the log stores it
err = np.abs(att - last.weights).max()
check(err < 1e-5, f"attention equals the log's last frame (max abs error {err:.1e})")
check(set(cache) >= {"resid_pre.0", "resid_mid.1", "resid_post.1", "resid_final", "attn_out.0"},
      "the cache holds every residual stream")

# 3. Ablating the strongest L1:-1 head lowers the query accuracy.
heads = [h for h in record["emergence"]["heads"] if h["role"] == "L1:-1"]
check(bool(heads), "the probes found an L1:-1 head")
if heads:
    h = max(heads, key=lambda h: h["score"])
    b = hm.sample(model.config, 2000, seed=0)
    full = hm.query_accuracy(model, b)
    ablated = hm.query_accuracy(model, b, ablate=[(h["layer"], h["head"])])
    check(full > 0.9 and ablated < full - 0.05,
          f"ablating L{h['layer']}H{h['head']} (L1:-1) lowers query accuracy {full:.3f} -> "
          f"{ablated:.3f}")

# 4. Bad input: one line, exit 2.
script = os.path.join(sys.argv[1], "hopsweep_model.py")
with open(f"{tmp}/junk.safetensors", "wb") as f:
    f.write(b"\xff" * 64)
tensors, meta = hm.read_safetensors(f"{tmp}/job/model.safetensors")
cfg = json.loads(meta["config"])
cfg["task"]["curriculum"] = "sideways"
with open(f"{tmp}/odd.safetensors", "wb") as f:  # a checkpoint whose config names a curriculum
    import struct
    raw = tensors["emb.par"].astype("<f4").tobytes()
    head = json.dumps({"__metadata__": {"config": json.dumps(cfg)},
                       "emb.par": {"dtype": "F32", "shape": list(tensors["emb.par"].shape),
                                   "data_offsets": [0, len(raw)]}}).encode()
    f.write(struct.pack("<Q", len(head)) + head + raw)
for path, want in ((f"{tmp}/junk.safetensors", "not a safetensors file"),
                   (f"{tmp}/odd.safetensors", "task.curriculum='sideways'")):
    p = subprocess.run([sys.executable, script, path], capture_output=True, text=True)
    lines = p.stderr.strip().splitlines()
    check(p.returncode == 2 and len(lines) == 1 and want in lines[0],
          f"bad input {os.path.basename(path)}: exit {p.returncode}, {lines}")

print(f"{failures} failed")
sys.exit(1 if failures else 0)
