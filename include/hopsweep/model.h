/* model.h — the pre-LayerNorm transformer that hopsweep trains, forward and backward.
 *
 * llm.c-style: one float buffer holds every parameter, one the gradients (same layout), one the
 * activations kept for backward; a table names each parameter tensor as DESIGN §3 does
 * (emb.par, blocks.0.attn.wq, ...). Every matrix product runs on the model's hs_gemm engine
 * (oneDNN or OpenBLAS); at train.precision=bf16 a bf16 shadow of the parameters, the activations
 * and the backward workspace (same offsets) holds the products' inputs. Nothing is allocated
 * after hs_model_init, which runs one step on dummy data so that every product is planned. The
 * attention probabilities of every layer and head stay in the activation buffer after a forward
 * pass (hs_model_attention) for probes to read.
 *
 * Architecture: x = E_par[parent] + E_chi[child] (+ E_rel[rel] with relations) (+ E_pos[t] with
 * learned positions); per layer
 *   x += Wo·attn(LN1(x)) ;  x += W2·gelu(W1·LN2(x))   (MLP only when mlp > 0)
 * then logits = Wout·LNf(x) + bout, or logits = LNf(x) with the identity readout (softmax over
 * d entries). With dropout p > 0, training passes (drop_rng set) drop x after the embedding, the
 * attention weights and both residual branches (ops_gpt2.h); evaluation passes drop nothing.
 * LayerNorm eps 1e-5, GELU in tanh form, scores scaled by 1/sqrt(d_head), every linear map has
 * a bias, weights stored [out][in]. */
#ifndef HOPSWEEP_MODEL_H
#define HOPSWEEP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hopsweep/error.h"
#include "hopsweep/gemm.h"
#include "hopsweep/rng.h"

typedef struct hs_model_shape {
    int vocab;   /* V: output classes; E_chi has V+1 rows (row V = query marker) */
    int d_model; /* d */
    int heads;   /* d_model % heads == 0 */
    int layers;
    int mlp;       /* hidden width multiple; 0 = attention-only */
    int relations; /* rows of emb.rel (the conditional task's relations); 0 = no such table */
    bool layernorm;
    bool causal;
    int seq_len;   /* T */
    int max_batch; /* largest B a forward pass may use */
    hs_precision precision;
    hs_positions positions; /* learned: emb.pos [T][d] */
    float dropout;          /* 0 = none */
    hs_readout readout;     /* identity: no out.w, out.b; logits are the final LN's d outputs */
} hs_model_shape;

typedef struct hs_tensor {
    char name[48];
    int ndim;
    int shape[2];
    size_t offset; /* in floats, into params and grads */
    size_t numel;
    bool decay; /* weight decay applies (matrices and embeddings, not biases or LN) */
} hs_tensor;

/* Named views into params or grads. Absent tensors (no LN, no MLP) are NULL. wq, wk, wv are
 * adjacent so that wqkv is one [3d][d] matrix, and bq, bk, bv likewise. */
typedef struct hs_layer_params {
    float *ln1_w, *ln1_b;
    float *wqkv, *bqkv; /* [3d][d], [3d] */
    float *wo, *bo;     /* [d][d], [d] */
    float *ln2_w, *ln2_b;
    float *w1, *b1; /* [h][d], [h] with h = mlp*d */
    float *w2, *b2; /* [d][h], [d] */
} hs_layer_params;

typedef struct hs_param_views {
    float *emb_par, *emb_chi; /* [V][d], [V+1][d] */
    float *emb_rel;           /* [relations][d], NULL without relations */
    float *emb_pos;           /* [T][d], NULL without learned positions */
    hs_layer_params *layer;   /* [layers] */
    float *lnf_w, *lnf_b;
    float *out_w, *out_b; /* [V][d], [V]; NULL with the identity readout */
} hs_param_views;

/* Activations of one layer for the current batch; sizes use max_batch. */
typedef struct hs_layer_acts {
    float *x;                   /* [BT][d] residual stream entering the layer */
    float *ln1;                 /* [BT][d] LN1 output (aliases x when layernorm is off) */
    float *ln1_mean, *ln1_rstd; /* [BT] */
    float *qkv;                 /* [3][B][H][T][dh] q (times 1/sqrt(dh)), k, v head-major; at
                                   bf16 only its shadow is written */
    float *att;                 /* [B][H][T][T] attention probabilities */
    float *atty;                /* [BT][d] heads' outputs, side by side */
    float *x_mid;               /* [BT][d] residual after attention (x_out when there is no MLP) */
    float *ln2;                 /* [BT][d] */
    float *ln2_mean, *ln2_rstd;
    float *pre;   /* [BT][h] W1·LN2(x), without b1: GELU adds it, forward and backward */
    float *gelu;  /* [BT][h] */
    float *x_out; /* [BT][d] the layer's output: the next layer's x, or x_final */
} hs_layer_acts;

typedef struct hs_model {
    hs_model_shape shape;
    int d_head, hidden;
    size_t n_params;
    float *params, *grads;
    hs_tensor *tensors;
    int n_tensors;
    hs_param_views p, g;

    float *acts; /* the activation buffer */
    size_t n_acts;
    hs_layer_acts *la; /* [layers] */
    float *x_final;    /* [BT][d] residual after the last layer */
    float *qkv_rows;   /* [BT][3d] the QKV product of the layer being run, before its bias */
    float *heads;      /* [B][H][T][dh] the attention output of that layer, head-major */
    float *lnf, *lnf_mean, *lnf_rstd;
    int n_out;     /* logits per position: V, or d with the identity readout */
    float *logits; /* [BT][n_out] (the final LN's output itself with the identity readout) */
    float *probs;  /* [BT][n_out] softmax of logits */

    /* Dropout (shape.dropout > 0): masks and dropped attention weights of the last training
     * pass, [BT][d] for the embedding, then per layer [B][H][T][T] mask and dropped weights and
     * two [BT][d] residual masks, each part on a 64-byte boundary; drop_h the bf16 shadow at
     * bf16. A forward pass drops when drop_rng is set (the trainer sets it around a training
     * step) and records it in dropped. */
    float *drop;
    hs_bf16 *drop_h;
    size_t n_drop;
    hs_rng *drop_rng;
    bool dropped;

    float *scratch; /* backward workspace (activation gradients) */
    size_t n_scratch;

    hs_gemm *gemm;
    /* bf16 shadows of params, acts and scratch (NULL at fp32): the element at the same offset,
     * rounded, wherever it is a matrix product's input. */
    hs_bf16 *params_h, *acts_h, *scratch_h;
    /* params_h was written from params by the optimizer step that last changed them, so the next
     * forward need not round them again; that forward clears it, as anything else that writes
     * params between the two is not seen. */
    bool params_h_current;

    /* State of the last forward pass, read by backward and metrics. */
    int B;
    const int32_t *parent, *child, *rel;
    const int32_t *target;
    const uint8_t *supervised;
    int n_supervised;
    float loss;
} hs_model;

hs_status hs_model_init(hs_model *m, const hs_model_shape *shape, hs_err *err);
void hs_model_free(hs_model *m);

/* Plans the products of a step at batch B (<= max_batch) now rather than at the first pass that
 * uses B: callers name every batch size they will use (evaluation chunks, probes). Leaves the
 * parameters and gradients as they were. */
hs_status hs_model_prepare(hs_model *m, int B, hs_err *err);

/* The engine and kernel that run the model's products, e.g. "onednn brg:avx512_core_bf16". */
const char *hs_model_engine(const hs_model *m);

/* Weights N(0, 0.02), the residual projections (wo, w2) scaled by 1/sqrt(2·layers), biases 0,
 * LayerNorm gains 1. */
void hs_model_init_weights(hs_model *m, hs_rng *rng);

/* Forward pass over B <= max_batch examples of T positions. rel (ids < relations) is read only
 * when the model has relations, and may be NULL otherwise. target/supervised may be NULL
 * (no loss). Returns the mean cross-entropy over supervised positions (0 when none). The
 * pointers are kept until the next forward; backward needs them. */
float hs_model_forward(hs_model *m, int B, const int32_t *parent, const int32_t *child,
                       const int32_t *rel, const int32_t *target, const uint8_t *supervised);
void hs_model_zero_grad(hs_model *m);
/* Accumulates d(loss)/d(params) of the last forward into grads. */
void hs_model_backward(hs_model *m);

/* Attention probabilities of layer l from the last forward: [B][H][T][T], row = query. */
const float *hs_model_attention(const hs_model *m, int layer);

/* FLOPs of one forward+backward step at batch B (matrix products only; 2 per MAC). */
double hs_model_step_flops(const hs_model_shape *s, int B);
/* The parameters a model of this shape has (its n_params), from the shape alone: the tensor
 * table of hs_model_init, counted without building it. */
size_t hs_model_param_count(const hs_model_shape *s);

const hs_tensor *hs_model_find_tensor(const hs_model *m, const char *name);

#endif
