#!/usr/bin/python3
"""py_readers.py - a seeded random-mutation loop over the Python readers of analysis/
(hopsweep_model.py, read_resume.py, read_attn.py); atheris is not available here.

Seeds: a model.safetensors and an attn.zst from a tiny `hopsweep train` run here, and a resume
state built with read_resume.build. Each input is a seed mutated a few times (bit flips, random
bytes, cut, inserted or repeated ranges, a JSON number of the header replaced by a hostile one:
negative, float, 2^32, 2^64, a string, a list, deep nesting). Where a checksum would stop the
mutation at once (zstd frames, the resume checksum), the mutated content is framed or summed
again, as an attacker would. Invariant: each reader returns or raises its own error type only
(HopsweepModelError, ResumeError, LogError; read_attn's ReadWarning for a damaged tail), within
a time bound; anything else (a traceback of another type, MemoryError, a hang) is a finding,
saved to the output directory and counted.

usage: py_readers.py HOPSWEEP ANALYSIS_DIR OUT_DIR [--seconds S | --iterations N] [--seed K]
Exit 0 when nothing was found (the counts are printed), 1 otherwise.
"""
import argparse
import importlib.util
import json
import os
import random
import re
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import zstandard


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


HOSTILE = [b"-1", b"0", b"2.5", b"4294967296", b"18446744073709551616", b"1e308", b'"x"',
           b"[]", b"{}", b"null", b"true", b"[" * 5000 + b"]" * 5000, b"-9223372036854775808"]


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        n = len(data)
        if op == 0 and n:
            i = rng.randrange(n)
            data[i] ^= 1 << rng.randrange(8)
        elif op == 1 and n:
            i = rng.randrange(n)
            data[i] = rng.randrange(256)
        elif op == 2 and n:
            data = data[:rng.randrange(n)]
        elif op == 3:
            i = rng.randrange(n + 1)
            data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 4 and n:
            i = rng.randrange(n)
            j = min(n, i + rng.randint(1, 64))
            data[i:i] = data[i:j] * rng.randint(1, 4)
        elif op == 5:
            nums = [m.span() for m in re.finditer(rb"-?\d+(\.\d+)?", bytes(data[:4096]))]
            if nums:
                a, b = rng.choice(nums)
                data[a:b] = rng.choice(HOSTILE)
        elif op == 6 and n >= 8:  # the safetensors header length
            data[:8] = struct.pack("<Q", rng.choice([0, 1, 7, n, n - 8, 1 << 20, 1 << 63,
                                                     rng.randrange(n)]))
    return bytes(data)


def refit_header_len(data):
    """Sets a safetensors file's header length to where its JSON seems to end."""
    end = data.find(b"}", 8)
    while end >= 0 and data.find(b"}", end + 1) >= 0 and data.find(b"}", end + 1) < 8 + 4096:
        end = data.find(b"}", end + 1)
    if end < 0:
        return data
    n = end + 1 - 8
    pad = b" " * (-n % 8)
    return struct.pack("<Q", n + len(pad)) + data[8:end + 1] + pad + data[end + 1:]


class Timeout(Exception):
    pass


def on_alarm(signum, frame):
    raise Timeout()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("hopsweep")
    ap.add_argument("analysis")
    ap.add_argument("out")
    ap.add_argument("--seconds", type=float, default=0)
    ap.add_argument("--iterations", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    hm = load_module(os.path.join(a.analysis, "hopsweep_model.py"), "hopsweep_model")
    rr = load_module(os.path.join(a.analysis, "read_resume.py"), "read_resume")
    ra = load_module(os.path.join(a.analysis, "read_attn.py"), "read_attn")
    os.makedirs(a.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="py_readers.")
    job = os.path.join(tmp, "job")
    subprocess.run([a.hopsweep, "train", "task.hops=2", "task.chains=2", "task.vocab=16",
                    "model.layers=2", "model.heads=2", "model.d_model=16", "model.mlp=2",
                    "train.steps=40", "train.batch=8", "train.eval_every=20",
                    "log.attention_every=20", "log.attention_dtype=f16", "log.checkpoint=true",
                    "log.probe_examples=2", "--out", job, "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    model_seed = open(os.path.join(job, "model.safetensors"), "rb").read()
    attn_seed = open(os.path.join(job, "attn.zst"), "rb").read()
    records = []
    d = zstandard.ZstdDecompressor()
    for frame in ra.read_log(os.path.join(job, "attn.zst")):
        records.append(d.decompress(attn_seed[frame.offset:frame.offset + frame.size]))
    resume_seed = rr.build({"format": rr.FORMAT, "version": rr.VERSION, "step": "20",
                            "config": json.dumps({"task": {"hops": 2}})},
                           {"params": np.arange(12, dtype=np.float32).reshape(3, 4),
                            "history": np.arange(6, dtype=np.int32),
                            "metrics": np.frombuffer(b"step,loss\n0,1\n", np.uint8)})
    cctx = zstandard.ZstdCompressor(level=1, write_checksum=True, write_content_size=True)

    # hostile inputs may ask for a lot: past this, a reader must refuse, not allocate
    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
    signal.signal(signal.SIGALRM, on_alarm)
    rng = random.Random(a.seed)
    path = os.path.join(tmp, "input")
    counts = {"model": 0, "resume": 0, "attn": 0}
    refused = {"model": 0, "resume": 0, "attn": 0}
    findings = 0
    t0 = time.time()
    i = 0
    while (a.seconds and time.time() - t0 < a.seconds) or (not a.seconds and i < a.iterations):
        which = ("model", "resume", "attn")[i % 3]
        i += 1
        if which == "model":
            data = mutate(rng, model_seed)
            if rng.random() < 0.3:
                data = refit_header_len(data)
        elif which == "resume":
            data = mutate(rng, resume_seed)
            if rng.random() < 0.3:
                data = refit_header_len(data)
            if rng.random() < 0.7:  # refit the checksum, as a forger would
                at, want = rr.checksum(data)
                if at is not None and at + 16 <= len(data):
                    data = data[:at] + f"{want:016x}".encode() + data[at + 16:]
        else:
            if rng.random() < 0.6:
                recs = [mutate(rng, r) if rng.random() < 0.7 else r for r in records]
                data = b"".join(cctx.compress(r) for r in recs[:rng.randint(1, len(recs))])
            else:
                data = mutate(rng, attn_seed)
        with open(path, "wb") as f:
            f.write(data)
        counts[which] += 1
        signal.alarm(20)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ra.ReadWarning)
                if which == "model":
                    try:
                        m = hm.load(path)
                        hm.query_accuracy(m, hm.sample(m.config, 2, seed=0))
                    except hm.HopsweepModelError:
                        refused[which] += 1
                elif which == "resume":
                    try:
                        r = rr.read(path)
                        r.metrics_text()
                        r.config()
                    except rr.ResumeError:
                        refused[which] += 1
                else:
                    try:
                        for _ in ra.read_log(path, weights=rng.random() < 0.5):
                            pass
                    except ra.LogError:
                        refused[which] += 1
            signal.alarm(0)
        except BaseException as e:  # noqa: BLE001 - anything else is what this loop looks for
            signal.alarm(0)
            if isinstance(e, KeyboardInterrupt):
                raise
            findings += 1
            name = os.path.join(a.out, f"finding-{which}-{i}")
            with open(name, "wb") as f:
                f.write(data)
            print(f"FINDING {which} input {i}: {type(e).__name__}: {str(e)[:200]} ({name})",
                  file=sys.stderr)
    os.unlink(path)
    elapsed = time.time() - t0
    print(f"py_readers: {i} inputs in {elapsed:.0f} s (seed {a.seed}): "
          + ", ".join(f"{k} {counts[k]} ({refused[k]} refused)" for k in counts)
          + f"; findings {findings}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
