/* train.h — one training job: sample batches of the task, step the model with AdamW, evaluate
 * on a fixed evaluation set every train.eval_every steps, stop early or on divergence.
 *
 * One train.seed drives three independent streams: initialisation, training data and the
 * evaluation set. Same config and BLAS thread count → identical results. */
#ifndef HOPSWEEP_TRAIN_H
#define HOPSWEEP_TRAIN_H

#include <stdio.h>

#include "hopsweep/config.h"
#include "hopsweep/error.h"
#include "hopsweep/model.h"
#include "hopsweep/probe.h"

/* What one evaluation measured; arrays are indexed by hop label 0..hops. */
typedef struct hs_eval {
    int step;          /* training steps completed */
    float lr;          /* learning rate of the last step */
    float train_loss;  /* mean training loss since the previous evaluation (NaN at step 0) */
    float eval_loss;   /* mean loss over the evaluation set's supervised positions */
    float query_acc;   /* accuracy on queries that ask the full `hops` */
    const float *hop_acc; /* [hops+1]; NaN where the evaluation set has no such position */
    int level;         /* explicit curriculum: current query hops; otherwise hops */
} hs_eval;

typedef void (*hs_eval_fn)(const hs_eval *ev, const hs_model *model, void *user);
/* Called after every training step with the number of steps done; returning true stops the job
 * there (recorded as interrupted). Lets a coordinator serve other ranks between its own steps. */
typedef bool (*hs_step_fn)(int step, void *user);

typedef struct hs_train_result {
    hs_status status; /* HS_OK, or HS_ENUMERIC when the loss diverged */
    bool interrupted; /* on_step asked to stop before the end */
    char error[512];  /* why the job failed; empty when it did not */
    int steps;        /* steps completed */
    bool early_stopped;
    double wall_s;
    char engine[96];  /* the matrix-product engine and kernel that ran the job ("" if none did) */
    int hops;
    float final_loss, final_query_acc;
    float *final_hop_acc; /* [hops+1], NaN where not measured */
    int *hop_steps;       /* [hops+1] emergence step of each hop label, -1 = never */
    int n_heads;          /* layers*heads */
    hs_head_role *heads;  /* [n_heads], layer-major: the role and score at the head's emergence,
                             or at the last evaluation for a head that never emerged */
    int *head_steps;      /* [n_heads] emergence step, -1 = never */
    int *order;           /* [n_order] indices into heads of the emerged ones, by emergence */
    int n_order;
    char *attention;      /* the attention log (attnlog.h), NULL unless log.attention_every */
    size_t attention_len;
    char *resume;         /* interrupted: the state that hs_train_opts.resume continues from */
    size_t resume_len;
} hs_train_result;

typedef struct hs_train_opts {
    hs_eval_fn on_eval;     /* called after every evaluation, or NULL */
    hs_step_fn on_step;     /* called after every step, or NULL */
    void *user;
    FILE *metrics;          /* receives metrics.csv, or NULL */
    FILE *checkpoint;       /* receives the final model (safetensors), or NULL */
    /* The state an interrupted run of the same config saved (hs_train_result.resume): the run
     * continues from it and ends exactly as an uninterrupted one would (same thread count).
     * metrics then only receives the rows after it, without the header. */
    const void *resume;
    size_t resume_len;
} hs_train_opts;

/* Runs the job described by cfg (already validated). A diverged loss is not an error of the
 * call: it returns HS_OK with res->status == HS_ENUMERIC and res->error set. Errors (memory,
 * I/O) return non-zero with err set. */
hs_status hs_train_run(const hs_config *cfg, const hs_train_opts *opts, hs_train_result *res,
                       hs_err *err);
void hs_train_result_free(hs_train_result *res);

/* Checks a saved state against this config completely: its sizes, counts, step, curriculum
 * level and numbers (HS_EINPUT with the reason if any fails); *step (may be NULL) is the step it
 * stopped after, 1..train.steps. hs_train_run applies the same check. */
hs_status hs_train_resume_check(const hs_config *cfg, const void *state, size_t n, int *step,
                                hs_err *err);

/* The model a job trains: sizes from the config, sequence length from the task, max_batch = batch. */
hs_model_shape hs_train_shape(const hs_config *cfg);

/* Index of the first evaluation from which values stay >= tau for `patience` evaluations
 * (or through the last one, when fewer remain); -1 when there is none. NaN counts as below. */
int hs_first_sustained(const float *values, int n, int stride, float tau, int patience);

#endif
