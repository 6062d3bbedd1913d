/* analyze_hopk.c — error per k and reach of hopk configurations (analyze_hopk.h), for the analyze
 * table and the report's section. */
#include "hopsweep/analyze_hopk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/report_svg.h"

int hs_k_reach(const double *err, int n, int k0, double bound)
{
    int reach = -1;
    for (int k = k0; k < n && err[k] < bound; k++) reach = k;
    return reach;
}

/* One configuration's mean error per k over its done runs with final.k_error; 0 runs when none. */
typedef struct k_row {
    const hs_cell *cell;
    const hs_config *cfg; /* of its first such run */
    int runs, n;
    double err[1024]; /* k = 0 .. n-1 (a record holds at most task.hops + 1) */
} k_row;

static void cell_row(const hs_results *r, const hs_analysis *a, const hs_cell *c, k_row *row)
{
    memset(row, 0, sizeof *row);
    row->cell = c;
    double sum[1024] = {0};
    int cnt[1024] = {0};
    for (size_t i = c->first; i < c->first + c->count; i++) {
        const hs_run_record *run = &r->runs[a->order[i]];
        if (run->status != HS_RUN_DONE || run->n_k_error < 1) continue;
        if (!row->runs++) row->cfg = &run->config;
        int n = run->n_k_error < 1024 ? run->n_k_error : 1024;
        if (n > row->n) row->n = n;
        for (int k = 0; k < n; k++)
            if (!isnan(run->k_error[k])) sum[k] += run->k_error[k], cnt[k]++;
    }
    for (int k = 0; k < row->n; k++) row->err[k] = cnt[k] ? sum[k] / cnt[k] : NAN;
}

static void data_text(const hs_config *c, char *buf, size_t n)
{
    if (c->task.train_examples)
        snprintf(buf, n, "%d fixed", c->task.train_examples);
    else
        snprintf(buf, n, "fresh");
}

/* The widest k range among the configurations, 0 when none has data. */
static int widest(const hs_results *r, const hs_analysis *a, k_row *row)
{
    int n = 0;
    for (size_t ci = 0; ci < a->n_cells; ci++) {
        cell_row(r, a, &a->cells[ci], row);
        if (row->runs && row->n > n) n = row->n;
    }
    return n;
}

bool hs_analyze_k_table(hs_table *t, const hs_results *r, const hs_analysis *a, bool tidy)
{
    k_row *row = malloc(sizeof *row);
    int K = row ? widest(r, a, row) : 0;
    if (!K) {
        free(row);
        return false;
    }
    static const char *const lead[] = {"setting", "heads", "d_model", "data", "layers", "runs"};
    const int n_lead = 6, cols = tidy ? n_lead + 4 : n_lead + K + 2;
    hs_table_init(t, "k_error", cols);
    for (int i = 0; i < n_lead; i++) hs_table_head(t, i, "%s", lead[i]);
    if (tidy) {
        const char *const tail[] = {"k", "error", "reach_1pct", "reach_5pct"};
        for (int i = 0; i < 4; i++) hs_table_head(t, n_lead + i, "%s", tail[i]);
    } else {
        for (int k = 0; k < K; k++) hs_table_head(t, n_lead + k, "k=%d", k);
        hs_table_head(t, n_lead + K, "reach <1%%");
        hs_table_head(t, n_lead + K + 1, "reach <5%%");
        hs_table_title(t, "Error per k (hopk: letter targets of fresh sequences per k, mean over "
                          "the done runs of each configuration)");
        hs_table_note(t, "reach: the largest k with every k' <= k under 1%% (5%%) error; empty: "
                         "not even the smallest k");
    }
    for (size_t ci = 0; ci < a->n_cells; ci++) {
        const hs_cell *c = &a->cells[ci];
        cell_row(r, a, c, row);
        if (!row->runs) continue;
        const int k0 = row->cfg->task.min_hops;
        const int r1 = hs_k_reach(row->err, row->n, k0, 0.01);
        const int r5 = hs_k_reach(row->err, row->n, k0, 0.05);
        char data[32];
        data_text(row->cfg, data, sizeof data);
        for (int k = 0; k < (tidy ? row->n : 1); k++) {
            hs_table_str(t, "%s", a->families[c->family].label);
            hs_table_int(t, row->cfg->model.heads);
            hs_table_int(t, row->cfg->model.d_model);
            hs_table_str(t, "%s", data);
            hs_table_int(t, c->layers);
            hs_table_int(t, row->runs);
            if (tidy) {
                hs_table_int(t, k);
                hs_table_num(t, row->err[k]);
            } else {
                for (int j = 0; j < K; j++) hs_table_num(t, j < row->n ? row->err[j] : NAN);
            }
            if (r1 < 0)
                hs_table_null(t);
            else
                hs_table_int(t, r1);
            if (r5 < 0)
                hs_table_null(t);
            else
                hs_table_int(t, r5);
        }
    }
    free(row);
    return true;
}

void hs_report_k_errors(FILE *f, const hs_results *r, const hs_analysis *a)
{
    hs_table t;
    if (!hs_analyze_k_table(&t, r, a, false)) return;
    fputs("<section id=\"k-error\"><h2>", f);
    hs_html_text(f, t.title);
    fputs("</h2><table><tr>", f);
    for (int c = 0; c < t.cols; c++) {
        fputs("<th>", f);
        hs_html_text(f, t.head[c] ? t.head[c] : "");
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (size_t i = 0; i < t.n; i++) {
        const hs_tvalue *v = &t.v[i];
        if (i % (size_t)t.cols == 0) fputs("<tr>", f);
        fputs(v->kind == HS_TV_STR ? "<td class=\"l\">" : "<td>", f);
        if (v->kind == HS_TV_STR)
            hs_html_text(f, v->str);
        else if (v->kind == HS_TV_INT)
            fprintf(f, "%.0f", v->num);
        else if (v->kind == HS_TV_NUM && !isnan(v->num))
            fprintf(f, "%.4f", v->num);
        fputs("</td>", f);
        if (i % (size_t)t.cols == (size_t)t.cols - 1) fputs("</tr>\n", f);
    }
    fputs("</table><p class=\"note\">", f);
    hs_html_text(f, t.note);
    fputs("</p></section>\n", f);
    hs_table_free(&t);
}
