/* sweep_expand.c — a loaded sweep's grid expanded into its jobs: the cartesian product in grid
 * order, exclude: entries reduced once to an index over the axes (so that matching a job costs a
 * few lookups, not a pass over every entry), every job validated and given its id, a bounded
 * number of jobs, and the labels `expand` prints. */
#include "sweep_loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void label_of(const hs_sweep *s, const hs_config *c, char *buf, size_t n)
{
    if (!n) return;
    buf[0] = '\0';
    size_t o = 0;
    for (int a = 0; a < s->n_axes; a++) {
        const char *full = hs_config_key_name((size_t)s->axes[a].key);
        const char *tail = strrchr(full, '.') ? strrchr(full, '.') + 1 : full;
        bool ambiguous = false;
        for (int b = 0; b < s->n_axes; b++) {
            const char *other = hs_config_key_name((size_t)s->axes[b].key);
            const char *ot = strrchr(other, '.') ? strrchr(other, '.') + 1 : other;
            if (b != a && !strcmp(ot, tail)) ambiguous = true;
        }
        char v[VALUE_MAX];
        hs_config_format(c, (size_t)s->axes[a].key, v, sizeof v);
        int w = snprintf(buf + o, n - o, "%s%s=%s", a ? " " : "", ambiguous ? full : tail, v);
        if (w < 0 || (size_t)w >= n - o) return; /* cut: snprintf has filled what fits */
        o += (size_t)w;
    }
}

void hs_sweep_job_label(const hs_sweep *s, size_t i, char *buf, size_t n)
{
    if (!n) return;
    buf[0] = '\0';
    if (i < s->n_jobs) label_of(s, &s->jobs[i].cfg, buf, n);
}

/* The exclude entries reduced to the grid once, so that matching a job costs a few lookups
 * instead of a pass over every entry (10^6 jobs x 10^5 entries must not take hours). A key that
 * is not an axis has the base's value in every job, so it is decided here; an entry's values on
 * an axis become the sorted indices of those axis values. Each surviving entry is filed under
 * one of its axes, the one it narrows most, at every value it allows there: a job need only try
 * the entries filed under its own values. */
typedef struct xcons {
    int axis, n;
    int *vals; /* sorted axis value indices */
} xcons;

typedef struct xentry {
    int n;
    xcons *c;
} xentry;

typedef struct xindex {
    bool all; /* an entry matches every job */
    int n;
    xentry *e;
    int **start; /* [axis][value .. value+1]: a range of list[axis] */
    int **list;  /* [axis]: entry numbers */
} xindex;

static void xindex_free(xindex *x, int n_axes)
{
    for (int i = 0; i < x->n; i++) {
        for (int j = 0; j < x->e[i].n; j++) free(x->e[i].c[j].vals);
        free(x->e[i].c);
    }
    free(x->e);
    for (int a = 0; x->start && a < n_axes; a++) free(x->start[a]);
    for (int a = 0; x->list && a < n_axes; a++) free(x->list[a]);
    free(x->start);
    free(x->list);
    memset(x, 0, sizeof *x);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The constrained axis of e that allows the smallest share of its values. */
static int narrowest(const hs_sweep *s, const xentry *e)
{
    int best = 0;
    for (int j = 1; j < e->n; j++)
        if ((double)e->c[j].n / s->axes[e->c[j].axis].n <
            (double)e->c[best].n / s->axes[e->c[best].axis].n)
            best = j;
    return best;
}

static hs_status xindex_build(const loader *L, xindex *x)
{
    const hs_sweep *s = L->s;
    memset(x, 0, sizeof *x);
    if (!L->n_entries) return HS_OK;
    strindex *ax = calloc((size_t)s->n_axes + 1, sizeof *ax);
    x->e = calloc((size_t)L->n_entries, sizeof *x->e);
    x->start = calloc((size_t)s->n_axes + 1, sizeof *x->start);
    x->list = calloc((size_t)s->n_axes + 1, sizeof *x->list);
    bool ok = ax && x->e && x->start && x->list;
    for (int a = 0; ok && a < s->n_axes; a++)
        ok = sweep_strindex_build(&ax[a], s->axes[a].values, s->axes[a].n, (size_t)s->axes[a].n);
    char v[VALUE_MAX];
    for (int i = 0; ok && i < L->n_entries; i++) {
        const entry *en = &L->entries[i];
        xentry *xe = &x->e[x->n];
        if (!(xe->c = calloc((size_t)en->n + 1, sizeof *xe->c))) {
            ok = false;
            break;
        }
        bool never = false;
        for (int j = 0; j < en->n && !never && ok; j++) {
            const match *m = &en->m[j];
            int a = sweep_axis_find(s, m->key);
            if (a < 0) { /* the same value in every job: decide now */
                hs_config_format(&s->base, (size_t)m->key, v, sizeof v);
                bool any = false;
                for (int k = 0; k < m->n && !any; k++) any = !strcmp(v, m->values[k]);
                never = !any;
                continue;
            }
            xcons *c = &xe->c[xe->n];
            if (!(c->vals = malloc((size_t)m->n * sizeof *c->vals))) {
                ok = false;
                break;
            }
            c->axis = a;
            xe->n++;
            for (int k = 0; k < m->n; k++) {
                int vi = sweep_strindex_find(&ax[a], s->axes[a].values, m->values[k]);
                if (vi >= 0) c->vals[c->n++] = vi;
            }
            never = c->n == 0; /* none of its values is on the grid */
            qsort(c->vals, (size_t)c->n, sizeof *c->vals, cmp_int);
        }
        if (!ok) { /* xe is counted below so that xindex_free frees it */
            x->n++;
            break;
        }
        if (never) {
            for (int j = 0; j < xe->n; j++) free(xe->c[j].vals);
            free(xe->c);
            memset(xe, 0, sizeof *xe);
            continue;
        }
        if (xe->n == 0) x->all = true;
        x->n++;
    }
    /* file every entry under its narrowest axis: counts, then ranges, then the lists */
    for (int a = 0; ok && a < s->n_axes; a++)
        ok = (x->start[a] = calloc((size_t)s->axes[a].n + 2, sizeof **x->start)) != NULL;
    for (int i = 0; ok && i < x->n; i++) {
        if (!x->e[i].n) continue;
        const xcons *c = &x->e[i].c[narrowest(s, &x->e[i])];
        for (int k = 0; k < c->n; k++) x->start[c->axis][c->vals[k] + 2]++;
    }
    for (int a = 0; ok && a < s->n_axes; a++) {
        int *st = x->start[a];
        for (int k = 2; k <= s->axes[a].n + 1; k++) st[k] += st[k - 1];
        ok = (x->list[a] = malloc(((size_t)st[s->axes[a].n + 1] + 1) * sizeof **x->list)) != NULL;
    }
    for (int i = 0; ok && i < x->n; i++) {
        if (!x->e[i].n) continue;
        const xcons *c = &x->e[i].c[narrowest(s, &x->e[i])];
        for (int k = 0; k < c->n; k++) x->list[c->axis][x->start[c->axis][c->vals[k] + 1]++] = i;
    }
    /* start[a][v+1] now ends value v's range and start[a][v] begins it */
    for (int a = 0; ax && a < s->n_axes; a++) sweep_strindex_free(&ax[a]);
    free(ax);
    if (!ok) {
        xindex_free(x, s->n_axes);
        return sweep_out_of_memory(L);
    }
    return HS_OK;
}

static bool allows(const xcons *c, int vi)
{
    return bsearch(&vi, c->vals, (size_t)c->n, sizeof vi, cmp_int) != NULL;
}

/* Whether the grid point idx matches an exclude entry. */
static bool excluded(const hs_sweep *s, const xindex *x, const int *idx)
{
    if (x->all) return true;
    if (!x->n) return false;
    for (int a = 0; a < s->n_axes; a++) {
        const int *st = x->start[a];
        for (int k = st[idx[a]]; k < st[idx[a] + 1]; k++) {
            const xentry *e = &x->e[x->list[a][k]];
            bool all = true;
            for (int j = 0; j < e->n && all; j++) all = allows(&e->c[j], idx[e->c[j].axis]);
            if (all) return true;
        }
    }
    return false;
}

/* The message for a job that fails hs_config_validate: where its first grid value was written,
 * its label, why, and the exclude: entry that would skip exactly this job. */
static hs_status job_invalid(const loader *L, const hs_config *c, const int *idx, const hs_err *e)
{
    const hs_sweep *s = L->s;
    if (s->n_axes == 0)
        return sweep_fail_at(L, L->base_at, "the sweep's job is invalid: %s", e->msg);
    char label[160], skip[200];
    label_of(s, c, label, sizeof label);
    size_t o = (size_t)snprintf(skip, sizeof skip, "- {");
    for (int a = 0; a < s->n_axes && o < sizeof skip; a++)
        o +=
            (size_t)snprintf(skip + o, sizeof skip - o, "%s%s: %s", a ? ", " : "",
                             hs_config_key_name((size_t)s->axes[a].key), s->axes[a].values[idx[a]]);
    if (o + 2 > sizeof skip) /* too long to show whole */
        snprintf(skip, sizeof skip, "an exclude: entry");
    else
        memcpy(skip + o, "}", 2);
    return sweep_fail_at(L, L->from[0][idx[0]],
                         "job %s is invalid: %s; change the grid, or skip the job with %s%s", label,
                         e->msg, o + 2 > sizeof skip ? "" : "exclude: ", skip);
}

/* The cartesian product of the axes, first axis slowest, minus exclude: matches; every job
 * validated. */
hs_status sweep_expand(loader *L)
{
    hs_sweep *s = L->s;
    size_t total = 1;
    for (int a = 0; a < s->n_axes; a++) {
        if (total > MAX_JOBS / (size_t)s->axes[a].n)
            return sweep_fail_at(L, (origin){0},
                                 "the grid makes more than %d jobs; split the sweep", MAX_JOBS);
        total *= (size_t)s->axes[a].n;
    }
    s->jobs = malloc(total * sizeof *s->jobs);
    int *idx = calloc((size_t)s->n_axes + 1, sizeof *idx);
    if (!s->jobs || !idx) {
        free(idx);
        return sweep_out_of_memory(L);
    }
    xindex x;
    hs_status st = xindex_build(L, &x);
    for (size_t g = 0; g < total && !st; g++) {
        hs_config c = s->base;
        hs_err e;
        for (int a = 0; a < s->n_axes && !st; a++)
            if (hs_config_set(&c, hs_config_key_name((size_t)s->axes[a].key),
                              s->axes[a].values[idx[a]], &e))
                st = hs_fail(L->err, HS_EINTERNAL, "canonical value refused: %s", e.msg);
        if (st) break;
        if (excluded(s, &x, idx)) {
            s->n_excluded++;
        } else if (hs_config_validate(&c, &e)) {
            st = job_invalid(L, &c, idx, &e);
        } else {
            hs_sweep_job *j = &s->jobs[s->n_jobs++];
            j->cfg = c;
            hs_config_id(&c, j->id);
        }
        for (int a = s->n_axes - 1; a >= 0; a--) { /* next grid point: last axis fastest */
            if (++idx[a] < s->axes[a].n) break;
            idx[a] = 0;
        }
    }
    free(idx);
    xindex_free(&x, s->n_axes);
    if (!st && s->n_jobs && s->n_jobs < total) { /* give back the excluded points' room */
        hs_sweep_job *fit = realloc(s->jobs, s->n_jobs * sizeof *fit);
        if (fit) s->jobs = fit;
    }
    if (!st && s->n_jobs == 0)
        st = sweep_fail_at(L, L->exclude_at,
                           "exclude: drops all %zu job%s; nothing would run, so narrow or remove "
                           "its entries",
                           total, total == 1 ? "" : "s");
    return st;
}
