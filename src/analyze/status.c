/* status.c — a sweep's jobs (sweep.yaml) against its records (runs.jsonl): the counts behind
 * `hopsweep status` and the report's first section. Reads only; never takes the store's lock. */
#include "hopsweep/status.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/fileio.h"

hs_status hs_sweep_state_load(hs_sweep_state *s, const hs_store_view *v, const hs_results *r,
                              hs_err *err)
{
    memset(s, 0, sizeof *s);
    s->started = hs_store_view_mtime(v, "sweep.yaml");
    s->updated = hs_store_view_mtime(v, "runs.jsonl");
    char *path = hs_path_join(v->dir, "sweep.yaml");
    if (!path) return hs_fail(err, HS_ENOMEM, "out of memory reading %s", v->dir);
    char *text = NULL;
    size_t n = 0;
    hs_err e = {0};
    /* 16 MiB: what the sweep loader reads at most */
    hs_status st = hs_store_view_read(v, "sweep.yaml", (size_t)16 << 20, &text, &n, &e);
    if (!st && !text) {
        snprintf(s->sweep_why, sizeof s->sweep_why,
                 "%s: %s, so the jobs never started are not known", path, strerror(ENOENT));
    } else if (!st) {
        st = hs_sweep_load_text(&s->sweep, path, text, n, &e);
        if (!st) s->has_sweep = true;
    }
    if (st == HS_ENOMEM) {
        free(path);
        return hs_fail(err, st, "%s", e.msg);
    }
    if (st) snprintf(s->sweep_why, sizeof s->sweep_why, "sweep.yaml unreadable: %s", e.msg);
    free(path);
    s->job_run = malloc(sizeof *s->job_run * (s->sweep.n_jobs + 1));
    s->run_job = malloc(sizeof *s->run_job * (r->n + 1));
    if (!s->job_run || !s->run_job) {
        hs_sweep_state_free(s);
        return hs_fail(err, HS_ENOMEM, "out of memory counting the jobs of %s", v->dir);
    }
    for (size_t i = 0; i < r->n; i++) s->run_job[i] = -1;
    for (size_t j = 0; j < s->sweep.n_jobs; j++) {
        long k = hs_results_find(r, s->sweep.jobs[j].id);
        s->job_run[j] = k;
        if (k >= 0) s->run_job[k] = (long)j;
    }
    for (size_t i = 0; i < r->n; i++) {
        const hs_run_record *run = &r->runs[i];
        if (run->status == HS_RUN_DONE) s->done++;
        if (run->status == HS_RUN_FAILED) s->failed++;
        if (run->status == HS_RUN_INTERRUPTED) s->interrupted++;
        if (s->has_sweep && s->run_job[i] < 0) s->outside++;
        if (!isnan(run->wall_s)) {
            s->wall_s += run->wall_s;
            s->timed++;
        }
    }
    /* Records of jobs the sweep does not list are counted as well (a store may hold several
     * grids); the jobs never started are those of the sweep without any record. */
    s->total = r->n;
    if (s->has_sweep) {
        for (size_t j = 0; j < s->sweep.n_jobs; j++) s->never_started += s->job_run[j] < 0;
        s->total = r->n + (size_t)s->never_started;
    }
    return HS_OK;
}

void hs_sweep_state_free(hs_sweep_state *s)
{
    hs_sweep_free(&s->sweep);
    free(s->job_run);
    free(s->run_job);
    memset(s, 0, sizeof *s);
}

void hs_sweep_state_label(const hs_sweep_state *s, const hs_results *r, size_t run, char *buf,
                          size_t n)
{
    long j = run < r->n && s->run_job ? s->run_job[run] : -1;
    if (j >= 0 && s->sweep.n_axes) {
        hs_sweep_job_label(&s->sweep, (size_t)j, buf, n);
        return;
    }
    const hs_config *c = &r->runs[run].config;
    snprintf(buf, n, "layers=%d hops=%d curriculum=%s seed=%llu", c->model.layers, c->task.hops,
             hs_curriculum_name(c->task.curriculum), (unsigned long long)c->train.seed);
}

typedef struct timed_run {
    double wall;
    size_t i;
} timed_run;

static int cmp_slow(const void *pa, const void *pb)
{
    const timed_run *a = pa, *b = pb;
    if (a->wall != b->wall) return a->wall > b->wall ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

size_t hs_sweep_state_slowest(const hs_results *r, size_t *out, size_t max)
{
    timed_run *t = malloc(sizeof *t * (r->n + 1));
    if (!t) return 0;
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        if (!isnan(r->runs[i].wall_s)) t[n++] = (timed_run){r->runs[i].wall_s, i};
    qsort(t, n, sizeof *t, cmp_slow);
    if (n > max) n = max;
    for (size_t i = 0; i < n; i++) out[i] = t[i].i;
    free(t);
    return n;
}
