/* report_keys.c — the report's section on what each varied config key does to solving: the
 * key-effect summary and, per key, the solved rate of each value within each cell of the other
 * varied keys, from key_effects.h (the numbers of `hopsweep analyze --table key_summary` and
 * `--table key_effects`). Nothing here computes a statistic. */
#include "hopsweep/report.h"

#include <math.h>
#include <stdbool.h>

#include "hopsweep/analyze_names.h"
#include "hopsweep/key_effects.h"
#include "hopsweep/report_svg.h"

/* A rate as a coloured cell: the colour of the heatmaps, the text as analyze prints it. */
static void rate_cell(FILE *f, const hs_key_effect *ke, const char *cell, const hs_effect_row *r)
{
    char col[8];
    hs_color_scale(r->s.rate, col);
    fputs("<td data-key=\"", f);
    hs_html_text(f, ke->name);
    fputs("\" data-cell=\"", f);
    hs_html_text(f, cell);
    fputs("\" data-value=\"", f);
    hs_html_text(f, ke->values[r->value]);
    fprintf(f,
            "\" data-solved=\"%d\" data-runs=\"%d\" style=\"background:%s;color:%s\">%d/%d "
            "(%.2f)</td>",
            r->s.solved, r->s.runs, col, hs_color_ink(r->s.rate), r->s.solved, r->s.runs,
            r->s.rate);
}

static void summary(FILE *f, const hs_key_effects *e)
{
    fputs("<table id=\"key-summary\"><thead><tr><th class=\"l\">key</th><th class=\"l\">solved "
          "per value, all cells</th><th>compared cells</th><th>largest difference</th>"
          "<th class=\"l\">in</th><th>apart</th><th>rises</th><th>falls</th><th>flat</th>"
          "<th>mixed</th></tr></thead><tbody>",
          f);
    for (int k = 0; k < e->n_keys; k++) {
        const hs_key_effect *ke = &e->keys[k];
        fputs("<tr><td class=\"l\">", f);
        hs_html_text(f, ke->name);
        fputs("</td><td class=\"l\">", f);
        for (int v = 0; v < ke->n_values; v++) {
            fputs(v ? ", " : "", f);
            hs_html_text(f, ke->values[v]);
            fprintf(f, ": %d/%d", ke->all[v].solved, ke->all[v].runs);
        }
        fprintf(f, "</td><td>%d/%d</td><td>", ke->compared, ke->n_cells);
        if (ke->max_cell < 0) {
            fputs("-</td><td class=\"l\">-", f);
        } else {
            fprintf(f, "%.2f", ke->max_diff);
            if (ke->max_diff > 0) {
                fputs(" (", f);
                hs_html_text(f, ke->values[ke->max_hi]);
                fputs(" &gt; ", f);
                hs_html_text(f, ke->values[ke->max_lo]);
                fputs(")", f);
            }
            fputs("</td><td class=\"l\">", f);
            hs_html_text(f, ke->cells[ke->max_cell][0] ? ke->cells[ke->max_cell] : "all");
        }
        fprintf(f, "</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>",
                ke->separated, ke->rises, ke->falls, ke->flat, ke->mixed);
    }
    fputs("</tbody></table>", f);
}

/* One table per key: a row per compared cell, a column per value. */
static void per_key(FILE *f, const hs_key_effect *ke)
{
    fputs("<h3>", f);
    hs_html_text(f, ke->name);
    fputs("</h3><table class=\"key-effects\"><thead><tr><th class=\"l\">cell (other varied "
          "keys)</th>",
          f);
    for (int v = 0; v < ke->n_values; v++) {
        fputs("<th>", f);
        hs_html_text(f, ke->values[v]);
        fputs("</th>", f);
    }
    fputs("</tr></thead><tbody>", f);
    for (size_t i = 0; i < ke->n_rows;) {
        int c = ke->rows[i].cell;
        const char *cell = ke->cells[c];
        fputs("<tr><td class=\"l\">", f);
        hs_html_text(f, cell[0] ? cell : "all runs");
        fputs("</td>", f);
        for (int v = 0; v < ke->n_values; v++) {
            if (i < ke->n_rows && ke->rows[i].cell == c && ke->rows[i].value == v) {
                const hs_effect_row *r = &ke->rows[i++];
                rate_cell(f, ke, cell, r);
            } else {
                fputs("<td>-</td>", f);
            }
        }
        fputs("</tr>", f);
        /* The medians under the rates, where any value solved. */
        bool solved = false;
        for (size_t k = 0; k < ke->n_rows; k++)
            solved |= ke->rows[k].cell == c && ke->rows[k].s.n_steps;
        if (!solved) continue;
        fputs("<tr><td class=\"l note\">median steps to solve</td>", f);
        for (int v = 0; v < ke->n_values; v++) {
            const hs_effect_row *r = NULL;
            for (size_t k = 0; k < ke->n_rows && !r; k++)
                if (ke->rows[k].cell == c && ke->rows[k].value == v) r = &ke->rows[k];
            char steps[32];
            hs_analysis_steps_text(r ? r->s.median_step : NAN, steps, sizeof steps);
            fprintf(f, "<td class=\"note\">%s</td>", steps);
        }
        fputs("</tr>", f);
    }
    fputs("</tbody></table>", f);
}

void hs_report_key_effects(const hs_report_ctx *x)
{
    FILE *f = x->f;
    hs_key_effects e;
    hs_err err = {0};
    fputs("<section id=\"key-effects\"><h2>What each varied key does</h2>", f);
    if (hs_key_effects_compute(x->r, x->a->opts.tau, &e, &err)) {
        fputs("<p class=\"note\">Out of memory measuring the key effects.</p></section>\n", f);
        return;
    }
    if (!e.n_keys) {
        fputs("<p>No config key other than train.seed takes several values in this store.</p>"
              "</section>\n",
              f);
        hs_key_effects_free(&e);
        return;
    }
    fprintf(f,
            "<p class=\"note\">Each key on its own, every other varied key held fixed: a cell is "
            "the runs that share the other keys' values. Solved: runs with final query accuracy "
            "&gt;= %g, each run on its own (failed runs count as unsolved). Compared cells: "
            "cells where 2+ values of the key have runs (only those are shown per key). Largest "
            "difference: between the solved rates of two values within one cell. Apart: "
            "compared cells where the Wilson 95%% intervals of the best and worst value do not "
            "overlap. Rises/falls/flat/mixed: how the solved rate moves along the values as "
            "listed. The same numbers as <code>hopsweep analyze --table key_summary</code> and "
            "<code>--table key_effects</code>.</p>",
            e.tau);
    summary(f, &e);
    for (int k = 0; k < e.n_keys; k++)
        if (e.keys[k].n_rows) per_key(f, &e.keys[k]);
    fputs("</section>\n", f);
    hs_key_effects_free(&e);
}
