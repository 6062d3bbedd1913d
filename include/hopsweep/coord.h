/* coord.h — running a sweep's jobs across MPI ranks.
 *
 * Rank 0 leads: it skips jobs the store already finished, orders the rest longest first by an
 * estimate of their cost, hands them out to ranks that ask for work, and trains jobs itself in
 * between, serving other ranks' messages after each of its own training steps — so every rank
 * trains and nobody spins. Between messages every rank sleeps in short non-blocking polls
 * (Open MPI's blocking calls would busy-wait a core). Results — the record, metrics.csv, the
 * attention log, the checkpoint — travel to rank 0 as bytes, unchanged, and only rank 0 hands
 * them to the store (through the sink, which run_cmd.c wires to store.c). The coordinator knows
 * neither the trainer nor the store: it runs jobs through the runner and stores results through
 * the sink, both callbacks, so a fake runner and sink test it (tests/test_coord.c).
 *
 * Without an MPI launcher (no launcher variables in the environment) MPI is not started at all
 * and rank 0 runs every job itself.
 *
 * Liveness: a rank that runs a job sends rank 0 a heartbeat every HS_COORD_BEAT_S
 * seconds (from between its training steps, so evaluations minutes apart do not matter). A rank silent
 * for longer than hs_coord_opts.silence (stopped, its host cut off) is given up: rank 0 says so
 * in one line, records its job as interrupted (the runner's lost()), runs the rest without it,
 * and the sweep ends through hs_coord_abort. A rank stopped by its own signal finishes or
 * interrupts its job, reports it and leaves, instead of being handed job after job. */
#ifndef HOPSWEEP_COORD_H
#define HOPSWEEP_COORD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hopsweep/config.h"
#include "hopsweep/error.h"
#include "hopsweep/sweep.h"

typedef struct hs_coord {
    int rank, size;
    bool mpi; /* MPI was started (launched by mpirun/srun) */
    char host[256];
} hs_coord;

/* One job as the coordinator hands it to the runner, on whichever rank runs it. */
typedef struct hs_coord_job {
    const hs_config *cfg; /* validated; rebuilt from its canonical text on other ranks */
    const char *id;       /* hs_config_id(cfg) */
    const char *sweep;    /* the sweep's name, for the record */
    const char *host;
    int rank;
    const char *live_dir; /* hs_coord_opts.live_dir as rank 0 gave it, or NULL */
    const void *resume;   /* the state an interrupted run left (the sink's, already checked), */
    size_t resume_len;    /* or NULL */
    /* On rank 0, what the sink's check made of resume (hs_coord_sink.resume), handed to the
     * runner as it is so the state is read only once; NULL on other ranks, whose runner reads
     * resume itself. The coordinator never looks inside. */
    const void *resume_checked;
    /* The runner calls this after every training step; true means interrupt the job now. */
    bool (*poll)(int step, void *poll_user);
    void *poll_user;
} hs_coord_job;

/* A job's result as the coordinator carries it from the rank that ran it to the sink: the
 * runner's bytes, which the coordinator never reads (only the sink unpacks them), and the few
 * facts it logs and counts. */
typedef struct hs_coord_result {
    char id[17];
    int status; /* the record's status: 0 done, 1 failed, 2 interrupted */
    int steps;
    float query_acc; /* final query accuracy, for the job line */
    double wall_s;
    hs_err err;  /* why the job failed or stopped; empty when done */
    char *bytes; /* malloc'ed by the runner, freed by the coordinator */
    size_t len;
} hs_coord_result;

/* How jobs are run: the CLI wires these to the trainer (job.h), tests to a fake. */
typedef struct hs_coord_runner {
    /* Runs one job. A job that fails or is interrupted is still a result, with its status;
     * only being unable to build a result at all is an error of the call. */
    hs_status (*run)(const hs_coord_job *job, hs_coord_result *res, void *user, hs_err *err);
    /* Estimated cost of a job (any unit, the same for every job): orders the queue longest
     * first and weighs the progress line. */
    double (*cost)(const hs_config *cfg, void *user);
    /* "done", "failed", "interrupted" for hs_coord_result.status */
    const char *(*status_name)(int status);
    /* The result of a job whose rank fell silent (job->rank, job->host say which): an
     * interrupted record giving why, which a rerun runs again. */
    hs_status (*lost)(const hs_coord_job *job, const char *why, hs_coord_result *res, void *user,
                      hs_err *err);
    void *user;
} hs_coord_runner;

/* What rank 0 does with results: the CLI wires these to the store. */
typedef struct hs_coord_sink {
    bool (*finished)(const char *id, void *user); /* already in the store: skip it */
    hs_status (*put)(const hs_coord_result *res, void *user, hs_err *err); /* store a result */
    /* The state an interrupted run of the job left, checked against cfg (caller frees), or
     * *bytes = NULL; an error says why an existing state cannot be used (the job then starts
     * afresh and the log says so). *checked (NULL, or what the check read, freed with
     * resume_free) goes to a runner on rank 0 as hs_coord_job.resume_checked. */
    hs_status (*resume)(const char *id, const hs_config *cfg, char **bytes, size_t *n,
                        void **checked, void *user, hs_err *err);
    void (*resume_free)(void *checked, void *user);
    void *user;
} hs_coord_sink;

typedef struct hs_coord_opts {
    /* Raised by the CLI's signal handler: 1 = stop handing out work and let running jobs
     * finish, 2 or more = also interrupt running jobs (recorded as interrupted, with the
     * state a rerun continues from). */
    volatile sig_atomic_t *stop;
    bool abandon; /* treat the first stop as 2 */
    /* Seconds a rank running a job may send nothing (it sends a heartbeat every
     * HS_COORD_BEAT_S seconds, from between its training steps) before rank 0 gives it up:
     * says so, records its job as interrupted and goes on without it. 0: HS_COORD_SILENCE_FACTOR times the longest silence seen so far between two messages
     * of a busy rank, and at least HS_COORD_SILENCE_MIN. */
    double silence;
    double progress_every; /* seconds between progress lines when the log is not a terminal */
    FILE *log;             /* rank 0's progress and job lines; NULL = silent */
    /* Rank 0: a directory every rank's runner is told of with each job (for hopsweep run, the
     * store, where the running job shows its progress); the coordinator never opens it. */
    const char *live_dir;
} hs_coord_opts;

#define HS_COORD_SILENCE_FACTOR 5.0
#define HS_COORD_SILENCE_MIN    30.0
#define HS_COORD_BEAT_S         1.0

typedef struct hs_coord_summary {
    size_t jobs;    /* jobs in the sweep */
    size_t skipped; /* already finished in the store */
    size_t done, failed, interrupted;
    size_t not_started; /* left when a stop came */
    size_t unsaved;     /* ran, but their result could not be stored (the sweep then stops);
                           jobs = skipped + done + failed + interrupted + not_started + unsaved */
    bool stopped;       /* a stop signal ended the sweep early */
    int lost_ranks;     /* ranks given up as silent: MPI cannot be finalized with them, end
                           with hs_coord_abort */
    double wall_s;
} hs_coord_summary;

/* Starts MPI when a launcher started this process; fills rank, size and host. A build without
 * MPI started by a launcher fails with HS_EINPUT: the message on the first copy, an empty one on
 * the others, so that a launch prints one line. */
hs_status hs_coord_init(hs_coord *c, int *argc, char ***argv, hs_err *err);
void hs_coord_finalize(hs_coord *c);
/* Ends every rank with code (MPI_Abort): after ranks were lost, MPI_Finalize would wait for them
 * for ever. Without MPI it returns. */
void hs_coord_abort(hs_coord *c, int code);

/* Rank 0. sw may be NULL (the sweep did not load): the other ranks are then released at once,
 * and run and sink may be NULL.
 * Returns an error only when results cannot be stored (the sweep stops; what finished is
 * kept); failed jobs are results, counted in the summary. */
hs_status hs_coord_lead(hs_coord *c, const hs_sweep *sw, const hs_coord_opts *o,
                        const hs_coord_runner *run, const hs_coord_sink *sink,
                        hs_coord_summary *sum, hs_err *err);

/* Every other rank: asks rank 0 for jobs and runs them until told to stop. */
hs_status hs_coord_work(hs_coord *c, const hs_coord_opts *o, const hs_coord_runner *run,
                        hs_err *err);

#endif
