/* ops_gpt2.c — learned positions and dropout (ops_gpt2.h): elementwise loops, and attention with
 * dropped weights on the same batched products as ops.c's attention. */
#include "hopsweep/ops_gpt2.h"

#include <math.h>
#include <stdbool.h>

#include "hopsweep/ops.h"

void hs_positions_forward(float *x, const float *pos, int B, int T, int d)
{
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            float *row = x + ((size_t)b * T + t) * d;
            const float *p = pos + (size_t)t * d;
            for (int i = 0; i < d; i++) row[i] += p[i];
        }
}

void hs_positions_backward(float *dpos, const float *dx, int B, int T, int d)
{
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            const float *row = dx + ((size_t)b * T + t) * d;
            float *p = dpos + (size_t)t * d;
            for (int i = 0; i < d; i++) p[i] += row[i];
        }
}

void hs_dropout_mask(float *mask, size_t n, float p, hs_rng *rng)
{
    const float keep = 1.0f / (1.0f - p);
    for (size_t i = 0; i < n; i++) mask[i] = hs_rng_uniform(rng) < p ? 0.0f : keep;
}

void hs_dropout_apply(float *x, const float *mask, size_t n)
{
    for (size_t i = 0; i < n; i++) x[i] *= mask[i];
}

/* ---- attention with dropped weights ----
 * The products below are those of ops.c's attention (the same descriptors, so the engine's plans
 * are shared): per (example, head), P·V, dO·V^T, P^T·dO, dS·K and dS^T·Q on the head slices of
 * qkv [B*T][3d] and out/dout [B*T][d], and on att-shaped [B][H][T][T] squares. */

static const void *eoff(const hs_gemm *g, const void *p, size_t n)
{
    size_t size = hs_gemm_precision(g) == HS_PRECISION_BF16 ? sizeof(hs_bf16) : sizeof(float);
    return (const char *)p + n * size;
}

/* A [B][H] batch: op(A) M×K, op(B) K×N, A and C (or B) as the flags say. */
static hs_gemm_desc head_desc(int B, int H, int T, int M, int N, int K, int d, bool a_square,
                              int a_width, int b_width, int c_width, float alpha, float beta)
{
    const int dh = d / H;
    hs_gemm_desc s = {
        .M = M, .N = N, .K = K, .batch1 = B, .batch2 = H, .alpha = alpha, .beta = beta};
    if (a_square) {
        s.sa1 = (size_t)H * T * T, s.sa2 = (size_t)T * T, s.lda = T;
    } else {
        s.sa1 = (size_t)T * a_width, s.sa2 = (size_t)dh, s.lda = a_width;
    }
    s.sb1 = (size_t)T * b_width, s.sb2 = (size_t)dh, s.ldb = b_width;
    if (c_width) {
        s.sc1 = (size_t)T * c_width, s.sc2 = (size_t)dh, s.ldc = c_width;
    } else {
        s.sc1 = (size_t)H * T * T, s.sc2 = (size_t)T * T, s.ldc = T;
    }
    return s;
}

void hs_attention_dropout_forward(hs_gemm *g, float *out, float *att_drop, void *att_drop_e,
                                  const float *att, const float *mask, const void *qkv, int B,
                                  int T, int d, int H)
{
    const size_t n = (size_t)B * H * T * T;
    for (size_t i = 0; i < n; i++) att_drop[i] = att[i] * mask[i];
    hs_to_engine(g, att_drop_e, att_drop, n);
    /* O = P_drop·V, each head into its columns of out */
    hs_gemm_desc o = head_desc(B, H, T, T, d / H, T, d, true, 0, 3 * d, d, 1.0f, 0.0f);
    hs_gemm_run(g, &o, att_drop_e, eoff(g, qkv, 2 * (size_t)d), out);
}

void hs_attention_dropout_backward(hs_gemm *g, float *dqkv, float *dscore, void *dscore_e,
                                   const void *dout, const float *att, const void *att_drop_e,
                                   const float *mask, const void *qkv, int B, int T, int d, int H,
                                   float beta)
{
    const int dh = d / H;
    const float scale = 1.0f / sqrtf((float)dh);
    const size_t rows = (size_t)B * H * T;
    /* dP_drop = dO·V^T */
    hs_gemm_desc dp = head_desc(B, H, T, T, T, dh, d, false, d, 3 * d, 0, 1.0f, 0.0f);
    dp.trans_b = 1;
    hs_gemm_run(g, &dp, dout, eoff(g, qkv, 2 * (size_t)d), dscore);
    /* dV = P_drop^T·dO */
    hs_gemm_desc dv = head_desc(B, H, T, T, dh, T, d, true, 0, d, 3 * d, 1.0f, beta);
    dv.trans_a = 1;
    hs_gemm_run(g, &dv, att_drop_e, dout, dqkv + 2 * (size_t)d);
    /* dP = mask ⊙ dP_drop, then dS = P ⊙ (dP − rowsum(P ⊙ dP)) */
    for (size_t r = 0; r < rows; r++) {
        const float *p = att + r * T, *mk = mask + r * T;
        float *dr = dscore + r * T;
        float s = 0.0f;
        for (int j = 0; j < T; j++) {
            dr[j] *= mk[j];
            s += p[j] * dr[j];
        }
        for (int j = 0; j < T; j++) dr[j] = p[j] * (dr[j] - s);
    }
    hs_to_engine(g, dscore_e, dscore, rows * T);
    /* S = scale·Q·K^T: dQ = scale·dS·K, dK = scale·dS^T·Q */
    hs_gemm_desc dq = head_desc(B, H, T, T, dh, T, d, true, 0, 3 * d, 3 * d, scale, beta);
    hs_gemm_run(g, &dq, dscore_e, eoff(g, qkv, d), dqkv);
    hs_gemm_desc dk = dq;
    dk.trans_a = 1;
    hs_gemm_run(g, &dk, dscore_e, qkv, dqkv + d);
}
