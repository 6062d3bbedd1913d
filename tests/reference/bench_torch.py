#!/usr/bin/python3
"""bench_torch.py — PyTorch's training speed on hopsweep's model, the yardstick of DESIGN §5.

One thread (torch.set_num_threads(1), and OPENBLAS_NUM_THREADS=1 set before torch loads OpenBLAS),
float32, the model of hs_reference.py (plain nn.Linear, F.layer_norm, matmul + softmax
attention); vocab 64, MLP 4x, LayerNorm, bidirectional attention,
every position supervised. One step = zero_grad, forward, loss, backward, AdamW step, on random
parent ids in [0, V), child ids in [0, V] and targets. After a warm-up, each config is timed for at
least --min-time seconds (2 by default). Prints one JSON object per line:
    {"config": "S", "ms_per_step": ..., "steps_per_s": ..., "steps": ..., "seconds": ...}

    /usr/bin/python3 bench_torch.py [--quick] [--configs S,M,L] [--min-time SECONDS] [--table]
"""
import argparse
import json
import os
import sys
import time

# One thread means one BLAS thread too: Debian's torch calls OpenBLAS (pthreads build), which
# torch.set_num_threads does not reach, and which reads these only when it is loaded.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import torch  # noqa: E402

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs_reference as ref  # noqa: E402

VOCAB = 64
# name: (layers, d_model, heads, T, batch)
CONFIGS = {
    "S": (1, 64, 2, 10, 64),
    "M": (3, 128, 4, 40, 64),
    "L": (4, 256, 4, 121, 32),
}


def bench(name, min_time, warmup_time, seed=0):
    layers, d, heads, T, B = CONFIGS[name]
    torch.manual_seed(seed)
    rc = ref.RefConfig(vocab=VOCAB, layers=layers, heads=heads, d_model=d, mlp=4,
                       layernorm=True, causal=False)
    model = ref.HsTransformer(rc)  # float32
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    parent = torch.randint(0, VOCAB, (B, T))
    child = torch.randint(0, VOCAB + 1, (B, T))
    target = torch.randint(0, VOCAB, (B, T)).reshape(-1)

    def step():
        opt.zero_grad(set_to_none=False)
        logits = model(parent, child)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, VOCAB), target)
        loss.backward()
        opt.step()
        return loss

    # Warm-up: at least 3 steps and warmup_time seconds (allocator, caches, AdamW state).
    t0 = time.perf_counter()
    n = 0
    while n < 3 or time.perf_counter() - t0 < warmup_time:
        step()
        n += 1
    # Timed: chunks of steps until min_time has passed.
    chunk = max(1, n)
    steps = 0
    t0 = time.perf_counter()
    while True:
        for _ in range(chunk):
            step()
        steps += chunk
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time:
            break
    return {"config": name, "ms_per_step": 1e3 * elapsed / steps, "steps_per_s": steps / elapsed,
            "steps": steps, "seconds": elapsed, "layers": layers, "d_model": d, "heads": heads,
            "T": T, "batch": B, "torch": torch.__version__, "threads": torch.get_num_threads()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--configs", default="S,M,L", help="comma-separated subset of S,M,L")
    ap.add_argument("--min-time", type=float, default=None,
                    help="seconds timed per config (default 2, --quick 0.3)")
    ap.add_argument("--quick", action="store_true", help="short runs: a rough number fast")
    ap.add_argument("--json", action="store_true", help="JSON lines (the default)")
    ap.add_argument("--table", action="store_true", help="a human-readable table instead")
    args = ap.parse_args()

    names = [c.strip().upper() for c in args.configs.split(",") if c.strip()]
    bad = [c for c in names if c not in CONFIGS]
    if bad or not names:
        print(f"bench_torch.py: unknown config(s) {bad}; choose from {','.join(CONFIGS)}",
              file=sys.stderr)
        return 2
    min_time = args.min_time if args.min_time is not None else (0.3 if args.quick else 2.0)
    warmup = 0.1 if args.quick else 0.5
    torch.set_num_threads(1)
    if args.table:
        print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
        print(f"{'config':<7}{'ms/step':>10}{'steps/s':>10}{'steps':>8}")
    for name in names:
        r = bench(name, min_time, warmup)
        if args.table:
            print(f"{name:<7}{r['ms_per_step']:>10.3f}{r['steps_per_s']:>10.2f}{r['steps']:>8}")
        else:
            print(json.dumps(r), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
