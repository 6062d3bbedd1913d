/* ops_gpt2.c — learned positions and dropout (ops_gpt2.h): elementwise loops, and attention with
 * dropped weights on the same batched products as ops.c's attention. */
#include "hopsweep/ops_gpt2.h"

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
 * are shared), on the same head-major blocks: qkv [3][B][H][T][dh] with q already scaled,
 * out/dout [B][H][T][dh], and [B][H][T][T] squares. */

static const void *eoff(const hs_gemm *g, const void *p, size_t n)
{
    size_t size = hs_gemm_precision(g) == HS_PRECISION_BF16 ? sizeof(hs_bf16) : sizeof(float);
    return (const char *)p + n * size;
}

void hs_attention_dropout_forward(hs_gemm *g, float *out, float *att_drop, void *att_drop_e,
                                  const float *att, const float *mask, const void *qkv, int B,
                                  int T, int d, int H)
{
    const int BH = B * H;
    const size_t n = (size_t)BH * T * T;
    for (size_t i = 0; i < n; i++) att_drop[i] = att[i] * mask[i];
    hs_to_engine(g, att_drop_e, att_drop, n);
    /* O = P_drop·V */
    hs_gemm_desc o = hs_head_batch(BH, T, d / H, T, false, false);
    hs_gemm_run(g, &o, att_drop_e, eoff(g, qkv, 2 * (size_t)B * T * d), out);
}

void hs_attention_dropout_backward(hs_gemm *g, float *dqkv, float *dscore, void *dscore_e,
                                   const void *dout, const float *att, const void *att_drop_e,
                                   const float *mask, const void *qkv, int B, int T, int d, int H)
{
    const int dh = d / H, BH = B * H;
    const size_t part = (size_t)B * T * d, rows = (size_t)BH * T;
    /* dP_drop = dO·V^T */
    hs_gemm_desc dp = hs_head_batch(BH, T, T, dh, false, true);
    hs_gemm_run(g, &dp, dout, eoff(g, qkv, 2 * part), dscore);
    /* dV = P_drop^T·dO */
    hs_gemm_desc dv = hs_head_batch(BH, T, dh, T, true, false);
    hs_gemm_run(g, &dv, att_drop_e, dout, dqkv + 2 * part);
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
    /* S = Q·K^T with Q scaled: dQ = dS·K, dK = dS^T·Q (the caller scales dQ on the way back) */
    hs_gemm_desc dq = hs_head_batch(BH, T, dh, T, false, false);
    hs_gemm_run(g, &dq, dscore_e, eoff(g, qkv, part), dqkv);
    hs_gemm_desc dk = hs_head_batch(BH, T, dh, T, true, false);
    hs_gemm_run(g, &dk, dscore_e, qkv, dqkv + part);
}
