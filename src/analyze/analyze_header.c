/* analyze_header.c — what `hopsweep analyze` prints above its tables (analyze_report.h): the
 * store's counts, the rule for "solved" and the settings, as lines (text, Markdown) or as the
 * fields of the JSON object before its tables. */
#include "hopsweep/analyze_report.h"

#include <stdint.h>

const char hs_analyze_steps_note[] =
    "steps to solve: emergence.hop_steps[D] of the runs that solve, the first evaluation from "
    "which the query's hop D stays >= emergence.tau_acc for `patience` evaluations";

static void header_json(hs_json *j, const hs_analysis *a, const char *store, const char *rule)
{
    hs_json_key(j, "store");
    hs_json_string(j, store);
    hs_json_key(j, "runs");
    hs_json_int(j, (int64_t)a->n_runs);
    hs_json_key(j, "done");
    hs_json_int(j, a->done);
    hs_json_key(j, "failed");
    hs_json_int(j, a->failed);
    hs_json_key(j, "interrupted");
    hs_json_int(j, a->interrupted);
    hs_json_key(j, "runs_with_heads");
    hs_json_int(j, a->with_heads);
    hs_json_key(j, "tau");
    hs_json_double(j, a->opts.tau);
    hs_json_key(j, "fraction"); /* null: the default rule, more than half */
    a->opts.fraction > 0 ? hs_json_double(j, a->opts.fraction) : hs_json_null(j);
    hs_json_key(j, "solved_rule");
    hs_json_string(j, rule);
    hs_json_key(j, "steps_to_solve");
    hs_json_string(j, hs_analyze_steps_note);
    hs_json_key(j, "bootstrap_resamples");
    hs_json_int(j, a->opts.resamples);
    hs_json_key(j, "settings");
    hs_json_array_begin(j);
    for (int f = 0; f < a->n_families; f++)
        if (!f || a->families[f].setting != a->families[f - 1].setting) {
            hs_json_object_begin(j);
            hs_json_key(j, "setting");
            hs_json_int(j, a->families[f].setting + 1);
            hs_json_key(j, "config");
            hs_json_string(j, a->families[f].label);
            hs_json_object_end(j);
        }
    hs_json_array_end(j);
}

static void header_text(FILE *f, const hs_analysis *a, const char *store, const char *rule, bool md)
{
    if (md) fprintf(f, "## hopsweep analyze %s\n\n", store);
    fprintf(f,
            "store %s: %zu runs: %d done, %d failed (count as not solved), %d interrupted "
            "(left out until rerun)%s\n",
            store, a->n_runs, a->done, a->failed, a->interrupted, md ? "  " : "");
    fprintf(f,
            "solved: final query accuracy >= %g in %s (a configuration's seeds: every "
            "train.seed of its records)\n",
            a->opts.tau, rule);
    if (a->n_settings > 1) {
        fprintf(f,
                "%sconfigurations that differ in more than layers, hops, curriculum and "
                "seed:\n",
                md ? "\n" : "");
        for (int i = 0; i < a->n_families; i++)
            if (!i || a->families[i].setting != a->families[i - 1].setting)
                fprintf(f, "%s[%d] %s\n", md ? "- " : "  ", a->families[i].setting + 1,
                        a->families[i].label);
    }
    fputc('\n', f);
}

void hs_analyze_header(FILE *f, hs_json *j, const hs_analysis *a, const char *store,
                       hs_analyze_format fmt, const char *only)
{
    char rule[96];
    if (a->opts.fraction > 0)
        snprintf(rule, sizeof rule, "at least %g of its seeds", a->opts.fraction);
    else
        snprintf(rule, sizeof rule, "more than half of its seeds");
    if (fmt == HS_ANALYZE_JSON)
        header_json(j, a, store, rule);
    else if (fmt != HS_ANALYZE_CSV && !only)
        header_text(f, a, store, rule, fmt == HS_ANALYZE_MARKDOWN);
}
