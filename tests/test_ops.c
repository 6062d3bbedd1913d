/* test_ops.c — finite-difference gradient checks of every op in ops.c on its own.
 *
 * Each check takes f(inputs) = Σ r·out for a fixed random r, gets the analytic gradient from the
 * op's backward with dout = r, and compares it with central differences on every input element.
 * Float32 throughout, so differences use eps 1e-2 on O(1) inputs and f is summed in double.
 * Each backward is also checked against the gradient rule of ops.h: beta 0 ignores what dx held
 * (NaN there), beta 1 adds to it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hopsweep/ops.h"
#include "hopsweep/rng.h"

#define EPS 1e-2f
#define TOL 2e-3 /* max |numeric - analytic| relative to the largest analytic entry */

static hs_rng rng;
static hs_gemm *gemm; /* fp32: the finite differences need full precision */

static float *randn(size_t n, float scale)
{
    float *p = malloc(n * sizeof *p);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) p[i] = scale * hs_rng_normal(&rng);
    return p;
}

static double dot(const float *a, const float *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

/* The op under test as f(inputs) = Σ r·out, re-evaluated after each perturbation. */
typedef double (*objective)(void *ctx);

/* Compares the analytic gradient `ana` of x with central differences of f. */
static void check_gradient(const char *what, float *x, const float *ana, size_t n, objective f,
                           void *ctx)
{
    double gmax = 0.0, worst = 0.0;
    size_t worst_i = 0;
    for (size_t i = 0; i < n; i++) gmax = fmax(gmax, fabs(ana[i]));
    for (size_t i = 0; i < n; i++) {
        float keep = x[i];
        x[i] = keep + EPS;
        double fp = f(ctx);
        x[i] = keep - EPS;
        double fm = f(ctx);
        x[i] = keep;
        double num = (fp - fm) / (2.0 * EPS);
        double e = fabs(num - ana[i]);
        if (e > worst) {
            worst = e;
            worst_i = i;
        }
    }
    double rel = worst / fmax(gmax, 1e-12);
    if (rel > TOL)
        fail_msg("%s: gradient mismatch at %zu: analytic %g, relative error %.3g (max |g| %g)",
                 what, worst_i, ana[worst_i], rel, gmax);
    assert_true(gmax > 0.0); /* a zero gradient would pass trivially */
}

/* The op's backward again on the same inputs with beta 1 into a buffer of ones: it must add
 * exactly what beta 0 wrote (`first`). */
typedef void (*backward_again)(void *ctx, float *dx);

static void check_accumulates(const char *what, const float *first, size_t n, void *ctx,
                              backward_again again)
{
    float *acc = malloc(n * sizeof *acc);
    assert_non_null(acc);
    for (size_t i = 0; i < n; i++) acc[i] = 1.0f;
    again(ctx, acc);
    for (size_t i = 0; i < n; i++)
        if (fabsf(acc[i] - (first[i] + 1.0f)) > 1e-5f * (1.0f + fabsf(first[i])))
            fail_msg("%s: beta 1 gave %g at %zu, expected %g", what, acc[i], i, first[i] + 1.0f);
    free(acc);
}

/* ---- bf16 rounding ---- */
static void test_bf16_round(void **state)
{
    /* 1 + 2^-8 lies halfway between bf16 neighbours 1 and 1 + 2^-7: ties go to the even one (1);
     * 1 + 3·2^-8 ties between 1 + 2^-7 (odd) and 1 + 2^-6 (even). */
    float in[6] = {1.0f, 1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f, -2.5f, INFINITY, NAN}, out[6];
    hs_bf16 h[6];
    hs_bf16_from_f32(h, in, 6);
    hs_f32_from_bf16(out, h, 6);
    assert_true(out[0] == 1.0f);
    assert_true(out[1] == 1.0f);
    assert_true(out[2] == 1.0f + 0x1p-6f);
    assert_true(out[3] == -2.5f);
    assert_true(isinf(out[4]) && out[4] > 0);
    assert_true(isnan(out[5]));
    /* every value is within half a unit in the 8th bit */
    float *x = randn(1000, 10.0f), *back = malloc(1000 * sizeof *back);
    hs_bf16 *xh = malloc(1000 * sizeof *xh);
    hs_bf16_from_f32(xh, x, 1000);
    hs_f32_from_bf16(back, xh, 1000);
    for (int i = 0; i < 1000; i++) assert_true(fabsf(back[i] - x[i]) <= fabsf(x[i]) * 0x1p-8f);
    free(x), free(back), free(xh);
}

/* ---- layernorm ---- */
typedef struct {
    int N, d;
    float *x, *w, *b, *out, *mean, *rstd, *r;
} ln_ctx;

static double ln_f(void *p)
{
    ln_ctx *c = p;
    hs_layernorm_forward(c->out, NULL, c->mean, c->rstd, c->x, c->w, c->b, c->N, c->d);
    return dot(c->out, c->r, (size_t)c->N * c->d);
}

static void ln_again(void *p, float *dx)
{
    ln_ctx *c = p;
    ln_f(c); /* the finite differences left mean and rstd of a perturbed x */
    float *dw = calloc(c->d, sizeof(float)), *db = calloc(c->d, sizeof(float));
    hs_layernorm_backward(dx, NULL, dw, db, c->r, c->x, c->w, c->mean, c->rstd, c->N, c->d, 1.0f);
    free(dw), free(db);
}

static void test_layernorm(void **state)
{
    ln_ctx c = {.N = 5, .d = 8};
    size_t n = (size_t)c.N * c.d;
    c.x = randn(n, 1.0f);
    c.w = randn(c.d, 1.0f);
    c.b = randn(c.d, 1.0f);
    c.r = randn(n, 1.0f);
    c.out = calloc(n, sizeof(float));
    c.mean = calloc(c.N, sizeof(float));
    c.rstd = calloc(c.N, sizeof(float));
    float *dx = calloc(n, sizeof(float)), *dw = calloc(c.d, sizeof(float)),
          *db = calloc(c.d, sizeof(float));
    ln_f(&c);
    for (size_t i = 0; i < n; i++) dx[i] = NAN; /* beta 0 must not read dx */
    hs_layernorm_backward(dx, NULL, dw, db, c.r, c.x, c.w, c.mean, c.rstd, c.N, c.d, 0.0f);
    check_gradient("layernorm dx", c.x, dx, n, ln_f, &c);
    check_accumulates("layernorm", dx, n, &c, ln_again);
    check_gradient("layernorm dw", c.w, dw, c.d, ln_f, &c);
    check_gradient("layernorm db", c.b, db, c.d, ln_f, &c);
    free(c.x), free(c.w), free(c.b), free(c.r), free(c.out), free(c.mean), free(c.rstd);
    free(dx), free(dw), free(db);
}

/* ---- matmul ---- */
typedef struct {
    int N, k, m;
    float *x, *w, *b, *out, *r;
} mm_ctx;

static double mm_f(void *p)
{
    mm_ctx *c = p;
    hs_matmul_forward(gemm, c->out, c->x, c->w, c->b, c->N, c->k, c->m);
    return dot(c->out, c->r, (size_t)c->N * c->m);
}

static void mm_again(void *p, float *dx)
{
    mm_ctx *c = p;
    float *dw = calloc((size_t)c->m * c->k, sizeof(float)), *db = calloc(c->m, sizeof(float));
    hs_matmul_backward(gemm, dx, dw, db, c->r, c->r, c->x, c->w, c->N, c->k, c->m, 1.0f);
    free(dw), free(db);
}

static void test_matmul(void **state)
{
    mm_ctx c = {.N = 6, .k = 5, .m = 7};
    c.x = randn((size_t)c.N * c.k, 1.0f);
    c.w = randn((size_t)c.m * c.k, 1.0f);
    c.b = randn(c.m, 1.0f);
    c.r = randn((size_t)c.N * c.m, 1.0f);
    c.out = calloc((size_t)c.N * c.m, sizeof(float));
    float *dx = calloc((size_t)c.N * c.k, sizeof(float));
    float *dw = calloc((size_t)c.m * c.k, sizeof(float)), *db = calloc(c.m, sizeof(float));
    mm_f(&c);
    for (int i = 0; i < c.N * c.k; i++) dx[i] = NAN;
    hs_matmul_backward(gemm, dx, dw, db, c.r, c.r, c.x, c.w, c.N, c.k, c.m, 0.0f);
    check_gradient("matmul dx", c.x, dx, (size_t)c.N * c.k, mm_f, &c);
    check_gradient("matmul dw", c.w, dw, (size_t)c.m * c.k, mm_f, &c);
    check_gradient("matmul db", c.b, db, c.m, mm_f, &c);
    check_accumulates("matmul", dx, (size_t)c.N * c.k, &c, mm_again);
    free(c.x), free(c.w), free(c.b), free(c.r), free(c.out), free(dx), free(dw), free(db);
}

/* ---- attention ---- */
/* Checked as the model runs it: q|k|v rows laid out head-major (q scaled), attention on the
 * head-major blocks, its output back to rows; the gradient of the rows is checked. */
typedef struct {
    int B, T, d, H;
    bool causal;
    float *qkv, *out, *att, *r, *scratch;
    float *qkvh, *heads, *dheads, *dqkvh; /* head-major workspace */
} at_ctx;

static float at_scale(const at_ctx *c) { return 1.0f / sqrtf((float)(c->d / c->H)); }

static double at_f(void *p)
{
    at_ctx *c = p;
    hs_heads_from_rows(gemm, c->qkvh, c->qkv, NULL, 3, at_scale(c), c->B, c->T, c->d, c->H);
    hs_attention_forward(gemm, c->heads, c->att, c->att, c->qkvh, c->B, c->T, c->d, c->H,
                         c->causal);
    hs_rows_from_heads(c->out, NULL, NULL, c->heads, 1, 1.0f, c->B, c->T, c->d, c->H, 0.0f);
    return dot(c->out, c->r, (size_t)c->B * c->T * c->d);
}

static void at_backward(at_ctx *c, float *dqkv, float beta)
{
    hs_heads_from_rows(gemm, c->dheads, c->r, NULL, 1, 1.0f, c->B, c->T, c->d, c->H);
    hs_attention_backward(gemm, c->dqkvh, c->scratch, c->scratch, c->dheads, c->att, c->att,
                          c->qkvh, c->B, c->T, c->d, c->H);
    hs_rows_from_heads(dqkv, NULL, NULL, c->dqkvh, 3, at_scale(c), c->B, c->T, c->d, c->H, beta);
}

static void at_again(void *p, float *dqkv)
{
    at_ctx *c = p;
    at_f(c);
    at_backward(c, dqkv, 1.0f);
}

static void attention_case(bool causal)
{
    at_ctx c = {.B = 2, .T = 5, .d = 8, .H = 2, .causal = causal};
    size_t nqkv = (size_t)c.B * c.T * 3 * c.d, nout = (size_t)c.B * c.T * c.d;
    c.qkv = randn(nqkv, 1.0f);
    c.r = randn(nout, 1.0f);
    c.out = calloc(nout, sizeof(float));
    c.att = calloc((size_t)c.B * c.H * c.T * c.T, sizeof(float));
    float *dqkv = calloc(nqkv, sizeof(float));
    c.scratch = calloc((size_t)c.B * c.H * c.T * c.T, sizeof(float));
    c.qkvh = calloc(nqkv, sizeof(float));
    c.dqkvh = calloc(nqkv, sizeof(float));
    c.heads = calloc(nout, sizeof(float));
    c.dheads = calloc(nout, sizeof(float));
    at_f(&c);
    /* rows of the probabilities sum to 1, and causal rows put no weight on the future */
    for (int row = 0; row < c.B * c.H * c.T; row++) {
        double s = 0.0;
        for (int j = 0; j < c.T; j++) {
            float p = c.att[(size_t)row * c.T + j];
            s += p;
            if (causal && j > row % c.T) assert_true(p == 0.0f);
        }
        assert_float_equal(s, 1.0, 1e-5);
    }
    for (size_t i = 0; i < nqkv; i++) dqkv[i] = NAN;
    at_backward(&c, dqkv, 0.0f);
    check_gradient(causal ? "causal attention dqkv" : "attention dqkv", c.qkv, dqkv, nqkv, at_f,
                   &c);
    check_accumulates("attention", dqkv, nqkv, &c, at_again);
    free(c.qkv), free(c.r), free(c.out), free(c.att), free(dqkv), free(c.scratch);
    free(c.qkvh), free(c.dqkvh), free(c.heads), free(c.dheads);
}

static void test_attention_bidirectional(void **state) { attention_case(false); }
static void test_attention_causal(void **state) { attention_case(true); }

/* ---- gelu ---- */
/* With the bias it adds (x + b) and, backward, the bias gradient and bf16 copy it makes. */
typedef struct {
    int N, m;
    float *x, *b, *out, *r;
} ge_ctx;

static double ge_f(void *p)
{
    ge_ctx *c = p;
    hs_gelu_forward(c->out, NULL, c->x, c->b, c->N, c->m);
    return dot(c->out, c->r, (size_t)c->N * c->m);
}

static void ge_again(void *p, float *dx)
{
    ge_ctx *c = p;
    ge_f(c);
    hs_gelu_backward(dx, NULL, NULL, c->r, c->x, c->b, c->N, c->m, 1.0f);
}

static void test_gelu(void **state)
{
    ge_ctx c = {.N = 4, .m = 16};
    size_t n = (size_t)c.N * c.m;
    c.x = randn(n, 2.0f);
    c.b = randn((size_t)c.m, 0.5f);
    c.r = randn(n, 1.0f);
    c.out = calloc(n, sizeof(float));
    float *dx = calloc(n, sizeof(float)), *db = calloc((size_t)c.m, sizeof(float));
    hs_bf16 *dx_h = calloc(n, sizeof(hs_bf16)), *want_h = calloc(n, sizeof(hs_bf16));
    ge_f(&c);
    /* the tanh form against libm, to well within what the reference check tolerates */
    for (size_t i = 0; i < n; i++) {
        double v = (double)c.x[i] + c.b[i % (size_t)c.m];
        double ref = 0.5 * v * (1.0 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
        assert_float_equal(c.out[i], ref, 1e-6 * (1.0 + fabs(ref)));
    }
    for (size_t i = 0; i < n; i++) dx[i] = NAN;
    hs_gelu_backward(dx, dx_h, db, c.r, c.x, c.b, c.N, c.m, 0.0f);
    check_gradient("gelu dx", c.x, dx, n, ge_f, &c);
    check_gradient("gelu db", c.b, db, (size_t)c.m, ge_f, &c);
    hs_bf16_from_f32(want_h, dx, n);
    assert_memory_equal(dx_h, want_h, n * sizeof(hs_bf16));
    check_accumulates("gelu", dx, n, &c, ge_again);
    free(c.x), free(c.b), free(c.r), free(c.out), free(dx), free(db);
    free(dx_h), free(want_h);
}

/* ---- bf16 shadows alone ---- */
/* At bf16 the model passes no f32 output where the products read only the shadow: each op must
 * then write the same shadow and bias gradient as with both, bit for bit. */
static void test_shadow_only(void **state)
{
    int N = 6, m = 40, B = 2, T = 3, d = 8, H = 2;
    size_t n = (size_t)N * m;
    float *x = randn(n, 2.0f), *b = randn((size_t)m, 0.5f), *g = randn(n, 1.0f);
    float *w = randn((size_t)m, 1.0f), *out = calloc(n, sizeof(float));
    float *mean = calloc((size_t)N, sizeof(float)), *rstd = calloc((size_t)N, sizeof(float));
    float *db1 = calloc((size_t)m, sizeof(float)), *db2 = calloc((size_t)m, sizeof(float));
    hs_bf16 *h1 = calloc(n, sizeof(hs_bf16)), *h2 = calloc(n, sizeof(hs_bf16));

    hs_layernorm_forward(out, h1, mean, rstd, x, w, b, N, m);
    hs_layernorm_forward(NULL, h2, mean, rstd, x, w, b, N, m);
    assert_memory_equal(h1, h2, n * sizeof(hs_bf16));
    /* backward's copy is its accumulated dx, rounded */
    memcpy(out, g, n * sizeof(float));
    hs_layernorm_backward(out, h1, db1, db2, g, x, w, mean, rstd, N, m, 1.0f);
    hs_bf16_from_f32(h2, out, n);
    assert_memory_equal(h1, h2, n * sizeof(hs_bf16));
    memset(db1, 0, (size_t)m * sizeof(float));
    memset(db2, 0, (size_t)m * sizeof(float));

    hs_gelu_forward(out, h1, x, b, N, m);
    hs_gelu_forward(NULL, h2, x, b, N, m);
    assert_memory_equal(h1, h2, n * sizeof(hs_bf16));

    hs_gelu_backward(out, h1, db1, g, x, b, N, m, 0.0f);
    hs_gelu_backward(NULL, h2, db2, g, x, b, N, m, 0.0f);
    assert_memory_equal(h1, h2, n * sizeof(hs_bf16));
    assert_memory_equal(db1, db2, (size_t)m * sizeof(float));

    /* the row sum made on the way back to rows is the one hs_matmul_backward would make */
    size_t nq = (size_t)B * T * 3 * d;
    float *heads = randn(nq, 1.0f), *rows = calloc(nq, sizeof(float));
    float *dq1 = calloc(3 * (size_t)d, sizeof(float)), *dq2 = calloc(3 * (size_t)d, sizeof(float));
    hs_rows_from_heads(rows, h1, NULL, heads, 3, 0.5f, B, T, d, H, 0.0f);
    for (int r = 0; r < B * T; r++)
        for (int j = 0; j < 3 * d; j++) dq1[j] += rows[(size_t)r * 3 * d + j];
    hs_rows_from_heads(NULL, h2, dq2, heads, 3, 0.5f, B, T, d, H, 0.0f);
    assert_memory_equal(h1, h2, nq * sizeof(hs_bf16));
    assert_memory_equal(dq1, dq2, 3 * (size_t)d * sizeof(float));
    memset(dq2, 0, 3 * (size_t)d * sizeof(float));
    hs_rows_from_heads(rows, NULL, dq2, heads, 3, 0.5f, B, T, d, H, 0.0f);
    assert_memory_equal(dq1, dq2, 3 * (size_t)d * sizeof(float));

    free(x), free(b), free(g), free(w), free(out), free(mean), free(rstd), free(db1), free(db2);
    free(h1), free(h2), free(heads), free(rows), free(dq1), free(dq2);
}

/* ---- embedding ---- */
typedef struct {
    int N, d, V, R;
    int32_t *parent, *child, *rel;
    float *ep, *ec, *er, *out, *r;
} em_ctx;

static double em_f(void *p)
{
    em_ctx *c = p;
    hs_embed_forward(c->out, c->parent, c->child, c->rel, c->ep, c->ec, c->er, c->N, c->d);
    return dot(c->out, c->r, (size_t)c->N * c->d);
}

/* R = 0 checks the two-table form (no relation table passed), R > 0 the third table too. */
static void embed_check(int R)
{
    em_ctx c = {.N = 7, .d = 4, .V = 5, .R = R};
    int32_t parent[7] = {0, 1, 1, 4, 2, 3, 1}, child[7] = {5, 2, 2, 0, 1, 5, 3};
    int32_t rel[7] = {0, 1, 2, 1, 0, 2, 1};
    c.parent = parent;
    c.child = child;
    c.rel = R ? rel : NULL;
    c.ep = randn((size_t)c.V * c.d, 1.0f);
    c.ec = randn((size_t)(c.V + 1) * c.d, 1.0f);
    c.er = R ? randn((size_t)R * c.d, 1.0f) : NULL;
    c.r = randn((size_t)c.N * c.d, 1.0f);
    c.out = calloc((size_t)c.N * c.d, sizeof(float));
    float *dep = calloc((size_t)c.V * c.d, sizeof(float));
    float *dec = calloc((size_t)(c.V + 1) * c.d, sizeof(float));
    float *der = R ? calloc((size_t)R * c.d, sizeof(float)) : NULL;
    em_f(&c);
    /* the sum the op claims, position by position */
    for (int n = 0; n < c.N; n++)
        for (int i = 0; i < c.d; i++) {
            float want = c.ep[parent[n] * c.d + i] + c.ec[child[n] * c.d + i] +
                         (R ? c.er[rel[n] * c.d + i] : 0.0f);
            assert_float_equal(c.out[n * c.d + i], want, 1e-6);
        }
    hs_embed_backward(dep, dec, der, c.r, c.parent, c.child, c.rel, c.N, c.d);
    check_gradient("embed par", c.ep, dep, (size_t)c.V * c.d, em_f, &c);
    check_gradient("embed chi", c.ec, dec, (size_t)(c.V + 1) * c.d, em_f, &c);
    if (R) check_gradient("embed rel", c.er, der, (size_t)R * c.d, em_f, &c);
    free(c.ep), free(c.ec), free(c.er), free(c.r), free(c.out), free(dep), free(dec), free(der);
}

static void test_embed(void **state) { embed_check(0); }
static void test_embed_relations(void **state) { embed_check(3); }

/* ---- softmax cross-entropy ---- */
typedef struct {
    int N, V;
    int32_t *target;
    uint8_t *sup;
    float *logits, *probs;
    int n_sup;
} xe_ctx;

static double xe_f(void *p)
{
    xe_ctx *c = p;
    return hs_softmax_xent_forward(c->probs, c->logits, c->target, c->sup, c->N, c->V, NULL);
}

static void xe_again(void *p, float *dl)
{
    xe_ctx *c = p;
    xe_f(c);
    hs_softmax_xent_backward(dl, c->probs, c->target, c->sup, c->N, c->V, c->n_sup, 1.0f);
}

static void test_softmax_xent(void **state)
{
    xe_ctx c = {.N = 6, .V = 9};
    int32_t target[6] = {0, 8, 3, 3, 1, 5};
    uint8_t sup[6] = {1, 0, 1, 1, 0, 1};
    c.target = target;
    c.sup = sup;
    c.logits = randn((size_t)c.N * c.V, 2.0f);
    c.probs = calloc((size_t)c.N * c.V, sizeof(float));
    float *dl = calloc((size_t)c.N * c.V, sizeof(float));
    int n_sup = 0;
    float loss = hs_softmax_xent_forward(c.probs, c.logits, c.target, c.sup, c.N, c.V, &n_sup);
    assert_int_equal(n_sup, 4);
    double ref = 0.0; /* the loss against a direct double-precision computation */
    for (int n = 0; n < c.N; n++) {
        if (!sup[n]) continue;
        double s = 0.0;
        for (int j = 0; j < c.V; j++) s += exp(c.logits[n * c.V + j]);
        ref += log(s) - c.logits[n * c.V + target[n]];
    }
    assert_float_equal(loss, ref / 4, 1e-5);
    for (int i = 0; i < c.N * c.V; i++) dl[i] = NAN;
    hs_softmax_xent_backward(dl, c.probs, c.target, c.sup, c.N, c.V, n_sup, 0.0f);
    check_gradient("softmax xent", c.logits, dl, (size_t)c.N * c.V, xe_f, &c);
    c.n_sup = n_sup;
    check_accumulates("softmax xent", dl, (size_t)c.N * c.V, &c, xe_again);
    /* unsupervised rows get no gradient */
    for (int j = 0; j < c.V; j++) assert_true(dl[1 * c.V + j] == 0.0f);
    /* no supervised rows: loss 0, no gradient, no division by zero */
    uint8_t none[6] = {0};
    assert_true(hs_softmax_xent_forward(c.probs, c.logits, c.target, none, c.N, c.V, &n_sup) ==
                0.0f);
    assert_int_equal(n_sup, 0);
    hs_softmax_xent_backward(dl, c.probs, c.target, none, c.N, c.V, 0, 0.0f);
    for (int i = 0; i < c.N * c.V; i++) assert_true(dl[i] == 0.0f);
    free(c.logits), free(c.probs), free(dl);
}

/* Extreme logits must give finite probabilities and a finite loss. */
static void test_softmax_extremes(void **state)
{
    float logits[4] = {1000.0f, -1000.0f, 0.0f, 999.0f}, probs[4];
    int32_t target[1] = {1};
    float loss = hs_softmax_xent_forward(probs, logits, target, NULL, 1, 4, NULL);
    assert_true(isfinite(loss));
    assert_float_equal(loss, 2000.0f + log1p(exp(-1.0)), 1e-2);
    for (int j = 0; j < 4; j++) assert_true(isfinite(probs[j]));
}

int main(void)
{
    hs_rng_seed(&rng, 42, 0);
    if (hs_gemm_create(&gemm, HS_PRECISION_FP32, NULL)) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bf16_round),       cmocka_unit_test(test_layernorm),
        cmocka_unit_test(test_matmul),           cmocka_unit_test(test_attention_bidirectional),
        cmocka_unit_test(test_attention_causal), cmocka_unit_test(test_gelu),
        cmocka_unit_test(test_shadow_only),      cmocka_unit_test(test_embed),
        cmocka_unit_test(test_embed_relations),  cmocka_unit_test(test_softmax_xent),
        cmocka_unit_test(test_softmax_extremes),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    hs_gemm_free(gemm);
    return failed;
}
