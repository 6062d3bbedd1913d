/* ops_gpt2.h — the operations GPT-2 has and hopsweep's retrieval model did not (model.positions,
 * model.dropout), as forward/backward pairs with the gradient rule of ops.h. Kept apart from
 * ops.h so that the retrieval model's ops stay as they were.
 *
 * Dropout is inverted: a mask holds 0 (dropped, probability p) or 1/(1-p) per value, drawn
 * before the pass from the job's seed stream and kept for backward; applying it is a product. */
#ifndef HOPSWEEP_OPS_GPT2_H
#define HOPSWEEP_OPS_GPT2_H

#include <stddef.h>

#include "hopsweep/gemm.h"
#include "hopsweep/rng.h"

/* x[b][t] += pos[t] for B sequences of T positions of width d. */
void hs_positions_forward(float *x, const float *pos, int B, int T, int d);
/* dpos[t] += sum over b of dx[b][t]. */
void hs_positions_backward(float *dpos, const float *dx, int B, int T, int d);

/* mask[i] = 0 with probability p, else 1/(1-p): one uniform draw of rng per value, in order. */
void hs_dropout_mask(float *mask, size_t n, float p, hs_rng *rng);
/* x[i] *= mask[i]: the forward pass, and (on the gradient) the backward pass. */
void hs_dropout_apply(float *x, const float *mask, size_t n);

/* Attention with dropout on its weights, after hs_attention_forward has filled att with the
 * probabilities: att_drop = att ⊙ mask (att_drop_e its engine-typed copy, att_drop itself at
 * fp32) and out = att_drop · V, replacing hs_attention_forward's out. att stays the undropped
 * probabilities for the probes. Layouts as hs_attention_forward: head-major blocks, q scaled. */
void hs_attention_dropout_forward(hs_gemm *g, float *out, float *att_drop, void *att_drop_e,
                                  const float *att, const float *mask, const void *qkv, int B,
                                  int T, int d, int H);
/* The backward of hs_attention_forward followed by hs_attention_dropout_forward: dqkv
 * [3][B][H][T][dh] (f32, overwritten) = the gradient of the head-major qkv, given dout
 * [B][H][T][dh] engine-typed; dscore/dscore_e workspace as in hs_attention_backward. */
void hs_attention_dropout_backward(hs_gemm *g, float *dqkv, float *dscore, void *dscore_e,
                                   const void *dout, const float *att, const void *att_drop_e,
                                   const float *mask, const void *qkv, int B, int T, int d, int H);

#endif
