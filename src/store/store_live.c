/* store_live.c — a running job's live files in the store (store_live.h): metrics.csv as it
 * grows and the running.json heartbeat, written by the rank that trains the job and read by
 * status and the report. */
#include "hopsweep/store_live.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hopsweep/fileio.h"
#include "hopsweep/job_output.h"
#include "hopsweep/json.h"
#include "hopsweep/jsonline.h"
#include "hopsweep/metrics.h"
#include "hopsweep/store_layout.h"

#define BEAT_LIMIT 65536 /* a heartbeat is a few hundred bytes; anything larger is not one */

double hs_live_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* ---------------------------------------------------------------------------------------------
 * Writing */

static void live_fail(hs_live *l, const char *what, int e)
{
    if (!l->err.code) hs_fail(&l->err, HS_EIO, "%s/%s: %s", l->shown, what, strerror(e));
}

static void write_beat(hs_live *l)
{
    if (l->job_fd < 0) return;
    const hs_live_beat *b = &l->beat;
    hs_json j;
    hs_json_init(&j);
    hs_json_object_begin(&j);
    hs_json_key(&j, "id");
    hs_json_string(&j, b->id);
    hs_json_key(&j, "sweep");
    hs_json_string(&j, b->sweep);
    hs_json_key(&j, "rank");
    hs_json_int(&j, b->rank);
    hs_json_key(&j, "host");
    hs_json_string(&j, b->host);
    hs_json_key(&j, "pid");
    hs_json_int(&j, b->pid);
    hs_json_key(&j, "step");
    hs_json_int(&j, b->step);
    hs_json_key(&j, "steps");
    hs_json_int(&j, b->steps);
    hs_json_key(&j, "first_step");
    hs_json_int(&j, b->first_step);
    hs_json_key(&j, "eval");
    if (b->has_eval) {
        hs_json_object_begin(&j);
        hs_json_key(&j, "step");
        hs_json_int(&j, b->eval_step);
        hs_json_key(&j, "query_acc"); /* null when NaN, as hs_json_float writes it */
        hs_json_float(&j, b->query_acc);
        hs_json_key(&j, "eval_loss");
        hs_json_float(&j, b->eval_loss);
        hs_json_key(&j, "train_loss");
        hs_json_float(&j, b->train_loss);
        hs_json_object_end(&j);
    } else {
        hs_json_null(&j);
    }
    hs_json_key(&j, "evals");
    hs_json_int(&j, b->evals);
    hs_json_key(&j, "eval_s");
    hs_json_double(&j, b->eval_s);
    hs_json_key(&j, "started");
    hs_json_double(&j, b->started);
    hs_json_key(&j, "updated");
    hs_json_double(&j, l->last_beat = l->beat.updated = hs_live_now());
    hs_json_object_end(&j);
    char *text = hs_json_ok(&j) ? hs_json_take(&j) : NULL;
    hs_json_free(&j);
    hs_err e = {0};
    char shown[4300];
    snprintf(shown, sizeof shown, "%s/" HS_JOB_RUNNING, l->shown);
    if (!text)
        live_fail(l, HS_JOB_RUNNING, ENOMEM);
    else if (hs_write_atomic_at(l->job_fd, HS_JOB_RUNNING, shown, text, strlen(text), &e) &&
             !l->err.code)
        l->err = e;
    free(text);
}

hs_status hs_live_open(hs_live *l, const char *store, const char *id, const char *sweep,
                       const char *host, int rank, int steps, hs_err *err)
{
    memset(l, 0, sizeof *l);
    l->dir_fd = l->job_fd = l->metrics_fd = -1;
    hs_job_path(l->shown, sizeof l->shown, store, id, NULL, NULL); /* for messages */
    snprintf(l->beat.id, sizeof l->beat.id, "%s", id);
    snprintf(l->beat.sweep, sizeof l->beat.sweep, "%s", sweep ? sweep : "");
    snprintf(l->beat.host, sizeof l->beat.host, "%s", host ? host : "");
    l->beat.rank = rank;
    l->beat.pid = (long)getpid();
    l->beat.steps = steps;
    l->beat.step = l->beat.first_step = -1; /* known at the first step or evaluation */
    l->beat.eval_s = NAN;
    l->beat.started = hs_live_now();
    /* The store's own path may be a link the user made; nothing inside it is followed. */
    l->dir_fd = open(store, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    hs_status st = HS_OK;
    int jobs_fd = -1;
    char path[4300];
    snprintf(path, sizeof path, "%s/" HS_STORE_JOBS, store);
    if (l->dir_fd < 0)
        st = hs_fail(err, HS_EIO, "cannot open the store %s: %s", store, strerror(errno));
    if (!st) st = hs_open_dir_at(l->dir_fd, HS_STORE_JOBS, true, path, &jobs_fd, err);
    if (!st) st = hs_open_dir_at(jobs_fd, id, true, l->shown, &l->job_fd, err);
    if (jobs_fd >= 0) close(jobs_fd);
    if (!st) {
        write_beat(l);
        if (l->err.code) st = hs_fail(err, l->err.code, "%s", l->err.msg);
    }
    if (st) {
        l->err = *err;
        hs_live_close(l);
    }
    return st;
}

/* The first evaluation's file: everything so far, atomically, then opened for appending. */
static void start_metrics(hs_live *l, const char *csv, size_t len)
{
    char shown[4300];
    snprintf(shown, sizeof shown, "%s/" HS_JOB_METRICS, l->shown);
    hs_err e = {0};
    if (hs_write_atomic_at(l->job_fd, HS_JOB_METRICS, shown, csv, len, &e)) {
        if (!l->err.code) l->err = e;
        l->metrics_broken = true;
        return;
    }
    l->metrics_fd = openat(l->job_fd, HS_JOB_METRICS, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    if (l->metrics_fd < 0) {
        live_fail(l, HS_JOB_METRICS, errno);
        l->metrics_broken = true;
        return;
    }
    l->written = len;
}

static void append_metrics(hs_live *l, const char *csv, size_t len)
{
    if (len <= l->written) return;
    struct stat sb;
    /* one write of whole lines; a short one is taken back, so no later row follows half a row */
    if (fstat(l->metrics_fd, &sb) ||
        hs_write_all(l->metrics_fd, csv + l->written, len - l->written)) {
        live_fail(l, HS_JOB_METRICS, errno);
        if (ftruncate(l->metrics_fd, (off_t)l->written)) {
            /* a reader still sees whole rows only: the cut row has no newline */
        }
        l->metrics_broken = true;
        return;
    }
    l->written = len;
}

void hs_live_eval(hs_live *l, const char *csv, size_t len, const hs_eval *ev)
{
    if (l->job_fd < 0) return;
    if (!l->metrics_broken && csv && len && csv[len - 1] == '\n') {
        if (l->metrics_fd < 0)
            start_metrics(l, csv, len);
        else
            append_metrics(l, csv, len);
    }
    hs_live_beat *b = &l->beat;
    double now = hs_live_now();
    if (b->first_step < 0) b->first_step = ev->step;
    if (b->evals) {
        double gap = now - l->last_eval_at;
        b->eval_s = b->evals == 1 ? gap : b->eval_s + (gap - b->eval_s) / b->evals;
    }
    l->last_eval_at = now;
    b->evals++;
    b->step = ev->step;
    b->has_eval = true;
    b->eval_step = ev->step;
    b->query_acc = ev->query_acc;
    b->eval_loss = ev->eval_loss;
    b->train_loss = ev->train_loss;
    write_beat(l);
}

void hs_live_step(hs_live *l, int step)
{
    if (l->job_fd < 0) return;
    if (l->beat.first_step < 0) l->beat.first_step = step - 1;
    l->beat.step = step;
    if (hs_live_now() - l->last_beat >= HS_LIVE_BEAT_S) write_beat(l);
}

void hs_live_close(hs_live *l)
{
    if (l->metrics_fd >= 0) close(l->metrics_fd);
    if (l->job_fd >= 0) close(l->job_fd);
    if (l->dir_fd >= 0) close(l->dir_fd);
    l->metrics_fd = l->job_fd = l->dir_fd = -1;
}

/* ---------------------------------------------------------------------------------------------
 * Reading */

/* A store string made safe for a terminal or a page: printable ASCII, '?' for the rest. */
static void copy_printable(char *dst, size_t n, const char *src)
{
    size_t i = 0;
    for (; src && src[i] && i + 1 < n; i++) dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
    dst[i] = '\0';
}

static bool get_int(yaml_document_t *d, const yaml_node_t *m, const char *key, int *v)
{
    return hs_jl_scalar_int(hs_jl_map_get(d, m, key), v);
}

/* NaN for null; false when neither a number nor null. */
static bool get_num(yaml_document_t *d, const yaml_node_t *m, const char *key, double *v)
{
    const yaml_node_t *n = hs_jl_map_get(d, m, key);
    if (n && hs_jl_is_null(n)) {
        *v = NAN;
        return true;
    }
    return hs_jl_scalar_double(n, v);
}

static bool parse_beat(const char *text, size_t len, const char *id, hs_live_beat *b)
{
    yaml_document_t doc;
    const char *why;
    while (len && strchr(" \t\r\n", text[len - 1])) len--;
    if (hs_jl_load_object(text, len, &doc, &why) != HS_JL_OK) return false;
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    memset(b, 0, sizeof *b);
    const yaml_node_t *idn = hs_jl_map_get(&doc, root, "id");
    const yaml_node_t *ev = hs_jl_map_get(&doc, root, "eval");
    double pid = 0, q = NAN, el = NAN, tl = NAN;
    bool ok = hs_jl_is_string(idn) && !strcmp(hs_jl_scalar_text(idn), id) &&
              get_int(&doc, root, "rank", &b->rank) && get_num(&doc, root, "pid", &pid) &&
              pid >= 0 && pid < 1e12 && get_int(&doc, root, "step", &b->step) &&
              get_int(&doc, root, "steps", &b->steps) &&
              get_int(&doc, root, "first_step", &b->first_step) &&
              get_int(&doc, root, "evals", &b->evals) &&
              get_num(&doc, root, "eval_s", &b->eval_s) &&
              get_num(&doc, root, "started", &b->started) && !isnan(b->started) &&
              get_num(&doc, root, "updated", &b->updated) && !isnan(b->updated);
    if (ok && ev && !hs_jl_is_null(ev)) {
        b->has_eval = true;
        ok = get_int(&doc, ev, "step", &b->eval_step) && get_num(&doc, ev, "query_acc", &q) &&
             get_num(&doc, ev, "eval_loss", &el) && get_num(&doc, ev, "train_loss", &tl);
    }
    if (ok) {
        memcpy(b->id, id, 16); /* is_id checked it: 16 hex digits */
        b->id[16] = '\0';
        b->pid = (long)pid;
        b->query_acc = (float)q, b->eval_loss = (float)el, b->train_loss = (float)tl;
        const yaml_node_t *s = hs_jl_map_get(&doc, root, "sweep");
        const yaml_node_t *h = hs_jl_map_get(&doc, root, "host");
        copy_printable(b->sweep, sizeof b->sweep, hs_jl_is_string(s) ? hs_jl_scalar_text(s) : "");
        copy_printable(b->host, sizeof b->host, hs_jl_is_string(h) ? hs_jl_scalar_text(h) : "");
    }
    yaml_document_delete(&doc);
    return ok;
}

static bool is_id(const char *s)
{
    size_t i = 0;
    for (; s[i]; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return i == 16;
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const hs_live_beat *)a)->id, ((const hs_live_beat *)b)->id);
}

hs_status hs_live_list(const char *dir, hs_live_beat **beats, size_t *n, size_t *bad, hs_err *err)
{
    *beats = NULL;
    *n = *bad = 0;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return hs_fail(err, HS_EINPUT, "cannot open the store %s: %s", dir, strerror(errno));
    char path[4300];
    snprintf(path, sizeof path, "%s/" HS_STORE_JOBS, dir);
    int jfd = -1;
    hs_err e = {0};
    /* a jobs entry that is not a directory has no heartbeats in it: status says the rest */
    if (hs_open_dir_at(dfd, HS_STORE_JOBS, false, path, &jfd, &e) || jfd < 0) {
        close(dfd);
        return HS_OK;
    }
    close(dfd);
    int lfd = dup(jfd);
    DIR *d = lfd >= 0 ? fdopendir(lfd) : NULL;
    if (!d) {
        if (lfd >= 0) close(lfd);
        close(jfd);
        return HS_OK;
    }
    hs_status st = HS_OK;
    size_t cap = 0;
    for (struct dirent *de; !st && (de = readdir(d));) {
        if (!is_id(de->d_name)) continue;
        int idfd = -1;
        char shown[4400], *text = NULL;
        size_t len = 0;
        snprintf(shown, sizeof shown, "%s/%.16s", path, de->d_name);
        if (hs_open_dir_at(jfd, de->d_name, false, shown, &idfd, &e) || idfd < 0) continue;
        strncat(shown, "/" HS_JOB_RUNNING, sizeof shown - strlen(shown) - 1);
        hs_status rs = hs_read_at(idfd, HS_JOB_RUNNING, shown, BEAT_LIMIT, &text, &len, &e);
        close(idfd);
        if (rs == HS_ENOMEM) st = hs_fail(err, rs, "out of memory reading %s", shown);
        if (rs || !text) {
            *bad += rs && rs != HS_ENOMEM;
            free(text);
            continue;
        }
        if (*n == cap) {
            size_t c = cap ? 2 * cap : 16;
            hs_live_beat *grown = realloc(*beats, c * sizeof *grown);
            if (!grown) {
                free(text);
                st = hs_fail(err, HS_ENOMEM, "out of memory reading the heartbeats of %s", dir);
                break;
            }
            *beats = grown, cap = c;
        }
        if (parse_beat(text, len, de->d_name, &(*beats)[*n]))
            (*n)++;
        else
            (*bad)++;
        free(text);
    }
    closedir(d);
    close(jfd);
    if (st) {
        free(*beats);
        *beats = NULL;
        *n = 0;
        return st;
    }
    if (*n) qsort(*beats, *n, sizeof **beats, by_id);
    return HS_OK;
}

bool hs_live_stale(const hs_live_beat *b, double now, const char *this_host)
{
    double wait = isnan(b->eval_s) ? 0 : 3 * b->eval_s;
    if (wait < 5) wait = 5;
    if (now - b->updated <= wait) return false;
    if (this_host && !strcmp(b->host, this_host) && b->pid > 0)
        return kill((pid_t)b->pid, 0) && errno == ESRCH;
    return true;
}

double hs_live_eta(const hs_live_beat *b)
{
    int done = b->step - b->first_step;
    if (done <= 0 || b->step < 0 || b->updated <= b->started) return NAN;
    double left = b->steps - b->step;
    return left <= 0 ? 0 : left * (b->updated - b->started) / done;
}
