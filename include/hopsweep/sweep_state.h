/* sweep_state.h — where a sweep stands, from its store alone: the jobs sweep.yaml (the sweep as
 * run) expands to, matched by id against the latest record of each in runs.jsonl (read through
 * results.h's reader, without the store's lock) and against the heartbeats of running jobs
 * (store_live.h), so `hopsweep status` and `hopsweep report` count done / failed / interrupted
 * / running / stale / never started jobs the same way. No scheduler is asked. */
#ifndef HOPSWEEP_SWEEP_STATE_H
#define HOPSWEEP_SWEEP_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "hopsweep/error.h"
#include "hopsweep/results.h"
#include "hopsweep/store_live.h"
#include "hopsweep/sweep.h"

/* Builds counted one by one; the records of any further ones are only counted together. */
#define HS_MAX_BUILDS 32

/* One build that made records of a store (the records' `build`), and how many records. */
typedef struct hs_build_count {
    const char *version, *commit; /* into the records; either may be NULL */
    int records;
} hs_build_count;

typedef struct hs_sweep_state {
    bool has_sweep;      /* sweep.yaml was read: total and never_started are known */
    char sweep_why[640]; /* why it was not (missing, unreadable): one line; "" when read */
    hs_sweep sweep;      /* the jobs of sweep.yaml (empty without it) */
    long *job_run;       /* [sweep.n_jobs] index into hs_results.runs, -1 when no record */
    long *run_job;       /* [records] index into sweep.jobs, -1 when sweep.yaml lacks it */
    size_t total;        /* jobs of the sweep; without sweep.yaml the records and the running */
    /* Every job is counted once: a job with a heartbeat (store_live.h) and no done record is
     * running or stale, whatever its earlier record says; never_started (pending) has neither a
     * record nor a heartbeat. */
    int done, failed, interrupted, never_started, running, stale;
    hs_live_beat *beats; /* heartbeats of jobs without a done record, by id */
    bool *beat_stale;    /* [n_beats] */
    size_t n_beats;
    size_t bad_beats;        /* unreadable heartbeats, skipped */
    double now;              /* when the heartbeats were judged (Unix seconds) */
    int outside;             /* records whose id sweep.yaml does not list (another grid, a merge) */
    double wall_s;           /* summed wall_s of every record (the latest per job) */
    int timed;               /* records with a wall_s */
    time_t started, updated; /* mtimes of sweep.yaml and runs.jsonl; 0 when unknown */
    hs_build_count *builds;  /* the distinct builds of the records, in order of first record */
    size_t n_builds;         /* 0 when no record names its build (stores from before 0.1.0) */
    int other_builds;        /* records of builds past the first HS_MAX_BUILDS */
    int unbuilt;             /* records that name no build */
} hs_sweep_state;

/* Reads the store's sweep.yaml through the view (a missing or unreadable one is not an error:
 * has_sweep stays false and sweep_why says why) and the heartbeats of running jobs, and counts
 * r's records against them. HS_ENOMEM only. */
hs_status hs_sweep_state_load(hs_sweep_state *s, const hs_store_view *v, const hs_results *r,
                              hs_err *err);
void hs_sweep_state_free(hs_sweep_state *s);

/* Index in s->beats of job id's heartbeat (a running or stale job), -1 when it has none. */
long hs_sweep_state_beat_of(const hs_sweep_state *s, const char *id);

/* The same label for the job of heartbeat k: its sweep label, else its record's, else "". */
void hs_sweep_state_beat_label(const hs_sweep_state *s, const hs_results *r, size_t k, char *buf,
                               size_t n);

/* "layers=2 hops=3 curriculum=implicit seed=1" for run i: the sweep's axis label when sweep.yaml
 * lists it, else these four keys. */
void hs_sweep_state_label(const hs_sweep_state *s, const hs_results *r, size_t run, char *buf,
                          size_t n);

/* The builds of the records as one line into buf, "0.1.0-g4ce17a9 (commit 4ce17a9c0d12): 58
 * records; 0.1.0-g1234abc (commit 1234abc56789): 2 records; 3 naming no build", control
 * characters as '?' (the strings come from the store); "" when n_builds is 0. */
void hs_sweep_state_builds(const hs_sweep_state *s, char *buf, size_t n);

/* Indices of runs (of r) sorted by wall_s, slowest first, runs without one left out; returns
 * how many were written to out (at most max). */
size_t hs_sweep_state_slowest(const hs_results *r, size_t *out, size_t max);

#endif
