/* store.h — the result store of DESIGN §3, written by one process (rank 0):
 *
 *   OUTPUT/sweep.yaml            the sweep as run
 *   OUTPUT/runs.jsonl            one JSON record per finished job, appended, flushed, fsynced
 *   OUTPUT/jobs/<id>/…           the job's files (job.h), written atomically before its line
 *   OUTPUT/jobs/<id>/running.json  while the job runs, its heartbeat (store_live.h), written by
 *                                the rank that trains it with metrics.csv as it grows; put
 *                                removes it once the record line has landed
 *   OUTPUT/.lock                 held while a process writes the store
 *
 * A record line is the commit point: a job counts as finished once its whole line is in
 * runs.jsonl, and its files are already complete by then. A partial last line (a crash in the
 * middle of an append) is reported and cut off when the store is opened. When an id has several
 * lines, the last good one counts.
 *
 * Reading runs.jsonl: a line counts only if it is strict JSON (jsonline.h) and a whole record
 * (record.h's hs_record_check_line: every field the analysis reads, an id equal to the hash of its
 * config) whose `files` paths are its own jobs/<id>/<name> or null. Spaces, tabs and a CR
 * around the object are tolerated (CRLF line ends, hand-indented lines); blank lines are
 * ignored. Any other complete line is skipped as if it were not there (it stays in the file)
 * and counted in `notice`, with the reason for the first one.
 *
 * Nothing inside OUTPUT is reached through a link: the store opens OUTPUT once (OUTPUT itself
 * may be a link the user made) and every entry relative to that directory with O_NOFOLLOW;
 * temporary files get names unique to the process, created with O_EXCL. An entry of the wrong
 * type (a link, FIFO, device, or a directory where a file belongs) is HS_EINPUT with one line
 * naming it, and is never opened, read or written through. Files are read only when regular
 * and at most 8 GiB.
 *
 * The lock is an fcntl lock on .lock (which also holds the owner's pid, for people): the
 * kernel drops it when the process ends, so a crash leaves no stale lock. fcntl locks belong
 * to a process, so open a given store once per process: a second open in the same process
 * succeeds, and closing either one releases the lock. */
#ifndef HOPSWEEP_STORE_H
#define HOPSWEEP_STORE_H

#include <stddef.h>

#include "hopsweep/error.h"
#include "hopsweep/job_output.h"

typedef struct hs_store_entry {
    char id[17];
    hs_run_status status;
    long long sizes[3]; /* the record's sizes of metrics.csv, attn.zst, model.safetensors;
                           -1 = not recorded */
} hs_store_entry;

typedef struct hs_store {
    char *dir;
    int lock_fd;
    int dir_fd;              /* the store's directory: everything inside is opened from it */
    int jobs_fd;             /* jobs/, -1 until it exists */
    int runs_fd;             /* runs.jsonl, O_APPEND */
    hs_store_entry *entries; /* latest status per id, sorted by id */
    size_t n, cap;
    size_t lines;     /* readable record lines read at open (not blank, not skipped) */
    char notice[512]; /* one line saying what open repaired or skipped (a partial last
                                 line, unreadable lines), naming the file; empty when nothing */
} hs_store;

/* Creates dir (and parents) if needed, takes its lock, reads runs.jsonl (creating it empty if
 * missing) and cuts off a partial last line. Errors: the directory cannot be created or is not
 * writable (HS_EINPUT, naming it and the reason: EACCES, EPERM, EROFS, ENOENT alike), the store
 * is locked by another running process (HS_EINPUT, naming its pid), .lock, runs.jsonl,
 * sweep.yaml or jobs of the wrong type (HS_EINPUT, naming it), I/O, including a file system
 * without fcntl locks (HS_EIO). On failure *s is left closed. hs_store_close is safe on a zeroed, failed or
 * already closed store. */
hs_status hs_store_open(hs_store *s, const char *dir, hs_err *err);
void hs_store_close(hs_store *s);

/* hs_store_open, but waits for the lock while another process holds it (merges). */
hs_status hs_store_open_waiting(hs_store *s, const char *dir, hs_err *err);

/* Checks, before job id runs, that what the store would write for it has the right types:
 * jobs/ and jobs/<id> directories (or absent), its files regular (or absent). HS_EINPUT naming
 * the entry otherwise, so a broken store is reported before training, not after. */
hs_status hs_store_check_job(hs_store *s, const char *id, hs_err *err);

/* For a done job whose record gives its files' sizes: whether those files are still there at
 * those sizes (a power cut beyond fsync's promise, a disk error, a hand edit can cut them).
 * False with why ("jobs/<id>/metrics.csv is 812 bytes, its record says 2941") when one is not,
 * or is no longer a regular file; true for any other job (records without sizes included). */
bool hs_store_files_intact(hs_store *s, const char *id, char *why, size_t why_len);

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
 * failed — and s does not hold as done (nor as failed, unless src has it done), with the files
 * its record names. src is only read, and only its regular files: a link, FIFO or device among
 * the entries to copy is HS_EINPUT naming it, found before anything is written. Records are
 * read as by open (a forged id, a path outside jobs/<id>/ is skipped and said in s->notice).
 * Idempotent: merging the same shard twice adds nothing the second time. */
hs_status hs_store_merge(hs_store *s, const char *src, size_t *added, hs_err *err);

/* The resume state an interrupted job left in jobs/<id>/resume.bin (caller frees); *bytes is
 * NULL when there is none. Only a regular file of at most 8 GiB is read (a link, FIFO or device
 * is HS_EINPUT). */
hs_status hs_store_read_resume(hs_store *s, const char *id, char **bytes, size_t *n, hs_err *err);

#endif
