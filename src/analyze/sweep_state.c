/* sweep_state.c — a sweep's jobs (sweep.yaml) against its records (runs.jsonl): the counts behind
 * `hopsweep status` and the report's first section. Reads only; never takes the store's lock. */
#include "hopsweep/sweep_state.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hopsweep/fileio.h"
#include "hopsweep/store_layout.h"

long hs_sweep_state_beat_of(const hs_sweep_state *s, const char *id)
{
    size_t lo = 0, hi = s->n_beats;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->beats[mid].id, id);
        if (!c) return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* The heartbeats of jobs that are not done: a done record wins over a heartbeat left behind. */
static hs_status load_beats(hs_sweep_state *s, const char *store, const hs_results *r, hs_err *err)
{
    hs_status st = hs_live_list(store, &s->beats, &s->n_beats, &s->bad_beats, err);
    if (st) return st;
    size_t kept = 0;
    for (size_t k = 0; k < s->n_beats; k++) {
        long i = hs_results_find(r, s->beats[k].id);
        if (i < 0 || r->runs[i].status != HS_RUN_DONE) s->beats[kept++] = s->beats[k];
    }
    s->n_beats = kept;
    s->beat_stale = malloc(sizeof *s->beat_stale * (kept + 1));
    if (!s->beat_stale) return hs_fail(err, HS_ENOMEM, "out of memory reading %s", store);
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    s->now = hs_live_now();
    for (size_t k = 0; k < kept; k++) s->beat_stale[k] = hs_live_stale(&s->beats[k], s->now, host);
    return HS_OK;
}

static bool same(const char *a, const char *b) { return a && b ? !strcmp(a, b) : a == b; }

hs_status hs_sweep_state_load(hs_sweep_state *s, const hs_store_view *v, const hs_results *r,
                              hs_err *err)
{
    memset(s, 0, sizeof *s);
    s->started = hs_store_view_mtime(v, HS_STORE_SWEEP);
    s->updated = hs_store_view_mtime(v, HS_STORE_RUNS);
    char *path = hs_path_join(v->dir, HS_STORE_SWEEP);
    if (!path) return hs_fail(err, HS_ENOMEM, "out of memory reading %s", v->dir);
    char *text = NULL;
    size_t n = 0;
    hs_err e = {0};
    /* 16 MiB: what the sweep loader reads at most */
    hs_status st = hs_store_view_read(v, HS_STORE_SWEEP, (size_t)16 << 20, &text, &n, &e);
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
    st = load_beats(s, v->dir, r, err);
    if (st) {
        hs_sweep_state_free(s);
        return st;
    }
    for (size_t i = 0; i < r->n; i++) {
        const hs_run_record *run = &r->runs[i];
        if (!isnan(run->wall_s)) {
            s->wall_s += run->wall_s;
            s->timed++;
        }
        if (s->has_sweep && s->run_job[i] < 0) s->outside++;
        if (run->status != HS_RUN_DONE && hs_sweep_state_beat_of(s, run->id) >= 0)
            continue; /* running again */
        if (run->status == HS_RUN_DONE) s->done++;
        if (run->status == HS_RUN_FAILED) s->failed++;
        if (run->status == HS_RUN_INTERRUPTED) s->interrupted++;
    }
    size_t beats_alone = 0; /* running jobs without any record yet */
    for (size_t k = 0; k < s->n_beats; k++) {
        s->stale += s->beat_stale[k];
        s->running += !s->beat_stale[k];
        beats_alone += hs_results_find(r, s->beats[k].id) < 0;
    }
    s->builds = malloc(sizeof *s->builds * HS_MAX_BUILDS);
    if (!s->builds) {
        hs_sweep_state_free(s);
        return hs_fail(err, HS_ENOMEM, "out of memory counting the builds of %s", v->dir);
    }
    for (size_t i = 0; i < r->n; i++) {
        const hs_run_record *run = &r->runs[i];
        if (!run->build_version && !run->build_commit) {
            s->unbuilt++;
            continue;
        }
        size_t b = 0;
        while (b < s->n_builds && !(same(s->builds[b].version, run->build_version) &&
                                    same(s->builds[b].commit, run->build_commit)))
            b++;
        if (b == s->n_builds && b == HS_MAX_BUILDS) { /* a forged store must not cost n² */
            s->other_builds++;
            continue;
        }
        if (b == s->n_builds)
            s->builds[s->n_builds++] = (hs_build_count){run->build_version, run->build_commit, 0};
        s->builds[b].records++;
    }
    /* Records of jobs the sweep does not list are counted as well (a store may hold several
     * grids); the jobs never started are those of the sweep without any record or heartbeat. */
    s->total = r->n + beats_alone;
    if (s->has_sweep) {
        for (size_t j = 0; j < s->sweep.n_jobs; j++)
            s->never_started +=
                s->job_run[j] < 0 && hs_sweep_state_beat_of(s, s->sweep.jobs[j].id) < 0;
        s->total = r->n + beats_alone + (size_t)s->never_started;
    }
    return HS_OK;
}

void hs_sweep_state_free(hs_sweep_state *s)
{
    free(s->beats);
    free(s->beat_stale);
    hs_sweep_free(&s->sweep);
    free(s->job_run);
    free(s->run_job);
    free(s->builds);
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

void hs_sweep_state_beat_label(const hs_sweep_state *s, const hs_results *r, size_t k, char *buf,
                               size_t n)
{
    buf[0] = '\0';
    if (k >= s->n_beats) return;
    const char *id = s->beats[k].id;
    for (size_t j = 0; j < s->sweep.n_jobs; j++)
        if (!strcmp(s->sweep.jobs[j].id, id)) {
            if (s->sweep.n_axes) hs_sweep_job_label(&s->sweep, j, buf, n);
            return;
        }
    long i = hs_results_find(r, id);
    if (i >= 0) hs_sweep_state_label(s, r, (size_t)i, buf, n);
}

void hs_sweep_state_builds(const hs_sweep_state *s, char *buf, size_t n)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->n_builds + 2 && at < n; i++) {
        const hs_build_count *b = &s->builds[i < s->n_builds ? i : 0];
        int k = 0;
        if (i < s->n_builds)
            k = snprintf(buf + at, n - at, "%s%.64s (commit %.12s): %d record%s", i ? "; " : "",
                         b->version ? b->version : "unknown version",
                         b->commit ? b->commit : "unknown", b->records, b->records == 1 ? "" : "s");
        else if (i == s->n_builds && s->other_builds && s->n_builds)
            k = snprintf(buf + at, n - at, "; %d records of still other builds", s->other_builds);
        else if (i == s->n_builds + 1 && s->unbuilt && s->n_builds)
            k = snprintf(buf + at, n - at, "; %d naming no build", s->unbuilt);
        if (k > 0) at += (size_t)k;
    }
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
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
