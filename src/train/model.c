/* model.c — the transformer's buffers, parameter table, and its forward and backward passes.
 *
 * hs_model_init lays out three buffers (parameters, gradients with the same layout,
 * activations) plus a backward workspace, all sized for max_batch; a step only walks them. */
#include "hopsweep/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/ops.h"
#include "hopsweep/ops_gpt2.h"

/* ---- parameter table ---------------------------------------------------------------------- */

typedef struct {
    hs_model *m;
    size_t offset;
} table_builder;

static size_t add_tensor(table_builder *tb, const char *name, int rows, int cols, bool decay)
{
    hs_tensor *t = &tb->m->tensors[tb->m->n_tensors++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->ndim = cols ? 2 : 1;
    t->shape[0] = rows;
    t->shape[1] = cols;
    t->numel = (size_t)rows * (cols ? cols : 1);
    t->offset = tb->offset;
    t->decay = decay;
    tb->offset += t->numel;
    return t->offset;
}

/* blocks.<l>.<suffix> */
static size_t add_block_tensor(table_builder *tb, int l, const char *suffix, int rows, int cols,
                               bool decay)
{
    char name[48];
    snprintf(name, sizeof name, "blocks.%d.%s", l, suffix);
    return add_tensor(tb, name, rows, cols, decay);
}

/* Offsets of one layer's tensors; the buffer order keeps wq|wk|wv and bq|bk|bv adjacent. */
typedef struct {
    size_t ln1_w, ln1_b, wqkv, bqkv, wo, bo, ln2_w, ln2_b, w1, b1, w2, b2;
} layer_offsets;

static void build_table(hs_model *m, size_t *emb_par, size_t *emb_chi, size_t *emb_rel,
                        size_t *emb_pos, layer_offsets *lo, size_t *lnf_w, size_t *lnf_b,
                        size_t *out_w, size_t *out_b)
{
    const hs_model_shape *s = &m->shape;
    int d = s->d_model, V = s->vocab, h = m->hidden;
    table_builder tb = {m, 0};
    m->n_tensors = 0;
    *emb_par = add_tensor(&tb, "emb.par", V, d, true);
    *emb_chi = add_tensor(&tb, "emb.chi", V + 1, d, true);
    if (s->relations) *emb_rel = add_tensor(&tb, "emb.rel", s->relations, d, true);
    if (s->positions == HS_POSITIONS_LEARNED)
        *emb_pos = add_tensor(&tb, "emb.pos", s->seq_len, d, true);
    for (int l = 0; l < s->layers; l++) {
        layer_offsets *o = &lo[l];
        if (s->layernorm) {
            o->ln1_w = add_block_tensor(&tb, l, "ln1.w", d, 0, false);
            o->ln1_b = add_block_tensor(&tb, l, "ln1.b", d, 0, false);
        }
        o->wqkv = add_block_tensor(&tb, l, "attn.wq", d, d, true);
        add_block_tensor(&tb, l, "attn.wk", d, d, true);
        add_block_tensor(&tb, l, "attn.wv", d, d, true);
        o->bqkv = add_block_tensor(&tb, l, "attn.bq", d, 0, false);
        add_block_tensor(&tb, l, "attn.bk", d, 0, false);
        add_block_tensor(&tb, l, "attn.bv", d, 0, false);
        o->wo = add_block_tensor(&tb, l, "attn.wo", d, d, true);
        o->bo = add_block_tensor(&tb, l, "attn.bo", d, 0, false);
        if (h) {
            if (s->layernorm) {
                o->ln2_w = add_block_tensor(&tb, l, "ln2.w", d, 0, false);
                o->ln2_b = add_block_tensor(&tb, l, "ln2.b", d, 0, false);
            }
            o->w1 = add_block_tensor(&tb, l, "mlp.w1", h, d, true);
            o->b1 = add_block_tensor(&tb, l, "mlp.b1", h, 0, false);
            o->w2 = add_block_tensor(&tb, l, "mlp.w2", d, h, true);
            o->b2 = add_block_tensor(&tb, l, "mlp.b2", d, 0, false);
        }
    }
    if (s->layernorm) {
        *lnf_w = add_tensor(&tb, "lnf.w", d, 0, false);
        *lnf_b = add_tensor(&tb, "lnf.b", d, 0, false);
    }
    if (s->readout == HS_READOUT_LINEAR) {
        *out_w = add_tensor(&tb, "out.w", V, d, true);
        *out_b = add_tensor(&tb, "out.b", V, 0, false);
    }
    m->n_params = tb.offset;
}

size_t hs_model_param_count(const hs_model_shape *s)
{
    /* build_table's tensors, size by size */
    const size_t d = (size_t)s->d_model, V = (size_t)s->vocab, h = (size_t)s->mlp * d;
    const size_t ln = s->layernorm ? 2 * d : 0;
    size_t emb = V * d + (V + 1) * d + (size_t)s->relations * d +
                 (s->positions == HS_POSITIONS_LEARNED ? (size_t)s->seq_len * d : 0);
    size_t attn = 4 * d * d + 4 * d, mlp = h ? ln + 2 * h * d + h + d : 0;
    size_t out = s->readout == HS_READOUT_LINEAR ? V * d + V : 0;
    return emb + (size_t)s->layers * (ln + attn + mlp) + ln + out;
}

static void set_views(hs_param_views *v, float *base, const hs_model *m, size_t emb_par,
                      size_t emb_chi, size_t emb_rel, size_t emb_pos, const layer_offsets *lo,
                      size_t lnf_w, size_t lnf_b, size_t out_w, size_t out_b)
{
    bool ln = m->shape.layernorm, mlp = m->hidden > 0;
    v->emb_par = base + emb_par;
    v->emb_chi = base + emb_chi;
    v->emb_rel = m->shape.relations ? base + emb_rel : NULL;
    v->emb_pos = m->shape.positions == HS_POSITIONS_LEARNED ? base + emb_pos : NULL;
    for (int l = 0; l < m->shape.layers; l++) {
        hs_layer_params *p = &v->layer[l];
        const layer_offsets *o = &lo[l];
        p->ln1_w = ln ? base + o->ln1_w : NULL;
        p->ln1_b = ln ? base + o->ln1_b : NULL;
        p->wqkv = base + o->wqkv;
        p->bqkv = base + o->bqkv;
        p->wo = base + o->wo;
        p->bo = base + o->bo;
        p->ln2_w = ln && mlp ? base + o->ln2_w : NULL;
        p->ln2_b = ln && mlp ? base + o->ln2_b : NULL;
        p->w1 = mlp ? base + o->w1 : NULL;
        p->b1 = mlp ? base + o->b1 : NULL;
        p->w2 = mlp ? base + o->w2 : NULL;
        p->b2 = mlp ? base + o->b2 : NULL;
    }
    v->lnf_w = ln ? base + lnf_w : NULL;
    v->lnf_b = ln ? base + lnf_b : NULL;
    bool linear = m->shape.readout == HS_READOUT_LINEAR;
    v->out_w = linear ? base + out_w : NULL;
    v->out_b = linear ? base + out_b : NULL;
}

/* ---- activations -------------------------------------------------------------------------- */

/* Slices start at multiples of 32 elements: 64 bytes in the f32 buffer and in its bf16 shadow,
 * the alignment oneDNN's kernels load best from (16 bytes off cost 20-45% on AMX). */
#define HS_ALIGN_ELEMS 32

static size_t aligned(size_t n)
{
    return (n + HS_ALIGN_ELEMS - 1) / HS_ALIGN_ELEMS * HS_ALIGN_ELEMS;
}

/* Hands out consecutive slices of the activation buffer; with base == NULL it only counts. */
typedef struct {
    float *base;
    size_t used;
} carver;

static float *carve(carver *c, size_t n)
{
    float *p = c->base ? c->base + c->used : NULL;
    c->used += aligned(n);
    return p;
}

/* n zeroed elements of `size` bytes on a 64-byte boundary. Parameter tensors keep their packed
 * offsets (the resume state stores them so); with d_model a multiple of 32, as in every sweep
 * and bench configuration, each of them starts on a boundary too. */
static void *alloc_block(size_t n, size_t size)
{
    size_t bytes = (n * size + 63) / 64 * 64;
    void *p = aligned_alloc(64, bytes ? bytes : 64);
    if (p) memset(p, 0, bytes);
    return p;
}

static void layout_acts(hs_model *m, carver *c)
{
    const hs_model_shape *s = &m->shape;
    size_t BT = (size_t)s->max_batch * s->seq_len, d = s->d_model, h = m->hidden;
    size_t TT = (size_t)s->max_batch * s->heads * s->seq_len * s->seq_len;
    for (int l = 0; l < s->layers; l++) {
        hs_layer_acts *a = &m->la[l];
        a->x = carve(c, BT * d);
        if (s->layernorm) {
            a->ln1 = carve(c, BT * d);
            a->ln1_mean = carve(c, BT);
            a->ln1_rstd = carve(c, BT);
        } else {
            a->ln1 = a->x;
        }
        a->qkv = carve(c, BT * 3 * d);
        a->att = carve(c, TT);
        a->atty = carve(c, BT * d);
        if (h) {
            a->x_mid = carve(c, BT * d);
            if (s->layernorm) {
                a->ln2 = carve(c, BT * d);
                a->ln2_mean = carve(c, BT);
                a->ln2_rstd = carve(c, BT);
            } else {
                a->ln2 = a->x_mid;
            }
            a->pre = carve(c, BT * h);
            a->gelu = carve(c, BT * h);
        }
    }
    m->x_final = carve(c, BT * d);
    m->qkv_rows = carve(c, BT * 3 * d);
    m->heads = carve(c, BT * d);
    /* A layer's output is the next layer's input; without an MLP the attention residual is. */
    for (int l = 0; l < s->layers; l++) {
        hs_layer_acts *a = &m->la[l];
        a->x_out = l + 1 < s->layers ? m->la[l + 1].x : m->x_final;
        if (!h) a->x_mid = a->x_out;
    }
    if (s->layernorm) {
        m->lnf = carve(c, BT * d);
        m->lnf_mean = carve(c, BT);
        m->lnf_rstd = carve(c, BT);
    } else {
        m->lnf = m->x_final;
    }
    m->logits = s->readout == HS_READOUT_IDENTITY ? m->lnf : carve(c, BT * s->vocab);
    m->probs = carve(c, BT * (size_t)m->n_out);
}

/* Backward workspace: the gradients of one layer's activations at a time plus the residual. */
typedef struct {
    float *dres, *dln, *dqkv, *datty, *dpre, *dlogits, *datt;
    float *dheads, *dqkvh; /* datty and dqkv as head-major blocks, for attention's products */
} scratch_views;

static void layout_scratch(const hs_model *m, carver *c, scratch_views *v)
{
    const hs_model_shape *s = &m->shape;
    size_t BT = (size_t)s->max_batch * s->seq_len, d = s->d_model;
    v->dres = carve(c, BT * d);
    v->dln = carve(c, BT * d);
    v->dqkv = carve(c, BT * 3 * d);
    v->datty = carve(c, BT * d);
    v->dpre = carve(c, BT * (size_t)m->hidden);
    v->dlogits = carve(c, BT * (size_t)m->n_out);
    v->datt = carve(c, (size_t)s->max_batch * s->heads * s->seq_len * s->seq_len);
    v->dheads = carve(c, BT * d);
    v->dqkvh = carve(c, BT * 3 * d);
}

/* ---- dropout ------------------------------------------------------------------------------ */

/* The drop buffer: the embedding's mask, then per layer the attention mask, the dropped
 * attention weights and the two residual branches' masks (model.h). */
/* Each part of the drop buffer starts on a 64-byte boundary, as carve's slices do. */
static size_t drop_btd(const hs_model *m)
{
    const hs_model_shape *s = &m->shape;
    return aligned((size_t)s->max_batch * s->seq_len * s->d_model);
}

static size_t drop_tt(const hs_model *m)
{
    const hs_model_shape *s = &m->shape;
    return aligned((size_t)s->max_batch * s->heads * s->seq_len * s->seq_len);
}

static size_t drop_layer_size(const hs_model *m) { return 2 * drop_tt(m) + 2 * drop_btd(m); }

static bool dropout_alloc(hs_model *m)
{
    const hs_model_shape *s = &m->shape;
    if (s->dropout <= 0.0f) return true;
    m->n_drop = drop_btd(m) + s->layers * drop_layer_size(m);
    m->drop = alloc_block(m->n_drop, sizeof *m->drop);
    if (s->precision == HS_PRECISION_BF16) m->drop_h = alloc_block(m->n_drop, sizeof *m->drop_h);
    return m->drop && (s->precision != HS_PRECISION_BF16 || m->drop_h);
}

static float *drop_emb(const hs_model *m) { return m->drop; }

/* Layer l's attention mask (which 0) or dropped weights (which 1); NULL without dropout. */
static float *drop_att(const hs_model *m, int l, int which)
{
    if (!m->drop) return NULL;
    return m->drop + drop_btd(m) + l * drop_layer_size(m) + which * drop_tt(m);
}

/* Layer l's mask of the attention branch (which 0) or the MLP branch (which 1). */
static float *drop_res(const hs_model *m, int l, int which)
{
    return m->drop ? drop_att(m, l, 2) + which * drop_btd(m) : NULL;
}

/* Draws every mask of a training pass over B examples, in a fixed order: the embedding, then
 * per layer attention, attention branch, MLP branch. */
static void drop_masks(hs_model *m, int B)
{
    const hs_model_shape *s = &m->shape;
    size_t Nd = (size_t)B * s->seq_len * s->d_model;
    size_t TT = (size_t)B * s->heads * s->seq_len * s->seq_len;
    hs_dropout_mask(drop_emb(m), Nd, s->dropout, m->drop_rng);
    for (int l = 0; l < s->layers; l++) {
        hs_dropout_mask(drop_att(m, l, 0), TT, s->dropout, m->drop_rng);
        hs_dropout_mask(drop_res(m, l, 0), Nd, s->dropout, m->drop_rng);
        if (m->hidden) hs_dropout_mask(drop_res(m, l, 1), Nd, s->dropout, m->drop_rng);
    }
}

/* x *= mask when the last forward dropped. */
static void drop(const hs_model *m, float *x, const float *mask, size_t n)
{
    if (m->dropped) hs_dropout_apply(x, mask, n);
}

/* The gradient of a residual branch: dres itself, or dres ⊙ mask written to tmp when the last
 * forward dropped the branch. */
static const float *branch_grad(const hs_model *m, const float *dres, float *tmp, const float *mask,
                                size_t n)
{
    if (!m->dropped) return dres;
    memcpy(tmp, dres, n * sizeof *tmp);
    hs_dropout_apply(tmp, mask, n);
    return tmp;
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

hs_status hs_model_init(hs_model *m, const hs_model_shape *shape, hs_err *err)
{
    memset(m, 0, sizeof *m);
    const hs_model_shape *s = shape;
    if (s->vocab < 1 || s->d_model < 1 || s->heads < 1 || s->layers < 1 || s->mlp < 0 ||
        s->relations < 0 || s->seq_len < 1 || s->max_batch < 1 || s->d_model % s->heads ||
        !(s->dropout >= 0.0f && s->dropout < 1.0f) ||
        (s->readout == HS_READOUT_IDENTITY && s->d_model < s->vocab))
        return hs_fail(err, HS_EINPUT,
                       "model shape is invalid (vocab %d, d_model %d, heads %d, layers %d, mlp %d, "
                       "relations %d, T %d, batch %d): d_model must be a multiple of heads and "
                       "the rest positive (relations may be 0), dropout in [0, 1), and d_model "
                       ">= vocab for the identity readout",
                       s->vocab, s->d_model, s->heads, s->layers, s->mlp, s->relations, s->seq_len,
                       s->max_batch);
    m->shape = *s;
    m->d_head = s->d_model / s->heads;
    m->hidden = s->mlp * s->d_model;
    m->n_out = s->readout == HS_READOUT_IDENTITY ? s->d_model : s->vocab;

    int max_tensors = 8 + 16 * s->layers;
    m->tensors = calloc((size_t)max_tensors, sizeof *m->tensors);
    layer_offsets *lo = calloc((size_t)s->layers, sizeof *lo);
    m->p.layer = calloc((size_t)s->layers, sizeof *m->p.layer);
    m->g.layer = calloc((size_t)s->layers, sizeof *m->g.layer);
    m->la = calloc((size_t)s->layers, sizeof *m->la);
    if (!m->tensors || !lo || !m->p.layer || !m->g.layer || !m->la) {
        free(lo);
        hs_model_free(m);
        return hs_fail(err, HS_ENOMEM, "out of memory allocating the model tables");
    }
    size_t emb_par, emb_chi, emb_rel = 0, emb_pos = 0, lnf_w = 0, lnf_b = 0, out_w = 0, out_b = 0;
    build_table(m, &emb_par, &emb_chi, &emb_rel, &emb_pos, lo, &lnf_w, &lnf_b, &out_w, &out_b);

    carver count = {NULL, 0};
    layout_acts(m, &count);
    m->n_acts = count.used;
    scratch_views sv;
    carver scount = {NULL, 0};
    layout_scratch(m, &scount, &sv);
    m->n_scratch = scount.used;

    m->params = alloc_block(m->n_params, sizeof(float));
    m->grads = alloc_block(m->n_params, sizeof(float));
    m->acts = alloc_block(m->n_acts, sizeof(float));
    m->scratch = alloc_block(m->n_scratch, sizeof(float));
    bool bf16 = s->precision == HS_PRECISION_BF16;
    if (bf16) {
        m->params_h = alloc_block(m->n_params, sizeof(hs_bf16));
        m->acts_h = alloc_block(m->n_acts, sizeof(hs_bf16));
        m->scratch_h = alloc_block(m->n_scratch, sizeof(hs_bf16));
    }
    bool drop_ok = dropout_alloc(m);
    if (!m->params || !m->grads || !m->acts || !m->scratch || !drop_ok ||
        (bf16 && (!m->params_h || !m->acts_h || !m->scratch_h))) {
        size_t mb = (2 * m->n_params + m->n_acts + m->n_scratch) * sizeof(float) >> 20;
        free(lo);
        hs_model_free(m);
        return hs_fail(
            err, HS_ENOMEM,
            "out of memory: the model needs %zu MiB; lower train.batch or the model size", mb);
    }
    set_views(&m->p, m->params, m, emb_par, emb_chi, emb_rel, emb_pos, lo, lnf_w, lnf_b, out_w,
              out_b);
    set_views(&m->g, m->grads, m, emb_par, emb_chi, emb_rel, emb_pos, lo, lnf_w, lnf_b, out_w,
              out_b);
    free(lo);
    carver carve_acts = {m->acts, 0};
    layout_acts(m, &carve_acts);
    hs_status st = hs_gemm_create(&m->gemm, s->precision, err);
    if (!st) st = hs_model_prepare(m, s->max_batch, err);
    if (st) hs_model_free(m);
    return st;
}

hs_status hs_model_prepare(hs_model *m, int B, hs_err *err)
{
    if (B < 1 || B > m->shape.max_batch)
        return hs_fail(err, HS_EINTERNAL, "batch %d outside 1..%d", B, m->shape.max_batch);
    size_t N = (size_t)B * m->shape.seq_len;
    int32_t *ids = calloc(N, sizeof *ids);
    float *saved = malloc(m->n_params * sizeof *saved);
    if (!ids || !saved) {
        free(ids);
        free(saved);
        return hs_fail(err, HS_ENOMEM, "out of memory planning the model's products");
    }
    /* Id 0 is valid in every table; the pass only has to touch every product once (with dropout,
     * a dropping pass: its products include the plain pass's). */
    memcpy(saved, m->grads, m->n_params * sizeof *saved);
    hs_rng *drop_rng = m->drop_rng, plan_rng;
    hs_rng_seed(&plan_rng, 0, 0);
    if (m->shape.dropout > 0.0f) m->drop_rng = &plan_rng;
    hs_model_forward(m, B, ids, ids, m->shape.relations ? ids : NULL, ids, NULL);
    hs_model_backward(m);
    m->drop_rng = drop_rng;
    memcpy(m->grads, saved, m->n_params * sizeof *saved);
    m->parent = m->child = m->rel = m->target = NULL;
    m->supervised = NULL;
    free(ids);
    free(saved);
    return hs_gemm_status(m->gemm, err);
}

const char *hs_model_engine(const hs_model *m) { return hs_gemm_engine_name(m->gemm); }

void hs_model_free(hs_model *m)
{
    free(m->tensors);
    free(m->p.layer);
    free(m->g.layer);
    free(m->la);
    free(m->params);
    free(m->grads);
    free(m->acts);
    free(m->scratch);
    free(m->params_h);
    free(m->acts_h);
    free(m->scratch_h);
    free(m->drop);
    free(m->drop_h);
    hs_gemm_free(m->gemm);
    memset(m, 0, sizeof *m);
}

void hs_model_init_weights(hs_model *m, hs_rng *rng)
{
    float resid_scale = 1.0f / sqrtf(2.0f * m->shape.layers);
    for (int i = 0; i < m->n_tensors; i++) {
        const hs_tensor *t = &m->tensors[i];
        float *w = m->params + t->offset;
        const char *leaf = strrchr(t->name, '.') + 1;
        if (t->ndim == 2) {
            bool resid = !strcmp(leaf, "wo") || !strcmp(leaf, "w2");
            float std = 0.02f * (resid ? resid_scale : 1.0f);
            for (size_t j = 0; j < t->numel; j++) w[j] = std * hs_rng_normal(rng);
        } else {
            bool gain = !strcmp(leaf, "w"); /* LayerNorm gains: ln1.w, ln2.w, lnf.w */
            for (size_t j = 0; j < t->numel; j++) w[j] = gain ? 1.0f : 0.0f;
        }
    }
}

const hs_tensor *hs_model_find_tensor(const hs_model *m, const char *name)
{
    for (int i = 0; i < m->n_tensors; i++)
        if (!strcmp(m->tensors[i].name, name)) return &m->tensors[i];
    return NULL;
}

const float *hs_model_attention(const hs_model *m, int layer) { return m->la[layer].att; }

/* ---- passes ------------------------------------------------------------------------------- */

/* The engine-typed twin of p (a pointer into params, acts or scratch): p itself at fp32, its
 * bf16 shadow at bf16. */
static void *E(const hs_model *m, const float *p)
{
    if (!m->params_h) return (void *)p;
    if (p >= m->params && p < m->params + m->n_params) return m->params_h + (p - m->params);
    if (p >= m->acts && p < m->acts + m->n_acts) return m->acts_h + (p - m->acts);
    if (m->drop && p >= m->drop && p < m->drop + m->n_drop) return m->drop_h + (p - m->drop);
    return m->scratch_h + (p - m->scratch);
}

/* The bf16 shadow of p for ops that write it in the same pass, NULL at fp32. */
static hs_bf16 *H(const hs_model *m, const float *p) { return m->params_h ? E(m, p) : NULL; }

/* p itself where an op's f32 output has readers besides the products, NULL at bf16 where the
 * products, reading the shadow, are its only ones: the op then writes the shadow alone. */
static float *F(const hs_model *m, float *p) { return m->params_h ? NULL : p; }

/* Makes the engine-typed twin of n floats at p current. */
static void sync(const hs_model *m, const float *p, size_t n)
{
    hs_to_engine(m->gemm, E(m, p), p, n);
}

float hs_model_forward(hs_model *m, int B, const int32_t *parent, const int32_t *child,
                       const int32_t *rel, const int32_t *target, const uint8_t *supervised)
{
    const hs_model_shape *s = &m->shape;
    int T = s->seq_len, d = s->d_model, H_ = s->heads, h = m->hidden, N = B * T;
    bool ln = s->layernorm;
    float qscale = 1.0f / sqrtf((float)m->d_head);
    hs_gemm *g = m->gemm;
    m->B = B;
    m->parent = parent;
    m->child = child;
    m->rel = rel;
    m->target = target;
    m->supervised = supervised;

    if (!m->params_h_current) sync(m, m->params, m->n_params);
    m->params_h_current = false;
    hs_embed_forward(m->la[0].x, parent, child, rel, m->p.emb_par, m->p.emb_chi, m->p.emb_rel, N,
                     d);
    if (m->p.emb_pos) hs_positions_forward(m->la[0].x, m->p.emb_pos, B, T, d);
    m->dropped = m->drop_rng && s->dropout > 0.0f;
    if (m->dropped) drop_masks(m, B);
    drop(m, m->la[0].x, drop_emb(m), (size_t)N * d);
    for (int l = 0; l < s->layers; l++) {
        const hs_layer_params *p = &m->p.layer[l];
        hs_layer_acts *a = &m->la[l];
        if (ln)
            hs_layernorm_forward(F(m, a->ln1), H(m, a->ln1), a->ln1_mean, a->ln1_rstd, a->x,
                                 p->ln1_w, p->ln1_b, N, d);
        else
            sync(m, a->x, (size_t)N * d);
        /* the bias add lays q, k, v out head-major (q scaled) in the engine's type */
        hs_matmul_forward(g, m->qkv_rows, E(m, a->ln1), E(m, p->wqkv), NULL, N, d, 3 * d);
        hs_heads_from_rows(g, E(m, a->qkv), m->qkv_rows, p->bqkv, 3, qscale, B, T, d, H_);
        hs_attention_forward(g, m->heads, a->att, E(m, a->att), E(m, a->qkv), B, T, d, H_,
                             s->causal);
        if (m->dropped)
            hs_attention_dropout_forward(g, m->heads, drop_att(m, l, 1), E(m, drop_att(m, l, 1)),
                                         a->att, drop_att(m, l, 0), E(m, a->qkv), B, T, d, H_);
        hs_rows_from_heads(F(m, a->atty), H(m, a->atty), NULL, m->heads, 1, 1.0f, B, T, d, H_,
                           0.0f);
        /* x_mid = x + Wo·atty + bo, with the product writing x_mid directly; a dropped branch
         * takes its bias before the mask */
        hs_matmul_forward(g, a->x_mid, E(m, a->atty), E(m, p->wo), m->dropped ? p->bo : NULL, N, d,
                          d);
        drop(m, a->x_mid, drop_res(m, l, 0), (size_t)N * d);
        hs_residual_forward(a->x_mid, m->dropped ? NULL : p->bo, a->x, N, d);
        if (h) {
            if (ln)
                hs_layernorm_forward(F(m, a->ln2), H(m, a->ln2), a->ln2_mean, a->ln2_rstd, a->x_mid,
                                     p->ln2_w, p->ln2_b, N, d);
            else
                sync(m, a->x_mid, (size_t)N * d);
            hs_matmul_forward(g, a->pre, E(m, a->ln2), E(m, p->w1), NULL, N, d, h);
            hs_gelu_forward(F(m, a->gelu), H(m, a->gelu), a->pre, p->b1, N, h);
            hs_matmul_forward(g, a->x_out, E(m, a->gelu), E(m, p->w2), m->dropped ? p->b2 : NULL, N,
                              h, d);
            drop(m, a->x_out, drop_res(m, l, 1), (size_t)N * d);
            hs_residual_forward(a->x_out, m->dropped ? NULL : p->b2, a->x_mid, N, d);
        }
    }
    if (ln)
        hs_layernorm_forward(m->lnf, H(m, m->lnf), m->lnf_mean, m->lnf_rstd, m->x_final, m->p.lnf_w,
                             m->p.lnf_b, N, d);
    else
        sync(m, m->x_final, (size_t)N * d);
    if (m->p.out_w)
        hs_matmul_forward(g, m->logits, E(m, m->lnf), E(m, m->p.out_w), m->p.out_b, N, d, s->vocab);
    m->loss = hs_softmax_xent_forward(m->probs, m->logits, target, supervised, N, m->n_out,
                                      &m->n_supervised);
    return m->loss;
}

void hs_model_zero_grad(hs_model *m) { memset(m->grads, 0, m->n_params * sizeof(float)); }

void hs_model_backward(hs_model *m)
{
    const hs_model_shape *s = &m->shape;
    int B = m->B, T = s->seq_len, d = s->d_model, H_ = s->heads, h = m->hidden, N = B * T;
    int V = m->n_out;
    size_t Nd = (size_t)N * d;
    bool ln = s->layernorm;
    float qscale = 1.0f / sqrtf((float)m->d_head);
    hs_gemm *g = m->gemm;
    scratch_views sv;
    carver c = {m->scratch, 0};
    layout_scratch(m, &c, &sv);
    /* With LayerNorm and no dropout, each LayerNorm backward also rounds the residual stream's
     * gradient for the product below it, which then needs no pass of its own */
    hs_bf16 *dres_h = ln && !m->dropped ? H(m, sv.dres) : NULL;

    hs_softmax_xent_backward(sv.dlogits, m->probs, m->target, m->supervised, N, V, m->n_supervised,
                             0.0f);
    sync(m, sv.dlogits, (size_t)N * V);
    /* dres holds d(loss)/d(residual stream) as it flows down through the layers */
    if (!m->p.out_w) { /* identity readout: the logits are the final LN's output */
        if (ln)
            hs_layernorm_backward(sv.dres, dres_h, m->g.lnf_w, m->g.lnf_b, sv.dlogits, m->x_final,
                                  m->p.lnf_w, m->lnf_mean, m->lnf_rstd, N, d, 0.0f);
        else
            memcpy(sv.dres, sv.dlogits, Nd * sizeof(float));
    } else if (ln) {
        hs_matmul_backward(g, sv.dln, m->g.out_w, m->g.out_b, sv.dlogits, E(m, sv.dlogits),
                           E(m, m->lnf), E(m, m->p.out_w), N, d, V, 0.0f);
        hs_layernorm_backward(sv.dres, dres_h, m->g.lnf_w, m->g.lnf_b, sv.dln, m->x_final,
                              m->p.lnf_w, m->lnf_mean, m->lnf_rstd, N, d, 0.0f);
    } else {
        hs_matmul_backward(g, sv.dres, m->g.out_w, m->g.out_b, sv.dlogits, E(m, sv.dlogits),
                           E(m, m->lnf), E(m, m->p.out_w), N, d, V, 0.0f);
    }
    for (int l = s->layers - 1; l >= 0; l--) {
        const hs_layer_params *p = &m->p.layer[l];
        hs_layer_params *gp = &m->g.layer[l];
        hs_layer_acts *a = &m->la[l];
        if (h) {
            const float *dbranch = branch_grad(m, sv.dres, sv.dln, drop_res(m, l, 1), Nd);
            if (!dres_h) sync(m, dbranch, Nd);
            hs_matmul_backward(g, sv.dpre, gp->w2, gp->b2, dbranch, E(m, dbranch), E(m, a->gelu),
                               E(m, p->w2), N, h, d, 0.0f);
            /* gelu's backward also rounds dpre and sums it into b1's gradient */
            hs_gelu_backward(F(m, sv.dpre), H(m, sv.dpre), gp->b1, sv.dpre, a->pre, p->b1, N, h,
                             0.0f);
            if (ln) {
                hs_matmul_backward(g, sv.dln, gp->w1, NULL, sv.dpre, E(m, sv.dpre), E(m, a->ln2),
                                   E(m, p->w1), N, d, h, 0.0f);
                hs_layernorm_backward(sv.dres, dres_h, gp->ln2_w, gp->ln2_b, sv.dln, a->x_mid,
                                      p->ln2_w, a->ln2_mean, a->ln2_rstd, N, d, 1.0f);
            } else {
                hs_matmul_backward(g, sv.dres, gp->w1, NULL, sv.dpre, E(m, sv.dpre), E(m, a->ln2),
                                   E(m, p->w1), N, d, h, 1.0f);
            }
        }
        const float *dbranch = branch_grad(m, sv.dres, sv.dln, drop_res(m, l, 0), Nd);
        if (!dres_h) sync(m, dbranch, Nd);
        hs_matmul_backward(g, sv.datty, gp->wo, gp->bo, dbranch, E(m, dbranch), E(m, a->atty),
                           E(m, p->wo), N, d, d, 0.0f);
        hs_heads_from_rows(g, E(m, sv.dheads), sv.datty, NULL, 1, 1.0f, B, T, d, H_);
        if (m->dropped)
            hs_attention_dropout_backward(g, sv.dqkvh, sv.datt, E(m, sv.datt), E(m, sv.dheads),
                                          a->att, E(m, drop_att(m, l, 1)), drop_att(m, l, 0),
                                          E(m, a->qkv), B, T, d, H_);
        else
            hs_attention_backward(g, sv.dqkvh, sv.datt, E(m, sv.datt), E(m, sv.dheads), a->att,
                                  E(m, a->att), E(m, a->qkv), B, T, d, H_);
        /* q was scaled in forward: its gradient is, on the way back to rows, which also sums
         * the bias gradient */
        hs_rows_from_heads(F(m, sv.dqkv), H(m, sv.dqkv), gp->bqkv, sv.dqkvh, 3, qscale, B, T, d, H_,
                           0.0f);
        if (ln) {
            hs_matmul_backward(g, sv.dln, gp->wqkv, NULL, sv.dqkv, E(m, sv.dqkv), E(m, a->ln1),
                               E(m, p->wqkv), N, d, 3 * d, 0.0f);
            hs_layernorm_backward(sv.dres, l > 0 ? dres_h : NULL, gp->ln1_w, gp->ln1_b, sv.dln,
                                  a->x, p->ln1_w, a->ln1_mean, a->ln1_rstd, N, d, 1.0f);
        } else {
            hs_matmul_backward(g, sv.dres, gp->wqkv, NULL, sv.dqkv, E(m, sv.dqkv), E(m, a->ln1),
                               E(m, p->wqkv), N, d, 3 * d, 1.0f);
        }
    }
    drop(m, sv.dres, drop_emb(m), Nd);
    if (m->g.emb_pos) hs_positions_backward(m->g.emb_pos, sv.dres, B, T, d);
    hs_embed_backward(m->g.emb_par, m->g.emb_chi, m->g.emb_rel, sv.dres, m->parent, m->child,
                      m->rel, N, d);
}

double hs_model_step_flops(const hs_model_shape *s, int B)
{
    double N = (double)B * s->seq_len, d = s->d_model, h = (double)s->mlp * s->d_model,
           T = s->seq_len;
    double per_layer = N * d * 3 * d + N * d * d + 2 * N * h * d /* linear maps */
                       + 2 * N * T * d;                          /* QK^T and P·V */
    double macs = s->layers * per_layer + (s->readout == HS_READOUT_LINEAR ? N * d * s->vocab : 0);
    return 3.0 * 2.0 * macs; /* forward, plus backward at twice the forward */
}
