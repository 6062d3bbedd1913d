#!/usr/bin/python3
"""hs_reference.py — the hopsweep transformer in PyTorch, and a tiny safetensors reader/writer.

The reference the C model (src/train/model.c, include/hopsweep/model.h) is checked against (DESIGN §5):
the same pre-LayerNorm architecture, parametrised by a hopsweep job config, with parameters named
as DESIGN §3 names them. Used by check.py (float64, gradients compared against hopsweep's) and by
bench_torch.py (float32, timed against `hopsweep bench`).

Architecture (B examples of T positions, vocab V, width d, H heads of d_head = d/H):
    x = E_par[parent] + E_chi[child]                     E_chi has V+1 rows; row V marks the query
        (+ E_rel[rel] when task.kind is conditional: E_rel has task.relations rows, emb.rel)
    per layer:  x += Wo·attn(LN1(x)) + bo
                x += W2·gelu_tanh(W1·LN2(x) + b1) + b2    only when model.mlp > 0
    logits = Wout·LNf(x) + bout
    loss = mean cross-entropy over the supervised positions (0 when none)
LayerNorm eps 1e-5 (none at all, the final one included, when model.layernorm is false); attention
scores q·k / sqrt(d_head), q = Wq·LN1(x) + bq etc.; head h owns rows h·d_head … (h+1)·d_head−1 of
wq/wk/wv and columns h·d_head … of wo's input; causal attention lets position t see positions <= t.
Weights are stored [out][in], as torch.nn.Linear stores them.

Needs only torch (1.13 is enough) and numpy; run with /usr/bin/python3 (Debian's python3-torch).
"""
import json
import math
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

LN_EPS = 1e-5

# --------------------------------------------------------------------------------------------
# safetensors: 8-byte little-endian header length, a JSON header {name: {dtype, shape,
# data_offsets: [begin, end)}, "__metadata__": {str: str}}, then the raw little-endian data.
# --------------------------------------------------------------------------------------------

ST_DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}


class SafetensorsError(Exception):
    pass


def st_read(path):
    """Returns (tensors: dict name -> numpy array, metadata: dict str -> str or None).

    Checks the header as strictly as hopsweep's own readers check their files, so that a lying
    header is a SafetensorsError and never another exception, a wrapped size or a huge allocation:
    a header length within the file (and at most 100 MB), JSON nested at most 64 deep, each entry a
    known dtype, a shape of non-negative integers (true integers, not floats or booleans) whose
    product is computed exactly, and data offsets of exactly that many bytes; the tensors must
    tile the data area without overlap or gaps."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise SafetensorsError(f"{path}: {len(blob)} bytes, too short for a safetensors file")
    (n,) = struct.unpack("<Q", blob[:8])
    if 8 + n > len(blob) or n > 100_000_000:
        raise SafetensorsError(f"{path}: header length {n} runs past the end of the file "
                               f"({len(blob)} bytes) or past 100 MB")
    text = blob[8:8 + n]
    depth = deepest = 0
    in_string = escaped = False
    for b in text:  # JSON's own nesting, before json.loads recurses into it
        if in_string:
            escaped, in_string = (False, True) if escaped else (b == 0x5c, b != 0x22)
        elif b == 0x22:
            in_string = True
        elif b in (0x5b, 0x7b):
            depth += 1
            deepest = max(deepest, depth)
        elif b in (0x5d, 0x7d):
            depth -= 1
    if deepest > 64:
        raise SafetensorsError(f"{path}: header nested {deepest} deep (at most 64)")
    try:
        header = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise SafetensorsError(f"{path}: header is not valid JSON: {e}") from None
    if not isinstance(header, dict):
        raise SafetensorsError(f"{path}: header is not a JSON object")
    data = memoryview(blob)[8 + n:]
    meta = header.pop("__metadata__", None)
    if meta is not None and (not isinstance(meta, dict)
                             or not all(isinstance(v, str) for v in meta.values())):
        raise SafetensorsError(f"{path}: __metadata__ must map strings to strings")
    entries = []
    for name, info in header.items():
        if not isinstance(info, dict) or not isinstance(info.get("dtype"), str) \
                or info["dtype"] not in ST_DTYPES:
            raise SafetensorsError(f"{path}: tensor {name!r}: bad header entry (dtype)")
        shape, offsets = info.get("shape"), info.get("data_offsets")

        def whole(v):
            return isinstance(v, int) and not isinstance(v, bool) and v >= 0
        if not isinstance(shape, list) or not all(whole(d) for d in shape):
            raise SafetensorsError(f"{path}: tensor {name!r}: shape must be a list of integers "
                                   f">= 0, not {shape!r}")
        if not isinstance(offsets, list) or len(offsets) != 2 or not all(whole(o) for o in offsets):
            raise SafetensorsError(f"{path}: tensor {name!r}: data_offsets must be two integers "
                                   f">= 0, not {offsets!r}")
        dtype = ST_DTYPES[info["dtype"]]
        count = 1
        for d in shape:  # Python integers: exact, no wrap-around as in an int64 product
            count *= d
        begin, end = offsets
        if not begin <= end <= len(data) or end - begin != count * dtype.itemsize:
            raise SafetensorsError(f"{path}: tensor {name!r}: data_offsets [{begin}, {end}) do "
                                   f"not fit shape {list(shape)} of {info['dtype']} in "
                                   f"{len(data)} data bytes")
        entries.append((begin, end, name, dtype, tuple(shape)))
    at = 0
    for begin, end, name, _, _ in sorted(entries):
        if begin != at:
            raise SafetensorsError(f"{path}: tensor {name!r} at byte {begin} "
                                   f"{'overlaps the one before' if begin < at else 'leaves a gap'}"
                                   f" (expected {at})")
        at = end
    if at != len(data):
        raise SafetensorsError(f"{path}: {len(data) - at} data bytes after the last tensor")
    out = {}
    for begin, end, name, dtype, shape in entries:
        out[name] = np.frombuffer(data[begin:end], dtype=dtype).reshape(shape).copy()
    return out, meta


def st_write(path, tensors, metadata=None):
    """tensors: dict name -> numpy array (F64/F32/I32/... by its dtype); metadata: dict str->str."""
    names = {v: k for k, v in ST_DTYPES.items()}
    header, chunks, off = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        dt = arr.dtype.newbyteorder("<") if arr.dtype.itemsize > 1 else arr.dtype
        if dt not in names:
            raise SafetensorsError(f"tensor {name!r}: dtype {arr.dtype} has no safetensors name")
        raw = arr.astype(dt, copy=False).tobytes()
        header[name] = {"dtype": names[dt], "shape": list(arr.shape),
                        "data_offsets": [off, off + len(raw)]}
        chunks.append(raw)
        off += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-(8 + len(text)) % 8)  # align the data to 8 bytes, as the format suggests
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


# --------------------------------------------------------------------------------------------
# Config
# --------------------------------------------------------------------------------------------

class RefConfig:
    """The model-relevant part of a hopsweep job config."""

    def __init__(self, vocab, layers, heads, d_model, mlp=4, layernorm=True, causal=False,
                 relations=0, positions=0, identity_readout=False):
        self.vocab, self.layers, self.heads, self.d_model = int(vocab), int(layers), int(heads), \
            int(d_model)
        self.mlp, self.layernorm, self.causal = int(mlp), bool(layernorm), bool(causal)
        self.relations = int(relations)  # rows of emb.rel; 0 = plain retrieval, no such table
        self.positions = int(positions)  # rows of emb.pos (T, model.positions=learned); 0 = none
        self.identity_readout = bool(identity_readout)  # logits = the final LN's d outputs
        self.n_out = self.d_model if self.identity_readout else self.vocab
        if self.d_model % self.heads:
            raise ValueError(f"model.heads={heads} does not divide model.d_model={d_model}")

    @staticmethod
    def from_job(cfg):
        """cfg: the job config as a dict ({"task": {...}, "model": {...}, ...}) or its JSON."""
        if isinstance(cfg, (str, bytes)):
            cfg = json.loads(cfg)
        task, model = cfg["task"], cfg["model"]

        def as_bool(v):
            if isinstance(v, str):
                return v.strip().lower() in ("true", "1", "yes", "on")
            return bool(v)

        att = model.get("attention", "bidirectional")
        if isinstance(att, str):
            att = att.strip().lower()
            if att not in ("bidirectional", "causal"):
                raise ValueError(f"model.attention={att!r}: expected bidirectional or causal")
            causal = att == "causal"
        else:  # an enum index: 0 bidirectional, 1 causal
            causal = int(att) == 1
        kind = str(task.get("kind", "retrieval")).strip().lower()
        conditional = kind == "conditional"
        if kind == "hopk":
            T = int(task.get("length", 98)) + 1
        else:
            T = (int(task.get("relations", 2)) if conditional else 1) * int(task["chains"]) * \
                int(task["hops"]) + 1
        learned = str(model.get("positions", "none")).strip().lower() == "learned"
        # model.dropout acts in training passes only: the reference is an evaluation pass
        return RefConfig(vocab=task["vocab"], layers=model["layers"], heads=model["heads"],
                         d_model=model["d_model"], mlp=model.get("mlp", 4),
                         layernorm=as_bool(model.get("layernorm", True)), causal=causal,
                         relations=int(task.get("relations", 2)) if conditional else 0,
                         positions=T if learned else 0,
                         identity_readout=str(model.get("readout", "linear")).strip().lower()
                         == "identity")

    def __repr__(self):
        return (f"RefConfig(vocab={self.vocab}, layers={self.layers}, heads={self.heads}, "
                f"d_model={self.d_model}, mlp={self.mlp}, layernorm={self.layernorm}, "
                f"causal={self.causal}, relations={self.relations}, positions={self.positions}, "
                f"identity_readout={self.identity_readout})")


def param_shapes(rc):
    """Every parameter tensor of DESIGN §3 in hopsweep's order: list of (name, shape)."""
    V, d, h = rc.vocab, rc.d_model, rc.mlp * rc.d_model
    out = [("emb.par", (V, d)), ("emb.chi", (V + 1, d))]
    if rc.relations:
        out.append(("emb.rel", (rc.relations, d)))
    if rc.positions:
        out.append(("emb.pos", (rc.positions, d)))
    for l in range(rc.layers):
        p = f"blocks.{l}."
        if rc.layernorm:
            out += [(p + "ln1.w", (d,)), (p + "ln1.b", (d,))]
        out += [(p + "attn.wq", (d, d)), (p + "attn.wk", (d, d)), (p + "attn.wv", (d, d)),
                (p + "attn.wo", (d, d)),
                (p + "attn.bq", (d,)), (p + "attn.bk", (d,)), (p + "attn.bv", (d,)),
                (p + "attn.bo", (d,))]
        if rc.mlp > 0:
            if rc.layernorm:
                out += [(p + "ln2.w", (d,)), (p + "ln2.b", (d,))]
            out += [(p + "mlp.w1", (h, d)), (p + "mlp.b1", (h,)),
                    (p + "mlp.w2", (d, h)), (p + "mlp.b2", (d,))]
    if rc.layernorm:
        out += [("lnf.w", (d,)), ("lnf.b", (d,))]
    if not rc.identity_readout:
        out += [("out.w", (V, d)), ("out.b", (V,))]
    return out


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------

class Block(nn.Module):
    def __init__(self, rc):
        super().__init__()
        d = rc.d_model
        self.heads, self.causal = rc.heads, rc.causal
        self.ln1 = nn.LayerNorm(d, eps=LN_EPS) if rc.layernorm else None
        self.qkv = nn.Linear(d, 3 * d)  # rows 0..d-1 = wq, d..2d-1 = wk, 2d..3d-1 = wv
        self.proj = nn.Linear(d, d)     # wo, bo
        if rc.mlp > 0:
            self.ln2 = nn.LayerNorm(d, eps=LN_EPS) if rc.layernorm else None
            self.fc1 = nn.Linear(d, rc.mlp * d)
            self.fc2 = nn.Linear(rc.mlp * d, d)
        else:
            self.ln2 = self.fc1 = self.fc2 = None

    def attention(self, x):
        B, T, d = x.shape
        H = self.heads
        dh = d // H
        qkv = self.qkv(x).view(B, T, 3, H, dh)
        q = qkv[:, :, 0].transpose(1, 2)  # [B][H][T][dh]
        k = qkv[:, :, 1].transpose(1, 2)
        v = qkv[:, :, 2].transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(dh))  # [B][H][T][T]
        if self.causal:
            future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
            scores = scores.masked_fill(future, float("-inf"))
        att = torch.softmax(scores, dim=-1)
        y = torch.matmul(att, v).transpose(1, 2).reshape(B, T, d)  # heads concatenated
        return self.proj(y), att

    def forward(self, x):
        a, att = self.attention(self.ln1(x) if self.ln1 is not None else x)
        x = x + a
        if self.fc1 is not None:
            hdn = self.ln2(x) if self.ln2 is not None else x
            x = x + self.fc2(F.gelu(self.fc1(hdn), approximate="tanh"))
        return x, att


class HsTransformer(nn.Module):
    def __init__(self, rc):
        super().__init__()
        self.rc = rc
        V, d = rc.vocab, rc.d_model
        self.emb_par = nn.Embedding(V, d)
        self.emb_chi = nn.Embedding(V + 1, d)
        self.emb_rel = nn.Embedding(rc.relations, d) if rc.relations else None
        self.emb_pos = nn.Embedding(rc.positions, d) if rc.positions else None
        self.blocks = nn.ModuleList(Block(rc) for _ in range(rc.layers))
        self.lnf = nn.LayerNorm(d, eps=LN_EPS) if rc.layernorm else None
        self.out = None if rc.identity_readout else nn.Linear(d, V)

    def forward(self, parent, child, rel=None, keep_attention=False):
        """parent, child (and rel with relations): int64 [B][T]. Returns logits [B][T][V] (and
        per-layer attention)."""
        x = self.emb_par(parent) + self.emb_chi(child)
        if self.emb_rel is not None:
            x = x + self.emb_rel(rel)
        if self.emb_pos is not None:
            x = x + self.emb_pos.weight[: parent.shape[1]]
        atts = []
        for blk in self.blocks:
            x, att = blk(x)
            atts.append(att)
        if self.lnf is not None:
            x = self.lnf(x)
        logits = x if self.out is None else self.out(x)
        return (logits, atts) if keep_attention else logits

    # ---- DESIGN §3 names <-> this module's tensors ----

    def named_views(self, grad=False):
        """Dict name -> tensor view (of .grad when grad=True), names and order as DESIGN §3."""
        def t(p):
            return p.grad if grad else p.data

        d = self.rc.d_model
        out = {"emb.par": t(self.emb_par.weight), "emb.chi": t(self.emb_chi.weight)}
        if self.emb_rel is not None:
            out["emb.rel"] = t(self.emb_rel.weight)
        if self.emb_pos is not None:
            out["emb.pos"] = t(self.emb_pos.weight)
        for l, blk in enumerate(self.blocks):
            p = f"blocks.{l}."
            if blk.ln1 is not None:
                out[p + "ln1.w"], out[p + "ln1.b"] = t(blk.ln1.weight), t(blk.ln1.bias)
            w, b = t(blk.qkv.weight), t(blk.qkv.bias)
            out[p + "attn.wq"], out[p + "attn.wk"], out[p + "attn.wv"] = w[:d], w[d:2 * d], w[2 * d:]
            out[p + "attn.wo"] = t(blk.proj.weight)
            out[p + "attn.bq"], out[p + "attn.bk"], out[p + "attn.bv"] = b[:d], b[d:2 * d], b[2 * d:]
            out[p + "attn.bo"] = t(blk.proj.bias)
            if blk.fc1 is not None:
                if blk.ln2 is not None:
                    out[p + "ln2.w"], out[p + "ln2.b"] = t(blk.ln2.weight), t(blk.ln2.bias)
                out[p + "mlp.w1"], out[p + "mlp.b1"] = t(blk.fc1.weight), t(blk.fc1.bias)
                out[p + "mlp.w2"], out[p + "mlp.b2"] = t(blk.fc2.weight), t(blk.fc2.bias)
        if self.lnf is not None:
            out["lnf.w"], out["lnf.b"] = t(self.lnf.weight), t(self.lnf.bias)
        if self.out is not None:
            out["out.w"], out["out.b"] = t(self.out.weight), t(self.out.bias)
        return out

    @torch.no_grad()
    def load_named(self, tensors):
        """Copies every DESIGN §3 tensor from a dict of arrays; the names must match exactly."""
        views = self.named_views()
        missing = [n for n in views if n not in tensors]
        extra = [n for n in tensors if n not in views]
        if missing or extra:
            raise KeyError(f"parameter names differ from {self.rc}: missing {missing}, "
                           f"unexpected {extra}")
        for name, view in views.items():
            src = torch.as_tensor(np.asarray(tensors[name]))
            if tuple(src.shape) != tuple(view.shape):
                raise ValueError(f"{name}: shape {list(src.shape)}, expected {list(view.shape)}")
            view.copy_(src.to(view.dtype))


def masked_loss(logits, target, supervised):
    """Mean cross-entropy over the supervised positions; 0 when none is supervised."""
    V = logits.shape[-1]
    mask = supervised.reshape(-1) != 0
    if not bool(mask.any()):
        return logits.sum() * 0.0
    return F.cross_entropy(logits.reshape(-1, V)[mask], target.reshape(-1)[mask].long())


def gelu_tanh(x):
    """GELU, tanh form (what F.gelu(approximate="tanh") computes), for the record."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
