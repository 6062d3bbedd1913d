/* store.h — the result store of DESIGN §3, written by one process (rank 0):
 *
 *   OUTPUT/sweep.yaml            the sweep as run
 *   OUTPUT/runs.jsonl            one JSON record per finished job, appended, flushed, fsynced
 *   OUTPUT/jobs/<id>/…           the job's files (job.h), written atomically before its line
 *   OUTPUT/.lock                 held while a process writes the store
 *
 * A record line is the commit point: a job counts as finished once its whole line is in
 * runs.jsonl, and its files are already complete by then. A partial last line (a crash in the
 * middle of an append) is reported and cut off when the store is opened. Lines are read with
 * libyaml (JSON is YAML flow syntax). When an id has several lines, the last one counts. */
#ifndef HOPSWEEP_STORE_H
#define HOPSWEEP_STORE_H

#include <stddef.h>

#include "hopsweep/error.h"
#include "hopsweep/job.h"

typedef enum {
    HS_RUN_NONE = 0, /* no record */
    HS_RUN_DONE,
    HS_RUN_FAILED,
    HS_RUN_INTERRUPTED,
} hs_run_status;

typedef struct hs_store_entry {
    char id[17];
    hs_run_status status;
} hs_store_entry;

typedef struct hs_store {
    char *dir;
    int lock_fd;
    int runs_fd;              /* runs.jsonl, O_APPEND */
    hs_store_entry *entries;  /* latest status per id, sorted by id */
    size_t n, cap;
    size_t lines;             /* complete record lines read at open */
    char notice[512];         /* what open repaired or skipped (partial line, unreadable lines);
                                 empty when nothing */
} hs_store;

/* Creates dir (and parents) if needed, takes its lock, reads runs.jsonl and cuts off a partial
 * last line. Errors: the directory cannot be created (HS_EINPUT, naming it and the reason), the
 * store is locked by another running process (HS_EINPUT, naming its pid), I/O (HS_EIO). */
hs_status hs_store_open(hs_store *s, const char *dir, hs_err *err);
void hs_store_close(hs_store *s);

/* Latest status of a job id, HS_RUN_NONE when the store has no record of it. */
hs_run_status hs_store_status(const hs_store *s, const char *id);

/* Writes name (relative to the store, e.g. "sweep.yaml") atomically. */
hs_status hs_store_write_file(hs_store *s, const char *name, const void *data, size_t n,
                              hs_err *err);

/* Stores one finished job: its files into jobs/<id>/ (atomically), then its record as one
 * line of runs.jsonl (fsynced). On return the job is durable. */
hs_status hs_store_put(hs_store *s, const hs_job_output *out, hs_err *err);

#endif
