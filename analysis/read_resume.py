#!/usr/bin/env python3
"""read_resume.py — reads (and writes) hopsweep's resume.bin: the state an interrupted job continues
from, one safetensors file (docs/resume.md, include/hopsweep/resume.h).

    import read_resume as rr
    r = rr.read("results/smoke/jobs/<id>/resume.bin")
    r.meta["step"], r.tensors["params"].shape, r.tensors["history"]   # numpy arrays
    r.metrics_text()                                                  # metrics.csv so far

read() checks what a reader must not trust: the header length, the JSON, every tensor's dtype,
shape and offsets (they tile the data exactly), the format and version, and the checksum (FNV-1a 64
of the whole file with its own 16 hex digits counted as '0's). write() builds a file the way
hopsweep does, checksum included, so tests can edit a state and hand it back.

Command line: read_resume.py RESUME.bin prints the scalars and the tensors' dtypes and shapes;
bad input is one line on stderr and exit 2. Needs numpy (Debian's /usr/bin/python3).
"""
import json
import os
import stat
import struct
import sys

import numpy as np

FORMAT, VERSION = "hopsweep-resume", "1"
DTYPES = {"F32": np.dtype("<f4"), "I32": np.dtype("<i4"), "U8": np.dtype("u1")}
CHECKSUM_KEY = b'"checksum":"'
MAX_HEADER = 1 << 20


class ResumeError(Exception):
    """Bad input: the message is one line naming the file and what is wrong."""


def _whole(v):
    """v when it is a JSON integer (not a float such as 2.5 or 2.0, not a bool); else TypeError."""
    if type(v) is not int:
        raise TypeError("not an integer")
    return v


def fnv1a64(data, h=0xcbf29ce484222325):
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def checksum(blob):
    """The checksum hopsweep writes for blob: FNV-1a 64 with the 16 digits after the (one)
    "checksum":" key counted as '0's; None when the key is missing or appears twice."""
    at = blob.find(CHECKSUM_KEY)
    if at < 0 or blob.find(CHECKSUM_KEY, at + 1) >= 0:
        return None, None
    d = at + len(CHECKSUM_KEY)
    return d, fnv1a64(blob[d + 16:], fnv1a64(b"0" * 16, fnv1a64(blob[:d])))


class Resume:
    def __init__(self, meta, tensors):
        self.meta, self.tensors = meta, tensors

    def metrics_text(self):
        m = self.tensors.get("metrics")
        try:
            return None if m is None else m.tobytes().decode("ascii")
        except UnicodeDecodeError:
            raise ResumeError("resume state: its metrics tensor is not ASCII text") from None

    def config(self):
        try:
            c = json.loads(self.meta["config"])
        except (KeyError, json.JSONDecodeError, RecursionError):
            raise ResumeError("resume state: its config is missing or not JSON") from None
        if not isinstance(c, dict):
            raise ResumeError("resume state: its config is not a JSON object")
        return c


def parse(blob, path="resume.bin"):
    if len(blob) >= 8 and blob[:7] == b"HSJOBRS":
        raise ResumeError(f"{path}: a resume state in the binary format of hopsweep before "
                          f"safetensors ({blob[:8].decode('ascii', 'replace')}); hopsweep restarts "
                          f"such a job from step 0")
    if len(blob) < 8:
        raise ResumeError(f"{path}: {len(blob)} bytes is too short for a safetensors file")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8 or n > MAX_HEADER or n % 8:
        raise ResumeError(f"{path}: not a safetensors file (header length {n} in {len(blob)} bytes)")
    try:
        header = json.loads(blob[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ResumeError(f"{path}: its safetensors header is not JSON") from None
    except RecursionError:
        raise ResumeError(f"{path}: its safetensors header is nested too deep") from None
    if not isinstance(header, dict):
        raise ResumeError(f"{path}: its safetensors header is not an object")
    meta = header.pop("__metadata__", None)
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise ResumeError(f"{path}: no __metadata__ of strings")
    if meta.get("format") != FORMAT or meta.get("version") != VERSION:
        raise ResumeError(f"{path}: not a {FORMAT} version {VERSION} file "
                          f"(format {meta.get('format')!r}, version {meta.get('version')!r})")
    d, want = checksum(blob)
    if d is None or d > 8 + n or blob[d:d + 16].decode("ascii", "replace") != f"{want:016x}":
        raise ResumeError(f"{path}: damaged (checksum mismatch)")
    data = memoryview(blob)[8 + n:]
    tensors, spans = {}, []
    for name, info in header.items():
        try:
            dt = DTYPES[info["dtype"]]
            shape = tuple(_whole(s) for s in info["shape"])
            begin, end = (_whole(o) for o in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise ResumeError(f"{path}: tensor {name!r} has a header entry hopsweep does not "
                              f"write") from None
        count = 1
        for s in shape:
            if s < 0:
                raise ResumeError(f"{path}: tensor {name!r} has a negative dimension")
            count *= s  # Python integers: no wrap-around
        if len(shape) > 3 or not 0 <= begin <= end <= len(data) or \
                end - begin != count * dt.itemsize or begin % dt.itemsize:
            raise ResumeError(f"{path}: tensor {name!r}: data_offsets [{begin}, {end}) do not "
                              f"hold shape {list(shape)}")
        spans.append((begin, end, name))
        tensors[name] = np.frombuffer(data[begin:end], dtype=dt).reshape(shape).copy()
    at = 0
    for begin, end, name in sorted(spans):
        if begin != at:
            raise ResumeError(f"{path}: tensor {name!r} leaves a gap or overlaps another")
        at = end
    if at != len(data):
        raise ResumeError(f"{path}: {len(data) - at} bytes after the last tensor")
    return Resume(meta, tensors)


MAX_FILE = 1 << 33  # what hopsweep reads of a store file at most


def read(path):
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise ResumeError(f"{path}: not a regular file")
            if st.st_size > MAX_FILE:
                raise ResumeError(f"{path}: larger than {MAX_FILE} bytes; not a resume state")
            blob = f.read(st.st_size + 1)  # one byte more shows a file still growing
    except OSError as e:
        raise ResumeError(f"{path}: cannot read: {e.strerror}") from None
    except MemoryError:
        raise ResumeError(f"{path}: out of memory reading it") from None
    if len(blob) > MAX_FILE:
        raise ResumeError(f"{path}: larger than {MAX_FILE} bytes; not a resume state")
    return parse(blob, path)


def build(meta, tensors):
    """The bytes of a resume file with these metadata strings and tensors (numpy arrays of
    float32, int32 or uint8; byte tensors go last so the others stay aligned), checksum set."""
    names = sorted(tensors, key=lambda k: tensors[k].dtype == np.uint8)
    codes = {np.dtype("<f4"): "F32", np.dtype("<i4"): "I32", np.dtype("u1"): "U8"}
    header, chunks, off = {}, [], 0
    m = {k: v for k, v in meta.items() if k != "checksum"}
    m["checksum"] = "0" * 16
    header["__metadata__"] = m
    for k in names:
        a = np.ascontiguousarray(tensors[k])
        a = a.astype(a.dtype.newbyteorder("<")) if a.dtype.itemsize > 1 else a
        raw = a.tobytes()
        header[k] = {"dtype": codes[a.dtype], "shape": list(a.shape), "data_offsets": [off, off + len(raw)]}
        chunks.append(raw)
        off += len(raw)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    blob = bytearray(struct.pack("<Q", len(text)) + text + b"".join(chunks))
    d, want = checksum(bytes(blob))
    blob[d:d + 16] = f"{want:016x}".encode("ascii")
    return bytes(blob)


def write(path, meta, tensors):
    with open(path, "wb") as f:
        f.write(build(meta, tensors))


def main(argv):
    if len(argv) != 2 or argv[1].startswith("-"):
        print("usage: read_resume.py RESUME.bin", file=sys.stderr)
        return 2
    try:
        r = read(argv[1])
    except ResumeError as e:
        print(f"read_resume.py: {e}", file=sys.stderr)
        return 2
    for k in ("config_id", "step", "level", "loss_n", "logged", "loss_sum", "lr", "final_loss",
              "final_query_acc", "adam_t", "rng", "checksum"):
        print(f"{k} {r.meta.get(k)}")
    for name, a in r.tensors.items():
        print(f"tensor {name} {a.dtype} {list(a.shape)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
