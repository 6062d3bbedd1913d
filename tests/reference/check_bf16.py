#!/usr/bin/python3
"""check_bf16.py DIR — does hopsweep's bf16 mixed precision compute what autocast does?

DIR is what ref_dump writes for a job with train.precision=bf16 (check.py describes the files).
From the same parameters and batch this script runs the PyTorch reference twice: under
torch.autocast('cpu', dtype=torch.bfloat16) in float32 (the bf16 loss), and in float64 (the exact
gradient). It requires (issue 16, DESIGN §5):
  - hopsweep's bf16 loss within a relative --loss-tol (1e-2) of the autocast loss, and
  - every parameter gradient of hopsweep's bf16 step with cosine similarity >= --cos (0.999) to
    the exact gradient; a gradient that is zero in exact arithmetic (attn.bk, see check.py) has no
    direction and is measured by its size relative to the largest gradient instead (<= 1e-2).
Exit 0 when both hold, 1 when not, 2 when DIR cannot be read.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs_reference as ref  # noqa: E402

NEGLIGIBLE = 1e-6


def run(rc, params, batch, dtype, autocast):
    model = ref.HsTransformer(rc).to(dtype)
    model.load_named(params)
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    ids = {n: torch.from_numpy(batch[n].astype(np.int64))
           for n in ("parent", "child", "rel", "target", "supervised")}
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
        logits = model(ids["parent"], ids["child"], ids["rel"])
        loss = ref.masked_loss(logits.float() if autocast else logits, ids["target"],
                               ids["supervised"])
    loss.backward()
    grads = {n: g.detach().double().numpy() for n, g in model.named_views(grad=True).items()}
    return float(loss.item()), grads


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--loss-tol", type=float, default=1e-2)
    ap.add_argument("--cos", type=float, default=0.999)
    args = ap.parse_args()
    try:
        params, meta = ref.st_read(os.path.join(args.dir, "model.safetensors"))
        batch, _ = ref.st_read(os.path.join(args.dir, "batch.safetensors"))
        grads, _ = ref.st_read(os.path.join(args.dir, "grads.safetensors"))
        rc = ref.RefConfig.from_job(meta["config"])
    except (OSError, ref.SafetensorsError, KeyError, TypeError, ValueError) as e:
        print(f"check_bf16.py: cannot read {args.dir}: {e}", file=sys.stderr)
        return 2
    cfg = json.loads(meta["config"]) if isinstance(meta["config"], str) else meta["config"]
    if cfg.get("train", {}).get("precision", cfg.get("train.precision")) != "bf16":
        print(f"check_bf16.py: {args.dir} was not dumped with train.precision=bf16",
              file=sys.stderr)
        return 2
    torch.manual_seed(0)
    auto_loss, _ = run(rc, params, batch, torch.float32, True)
    exact_loss, exact = run(rc, params, batch, torch.float64, False)
    hs_loss = float(batch["loss"].reshape(-1)[0])
    failed = 0
    rel = abs(hs_loss - auto_loss) / max(abs(auto_loss), 1e-30)
    ok = rel <= args.loss_tol
    failed += not ok
    print(f"loss: hopsweep bf16 {hs_loss:.6g}, autocast {auto_loss:.6g}, exact {exact_loss:.6g}: "
          f"relative {rel:.2e} {'ok' if ok else 'FAIL'} (<= {args.loss_tol:g})")
    gscale = max(float(np.max(np.abs(g))) for g in exact.values())
    worst = ("", 1.0)
    for n, e in exact.items():
        h = np.asarray(grads[n], dtype=np.float64)
        if not np.all(np.isfinite(h)):
            print(f"grad {n}: not finite FAIL")
            failed += 1
            continue
        if float(np.max(np.abs(e))) < NEGLIGIBLE * gscale:
            size = float(np.max(np.abs(h))) / gscale
            ok = size <= 1e-2
            print(f"grad {n}: exactly ~0, hopsweep {size:.2e} of the largest "
                  f"{'ok' if ok else 'FAIL'}")
        else:
            cos = float(np.dot(h.ravel(), e.ravel()) /
                        max(np.linalg.norm(h) * np.linalg.norm(e), 1e-300))
            ok = cos >= args.cos
            if cos < worst[1]:
                worst = (n, cos)
            print(f"grad {n}: cosine {cos:.6f} {'ok' if ok else 'FAIL'}")
        failed += not ok
    if failed:
        print(f"FAIL: {failed} check(s) outside tolerance")
        return 1
    print(f"PASS: loss within {args.loss_tol:g} of autocast, every gradient cosine >= {args.cos} "
          f"(lowest {worst[0]}: {worst[1]:.6f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
