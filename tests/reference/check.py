#!/usr/bin/python3
"""check.py DIR — does hopsweep's model agree with the PyTorch reference (DESIGN §5)?

DIR is what ref_dump writes:
  model.safetensors  every parameter (F32), __metadata__.config = the job config as JSON
  batch.safetensors  I32 parent, child, rel, target, supervised [B][T]; F32 logits [B][T][V],
                     loss [1]
  grads.safetensors  F32 d(loss)/d(parameter), one per parameter, same names
The reference (hs_reference.py) runs the same batch in float64 from the same parameters. Per tensor
the error is max|hopsweep - reference| / max|reference| and must be <= --tol (1e-4); the
norm-relative error ||a - b|| / ||b|| is printed alongside. A gradient that is zero in exact
arithmetic (attn.bk: a key bias shifts every score of a row equally, and softmax ignores that) has
nothing to be relative to, so a tensor whose reference is below 1e-6 of the largest gradient is
measured against that largest gradient instead (marked "~0").
Exit 0 when everything agrees, 1 on any disagreement or any missing, extra or misshapen tensor,
2 when DIR cannot be read.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs_reference as ref  # noqa: E402

NEGLIGIBLE = 1e-6  # reference max below this fraction of the largest gradient: "analytically 0"


def compare(a, b, scale=None):
    """(max-relative, norm-relative) error of a against reference b."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    diff = a - b
    den = scale if scale is not None else max(float(np.max(np.abs(b))) if b.size else 0.0, 1e-30)
    max_rel = float(np.max(np.abs(diff))) / den if diff.size else 0.0
    if not np.all(np.isfinite(a)):
        max_rel = float("inf")
    nb = float(np.linalg.norm(b))
    norm_rel = float(np.linalg.norm(diff)) / max(nb if scale is None else max(nb, scale), 1e-30)
    return max_rel, norm_rel


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", help="directory holding model/batch/grads.safetensors")
    ap.add_argument("--tol", type=float, default=1e-4, help="max relative error (default 1e-4)")
    ap.add_argument("--quiet", action="store_true", help="print failures and the verdict only")
    args = ap.parse_args()

    try:
        params, meta = ref.st_read(os.path.join(args.dir, "model.safetensors"))
        batch, _ = ref.st_read(os.path.join(args.dir, "batch.safetensors"))
        grads, _ = ref.st_read(os.path.join(args.dir, "grads.safetensors"))
    except (OSError, ref.SafetensorsError) as e:
        print(f"check.py: {e}", file=sys.stderr)
        return 2
    if not meta or "config" not in meta:
        print(f"check.py: {args.dir}/model.safetensors has no __metadata__.config; "
              "ref_dump stores the job config there", file=sys.stderr)
        return 2
    try:
        rc = ref.RefConfig.from_job(meta["config"])
    except (ValueError, KeyError, TypeError) as e:
        print(f"check.py: __metadata__.config is not a usable job config: {e}", file=sys.stderr)
        return 2

    problems = []  # structural failures: missing/extra tensors, shapes, dtypes

    # -- structure: parameter names and shapes as DESIGN §3 says for this config
    expected = dict(ref.param_shapes(rc))
    for what, got in (("model.safetensors", params), ("grads.safetensors", grads)):
        for n in expected:
            if n not in got:
                problems.append(f"{what}: missing tensor {n}")
            elif tuple(got[n].shape) != expected[n]:
                problems.append(f"{what}: {n} has shape {list(got[n].shape)}, expected "
                                f"{list(expected[n])}")
            elif got[n].dtype != np.float32:
                problems.append(f"{what}: {n} is {got[n].dtype}, expected float32")
        for n in got:
            if n not in expected:
                problems.append(f"{what}: unexpected tensor {n}")
    for n in BATCH_TENSORS:
        if n not in batch:
            problems.append(f"batch.safetensors: missing tensor {n}")
    if not problems:
        B, T = batch["parent"].shape if batch["parent"].ndim == 2 else (0, 0)
        for n in ("parent", "child", "rel", "target", "supervised"):
            if batch[n].shape != (B, T) or batch[n].dtype != np.int32:
                problems.append(f"batch.safetensors: {n} is {batch[n].dtype} "
                                f"{list(batch[n].shape)}, expected int32 [B][T] = [{B}][{T}]")
        if batch["logits"].shape != (B, T, rc.n_out):
            problems.append(f"batch.safetensors: logits has shape {list(batch['logits'].shape)}, "
                            f"expected [{B}][{T}][{rc.n_out}]")
        if batch["loss"].size != 1:
            problems.append(f"batch.safetensors: loss has {batch['loss'].size} elements, "
                            "expected 1")
        for n, hi in (("parent", rc.vocab - 1), ("child", rc.vocab), ("target", rc.vocab - 1),
                      ("rel", max(rc.relations - 1, 0))):
            if batch[n].size and (batch[n].min() < 0 or batch[n].max() > hi):
                problems.append(f"batch.safetensors: {n} ids outside [0, {hi}]")
        job = meta["config"]
        job = json.loads(job) if isinstance(job, (str, bytes)) else job
        # the chain semantics of the targets are retrieval's; hopk's are test_hopk.c's
        if not problems and str(job["task"].get("kind", "retrieval")) != "hopk":
            problems += target_problems(batch, rc.vocab)
    for s in extra_tensors(batch):
        problems.append(f"batch.safetensors: unexpected tensor {s}")
    if problems:
        for p in problems:
            print(f"FAIL {p}")
        print(f"FAIL: {len(problems)} structural problem(s) in {args.dir}")
        return 1

    # -- the reference, float64
    torch.manual_seed(0)
    model = ref.HsTransformer(rc).double()
    model.load_named(params)
    parent = torch.from_numpy(batch["parent"].astype(np.int64))
    child = torch.from_numpy(batch["child"].astype(np.int64))
    target = torch.from_numpy(batch["target"].astype(np.int64))
    supervised = torch.from_numpy(batch["supervised"].astype(np.int64))
    rel = torch.from_numpy(batch["rel"].astype(np.int64))
    model.zero_grad(set_to_none=False)
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    logits = model(parent, child, rel)
    loss = ref.masked_loss(logits, target, supervised)
    loss.backward()
    rgrads = {n: g.detach().numpy() for n, g in model.named_views(grad=True).items()}

    B, T = batch["parent"].shape
    print(f"{args.dir}: {rc}, B={B}, T={T}, supervised={int((batch['supervised'] != 0).sum())}")
    print(f"loss: hopsweep {float(batch['loss'].reshape(-1)[0]):.9g}  "
          f"reference {loss.item():.9g}")

    gscale = max(float(np.max(np.abs(g))) for g in rgrads.values())
    rows = []
    lr = compare(batch["loss"].reshape(-1)[:1], np.array([loss.item()]))
    rows.append(("loss", lr, False))
    rows.append(("logits", compare(batch["logits"], logits.detach().numpy()), False))
    for n in expected:
        bmax = float(np.max(np.abs(rgrads[n])))
        if bmax < NEGLIGIBLE * gscale:
            rows.append(("grad " + n, compare(grads[n], rgrads[n], scale=gscale), True))
        else:
            rows.append(("grad " + n, compare(grads[n], rgrads[n]), False))

    failed = 0
    width = max(len(r[0]) for r in rows)
    if not args.quiet:
        print(f"{'tensor':<{width}}  {'max-rel':>10}  {'norm-rel':>10}")
    worst = ("", 0.0)
    for name, (mx, nr), tiny in rows:
        ok = mx <= args.tol  # NaN compares false: a failure
        failed += not ok
        if mx > worst[1] or mx != mx:
            worst = (name, mx)
        if not args.quiet or not ok:
            print(f"{name:<{width}}  {mx:10.3e}  {nr:10.3e}  {'ok' if ok else 'FAIL'}"
                  f"{'  (~0: vs largest grad)' if tiny else ''}")
    if failed:
        print(f"FAIL: {failed} of {len(rows)} tensors differ by more than {args.tol:g} "
              f"(worst {worst[0]}: {worst[1]:.3e})")
        return 1
    print(f"PASS: {len(rows)} tensors agree to {args.tol:g} (worst {worst[0]}: {worst[1]:.3e})")
    return 0


BATCH_TENSORS = ("parent", "child", "rel", "target", "supervised", "logits", "loss")


def extra_tensors(batch):
    return sorted(n for n in batch if n not in BATCH_TENSORS)


def target_problems(batch, vocab):
    """The task read back from the batch alone: every position's target must be the root reached
    by following its own relation from its parent, through edges that form a forest per relation
    (at most one parent per node and relation, no cycle). The query is the edge whose child is
    the marker V."""
    out = []
    for ex in range(batch["parent"].shape[0]):
        par, chi, rel, tgt = (batch[n][ex].tolist() for n in ("parent", "child", "rel", "target"))
        up = {}
        for p, c, r in zip(par, chi, rel):
            if c == vocab:
                continue
            if (c, r) in up:
                out.append(f"example {ex}: node {c} has two parents under relation {r}")
            up[(c, r)] = p
        for t, (p, r) in enumerate(zip(par, rel)):
            x, steps = p, 0
            while (x, r) in up and steps <= len(par):
                x, steps = up[(x, r)], steps + 1
            if steps > len(par):
                out.append(f"example {ex}: relation {r} has a cycle")
            elif x != tgt[t]:
                out.append(f"example {ex} position {t}: target {tgt[t]}, but relation {r} from "
                           f"{p} ends at {x}")
    return out[:10]


if __name__ == "__main__":
    sys.exit(main())
