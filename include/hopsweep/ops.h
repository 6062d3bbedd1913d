/* ops.h — the model's operations as forward/backward pairs (llm.c style).
 *
 * One gradient rule, BLAS's: every backward writes its input gradients as
 * dx = beta·dx + (this op's gradient), beta 0 (overwrite; dx is not read, so it may hold
 * garbage) or 1 (accumulate, where branches meet: the residual stream). Parameter gradients
 * always accumulate (+=); the model zeroes them once per step.
 *
 * Matrix products run on an hs_gemm engine. Their inputs are "engine-typed" (`const void *`):
 * float at fp32, hs_bf16 at bf16, and the caller keeps a bf16 copy of every such input (made by
 * hs_to_engine, or written directly by the op that produces it). Row-major layout; N = number of
 * rows (positions), matrices [out][in] as in PyTorch's Linear. Exposed so that each op can be
 * gradient-checked on its own.
 *
 * The elementwise loops are compiled for AVX-512, AVX2 and baseline x86-64, the best one chosen
 * when the program starts, so one binary runs on every x86-64 machine. */
#ifndef HOPSWEEP_OPS_H
#define HOPSWEEP_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hopsweep/gemm.h"

#define HS_LN_EPS 1e-5f

/* dst = src rounded to bfloat16 (nearest even) when the engine runs bf16; nothing at fp32, where
 * dst must be src itself. */
void hs_to_engine(const hs_gemm *g, void *dst, const float *src, size_t n);
void hs_bf16_from_f32(hs_bf16 *dst, const float *src, size_t n);

/* The instruction set of the elementwise ops' version the loader chose for this CPU, e.g.
 * "x86-64-v4 (AVX-512)", for `hopsweep --version`. */
const char *hs_ops_isa(void);
void hs_f32_from_bf16(float *dst, const hs_bf16 *src, size_t n);

/* out[n] = E_par[parent[n]] + E_chi[child[n]] (+ E_rel[rel[n]] when emb_rel is not NULL: the
 * conditional task's relation table). Backward leaves demb_rel alone when it is NULL. */
void hs_embed_forward(float *out, const int32_t *parent, const int32_t *child, const int32_t *rel,
                      const float *emb_par, const float *emb_chi, const float *emb_rel, int N,
                      int d);
void hs_embed_backward(float *demb_par, float *demb_chi, float *demb_rel, const float *dout,
                       const int32_t *parent, const int32_t *child, const int32_t *rel, int N,
                       int d);

/* out = (x - mean)/sqrt(var + eps) * w + b, per row; mean and rstd kept for backward. When
 * out_h is not NULL the output is also written rounded to bf16 there (the next product's input),
 * in the same pass; out may then be NULL, where the products are its only readers. */
void hs_layernorm_forward(float *out, hs_bf16 *out_h, float *mean, float *rstd, const float *x,
                          const float *w, const float *b, int N, int d);
/* dx_h (may be NULL) receives dx rounded to bf16 in the same pass: the residual stream's
 * gradient, which the next product down reads. */
void hs_layernorm_backward(float *dx, hs_bf16 *dx_h, float *dw, float *db, const float *dout,
                           const float *x, const float *w, const float *mean, const float *rstd,
                           int N, int d, float beta);

/* out[N][m] = x[N][k] · w[m][k]^T + b[m]; x and w engine-typed. */
void hs_matmul_forward(hs_gemm *g, float *out, const void *x, const void *w, const float *b, int N,
                       int k, int m);
/* dx = beta·dx + dout·w when dx is not NULL; dw += dout^T·x; db += Σ dout. dout is f32 (for db),
 * dout_e the same gradient engine-typed (for the products). */
void hs_matmul_backward(hs_gemm *g, float *dx, float *dw, float *db, const float *dout,
                        const void *dout_e, const void *x, const void *w, int N, int k, int m,
                        float beta);

/* Multi-head attention over B sequences of T positions, on head-major blocks: qkv
 * (engine-typed) is [3][B][H][T][dh], q then k then v, with q already scaled by 1/sqrt(dh)
 * (hs_heads_from_rows writes it so); att[B][H][T][T] receives the probabilities (f32, for probes
 * and backward) and att_e their engine-typed copy; out [B][H][T][dh] the heads' outputs (f32).
 * Each product is one batched call over contiguous (example, head) blocks, so every one runs on
 * the engine's fast kernel with no output scale. */
void hs_attention_forward(hs_gemm *g, float *out, float *att, void *att_e, const void *qkv, int B,
                          int T, int d, int H, bool causal);
/* dqkv [3][B][H][T][dh] (f32, overwritten) = the gradient of the head-major qkv, given dout
 * [B][H][T][dh] engine-typed. dscore [B][H][T][T] f32 and dscore_e (its engine-typed copy) are
 * workspace. */
void hs_attention_backward(hs_gemm *g, float *dqkv, float *dscore, void *dscore_e, const void *dout,
                           const float *att, const void *att_e, const void *qkv, int B, int T,
                           int d, int H);
/* One batched product per (example, head) over BH contiguous blocks: op(A) M×K, op(B) K×N, C
 * M×N, each block packed (the layout of hs_attention_forward's operands). */
hs_gemm_desc hs_head_batch(int BH, int M, int N, int K, bool ta, bool tb);
/* Rows [B*T][parts*d] (parts of d columns side by side, e.g. q|k|v) to head-major blocks
 * [parts][B][H][T][dh], engine-typed: dst = (src + bias) (bias [parts*d], may be NULL), part 0
 * times scale0. One pass that the bias add and the bf16 rounding already make. */
void hs_heads_from_rows(const hs_gemm *g, void *dst, const float *src, const float *bias, int parts,
                        float scale0, int B, int T, int d, int H);
/* The way back, f32: dst [B*T][parts*d] = beta·dst + src [parts][B][H][T][dh] (part 0 times
 * scale0); dst_h (NULL at fp32) receives dst rounded to bf16 and db (may be NULL) += the rows of
 * dst, in the same pass. dst may be NULL (with beta 0) when dst_h is not. */
void hs_rows_from_heads(float *dst, hs_bf16 *dst_h, float *db, const float *src, int parts,
                        float scale0, int B, int T, int d, int H, float beta);

/* GELU, tanh form, of x[N][m] + b (b [m]; x is left as it is and backward adds b again); out_h
 * and out as for LayerNorm. One pass: the product's bias add, GELU and the
 * rounding. */
void hs_gelu_forward(float *out, hs_bf16 *out_h, const float *x, const float *b, int N, int m);
/* dx = beta·dx + dout * gelu'(x + b) over [N][m]; dx may alias dout (with beta 0). In the same
 * pass dx_h (may be NULL) receives dx rounded to bf16 and db (may be NULL) += the rows of dx: the
 * next product's input and its bias gradient. dx may be NULL (with beta 0) when dx_h is not. */
void hs_gelu_backward(float *dx, hs_bf16 *dx_h, float *db, const float *dout, const float *x,
                      const float *b, int N, int m, float beta);

/* out[n][j] = (out[n][j] + b[j]) + res[n][j]: a product's bias and the residual in one pass (b
 * may be NULL: a bias already added, as before a dropped branch). */
void hs_residual_forward(float *out, const float *b, const float *res, int N, int m);

/* Row softmax of logits[N][V] into probs; returns the mean cross-entropy over rows with
 * supervised[n] (all rows when supervised is NULL), 0 when there are none. */
float hs_softmax_xent_forward(float *probs, const float *logits, const int32_t *target,
                              const uint8_t *supervised, int N, int V, int *n_supervised);
/* dlogits = beta·dlogits + (probs - onehot(target)) / n_supervised on supervised rows, + 0
 * elsewhere. */
void hs_softmax_xent_backward(float *dlogits, const float *probs, const int32_t *target,
                              const uint8_t *supervised, int N, int V, int n_supervised,
                              float beta);

#endif
