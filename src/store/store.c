/* store.c — the result store (DESIGN §3): a directory holding runs.jsonl, one record line per
 * finished job, and each job's files under jobs/<id>/. Opening takes the store's lock, reads
 * the latest status of every id from runs.jsonl (so a rerun can skip finished jobs) and repairs
 * what a crash can leave behind; putting a job writes its files, then commits its line.
 *
 * Everything inside the store is reached from the directory fd opened once (fileio.h's *_at
 * functions): no path inside it is ever resolved through a link, so whatever the store holds
 * (links, FIFOs, devices, forged records), hopsweep reads and writes only inside it. */
#include "hopsweep/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hopsweep/fileio.h"
#include "hopsweep/record.h"
#include "hopsweep/store_view.h"
#include "hopsweep/store_live.h"
#include "hopsweep/store_layout.h"

#define LOCK_FILE ".lock"

#define STORE_FILE_LIMIT HS_STORE_FILE_LIMIT

static const char *const JOB_FILES[] = {HS_JOB_METRICS, HS_JOB_ATTENTION, HS_JOB_MODEL,
                                        HS_JOB_RESUME, HS_JOB_RUNNING};

/* ---------------------------------------------------------------------------------------------
 * Helpers */

/* Adds one sentence to s->notice, "; "-separated from what is already there. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
add_notice(hs_store *s, const char *fmt, ...)
{
    size_t used = strlen(s->notice);
    if (used && used + 2 < sizeof s->notice) {
        memcpy(s->notice + used, "; ", 3);
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->notice + used, sizeof s->notice - used, fmt, ap);
    va_end(ap);
}

/* Index of id in the sorted entries, or of where it would go; *found says which. */
static size_t find_entry(const hs_store *s, const char *id, bool *found)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->entries[mid].id, id);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static bool reserve_entries(hs_store *s, size_t need)
{
    if (need <= s->cap) return true;
    size_t cap = s->cap ? s->cap : 64;
    while (cap < need) cap *= 2;
    hs_store_entry *e = realloc(s->entries, cap * sizeof *e);
    if (!e) return false;
    s->entries = e;
    s->cap = cap;
    return true;
}

/* ---------------------------------------------------------------------------------------------
 * Reading runs.jsonl */

/* One record line as read (record.c's hs_record_check_line: a whole record whose id is the
 * hash of its config and whose files are its own), with its line number so the latest line of
 * an id wins after sorting, and its text (for a merge). */
typedef struct loaded {
    hs_store_entry e;
    size_t line;
    const char *text;
    size_t len;
} loaded;

typedef struct runs_list {
    loaded *all;
    size_t n, cap;
} runs_list;

static hs_record_result take_line(const char *line, size_t len, size_t lineno, void *user,
                                  char *why, size_t why_len)
{
    runs_list *L = user;
    if (L->n == L->cap) {
        size_t c2 = L->cap ? L->cap * 2 : 256;
        loaded *a = realloc(L->all, c2 * sizeof *a);
        if (!a) return HS_RECORD_NOMEM;
        L->all = a;
        L->cap = c2;
    }
    loaded *l = &L->all[L->n];
    const char *w = NULL;
    /* 256: the notice's room for the reason */
    hs_record_result r = hs_record_check_line(line, len, l->e.id, &l->e.status, l->e.sizes, why,
                                              why_len < 256 ? why_len : 256, &w);
    if (r == HS_RECORD_BAD && w != why) snprintf(why, why_len, "%s", w ? w : "not a record");
    if (r != HS_RECORD_OK) return r;
    l->line = lineno;
    l->text = line;
    l->len = len;
    L->n++;
    return HS_RECORD_OK;
}

static int loaded_cmp(const void *a, const void *b)
{
    const loaded *x = a, *y = b;
    int c = strcmp(x->e.id, y->e.id);
    if (c) return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Reads the text of runs.jsonl: L gets the latest good line of each id, sorted by id; info
 * what the scan met (complete lines, skipped ones). */
static hs_status read_runs(const char *path, const char *data, size_t size, runs_list *L,
                           hs_runs_scan_info *info, hs_err *err)
{
    memset(L, 0, sizeof *L);
    hs_status st = hs_runs_scan(data, size, path, take_line, L, info, err);
    if (st) return st;
    /* Sort by (id, line) and keep the last line of each id. */
    if (L->n) qsort(L->all, L->n, sizeof *L->all, loaded_cmp);
    size_t distinct = 0;
    for (size_t i = 0; i < L->n; i++)
        if (i + 1 == L->n || strcmp(L->all[i].e.id, L->all[i + 1].e.id))
            L->all[distinct++] = L->all[i];
    L->n = distinct;
    return HS_OK;
}

/* The notice of what read_runs skipped. */
static void notice_skipped(hs_store *s, const char *path, const hs_runs_scan_info *info)
{
    if (info->skipped)
        add_notice(s,
                   "%s: skipped %zu line(s) that are not valid records, first at line %zu (%s); "
                   "they stay in the file and count as no record",
                   path, info->skipped, info->first_skipped, info->first_why);
}

/* Fills s->entries from the text of runs.jsonl; returns the length of its complete lines. */
static hs_status load_entries(hs_store *s, const char *path, const char *data, size_t size,
                              size_t *complete, hs_err *err)
{
    runs_list L;
    hs_runs_scan_info info;
    hs_status st = read_runs(path, data, size, &L, &info, err);
    if (!st && !reserve_entries(s, L.n))
        st = hs_fail(err, HS_ENOMEM, "%s: out of memory reading the records", path);
    if (!st) {
        for (size_t i = 0; i < L.n; i++) s->entries[i] = L.all[i].e;
        s->n = L.n;
        s->lines = info.lines;
        *complete = info.complete;
        notice_skipped(s, path, &info);
    }
    free(L.all);
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * Open and close */

/* "STORE/rel" for messages, in buf. */
static const char *shown(const hs_store *s, const char *rel, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s", s->dir, rel);
    return buf;
}

/* Opens runs.jsonl (creating it if missing; never through a link), reads it and cuts off a
 * partial last line. */
static hs_status open_runs(hs_store *s, hs_err *err)
{
    char path[4200];
    shown(s, HS_STORE_RUNS, path, sizeof path);
    char *data = NULL;
    size_t size = 0, complete = 0;
    bool exists;
    hs_status st = hs_check_at(s->dir_fd, HS_STORE_RUNS, false, path, &exists, err);
    if (st) return st;
    /* O_NONBLOCK: a FIFO swapped in after the check cannot block the open; fstat refuses it */
    s->runs_fd = openat(s->dir_fd, HS_STORE_RUNS,
                        O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    if (s->runs_fd < 0) {
        int e = errno;
        return hs_fail(err, hs_errno_status(e), "cannot open %s: %s; choose a writable output",
                       path, strerror(e));
    }
    st = hs_read_fd(s->runs_fd, path, STORE_FILE_LIMIT, &data, &size, err);
    if (st) goto out;
    st = load_entries(s, path, data, size, &complete, err);
    if (st) goto out;
    if (complete < size) {
        /* The append of one line was cut short (a crash, a full disk): the job it was about is
         * not committed. Without the cut, the next line would be glued onto the fragment and
         * both would be lost. */
        if (ftruncate(s->runs_fd, (off_t)complete) || fsync(s->runs_fd)) {
            st = hs_fail(err, HS_EIO, "cannot cut off the partial last line of %s: %s", path,
                         strerror(errno));
            goto out;
        }
        add_notice(s,
                   "%s: cut off a partial last line (%zu bytes at byte offset %zu) left by an "
                   "interrupted write; that job will run again",
                   path, size - complete, complete);
    }
out:
    free(data);
    return st;
}

/* What a killed run left in job directories: temporaries (a heartbeat or a job file cut off while
 * being written) and heartbeats (killed before the job's record landed, or between the record and
 * the heartbeat's removal). Their job may be done since, so no later write into that directory
 * removes them: every job directory is swept once, when the store is opened. Under the lock no
 * run is writing here, so every heartbeat is a dead run's. Links are not followed. */
static void remove_stale_job_tmp(const hs_store *s)
{
    if (s->jobs_fd < 0) return;
    int fd = dup(s->jobs_fd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0) close(fd);
        return;
    }
    for (struct dirent *e; (e = readdir(d));) {
        if (!hs_store_is_job_id(e->d_name, strlen(e->d_name))) continue;
        int jfd = openat(s->jobs_fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (jfd < 0) continue;
        hs_remove_stale_tmp(jfd, NULL);
        unlinkat(jfd, HS_JOB_RUNNING, 0);
        close(jfd);
    }
    closedir(d);
}

static hs_status store_open(hs_store *s, const char *dir, bool wait, hs_err *err)
{
    memset(s, 0, sizeof *s);
    s->lock_fd = s->runs_fd = s->dir_fd = s->jobs_fd = -1;
    hs_status st = hs_mkdirs(dir, err);
    if (st) return st;
    s->dir = strdup(dir);
    if (!s->dir) return hs_fail(err, HS_ENOMEM, "out of memory opening the store %s", dir);
    /* The store's own path is the user's choice and may be a link; nothing inside it may. */
    s->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s->dir_fd < 0) {
        st = hs_fail(err, hs_errno_status(errno), "cannot open the store %s: %s", dir,
                     strerror(errno));
        hs_store_close(s);
        return st;
    }
    char path[4200];
    bool exists;
    st = hs_lock_dir(s->dir_fd, dir, "the store", wait, &s->lock_fd, err);
    if (!st)
        st = hs_check_at(s->dir_fd, HS_STORE_SWEEP, false,
                         shown(s, HS_STORE_SWEEP, path, sizeof path), &exists, err);
    if (!st)
        st = hs_open_dir_at(s->dir_fd, HS_STORE_JOBS, false,
                            shown(s, HS_STORE_JOBS, path, sizeof path), &s->jobs_fd, err);
    if (!st) st = open_runs(s, err);
    if (!st) { /* ours to clean: we hold the lock */
        hs_remove_stale_tmp(s->dir_fd, NULL);
        remove_stale_job_tmp(s);
    }
    if (st) hs_store_close(s);
    return st;
}

hs_status hs_store_open(hs_store *s, const char *dir, hs_err *err)
{
    return store_open(s, dir, false, err);
}

hs_status hs_store_open_waiting(hs_store *s, const char *dir, hs_err *err)
{
    return store_open(s, dir, true, err);
}

void hs_store_close(hs_store *s)
{
    /* A zeroed store has fds 0 that it never opened: only an open (or half-opened) store,
     * recognised by its dir, owns its fds. */
    if (s->dir) {
        /* again at the end: a run killed just before this one opened the store may still have
         * been exiting then (its pid alive), so its temporaries looked live */
        if (s->lock_fd >= 0) remove_stale_job_tmp(s);
        if (s->runs_fd >= 0) close(s->runs_fd);
        if (s->jobs_fd >= 0) close(s->jobs_fd);
        if (s->dir_fd >= 0) close(s->dir_fd);
        if (s->lock_fd >= 0) close(s->lock_fd); /* releases the lock */
    }
    free(s->dir);
    free(s->entries);
    memset(s, 0, sizeof *s);
    s->lock_fd = s->runs_fd = s->dir_fd = s->jobs_fd = -1;
}

/* ---------------------------------------------------------------------------------------------
 * Queries and writes */

hs_run_status hs_store_status(const hs_store *s, const char *id)
{
    if (!id || !s->entries) return HS_RUN_NONE;
    bool found;
    size_t i = find_entry(s, id, &found);
    return found ? s->entries[i].status : HS_RUN_NONE;
}

hs_status hs_store_write_file(hs_store *s, const char *name, const void *data, size_t n,
                              hs_err *err)
{
    if (!s->dir || s->dir_fd < 0)
        return hs_fail(err, HS_EINTERNAL, "internal error: writing %s into a store not open", name);
    if (strchr(name, '/'))
        return hs_fail(err, HS_EINTERNAL, "internal error: %s is not a name in the store", name);
    char path[4200];
    return hs_write_atomic_at(s->dir_fd, name, shown(s, name, path, sizeof path), data, n, err);
}

/* Checks every entry of jobs/<id> hopsweep may write (jobdir is open, or -1 for none). */
static hs_status check_job_files(int jobdir, const char *dir, const char *id, hs_err *err)
{
    if (jobdir < 0) return HS_OK;
    char path[4200];
    for (size_t i = 0; i < sizeof JOB_FILES / sizeof JOB_FILES[0]; i++) {
        bool exists;
        hs_job_path(path, sizeof path, dir, id, JOB_FILES[i], NULL); /* for messages */
        hs_status st = hs_check_at(jobdir, JOB_FILES[i], false, path, &exists, err);
        if (st) return st;
    }
    return HS_OK;
}

hs_status hs_store_check_job(hs_store *s, const char *id, hs_err *err)
{
    if (!s->dir || !hs_store_is_job_id(id, strlen(id)))
        return hs_fail(err, HS_EINTERNAL, "internal error: checking job %.16s", id);
    int jfd;
    hs_status st = hs_store_open_job_dir(s->dir_fd, &s->jobs_fd, s->dir, id, false, &jfd, err);
    if (!st) st = check_job_files(jfd, s->dir, id, err);
    if (jfd >= 0) close(jfd);
    return st;
}

bool hs_store_files_intact(hs_store *s, const char *id, char *why, size_t why_len)
{
    bool found;
    size_t i = find_entry(s, id, &found);
    if (!found || s->entries[i].status != HS_RUN_DONE) return true;
    const long long *want = s->entries[i].sizes;
    hs_err e = {0};
    int jfd = -1;
    if (hs_store_open_job_dir(s->dir_fd, &s->jobs_fd, s->dir, id, false, &jfd, &e) || jfd < 0) {
        snprintf(why, why_len, "%s", e.msg[0] ? e.msg : "its folder jobs/<id> is gone");
        return want[0] < 0 && want[1] < 0 && want[2] < 0;
    }
    bool ok = true;
    for (int k = 0; k < 3 && ok; k++) { /* JOB_FILES' first three are the record's files */
        struct stat sb;
        if (want[k] < 0) continue;
        if (fstatat(jfd, JOB_FILES[k], &sb, AT_SYMLINK_NOFOLLOW) || !S_ISREG(sb.st_mode)) {
            snprintf(why, why_len, HS_STORE_JOBS "/%s/%s is missing or not a regular file", id,
                     JOB_FILES[k]);
            ok = false;
        } else if ((long long)sb.st_size != want[k]) {
            snprintf(why, why_len, HS_STORE_JOBS "/%s/%s is %lld bytes, its record says %lld", id,
                     JOB_FILES[k], (long long)sb.st_size, want[k]);
            ok = false;
        }
    }
    close(jfd);
    return ok;
}

/* Writes the job's files into jobs/<id>/ and removes the ones this output lacks, so the
 * directory holds exactly the files of the job's latest record (a rerun of a job that once
 * wrote a checkpoint must not leave the old one next to the new metrics). */
static hs_status put_files(hs_store *s, const hs_job_output *out, hs_err *err)
{
    int jfd;
    hs_status st = hs_store_open_job_dir(s->dir_fd, &s->jobs_fd, s->dir, out->id, true, &jfd, err);
    if (st) return st;
    st = check_job_files(jfd, s->dir, out->id, err);
    const struct {
        const char *name;
        const char *data;
        size_t len;
    } files[] = {
        {HS_JOB_METRICS, out->metrics, out->metrics_len},
        {HS_JOB_ATTENTION, out->attention, out->attention_len},
        {HS_JOB_MODEL, out->model, out->model_len},
        {HS_JOB_RESUME, out->resume, out->resume_len},
    };
    char path[4200], old[64];
    for (size_t i = 0; !st && i < sizeof files / sizeof files[0]; i++) {
        hs_job_path(path, sizeof path, s->dir, out->id, files[i].name, NULL); /* for messages */
        if (files[i].data)
            st = hs_write_atomic_at(jfd, files[i].name, path, files[i].data, files[i].len, err);
        else
            st = hs_remove_at(jfd, files[i].name, path, err);
        /* the fixed temporary name of earlier versions (a link there is removed, not followed) */
        snprintf(old, sizeof old, "%s.tmp", files[i].name);
        unlinkat(jfd, old, 0);
    }
    if (!st) hs_remove_stale_tmp(jfd, NULL);
    close(jfd);
    return st;
}

/* The job's record has landed: its heartbeat (store_live.h) goes. Best effort: a heartbeat
 * left next to a newer record is read as what it is (status prefers the record). */
static void remove_heartbeat(hs_store *s, const char *id)
{
    int jfd;
    hs_err e;
    if (!hs_store_open_job_dir(s->dir_fd, &s->jobs_fd, s->dir, id, false, &jfd, &e) && jfd >= 0) {
        unlinkat(jfd, HS_JOB_RUNNING, 0);
        close(jfd);
    }
}

hs_status hs_store_put(hs_store *s, const hs_job_output *out, hs_err *err)
{
    if (!s->dir || s->runs_fd < 0)
        return hs_fail(err, HS_EINTERNAL, "internal error: storing job %s in a store not open",
                       out->id);
    /* The id names a directory: anything but an id from hs_config_id is a bug upstream. */
    if (!hs_store_is_job_id(out->id, strnlen(out->id, sizeof out->id)))
        return hs_fail(err, HS_EINTERNAL, "internal error: job id \"%.16s\" is not 16 hex digits",
                       out->id);
    /* A newline or NUL would split or hide the record when runs.jsonl is read back. */
    if (!out->record || out->record_len == 0 || memchr(out->record, '\n', out->record_len) ||
        memchr(out->record, '\0', out->record_len))
        return hs_fail(err, HS_EINTERNAL,
                       "internal error: the record of job %s is empty or holds a newline or NUL",
                       out->id);
    /* Room for the entry first, so nothing can fail after the line is committed. */
    if (!reserve_entries(s, s->n + 1))
        return hs_fail(err, HS_ENOMEM, "out of memory storing job %s", out->id);

    hs_status st = put_files(s, out, err);
    if (st) return st;

    char path[4200];
    shown(s, HS_STORE_RUNS, path, sizeof path);
    char *line = malloc(out->record_len + 1);
    if (!line) return hs_fail(err, HS_ENOMEM, "out of memory storing job %s", out->id);
    memcpy(line, out->record, out->record_len);
    line[out->record_len] = '\n';
    struct stat sb;
    if (fstat(s->runs_fd, &sb)) {
        st = hs_fail(err, HS_EIO, "cannot append to %s: %s", path, strerror(errno));
    } else if (hs_write_all(s->runs_fd, line, out->record_len + 1) || fsync(s->runs_fd)) {
        int e = errno;
        /* Take back a partial line (say, a full disk) so the next append starts a fresh line;
         * if even that fails, the next open cuts it off. */
        if (ftruncate(s->runs_fd, sb.st_size)) {
            /* nothing more to do here */
        }
        st = hs_fail(err, HS_EIO, "cannot append the record of job %s to %s: %s", out->id, path,
                     strerror(e));
    }
    free(line);
    if (st) return st;
    remove_heartbeat(s, out->id);

    bool found;
    size_t i = find_entry(s, out->id, &found);
    if (!found) {
        memmove(s->entries + i + 1, s->entries + i, (s->n - i) * sizeof *s->entries);
        memcpy(s->entries[i].id, out->id, 17);
        s->n++;
    }
    s->entries[i].status = out->status;
    s->entries[i].sizes[0] = out->metrics ? (long long)out->metrics_len : -1;
    s->entries[i].sizes[1] = out->attention ? (long long)out->attention_len : -1;
    s->entries[i].sizes[2] = out->model ? (long long)out->model_len : -1;
    return HS_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Merging another store (an array task's shard) */

/* Whether the store s takes src's entry e (only finished jobs travel; an interrupted one is
 * finished by rerunning its shard). */
static bool merge_wanted(const hs_store *s, const hs_store_entry *e)
{
    hs_run_status have = hs_store_status(s, e->id);
    return e->status != HS_RUN_INTERRUPTED && have != HS_RUN_DONE &&
           !(have == HS_RUN_FAILED && e->status != HS_RUN_DONE);
}

/* Whether a record line names its job's file `name` (hs_record_check_line checked its paths). */
static bool names_file(const char *line, size_t len, const char *id, const char *name)
{
    char want[80];
    int n = snprintf(want, sizeof want, "\"" HS_STORE_JOBS "/%s/%s\"", id, name);
    for (const char *p = line; (p = memchr(p, '"', len - (size_t)(p - line))); p++)
        if ((size_t)(line + len - p) >= (size_t)n && !memcmp(p, want, (size_t)n)) return true;
    return false;
}

hs_status hs_store_merge(hs_store *s, const char *src, size_t *added, hs_err *err)
{
    *added = 0;
    char path[4200];
    snprintf(path, sizeof path, "%s/" HS_STORE_RUNS, src);
    char *data = NULL;
    size_t size = 0;
    runs_list L = {0};
    hs_runs_scan_info info;
    /* The shard's own path is the user's choice; nothing inside it is followed. */
    hs_store_view v;
    hs_status st = hs_store_view_open(&v, src, err);
    int dir_fd = v.dir_fd, jobs_fd = v.jobs_fd;
    if (!st) st = hs_store_view_read(&v, HS_STORE_RUNS, STORE_FILE_LIMIT, &data, &size, err);
    if (!st && !data)
        st = hs_fail(err, HS_EINPUT, "%s: no such store (it has no " HS_STORE_RUNS ")", src);
    if (!st) st = read_runs(path, data, size, &L, &info, err);
    /* Every file to be copied is checked before anything is written, so a shard holding a link
     * or a FIFO is refused whole, with the path named. */
    for (size_t i = 0; !st && i < L.n; i++) {
        if (!merge_wanted(s, &L.all[i].e)) continue;
        int jfd;
        st = hs_store_open_job_dir(dir_fd, &jobs_fd, src, L.all[i].e.id, false, &jfd, err);
        if (!st) st = check_job_files(jfd, src, L.all[i].e.id, err);
        if (jfd >= 0) close(jfd);
    }
    for (size_t i = 0; !st && i < L.n; i++) {
        const loaded *l = &L.all[i];
        if (!merge_wanted(s, &l->e)) continue;
        hs_job_output out;
        memset(&out, 0, sizeof out);
        memcpy(out.id, l->e.id, sizeof out.id);
        out.status = l->e.status;
        out.record = strndup(l->text, l->len);
        out.record_len = l->len;
        if (!out.record) st = hs_fail(err, HS_ENOMEM, "out of memory merging %s", src);
        int jfd = -1;
        if (!st) st = hs_store_open_job_dir(dir_fd, &jobs_fd, src, l->e.id, false, &jfd, err);
        const struct {
            const char *name;
            char **data;
            size_t *len;
        } files[] = {
            {HS_JOB_METRICS, &out.metrics, &out.metrics_len},
            {HS_JOB_ATTENTION, &out.attention, &out.attention_len},
            {HS_JOB_MODEL, &out.model, &out.model_len},
        };
        /* only the files the record names, only regular files, never through a link */
        for (size_t k = 0; !st && jfd >= 0 && k < 3; k++) {
            if (!names_file(l->text, l->len, l->e.id, files[k].name)) continue;
            hs_job_path(path, sizeof path, src, l->e.id, files[k].name, NULL); /* for messages */
            st = hs_read_at(jfd, files[k].name, path, STORE_FILE_LIMIT, files[k].data, files[k].len,
                            err);
        }
        if (jfd >= 0) close(jfd);
        if (!st) st = hs_store_put(s, &out, err);
        if (!st) (*added)++;
        hs_job_output_free(&out);
    }
    snprintf(path, sizeof path, "%s/" HS_STORE_RUNS, src);
    if (!st) notice_skipped(s, path, &info); /* skipped lines of the shard */
    free(L.all);
    free(data);
    if (jobs_fd != v.jobs_fd && jobs_fd >= 0) close(jobs_fd);
    hs_store_view_close(&v);
    return st;
}

hs_status hs_store_read_resume(hs_store *s, const char *id, char **bytes, size_t *n, hs_err *err)
{
    *bytes = NULL;
    *n = 0;
    if (!hs_store_is_job_id(id, strlen(id))) return hs_fail(err, HS_EINTERNAL, "bad job id %s", id);
    int jfd;
    hs_status st = hs_store_open_job_dir(s->dir_fd, &s->jobs_fd, s->dir, id, false, &jfd, err);
    if (st || jfd < 0) return st;
    char path[4200];
    hs_job_path(path, sizeof path, s->dir, id, HS_JOB_RESUME, NULL); /* for messages */
    st = hs_read_at(jfd, HS_JOB_RESUME, path, STORE_FILE_LIMIT, bytes, n, err);
    close(jfd);
    return st;
}
