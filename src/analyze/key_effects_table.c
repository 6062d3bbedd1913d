/* key_effects_table.c — the key-effect tables of `hopsweep analyze` (key_effects.h): a summary
 * per key, so a reader sees at once which settings decide a verdict, and per key the solved
 * rate of each value within each cell of the other varied keys. Tidy (CSV, JSON: one row per
 * observation) and wide (text, Markdown) builders, as analyze_report.c's tables. */
#include "hopsweep/key_effects.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/analyze_names.h"

static const char SUMMARY_NOTE[] =
    "cell: the runs that share every other varied key's value; compared cells: cells where 2+ "
    "values of the key have runs, of all cells (only those are shown per key); largest difference: "
    "between the solved rates of two values within "
    "one cell (best > worst); apart: compared cells where the Wilson 95% intervals of the best "
    "and worst value do not overlap; rises/falls/flat/mixed: compared cells by how the solved "
    "rate moves along the values as listed; per value, all cells: a marginal, read it with the "
    "cells";

static const char EFFECTS_NOTE[] =
    "solved: runs with final query accuracy >= tau, each run on its own (failed runs count as "
    "unsolved); 95% CI: Wilson; median steps to solve: emergence.hop_steps[D] of the solved "
    "runs (-: none)";

/* "0: 18/20, 1: 0/20" (counts) or "0 1" (plain, the words of a JSON array), or the counts as
 * words "18/20 0/20" (counts without names). Caller frees; NULL when out of memory. */
static char *value_list(const hs_key_effect *ke, bool names, bool counts)
{
    size_t len = 1;
    for (int v = 0; v < ke->n_values; v++) len += strlen(ke->values[v]) + 48;
    char *s = malloc(len);
    if (!s) return NULL;
    size_t at = 0;
    s[0] = '\0';
    for (int v = 0; v < ke->n_values; v++) {
        const hs_effect_stat *a = &ke->all[v];
        const char *sep = !v ? "" : names && counts ? ", " : " ";
        if (names && counts)
            at += (size_t)sprintf(s + at, "%s%s: %d/%d", sep, ke->values[v], a->solved, a->runs);
        else if (names)
            at += (size_t)sprintf(s + at, "%s%s", sep, ke->values[v]);
        else
            at += (size_t)sprintf(s + at, "%s%d/%d", sep, a->solved, a->runs);
    }
    return s;
}

static void words(hs_table *t, char *s)
{
    if (s)
        hs_table_words(t, s);
    else
        t->nomem = true;
    free(s);
}

static void summary_tidy(const hs_key_effects *e, hs_table *t)
{
    static const char *const h[] = {
        "key",           "values",        "solved_by_value", "cells",     "compared", "max_diff",
        "max_diff_cell", "max_diff_best", "max_diff_worst",  "separated", "rises",    "falls",
        "flat",          "mixed"};
    hs_table_init(t, "key_summary", 14);
    hs_table_heads(t, h);
    for (int k = 0; k < e->n_keys; k++) {
        const hs_key_effect *ke = &e->keys[k];
        hs_table_str(t, "%s", ke->name);
        words(t, value_list(ke, true, false));
        words(t, value_list(ke, false, true));
        hs_table_int(t, ke->n_cells);
        hs_table_int(t, ke->compared);
        hs_table_num(t, ke->max_diff);
        if (ke->max_cell < 0) {
            hs_table_null(t);
            hs_table_null(t);
            hs_table_null(t);
        } else {
            hs_table_str(t, "%s", ke->cells[ke->max_cell]);
            hs_table_str(t, "%s", ke->values[ke->max_hi]);
            hs_table_str(t, "%s", ke->values[ke->max_lo]);
        }
        hs_table_int(t, ke->separated);
        hs_table_int(t, ke->rises);
        hs_table_int(t, ke->falls);
        hs_table_int(t, ke->flat);
        hs_table_int(t, ke->mixed);
    }
}

static void summary_wide(const hs_key_effects *e, hs_table *t)
{
    static const char *const h[] = {"key",
                                    "solved per value, all cells",
                                    "compared cells",
                                    "largest difference",
                                    "in",
                                    "apart",
                                    "rises",
                                    "falls",
                                    "flat",
                                    "mixed"};
    hs_table_init(t, "key_summary", 10);
    hs_table_heads(t, h);
    t->left = 1u | 1u << 1 | 1u << 4;
    hs_table_title(t,
                   "Key effects: what each varied key does to the solved rate (final query "
                   "accuracy >= %g per run), the other varied keys held fixed",
                   e->tau);
    hs_table_note(t, "%s", SUMMARY_NOTE);
    for (int k = 0; k < e->n_keys; k++) {
        const hs_key_effect *ke = &e->keys[k];
        hs_table_str(t, "%s", ke->name);
        char *s = value_list(ke, true, true);
        if (s)
            hs_table_str(t, "%s", s);
        else
            t->nomem = true;
        free(s);
        hs_table_str(t, "%d/%d", ke->compared, ke->n_cells);
        if (ke->max_cell < 0) {
            hs_table_str(t, "-");
            hs_table_str(t, "-");
        } else if (ke->max_diff == 0) {
            hs_table_str(t, "0.00");
            hs_table_str(t, "%s", ke->cells[ke->max_cell][0] ? ke->cells[ke->max_cell] : "all");
        } else {
            hs_table_str(t, "%.2f (%s > %s)", ke->max_diff, ke->values[ke->max_hi],
                         ke->values[ke->max_lo]);
            hs_table_str(t, "%s", ke->cells[ke->max_cell][0] ? ke->cells[ke->max_cell] : "all");
        }
        hs_table_int(t, ke->separated);
        hs_table_int(t, ke->rises);
        hs_table_int(t, ke->falls);
        hs_table_int(t, ke->flat);
        hs_table_int(t, ke->mixed);
    }
}

static void effects_tidy(const hs_key_effects *e, hs_table *t)
{
    static const char *const h[] = {"key",     "cell",    "value",
                                    "runs",    "solved",  "rate",
                                    "ci95_lo", "ci95_hi", "median_steps_to_solve",
                                    "steps_n"};
    hs_table_init(t, "key_effects", 10);
    hs_table_heads(t, h);
    for (int k = 0; k < e->n_keys; k++) {
        const hs_key_effect *ke = &e->keys[k];
        for (size_t i = 0; i < ke->n_rows; i++) {
            const hs_effect_row *row = &ke->rows[i];
            hs_table_str(t, "%s", ke->name);
            hs_table_str(t, "%s", ke->cells[row->cell]);
            hs_table_str(t, "%s", ke->values[row->value]);
            hs_table_int(t, row->s.runs);
            hs_table_int(t, row->s.solved);
            hs_table_num(t, row->s.rate);
            hs_table_num(t, row->s.lo);
            hs_table_num(t, row->s.hi);
            hs_table_num(t, row->s.median_step);
            hs_table_int(t, row->s.n_steps);
        }
    }
}

static void effects_wide(const hs_key_effect *ke, hs_table *t)
{
    hs_table_init(t, "key_effects", 6);
    hs_table_head(t, 0, "cell (other varied keys)");
    hs_table_head(t, 1, "%s", ke->name);
    hs_table_head(t, 2, "solved");
    hs_table_head(t, 3, "rate");
    hs_table_head(t, 4, "95%% CI");
    hs_table_head(t, 5, "median steps to solve");
    t->left = 1u | 1u << 1;
    hs_table_title(t,
                   "Effect of %s: solved runs per value, within each cell of the other varied "
                   "keys",
                   ke->name);
    hs_table_note(t, "%s", EFFECTS_NOTE);
    for (size_t i = 0; i < ke->n_rows; i++) {
        const hs_effect_row *row = &ke->rows[i];
        const char *cell = ke->cells[row->cell];
        if (i && ke->rows[i - 1].cell == row->cell)
            hs_table_str(t, "%s", "");
        else
            hs_table_str(t, "%s", cell[0] ? cell : "all runs");
        hs_table_str(t, "%s", ke->values[row->value]);
        hs_table_str(t, "%d/%d", row->s.solved, row->s.runs);
        hs_table_str(t, "%.2f", row->s.rate);
        hs_table_str(t, "[%.2f, %.2f]", row->s.lo, row->s.hi);
        char steps[32];
        hs_analysis_steps_text(row->s.median_step, steps, sizeof steps);
        hs_table_str(t, "%s", steps);
    }
}

bool hs_key_effect_tables(const hs_key_effects *e, bool tidy, void (*put)(void *user, hs_table *t),
                          void *user)
{
    bool ok = true;
    hs_table t;
    if (tidy) {
        summary_tidy(e, &t);
        ok &= hs_table_ok(&t);
        put(user, &t);
        effects_tidy(e, &t);
        ok &= hs_table_ok(&t);
        put(user, &t);
        return ok;
    }
    if (!e->n_keys) return true;
    summary_wide(e, &t);
    ok &= hs_table_ok(&t);
    put(user, &t);
    for (int k = 0; k < e->n_keys; k++) {
        if (!e->keys[k].n_rows) continue;
        effects_wide(&e->keys[k], &t);
        ok &= hs_table_ok(&t);
        put(user, &t);
    }
    return ok;
}
