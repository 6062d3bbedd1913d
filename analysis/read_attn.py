#!/usr/bin/python3
"""read_attn.py - reads a hopsweep attention log (jobs/<id>/attn.zst) with numpy and zstandard.

The log is a sequence of independent zstd frames, one per logged training step, each holding one
self-describing record; the byte layout is in docs/attention-log.md. Needs numpy and zstandard
(Debian: python3-numpy, python3-zstandard).

As a module:

    import read_attn
    for f in read_attn.read_log("jobs/0123456789abcdef/attn.zst"):
        f.step     # training step
        f.chain    # int32 [examples][T]: chain id of each position (0 = the asked chain)
        f.index    # int32 [examples][T]: chain index of each position (the query: hops + 1)
        f.weights  # float32 [layers][heads][examples][T][T], row = attending position
        f.dtype    # 'f32', 'f16' or 'u8': how the weights were stored

    order = read_attn.chain_order(f.chain[0], f.index[0])   # positions sorted along chains
    m = f.weights[1, 0, 0][np.ix_(order, order)]             # layer 2, head 0, example 0

As a command:

    /usr/bin/python3 analysis/read_attn.py LOG [--step S] [--npz OUT.npz]

prints one line per frame; with --step, also the argmax of every row of each head of that step;
--npz saves that step's chain, index and weights.

Like hopsweep's own reader, it verifies the magic, every size and zstd's checksum; a damaged last
frame is skipped with a warning (ReadWarning), damage before it raises LogError naming the byte
offset.
"""
import argparse
import os
import stat
import struct
import sys
import warnings
from typing import Callable, Iterator, NamedTuple, Optional

import numpy as np
import zstandard

MAGIC = b"HSATTN1\0"
VERSION = 1
# magic, version, step, layers, heads, examples, T, dtype, reserved: 40 bytes, little-endian
HEADER = struct.Struct("<8sIiIIIIII")
DTYPES = {0: ("f32", np.dtype("<f4")), 1: ("f16", np.dtype("<f2")), 2: ("u8", np.dtype("u1"))}
MAX_WEIGHTS = 1 << 28  # the most weights one frame may hold, as hopsweep's writer enforces
MAX_WINDOW = 16 << 20  # the largest zstd window either reader accepts (docs/attention-log.md)
MAX_FILE = 1 << 31  # the largest log either reader reads
# Compressed bytes given to zstd at a time: a zstd block of at most 128 KiB takes at least 3
# bytes, so what one call can return stays near 11 MB whatever the frame declares.
CHUNK = 256
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class LogError(ValueError):
    """The log is damaged before its last frame, or is not an attention log at all."""


class ReadWarning(UserWarning):
    """A damaged last frame (or trailing junk) was skipped."""


class Frame(NamedTuple):
    step: int
    chain: Optional[np.ndarray]  # int32 [examples][T] (None when read with weights=False)
    index: Optional[np.ndarray]  # int32 [examples][T] (None likewise)
    weights: Optional[np.ndarray]  # float32 [layers][heads][examples][T][T] (None likewise)
    dtype: str
    offset: int  # byte offset of the frame in the file
    size: int  # compressed bytes
    shape: tuple = ()  # (layers, heads, examples, T)


def parse_header(rec: bytes, content_size: int) -> tuple:
    """Checks a record's header against the frame's content size; returns (step, L, H, E, T,
    dtype code)."""
    if len(rec) < HEADER.size:
        raise ValueError("a record shorter than its header")
    magic, version, step, L, H, E, T, dt, reserved = HEADER.unpack_from(rec)
    if magic != MAGIC:
        raise ValueError("a zstd frame that is not an attention record")
    if version != VERSION:
        raise ValueError(f"a record of version {version} (this reader knows {VERSION})")
    if step < 0 or dt not in DTYPES or reserved != 0:
        raise ValueError(f"a record with a bad header (step {step}, dtype {dt}, "
                         f"reserved {reserved})")
    n = L * H * E * T * T
    if min(L, H, E, T) < 1 or n > MAX_WEIGHTS:
        raise ValueError(f"a record of shape {L}x{H}x{E}x{T} "
                         f"(empty or above {MAX_WEIGHTS} weights)")
    want = HEADER.size + 8 * E * T + n * DTYPES[dt][1].itemsize
    if want != content_size:
        raise ValueError(f"a record whose header implies {want} bytes but which holds "
                         f"{content_size}")
    return step, L, H, E, T, dt


def parse_record(rec: bytes) -> tuple:
    """Checks one decompressed record; returns (step, chain, index, weights, dtype name)."""
    step, L, H, E, T, dt = parse_header(rec, len(rec))
    name, raw = DTYPES[dt]
    n = L * H * E * T * T
    off = HEADER.size
    chain = np.frombuffer(rec, "<i4", E * T, off).reshape(E, T).astype(np.int32)
    index = np.frombuffer(rec, "<i4", E * T, off + 4 * E * T).reshape(E, T).astype(np.int32)
    w = np.frombuffer(rec, raw, n, off + 8 * E * T).reshape(L, H, E, T, T)
    # u8 is round(w*255): read back as the float32 nearest q/255, as hopsweep does
    weights = w.astype(np.float32) / np.float32(255) if name == "u8" else w.astype(np.float32)
    return step, chain, index, weights, name


def _frame_after(data: memoryview, start: int) -> bool:
    """Whether a zstd frame header starts somewhere after `start` (so damage is not the tail)."""
    raw = data.obj if isinstance(data.obj, bytes) else bytes(data)
    i = raw.find(ZSTD_MAGIC, start)
    while i >= 0:
        try:
            zstandard.get_frame_parameters(data[i:i + 18])
            return True
        except zstandard.ZstdError:
            i = raw.find(ZSTD_MAGIC, i + 1)
    return False


def _decode_frame(data: memoryview, off: int, keep: bool = True) -> tuple:
    """Decodes the frame at off, verifying its checksum; returns (record, compressed size,
    content size), the record only its header unless keep. Memory stays bounded by what the record holds (keep) or
    by CHUNK (not): zstd gets a few compressed bytes at a time. Raises ValueError."""
    try:
        p = zstandard.get_frame_parameters(data[off:off + 18])
    except zstandard.ZstdError as e:
        raise ValueError(f"not a zstd frame ({e})") from None
    if p.content_size in (-1, zstandard.CONTENTSIZE_UNKNOWN, zstandard.CONTENTSIZE_ERROR):
        raise ValueError("a zstd frame without its content size")
    if not p.has_checksum:
        raise ValueError("a zstd frame without a checksum")
    if p.window_size > MAX_WINDOW:
        raise ValueError(f"a zstd frame whose window is {p.window_size} bytes, more than "
                         f"{MAX_WINDOW}")
    if p.content_size > HEADER.size + 12 * MAX_WEIGHTS:
        raise ValueError(f"a zstd frame of {p.content_size} bytes, more than any record")
    d = zstandard.ZstdDecompressor(max_window_size=MAX_WINDOW).decompressobj()
    parts, head, total, pos = [], b"", 0, off
    try:
        while not d.eof and pos < len(data):
            piece = d.decompress(data[pos:pos + CHUNK])
            pos += min(CHUNK, len(data) - pos)
            total += len(piece)
            if total > p.content_size:
                raise ValueError("a frame whose content differs from its declared size")
            if keep:
                parts.append(piece)
            elif len(head) < HEADER.size:
                head += piece[:HEADER.size - len(head)]
                if len(head) == HEADER.size:
                    parse_header(head, p.content_size)  # a bad header ends the work early
    except zstandard.ZstdError as e:
        raise ValueError(f"a broken zstd frame ({e})") from None
    if not d.eof:
        raise ValueError("a zstd frame cut short")
    if total != p.content_size:
        raise ValueError("a frame whose content differs from its declared size")
    return (b"".join(parts) if keep else head), pos - off - len(d.unused_data), total


def read_bytes(data: bytes, name: str = "log",
               on_notice: Optional[Callable[[str], None]] = None,
               weights: bool = True) -> Iterator[Frame]:
    """Yields the frames of a log held in memory, checking each one; see the module doc.
    weights=False verifies every frame the same way but keeps only its header (chain, index
    and weights are None): listing a log then needs no more memory than a frame's header."""
    view = memoryview(data)
    off, first, last_step = 0, None, None
    while off < len(view):
        size = 0
        try:
            rec, size, content_size = _decode_frame(view, off, weights)
            if weights:
                step, chain, index, w, dt = parse_record(rec)
                shape = w.shape[:4]
            else:
                step, L, H, E, T, code = parse_header(rec, content_size)
                chain = index = w = None
                dt, shape = DTYPES[code][0], (L, H, E, T)
        except ValueError as e:
            later = (size and off + size < len(view)) or (not size and _frame_after(view, off + 1))
            if later or first is None:
                damaged = first is not None or later
                what = "the log is damaged" if damaged else "not an attention log"
                where = f"at byte {off}" + (", before the last frame" if later else "")
                raise LogError(f"{name}: bad frame {where}: {e}; {what}") from None
            msg = f"{name}: skipped the last {len(view) - off} bytes (from byte {off}): {e}"
            (on_notice or (lambda m: warnings.warn(m, ReadWarning, stacklevel=3)))(msg)
            return
        key = (shape, dt)
        if first is not None and key != first:
            raise LogError(f"{name}: frame at byte {off} has shape {key}, "
                           f"the first {first}; not one log")
        if last_step is not None and step <= last_step:
            raise LogError(f"{name}: frame at byte {off} logs step {step} "
                           f"after step {last_step}; not one log")
        first, last_step = key, step
        yield Frame(step, chain, index, w, dt, off, size, tuple(shape))
        off += size


def read_log(path: str, on_notice: Optional[Callable[[str], None]] = None,
             weights: bool = True) -> Iterator[Frame]:
    """Yields the frames of the log at path (read whole: logs are megabytes; at most 2 GiB, a
    regular file)."""
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise LogError(f"{path}: not a regular file; give a jobs/<id>/attn.zst")
        if st.st_size > MAX_FILE:
            raise LogError(f"{path}: larger than {MAX_FILE} bytes; not an attention log")
        data = f.read(st.st_size + 1)  # one byte more shows a file still growing
    if len(data) > MAX_FILE:
        raise LogError(f"{path}: larger than {MAX_FILE} bytes; not an attention log")
    yield from read_bytes(data, path, on_notice, weights)


def chain_order(chain: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Positions of one example sorted by (chain id, chain index), ties kept in input order."""
    return np.lexsort((np.arange(len(chain)), index, chain))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Read a hopsweep attention log (attn.zst).")
    ap.add_argument("log")
    ap.add_argument("--step", type=int, help="show the argmax of every row of this step's heads")
    ap.add_argument("--npz", help="save the step's chain, index and weights (needs --step)")
    a = ap.parse_args(argv)
    if a.npz and a.step is None:
        ap.error("--npz needs --step")
    found = None
    try:
        for f in read_log(a.log, on_notice=lambda m: print(f"warning: {m}", file=sys.stderr),
                          weights=False):
            L, H, E, T = f.shape
            print(f"step {f.step}  layers {L}  heads {H}  examples {E}  T {T}  dtype {f.dtype}  "
                  f"bytes {f.size}  offset {f.offset}")
            if f.step == a.step:
                found = f
        if found is not None:  # only the frame asked for is decoded whole
            with open(a.log, "rb") as fh:
                fh.seek(found.offset)
                rec, _, _ = _decode_frame(memoryview(fh.read(found.size)), 0)
            step, chain, index, w, dt = parse_record(rec)
            found = Frame(step, chain, index, w, dt, found.offset, found.size, found.shape)
    except (OSError, LogError, ValueError, MemoryError) as e:
        print(f"read_attn: {e}", file=sys.stderr)
        return 2
    if a.step is None:
        return 0
    if found is None:
        print(f"read_attn: step {a.step} is not in {a.log}", file=sys.stderr)
        return 2
    order = chain_order(found.chain[0], found.index[0])
    labels = [f"c{c}i{i}" for c, i in zip(found.chain[0][order], found.index[0][order])]
    for l in range(found.weights.shape[0]):
        for h in range(found.weights.shape[1]):
            m = found.weights[l, h, 0][np.ix_(order, order)]
            targets = " ".join(f"{labels[r]}>{labels[c]}" for r, c in enumerate(m.argmax(axis=1)))
            print(f"layer {l + 1} head {h}, example 0: {targets}")
    if a.npz:
        np.savez(a.npz, step=found.step, chain=found.chain, index=found.index,
                 weights=found.weights)
    return 0


if __name__ == "__main__":
    sys.exit(main())
