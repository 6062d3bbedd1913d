/* ops.c — forward/backward pairs of every operation in the model.
 *
 * Matrix products go through the hs_gemm engine; the rest are single passes written so the
 * compiler vectorises them (-O3 -fopenmp-simd): exp and tanh use a branch-free polynomial
 * instead of libm, whose scalar calls would cost more than the matrix products at hopsweep's
 * sizes. HS_SIMD functions are compiled three times (AVX-512, AVX2+FMA, baseline) and the
 * loader picks the best for the CPU, so the build needs no -march=native. */
#include "hopsweep/ops.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) && !defined(HS_NO_MULTIVERSION)
#define HS_SIMD __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HS_SIMD
#endif

const char *hs_ops_isa(void)
{
#if defined(__x86_64__) && !defined(HS_NO_MULTIVERSION)
    /* the same test the loader makes between the target_clones versions */
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4")) return "x86-64-v4 (AVX-512)";
    if (__builtin_cpu_supports("x86-64-v3")) return "x86-64-v3 (AVX2, FMA)";
    return "x86-64 (baseline)";
#else
    return "one version, as compiled";
#endif
}

/* dst = beta·dst + v with beta 0 or 1, never reading dst when beta is 0 (it may be garbage). */
#define ACC(dst, v, beta) ((dst) = (beta) != 0.0f ? (dst) + (v) : (v))

/* Round to nearest even, as oneDNN and PyTorch convert; NaN stays NaN (quiet). Branch-free so
 * that loops over it vectorise. */
static inline hs_bf16 bf16_round(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    uint32_t r = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    uint32_t nan = (u >> 16) | 0x40u;
    return (hs_bf16)((u & 0x7fffffffu) > 0x7f800000u ? nan : r);
}

HS_SIMD void hs_bf16_from_f32(hs_bf16 *dst, const float *src, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) dst[i] = bf16_round(src[i]);
}

HS_SIMD void hs_f32_from_bf16(float *dst, const hs_bf16 *src, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)src[i] << 16;
        memcpy(&dst[i], &u, sizeof u);
    }
}

void hs_to_engine(const hs_gemm *g, void *dst, const float *src, size_t n)
{
    if (hs_gemm_precision(g) == HS_PRECISION_BF16) hs_bf16_from_f32(dst, src, n);
}

/* p advanced by n elements of the engine's input type. */
static const void *eoff(const hs_gemm *g, const void *p, size_t n)
{
    size_t size = hs_gemm_precision(g) == HS_PRECISION_BF16 ? sizeof(hs_bf16) : sizeof(float);
    return (const char *)p + n * size;
}

/* exp(x) for x in [-87, 88] to about 2 ulp: Cody–Waite reduction by ln 2 and a degree-6
 * polynomial (Cephes expf). Branch-free so loops over it vectorise. */
static inline float fast_expf(float x)
{
    /* Ternaries, not fminf/fmaxf (library calls without -ffast-math). Written so that NaN
     * fails both tests and is clamped too: the float-to-int conversion below must stay defined.
     * A NaN still reaches the loss through the target's logit. */
    x = x > -87.0f ? x : -87.0f;
    x = x < 88.0f ? x : 88.0f;
    float n = floorf(x * 1.44269504088896341f + 0.5f);
    float r = x - n * 0.693359375f + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * r * r + r + 1.0f;
    uint32_t bits = (uint32_t)((int32_t)n + 127) << 23; /* 2^n as a float's exponent field */
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return y * scale;
}

static inline float row_max(const float *x, int n)
{
    float mx = x[0];
#pragma omp simd reduction(max : mx)
    for (int j = 1; j < n; j++) mx = x[j] > mx ? x[j] : mx;
    return mx;
}

static inline float fast_tanhf(float x) { return 1.0f - 2.0f / (fast_expf(2.0f * x) + 1.0f); }

void hs_embed_forward(float *out, const int32_t *parent, const int32_t *child, const int32_t *rel,
                      const float *emb_par, const float *emb_chi, const float *emb_rel, int N,
                      int d)
{
    for (int n = 0; n < N; n++) {
        const float *a = emb_par + (size_t)parent[n] * d;
        const float *c = emb_chi + (size_t)child[n] * d;
        float *o = out + (size_t)n * d;
        for (int i = 0; i < d; i++) o[i] = a[i] + c[i];
        if (emb_rel) {
            const float *r = emb_rel + (size_t)rel[n] * d;
            for (int i = 0; i < d; i++) o[i] += r[i];
        }
    }
}

void hs_embed_backward(float *demb_par, float *demb_chi, float *demb_rel, const float *dout,
                       const int32_t *parent, const int32_t *child, const int32_t *rel, int N,
                       int d)
{
    for (int n = 0; n < N; n++) {
        float *a = demb_par + (size_t)parent[n] * d;
        float *c = demb_chi + (size_t)child[n] * d;
        const float *g = dout + (size_t)n * d;
        for (int i = 0; i < d; i++) {
            a[i] += g[i];
            c[i] += g[i];
        }
        if (demb_rel) {
            float *r = demb_rel + (size_t)rel[n] * d;
            for (int i = 0; i < d; i++) r[i] += g[i];
        }
    }
}

HS_SIMD void hs_layernorm_forward(float *out, hs_bf16 *out_h, float *mean, float *rstd,
                                  const float *x, const float *w, const float *b, int N, int d)
{
    for (int n = 0; n < N; n++) {
        const float *xr = x + (size_t)n * d;
        float *o = out ? out + (size_t)n * d : NULL;
        float s = 0.0f;
#pragma omp simd reduction(+ : s)
        for (int i = 0; i < d; i++) s += xr[i];
        float m = s / d;
        float v = 0.0f;
#pragma omp simd reduction(+ : v)
        for (int i = 0; i < d; i++) v += (xr[i] - m) * (xr[i] - m);
        float r = 1.0f / sqrtf(v / d + HS_LN_EPS);
        hs_bf16 *oh = out_h ? out_h + (size_t)n * d : NULL;
        if (!oh) {
#pragma omp simd
            for (int i = 0; i < d; i++) o[i] = (xr[i] - m) * r * w[i] + b[i];
        } else if (!out) {
#pragma omp simd
            for (int i = 0; i < d; i++) oh[i] = bf16_round((xr[i] - m) * r * w[i] + b[i]);
        } else {
#pragma omp simd
            for (int i = 0; i < d; i++) {
                o[i] = (xr[i] - m) * r * w[i] + b[i];
                oh[i] = bf16_round(o[i]);
            }
        }
        mean[n] = m;
        rstd[n] = r;
    }
}

HS_SIMD void hs_layernorm_backward(float *dx, hs_bf16 *dx_h, float *dw, float *db,
                                   const float *dout, const float *x, const float *w,
                                   const float *mean, const float *rstd, int N, int d, float beta)
{
    for (int n = 0; n < N; n++) {
        const float *xr = x + (size_t)n * d;
        const float *g = dout + (size_t)n * d;
        float *dxr = dx + (size_t)n * d;
        float m = mean[n], r = rstd[n];
        /* dx = r * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = dout * w */
        float s1 = 0.0f, s2 = 0.0f;
#pragma omp simd reduction(+ : s1, s2)
        for (int i = 0; i < d; i++) {
            float xhat = (xr[i] - m) * r;
            float dxhat = g[i] * w[i];
            s1 += dxhat;
            s2 += dxhat * xhat;
        }
        s1 /= d;
        s2 /= d;
#pragma omp simd
        for (int i = 0; i < d; i++) {
            float xhat = (xr[i] - m) * r;
            dw[i] += g[i] * xhat;
            db[i] += g[i];
            ACC(dxr[i], r * (g[i] * w[i] - s1 - xhat * s2), beta);
        }
        if (dx_h) {
            hs_bf16 *dh = dx_h + (size_t)n * d;
#pragma omp simd
            for (int i = 0; i < d; i++) dh[i] = bf16_round(dxr[i]);
        }
    }
}

HS_SIMD static void add_bias(float *out, const float *b, int N, int m)
{
    for (int n = 0; n < N; n++) {
        float *o = out + (size_t)n * m;
#pragma omp simd
        for (int j = 0; j < m; j++) o[j] += b[j];
    }
}

HS_SIMD static void sum_rows(float *db, const float *dout, int N, int m)
{
    for (int n = 0; n < N; n++) {
        const float *g = dout + (size_t)n * m;
#pragma omp simd
        for (int j = 0; j < m; j++) db[j] += g[j];
    }
}

void hs_matmul_forward(hs_gemm *g, float *out, const void *x, const void *w, const float *b, int N,
                       int k, int m)
{
    hs_gemm_desc d = {.M = N,
                      .N = m,
                      .K = k,
                      .trans_b = 1,
                      .lda = k,
                      .ldb = k,
                      .ldc = m,
                      .batch1 = 1,
                      .batch2 = 1,
                      .alpha = 1.0f};
    hs_gemm_run(g, &d, x, w, out);
    if (b) add_bias(out, b, N, m);
}

void hs_matmul_backward(hs_gemm *g, float *dx, float *dw, float *db, const float *dout,
                        const void *dout_e, const void *x, const void *w, int N, int k, int m,
                        float beta)
{
    if (dx) {
        hs_gemm_desc d = {.M = N,
                          .N = k,
                          .K = m,
                          .lda = m,
                          .ldb = k,
                          .ldc = k,
                          .batch1 = 1,
                          .batch2 = 1,
                          .alpha = 1.0f,
                          .beta = beta};
        hs_gemm_run(g, &d, dout_e, w, dx);
    }
    hs_gemm_desc d = {.M = m,
                      .N = k,
                      .K = N,
                      .trans_a = 1,
                      .lda = m,
                      .ldb = k,
                      .ldc = k,
                      .batch1 = 1,
                      .batch2 = 1,
                      .alpha = 1.0f,
                      .beta = 1.0f};
    hs_gemm_run(g, &d, dout_e, x, dw);
    if (db) sum_rows(db, dout, N, m);
}

/* dst = softmax(src) over the first `valid` entries, 0 past them (the causal mask); dst may be
 * src. Returns the sum of exp(src - max) and stores the max, from which the loss takes its
 * log-sum-exp. */
static inline float softmax_row(float *dst, const float *src, int n, int valid, float *max_out)
{
    float mx = row_max(src, valid);
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int j = 0; j < valid; j++) {
        dst[j] = fast_expf(src[j] - mx);
        s += dst[j];
    }
    float inv = 1.0f / s;
#pragma omp simd
    for (int j = 0; j < valid; j++) dst[j] *= inv;
    for (int j = valid; j < n; j++) dst[j] = 0.0f;
    if (max_out) *max_out = mx;
    return s;
}

/* Softmax of every row of att[rows][T] in place, causal rows cut at their position; att_h (NULL
 * at fp32) receives the rounded copy row by row while it is in cache. */
HS_SIMD static void softmax_rows(float *att, hs_bf16 *att_h, size_t rows, int T, bool causal)
{
    for (size_t r = 0; r < rows; r++) {
        float *row = att + r * T;
        softmax_row(row, row, T, causal ? (int)(r % T) + 1 : T, NULL);
        if (att_h) {
            hs_bf16 *rh = att_h + r * T;
#pragma omp simd
            for (int j = 0; j < T; j++) rh[j] = bf16_round(row[j]);
        }
    }
}

/* dS = P ⊙ (dP − rowsum(P ⊙ dP)) in place of dP; masked entries have P = 0. */
HS_SIMD static void softmax_rows_backward(float *dp, hs_bf16 *dp_h, const float *p, size_t rows,
                                          int T)
{
    for (size_t r = 0; r < rows; r++) {
        const float *pr = p + r * T;
        float *dr = dp + r * T;
        float s = 0.0f;
#pragma omp simd reduction(+ : s)
        for (int j = 0; j < T; j++) s += pr[j] * dr[j];
#pragma omp simd
        for (int j = 0; j < T; j++) dr[j] = pr[j] * (dr[j] - s);
        if (dp_h) {
            hs_bf16 *rh = dp_h + r * T;
#pragma omp simd
            for (int j = 0; j < T; j++) rh[j] = bf16_round(dr[j]);
        }
    }
}

/* oneDNN 2.6 runs contiguous operands on its brgemm kernels, while strided views of the [B*T][3d]
 * rows fall back to gemm:jit (10x slower on AMX), and an output scale to a scalar loop. */
hs_gemm_desc hs_head_batch(int BH, int M, int N, int K, bool ta, bool tb)
{
    size_t a = (size_t)M * K, b = (size_t)K * N, c = (size_t)M * N;
    return (hs_gemm_desc){.M = M,
                          .N = N,
                          .K = K,
                          .trans_a = ta,
                          .trans_b = tb,
                          .lda = ta ? M : K,
                          .ldb = tb ? K : N,
                          .ldc = N,
                          .batch1 = BH,
                          .batch2 = 1,
                          .sa1 = a,
                          .sa2 = a,
                          .sb1 = b,
                          .sb2 = b,
                          .sc1 = c,
                          .sc2 = c,
                          .alpha = 1.0f};
}

HS_SIMD void hs_heads_from_rows(const hs_gemm *g, void *dst, const float *src, const float *bias,
                                int parts, float scale0, int B, int T, int d, int H)
{
    int dh = d / H;
    bool bf16 = hs_gemm_precision(g) == HS_PRECISION_BF16;
    size_t block = (size_t)B * T * d; /* one part, all heads */
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            const float *row = src + ((size_t)b * T + t) * parts * d;
            for (int p = 0; p < parts; p++) {
                float sc = p == 0 ? scale0 : 1.0f;
                for (int h = 0; h < H; h++) {
                    const float *x = row + (size_t)p * d + (size_t)h * dh;
                    const float *bi = bias ? bias + (size_t)p * d + (size_t)h * dh : NULL;
                    size_t at = p * block + (((size_t)b * H + h) * T + t) * dh;
                    if (bf16) {
                        hs_bf16 *o = (hs_bf16 *)dst + at;
#pragma omp simd
                        for (int i = 0; i < dh; i++)
                            o[i] = bf16_round((x[i] + (bi ? bi[i] : 0.0f)) * sc);
                    } else {
                        float *o = (float *)dst + at;
#pragma omp simd
                        for (int i = 0; i < dh; i++) o[i] = (x[i] + (bi ? bi[i] : 0.0f)) * sc;
                    }
                }
            }
        }
}

HS_SIMD void hs_rows_from_heads(float *dst, hs_bf16 *dst_h, float *db, const float *src, int parts,
                                float scale0, int B, int T, int d, int H, float beta)
{
    int dh = d / H;
    size_t block = (size_t)B * T * d;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            size_t r = ((size_t)b * T + t) * parts * d;
            for (int p = 0; p < parts; p++) {
                float sc = p == 0 ? scale0 : 1.0f;
                for (int h = 0; h < H; h++) {
                    const float *x = src + p * block + (((size_t)b * H + h) * T + t) * dh;
                    size_t col = (size_t)p * d + (size_t)h * dh, at = r + col;
                    float *gb = db ? db + col : NULL;
                    if (!dst) { /* bf16 only: the products read nothing else */
                        hs_bf16 *oh = dst_h + at;
#pragma omp simd
                        for (int i = 0; i < dh; i++) oh[i] = bf16_round(x[i] * sc);
                        if (gb) {
#pragma omp simd
                            for (int i = 0; i < dh; i++) gb[i] += x[i] * sc;
                        }
                        continue;
                    }
                    float *o = dst + at;
#pragma omp simd
                    for (int i = 0; i < dh; i++) ACC(o[i], x[i] * sc, beta);
                    if (dst_h) {
                        hs_bf16 *oh = dst_h + at;
#pragma omp simd
                        for (int i = 0; i < dh; i++) oh[i] = bf16_round(o[i]);
                    }
                    if (gb) {
#pragma omp simd
                        for (int i = 0; i < dh; i++) gb[i] += o[i];
                    }
                }
            }
        }
}

void hs_attention_forward(hs_gemm *g, float *out, float *att, void *att_e, const void *qkv, int B,
                          int T, int d, int H, bool causal)
{
    int dh = d / H, BH = B * H;
    size_t part = (size_t)B * T * d;
    bool bf16 = hs_gemm_precision(g) == HS_PRECISION_BF16;
    /* S = Q·K^T, Q already scaled */
    hs_gemm_desc s = hs_head_batch(BH, T, T, dh, false, true);
    hs_gemm_run(g, &s, qkv, eoff(g, qkv, part), att);
    softmax_rows(att, bf16 ? att_e : NULL, (size_t)BH * T, T, causal);
    /* O = P·V */
    hs_gemm_desc o = hs_head_batch(BH, T, dh, T, false, false);
    hs_gemm_run(g, &o, att_e, eoff(g, qkv, 2 * part), out);
}

void hs_attention_backward(hs_gemm *g, float *dqkv, float *dscore, void *dscore_e, const void *dout,
                           const float *att, const void *att_e, const void *qkv, int B, int T,
                           int d, int H)
{
    int dh = d / H, BH = B * H;
    size_t part = (size_t)B * T * d;
    bool bf16 = hs_gemm_precision(g) == HS_PRECISION_BF16;
    /* dP = dO·V^T */
    hs_gemm_desc dp = hs_head_batch(BH, T, T, dh, false, true);
    hs_gemm_run(g, &dp, dout, eoff(g, qkv, 2 * part), dscore);
    /* dV = P^T·dO */
    hs_gemm_desc dv = hs_head_batch(BH, T, dh, T, true, false);
    hs_gemm_run(g, &dv, att_e, dout, dqkv + 2 * part);
    softmax_rows_backward(dscore, bf16 ? dscore_e : NULL, att, (size_t)BH * T, T);
    /* S = Q·K^T: dQ = dS·K, dK = dS^T·Q */
    hs_gemm_desc dq = hs_head_batch(BH, T, dh, T, false, false);
    hs_gemm_run(g, &dq, dscore_e, eoff(g, qkv, part), dqkv);
    hs_gemm_desc dk = hs_head_batch(BH, T, dh, T, true, false);
    hs_gemm_run(g, &dk, dscore_e, qkv, dqkv + part);
}

#define GELU_C 0.7978845608028654f /* sqrt(2/pi) */

static inline float gelu(float v)
{
    return 0.5f * v * (1.0f + fast_tanhf(GELU_C * (v + 0.044715f * v * v * v)));
}

static inline float gelu_grad(float v)
{
    float th = fast_tanhf(GELU_C * (v + 0.044715f * v * v * v));
    float sech2 = 1.0f - th * th;
    return 0.5f * (1.0f + th) + 0.5f * v * sech2 * GELU_C * (1.0f + 3.0f * 0.044715f * v * v);
}

/* One pass per row: the bias add, GELU and the bf16 rounding, where they were three. The sum
 * x + b is not stored: backward adds it again, the same float add, which costs less than
 * writing and reading back the [N][m] block. */
HS_SIMD void hs_gelu_forward(float *out, hs_bf16 *out_h, const float *x, const float *b, int N,
                             int m)
{
    for (int n = 0; n < N; n++) {
        const float *xr = x + (size_t)n * m;
        float *o = out ? out + (size_t)n * m : NULL;
        hs_bf16 *oh = out_h ? out_h + (size_t)n * m : NULL;
        if (!oh) {
#pragma omp simd
            for (int j = 0; j < m; j++) o[j] = gelu(xr[j] + b[j]);
        } else if (!o) {
#pragma omp simd
            for (int j = 0; j < m; j++) oh[j] = bf16_round(gelu(xr[j] + b[j]));
        } else {
#pragma omp simd
            for (int j = 0; j < m; j++) {
                o[j] = gelu(xr[j] + b[j]);
                oh[j] = bf16_round(o[j]);
            }
        }
    }
}

/* One pass per row: GELU's gradient, its bf16 rounding and the bias-gradient row sum. */
HS_SIMD void hs_gelu_backward(float *dx, hs_bf16 *dx_h, float *db, const float *dout,
                              const float *x, const float *b, int N, int m, float beta)
{
    for (int n = 0; n < N; n++) {
        const float *xr = x + (size_t)n * m, *g = dout + (size_t)n * m;
        hs_bf16 *dh = dx_h ? dx_h + (size_t)n * m : NULL;
        if (!dx) { /* bf16 only: the products read nothing else */
#pragma omp simd
            for (int j = 0; j < m; j++) {
                float v = g[j] * gelu_grad(xr[j] + b[j]);
                dh[j] = bf16_round(v);
                if (db) db[j] += v;
            }
            continue;
        }
        float *dr = dx + (size_t)n * m;
#pragma omp simd
        for (int j = 0; j < m; j++) ACC(dr[j], g[j] * gelu_grad(xr[j] + b[j]), beta);
        if (dh) {
#pragma omp simd
            for (int j = 0; j < m; j++) dh[j] = bf16_round(dr[j]);
        }
        if (db) {
#pragma omp simd
            for (int j = 0; j < m; j++) db[j] += dr[j];
        }
    }
}

HS_SIMD void hs_residual_forward(float *out, const float *b, const float *res, int N, int m)
{
    for (int n = 0; n < N; n++) {
        float *o = out + (size_t)n * m;
        const float *r = res + (size_t)n * m;
        if (b) {
#pragma omp simd
            for (int j = 0; j < m; j++) o[j] = (o[j] + b[j]) + r[j];
        } else {
#pragma omp simd
            for (int j = 0; j < m; j++) o[j] += r[j];
        }
    }
}

HS_SIMD float hs_softmax_xent_forward(float *probs, const float *logits, const int32_t *target,
                                      const uint8_t *supervised, int N, int V, int *n_supervised)
{
    double loss = 0.0;
    int count = 0;
    for (int n = 0; n < N; n++) {
        const float *l = logits + (size_t)n * V;
        float *p = probs + (size_t)n * V;
        float mx;
        float s = softmax_row(p, l, V, V, &mx);
        if (target && (!supervised || supervised[n])) {
            /* log-sum-exp form: finite even when the target's probability underflows */
            loss += log((double)s) + mx - l[target[n]];
            count++;
        }
    }
    if (n_supervised) *n_supervised = count;
    return count ? (float)(loss / count) : 0.0f;
}

HS_SIMD void hs_softmax_xent_backward(float *dlogits, const float *probs, const int32_t *target,
                                      const uint8_t *supervised, int N, int V, int n_supervised,
                                      float beta)
{
    float inv = n_supervised ? 1.0f / n_supervised : 0.0f;
    for (int n = 0; n < N; n++) {
        float *g = dlogits + (size_t)n * V;
        if (supervised && !supervised[n]) {
            if (beta == 0.0f) memset(g, 0, (size_t)V * sizeof *g);
            continue;
        }
        const float *p = probs + (size_t)n * V;
#pragma omp simd
        for (int j = 0; j < V; j++) ACC(g[j], p[j] * inv, beta);
        g[target[n]] -= inv;
    }
}
