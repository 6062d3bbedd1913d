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
                        layer_offsets *lo, size_t *lnf_w, size_t *lnf_b, size_t *out_w,
                        size_t *out_b)
{
    const hs_model_shape *s = &m->shape;
    int d = s->d_model, V = s->vocab, h = m->hidden;
    table_builder tb = {m, 0};
    m->n_tensors = 0;
    *emb_par = add_tensor(&tb, "emb.par", V, d, true);
    *emb_chi = add_tensor(&tb, "emb.chi", V + 1, d, true);
    if (s->relations) *emb_rel = add_tensor(&tb, "emb.rel", s->relations, d, true);
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
    *out_w = add_tensor(&tb, "out.w", V, d, true);
    *out_b = add_tensor(&tb, "out.b", V, 0, false);
    m->n_params = tb.offset;
}

static void set_views(hs_param_views *v, float *base, const hs_model *m, size_t emb_par,
                      size_t emb_chi, size_t emb_rel, const layer_offsets *lo, size_t lnf_w,
                      size_t lnf_b, size_t out_w, size_t out_b)
{
    bool ln = m->shape.layernorm, mlp = m->hidden > 0;
    v->emb_par = base + emb_par;
    v->emb_chi = base + emb_chi;
    v->emb_rel = m->shape.relations ? base + emb_rel : NULL;
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
    v->out_w = base + out_w;
    v->out_b = base + out_b;
}

/* ---- activations -------------------------------------------------------------------------- */

/* Hands out consecutive slices of the activation buffer; with base == NULL it only counts. */
typedef struct {
    float *base;
    size_t used;
} carver;

static float *carve(carver *c, size_t n)
{
    float *p = c->base ? c->base + c->used : NULL;
    c->used += n;
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
    m->logits = carve(c, BT * s->vocab);
    m->probs = carve(c, BT * s->vocab);
}

/* Backward workspace: the gradients of one layer's activations at a time plus the residual. */
typedef struct {
    float *dres, *dln, *dqkv, *datty, *dpre, *dlogits, *datt;
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
    v->dlogits = carve(c, BT * s->vocab);
    v->datt = carve(c, (size_t)s->seq_len * s->seq_len);
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

hs_status hs_model_init(hs_model *m, const hs_model_shape *shape, hs_err *err)
{
    memset(m, 0, sizeof *m);
    const hs_model_shape *s = shape;
    if (s->vocab < 1 || s->d_model < 1 || s->heads < 1 || s->layers < 1 || s->mlp < 0 ||
        s->relations < 0 || s->seq_len < 1 || s->max_batch < 1 || s->d_model % s->heads)
        return hs_fail(err, HS_EINPUT,
                       "model shape is invalid (vocab %d, d_model %d, heads %d, layers %d, mlp %d, "
                       "relations %d, T %d, batch %d): d_model must be a multiple of heads and "
                       "the rest positive (relations may be 0)",
                       s->vocab, s->d_model, s->heads, s->layers, s->mlp, s->relations,
                       s->seq_len, s->max_batch);
    m->shape = *s;
    m->d_head = s->d_model / s->heads;
    m->hidden = s->mlp * s->d_model;

    int max_tensors = 7 + 16 * s->layers;
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
    size_t emb_par, emb_chi, emb_rel = 0, lnf_w = 0, lnf_b = 0, out_w, out_b;
    build_table(m, &emb_par, &emb_chi, &emb_rel, lo, &lnf_w, &lnf_b, &out_w, &out_b);

    carver count = {NULL, 0};
    layout_acts(m, &count);
    m->n_acts = count.used;
    scratch_views sv;
    carver scount = {NULL, 0};
    layout_scratch(m, &scount, &sv);
    m->n_scratch = scount.used;

    m->params = calloc(m->n_params, sizeof(float));
    m->grads = calloc(m->n_params, sizeof(float));
    m->acts = calloc(m->n_acts, sizeof(float));
    m->scratch = calloc(m->n_scratch, sizeof(float));
    if (!m->params || !m->grads || !m->acts || !m->scratch) {
        size_t mb = (2 * m->n_params + m->n_acts + m->n_scratch) * sizeof(float) >> 20;
        free(lo);
        hs_model_free(m);
        return hs_fail(err, HS_ENOMEM,
                       "out of memory: the model needs %zu MiB; lower train.batch or the model size",
                       mb);
    }
    set_views(&m->p, m->params, m, emb_par, emb_chi, emb_rel, lo, lnf_w, lnf_b, out_w, out_b);
    set_views(&m->g, m->grads, m, emb_par, emb_chi, emb_rel, lo, lnf_w, lnf_b, out_w, out_b);
    free(lo);
    carver carve_acts = {m->acts, 0};
    layout_acts(m, &carve_acts);
    return HS_OK;
}

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

const float *hs_model_attention(const hs_model *m, int layer)
{
    return m->la[layer].att;
}

/* ---- passes ------------------------------------------------------------------------------- */

float hs_model_forward(hs_model *m, int B, const int32_t *parent, const int32_t *child,
                       const int32_t *rel, const int32_t *target, const uint8_t *supervised)
{
    const hs_model_shape *s = &m->shape;
    int T = s->seq_len, d = s->d_model, H = s->heads, h = m->hidden, N = B * T;
    bool ln = s->layernorm;
    m->B = B;
    m->parent = parent;
    m->child = child;
    m->rel = rel;
    m->target = target;
    m->supervised = supervised;

    hs_embed_forward(m->la[0].x, parent, child, rel, m->p.emb_par, m->p.emb_chi, m->p.emb_rel, N,
                     d);
    for (int l = 0; l < s->layers; l++) {
        const hs_layer_params *p = &m->p.layer[l];
        hs_layer_acts *a = &m->la[l];
        if (ln) hs_layernorm_forward(a->ln1, a->ln1_mean, a->ln1_rstd, a->x, p->ln1_w, p->ln1_b, N, d);
        hs_matmul_forward(a->qkv, a->ln1, p->wqkv, p->bqkv, N, d, 3 * d);
        hs_attention_forward(a->atty, a->att, a->qkv, B, T, d, H, s->causal);
        /* x_mid = x + Wo·atty + bo, with the sgemm writing x_mid directly */
        hs_matmul_forward(a->x_mid, a->atty, p->wo, p->bo, N, d, d);
        hs_residual_forward(a->x_mid, a->x_mid, a->x, N * d);
        if (h) {
            if (ln) hs_layernorm_forward(a->ln2, a->ln2_mean, a->ln2_rstd, a->x_mid, p->ln2_w, p->ln2_b, N, d);
            hs_matmul_forward(a->pre, a->ln2, p->w1, p->b1, N, d, h);
            hs_gelu_forward(a->gelu, a->pre, N * h);
            hs_matmul_forward(a->x_out, a->gelu, p->w2, p->b2, N, h, d);
            hs_residual_forward(a->x_out, a->x_out, a->x_mid, N * d);
        }
    }
    if (ln) hs_layernorm_forward(m->lnf, m->lnf_mean, m->lnf_rstd, m->x_final, m->p.lnf_w, m->p.lnf_b, N, d);
    hs_matmul_forward(m->logits, m->lnf, m->p.out_w, m->p.out_b, N, d, s->vocab);
    m->loss = hs_softmax_xent_forward(m->probs, m->logits, target, supervised, N, s->vocab,
                                      &m->n_supervised);
    return m->loss;
}

void hs_model_zero_grad(hs_model *m)
{
    memset(m->grads, 0, m->n_params * sizeof(float));
}

void hs_model_backward(hs_model *m)
{
    const hs_model_shape *s = &m->shape;
    int B = m->B, T = s->seq_len, d = s->d_model, H = s->heads, h = m->hidden, N = B * T;
    int V = s->vocab;
    bool ln = s->layernorm;
    scratch_views g;
    carver c = {m->scratch, 0};
    layout_scratch(m, &c, &g);

    hs_softmax_xent_backward(g.dlogits, m->probs, m->target, m->supervised, N, V, m->n_supervised);
    /* dres holds d(loss)/d(residual stream) as it flows down through the layers */
    if (ln) {
        hs_matmul_backward(g.dln, m->g.out_w, m->g.out_b, g.dlogits, m->lnf, m->p.out_w, N, d, V, false);
        memset(g.dres, 0, (size_t)N * d * sizeof(float));
        hs_layernorm_backward(g.dres, m->g.lnf_w, m->g.lnf_b, g.dln, m->x_final, m->p.lnf_w,
                              m->lnf_mean, m->lnf_rstd, N, d);
    } else {
        hs_matmul_backward(g.dres, m->g.out_w, m->g.out_b, g.dlogits, m->lnf, m->p.out_w, N, d, V, false);
    }
    for (int l = s->layers - 1; l >= 0; l--) {
        const hs_layer_params *p = &m->p.layer[l];
        hs_layer_params *gp = &m->g.layer[l];
        hs_layer_acts *a = &m->la[l];
        if (h) {
            hs_matmul_backward(g.dpre, gp->w2, gp->b2, g.dres, a->gelu, p->w2, N, h, d, false);
            hs_gelu_backward(g.dpre, g.dpre, a->pre, N * h);
            if (ln) {
                hs_matmul_backward(g.dln, gp->w1, gp->b1, g.dpre, a->ln2, p->w1, N, d, h, false);
                hs_layernorm_backward(g.dres, gp->ln2_w, gp->ln2_b, g.dln, a->x_mid, p->ln2_w,
                                      a->ln2_mean, a->ln2_rstd, N, d);
            } else {
                hs_matmul_backward(g.dres, gp->w1, gp->b1, g.dpre, a->ln2, p->w1, N, d, h, true);
            }
        }
        hs_matmul_backward(g.datty, gp->wo, gp->bo, g.dres, a->atty, p->wo, N, d, d, false);
        hs_attention_backward(g.dqkv, g.datt, g.datty, a->att, a->qkv, B, T, d, H);
        if (ln) {
            hs_matmul_backward(g.dln, gp->wqkv, gp->bqkv, g.dqkv, a->ln1, p->wqkv, N, d, 3 * d, false);
            hs_layernorm_backward(g.dres, gp->ln1_w, gp->ln1_b, g.dln, a->x, p->ln1_w, a->ln1_mean,
                                  a->ln1_rstd, N, d);
        } else {
            hs_matmul_backward(g.dres, gp->wqkv, gp->bqkv, g.dqkv, a->ln1, p->wqkv, N, d, 3 * d, true);
        }
    }
    hs_embed_backward(m->g.emb_par, m->g.emb_chi, m->g.emb_rel, g.dres, m->parent, m->child,
                      m->rel, N, d);
}

double hs_model_step_flops(const hs_model_shape *s, int B)
{
    double N = (double)B * s->seq_len, d = s->d_model, h = (double)s->mlp * s->d_model,
           T = s->seq_len;
    double per_layer = N * d * 3 * d + N * d * d + 2 * N * h * d /* linear maps */
                       + 2 * N * T * d;                           /* QK^T and P·V */
    double macs = s->layers * per_layer + N * d * s->vocab;
    return 3.0 * 2.0 * macs; /* forward, plus backward at twice the forward */
}
