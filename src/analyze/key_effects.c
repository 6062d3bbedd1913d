/* key_effects.c — the effect of each varied config key on solving, one key at a time within
 * cells of the other varied keys (definitions in key_effects.h). Sorts and counts the records
 * results.c read; never reads a file, never prints. */
#include "hopsweep/key_effects.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/stats.h"

enum { VALUE_MAX = 96 };

/* Numbers by value and before texts, texts by strcmp: "2" < "10" < "cosine" < "implicit". */
static int value_cmp(const char *a, const char *b)
{
    char *ea, *eb;
    double x = strtod(a, &ea), y = strtod(b, &eb);
    bool na = ea != a && !*ea, nb = eb != b && !*eb;
    if (na && nb && x != y) return x < y ? -1 : 1;
    if (na != nb) return na ? -1 : 1;
    return strcmp(a, b);
}

static int str_cmp(const void *a, const void *b)
{
    return value_cmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A counted run as the cells of one key see it: its value index for every varied key. */
typedef struct item {
    const int *vi; /* [nk] */
    int nk, skip;  /* the key whose effect is measured: last in the order, not in the cell */
    size_t run;
} item;

static int item_cmp(const void *pa, const void *pb)
{
    const item *a = pa, *b = pb;
    for (int k = 0; k < a->nk; k++) {
        if (k == a->skip || a->vi[k] == b->vi[k]) continue;
        return a->vi[k] < b->vi[k] ? -1 : 1;
    }
    if (a->vi[a->skip] != b->vi[b->skip]) return a->vi[a->skip] < b->vi[b->skip] ? -1 : 1;
    return a->run < b->run ? -1 : a->run > b->run;
}

static bool same_cell(const item *a, const item *b)
{
    for (int k = 0; k < a->nk; k++)
        if (k != a->skip && a->vi[k] != b->vi[k]) return false;
    return true;
}

/* Adds run to s (steps into steps[s->n_steps] when it solved with a known step). */
static void stat_add(hs_effect_stat *s, const hs_run_record *run, double tau, double *steps)
{
    s->runs++;
    if (run->status != HS_RUN_DONE || !(run->query_acc >= tau)) return;
    s->solved++;
    int d = run->config.task.hops;
    if (d < run->n_hop_steps && run->hop_steps[d] >= 0) steps[s->n_steps++] = run->hop_steps[d];
}

static void stat_finish(hs_effect_stat *s, double *steps)
{
    s->rate = s->runs ? (double)s->solved / s->runs : NAN;
    s->lo = s->hi = NAN;
    if (s->runs) hs_wilson_interval((size_t)s->solved, (size_t)s->runs, &s->lo, &s->hi);
    s->median_step = NAN;
    if (!s->n_steps) return;
    qsort(steps, (size_t)s->n_steps, sizeof *steps, cmp_double);
    s->median_step = hs_quantile(steps, (size_t)s->n_steps, 0.5);
}

/* -1, 0, 1 as rate a is below, equal to, above rate b (exactly, as fractions). */
static int rate_cmp(const hs_effect_stat *a, const hs_effect_stat *b)
{
    long long x = (long long)a->solved * b->runs, y = (long long)b->solved * a->runs;
    return x < y ? -1 : x > y;
}

/* The summary of one cell: rows[0..n) are its values, ascending. A cell with one value says
 * nothing about the key: its row is dropped (its runs still count for the value's marginal). */
static void cell_summary(hs_key_effect *ke, int cell, size_t first)
{
    const hs_effect_row *rows = ke->rows + first;
    size_t n = ke->n_rows - first;
    if (n < 2) {
        ke->n_rows = first;
        return;
    }
    ke->compared++;
    size_t best = 0, worst = 0;
    bool up = false, down = false;
    for (size_t i = 1; i < n; i++) {
        if (rate_cmp(&rows[i].s, &rows[best].s) > 0) best = i;
        if (rate_cmp(&rows[i].s, &rows[worst].s) < 0) worst = i;
        int c = rate_cmp(&rows[i].s, &rows[i - 1].s);
        up |= c > 0;
        down |= c < 0;
    }
    ke->rises += up && !down;
    ke->falls += down && !up;
    ke->flat += !up && !down;
    ke->mixed += up && down;
    ke->separated += rows[worst].s.hi < rows[best].s.lo;
    double diff = rows[best].s.rate - rows[worst].s.rate;
    if (ke->max_cell < 0 || diff > ke->max_diff) {
        ke->max_diff = diff;
        ke->max_cell = cell;
        ke->max_lo = rows[worst].value;
        ke->max_hi = rows[best].value;
    }
}

/* "key=value ..." of every varied key but skip, from one run's value indices. */
static char *cell_label(const hs_key_effects *e, const int *vi, int skip)
{
    size_t len = 1;
    for (int k = 0; k < e->n_keys; k++)
        if (k != skip) len += strlen(e->keys[k].name) + strlen(e->keys[k].values[vi[k]]) + 2;
    char *s = malloc(len);
    if (!s) return NULL;
    size_t at = 0;
    s[0] = '\0';
    for (int k = 0; k < e->n_keys; k++)
        if (k != skip)
            at += (size_t)sprintf(s + at, "%s%s=%s", at ? " " : "", e->keys[k].name,
                                  e->keys[k].values[vi[k]]);
    return s;
}

/* Cells, rows and summary of varied key j. items, steps: scratch for n runs. */
static bool one_key(const hs_results *r, hs_key_effects *e, int j, item *items, size_t n,
                    double *steps)
{
    hs_key_effect *ke = &e->keys[j];
    for (size_t i = 0; i < n; i++) items[i].skip = j;
    qsort(items, n, sizeof *items, item_cmp);
    ke->max_cell = -1;
    ke->max_diff = NAN;
    ke->rows = calloc(n + 1, sizeof *ke->rows);
    ke->cells = calloc(n + 1, sizeof *ke->cells);
    ke->all = calloc((size_t)ke->n_values, sizeof *ke->all);
    if (!ke->rows || !ke->cells || !ke->all) return false;
    size_t cell_first_row = 0;
    for (size_t i = 0; i < n;) {
        bool new_cell = !i || !same_cell(&items[i], &items[i - 1]);
        if (new_cell) {
            if (i) cell_summary(ke, ke->n_cells - 1, cell_first_row);
            cell_first_row = ke->n_rows;
            ke->cells[ke->n_cells] = cell_label(e, items[i].vi, j);
            if (!ke->cells[ke->n_cells++]) return false;
        }
        hs_effect_row *row = &ke->rows[ke->n_rows++]; /* may reuse a dropped row */
        memset(row, 0, sizeof *row);
        row->cell = ke->n_cells - 1;
        row->value = items[i].vi[j];
        size_t k = i;
        while (k < n && same_cell(&items[k], &items[i]) && items[k].vi[j] == row->value)
            stat_add(&row->s, &r->runs[items[k++].run], e->tau, steps);
        stat_finish(&row->s, steps);
        i = k;
    }
    if (n) cell_summary(ke, ke->n_cells - 1, cell_first_row);
    for (int v = 0; v < ke->n_values; v++) {
        for (size_t i = 0; i < n; i++)
            if (items[i].vi[j] == v) stat_add(&ke->all[v], &r->runs[items[i].run], e->tau, steps);
        stat_finish(&ke->all[v], steps);
    }
    return true;
}

/* The distinct values of key among the runs, ascending, into ke; false when out of memory. */
static bool key_values(const hs_results *r, const size_t *runs, size_t n, size_t key,
                       hs_key_effect *ke)
{
    size_t cap = 0;
    char v[VALUE_MAX];
    for (size_t i = 0; i < n; i++) {
        hs_config_format(&r->runs[runs[i]].config, key, v, sizeof v);
        bool seen = false;
        for (int k = 0; k < ke->n_values && !seen; k++) seen = !strcmp(ke->values[k], v);
        if (seen) continue;
        if ((size_t)ke->n_values == cap) {
            cap = cap ? 2 * cap : 4;
            char **t = realloc(ke->values, cap * sizeof *t);
            if (!t) return false;
            ke->values = t;
        }
        if (!(ke->values[ke->n_values] = strdup(v))) return false;
        ke->n_values++;
    }
    qsort(ke->values, (size_t)ke->n_values, sizeof *ke->values, str_cmp);
    return true;
}

static void key_free(hs_key_effect *ke)
{
    for (int i = 0; i < ke->n_values; i++) free(ke->values[i]);
    for (int i = 0; i < ke->n_cells; i++) free(ke->cells[i]);
    free(ke->values);
    free(ke->cells);
    free(ke->rows);
    free(ke->all);
}

hs_status hs_key_effects_compute(const hs_results *r, double tau, hs_key_effects *e, hs_err *err)
{
    memset(e, 0, sizeof *e);
    e->tau = tau;
    size_t nk_all = hs_config_key_count(), n = 0;
    size_t *runs = malloc(sizeof *runs * (r->n + 1));
    e->keys = calloc(nk_all + 1, sizeof *e->keys);
    int *vi = NULL;
    item *items = NULL;
    double *steps = NULL;
    if (!runs || !e->keys) goto nomem;
    for (size_t i = 0; i < r->n; i++)
        if (r->runs[i].status != HS_RUN_INTERRUPTED) runs[n++] = i;
    e->runs = (int)n;
    int seed = hs_config_key_index("train.seed");
    for (size_t k = 0; k < nk_all; k++) {
        if ((int)k == seed) continue;
        hs_key_effect *ke = &e->keys[e->n_keys];
        ke->key = (int)k;
        ke->name = hs_config_key_name(k);
        if (!key_values(r, runs, n, k, ke)) {
            e->n_keys++; /* so that its values are freed */
            goto nomem;
        }
        if (ke->n_values >= 2) {
            e->n_keys++;
        } else {
            key_free(ke);
            memset(ke, 0, sizeof *ke);
        }
    }
    int nk = e->n_keys;
    vi = malloc(sizeof *vi * (n * (size_t)nk + 1));
    items = malloc(sizeof *items * (n + 1));
    steps = malloc(sizeof *steps * (n + 1));
    if (!vi || !items || !steps) goto nomem;
    char v[VALUE_MAX];
    for (size_t i = 0; i < n; i++) {
        int *row = vi + i * (size_t)nk;
        for (int k = 0; k < nk; k++) {
            hs_key_effect *ke = &e->keys[k];
            hs_config_format(&r->runs[runs[i]].config, (size_t)ke->key, v, sizeof v);
            const char *want = v;
            char **hit =
                bsearch(&want, ke->values, (size_t)ke->n_values, sizeof *ke->values, str_cmp);
            row[k] = hit ? (int)(hit - ke->values) : 0; /* always found: the values came from
                                                            these runs */
        }
        items[i] = (item){.vi = row, .nk = nk, .run = runs[i]};
    }
    for (int k = 0; k < nk; k++)
        if (!one_key(r, e, k, items, n, steps)) goto nomem;
    free(runs);
    free(vi);
    free(items);
    free(steps);
    return HS_OK;
nomem:
    free(runs);
    free(vi);
    free(items);
    free(steps);
    hs_key_effects_free(e);
    return hs_fail(err, HS_ENOMEM, "out of memory measuring the effect of each config key");
}

void hs_key_effects_free(hs_key_effects *e)
{
    for (int k = 0; k < e->n_keys; k++) key_free(&e->keys[k]);
    free(e->keys);
    memset(e, 0, sizeof *e);
}
