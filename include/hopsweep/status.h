/* status.h — where a sweep stands, from its store alone: the jobs sweep.yaml (the sweep as run)
 * expands to, matched by id against the latest record of each in runs.jsonl (read through
 * analyze.h's reader, without the store's lock), so `hopsweep status` and `hopsweep report` count
 * done / failed / interrupted / never started jobs the same way. No scheduler is asked. */
#ifndef HOPSWEEP_STATUS_H
#define HOPSWEEP_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "hopsweep/analyze.h"
#include "hopsweep/error.h"
#include "hopsweep/sweep.h"

typedef struct hs_sweep_state {
    bool has_sweep;      /* sweep.yaml was read: total and never_started are known */
    char sweep_why[640]; /* why it was not (missing, unreadable): one line; "" when read */
    hs_sweep sweep;      /* the jobs of sweep.yaml (empty without it) */
    long *job_run;       /* [sweep.n_jobs] index into hs_results.runs, -1 when no record */
    long *run_job;       /* [records] index into sweep.jobs, -1 when sweep.yaml lacks it */
    size_t total;        /* jobs of the sweep; without sweep.yaml the records */
    int done, failed, interrupted, never_started;
    int outside;             /* records whose id sweep.yaml does not list (another grid, a merge) */
    double wall_s;           /* summed wall_s of every record (the latest per job) */
    int timed;               /* records with a wall_s */
    time_t started, updated; /* mtimes of sweep.yaml and runs.jsonl; 0 when unknown */
} hs_sweep_state;

/* Reads the store's sweep.yaml through the view (a missing or unreadable one is not an error:
 * has_sweep stays false and sweep_why says why) and counts r's records against it. HS_ENOMEM
 * only. */
hs_status hs_sweep_state_load(hs_sweep_state *s, const hs_store_view *v, const hs_results *r,
                              hs_err *err);
void hs_sweep_state_free(hs_sweep_state *s);

/* "layers=2 hops=3 curriculum=implicit seed=1" for run i: the sweep's axis label when sweep.yaml
 * lists it, else these four keys. */
void hs_sweep_state_label(const hs_sweep_state *s, const hs_results *r, size_t run, char *buf,
                          size_t n);

/* Indices of runs (of r) sorted by wall_s, slowest first, runs without one left out; returns
 * how many were written to out (at most max). */
size_t hs_sweep_state_slowest(const hs_results *r, size_t *out, size_t max);

#endif
