/* runs_table.c — one row per job (runs_table.h): the table `analyze --runs` prints. */
#include "hopsweep/runs_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/config.h"

int hs_runs_varying_keys(const hs_results *r, const hs_config *const *more, size_t n_more,
                         bool *varies)
{
    size_t keys = hs_config_key_count(), n = r->n + n_more;
    int count = 0;
    char first[256], other[256];
    for (size_t k = 0; k < keys; k++) {
        varies[k] = false;
        for (size_t i = 0; i < n && !varies[k]; i++) {
            const hs_config *c = i < r->n ? &r->runs[i].config : more[i - r->n];
            hs_config_format(c, k, i ? other : first, sizeof first);
            varies[k] = i && strcmp(first, other) != 0;
        }
        count += varies[k];
    }
    return count;
}

/* A config value as its kind: numbers as numbers, the rest as their canonical text. */
static void config_cell(hs_table *t, const hs_config *c, size_t k)
{
    char text[256];
    hs_config_format(c, k, text, sizeof text);
    switch (hs_config_key_kind(k)) {
    case HS_KEY_INT:
    case HS_KEY_U64: {
        double v = strtod(text, NULL);
        if (v < 9007199254740992.0) /* exact in a double, so in JSON readers too */
            hs_table_int(t, (long long)v);
        else
            hs_table_str(t, "%s", text);
        break;
    }
    case HS_KEY_FLOAT: hs_table_num(t, strtod(text, NULL)); break;
    case HS_KEY_BOOL: hs_table_bool(t, !strcmp(text, "true")); break;
    default: hs_table_str(t, "%s", text);
    }
}

/* A measured float, or an empty cell where it was not measured. */
static void float_cell(hs_table *t, float x)
{
    if (isnan(x))
        hs_table_null(t);
    else
        hs_table_float(t, x);
}

hs_status hs_runs_table(const hs_results *r, hs_table *t, hs_err *err)
{
    size_t keys = hs_config_key_count();
    bool *varies = malloc(sizeof *varies * (keys + 1));
    char *order = NULL;
    if (!varies) return hs_fail(err, HS_ENOMEM, "out of memory building the table of runs");
    int n_vary = hs_runs_varying_keys(r, NULL, 0, varies);
    int max_hops = -1;
    for (size_t i = 0; i < r->n; i++) {
        int h = r->runs[i].n_hop_acc > r->runs[i].n_hop_steps ? r->runs[i].n_hop_acc
                                                              : r->runs[i].n_hop_steps;
        if (h - 1 > max_hops) max_hops = h - 1;
    }
    int cols = 1 + n_vary + 5 + 2 * (max_hops + 1) + 1;
    hs_table_init(t, "runs", cols);
    int c = 0;
    hs_table_head(t, c++, "id");
    for (size_t k = 0; k < keys; k++)
        if (varies[k]) hs_table_head(t, c++, "%s", hs_config_key_name(k));
    static const char *const fixed[] = {"status", "steps", "loss", "query_acc", "wall_s"};
    for (int f = 0; f < 5; f++) hs_table_head(t, c++, "%s", fixed[f]);
    for (int h = 0; h <= max_hops; h++) hs_table_head(t, c++, "hop_%d_acc", h);
    for (int h = 0; h <= max_hops; h++) hs_table_head(t, c++, "hop_%d_step", h);
    hs_table_head(t, c++, "order");
    t->left = 1u; /* ids */
    for (size_t i = 0; i < r->n; i++) {
        const hs_run_record *run = &r->runs[i];
        hs_table_str(t, "%s", run->id);
        for (size_t k = 0; k < keys; k++)
            if (varies[k]) config_cell(t, &run->config, k);
        hs_table_str(t, "%s", hs_run_status_name(run->status));
        if (run->steps >= 0)
            hs_table_int(t, run->steps);
        else
            hs_table_null(t);
        /* the trainer wrote floats: their shortest text is the record's */
        float_cell(t, (float)run->loss);
        float_cell(t, (float)run->query_acc);
        hs_table_num(t, run->wall_s);
        for (int h = 0; h <= max_hops; h++)
            if (h < run->n_hop_acc)
                float_cell(t, run->hop_acc[h]);
            else
                hs_table_null(t);
        for (int h = 0; h <= max_hops; h++)
            if (h < run->n_hop_steps && run->hop_steps[h] >= 0)
                hs_table_int(t, run->hop_steps[h]);
            else
                hs_table_null(t);
        size_t len = 1;
        for (int e = 0; e < run->n_emerged; e++) len += strlen(r->roles[run->emerged[e]].name) + 1;
        char *grown = realloc(order, len);
        if (!grown) {
            t->nomem = true;
            break;
        }
        order = grown;
        order[0] = '\0';
        for (int e = 0; e < run->n_emerged; e++) {
            if (e) strcat(order, " ");
            strcat(order, r->roles[run->emerged[e]].name);
        }
        if (run->has_heads)
            hs_table_words(t, order);
        else
            hs_table_null(t);
    }
    free(order);
    free(varies);
    if (!hs_table_ok(t)) return hs_fail(err, HS_ENOMEM, "out of memory building the table of runs");
    return HS_OK;
}
