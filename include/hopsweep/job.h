/* job.h — one training job from config to bytes: runs the trainer and returns the job record
 * (DESIGN §3), metrics.csv, the attention log and the checkpoint as in-memory buffers, so the
 * same output can be written by `hopsweep train --out`, sent between MPI ranks unchanged, or
 * stored by rank 0. What a job produces (hs_job_output) is in job_output.h, which the store
 * reads without knowing the trainer. */
#ifndef HOPSWEEP_JOB_H
#define HOPSWEEP_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hopsweep/config.h"
#include "hopsweep/job_output.h"
#include "hopsweep/record.h"
#include "hopsweep/resume.h"
#include "hopsweep/train.h"

typedef struct hs_job_opts {
    const char *sweep;     /* sweep name for the record, NULL for a lone job */
    const char *host;      /* host name for the record */
    int rank;              /* MPI rank for the record */
    const char *files_dir; /* directory of the job's files relative to the store ("jobs/<id>"),
                              or NULL: the record names bare file names */
    hs_eval_fn on_eval;    /* called after every evaluation */
    hs_step_fn on_step;    /* called after every step; returning true interrupts the job */
    void *user;
    /* Called after every evaluation, after on_eval, with metrics.csv as it stands (whole
     * lines, this evaluation's row last): lets the caller show the job live (store_live.h).
     * NULL for none. */
    void (*on_metrics)(const char *csv, size_t len, const hs_eval *ev, void *live_user);
    void *live_user;
    /* hs_job_output.resume of an interrupted run of this job, read and checked once where the
     * job starts (hs_resume_read, whole_job), or NULL: the job continues from there and ends
     * exactly as if it had never stopped (same thread count). A state that fails the check is
     * not handed down: the job then starts afresh. */
    const hs_resume_state *resume;
} hs_job_opts;

/* Runs cfg (already validated). A job that diverges, is refused by the trainer (say, out of
 * memory for its model) or is interrupted still returns HS_OK with its status and error set
 * and a record saying so; only failing to build the output itself is an error of the call. */
hs_status hs_job_run(const hs_config *cfg, const hs_job_opts *opts, hs_job_output *out,
                     hs_err *err);

/* The output of a job that did not run to a result — its rank fell silent (its host cut off,
 * the process stopped), or its files were found damaged since it was done: an interrupted
 * record saying why, with no files and no resume state, so a rerun runs the job afresh. o gives
 * the sweep, the rank and its host. */
hs_status hs_job_lost(const hs_config *cfg, const hs_job_opts *o, const char *why,
                      hs_job_output *out, hs_err *err);

#endif
