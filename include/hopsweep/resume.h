/* resume.h — resume.bin, the state an interrupted job continues from, exactly (same build,
 * same thread count): one safetensors file (safetensors.h) that numpy reads, owned here.
 *
 * Tensors (E = evaluations so far, NH = layers*heads, D = task.hops, P = parameters):
 *   params F32 [P], adam.m F32 [P], adam.v F32 [P]   the model's parameters and AdamW moments
 *   history F32 [E][D+1]                             hop accuracy at each evaluation (NaN: none)
 *   eval_steps I32 [E]                               the step of each evaluation
 *   role_bins I32 [E][NH], role_scores F32 [E][NH]   each head's role bin (probe.h) and score
 *   metrics U8 [bytes]                               metrics.csv so far (a whole job's state)
 *   attention U8 [bytes]                             attn.zst so far, when the job logs attention
 * __metadata__ (strings): format "hopsweep-resume", version "1", config_id (the job's id),
 *   config (the job config as the record's JSON), step, level, loss_n, logged, loss_sum, lr,
 *   final_loss, final_query_acc, rng (the data stream: 4 words of 16 hex digits, space-separated),
 *   adam_t, and checksum: the FNV-1a 64 of the whole file (16 lowercase hex digits) computed
 *   with those 16 digits written as 0s, so any flipped bit anywhere is found.
 * Floats are written with enough digits to read back bit for bit ("nan" for NaN).
 *
 * hs_resume_read checks a file as strictly as attnlog.c checks its frames: the format and
 * version, the checksum, every size and count against the config, the step, curriculum level,
 * evaluation steps, loss count, learning rate and AdamW step against what the loop would have
 * had at that step, every number finite and in its range, and (for a whole job) the metrics rows
 * and attention frames against the config and that step. A state that passes cannot crash the
 * loop or send it anywhere an uninterrupted run would not go. A resume.bin of hopsweep before
 * this format ("HSJOBRS1"/"HSJOBRS2") is refused in one line like any other unusable state: the
 * job starts again from step 0. */
#ifndef HOPSWEEP_RESUME_H
#define HOPSWEEP_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hopsweep/config.h"
#include "hopsweep/error.h"
#include "hopsweep/safetensors.h"

#define HS_RESUME_FORMAT  "hopsweep-resume"
#define HS_RESUME_VERSION "1"

/* What a resume file holds; the arrays are the trainer's (when writing) or point into the
 * file's bytes (when read). */
typedef struct hs_resume_state {
    int step, level, loss_n, logged, n_evals;
    double loss_sum;
    float lr, final_loss, final_query_acc;
    uint64_t rng[4];
    int64_t adam_t;
    size_t n_params;
    int hops, n_heads;
    const float *params, *adam_m, *adam_v;
    const float *history;      /* [n_evals][hops+1] */
    const int32_t *eval_steps; /* [n_evals] */
    const int32_t *role_bins;  /* [n_evals][n_heads] */
    const float *role_scores;  /* [n_evals][n_heads] */
    const char *metrics;       /* NULL = not part of this file (a trainer's state) */
    size_t metrics_len;
    const char *attention; /* NULL = none */
    size_t attention_len;
} hs_resume_state;

/* Writes s, the state of cfg's job, as a resume file into *bytes (malloc'ed, caller frees). */
hs_status hs_resume_write(const hs_config *cfg, const hs_resume_state *s, char **bytes, size_t *n,
                          hs_err *err);

/* A whole job's resume file: a trainer's state (hs_resume_write without metrics) with the job's
 * metrics.csv text and attention log so far (attention NULL: the job logs none) added. */
hs_status hs_resume_join(const void *state, size_t state_len, const char *metrics,
                         size_t metrics_len, const char *attention, size_t attention_len,
                         char **bytes, size_t *n, hs_err *err);

/* A file read back and checked; s points into the caller's bytes (or an aligned copy of them),
 * which must outlive it. */
typedef struct hs_resume_view {
    hs_resume_state s;
    hs_st_file file;
    char *copy; /* an aligned copy of bytes that were not 8-byte aligned, or NULL */
} hs_resume_view;

/* Reads bytes as a resume file of cfg's job (its model's parameter count from train_plan.h)
 * and checks everything above; whole_job also requires the metrics so far and, when the job
 * logs attention, the attention log so far. HS_EINPUT with one line when anything fails; v then
 * needs no free. */
hs_status hs_resume_read(const hs_config *cfg, const void *bytes, size_t n, bool whole_job,
                         hs_resume_view *v, hs_err *err);
void hs_resume_view_free(hs_resume_view *v);

/* FNV-1a 64 of n bytes, continuing from h (start with HS_FNV1A64_INIT). */
#define HS_FNV1A64_INIT 0xcbf29ce484222325ull
uint64_t hs_fnv1a64(uint64_t h, const void *bytes, size_t n);

#endif
