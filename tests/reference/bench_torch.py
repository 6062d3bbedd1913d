#!/usr/bin/python3
"""bench_torch.py — PyTorch's training speed on hopsweep's model, the yardstick of DESIGN §5.

Three baselines of the same architecture (vocab 64, MLP 4x, pre-LayerNorm, bidirectional attention,
GELU in its tanh form, every position supervised), one thread:

    opbyop     hs_reference.py's model: plain nn.Linear, F.layer_norm, matmul + softmax attention
               written op by op, float32 (the reference check's model, slower than what users write)
    idiomatic  the model as a PyTorch user writes it: nn.Embedding, nn.MultiheadAttention
               (batch_first, need_weights=False), nn.LayerNorm, nn.Linear, nn.GELU('tanh'),
               float32
    autocast   idiomatic under torch.autocast('cpu', dtype=torch.bfloat16): bf16 matmuls on
               oneDNN, fp32 weights, AdamW state and loss

One step = zero_grad, forward, loss (cross-entropy over every position), backward,
torch.optim.AdamW step, on fixed random parent ids in [0, V), child ids in [0, V] and targets.
After a warm-up (at least 3 steps and --warmup seconds) each (config, variant) is timed step by
step until --min-time seconds have passed. Prints one JSON object per line:
    {"config": "S", "variant": "idiomatic", "precision": "fp32", "ms_per_step": ...,
     "steps_per_s": ..., "median_ms": ..., "steps": ..., "seconds": ..., ...}
The autocast line also names the oneDNN implementations its matmuls ran on ("onednn"). A variant
that fails prints {"config", "variant", "precision", "error"} instead; exit status 1 then, except
for autocast (a torch or CPU without a working bf16 path still gives the fp32 baselines).

--check builds the idiomatic and the op-by-op model with the same weights and compares, for S, M
and L at a small batch, loss, logits and every gradient (relative 1e-4, float32), and the autocast
loss against the fp32 one (relative 1e-2); it prints one JSON line and exits 1 when one differs.

    /usr/bin/python3 bench_torch.py [--quick] [--configs S,M,L]
        [--variants opbyop,idiomatic,autocast] [--min-time SECONDS] [--warmup SECONDS]
        [--table] [--check]
"""
import os

# One thread means one BLAS thread too: Debian's torch calls OpenBLAS (pthreads build) and OpenMP,
# which torch.set_num_threads does not fully reach, and which read these only when they load —
# so they are set before torch is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import ctypes  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs_reference as ref  # noqa: E402

VOCAB = 64
MLP = 4
# name: (layers, d_model, heads, T, batch) — exactly the configurations of src/train/bench.c
CONFIGS = {
    "S": (1, 64, 2, 10, 64),
    "M": (3, 128, 4, 40, 64),
    "L": (4, 256, 4, 121, 32),
}
VARIANTS = ("opbyop", "idiomatic", "autocast")
PRECISION = {"opbyop": "fp32", "idiomatic": "fp32", "autocast": "bf16"}
CHECK_BATCH = 4  # --check runs the real widths and lengths at a small batch: seconds, not minutes
CHECK_RTOL = 1e-4
CHECK_BF16_RTOL = 1e-2


# --------------------------------------------------------------------------------------------
# The idiomatic model: what a PyTorch user writes for DESIGN §3's architecture
# --------------------------------------------------------------------------------------------

class IdiomaticBlock(nn.Module):
    def __init__(self, d, heads, mlp):
        super().__init__()
        self.ln1 = nn.LayerNorm(d, eps=ref.LN_EPS)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(d, eps=ref.LN_EPS)
        self.mlp = nn.Sequential(nn.Linear(d, mlp * d), nn.GELU(approximate="tanh"),
                                 nn.Linear(mlp * d, d))

    def forward(self, x):
        h = self.ln1(x)
        # need_weights=False: a user timing training does not ask for averaged attention maps.
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


class IdiomaticTransformer(nn.Module):
    def __init__(self, vocab, layers, d, heads, mlp=MLP):
        super().__init__()
        self.emb_par = nn.Embedding(vocab, d)
        self.emb_chi = nn.Embedding(vocab + 1, d)  # row vocab marks the query
        self.blocks = nn.Sequential(*(IdiomaticBlock(d, heads, mlp) for _ in range(layers)))
        self.lnf = nn.LayerNorm(d, eps=ref.LN_EPS)
        self.out = nn.Linear(d, vocab)

    def forward(self, parent, child):
        return self.out(self.lnf(self.blocks(self.emb_par(parent) + self.emb_chi(child))))


@torch.no_grad()
def copy_reference_weights(src, dst):
    """Copies hs_reference's HsTransformer src into IdiomaticTransformer dst, tensor by tensor.
    nn.MultiheadAttention's in_proj packs q, k, v rows as the reference's qkv Linear does, and
    splits heads into the same contiguous d_head-row groups."""
    dst.emb_par.weight.copy_(src.emb_par.weight)
    dst.emb_chi.weight.copy_(src.emb_chi.weight)
    for s, d in zip(src.blocks, dst.blocks):
        d.ln1.weight.copy_(s.ln1.weight), d.ln1.bias.copy_(s.ln1.bias)
        d.attn.in_proj_weight.copy_(s.qkv.weight), d.attn.in_proj_bias.copy_(s.qkv.bias)
        d.attn.out_proj.weight.copy_(s.proj.weight), d.attn.out_proj.bias.copy_(s.proj.bias)
        d.ln2.weight.copy_(s.ln2.weight), d.ln2.bias.copy_(s.ln2.bias)
        d.mlp[0].weight.copy_(s.fc1.weight), d.mlp[0].bias.copy_(s.fc1.bias)
        d.mlp[2].weight.copy_(s.fc2.weight), d.mlp[2].bias.copy_(s.fc2.bias)
    dst.lnf.weight.copy_(src.lnf.weight), dst.lnf.bias.copy_(src.lnf.bias)
    dst.out.weight.copy_(src.out.weight), dst.out.bias.copy_(src.out.bias)


def idiomatic_grads(m):
    """The idiomatic model's gradients under the reference's module-path names."""
    g = {"emb_par.weight": m.emb_par.weight.grad, "emb_chi.weight": m.emb_chi.weight.grad,
         "lnf.weight": m.lnf.weight.grad, "lnf.bias": m.lnf.bias.grad,
         "out.weight": m.out.weight.grad, "out.bias": m.out.bias.grad}
    for l, b in enumerate(m.blocks):
        p = f"blocks.{l}."
        g.update({p + "ln1.weight": b.ln1.weight.grad, p + "ln1.bias": b.ln1.bias.grad,
                  p + "qkv.weight": b.attn.in_proj_weight.grad,
                  p + "qkv.bias": b.attn.in_proj_bias.grad,
                  p + "proj.weight": b.attn.out_proj.weight.grad,
                  p + "proj.bias": b.attn.out_proj.bias.grad,
                  p + "ln2.weight": b.ln2.weight.grad, p + "ln2.bias": b.ln2.bias.grad,
                  p + "fc1.weight": b.mlp[0].weight.grad, p + "fc1.bias": b.mlp[0].bias.grad,
                  p + "fc2.weight": b.mlp[2].weight.grad, p + "fc2.bias": b.mlp[2].bias.grad})
    return g


def reference_model(layers, d, heads):
    rc = ref.RefConfig(vocab=VOCAB, layers=layers, heads=heads, d_model=d, mlp=MLP,
                       layernorm=True, causal=False)
    return ref.HsTransformer(rc)


def random_batch(B, T, gen=None):
    parent = torch.randint(0, VOCAB, (B, T), generator=gen)
    child = torch.randint(0, VOCAB + 1, (B, T), generator=gen)
    target = torch.randint(0, VOCAB, (B, T), generator=gen).reshape(-1)
    return parent, child, target


def step_flops(layers, d, T, B):
    """Matmul FLOPs of one training step, counted as hs_model_step_flops counts them."""
    N, h = B * T, MLP * d
    macs = layers * (N * d * 3 * d + N * d * d + 2 * N * h * d + 2 * N * T * d) + N * d * VOCAB
    return 3.0 * 2.0 * macs


# --------------------------------------------------------------------------------------------
# What actually ran: BLAS threads and oneDNN implementations
# --------------------------------------------------------------------------------------------

def blas_threads():
    """OpenBLAS's own thread count (the library torch loaded), or None when it is not OpenBLAS."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line and "/" in line}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            return int(ctypes.CDLL(path).openblas_get_num_threads())
        except (OSError, AttributeError):
            continue
    return None


def onednn_impls(fn):
    """Runs fn() with oneDNN's verbose mode on and returns {"primitive impl": count} of what it
    executed. The verbose lines go to the C stdout, so fd 1 goes to a temporary file meanwhile."""
    sys.stdout.flush()
    saved = os.dup(1)
    counts = {}
    with tempfile.TemporaryFile() as tf:
        os.dup2(tf.fileno(), 1)
        try:
            with torch.backends.mkldnn.verbose(torch.backends.mkldnn.VERBOSE_ON):
                fn()
        finally:
            try:
                ctypes.CDLL(None).fflush(None)
            except (OSError, AttributeError):
                pass
            os.dup2(saved, 1)
            os.close(saved)
        tf.seek(0)
        for line in tf.read().decode("utf-8", "replace").splitlines():
            f = line.split(",")
            if len(f) > 4 and f[0] in ("onednn_verbose", "dnnl_verbose") and f[1] == "exec":
                key = f"{f[3]} {f[4]}"
                counts[key] = counts.get(key, 0) + 1
    return counts


# --------------------------------------------------------------------------------------------
# Benchmark
# --------------------------------------------------------------------------------------------

def make_step(variant, layers, d, heads, T, B, seed=0):
    torch.manual_seed(seed)
    if variant == "opbyop":
        model = reference_model(layers, d, heads)
    else:
        model = IdiomaticTransformer(VOCAB, layers, d, heads)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    parent, child, target = random_batch(B, T)
    bf16 = variant == "autocast"

    def step():
        opt.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(parent, child)
            loss = F.cross_entropy(logits.reshape(-1, VOCAB), target)
        loss.backward()
        opt.step()
        return loss

    return step


def bench(name, variant, min_time, warmup_time):
    layers, d, heads, T, B = CONFIGS[name]
    step = make_step(variant, layers, d, heads, T, B)
    t0 = time.perf_counter()
    n = 0
    while n < 3 or time.perf_counter() - t0 < warmup_time:
        step()
        n += 1
    times = []
    t0 = time.perf_counter()
    last = t0
    while True:
        step()
        now = time.perf_counter()
        times.append(now - last)
        last = now
        if now - t0 >= min_time and len(times) >= 5:
            break
    elapsed = last - t0
    r = {"config": name, "variant": variant, "precision": PRECISION[variant],
         "ms_per_step": 1e3 * elapsed / len(times), "steps_per_s": len(times) / elapsed,
         "median_ms": 1e3 * statistics.median(times), "steps": len(times), "seconds": elapsed,
         "warmup_steps": n, "gflops": step_flops(layers, d, T, B) * len(times) / elapsed * 1e-9,
         "layers": layers, "d_model": d, "heads": heads, "T": T, "batch": B,
         "torch": torch.__version__, "threads": torch.get_num_threads(),
         "blas_threads": blas_threads()}
    if variant == "autocast":
        r["onednn"] = onednn_impls(step)
    return r


# --------------------------------------------------------------------------------------------
# --check: the idiomatic model is the reference architecture
# --------------------------------------------------------------------------------------------

def rel_err(a, b):
    """||a - b|| / ||b|| (a tiny floor so an all-zero b compares absolutely); a missing gradient
    (a parameter the loss does not reach) counts as zeros."""
    if a is None and b is None:
        return 0.0
    a = torch.zeros_like(b) if a is None else a
    b = torch.zeros_like(a) if b is None else b
    a, b = a.detach().double(), b.detach().double()
    return float((a - b).norm() / max(float(b.norm()), 1e-30))


def check(names):
    report = {"check": "idiomatic vs op-by-op", "rtol": CHECK_RTOL, "bf16_rtol": CHECK_BF16_RTOL,
              "batch": CHECK_BATCH, "configs": {}, "torch": torch.__version__}
    ok = True
    for name in names:
        layers, d, heads, T, _ = CONFIGS[name]
        torch.manual_seed(1)
        rm = reference_model(layers, d, heads)
        im = IdiomaticTransformer(VOCAB, layers, d, heads)
        copy_reference_weights(rm, im)
        gen = torch.Generator().manual_seed(2)
        parent, child, target = random_batch(CHECK_BATCH, T, gen)
        rl = rm(parent, child)
        rloss = F.cross_entropy(rl.reshape(-1, VOCAB), target)
        rloss.backward()
        il = im(parent, child)
        iloss = F.cross_entropy(il.reshape(-1, VOCAB), target)
        iloss.backward()
        rgrads = dict(rm.named_parameters())
        igrads = idiomatic_grads(im)
        if set(igrads) != set(rgrads):
            raise RuntimeError(f"parameter names differ: {sorted(set(igrads) ^ set(rgrads))}")
        worst = max(((rel_err(igrads[k], rgrads[k].grad), k) for k in rgrads))
        with torch.autocast("cpu", dtype=torch.bfloat16):
            bl = im(parent, child)
            bloss = F.cross_entropy(bl.reshape(-1, VOCAB), target)
        c = {"loss_opbyop": float(rloss), "loss_idiomatic": float(iloss),
             "loss_rel": abs(float(iloss) - float(rloss)) / abs(float(rloss)),
             "logits_rel": rel_err(il, rl), "grad_rel_worst": worst[0], "grad_worst": worst[1],
             "loss_autocast": float(bloss),
             "autocast_loss_rel": abs(float(bloss) - float(iloss)) / abs(float(iloss)),
             "autocast_logits_dtype": str(bl.dtype).replace("torch.", "")}
        c["ok"] = (c["loss_rel"] <= CHECK_RTOL and c["logits_rel"] <= CHECK_RTOL
                   and c["grad_rel_worst"] <= CHECK_RTOL
                   and c["autocast_loss_rel"] <= CHECK_BF16_RTOL)
        ok = ok and c["ok"]
        report["configs"][name] = c
        print(f"check {name}: loss op-by-op {c['loss_opbyop']:.7f} idiomatic "
              f"{c['loss_idiomatic']:.7f}"
              f" (rel {c['loss_rel']:.1e}); logits rel {c['logits_rel']:.1e}; worst gradient rel "
              f"{c['grad_rel_worst']:.1e} ({c['grad_worst']}); autocast loss "
              f"{c['loss_autocast']:.5f}"
              f" (rel {c['autocast_loss_rel']:.1e}, logits {c['autocast_logits_dtype']})"
              f" — {'ok' if c['ok'] else 'DIFFERS'}", file=sys.stderr)
    report["ok"] = ok
    print(json.dumps(report), flush=True)
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--configs", default="S,M,L", help="comma-separated subset of S,M,L")
    ap.add_argument("--variants", default=",".join(VARIANTS),
                    help=f"comma-separated subset of {','.join(VARIANTS)}")
    ap.add_argument("--min-time", type=float, default=None,
                    help="seconds timed per config and variant (default 2, --quick 0.3)")
    ap.add_argument("--warmup", type=float, default=None,
                    help="warm-up seconds before timing (default 0.5, --quick 0.1)")
    ap.add_argument("--quick", action="store_true", help="short runs: a rough number fast")
    ap.add_argument("--json", action="store_true", help="JSON lines (the default)")
    ap.add_argument("--table", action="store_true", help="a human-readable table instead")
    ap.add_argument("--check", action="store_true",
                    help="compare the idiomatic model with the op-by-op one instead of timing")
    args = ap.parse_args()

    names = [c.strip().upper() for c in args.configs.split(",") if c.strip()]
    bad = [c for c in names if c not in CONFIGS]
    if bad or not names:
        print(f"bench_torch.py: unknown config(s) {bad} in --configs; choose from "
              f"{','.join(CONFIGS)}", file=sys.stderr)
        return 2
    variants = [v.strip().lower() for v in args.variants.split(",") if v.strip()]
    badv = [v for v in variants if v not in VARIANTS]
    if badv or not variants:
        print(f"bench_torch.py: unknown variant(s) {badv} in --variants; choose from "
              f"{','.join(VARIANTS)}", file=sys.stderr)
        return 2
    for opt, v in (("--min-time", args.min_time), ("--warmup", args.warmup)):
        if v is not None and not 0 <= v <= 3600:
            print(f"bench_torch.py: {opt} {v} must be seconds in [0, 3600]", file=sys.stderr)
            return 2
    torch.set_num_threads(1)
    if args.check:
        return check(names)
    min_time = args.min_time if args.min_time is not None else (0.3 if args.quick else 2.0)
    warmup = args.warmup if args.warmup is not None else (0.1 if args.quick else 0.5)
    if args.table:
        print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), "
              f"OpenBLAS threads {blas_threads()}")
        print(f"{'config':<7}{'variant':<11}{'ms/step':>10}{'steps/s':>10}{'median ms':>11}"
              f"{'steps':>8}")
    status = 0
    for name in names:
        for variant in variants:
            try:
                r = bench(name, variant, min_time, warmup)
            except Exception as e:  # noqa: BLE001 — e.g. bf16 unsupported: say so, go on
                msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                r = {"config": name, "variant": variant, "precision": PRECISION[variant],
                     "error": f"{type(e).__name__}: {msg}"}
                print(f"bench_torch.py: {name} {variant}: {r['error']}", file=sys.stderr)
                # A torch without a working bf16 autocast still gives the fp32 baselines: that
                # failure is reported in its line, not in the exit status.
                if variant != "autocast":
                    status = 1
            if args.table:
                if "error" in r:
                    print(f"{name:<7}{variant:<11}  error: {r['error']}")
                else:
                    print(f"{name:<7}{variant:<11}{r['ms_per_step']:>10.3f}"
                          f"{r['steps_per_s']:>10.2f}{r['median_ms']:>11.3f}{r['steps']:>8}")
            else:
                print(json.dumps(r), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
