/* analyze.c — the statistics of `hopsweep analyze` (definitions in analyze.h) over records read
 * by results.c: settings, families, groups and cells, minimum layers, steps to solve, head and
 * hop emergence. Sorts and counts; never reads a file, never prints. */
#include "hopsweep/analyze.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/array.h"

/* ---------------------------------------------------------------------------------------------
 * Small helpers */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ---------------------------------------------------------------------------------------------
 * The analysis's own statistics */

int hs_theory_min_layers(int hops)
{
    /* R(t) = (3^t - 1)/2 edges are reachable after t layers. */
    long long reach = 0, pow3 = 1;
    int t = 0;
    while (reach < hops) {
        pow3 *= 3;
        reach = (pow3 - 1) / 2;
        t++;
    }
    return t;
}

int hs_hops_monotone(const int *hop_steps, int n_hop_steps, const float *hop_acc, int n_hop_acc,
                     int hops)
{
    if (hops < 1 || n_hop_steps < hops + 1) return -1;
    double last = -1;
    int measured = 0;
    bool ok = true;
    for (int k = 1; k <= hops; k++) {
        if (n_hop_acc > 0 && (k >= n_hop_acc || isnan(hop_acc[k]))) continue;
        double s = hop_steps[k] < 0 ? INFINITY : hop_steps[k];
        if (measured++ && s < last) ok = false;
        last = s;
    }
    return measured < 2 ? -1 : ok;
}

/* Whether s solving seeds out of n make a solved cell. */
static bool enough(int s, int n, double fraction)
{
    if (fraction <= 0) return 2 * s > n;
    return s >= fraction * n - 1e-9;
}

hs_cell_verdict hs_cell_judge(int solved, int counted, int expected, double fraction)
{
    if (counted <= 0) return HS_CELL_EMPTY;
    if (expected < counted) expected = counted;
    int pending = expected - counted;
    /* The pending seeds all solving, or none of them: if both give the same answer, it holds. */
    bool best = enough(solved + pending, expected, fraction);
    bool worst = enough(solved, expected, fraction);
    if (best != worst) return HS_CELL_UNDECIDED;
    return best ? HS_CELL_SOLVED : HS_CELL_UNSOLVED;
}

/* ---------------------------------------------------------------------------------------------
 * The analysis: sorting runs into settings, families, groups and cells */

void hs_analyze_opts_default(hs_analyze_opts *o)
{
    o->tau = 0.95;
    o->fraction = 0;
    o->resamples = HS_ANALYZE_RESAMPLES;
    o->seed = HS_ANALYZE_BOOT_SEED;
}

/* The text of every config key but the four the analysis varies over: equal texts, same
 * setting. */
static char *setting_key(const hs_config *c)
{
    size_t cap = 256, len = 0;
    char *s = malloc(cap);
    if (!s) return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < hs_config_key_count(); i++) {
        const char *name = hs_config_key_name(i);
        if (!strcmp(name, "model.layers") || !strcmp(name, "train.seed") ||
            !strcmp(name, "task.hops") || !strcmp(name, "task.curriculum"))
            continue;
        char v[96];
        hs_config_format(c, i, v, sizeof v);
        size_t need = len + strlen(name) + strlen(v) + 3;
        if (need > cap) {
            while (cap < need) cap *= 2;
            char *t = realloc(s, cap);
            if (!t) {
                free(s);
                return NULL;
            }
            s = t;
        }
        len += (size_t)sprintf(s + len, "%s=%s\n", name, v);
    }
    return s;
}

typedef struct sort_item {
    size_t run;
    const hs_run_record *rec;
    char *setting;
} sort_item;

static int item_cmp(const void *pa, const void *pb)
{
    const sort_item *a = pa, *b = pb;
    int c = strcmp(a->setting, b->setting);
    if (c) return c;
    const hs_config *x = &a->rec->config, *y = &b->rec->config;
#define CMP(f) \
    if (x->f != y->f) return x->f < y->f ? -1 : 1
    CMP(task.curriculum);
    CMP(task.hops);
    CMP(model.layers);
    CMP(train.seed);
#undef CMP
    return strcmp(a->rec->id, b->rec->id);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorted distinct values of v[0..n) into v; returns how many. */
static int unique_ints(int *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_int);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!k || v[k - 1] != v[i]) v[k++] = v[i];
    return k;
}

static const hs_run_record *run_at(const hs_results *r, const hs_analysis *a, size_t i)
{
    return &r->runs[a->order[i]];
}

/* Labels every family with the keys whose values differ between settings. */
static hs_status label_families(const hs_results *r, hs_analysis *a, const size_t *setting_run,
                                hs_err *err)
{
    size_t nk = hs_config_key_count();
    if (!a->n_settings) return HS_OK;
    bool *varies = calloc(nk, sizeof *varies);
    if (!varies) return hs_fail(err, HS_ENOMEM, "out of memory labelling configurations");
    char v0[96], v[96];
    for (size_t k = 0; k < nk; k++) {
        const char *name = hs_config_key_name(k);
        if (!strcmp(name, "model.layers") || !strcmp(name, "train.seed") ||
            !strcmp(name, "task.hops") || !strcmp(name, "task.curriculum"))
            continue;
        hs_config_format(&r->runs[setting_run[0]].config, k, v0, sizeof v0);
        for (int s = 1; s < a->n_settings && !varies[k]; s++) {
            hs_config_format(&r->runs[setting_run[s]].config, k, v, sizeof v);
            varies[k] = strcmp(v, v0) != 0;
        }
    }
    hs_status st = HS_OK;
    for (int f = 0; f < a->n_families && !st; f++) {
        hs_family *fam = &a->families[f];
        const hs_config *c = &r->runs[setting_run[fam->setting]].config;
        size_t cap = 1, len = 0;
        for (size_t k = 0; k < nk; k++)
            if (varies[k]) cap += strlen(hs_config_key_name(k)) + sizeof v + 2;
        fam->label = malloc(cap);
        if (!fam->label) {
            st = hs_fail(err, HS_ENOMEM, "out of memory labelling configurations");
            break;
        }
        fam->label[0] = '\0';
        for (size_t k = 0; k < nk; k++) {
            if (!varies[k]) continue;
            hs_config_format(c, k, v, sizeof v);
            len += (size_t)sprintf(fam->label + len, "%s%s=%s", len ? " " : "",
                                   hs_config_key_name(k), v);
        }
    }
    free(varies);
    return st;
}

/* Scratch shared by every cell, grown as needed, so the per-cell work does not allocate. */
typedef struct scratch {
    double *d;
    size_t d_cap;
    int *i;
    size_t i_cap;
} scratch;

static bool scratch_need(scratch *s, size_t doubles, size_t ints)
{
    return hs_grow((void **)&s->d, &s->d_cap, doubles, sizeof *s->d) &&
           hs_grow((void **)&s->i, &s->i_cap, ints, sizeof *s->i);
}

/* Steps-to-solve, accuracy and the verdict of one cell. */
static bool cell_outcome(const hs_results *r, const hs_analysis *a, hs_cell *c, scratch *sc)
{
    if (!scratch_need(sc, c->count, 0)) return false;
    double acc_sum = 0;
    for (size_t i = c->first; i < c->first + c->count; i++) {
        const hs_run_record *run = run_at(r, a, i);
        if (run->status == HS_RUN_INTERRUPTED) {
            c->interrupted++;
            continue;
        }
        if (run->status == HS_RUN_FAILED) {
            c->failed++;
            continue;
        }
        c->done++;
        acc_sum += run->query_acc; /* NaN when missing: such a run's mean is unknown */
        if (!(run->query_acc >= a->opts.tau)) continue;
        c->solved++;
        int D = c->hops;
        if (D < run->n_hop_steps && run->hop_steps[D] >= 0)
            sc->d[c->n_steps++] = run->hop_steps[D];
        else
            c->unsolved_steps++;
    }
    c->mean_acc = c->done ? acc_sum / c->done : NAN;
    c->median_steps = NAN;
    if (c->n_steps) {
        qsort(sc->d, (size_t)c->n_steps, sizeof *sc->d, cmp_double);
        c->median_steps = hs_quantile(sc->d, (size_t)c->n_steps, 0.5);
    }
    c->verdict = hs_cell_judge(c->solved, c->done + c->failed, c->expected, a->opts.fraction);
    return true;
}

/* Whether run is one of a cell's raters: a done run with head emergence data. */
static bool is_rater(const hs_run_record *run)
{
    return run->status == HS_RUN_DONE && run->has_heads;
}

/* Counts the cell's done runs with monotone hop emergence, and its raters; *max_items is the sum
 * of their emerged roles, a bound on the cell's items. */
static int count_raters(const hs_results *r, const hs_analysis *a, hs_cell *c, size_t *max_items)
{
    hs_emergence *em = &c->em;
    int m = 0;
    *max_items = 0;
    for (size_t i = c->first; i < c->first + c->count; i++) {
        const hs_run_record *run = run_at(r, a, i);
        if (run->status != HS_RUN_DONE) continue;
        int mono = hs_hops_monotone(run->hop_steps, run->n_hop_steps, run->hop_acc, run->n_hop_acc,
                                    c->hops);
        if (mono >= 0) {
            em->mono_of++;
            em->mono += mono;
        }
        if (!run->has_heads) continue;
        m++;
        *max_items += (size_t)run->n_emerged;
    }
    return m;
}

/* The items: the union of the raters' emerged roles, in role order (a cell has a handful), into
 * em->roles; role_slot[] then maps each to its index. */
static void collect_items(const hs_results *r, const hs_analysis *a, const hs_cell *c,
                          hs_emergence *em, int *role_slot)
{
    int n = 0;
    for (size_t i = c->first; i < c->first + c->count; i++) {
        const hs_run_record *run = run_at(r, a, i);
        if (!is_rater(run)) continue;
        for (int j = 0; j < run->n_emerged; j++) {
            int role = run->emerged[j];
            if (role_slot[role] >= 0) continue;
            role_slot[role] = 0;
            int k = n++;
            while (k > 0 && hs_role_cmp(&r->roles[em->roles[k - 1].role], &r->roles[role]) > 0) {
                em->roles[k] = em->roles[k - 1];
                k--;
            }
            em->roles[k].role = role;
        }
    }
    em->n_roles = n;
    for (int k = 0; k < n; k++) role_slot[em->roles[k].role] = k;
}

/* keys[rater][item]: the step (or, when a step is missing, the position) at which the run's
 * role emerged; INFINITY = never. rater[] gets each rater's index in the analysis order. */
static void rank_keys(const hs_results *r, const hs_analysis *a, const hs_cell *c, hs_emergence *em,
                      const int *role_slot, double *keys, int *rater)
{
    int n = em->n_roles, rr = 0;
    for (size_t i = c->first; i < c->first + c->count; i++) {
        const hs_run_record *run = run_at(r, a, i);
        if (!is_rater(run)) continue;
        double *row = keys + (size_t)rr * (size_t)n;
        for (int k = 0; k < n; k++) row[k] = INFINITY;
        bool timed = true;
        for (int j = 0; j < run->n_emerged; j++) timed &= run->emerged_step[j] >= 0;
        for (int j = 0; j < run->n_emerged; j++) {
            int k = role_slot[run->emerged[j]];
            row[k] = timed ? run->emerged_step[j] : j;
            em->roles[k].emerged++;
        }
        rater[rr++] = (int)i;
    }
}

/* Per role: step statistics over the m raters where it emerged with a known step. steps[m],
 * work[m + resamples] and iwork[m] are scratch. */
static void role_step_stats(const hs_results *r, const hs_analysis *a, hs_emergence *em, int m,
                            const int *rater, double *steps, double *work, int *iwork)
{
    int resamples = a->opts.resamples > 0 ? a->opts.resamples : 1;
    for (int k = 0; k < em->n_roles; k++) {
        hs_role_stat *rs = &em->roles[k];
        rs->never = m - rs->emerged;
        rs->median = rs->q1 = rs->q3 = rs->ci_lo = rs->ci_hi = NAN;
        int t = 0;
        for (int j = 0; j < m; j++) {
            const hs_run_record *run = run_at(r, a, (size_t)rater[j]);
            for (int e = 0; e < run->n_emerged; e++)
                if (run->emerged[e] == rs->role && run->emerged_step[e] >= 0)
                    steps[t++] = run->emerged_step[e];
        }
        rs->timed = t;
        if (!t) continue;
        hs_bootstrap_median(steps, (size_t)t, resamples, a->opts.seed, work, iwork, &rs->median,
                            &rs->ci_lo, &rs->ci_hi);
        qsort(steps, (size_t)t, sizeof *steps, cmp_double);
        rs->q1 = hs_quantile(steps, (size_t)t, 0.25);
        rs->q3 = hs_quantile(steps, (size_t)t, 0.75);
    }
}

static bool same_order(const hs_run_record *x, const hs_run_record *y)
{
    return x->n_emerged == y->n_emerged &&
           (!x->n_emerged ||
            !memcmp(x->emerged, y->emerged, sizeof *x->emerged * (size_t)x->n_emerged));
}

/* The modal order: every rater's order against every other's (a cell has few seeds). The first
 * rater of each distinct order stands for it, so ties go to the lowest seed. */
static void modal_order(const hs_results *r, const hs_analysis *a, hs_emergence *em, int m,
                        const int *rater)
{
    int best = 0, best_count = 0;
    for (int j = 0; j < m; j++) {
        const hs_run_record *x = run_at(r, a, (size_t)rater[j]);
        int count = 0;
        bool first_of_kind = true;
        for (int q = 0; q < m; q++) {
            if (!same_order(x, run_at(r, a, (size_t)rater[q]))) continue;
            count++;
            if (q < j) first_of_kind = false;
        }
        if (!first_of_kind) continue;
        em->orders++;
        if (count > best_count) {
            best = j;
            best_count = count;
            em->modal_ties = 0;
        } else if (count == best_count) {
            em->modal_ties++;
        }
    }
    const hs_run_record *modal = run_at(r, a, (size_t)rater[best]);
    em->n_modal = modal->n_emerged;
    if (em->n_modal) memcpy(em->modal, modal->emerged, sizeof *em->modal * (size_t)em->n_modal);
    em->modal_runs = best_count;
}

/* Head and hop emergence across the done runs of one cell. role_slot[] maps a role to its item
 * index within the cell and is -1 everywhere on entry and on return. */
static bool cell_emergence(const hs_results *r, const hs_analysis *a, hs_cell *c, scratch *sc,
                           int *role_slot)
{
    hs_emergence *em = &c->em;
    em->w = NAN;
    size_t max_items;
    int m = count_raters(r, a, c, &max_items);
    em->runs = m;
    if (!m) return true;
    em->roles = calloc(max_items + 1, sizeof *em->roles);
    if (!em->roles) return false;
    collect_items(r, a, c, em, role_slot);
    int n = em->n_roles;

    bool ok = false;
    int resamples = a->opts.resamples > 0 ? a->opts.resamples : 1;
    size_t mn = (size_t)m * (size_t)n;
    em->prec = calloc((size_t)n * (size_t)n + 1, sizeof *em->prec);
    em->modal = malloc(sizeof *em->modal * ((size_t)n + 1));
    /* doubles: keys [m][n], one role's steps [m], then work for the bootstrap (m + resamples)
     * or Kendall's W (2n); ints: the order index of each rater [m], then work for W's sort
     * order [n] or the bootstrap's counts [m]. */
    if (!em->prec || !em->modal ||
        !scratch_need(sc, mn + 2 * (size_t)m + (size_t)resamples + 2 * (size_t)n,
                      2 * (size_t)m + (size_t)n))
        goto out;
    double *keys = sc->d, *steps = keys + mn, *work = steps + m;
    int *rater = sc->i, *iwork = sc->i + m;
    rank_keys(r, a, c, em, role_slot, keys, rater);
    role_step_stats(r, a, em, m, rater, steps, work, iwork);
    hs_precedence_matrix(keys, m, n, em->prec);
    em->w = hs_kendall_w(keys, m, n, work, iwork, &em->w_why);
    modal_order(r, a, em, m, rater);
    ok = true;
out:
    for (int k = 0; k < n; k++) role_slot[em->roles[k].role] = -1;
    return ok;
}

/* t_min of a group from the verdicts of its cells (ascending layers). */
static void group_min_layers(hs_analysis *a, hs_group *g)
{
    g->theory = hs_theory_min_layers(g->hops);
    g->kind = HS_TMIN_ABOVE;
    g->t_min = 0;
    for (size_t i = g->first_cell; i < g->first_cell + g->n_cells; i++) {
        const hs_cell *c = &a->cells[i];
        g->t_min = c->layers;
        if (c->verdict == HS_CELL_SOLVED) {
            g->kind = HS_TMIN_FOUND;
            break;
        }
        if (c->verdict != HS_CELL_UNSOLVED) {
            g->kind = HS_TMIN_UNKNOWN;
            break;
        }
    }
    switch (g->kind) {
    case HS_TMIN_FOUND: g->agree = g->t_min == g->theory; break;
    case HS_TMIN_ABOVE:
        /* The theory's depth was tried and failed: already a disagreement. */
        g->agree = g->t_min >= g->theory ? 0 : -1;
        break;
    default:
        /* Every depth below t_min failed: past the theory, it already disagrees. */
        g->agree = g->t_min > g->theory ? 0 : -1;
        break;
    }
}

/* Which boundaries run i of the sorted items starts: a new setting, family (curriculum), group
 * (hops) and cell (layers), each implying the next. */
typedef struct starts {
    bool set, fam, grp, cell;
} starts;

static starts starts_at(const sort_item *items, size_t i)
{
    const hs_config *c = &items[i].rec->config, *p = i ? &items[i - 1].rec->config : NULL;
    starts s;
    s.set = !i || strcmp(items[i].setting, items[i - 1].setting);
    s.fam = s.set || c->task.curriculum != p->task.curriculum;
    s.grp = s.fam || c->task.hops != p->task.hops;
    s.cell = s.grp || c->model.layers != p->model.layers;
    return s;
}

/* Fills settings, families, groups and cells from the sorted items, and the run counts. */
static void build_cells(hs_analysis *a, const sort_item *items, size_t n, size_t *setting_run)
{
    for (size_t i = 0; i < n; i++) {
        const hs_run_record *run = items[i].rec;
        const hs_config *c = &run->config;
        starts s = starts_at(items, i);
        if (s.set) setting_run[a->n_settings++] = items[i].run;
        if (s.fam) {
            hs_family *f = &a->families[a->n_families++];
            f->curriculum = c->task.curriculum;
            f->setting = a->n_settings - 1;
            f->first_group = a->n_groups;
        }
        if (s.grp) {
            hs_group *g = &a->groups[a->n_groups++];
            g->family = a->n_families - 1;
            g->hops = c->task.hops;
            g->first_cell = a->n_cells;
            a->families[g->family].n_groups++;
        }
        if (s.cell) {
            hs_cell *cell = &a->cells[a->n_cells++];
            cell->family = a->n_families - 1;
            cell->group = (int)a->n_groups - 1;
            cell->hops = c->task.hops;
            cell->layers = c->model.layers;
            cell->first = i;
            a->groups[cell->group].n_cells++;
        }
        a->cells[a->n_cells - 1].count++;
        a->done += run->status == HS_RUN_DONE;
        a->failed += run->status == HS_RUN_FAILED;
        a->interrupted += run->status == HS_RUN_INTERRUPTED;
        a->with_heads += run->status == HS_RUN_DONE && run->has_heads;
    }
}

/* Every cell of group g judged, then the group's t_min. seeds[] holds one seed per run. */
static bool judge_group(const hs_results *r, hs_analysis *a, hs_group *g, scratch *sc,
                        int *role_slot, uint64_t *seeds)
{
    /* The seeds the group expects: every seed any of its records has. */
    size_t ns = 0;
    for (size_t ci = g->first_cell; ci < g->first_cell + g->n_cells; ci++) {
        const hs_cell *c = &a->cells[ci];
        for (size_t i = c->first; i < c->first + c->count; i++)
            seeds[ns++] = run_at(r, a, i)->config.train.seed;
    }
    qsort(seeds, ns, sizeof *seeds, cmp_u64);
    g->expected = 0;
    for (size_t i = 0; i < ns; i++) g->expected += !i || seeds[i] != seeds[i - 1];
    for (size_t ci = g->first_cell; ci < g->first_cell + g->n_cells; ci++) {
        hs_cell *c = &a->cells[ci];
        c->expected = g->expected;
        if (!cell_outcome(r, a, c, sc) || !cell_emergence(r, a, c, sc, role_slot)) return false;
    }
    group_min_layers(a, g);
    return true;
}

/* A family's distinct hops and layers values, ascending. */
static bool family_values(hs_analysis *a, hs_family *f)
{
    size_t nc = 0;
    for (size_t gi = f->first_group; gi < f->first_group + f->n_groups; gi++)
        nc += a->groups[gi].n_cells;
    f->hops_values = malloc(sizeof(int) * (f->n_groups + 1));
    f->layers_values = malloc(sizeof(int) * (nc + 1));
    if (!f->hops_values || !f->layers_values) return false;
    int nl = 0;
    for (size_t gi = f->first_group; gi < f->first_group + f->n_groups; gi++) {
        const hs_group *g = &a->groups[gi];
        f->hops_values[f->n_hops++] = g->hops;
        for (size_t ci = g->first_cell; ci < g->first_cell + g->n_cells; ci++)
            f->layers_values[nl++] = a->cells[ci].layers;
    }
    f->n_layers = unique_ints(f->layers_values, nl);
    return true;
}

/* The runs sorted into the analysis order (a->order), each with its setting key. */
static bool sort_runs(const hs_results *r, hs_analysis *a, sort_item *items)
{
    for (size_t i = 0; i < r->n; i++) {
        items[i].run = i;
        items[i].rec = &r->runs[i];
        items[i].setting = setting_key(&r->runs[i].config);
        if (!items[i].setting) return false;
    }
    qsort(items, r->n, sizeof *items, item_cmp);
    a->n_runs = r->n;
    for (size_t i = 0; i < r->n; i++) a->order[i] = items[i].run;
    return true;
}

hs_status hs_analyze(const hs_results *r, const hs_analyze_opts *o, hs_analysis *a, hs_err *err)
{
    memset(a, 0, sizeof *a);
    a->opts = *o;
    size_t n = r->n;
    sort_item *items = calloc(n + 1, sizeof *items);
    size_t *setting_run = NULL;
    int *role_slot = NULL;
    uint64_t *seeds_buf = NULL;
    scratch sc = {0};
    hs_status st = HS_OK;
    a->order = malloc(sizeof *a->order * (n + 1));
    if (!items || !a->order || !sort_runs(r, a, items)) goto nomem;

    /* Count the boundaries first, then fill: settings, families, groups, cells. */
    size_t n_fam = 0, n_grp = 0, n_cell = 0, n_set = 0;
    for (size_t i = 0; i < n; i++) {
        starts s = starts_at(items, i);
        n_set += s.set, n_fam += s.fam, n_grp += s.grp, n_cell += s.cell;
    }
    a->families = calloc(n_fam + 1, sizeof *a->families);
    a->groups = calloc(n_grp + 1, sizeof *a->groups);
    a->cells = calloc(n_cell + 1, sizeof *a->cells);
    setting_run = malloc(sizeof *setting_run * (n_set + 1));
    role_slot = malloc(sizeof *role_slot * ((size_t)r->n_roles + 1));
    seeds_buf = malloc(sizeof *seeds_buf * (n + 1));
    if (!a->families || !a->groups || !a->cells || !setting_run || !role_slot || !seeds_buf)
        goto nomem;
    for (int i = 0; i < r->n_roles; i++) role_slot[i] = -1;
    build_cells(a, items, n, setting_run);
    st = label_families(r, a, setting_run, err);
    if (st) goto out;
    for (size_t gi = 0; gi < a->n_groups; gi++)
        if (!judge_group(r, a, &a->groups[gi], &sc, role_slot, seeds_buf)) goto nomem;
    for (int fi = 0; fi < a->n_families; fi++)
        if (!family_values(a, &a->families[fi])) goto nomem;
    goto out;
nomem:
    st = hs_fail(err, HS_ENOMEM, "out of memory analysing %zu runs", n);
out:
    if (items)
        for (size_t i = 0; i < n; i++) free(items[i].setting);
    free(items);
    free(setting_run);
    free(role_slot);
    free(seeds_buf);
    free(sc.d);
    free(sc.i);
    if (st) hs_analysis_free(a);
    return st;
}

void hs_analysis_free(hs_analysis *a)
{
    for (int i = 0; i < a->n_families; i++) {
        free(a->families[i].label);
        free(a->families[i].hops_values);
        free(a->families[i].layers_values);
    }
    for (size_t i = 0; i < a->n_cells; i++) {
        free(a->cells[i].em.roles);
        free(a->cells[i].em.prec);
        free(a->cells[i].em.modal);
    }
    free(a->families);
    free(a->groups);
    free(a->cells);
    free(a->order);
    memset(a, 0, sizeof *a);
}

long hs_analysis_cell_of(const hs_analysis *a, size_t run)
{
    for (size_t c = 0; c < a->n_cells; c++)
        for (size_t i = a->cells[c].first; i < a->cells[c].first + a->cells[c].count; i++)
            if (a->order[i] == run) return (long)c;
    return -1;
}
