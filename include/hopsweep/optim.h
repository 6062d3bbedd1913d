/* optim.h — AdamW over the model's parameter buffer, the learning-rate schedule, and global
 * gradient-norm clipping. */
#ifndef HOPSWEEP_OPTIM_H
#define HOPSWEEP_OPTIM_H

#include "hopsweep/error.h"
#include "hopsweep/model.h"

typedef struct hs_adamw {
    float *m, *v; /* first and second moments, laid out as the parameters */
    size_t n;
    long t; /* steps taken */
    float beta1, beta2, eps;
} hs_adamw;

hs_status hs_adamw_init(hs_adamw *opt, size_t n_params, hs_err *err);
void hs_adamw_free(hs_adamw *opt);
/* One update of model->params from model->grads. Weight decay is decoupled (AdamW) and applies
 * only to tensors marked decay (matrices and embeddings). */
void hs_adamw_step(hs_adamw *opt, hs_model *model, float lr, float weight_decay);

/* The learning-rate schedule (train.lr, train.warmup, train.steps, train.schedule), as scalars
 * so that the optimizer needs no config. */
typedef enum { HS_LR_CONSTANT = 0, HS_LR_COSINE, HS_LR_LINEAR } hs_lr_kind;
typedef struct hs_lr_schedule {
    double lr;  /* peak rate */
    int warmup; /* steps of linear warm-up */
    int steps;  /* the job's length: cosine reaches 0 here */
    hs_lr_kind kind;
} hs_lr_schedule;

/* Learning rate at step (0-based): linear warm-up from lr/warmup to lr over `warmup` steps,
 * then constant, or cosine or linear decay to 0 at `steps`. */
float hs_lr_at(hs_lr_schedule s, int step);

/* Global L2 norm of the gradients; when max_norm > 0 and the norm exceeds it, the gradients
 * are scaled down to max_norm. Returns the norm before clipping. */
float hs_clip_grad_norm(float *grads, size_t n, float max_norm);

#endif
