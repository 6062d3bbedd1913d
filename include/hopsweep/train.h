/* train.h — one training job: sample batches of the task, step the model with AdamW, evaluate
 * on a fixed evaluation set every train.eval_every steps, stop early or on divergence.
 *
 * One train.seed drives three independent streams: initialisation, training data and the
 * evaluation set. Same config and BLAS thread count → identical results. */
#ifndef HOPSWEEP_TRAIN_H
#define HOPSWEEP_TRAIN_H

#include <stdio.h>

#include "hopsweep/attnlog.h"
#include "hopsweep/config.h"
#include "hopsweep/emergence.h"
#include "hopsweep/error.h"
#include "hopsweep/metrics.h" /* hs_eval */
#include "hopsweep/model.h"
#include "hopsweep/optim.h"
#include "hopsweep/probe.h"
#include "hopsweep/resume.h"
#include "hopsweep/rng.h"
#include "hopsweep/task.h"

typedef void (*hs_eval_fn)(const hs_eval *ev, const hs_model *model, void *user);
/* Called after every training step with the number of steps done; returning true stops the job
 * there (recorded as interrupted). Lets a coordinator serve other ranks between its own steps. */
typedef bool (*hs_step_fn)(int step, void *user);

typedef struct hs_train_result {
    /* The one failure channel: err.code is HS_OK, or why the job failed — HS_ENUMERIC when the
     * loss diverged, or the trainer's own refusal (HS_ENOMEM for its model, ...); err.msg says
     * why it failed or stopped, and is empty when it ran to the end. */
    hs_err err;
    bool refused;     /* the job could not start or finish its files: no results, no files */
    bool interrupted; /* on_step asked to stop before the end */
    int steps;        /* steps completed */
    bool early_stopped;
    double wall_s;
    char engine[96]; /* the matrix-product engine and kernel that ran the job ("" if none did) */
    int hops;
    float final_loss, final_query_acc;
    float *final_hop_acc; /* [hops+1], NaN where not measured */
    float *final_k_error; /* hopk: [hops+1] error per k on train.eval_examples fresh sequences of
                           * that k, letter targets only (NaN below min_hops); NULL otherwise */
    int *hop_steps;       /* [hops+1] emergence step of each hop label, -1 = never */
    int n_heads;          /* layers*heads */
    hs_head_role *heads;  /* [n_heads], layer-major: the role and score at the head's emergence,
                             or at the last evaluation for a head that never emerged */
    int *head_steps;      /* [n_heads] emergence step, -1 = never */
    int *order;           /* [n_order] indices into heads of the emerged ones, by emergence */
    int n_order;
    char *attention; /* the attention log (attnlog.h), NULL unless log.attention_every */
    size_t attention_len;
    char *resume; /* interrupted: the state that hs_train_opts.resume continues from */
    size_t resume_len;
} hs_train_result;

typedef struct hs_train_opts {
    hs_eval_fn on_eval; /* called after every evaluation, or NULL */
    hs_step_fn on_step; /* called after every step, or NULL */
    void *user;
    FILE *metrics;    /* receives metrics.csv, or NULL */
    FILE *checkpoint; /* receives the final model (safetensors), or NULL */
    /* The state an interrupted run of the same config saved (hs_train_result.resume), read
     * and checked by hs_resume_read: the run continues from it and ends exactly as an
     * uninterrupted one would (same thread count). metrics then only receives the rows after
     * it, without the header. NULL: start at step 0. */
    const hs_resume_state *resume;
} hs_train_opts;

/* Runs the job described by cfg (already validated). A job that diverges, or that the trainer
 * refuses (no memory for its model, a stream that fails), is a result: res->err says so. Non-zero only when no result could be built at all
 * (err says why). */
hs_status hs_train_run(const hs_config *cfg, const hs_train_opts *opts, hs_train_result *res,
                       hs_err *err);
void hs_train_result_free(hs_train_result *res);
/* Makes *res (freed first) the result of a job that failed before it had results: refused,
 * why as its error, no steps, every accuracy NaN, no emergence. HS_ENOMEM (err set) when not
 * even that can be allocated. */
hs_status hs_train_result_refused(hs_train_result *res, const hs_config *cfg, const hs_err *why,
                                  hs_err *err);

/* ---- the trainer: what hs_train_run loops over ----
 *
 * One job's model, optimizer, batches, evaluation set, probe and attention log, and the loop's
 * state. Its arrays (per-example hops, the evaluation history, head roles) are carved from one
 * block after counting, like the model's buffers; nothing is allocated after hs_trainer_init. */
typedef struct hs_trainer {
    const hs_config *cfg;
    hs_model model;
    hs_adamw opt;
    hs_batch train, eval;
    hs_batch per_k; /* hopk: the final evaluation's sequences of one k */
    hs_probe probe;
    hs_attnlog_writer log;
    bool logging;                    /* log.attention_every > 0 */
    hs_rng data_rng;                 /* the training data stream */
    int hops, n_heads;               /* task.hops; layers*heads */
    int max_evals;                   /* rows of the history */
    void *block;                     /* every array below */
    int32_t *train_hops, *eval_hops; /* per-example query hop counts */
    float *hop_acc;                  /* [hops+1] of the last evaluation */
    long *hop_correct, *hop_total;   /* [hops+1] scratch of an evaluation */
    const float **att;               /* [layers] the model's attention probabilities */
    hs_head_role *roles;             /* [n_heads] of the last evaluation */
    float *history;                  /* [max_evals][hops+1] hop accuracy of every evaluation */
    int32_t *eval_steps;             /* [max_evals] the step of every evaluation */
    int32_t *role_bins;              /* [max_evals][n_heads] */
    float *role_scores;              /* [max_evals][n_heads] */
    int n_evals;
    /* the loop: steps done, curriculum level, losses since the last evaluation, last step whose
     * attention was logged (-1 = none), the last learning rate and evaluation */
    int step, level, loss_n, logged;
    double loss_sum;
    float lr, final_loss, final_query_acc;
} hs_trainer;

/* Builds everything for cfg (validated): the model initialised from train.seed, the evaluation
 * set sampled. On failure t is freed. */
hs_status hs_trainer_init(hs_trainer *t, const hs_config *cfg, hs_err *err);
void hs_trainer_free(hs_trainer *t);
/* Continues from a saved state of this job (hs_train_result.resume or a whole job's resume
 * file) that hs_resume_read has checked against t's config; HS_EINTERNAL when its sizes are
 * another model's (a state checked against another config). */
hs_status hs_trainer_load(hs_trainer *t, const hs_resume_state *s, hs_err *err);
/* The trainer's state as a resume file (resume.h) without metrics or attention (caller frees). */
hs_status hs_trainer_save(const hs_trainer *t, char **bytes, size_t *n, hs_err *err);
/* Evaluates the model on the evaluation set at the current step, appends a row to the
 * history and the head roles, and moves the curriculum on (task.h); fills ev. */
void hs_trainer_evaluate(hs_trainer *t, hs_eval *ev);
/* One training step on a fresh batch; HS_ENUMERIC with err set when the loss is not finite
 * (the model is then left as it was before the step's update). */
hs_status hs_trainer_step(hs_trainer *t, hs_err *err);
/* Logs the attention maps of the first log.probe_examples evaluation examples at this step. */
hs_status hs_trainer_log_attention(hs_trainer *t, hs_err *err);

/* hs_first_sustained (hop emergence) is in emergence.h. */

#endif
