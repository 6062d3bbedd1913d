#!/usr/bin/python3
"""synth_store.py — writes a synthetic result store (runs.jsonl, jobs/<id>/metrics.csv) shaped
like a real sweep's, for timing `hopsweep analyze` and for looking at its tables and figures
without training anything. The numbers are made up: depth >= ceil(log3(2D+1)) usually solves
under the implicit, mixed and explicit curricula and rarely under none; heads emerge at the
theory's offsets +-3^(l-1), layer by layer, with noise.

usage: /usr/bin/python3 analysis/synth_store.py OUT [--curricula none,implicit,mixed,explicit]
           [--hops 1-20] [--layers 1-5] [--seeds 25] [--metrics] [--seed 1]
Default: 4 curricula x 20 hops x 5 layers x 25 seeds = 10,000 runs. --metrics also writes a
metrics.csv per run (slower; only the per-hop accuracy figure reads them).

The ids are the real ones, asked of `hopsweep expand` (--hopsweep, default build/hopsweep beside
this folder, else hopsweep on PATH) for the same grid: analyze refuses a record whose id is not
the hash of its config.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import tempfile


def theory(d):
    t, reach = 0, 0
    while reach < d:
        t += 1
        reach = (3**t - 1) // 2
    return t


def span(text):
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def config(curriculum, hops, layers, seed):
    return {
        "emergence": {"patience": 3, "tau_acc": 0.9, "tau_head": 0.5},
        "log": {"attention_dtype": "f16", "attention_every": 0, "checkpoint": False,
                "probe_examples": 4},
        "model": {"attention": "bidirectional", "d_model": 64, "heads": 2, "layernorm": True,
                  "layers": layers, "mlp": 4},
        "task": {"chains": 2, "curriculum": curriculum, "hops": hops, "vocab": 64},
        "train": {"batch": 64, "clip": 1, "early_stop": 0.98, "eval_every": 100,
                  "eval_examples": 512, "lr": 0.001, "schedule": "cosine", "seed": seed,
                  "steps": 3000, "warmup": 100, "weight_decay": 0.01},
    }


def ids(hopsweep, curricula, hops, layers, seeds):
    """{(curriculum, hops, layers, seed): id} from `hopsweep expand` of the same grid."""
    base = config(curricula[0], hops[0], layers[0], 0)
    for section, key in (("task", "curriculum"), ("task", "hops"), ("model", "layers"), ("train", "seed")):
        del base[section][key]
    grid = {"task.curriculum": curricula, "task.hops": hops, "model.layers": layers,
            "train.seed": list(range(seeds))}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "synthetic.yaml")
        with open(path, "w") as f:
            f.write("name: synthetic\noutput: %s\nbase: %s\ngrid: %s\n"
                    % (os.path.join(tmp, "unused"), json.dumps(base), json.dumps(grid)))
        out = subprocess.run([hopsweep, "expand", path], check=True, capture_output=True, text=True).stdout
    got = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) != 5 or len(parts[0]) != 16:
            continue  # the count line
        v = dict(p.split("=", 1) for p in parts[1:])
        got[(v["curriculum"], int(v["hops"]), int(v["layers"]), int(v["seed"]))] = parts[0]
    return got


def run(rng, curriculum, hops, layers, seed, steps_total=3000, every=100):
    need = theory(hops)
    p = {"none": 0.9 if hops == 1 else 0.08, "implicit": 0.92, "mixed": 0.8, "explicit": 0.7}
    solved = layers >= need and rng.random() < p[curriculum]
    # hop k emerges around k * pace steps; unsolved runs stall after a few hops
    pace = rng.uniform(60, 160)
    reach = hops if solved else rng.randint(0, max(0, hops - 1))
    measured = [curriculum != "none" or k == hops for k in range(hops + 1)]
    hop_steps, hop_acc = [], []
    for k in range(hops + 1):
        if not measured[k]:
            hop_steps.append(None)
            hop_acc.append(None)
            continue
        if k <= reach:
            s = int(round(k * pace / every + rng.uniform(0, 2))) * every
            hop_steps.append(min(s, steps_total))
            hop_acc.append(round(rng.uniform(0.96, 1.0), 4))
        else:
            hop_steps.append(None)
            hop_acc.append(round(rng.uniform(0.3, 0.85), 4))
    qacc = round(rng.uniform(0.95, 1.0) if solved else rng.uniform(0.3, 0.9), 4)
    steps = min(steps_total, (hop_steps[hops] or steps_total) + 300) if solved else steps_total
    heads, order = [], []
    for l in range(1, layers + 1):
        off = 3 ** (l - 1)
        for h, delta in enumerate((-off, off)):
            emerges = solved or rng.random() < 0.5
            role = "L%d:%+d" % (l, delta) if delta <= hops else "L%d:other" % l
            step = int(round((l * pace * 2 + h * pace * 0.6) / every + rng.uniform(0, 3))) * every
            heads.append({"layer": l, "head": h, "role": role,
                          "score": round(rng.uniform(0.5, 0.95) if emerges else rng.uniform(0.1, 0.45), 4),
                          "step": step if emerges else None})
    emerged = sorted((hd for hd in heads if hd["step"] is not None),
                     key=lambda hd: (hd["step"], hd["layer"], hd["head"]))
    order = [hd["role"] for hd in emerged]
    return qacc, hop_acc, hop_steps, heads, order, steps


def metrics_csv(rng, hops, hop_steps, hop_acc, steps, every=100):
    lines = ["step,lr,train_loss,eval_loss,query_acc,level," +
             ",".join("hop_%d" % k for k in range(hops + 1))]
    for step in range(0, steps + 1, every):
        row = [str(step), "0.001", "" if step == 0 else "%.4g" % rng.uniform(0.01, 2),
               "%.4g" % rng.uniform(0.01, 2)]
        accs = []
        for k in range(hops + 1):
            if hop_acc[k] is None:
                accs.append("")
            elif hop_steps[k] is not None and step >= hop_steps[k]:
                accs.append("%.4g" % min(1.0, hop_acc[k] + rng.uniform(-0.02, 0.0)))
            else:
                accs.append("%.4g" % rng.uniform(0.05, 0.6))
        row.append(accs[-1] or "")
        row.append(str(hops))
        lines.append(",".join(row + accs))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--curricula", default="none,implicit,mixed,explicit")
    ap.add_argument("--hops", default="1-20")
    ap.add_argument("--layers", default="1-5")
    ap.add_argument("--seeds", type=int, default=25)
    ap.add_argument("--metrics", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    beside = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "hopsweep")
    ap.add_argument("--hopsweep", default=beside if os.access(beside, os.X_OK) else shutil.which("hopsweep"))
    a = ap.parse_args()
    if not a.hopsweep:
        ap.error("no hopsweep binary: give --hopsweep PATH")
    curricula = a.curricula.split(",")
    id_of = ids(a.hopsweep, curricula, span(a.hops), span(a.layers), a.seeds)
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    n = 0
    with open(os.path.join(a.out, "runs.jsonl"), "w") as f:
        for cur in curricula:
            for hops in span(a.hops):
                for layers in span(a.layers):
                    for seed in range(a.seeds):
                        cfg = config(cur, hops, layers, seed)
                        rid = id_of[(cur, hops, layers, seed)]
                        qacc, hop_acc, hop_steps, heads, order, steps = run(rng, cur, hops, layers, seed)
                        metrics = "jobs/%s/metrics.csv" % rid
                        if a.metrics:
                            os.makedirs(os.path.join(a.out, "jobs", rid), exist_ok=True)
                            with open(os.path.join(a.out, metrics), "w") as m:
                                m.write(metrics_csv(rng, hops, hop_steps, hop_acc, steps))
                        rec = {"id": rid, "sweep": "synthetic", "config": cfg, "status": "done",
                               "error": None, "host": "synth", "rank": 0, "wall_s": 1.0,
                               "steps": steps, "early_stopped": qacc >= 0.98,
                               "final": {"loss": 0.1, "query_acc": qacc, "hop_acc": hop_acc},
                               "emergence": {"hop_steps": hop_steps, "heads": heads, "order": order},
                               "files": {"metrics": metrics if a.metrics else None,
                                         "attention": None, "model": None}}
                        f.write(json.dumps(rec, separators=(",", ":")) + "\n")
                        n += 1
    print("%s: %d runs" % (a.out, n))


if __name__ == "__main__":
    main()
