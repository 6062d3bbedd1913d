/* ops.h — the model's operations as forward/backward pairs (llm.c style).
 *
 * Each op reads its inputs and writes its outputs through plain pointers; backward functions
 * ACCUMULATE (+=) into parameter gradients and into input gradients, so branches that meet
 * (the residual stream, the embedding tables) need no extra buffers. Row-major layout;
 * N = number of rows (positions), matrices [out][in] as in PyTorch's Linear. Exposed so that
 * each op can be gradient-checked on its own. */
#ifndef HOPSWEEP_OPS_H
#define HOPSWEEP_OPS_H

#include <stdbool.h>
#include <stdint.h>

#define HS_LN_EPS 1e-5f

/* out[n] = E_par[parent[n]] + E_chi[child[n]] (+ E_rel[rel[n]] when emb_rel is not NULL: the
 * conditional task's relation table). Backward leaves demb_rel alone when it is NULL. */
void hs_embed_forward(float *out, const int32_t *parent, const int32_t *child, const int32_t *rel,
                      const float *emb_par, const float *emb_chi, const float *emb_rel, int N,
                      int d);
void hs_embed_backward(float *demb_par, float *demb_chi, float *demb_rel, const float *dout,
                       const int32_t *parent, const int32_t *child, const int32_t *rel, int N,
                       int d);

/* out = (x - mean)/sqrt(var + eps) * w + b, per row; mean and rstd kept for backward. */
void hs_layernorm_forward(float *out, float *mean, float *rstd, const float *x, const float *w,
                          const float *b, int N, int d);
void hs_layernorm_backward(float *dx, float *dw, float *db, const float *dout, const float *x,
                           const float *w, const float *mean, const float *rstd, int N, int d);

/* out[N][m] = x[N][k] · w[m][k]^T + b[m] */
void hs_matmul_forward(float *out, const float *x, const float *w, const float *b, int N, int k,
                       int m);
/* dx (+)= dout·w when dx is not NULL (accumulate selects += or =); dw += dout^T·x; db += Σ dout. */
void hs_matmul_backward(float *dx, float *dw, float *db, const float *dout, const float *x,
                        const float *w, int N, int k, int m, bool accumulate);

/* Multi-head attention over B sequences of T positions. qkv[B*T][3d] holds q|k|v, head h
 * owning columns h*dh..(h+1)*dh-1 of each; att[B][H][T][T] receives the probabilities;
 * out[B*T][d] the heads' outputs side by side. */
void hs_attention_forward(float *out, float *att, const float *qkv, int B, int T, int d, int H,
                          bool causal);
/* dqkv = (not +=) the gradient of qkv; dscratch needs T*T floats. */
void hs_attention_backward(float *dqkv, float *dscratch, const float *dout, const float *att,
                           const float *qkv, int B, int T, int d, int H);

/* GELU, tanh form. */
void hs_gelu_forward(float *out, const float *x, int n);
/* dx = dout * gelu'(x) (not +=). dx may alias dout. */
void hs_gelu_backward(float *dx, const float *dout, const float *x, int n);

/* out[i] = a[i] + b[i] */
void hs_residual_forward(float *out, const float *a, const float *b, int n);

/* Row softmax of logits[N][V] into probs; returns the mean cross-entropy over rows with
 * supervised[n] (all rows when supervised is NULL), 0 when there are none. */
float hs_softmax_xent_forward(float *probs, const float *logits, const int32_t *target,
                              const uint8_t *supervised, int N, int V, int *n_supervised);
/* dlogits = (probs - onehot(target)) / n_supervised on supervised rows, 0 elsewhere. */
void hs_softmax_xent_backward(float *dlogits, const float *probs, const int32_t *target,
                              const uint8_t *supervised, int N, int V, int n_supervised);

#endif
