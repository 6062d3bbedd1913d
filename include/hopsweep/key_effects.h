/* key_effects.h — what each varied config key does to solving, for `hopsweep analyze` and the
 * report: the question "which setting decides a verdict", answered for a grid the way a
 * factorial design is read, one key at a time with every other varied key held fixed.
 *
 * Runs. The done and failed runs of a store (failed ones count as unsolved, as in analyze.h);
 * interrupted runs are left out until rerun. A run solves when its final query accuracy >= tau
 * (the minimum-layers table's rule), and each run counts on its own: rates are of runs, not of
 * majorities of seeds. Its steps to solve are emergence.hop_steps[D] (D its task.hops), as in
 * analyze.h; solved runs without them are counted apart.
 *
 * Keys. A varied key is a config key other than train.seed whose value (hs_config_format's text)
 * differs between the counted runs; model.layers, task.hops and task.curriculum count like any
 * other key. Values are listed ascending: numbers by value, before any text, texts by strcmp.
 *
 * Cells. The effect of key K is measured within cells: the runs that share the value of every
 * other varied key. A cell's label is "key=value ..." of those keys ("" when K is the only
 * varied key). Cells are in the order of their values, keys in the order of the key table.
 * Per (cell, value of K), in the cells where two or more values of K have runs (compared
 * cells; a cell with one value says nothing about K): runs, solved, the solved rate with its
 * Wilson 95% interval, and the median steps to solve over the solved runs that have them.
 *
 * Summary per key, over the compared cells:
 *   - the largest difference in solved rate between two values of K within one cell, and the
 *     first cell where it occurs;
 *   - separated: compared cells where the Wilson intervals of K's best and worst value in that
 *     cell do not overlap (the difference is larger than its sampling noise);
 *   - along the values as listed, a cell's rate rises (never falls, not all equal), falls
 *     (never rises, not all equal), is flat (all equal) or is mixed: the cells agree on the
 *     order of K's values when they all rise, or all fall, apart from flat ones;
 *   - per value, over every cell: runs and solved (a marginal: read it with the cells, since
 *     the cells need not hold the same runs). */
#ifndef HOPSWEEP_KEY_EFFECTS_H
#define HOPSWEEP_KEY_EFFECTS_H

#include <stdbool.h>
#include <stddef.h>

#include "hopsweep/analyze.h"
#include "hopsweep/table.h"

typedef struct hs_effect_stat {
    int runs, solved;   /* done + failed runs; those with final query accuracy >= tau */
    double rate;        /* solved / runs */
    double lo, hi;      /* Wilson 95% interval of the rate */
    int n_steps;        /* solved runs whose steps to solve are known */
    double median_step; /* their median; NaN when n_steps == 0 */
} hs_effect_stat;

typedef struct hs_effect_row {
    int cell, value; /* indices into hs_key_effect.cells and .values */
    hs_effect_stat s;
} hs_effect_row;

typedef struct hs_key_effect {
    int key;             /* hs_config key index */
    const char *name;    /* its name (static) */
    int n_values;        /* >= 2 */
    char **values;       /* [n_values], ascending */
    hs_effect_stat *all; /* [n_values]: every cell pooled */
    int n_cells;
    char **cells;        /* [n_cells] labels */
    size_t n_rows;       /* (cell, value) pairs with runs in compared cells, by cell, value */
    hs_effect_row *rows; /* [n_rows] */
    int compared;        /* cells where two or more values have runs */
    double max_diff;     /* largest rate difference within a cell; NaN when compared == 0 */
    int max_cell;        /* the first cell with it; -1 when compared == 0 */
    int max_lo, max_hi;  /* the values with the lowest and highest rate there */
    int separated;       /* compared cells whose best and worst intervals do not overlap */
    int rises, falls, flat, mixed; /* compared cells by the shape of rate along the values */
} hs_key_effect;

typedef struct hs_key_effects {
    double tau;
    int runs; /* done + failed runs */
    int n_keys;
    hs_key_effect *keys; /* the varied keys, in key-table order */
} hs_key_effects;

/* Computes the effects of every varied key of r's runs. HS_ENOMEM when memory runs out (e is
 * then empty). */
hs_status hs_key_effects_compute(const hs_results *r, double tau, hs_key_effects *e, hs_err *err);
void hs_key_effects_free(hs_key_effects *e);

/* The tables (key_effects_table.c), passed one by one to put, which takes them over (renders,
 * then frees them). tidy (CSV, JSON): "key_summary", one row per key, and "key_effects", one
 * row per (key, cell, value). wide (text, Markdown): the summary, then one "key_effects" table
 * per key. No varied key: the tidy tables without rows, no wide table. False when memory ran
 * out (a table was not whole). */
bool hs_key_effect_tables(const hs_key_effects *e, bool tidy, void (*put)(void *user, hs_table *t),
                          void *user);

#endif
