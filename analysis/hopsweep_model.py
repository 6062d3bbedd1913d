#!/usr/bin/python3
"""hopsweep_model.py — a model trained by hopsweep, in PyTorch, to poke at.

Loads a model.safetensors that hopsweep wrote (`hopsweep train ... log.checkpoint=true --out DIR`,
or a sweep's jobs/<id>/model.safetensors) into a torch module of the same architecture (DESIGN §3:
pre-LayerNorm transformer, every linear map with a bias, LayerNorm eps 1e-5, GELU in its tanh
form, attention scaled by 1/sqrt(d_head), head h owning rows h*d_head .. (h+1)*d_head-1 of
wq/wk/wv), samples the retrieval task of DESIGN §1.1 from the job config kept in the file's
metadata, runs it with a cache of every head's attention pattern and every residual stream (as
TransformerLens's run_with_cache does), and ablates heads.

    import hopsweep_model as hm
    model = hm.load("results/smoke/jobs/<id>/model.safetensors")
    batch = hm.sample(model.config, 512, seed=0)
    logits, cache = model.run_with_cache(batch["parent"], batch["child"])
    cache["attn.0"]          # [B][H][T][T] layer 1's attention (rows attend to columns)
    cache["resid_pre.1"]     # [B][T][d] the residual stream entering layer 2
    hm.query_accuracy(model, batch)                        # e.g. 0.99
    hm.query_accuracy(model, batch, ablate=[(1, 0)])       # with head 0 of layer 1 zeroed

Layers are counted from 1 in `ablate` and in role names ("L1:-1"), as in the paper; the cache's
keys count them from 0, as the tensor names do. The sampler is a correct sampler of the task, not
hopsweep's random stream: the same seed gives other examples than hopsweep draws.

Command line: hopsweep_model.py MODEL.safetensors [--examples N] prints the config and the
query accuracy of each head's ablation. Needs numpy and torch (Debian's python3-torch, run with
/usr/bin/python3). Bad input (not a safetensors file, a config or tensor it does not know) raises
HopsweepModelError with one line; the command prints it and exits 2.
"""
import json
import math
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

LN_EPS = 1e-5
CURRICULA = ("none", "implicit", "mixed", "explicit")


class HopsweepModelError(Exception):
    """Bad input: the message is one line naming the file and what to do."""


# ------------------------------------------------------------------------------------------------
# safetensors: u64 little-endian header size, JSON header, then little-endian tensor data
# ------------------------------------------------------------------------------------------------

def read_safetensors(path):
    """Returns ({name: float32/int32 numpy array}, metadata dict)."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError as e:
        raise HopsweepModelError(f"{path}: cannot read: {e.strerror}") from None
    if len(blob) < 8:
        raise HopsweepModelError(f"{path}: {len(blob)} bytes is too short for a safetensors file")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8:
        raise HopsweepModelError(f"{path}: not a safetensors file (header size {n} exceeds the "
                                 f"file's {len(blob)} bytes)")
    try:
        header = json.loads(blob[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise HopsweepModelError(f"{path}: not a safetensors file (its header is not JSON)") \
            from None
    if not isinstance(header, dict):
        raise HopsweepModelError(f"{path}: not a safetensors file (its header is not an object)")
    meta = header.pop("__metadata__", None) or {}
    data = memoryview(blob)[8 + n:]
    dtypes = {"F32": np.dtype("<f4"), "I32": np.dtype("<i4"), "F64": np.dtype("<f8")}
    out = {}
    for name, info in header.items():
        try:
            dt = dtypes[info["dtype"]]
            shape = tuple(int(s) for s in info["shape"])
            begin, end = (int(o) for o in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise HopsweepModelError(f"{path}: tensor {name!r} has a header entry hopsweep does "
                                     f"not write ({info!r})") from None
        count = int(np.prod(shape)) if shape else 1
        if not 0 <= begin <= end <= len(data) or end - begin != count * dt.itemsize:
            raise HopsweepModelError(f"{path}: tensor {name!r}: data_offsets [{begin}, {end}) do "
                                     f"not hold shape {list(shape)}; the file is damaged")
        out[name] = np.frombuffer(data[begin:end], dtype=dt).reshape(shape).copy()
    return out, meta


# ------------------------------------------------------------------------------------------------
# The job config (the parts the model and the sampler use)
# ------------------------------------------------------------------------------------------------

class Config:
    """task.{hops, chains, vocab, curriculum, kind, relations, length} and model.{layers, heads,
    d_model, mlp, layernorm, attention, positions, readout} of a hopsweep job config
    (model.dropout acts only in training, so a loaded model never drops)."""

    def __init__(self, cfg, where="config"):
        if isinstance(cfg, (str, bytes)):
            try:
                cfg = json.loads(cfg)
            except json.JSONDecodeError:
                raise HopsweepModelError(f"{where}: the job config is not JSON") from None
        try:
            task, model = cfg["task"], cfg["model"]
            self.hops, self.chains, self.vocab = int(task["hops"]), int(task["chains"]), \
                int(task["vocab"])
            self.curriculum = str(task.get("curriculum", "implicit"))
            self.kind = str(task.get("kind", "retrieval"))
            self.relations = int(task.get("relations", 2)) if self.kind == "conditional" else 0
            self.layers, self.heads = int(model["layers"]), int(model["heads"])
            self.d_model, self.mlp = int(model["d_model"]), int(model.get("mlp", 4))
            ln = model.get("layernorm", True)
            self.layernorm = ln if isinstance(ln, bool) else str(ln).lower() in ("true", "1")
            self.attention = str(model.get("attention", "bidirectional"))
            self.length = int(task.get("length", 98))
            self.positions = str(model.get("positions", "none"))
            self.readout = str(model.get("readout", "linear"))
        except (KeyError, TypeError, ValueError) as e:
            raise HopsweepModelError(f"{where}: not a hopsweep job config (missing or bad {e})") \
                from None
        if self.curriculum not in CURRICULA:
            raise HopsweepModelError(f"{where}: task.curriculum={self.curriculum!r} is not one "
                                     f"this reader knows ({', '.join(CURRICULA)})")
        if self.kind not in ("retrieval", "conditional", "hopk"):
            raise HopsweepModelError(f"{where}: task.kind={self.kind!r} is not one this reader "
                                     f"knows (retrieval, conditional, hopk)")
        if self.positions not in ("none", "learned") or self.readout not in ("linear",
                                                                             "identity"):
            raise HopsweepModelError(f"{where}: model.positions={self.positions!r} or "
                                     f"model.readout={self.readout!r} is not one this reader "
                                     f"knows (none|learned, linear|identity)")
        if self.attention not in ("bidirectional", "causal"):
            raise HopsweepModelError(f"{where}: model.attention={self.attention!r} is not one "
                                     f"this reader knows (bidirectional, causal)")
        if self.heads < 1 or self.d_model % self.heads:
            raise HopsweepModelError(f"{where}: model.heads={self.heads} does not divide "
                                     f"model.d_model={self.d_model}")
        self.raw = cfg

    @property
    def seq_len(self):
        if self.kind == "hopk":
            return self.length + 1
        return max(self.relations, 1) * self.chains * self.hops + 1


# ------------------------------------------------------------------------------------------------
# The model
# ------------------------------------------------------------------------------------------------

class HookedHopsweep(nn.Module):
    """hopsweep's transformer with its parameters under DESIGN §3's names (self.p[name])."""

    def __init__(self, config):
        super().__init__()
        self.config = c = config
        V, d, h = c.vocab, c.d_model, c.mlp * c.d_model
        shapes = {"emb.par": (V, d), "emb.chi": (V + 1, d)}
        if c.relations:
            shapes["emb.rel"] = (c.relations, d)
        if c.positions == "learned":
            shapes["emb.pos"] = (c.seq_len, d)
        for l in range(c.layers):
            b = f"blocks.{l}."
            if c.layernorm:
                shapes.update({b + "ln1.w": (d,), b + "ln1.b": (d,)})
            for m in ("q", "k", "v", "o"):
                shapes[b + f"attn.w{m}"] = (d, d)
                shapes[b + f"attn.b{m}"] = (d,)
            if c.mlp > 0:
                if c.layernorm:
                    shapes.update({b + "ln2.w": (d,), b + "ln2.b": (d,)})
                shapes.update({b + "mlp.w1": (h, d), b + "mlp.b1": (h,), b + "mlp.w2": (d, h),
                               b + "mlp.b2": (d,)})
        if c.layernorm:
            shapes.update({"lnf.w": (d,), "lnf.b": (d,)})
        if c.readout == "linear":
            shapes.update({"out.w": (V, d), "out.b": (V,)})
        self.shapes = shapes
        self.p = nn.ParameterDict({k.replace(".", "__"): nn.Parameter(torch.zeros(s))
                                   for k, s in shapes.items()})

    def param(self, name):
        return self.p[name.replace(".", "__")]

    @torch.no_grad()
    def load_tensors(self, tensors, where="model"):
        missing = [n for n in self.shapes if n not in tensors]
        extra = [n for n in tensors if n not in self.shapes]
        if missing or extra:
            raise HopsweepModelError(f"{where}: tensors differ from what its config describes "
                                     f"(missing {missing[:4]}, unexpected {extra[:4]})")
        for name, shape in self.shapes.items():
            if tuple(tensors[name].shape) != shape:
                raise HopsweepModelError(f"{where}: tensor {name} has shape "
                                         f"{list(tensors[name].shape)}, its config says "
                                         f"{list(shape)}")
            self.param(name).copy_(torch.as_tensor(tensors[name], dtype=torch.float32))

    def _ln(self, x, prefix):
        if not self.config.layernorm:
            return x
        return F.layer_norm(x, x.shape[-1:], self.param(prefix + ".w"), self.param(prefix + ".b"),
                            LN_EPS)

    def run_with_cache(self, parent, child, rel=None, ablate=()):
        """parent, child (rel for conditional tasks): int [B][T]. ablate: (layer from 1, head)
        pairs whose output is zeroed. Returns (logits [B][T][V], cache): resid_pre.l,
        attn.l [B][H][T][T], attn_out.l, resid_mid.l, mlp_out.l, resid_post.l (l from 0), and
        resid_final (after the final LayerNorm)."""
        c, cache = self.config, {}
        parent, child = torch.as_tensor(parent).long(), torch.as_tensor(child).long()
        x = F.embedding(parent, self.param("emb.par")) + F.embedding(child, self.param("emb.chi"))
        if c.relations:
            if rel is None:
                raise HopsweepModelError("this model's task is conditional: give rel as well")
            x = x + F.embedding(torch.as_tensor(rel).long(), self.param("emb.rel"))
        B, T, d = x.shape
        if c.positions == "learned":
            x = x + self.param("emb.pos")[:T]
        H, dh = c.heads, d // c.heads
        off = {(int(l), int(h)) for l, h in ablate}
        for l in range(c.layers):
            b = f"blocks.{l}."
            cache[f"resid_pre.{l}"] = x
            a = self._ln(x, b + "ln1")

            def proj(m):
                y = F.linear(a, self.param(b + f"attn.w{m}"), self.param(b + f"attn.b{m}"))
                return y.view(B, T, H, dh).transpose(1, 2)  # [B][H][T][dh]

            q, k, v = proj("q"), proj("k"), proj("v")
            scores = q @ k.transpose(-2, -1) / math.sqrt(dh)
            if c.attention == "causal":
                scores = scores.masked_fill(
                    torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
            att = torch.softmax(scores, dim=-1)
            cache[f"attn.{l}"] = att
            z = att @ v  # [B][H][T][dh]
            for (lo, ho) in off:
                if lo == l + 1:
                    if not 0 <= ho < H:
                        raise HopsweepModelError(f"ablate: layer {lo} has heads 0..{H - 1}")
                    z = z.clone()
                    z[:, ho] = 0
            y = F.linear(z.transpose(1, 2).reshape(B, T, d), self.param(b + "attn.wo"),
                         self.param(b + "attn.bo"))
            cache[f"attn_out.{l}"] = y
            x = x + y
            cache[f"resid_mid.{l}"] = x
            if c.mlp > 0:
                hdn = self._ln(x, b + "ln2")
                m = F.linear(F.gelu(F.linear(hdn, self.param(b + "mlp.w1"),
                                             self.param(b + "mlp.b1")), approximate="tanh"),
                             self.param(b + "mlp.w2"), self.param(b + "mlp.b2"))
                cache[f"mlp_out.{l}"] = m
                x = x + m
            cache[f"resid_post.{l}"] = x
        for (lo, _) in off:
            if not 1 <= lo <= c.layers:
                raise HopsweepModelError(f"ablate: layers are counted from 1 to {c.layers}")
        x = self._ln(x, "lnf")
        cache["resid_final"] = x
        if c.readout == "identity":  # the final LayerNorm's d outputs are the logits
            return x, cache
        return F.linear(x, self.param("out.w"), self.param("out.b")), cache

    def forward(self, parent, child, rel=None, ablate=()):
        return self.run_with_cache(parent, child, rel, ablate)[0]


def load(path):
    """The model of a hopsweep model.safetensors, with .config from its metadata."""
    tensors, meta = read_safetensors(path)
    if "config" not in meta:
        raise HopsweepModelError(f"{path}: no __metadata__.config; not a checkpoint hopsweep "
                                 f"wrote (train with log.checkpoint=true)")
    model = HookedHopsweep(Config(meta["config"], where=path))
    model.load_tensors(tensors, where=path)
    model.eval()
    return model


# ------------------------------------------------------------------------------------------------
# The task (DESIGN §1.1)
# ------------------------------------------------------------------------------------------------

def sample(config, batch, seed=0, query_hops=None):
    """batch examples of the retrieval task: int64 arrays parent, child, target, hop, chain,
    index, supervised [B][T] and query_hops [B]. query_hops: None (every query asks
    task.hops; under mixed, uniform in 1..hops), an int, or one per example."""
    c = config
    if c.kind != "retrieval":
        raise HopsweepModelError(f"sample: task.kind={c.kind} is not sampled here (only plain "
                                 f"retrieval)")
    D, C, V, T = c.hops, c.chains, c.vocab, c.seq_len
    rng = np.random.default_rng(seed)
    if query_hops is None:
        ks = rng.integers(1, D + 1, batch) if c.curriculum == "mixed" else np.full(batch, D)
    else:
        ks = np.broadcast_to(np.asarray(query_hops), (batch,)).copy()
    if ks.min() < 1 or ks.max() > D:
        raise HopsweepModelError(f"sample: query hops must be in 1..{D}")
    need = C * (D + 1) + (1 if ks.min() < D else 0)
    if V < need:
        raise HopsweepModelError(f"sample: task.vocab={V} is too small for {need} nodes")
    out = {k: np.zeros((batch, T), np.int64)
           for k in ("parent", "child", "target", "hop", "chain", "index", "supervised")}
    for b in range(batch):
        k = int(ks[b])
        nodes = rng.permutation(V)
        lengths = [k] + [D] * (C - 1) + ([D - k] if k < D else [])
        edges, at = [], 0
        for chain, n_edges in enumerate(lengths):
            x = nodes[at:at + n_edges + 1]
            at += n_edges + 1
            for i in range(1, n_edges + 1):
                edges.append((x[i - 1], x[i], x[0], i - 1, chain, i))
        edges = [edges[i] for i in rng.permutation(len(edges))]
        root0, last0 = nodes[0], nodes[k]
        edges.append((last0, V, root0, k, 0, k + 1))  # the query: the edge (x_k -> ?)
        for t, (par, chi, root, hop, chain, index) in enumerate(edges):
            out["parent"][b, t], out["child"][b, t], out["target"][b, t] = par, chi, root
            out["hop"][b, t], out["chain"][b, t], out["index"][b, t] = hop, chain, index
        out["supervised"][b, :] = 1 if c.curriculum == "implicit" else 0
        out["supervised"][b, T - 1] = 1
    out["query_hops"] = ks.astype(np.int64)
    return out


@torch.no_grad()
def query_accuracy(model, batch, ablate=()):
    """Fraction of examples whose query (the last position) is answered with its chain's root."""
    logits = model(batch["parent"], batch["child"], batch.get("rel"), ablate=ablate)
    pred = logits[:, -1].argmax(-1).numpy()
    return float((pred == np.asarray(batch["target"])[:, -1]).mean())


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="load a hopsweep model.safetensors; print the "
                                 "query accuracy with each head ablated")
    ap.add_argument("model")
    ap.add_argument("--examples", type=int, default=512)
    args = ap.parse_args(argv)
    try:
        model = load(args.model)
        batch = sample(model.config, args.examples, seed=0)
    except HopsweepModelError as e:
        print(f"hopsweep_model: {e}", file=sys.stderr)
        return 2
    c = model.config
    print(f"{args.model}: {c.layers} layers, {c.heads} heads, d_model {c.d_model}; task "
          f"{c.hops} hops, {c.chains} chains, vocab {c.vocab}, curriculum {c.curriculum}")
    print(f"query accuracy {query_accuracy(model, batch):.3f} on {args.examples} examples")
    for l in range(1, c.layers + 1):
        for h in range(c.heads):
            print(f"  ablate L{l}H{h}: {query_accuracy(model, batch, ablate=[(l, h)]):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
