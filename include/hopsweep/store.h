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
 * libyaml (JSON is YAML flow syntax). When an id has several lines, the last one counts.
 *
 * Reading runs.jsonl: only the top-level "id" (16 lowercase hex digits) and "status" ("done",
 * "failed", "interrupted") of each line are looked at. Spaces, tabs and a CR around the object
 * are tolerated (CRLF line ends, hand-indented lines); blank lines are ignored. A complete line
 * that is not one JSON object, lacks a valid id or status, repeats either key, or is not UTF-8
 * is skipped as if it were not there (it stays in the file) and counted in `notice`.
 *
 * The lock is an fcntl lock on .lock (which also holds the owner's pid, for people): the
 * kernel drops it when the process ends, so a crash leaves no stale lock. fcntl locks belong
 * to a process, so open a given store once per process: a second open in the same process
 * succeeds, and closing either one releases the lock. */
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
    size_t lines;             /* readable record lines read at open (not blank, not skipped) */
    char notice[512];         /* one line saying what open repaired or skipped (a partial last
                                 line, unreadable lines), naming the file; empty when nothing */
} hs_store;

/* Creates dir (and parents) if needed, takes its lock, reads runs.jsonl (creating it empty if
 * missing) and cuts off a partial last line. Errors: the directory cannot be created or is not
 * writable (HS_EINPUT, naming it and the reason), the store is locked by another running
 * process (HS_EINPUT, naming its pid), I/O, including a file system without fcntl locks
 * (HS_EIO). On failure *s is left closed. hs_store_close is safe on a zeroed, failed or
 * already closed store. */
hs_status hs_store_open(hs_store *s, const char *dir, hs_err *err);
void hs_store_close(hs_store *s);

/* hs_store_open, but waits for the lock while another process holds it (merges). */
hs_status hs_store_open_waiting(hs_store *s, const char *dir, hs_err *err);

/* Latest status of a job id, HS_RUN_NONE when the store has no record of it. */
hs_run_status hs_store_status(const hs_store *s, const char *id);

/* Writes name (relative to the store, e.g. "sweep.yaml") atomically. */
hs_status hs_store_write_file(hs_store *s, const char *name, const void *data, size_t n,
                              hs_err *err);

/* Stores one finished job: its files into jobs/<id>/ (atomically; a file whose buffer is NULL
 * is removed, so the directory holds exactly the files of the latest record), then its record
 * as one line of runs.jsonl (one write, fsynced), and sets the id's status to out->status. On
 * return the job is durable. An id that is not 16 lowercase hex digits, or a record that is
 * empty or holds a newline or NUL, is HS_EINTERNAL and nothing is written. A failed write is
 * HS_EIO naming the file; a partly appended line is then taken back, and the job is not
 * committed. */
hs_status hs_store_put(hs_store *s, const hs_job_output *out, hs_err *err);

/* Appends to s every job that the store at src (an array task's shard) finished — done or
 * failed — and s does not hold as done (nor as failed, unless src has it done), with its files.
 * src is only read. Idempotent: merging the same shard twice adds nothing the second time. */
hs_status hs_store_merge(hs_store *s, const char *src, size_t *added, hs_err *err);

/* The resume state an interrupted job left in jobs/<id>/resume.bin (caller frees); *bytes is
 * NULL when there is none. */
hs_status hs_store_read_resume(const hs_store *s, const char *id, char **bytes, size_t *n,
                               hs_err *err);

#endif
