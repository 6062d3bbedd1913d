/* ops.c — forward/backward pairs of every operation in the model.
 *
 * Matrix products go through cblas_sgemm; the rest are single passes written so GCC vectorises
 * them (-O3 -fopenmp-simd): exp and tanh use a branch-free polynomial instead of libm, whose
 * scalar calls would cost more than the matrix products at hopsweep's sizes. */
#include "hopsweep/ops.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

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

static inline float fast_tanhf(float x)
{
    return 1.0f - 2.0f / (fast_expf(2.0f * x) + 1.0f);
}

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

void hs_layernorm_forward(float *out, float *mean, float *rstd, const float *x, const float *w,
                          const float *b, int N, int d)
{
    for (int n = 0; n < N; n++) {
        const float *xr = x + (size_t)n * d;
        float *o = out + (size_t)n * d;
        float s = 0.0f;
#pragma omp simd reduction(+ : s)
        for (int i = 0; i < d; i++) s += xr[i];
        float m = s / d;
        float v = 0.0f;
#pragma omp simd reduction(+ : v)
        for (int i = 0; i < d; i++) v += (xr[i] - m) * (xr[i] - m);
        float r = 1.0f / sqrtf(v / d + HS_LN_EPS);
        for (int i = 0; i < d; i++) o[i] = (xr[i] - m) * r * w[i] + b[i];
        mean[n] = m;
        rstd[n] = r;
    }
}

void hs_layernorm_backward(float *dx, float *dw, float *db, const float *dout, const float *x,
                           const float *w, const float *mean, const float *rstd, int N, int d)
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
        for (int i = 0; i < d; i++) {
            float xhat = (xr[i] - m) * r;
            dw[i] += g[i] * xhat;
            db[i] += g[i];
            dxr[i] += r * (g[i] * w[i] - s1 - xhat * s2);
        }
    }
}

void hs_matmul_forward(float *out, const float *x, const float *w, const float *b, int N, int k,
                       int m)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, m, k, 1.0f, x, k, w, k, 0.0f, out, m);
    if (b) {
        for (int n = 0; n < N; n++) {
            float *o = out + (size_t)n * m;
            for (int j = 0; j < m; j++) o[j] += b[j];
        }
    }
}

void hs_matmul_backward(float *dx, float *dw, float *db, const float *dout, const float *x,
                        const float *w, int N, int k, int m, bool accumulate)
{
    if (dx)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, k, m, 1.0f, dout, m, w, k,
                    accumulate ? 1.0f : 0.0f, dx, k);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, k, N, 1.0f, dout, m, x, k, 1.0f, dw, k);
    if (db) {
        for (int n = 0; n < N; n++) {
            const float *g = dout + (size_t)n * m;
            for (int j = 0; j < m; j++) db[j] += g[j];
        }
    }
}

/* dst = softmax(src) over the first `valid` entries, 0 past them (the causal mask); dst may be
 * src. Returns the sum of exp(src - max) and stores the max, from which the loss takes its
 * log-sum-exp. */
static float softmax_row(float *dst, const float *src, int n, int valid, float *max_out)
{
    float mx = row_max(src, valid);
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int j = 0; j < valid; j++) {
        dst[j] = fast_expf(src[j] - mx);
        s += dst[j];
    }
    float inv = 1.0f / s;
    for (int j = 0; j < valid; j++) dst[j] *= inv;
    for (int j = valid; j < n; j++) dst[j] = 0.0f;
    if (max_out) *max_out = mx;
    return s;
}

void hs_attention_forward(float *out, float *att, const float *qkv, int B, int T, int d, int H,
                          bool causal)
{
    int dh = d / H, ld = 3 * d;
    float scale = 1.0f / sqrtf((float)dh);
    for (int b = 0; b < B; b++) {
        const float *q = qkv + (size_t)b * T * ld;
        for (int h = 0; h < H; h++) {
            float *p = att + ((size_t)b * H + h) * T * T;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, dh, scale, q + h * dh, ld,
                        q + d + h * dh, ld, 0.0f, p, T);
            for (int t = 0; t < T; t++) {
                float *row = p + (size_t)t * T;
                softmax_row(row, row, T, causal ? t + 1 : T, NULL);
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, dh, T, 1.0f, p, T,
                        q + 2 * d + h * dh, ld, 0.0f, out + (size_t)b * T * d + h * dh, d);
        }
    }
}

void hs_attention_backward(float *dqkv, float *dscratch, const float *dout, const float *att,
                           const float *qkv, int B, int T, int d, int H)
{
    int dh = d / H, ld = 3 * d;
    float scale = 1.0f / sqrtf((float)dh);
    for (int b = 0; b < B; b++) {
        const float *q = qkv + (size_t)b * T * ld;
        float *dq = dqkv + (size_t)b * T * ld;
        const float *g = dout + (size_t)b * T * d;
        for (int h = 0; h < H; h++) {
            const float *p = att + ((size_t)b * H + h) * T * T;
            float *dp = dscratch;
            /* dP = dO·V^T, dV = P^T·dO */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, dh, 1.0f, g + h * dh, d,
                        q + 2 * d + h * dh, ld, 0.0f, dp, T);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, dh, T, 1.0f, p, T, g + h * dh,
                        d, 0.0f, dq + 2 * d + h * dh, ld);
            /* softmax backward: dS = P ⊙ (dP − rowsum(P ⊙ dP)); masked entries have P = 0 */
            for (int t = 0; t < T; t++) {
                const float *pr = p + (size_t)t * T;
                float *dr = dp + (size_t)t * T;
                float s = 0.0f;
#pragma omp simd reduction(+ : s)
                for (int j = 0; j < T; j++) s += pr[j] * dr[j];
                for (int j = 0; j < T; j++) dr[j] = pr[j] * (dr[j] - s);
            }
            /* S = scale·Q·K^T: dQ = scale·dS·K, dK = scale·dS^T·Q */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, dh, T, scale, dp, T,
                        q + d + h * dh, ld, 0.0f, dq + h * dh, ld);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, dh, T, scale, dp, T, q + h * dh,
                        ld, 0.0f, dq + d + h * dh, ld);
        }
    }
}

#define GELU_C 0.7978845608028654f /* sqrt(2/pi) */

void hs_gelu_forward(float *out, const float *x, int n)
{
#pragma omp simd
    for (int i = 0; i < n; i++) {
        float v = x[i];
        out[i] = 0.5f * v * (1.0f + fast_tanhf(GELU_C * (v + 0.044715f * v * v * v)));
    }
}

void hs_gelu_backward(float *dx, const float *dout, const float *x, int n)
{
#pragma omp simd
    for (int i = 0; i < n; i++) {
        float v = x[i];
        float th = fast_tanhf(GELU_C * (v + 0.044715f * v * v * v));
        float sech2 = 1.0f - th * th;
        float dgelu = 0.5f * (1.0f + th) + 0.5f * v * sech2 * GELU_C * (1.0f + 3.0f * 0.044715f * v * v);
        dx[i] = dout[i] * dgelu;
    }
}

void hs_residual_forward(float *out, const float *a, const float *b, int n)
{
    for (int i = 0; i < n; i++) out[i] = a[i] + b[i];
}

float hs_softmax_xent_forward(float *probs, const float *logits, const int32_t *target,
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

void hs_softmax_xent_backward(float *dlogits, const float *probs, const int32_t *target,
                              const uint8_t *supervised, int N, int V, int n_supervised)
{
    float inv = n_supervised ? 1.0f / n_supervised : 0.0f;
    for (int n = 0; n < N; n++) {
        float *g = dlogits + (size_t)n * V;
        if (supervised && !supervised[n]) {
            memset(g, 0, (size_t)V * sizeof *g);
            continue;
        }
        const float *p = probs + (size_t)n * V;
        for (int j = 0; j < V; j++) g[j] = p[j] * inv;
        g[target[n]] -= inv;
    }
}
