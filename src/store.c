/* store.c — the result store (DESIGN §3): a directory holding runs.jsonl, one record line per
 * finished job, and each job's files under jobs/<id>/. Opening takes the store's lock, reads
 * the latest status of every id from runs.jsonl (so a rerun can skip finished jobs) and repairs
 * what a crash can leave behind; putting a job writes its files, then commits its line. */
#include "hopsweep/store.h"

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

#include <yaml.h>

#include "hopsweep/fileio.h"
#include "hopsweep/jsonline.h"

#define RUNS_FILE "runs.jsonl"
#define LOCK_FILE ".lock"
#define JOBS_DIR "jobs"

/* ---------------------------------------------------------------------------------------------
 * Helpers */

static bool is_job_id(const char *s, size_t n)
{
    if (n != 16) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

static hs_run_status run_status_of(hs_job_status s)
{
    switch (s) {
    case HS_JOB_DONE: return HS_RUN_DONE;
    case HS_JOB_FAILED: return HS_RUN_FAILED;
    default: return HS_RUN_INTERRUPTED;
    }
}

/* Adds one sentence to s->notice, "; "-separated from what is already there. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void add_notice(hs_store *s, const char *fmt, ...)
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

typedef enum { LINE_OK, LINE_BAD, LINE_NOMEM } line_result;

/* Reads "id" and "status" from the top-level object of one record line. On LINE_BAD, *why
 * says what is wrong with it (for the notice). The rest of the record is not looked at: the
 * store only needs to know which jobs are finished. */
static line_result parse_line(const char *line, size_t len, char id[17], hs_run_status *status,
                              const char **why)
{
    yaml_document_t doc;
    switch (hs_jl_load_object(line, len, &doc, why)) {
    case HS_JL_OK: break;
    case HS_JL_NOMEM: return LINE_NOMEM;
    default: return LINE_BAD; /* callers skip blank lines before asking */
    }
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    const yaml_node_t *idn = NULL, *stn = NULL;
    line_result r = LINE_BAD;
    for (const yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_document_get_node(&doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(&doc, p->value);
        if (!k || !v) goto done;
        const yaml_node_t **slot = hs_jl_scalar_is(k, "id")       ? &idn
                                   : hs_jl_scalar_is(k, "status") ? &stn
                                                                   : NULL;
        if (!slot) continue;
        if (*slot) { /* JSON parsers disagree on which of two equal keys wins: trust neither */
            *why = "a repeated \"id\" or \"status\" key";
            goto done;
        }
        *slot = v;
    }
    if (!idn || idn->type != YAML_SCALAR_NODE ||
        !is_job_id((const char *)idn->data.scalar.value, idn->data.scalar.length)) {
        *why = idn ? "an \"id\" that is not 16 lowercase hex digits" : "no \"id\"";
        goto done;
    }
    if (!stn) {
        *why = "no \"status\"";
        goto done;
    }
    if (hs_jl_scalar_is(stn, "done"))
        *status = HS_RUN_DONE;
    else if (hs_jl_scalar_is(stn, "failed"))
        *status = HS_RUN_FAILED;
    else if (hs_jl_scalar_is(stn, "interrupted"))
        *status = HS_RUN_INTERRUPTED;
    else {
        *why = "a \"status\" other than done, failed or interrupted";
        goto done;
    }
    memcpy(id, idn->data.scalar.value, 16);
    id[16] = '\0';
    r = LINE_OK;
done:
    yaml_document_delete(&doc);
    return r;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* One record as read, with its line number so the latest line of an id wins after sorting. */
typedef struct loaded {
    hs_store_entry e;
    size_t line;
} loaded;

static int loaded_cmp(const void *a, const void *b)
{
    const loaded *x = a, *y = b;
    int c = strcmp(x->e.id, y->e.id);
    if (c) return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Fills s->entries from the text of runs.jsonl; returns the length of its complete lines. */
static hs_status read_runs(hs_store *s, const char *path, const char *data, size_t size,
                           size_t *complete, hs_err *err)
{
    loaded *all = NULL;
    size_t n = 0, cap = 0, skipped = 0, first_skipped = 0, lineno = 0;
    const char *first_why = "";
    const char *p = data, *end = data + size;
    hs_status st = HS_OK;
    for (;;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) break;
        lineno++;
        size_t len = (size_t)(nl - p);
        const char *line = p;
        p = nl + 1;
        /* Spaces, tabs and a CR around the object are tolerated (an editor on Windows, a
         * hand-indented line); libyaml alone would refuse a leading tab. Blank lines are
         * ignored. */
        while (len && is_space(line[0])) line++, len--;
        while (len && is_space(line[len - 1])) len--;
        if (!len) continue;
        if (n == cap) {
            size_t c2 = cap ? cap * 2 : 256;
            loaded *a = realloc(all, c2 * sizeof *a);
            if (!a) {
                st = hs_fail(err, HS_ENOMEM, "%s: out of memory reading the records", path);
                goto out;
            }
            all = a;
            cap = c2;
        }
        const char *why = NULL;
        line_result r = parse_line(line, len, all[n].e.id, &all[n].e.status, &why);
        if (r == LINE_NOMEM) {
            st = hs_fail(err, HS_ENOMEM, "%s: out of memory parsing line %zu", path, lineno);
            goto out;
        }
        if (r == LINE_BAD) {
            if (!skipped++) {
                first_skipped = lineno;
                first_why = why;
            }
            continue;
        }
        all[n++].line = lineno;
    }
    *complete = (size_t)(p - data);
    s->lines = n;

    /* Sort by (id, line) and keep the last line of each id. */
    if (n) qsort(all, n, sizeof *all, loaded_cmp);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        if (i + 1 == n || strcmp(all[i].e.id, all[i + 1].e.id)) distinct++;
    if (!reserve_entries(s, distinct)) {
        st = hs_fail(err, HS_ENOMEM, "%s: out of memory reading the records", path);
        goto out;
    }
    s->n = 0;
    for (size_t i = 0; i < n; i++)
        if (i + 1 == n || strcmp(all[i].e.id, all[i + 1].e.id)) s->entries[s->n++] = all[i].e;

    if (skipped)
        add_notice(s,
                   "%s: skipped %zu unreadable line(s), first at line %zu (%s); they stay in the "
                   "file and count as no record",
                   path, skipped, first_skipped, first_why);
out:
    free(all);
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * Open and close */

/* Takes the lock on dir/.lock; the kernel drops it when the process ends, so a crash never
 * leaves a stale lock behind. */
static hs_status take_lock(hs_store *s, bool wait, hs_err *err)
{
    char *path = hs_path_join(s->dir, LOCK_FILE);
    if (!path) return hs_fail(err, HS_ENOMEM, "out of memory opening the store %s", s->dir);
    hs_status st = HS_OK;
    s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s->lock_fd < 0) {
        int e = errno;
        /* The user's choice of output, not a failing disk. */
        hs_status code = e == EACCES || e == EROFS || e == EPERM ? HS_EINPUT : HS_EIO;
        st = hs_fail(err, code, "cannot open %s: %s; choose a writable output directory", path,
                     strerror(e));
        goto out;
    }
    /* The holder can let go between our F_SETLK and F_GETLK; then try again. */
    for (int attempt = 0;; attempt++) {
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
        if (fcntl(s->lock_fd, wait ? F_SETLKW : F_SETLK, &fl) == 0) break;
        int e = errno;
        if (e == EINTR) continue;
        if (e != EACCES && e != EAGAIN) {
            st = hs_fail(err, HS_EIO,
                         "cannot lock %s: %s; the file system may not support locks, choose an "
                         "output on a local disk",
                         path, strerror(e));
            goto out;
        }
        struct flock who = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
        if (fcntl(s->lock_fd, F_GETLK, &who) == 0 && who.l_type == F_UNLCK && attempt < 3)
            continue;
        char holder[48] = "another process";
        if (who.l_type != F_UNLCK && who.l_pid > 0)
            snprintf(holder, sizeof holder, "process %ld", (long)who.l_pid);
        st = hs_fail(err, HS_EINPUT,
                     "the store %s is in use by %s (it holds %s); wait for it to finish or "
                     "choose another output",
                     s->dir, holder, path);
        goto out;
    }
    /* For people looking at the directory; F_GETLK is what open relies on. */
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(s->lock_fd, 0) == 0 && pwrite(s->lock_fd, pid, (size_t)len, 0) < 0) {
        /* best effort */
    }
out:
    free(path);
    return st;
}

/* Reads runs.jsonl (creating it if missing) and cuts off a partial last line. */
static hs_status open_runs(hs_store *s, hs_err *err)
{
    char *path = hs_path_join(s->dir, RUNS_FILE);
    if (!path) return hs_fail(err, HS_ENOMEM, "out of memory opening the store %s", s->dir);
    char *data = NULL;
    size_t size = 0, complete = 0;
    hs_status st = HS_OK;
    s->runs_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (s->runs_fd < 0) {
        st = hs_fail(err, HS_EIO, "cannot open %s: %s", path, strerror(errno));
        goto out;
    }
    st = hs_read_file(path, SIZE_MAX, &data, &size, err);
    if (st) goto out;
    st = read_runs(s, path, data, size, &complete, err);
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
    free(path);
    return st;
}

static hs_status store_open(hs_store *s, const char *dir, bool wait, hs_err *err)
{
    memset(s, 0, sizeof *s);
    s->lock_fd = s->runs_fd = -1;
    hs_status st = hs_mkdirs(dir, err);
    if (st) return st;
    s->dir = strdup(dir);
    if (!s->dir) return hs_fail(err, HS_ENOMEM, "out of memory opening the store %s", dir);
    st = take_lock(s, wait, err);
    if (!st) st = open_runs(s, err);
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
        if (s->runs_fd >= 0) close(s->runs_fd);
        if (s->lock_fd >= 0) close(s->lock_fd); /* releases the lock */
    }
    free(s->dir);
    free(s->entries);
    memset(s, 0, sizeof *s);
    s->lock_fd = s->runs_fd = -1;
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
    if (!s->dir)
        return hs_fail(err, HS_EINTERNAL, "internal error: writing %s into a store not open", name);
    char *path = hs_path_join(s->dir, name);
    if (!path) return hs_fail(err, HS_ENOMEM, "out of memory writing %s/%s", s->dir, name);
    hs_status st = hs_write_atomic(path, data, n, err);
    free(path);
    return st;
}

/* Writes the job's files into jobs/<id>/ and removes the ones this output lacks, so the
 * directory holds exactly the files of the job's latest record (a rerun of a job that once
 * wrote a checkpoint must not leave the old one next to the new metrics). */
static hs_status put_files(hs_store *s, const hs_job_output *out, hs_err *err)
{
    char *jobdir = malloc(strlen(s->dir) + sizeof "/" JOBS_DIR "/" + 16);
    if (!jobdir) return hs_fail(err, HS_ENOMEM, "out of memory storing job %s", out->id);
    sprintf(jobdir, "%s/" JOBS_DIR "/%s", s->dir, out->id);
    hs_err e = {0};
    hs_status st = hs_mkdirs(jobdir, &e);
    if (st) /* the store exists and is ours: failing now is the disk, not the user's path */
        st = hs_fail(err, st == HS_ENOMEM ? HS_ENOMEM : HS_EIO, "%s", e.msg);
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
    for (size_t i = 0; !st && i < sizeof files / sizeof files[0]; i++) {
        char *path = hs_path_join(jobdir, files[i].name);
        if (!path) {
            st = hs_fail(err, HS_ENOMEM, "out of memory storing job %s", out->id);
            break;
        }
        if (files[i].data)
            st = hs_write_atomic(path, files[i].data, files[i].len, err);
        else if (unlink(path) && errno != ENOENT)
            st = hs_fail(err, HS_EIO, "cannot remove the stale %s: %s", path, strerror(errno));
        free(path);
    }
    free(jobdir);
    return st;
}

hs_status hs_store_put(hs_store *s, const hs_job_output *out, hs_err *err)
{
    if (!s->dir || s->runs_fd < 0)
        return hs_fail(err, HS_EINTERNAL, "internal error: storing job %s in a store not open",
                       out->id);
    /* The id names a directory: anything but an id from hs_config_id is a bug upstream. */
    if (!is_job_id(out->id, strnlen(out->id, sizeof out->id)))
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

    char *path = hs_path_join(s->dir, RUNS_FILE);
    char *line = malloc(out->record_len + 1);
    if (!path || !line) {
        free(path);
        free(line);
        return hs_fail(err, HS_ENOMEM, "out of memory storing job %s", out->id);
    }
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
    free(path);
    if (st) return st;

    bool found;
    size_t i = find_entry(s, out->id, &found);
    if (!found) {
        memmove(s->entries + i + 1, s->entries + i, (s->n - i) * sizeof *s->entries);
        memcpy(s->entries[i].id, out->id, 17);
        s->n++;
    }
    s->entries[i].status = run_status_of(out->status);
    return HS_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Merging another store (an array task's shard) */

/* Reads job id's file `name` from the store at dir into *data (NULL when it does not exist). */
static hs_status read_job_file(const char *dir, const char *id, const char *name, char **data,
                               size_t *n, hs_err *err)
{
    char rel[96];
    snprintf(rel, sizeof rel, JOBS_DIR "/%s/%s", id, name);
    char *path = hs_path_join(dir, rel);
    if (!path) return hs_fail(err, HS_ENOMEM, "out of memory");
    struct stat sb;
    hs_status st = HS_OK;
    *data = NULL;
    *n = 0;
    if (stat(path, &sb) == 0) st = hs_read_file(path, SIZE_MAX, data, n, err);
    free(path);
    return st;
}

static hs_job_status job_status_of(hs_run_status s)
{
    return s == HS_RUN_DONE ? HS_JOB_DONE : s == HS_RUN_FAILED ? HS_JOB_FAILED : HS_JOB_INTERRUPTED;
}

hs_status hs_store_merge(hs_store *s, const char *src, size_t *added, hs_err *err)
{
    *added = 0;
    hs_store from;
    memset(&from, 0, sizeof from);
    from.lock_fd = from.runs_fd = -1;
    char *path = hs_path_join(src, RUNS_FILE), *data = NULL;
    const char **last = NULL; /* the latest line of each id of `from`, as entries are sorted */
    size_t size = 0, complete = 0;
    hs_status st = path ? hs_read_file(path, SIZE_MAX, &data, &size, err)
                        : hs_fail(err, HS_ENOMEM, "out of memory");
    if (st == HS_EIO && path && access(path, F_OK))
        st = hs_fail(err, HS_EINPUT, "%s: no such store (it has no " RUNS_FILE ")", src);
    if (!st) st = read_runs(&from, path, data, size, &complete, err);
    if (!st && from.n && !(last = calloc(from.n, sizeof *last)))
        st = hs_fail(err, HS_ENOMEM, "out of memory merging %s", src);
    /* Second pass: remember where each id's latest line is (lines parse as in read_runs). */
    for (const char *p = data; !st && p < data + complete;) {
        const char *nl = memchr(p, '\n', (size_t)(data + complete - p));
        const char *line = p;
        size_t len = (size_t)(nl - p);
        p = nl + 1;
        while (len && is_space(line[0])) line++, len--;
        while (len && is_space(line[len - 1])) len--;
        char id[17];
        hs_run_status rs;
        const char *why;
        bool found;
        if (!len || parse_line(line, len, id, &rs, &why) != LINE_OK) continue;
        size_t i = find_entry(&from, id, &found);
        if (found) last[i] = line;
    }
    for (size_t i = 0; !st && i < from.n; i++) {
        const hs_store_entry *e = &from.entries[i];
        hs_run_status have = hs_store_status(s, e->id);
        /* only finished jobs travel; an interrupted one is finished by rerunning its shard */
        if (!last[i] || e->status == HS_RUN_INTERRUPTED || have == HS_RUN_DONE ||
            (have == HS_RUN_FAILED && e->status != HS_RUN_DONE))
            continue;
        hs_job_output out;
        memset(&out, 0, sizeof out);
        memcpy(out.id, e->id, sizeof out.id);
        out.status = job_status_of(e->status);
        const char *nl = strchr(last[i], '\n');
        size_t len = nl ? (size_t)(nl - last[i]) : strlen(last[i]);
        while (len && is_space(last[i][len - 1])) len--;
        out.record = strndup(last[i], len);
        out.record_len = len;
        if (!out.record) st = hs_fail(err, HS_ENOMEM, "out of memory merging %s", src);
        if (!st) st = read_job_file(src, e->id, HS_JOB_METRICS, &out.metrics, &out.metrics_len, err);
        if (!st) st = read_job_file(src, e->id, HS_JOB_ATTENTION, &out.attention, &out.attention_len, err);
        if (!st) st = read_job_file(src, e->id, HS_JOB_MODEL, &out.model, &out.model_len, err);
        if (!st) st = hs_store_put(s, &out, err);
        if (!st) (*added)++;
        hs_job_output_free(&out);
    }
    free(last);
    free(data);
    free(path);
    free(from.entries);
    return st;
}

hs_status hs_store_read_resume(const hs_store *s, const char *id, char **bytes, size_t *n,
                               hs_err *err)
{
    *bytes = NULL;
    *n = 0;
    if (!is_job_id(id, strlen(id))) return hs_fail(err, HS_EINTERNAL, "bad job id %s", id);
    return read_job_file(s->dir, id, HS_JOB_RESUME, bytes, n, err);
}
