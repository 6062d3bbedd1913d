/* analyze_report.c — the tables of `hopsweep analyze` (analyze_report.h): one function per
 * table, each with a tidy builder (CSV, JSON: one row per observation) and a wide one (text,
 * Markdown: matrices under a title, a note below), and the header lines above them. */
#include "hopsweep/analyze_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/analyze_hopk.h"
#include "hopsweep/analyze_names.h"
#include "hopsweep/json.h"
#include "hopsweep/key_effects.h"
#include "hopsweep/table.h"

const char *const hs_analyze_tables[] = {"min_layers",  "accuracy",    "curricula",
                                         "emergence",   "roles",       "precedence",
                                         "key_summary", "key_effects", "k_error"};
const size_t hs_analyze_n_tables = sizeof hs_analyze_tables / sizeof hs_analyze_tables[0];

/* Where the tables go: the format, --table, and what was printed so far. */
typedef struct out {
    hs_analyze_format fmt;
    const char *only; /* --table, or NULL for all */
    FILE *f;
    hs_json json;
    bool printed; /* a table was printed already (CSV: separate with a blank line) */
    bool nomem;
} out;

typedef struct ctx {
    const hs_results *r;
    const hs_analysis *a;
    out *o;
} ctx;

/* Prints (or, for JSON, adds) the table unless --table asks for another one, then frees it. */
static void emit(out *o, hs_table *t)
{
    if (!hs_table_ok(t)) o->nomem = true;
    if (hs_table_ok(t) && (!o->only || !strcmp(o->only, t->name))) {
        switch (o->fmt) {
        case HS_ANALYZE_TEXT:
        case HS_ANALYZE_MARKDOWN:
            hs_table_text(o->f, t, o->fmt == HS_ANALYZE_MARKDOWN);
            fputc('\n', o->f);
            break;
        case HS_ANALYZE_CSV:
            if (o->printed) fputc('\n', o->f);
            hs_table_csv(o->f, t);
            break;
        case HS_ANALYZE_JSON: hs_table_json(&o->json, t); break;
        }
        o->printed = true;
    }
    hs_table_free(t);
}

/* The roles as one HS_TV_WORDS cell, however long. */
static void roles_cell(hs_table *t, const hs_results *r, const int *roles, int n)
{
    size_t size = 1;
    for (int i = 0; i < n; i++) size += strlen(r->roles[roles[i]].name) + 1;
    char *s = malloc(size);
    if (!s) {
        t->nomem = true;
        return;
    }
    hs_results_roles_text(r, roles, n, s, size);
    hs_table_words(t, s);
    free(s);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}

/* The first columns of every tidy row about a family (and a cell). */
static void family_cols(hs_table *t, const hs_analysis *a, int f)
{
    const hs_family *fam = &a->families[f];
    hs_table_int(t, fam->setting + 1);
    hs_table_str(t, "%s", hs_curriculum_name(fam->curriculum));
    hs_table_str(t, "%s", fam->label);
}

static void cell_cols(hs_table *t, const hs_analysis *a, const hs_cell *c)
{
    family_cols(t, a, c->family);
    hs_table_int(t, c->hops);
    hs_table_int(t, c->layers);
}

/* ---------------------------------------------------------------------------------------------
 * (1) Minimum layers */

static void min_layers_tidy(ctx *x)
{
    static const char *const h[] = {"setting", "curriculum", "config", "hops", "theory",
                                    "t_min",   "t_min_kind", "agree",  "text"};
    const hs_analysis *a = x->a;
    hs_table t;
    hs_table_init(&t, "min_layers", 9);
    hs_table_heads(&t, h);
    for (size_t g = 0; g < a->n_groups; g++) {
        const hs_group *gr = &a->groups[g];
        char text[32];
        family_cols(&t, a, gr->family);
        hs_table_int(&t, gr->hops);
        hs_table_int(&t, gr->theory);
        if (gr->kind == HS_TMIN_UNKNOWN)
            hs_table_null(&t);
        else
            hs_table_int(&t, gr->t_min);
        hs_table_str(&t, "%s", hs_tmin_kind_name(gr->kind));
        hs_table_bool(&t, gr->agree);
        hs_group_tmin_text(gr, text, sizeof text);
        hs_table_str(&t, "%s", text);
    }
    emit(x->o, &t);
}

/* Rows: every hops value in the store; columns: the theory, then one per family. */
static void min_layers_wide(ctx *x)
{
    const hs_analysis *a = x->a;
    int *hops = malloc(sizeof *hops * (a->n_groups + 1)), nh = 0;
    if (!hops) {
        x->o->nomem = true;
        return;
    }
    for (size_t g = 0; g < a->n_groups; g++) hops[nh++] = a->groups[g].hops;
    qsort(hops, (size_t)nh, sizeof *hops, cmp_int);
    int k = 0;
    for (int i = 0; i < nh; i++)
        if (!k || hops[k - 1] != hops[i]) hops[k++] = hops[i];
    nh = k;
    hs_table t;
    hs_table_init(&t, "min_layers", 2 + a->n_families);
    hs_table_head(&t, 0, "hops");
    hs_table_head(&t, 1, "theory");
    char name[64];
    for (int f = 0; f < a->n_families; f++) {
        hs_analysis_family_name(a, f, name, sizeof name);
        hs_table_head(&t, 2 + f, "%s", name);
    }
    hs_table_title(&t, "Minimum layers that solve each hops value (theory: ceil(log3(2D+1)))");
    hs_table_note(&t, "t_min: the fewest tested layers that solve; >L: no tested depth up to L "
                      "solves; ?: a depth below has no finished seed yet or is undecided; !: "
                      "disagrees with the theory");
    for (int i = 0; i < nh; i++) {
        hs_table_int(&t, hops[i]);
        hs_table_int(&t, hs_theory_min_layers(hops[i]));
        for (int f = 0; f < a->n_families; f++) {
            const hs_group *g = hs_analysis_find_group(a, f, hops[i]);
            char text[32];
            if (g)
                hs_group_tmin_text(g, text, sizeof text);
            else
                snprintf(text, sizeof text, "-");
            hs_table_str(&t, "%s", text);
        }
    }
    free(hops);
    emit(x->o, &t);
}

/* ---------------------------------------------------------------------------------------------
 * (2) Accuracy */

static void accuracy_tidy(ctx *x)
{
    static const char *const h[] = {"setting", "curriculum",     "config", "hops",   "layers",
                                    "seeds",   "expected",       "done",   "failed", "interrupted",
                                    "solved",  "mean_query_acc", "verdict"};
    const hs_analysis *a = x->a;
    hs_table t;
    hs_table_init(&t, "accuracy", 13);
    hs_table_heads(&t, h);
    for (size_t i = 0; i < a->n_cells; i++) {
        const hs_cell *c = &a->cells[i];
        cell_cols(&t, a, c);
        hs_table_int(&t, c->done + c->failed);
        hs_table_int(&t, c->expected);
        hs_table_int(&t, c->done);
        hs_table_int(&t, c->failed);
        hs_table_int(&t, c->interrupted);
        hs_table_int(&t, c->solved);
        hs_table_num(&t, c->mean_acc);
        hs_table_str(&t, "%s", hs_cell_verdict_name(c->verdict));
    }
    emit(x->o, &t);
}

/* One matrix layers x hops per family. */
static void accuracy_wide(ctx *x)
{
    const hs_analysis *a = x->a;
    for (int f = 0; f < a->n_families; f++) {
        const hs_family *fam = &a->families[f];
        char name[64];
        hs_analysis_family_name(a, f, name, sizeof name);
        hs_table t;
        hs_table_init(&t, "accuracy", 1 + fam->n_hops);
        hs_table_head(&t, 0, "layers \\ hops");
        for (int h = 0; h < fam->n_hops; h++) hs_table_head(&t, 1 + h, "%d", fam->hops_values[h]);
        hs_table_title(&t,
                       "Accuracy, curriculum %s: solved seeds/seeds, mean final query "
                       "accuracy",
                       name);
        bool pending = false;
        for (int l = 0; l < fam->n_layers; l++) {
            hs_table_int(&t, fam->layers_values[l]);
            for (int h = 0; h < fam->n_hops; h++) {
                const hs_cell *c =
                    hs_analysis_find_cell(a, f, fam->hops_values[h], fam->layers_values[l]);
                if (!c) {
                    hs_table_str(&t, "-");
                    continue;
                }
                int seeds = c->done + c->failed;
                bool waits = c->expected > seeds;
                pending |= waits;
                char acc[16];
                if (isnan(c->mean_acc))
                    snprintf(acc, sizeof acc, "-");
                else
                    snprintf(acc, sizeof acc, "%.2f", c->mean_acc);
                hs_table_str(&t, "%d/%d%s %s", c->solved, seeds, waits ? "+" : "", acc);
            }
        }
        if (pending)
            hs_table_note(&t, "+: some seeds of the configuration have no finished run yet");
        emit(x->o, &t);
    }
}

/* ---------------------------------------------------------------------------------------------
 * (3) Curricula compared */

typedef struct lh {
    int layers, hops;
} lh;

static int cmp_lh(const void *p, const void *q)
{
    const lh *a = p, *b = q;
    if (a->layers != b->layers) return a->layers < b->layers ? -1 : 1;
    return a->hops < b->hops ? -1 : a->hops > b->hops;
}

static void curricula_tidy(ctx *x)
{
    static const char *const h[] = {"setting",
                                    "curriculum",
                                    "config",
                                    "layers",
                                    "hops",
                                    "seeds",
                                    "solved",
                                    "success_rate",
                                    "median_steps_to_solve",
                                    "steps_n",
                                    "solved_without_steps"};
    const hs_analysis *a = x->a;
    hs_table t;
    hs_table_init(&t, "curricula", 11);
    hs_table_heads(&t, h);
    for (size_t i = 0; i < a->n_cells; i++) {
        const hs_cell *c = &a->cells[i];
        int seeds = c->done + c->failed;
        family_cols(&t, a, c->family);
        hs_table_int(&t, c->layers);
        hs_table_int(&t, c->hops);
        hs_table_int(&t, seeds);
        hs_table_int(&t, c->solved);
        hs_table_num(&t, seeds ? (double)c->solved / seeds : NAN);
        hs_table_num(&t, c->median_steps);
        hs_table_int(&t, c->n_steps);
        hs_table_int(&t, c->unsolved_steps);
    }
    emit(x->o, &t);
}

/* One table per setting: a row per (layers, hops), two columns per curriculum. */
static void curricula_wide(ctx *x)
{
    const hs_analysis *a = x->a;
    for (int s = 0; s < a->n_settings; s++) {
        int f0 = -1, nf = 0;
        for (int f = 0; f < a->n_families; f++)
            if (a->families[f].setting == s) f0 = f0 < 0 ? f : f0, nf++;
        size_t np = 0;
        for (int f = f0; f < f0 + nf; f++)
            for (size_t g = a->families[f].first_group;
                 g < a->families[f].first_group + a->families[f].n_groups; g++)
                np += a->groups[g].n_cells;
        lh *pairs = malloc(sizeof *pairs * (np + 1));
        if (!pairs) {
            x->o->nomem = true;
            return;
        }
        np = 0;
        for (size_t c = 0; c < a->n_cells; c++)
            if (a->cells[c].family >= f0 && a->cells[c].family < f0 + nf)
                pairs[np++] = (lh){a->cells[c].layers, a->cells[c].hops};
        qsort(pairs, np, sizeof *pairs, cmp_lh);
        hs_table t;
        hs_table_init(&t, "curricula", 2 + 2 * nf);
        hs_table_head(&t, 0, "layers");
        hs_table_head(&t, 1, "hops");
        for (int f = 0; f < nf; f++) {
            const char *cur = hs_curriculum_name(a->families[f0 + f].curriculum);
            hs_table_head(&t, 2 + 2 * f, "%s solved", cur);
            hs_table_head(&t, 3 + 2 * f, "%s steps", cur);
        }
        if (a->n_settings > 1)
            hs_table_title(&t,
                           "Curricula compared [%d]: success rate (solved/seeds), median "
                           "steps to solve",
                           s + 1);
        else
            hs_table_title(&t, "Curricula compared: success rate (solved/seeds), median steps to "
                               "solve");
        hs_table_note(&t, "%s", hs_analyze_steps_note);
        for (size_t i = 0; i < np; i++) {
            if (i && !cmp_lh(&pairs[i], &pairs[i - 1])) continue;
            hs_table_int(&t, pairs[i].layers);
            hs_table_int(&t, pairs[i].hops);
            for (int f = f0; f < f0 + nf; f++) {
                const hs_cell *c = hs_analysis_find_cell(a, f, pairs[i].hops, pairs[i].layers);
                int seeds = c ? c->done + c->failed : 0;
                if (!seeds) {
                    hs_table_str(&t, "-");
                    hs_table_str(&t, "-");
                    continue;
                }
                char steps[32];
                hs_analysis_steps_text(c->median_steps, steps, sizeof steps);
                hs_table_str(&t, "%.2f (%d/%d)", (double)c->solved / seeds, c->solved, seeds);
                hs_table_str(&t, "%s", steps);
            }
        }
        free(pairs);
        emit(x->o, &t);
    }
}

/* ---------------------------------------------------------------------------------------------
 * (4) Emergence across seeds: a summary per cell of done runs */

static void emergence_tidy(ctx *x)
{
    static const char *const h[] = {"setting",       "curriculum",      "config",
                                    "hops",          "layers",          "runs_with_heads",
                                    "modal_order",   "modal_runs",      "distinct_orders",
                                    "modal_ties",    "kendall_w",       "kendall_w_undefined",
                                    "hops_monotone", "hops_monotone_of"};
    const hs_analysis *a = x->a;
    hs_table t;
    hs_table_init(&t, "emergence", 14);
    hs_table_heads(&t, h);
    for (size_t i = 0; i < a->n_cells; i++) {
        const hs_cell *c = &a->cells[i];
        const hs_emergence *em = &c->em;
        if (!c->done) continue;
        cell_cols(&t, a, c);
        hs_table_int(&t, em->runs);
        if (em->runs)
            roles_cell(&t, x->r, em->modal, em->n_modal);
        else
            hs_table_null(&t);
        hs_table_int(&t, em->modal_runs);
        hs_table_int(&t, em->orders);
        hs_table_int(&t, em->modal_ties);
        hs_table_num(&t, em->w);
        if (em->w_why)
            hs_table_str(&t, "%s", em->w_why);
        else
            hs_table_null(&t);
        hs_table_int(&t, em->mono);
        hs_table_int(&t, em->mono_of);
    }
    emit(x->o, &t);
}

static void emergence_wide(ctx *x)
{
    static const char *const h[] = {"configuration", "runs",      "modal order (runs)",
                                    "orders",        "Kendall W", "monotone hops"};
    const hs_analysis *a = x->a;
    hs_table t;
    hs_table_init(&t, "emergence", 6);
    hs_table_heads(&t, h);
    t.left = 1u | 1u << 2;
    if (a->with_heads)
        hs_table_title(&t, "Emergence across seeds (done runs)");
    else
        hs_table_title(&t, "Emergence across seeds (done runs): no run records head emergence "
                           "(emergence.order; older records lack it)");
    hs_table_note(&t, "runs: done runs with head emergence data; W: Kendall's W of role ranks "
                      "(never-emerged roles tie last); monotone hops: runs whose hop k emerges "
                      "no later than hop k+1 (never = last), of the runs with 2+ measured hops");
    for (size_t i = 0; i < a->n_cells; i++) {
        const hs_cell *c = &a->cells[i];
        const hs_emergence *em = &c->em;
        if (!c->done) continue;
        char name[96], order[512];
        hs_analysis_cell_name(a, c, name, sizeof name);
        hs_results_roles_text(x->r, em->modal, em->n_modal, order, sizeof order);
        hs_table_str(&t, "%s", name);
        hs_table_int(&t, em->runs);
        if (!em->runs) {
            hs_table_str(&t, "no head data");
            hs_table_str(&t, "-");
            hs_table_str(&t, "-");
        } else {
            hs_table_str(&t, "%s (%d/%d%s)", em->n_modal ? order : "none emerged", em->modal_runs,
                         em->runs, em->modal_ties ? ", tied" : "");
            hs_table_int(&t, em->orders);
            if (em->w_why)
                hs_table_str(&t, "- (%s)", em->w_why);
            else
                hs_table_str(&t, "%.3f", em->w);
        }
        if (em->mono_of)
            hs_table_str(&t, "%d/%d", em->mono, em->mono_of);
        else
            hs_table_str(&t, "-");
    }
    emit(x->o, &t);
}

/* ---------------------------------------------------------------------------------------------
 * (5) Each role's emergence step */

static void roles_tidy(ctx *x)
{
    static const char *const h[] = {"setting", "curriculum", "config",  "hops",   "layers",
                                    "role",    "emerged",    "never",   "timed",  "median",
                                    "q1",      "q3",         "ci95_lo", "ci95_hi"};
    const hs_analysis *a = x->a;
    hs_table t;
    hs_table_init(&t, "roles", 14);
    hs_table_heads(&t, h);
    for (size_t i = 0; i < a->n_cells; i++) {
        const hs_cell *c = &a->cells[i];
        for (int k = 0; k < c->em.n_roles; k++) {
            const hs_role_stat *rs = &c->em.roles[k];
            cell_cols(&t, a, c);
            hs_table_str(&t, "%s", x->r->roles[rs->role].name);
            hs_table_int(&t, rs->emerged);
            hs_table_int(&t, rs->never);
            hs_table_int(&t, rs->timed);
            hs_table_num(&t, rs->median);
            hs_table_num(&t, rs->q1);
            hs_table_num(&t, rs->q3);
            hs_table_num(&t, rs->ci_lo);
            hs_table_num(&t, rs->ci_hi);
        }
    }
    emit(x->o, &t);
}

/* One table per cell with head data. */
static void roles_wide(ctx *x)
{
    static const char *const h[] = {"role",        "emerged", "never",
                                    "median step", "IQR",     "95% CI of median"};
    const hs_analysis *a = x->a;
    for (size_t i = 0; i < a->n_cells; i++) {
        const hs_cell *c = &a->cells[i];
        const hs_emergence *em = &c->em;
        if (!em->n_roles) continue;
        char name[96];
        hs_analysis_cell_name(a, c, name, sizeof name);
        hs_table t;
        hs_table_init(&t, "roles", 6);
        hs_table_heads(&t, h);
        hs_table_title(&t, "Head emergence, %s: %d run%s with head data", name, em->runs,
                       em->runs == 1 ? "" : "s");
        hs_table_note(&t,
                      "emerged/never: runs; step statistics over the runs where the role "
                      "emerged; CI: percentile bootstrap, %d resamples",
                      a->opts.resamples);
        for (int k = 0; k < em->n_roles; k++) {
            const hs_role_stat *rs = &em->roles[k];
            char m[32], q1[32], q3[32], lo[32], hi[32];
            hs_analysis_steps_text(rs->median, m, sizeof m);
            hs_analysis_steps_text(rs->q1, q1, sizeof q1);
            hs_analysis_steps_text(rs->q3, q3, sizeof q3);
            hs_analysis_steps_text(rs->ci_lo, lo, sizeof lo);
            hs_analysis_steps_text(rs->ci_hi, hi, sizeof hi);
            hs_table_str(&t, "%s", x->r->roles[rs->role].name);
            hs_table_int(&t, rs->emerged);
            hs_table_int(&t, rs->never);
            hs_table_str(&t, "%s", m);
            if (rs->timed) {
                hs_table_str(&t, "%s-%s", q1, q3);
                hs_table_str(&t, "[%s, %s]", lo, hi);
            } else {
                hs_table_str(&t, "-");
                hs_table_str(&t, "-");
            }
        }
        emit(x->o, &t);
    }
}

/* ---------------------------------------------------------------------------------------------
 * (6) Precedence between roles */

static const char *role_name(const ctx *x, const hs_emergence *em, int k)
{
    return x->r->roles[em->roles[k].role].name;
}

static void precedence_tidy(ctx *x)
{
    static const char *const h[] = {"setting", "curriculum", "config", "hops",
                                    "layers",  "a",          "b",      "p_a_before_b",
                                    "a_first", "both",       "only_a", "only_b"};
    const hs_analysis *a = x->a;
    hs_table t;
    hs_table_init(&t, "precedence", 12);
    hs_table_heads(&t, h);
    for (size_t i = 0; i < a->n_cells; i++) {
        const hs_cell *c = &a->cells[i];
        const hs_emergence *em = &c->em;
        int n = em->n_roles;
        if (n < 2) continue;
        for (int p = 0; p < n; p++)
            for (int q = 0; q < n; q++) {
                const hs_precedence *pr = &em->prec[(size_t)p * (size_t)n + (size_t)q];
                if (p == q) continue;
                cell_cols(&t, a, c);
                hs_table_str(&t, "%s", role_name(x, em, p));
                hs_table_str(&t, "%s", role_name(x, em, q));
                hs_table_num(&t, pr->p);
                hs_table_num(&t, pr->before);
                hs_table_int(&t, pr->both);
                hs_table_int(&t, pr->only_a);
                hs_table_int(&t, pr->only_b);
            }
    }
    emit(x->o, &t);
}

/* One role x role matrix per cell with two or more roles. */
static void precedence_wide(ctx *x)
{
    const hs_analysis *a = x->a;
    for (size_t i = 0; i < a->n_cells; i++) {
        const hs_cell *c = &a->cells[i];
        const hs_emergence *em = &c->em;
        int n = em->n_roles;
        if (n < 2) continue;
        char name[96];
        hs_analysis_cell_name(a, c, name, sizeof name);
        hs_table t;
        hs_table_init(&t, "precedence", 1 + n);
        hs_table_head(&t, 0, "P(row before column)");
        for (int k = 0; k < n; k++) hs_table_head(&t, 1 + k, "%s", role_name(x, em, k));
        hs_table_title(&t, "Precedence, %s", name);
        hs_table_note(&t, "over the runs where either role emerged; a tie counts half; a role "
                          "that emerged comes before one that never did");
        for (int p = 0; p < n; p++) {
            hs_table_str(&t, "%s", role_name(x, em, p));
            for (int q = 0; q < n; q++) {
                const hs_precedence *pr = &em->prec[(size_t)p * (size_t)n + (size_t)q];
                if (isnan(pr->p))
                    hs_table_str(&t, "-");
                else
                    hs_table_str(&t, "%.2f", pr->p);
            }
        }
        emit(x->o, &t);
    }
}

/* ---------------------------------------------------------------------------------------------
 * (7) What each varied key does to solving (key_effects.h computes and builds the tables) */

static void put_table(void *o, hs_table *t) { emit(o, t); }

static void key_effects(ctx *x)
{
    hs_key_effects e;
    hs_err err = {0};
    bool tidy = x->o->fmt == HS_ANALYZE_CSV || x->o->fmt == HS_ANALYZE_JSON;
    if (hs_key_effects_compute(x->r, x->a->opts.tau, &e, &err) ||
        !hs_key_effect_tables(&e, tidy, put_table, x->o))
        x->o->nomem = true;
    hs_key_effects_free(&e);
}

/* ---------------------------------------------------------------------------------------------
 * The whole report */

hs_status hs_analyze_print(FILE *f, const hs_results *r, const hs_analysis *a, const char *store,
                           hs_analyze_format fmt, const char *only, hs_err *err)
{
    typedef void (*builder)(ctx *);
    static const builder tidy_tables[] = {min_layers_tidy, accuracy_tidy, curricula_tidy,
                                          emergence_tidy,  roles_tidy,    precedence_tidy,
                                          key_effects};
    static const builder wide_tables[] = {min_layers_wide, accuracy_wide, curricula_wide,
                                          emergence_wide,  roles_wide,    precedence_wide,
                                          key_effects};
    out o = {.fmt = fmt, .only = only, .f = f};
    hs_json_init(&o.json);
    ctx x = {.r = r, .a = a, .o = &o};
    if (fmt == HS_ANALYZE_JSON) hs_json_object_begin(&o.json);
    hs_analyze_header(f, &o.json, a, store, fmt, only);
    bool tidy = fmt == HS_ANALYZE_CSV || fmt == HS_ANALYZE_JSON;
    for (size_t i = 0; i < sizeof tidy_tables / sizeof tidy_tables[0]; i++)
        (tidy ? tidy_tables : wide_tables)[i](&x);
    hs_table k; /* hopk's error per k (analyze_hopk.h), when the store has any */
    if (hs_analyze_k_table(&k, r, a, tidy)) emit(&o, &k);
    if (fmt == HS_ANALYZE_JSON) {
        hs_json_object_end(&o.json);
        char *text = hs_json_take(&o.json);
        if (text)
            fprintf(f, "%s\n", text);
        else
            o.nomem = true;
        free(text);
    }
    hs_json_free(&o.json);
    if (o.nomem) return hs_fail(err, HS_ENOMEM, "out of memory formatting the tables");
    return HS_OK;
}
