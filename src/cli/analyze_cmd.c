/* analyze_cmd.c — the `hopsweep analyze` command: parses its flags, loads the store, runs the
 * analysis (analyze.h), prints the tables (analyze_report.h) and, with --plots, draws the figures
 * (analyze_plot.h). */
#include "hopsweep/analyze_cmd.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/escape.h"
#include "hopsweep/analyze.h"
#include "hopsweep/analyze_plot.h"
#include "hopsweep/analyze_report.h"
#include "hopsweep/cli.h"
#include "hopsweep/fileio.h"
#include "hopsweep/json.h"
#include "hopsweep/runs_table.h"
#include "hopsweep/store_layout.h"

static const char USAGE[] =
    "usage: hopsweep analyze RESULTS [--tau X] [--fraction F] [--csv | --json | --markdown]\n"
    "                        [--table NAME] [--plots DIR [--run ID ...]]\n"
    "       hopsweep analyze RESULTS --runs [--csv | --json | --markdown]\n"
    "\n"
    "Reads the result store RESULTS (a sweep's output directory, finished or still running;\n"
    "its lock is not taken) and prints: (1) the minimum number of layers that solves each hops\n"
    "value, per curriculum, beside the theory's ceil(log3(2D+1)); (2) the accuracy matrix layers\n"
    "x hops; (3) the curricula compared; (4) how heads and hop counts emerge across seeds;\n"
    "(5) what each varied config key does to the solved rate, the other varied keys held fixed.\n"
    "Runs are grouped by every config key but model.layers and train.seed. Failed runs count as\n"
    "seeds that did not solve; interrupted runs are left out until rerun.\n"
    "\n"
    "  --tau X        a run solves when its final query accuracy >= X (default 0.95)\n"
    "  --fraction F   a depth solves when at least F of its seeds solve (default: more than half)\n"
    "  --csv          tables as CSV, one row per observation, each after a \"# NAME\" line\n"
    "  --json         everything as one JSON object, one array of rows per table\n"
    "  --markdown     tables as Markdown\n"
    "  --runs         instead, one row per job id (its latest record): every config key that\n"
    "                 varies, status, steps, final loss and query accuracy, wall time, each\n"
    "                 hop's final accuracy and emergence step, the heads' emergence order\n"
    "  --table NAME   print only that table: min_layers, accuracy, curricula, emergence, roles,\n"
    "                 precedence, key_summary, key_effects, k_error (hopk: error per k and\n"
    "                 reach, per configuration)\n"
    "  --plots DIR    also draw the figures into DIR as PNG and SVG (with their .dat data) with\n"
    "                 gnuplot: minimum layers vs hops, accuracy heatmaps, per-hop accuracy over\n"
    "                 training, emergence timeline, precedence heatmap\n"
    "  --run ID       a run whose training is drawn, by its id or the id's first digits;\n"
    "                 repeat it for several (one training-<id> figure each; default: a solved\n"
    "                 run with the most hops, then fewest layers, lowest seed); the emergence\n"
    "                 figures show the first one's configuration when it has head data\n"
    "\n"
    "The gnuplot scripts are found in <prefix>/share/hopsweep/analysis of an installed hopsweep,\n"
    "else in analysis/ of the source tree it was built from, else in HOPSWEEP_ANALYSIS_DIR;\n"
    "never in the current directory.\n";

typedef struct args {
    const char *store, *table, *plots;
    const char **run; /* --run values (ids or id prefixes), n_run of them */
    size_t n_run;
    bool runs; /* --runs: the per-run table instead of the analysis */
    hs_analyze_format fmt;
    hs_analyze_opts opts;
} args;

/* ---------------------------------------------------------------------------------------------
 * The command */

/* Returns -1 after printing the problem, 1 for --help, 0 otherwise. */
static int parse_args(int argc, char **argv, args *a)
{
    const char **runs = a->run; /* the caller's array, room for every argument */
    memset(a, 0, sizeof *a);
    a->run = runs;
    hs_analyze_opts_default(&a->opts);
    int formats = 0;
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        bool has_value = i + 1 < argc;
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) return 1;
        if ((!strcmp(s, "--tau") || !strcmp(s, "--fraction")) && has_value) {
            hs_err err;
            double *v = s[2] == 't' ? &a->opts.tau : &a->opts.fraction;
            if (hs_cli_parse_double(argv[++i], 0.0, true, 1.0, s, v, &err)) {
                hs_cli_fail("analyze", &err);
                return -1;
            }
        } else if (!strcmp(s, "--csv") || !strcmp(s, "--json") || !strcmp(s, "--markdown")) {
            a->fmt = s[2] == 'c'   ? HS_ANALYZE_CSV
                     : s[2] == 'j' ? HS_ANALYZE_JSON
                                   : HS_ANALYZE_MARKDOWN;
            formats++;
        } else if (!strcmp(s, "--table") && has_value) {
            a->table = argv[++i];
            bool known = false;
            for (size_t k = 0; k < hs_analyze_n_tables; k++)
                known |= !strcmp(a->table, hs_analyze_tables[k]);
            if (!known) {
                fprintf(stderr,
                        "hopsweep analyze: --table \"%s\" is not a table; choose "
                        "min_layers, accuracy, curricula, emergence, roles, precedence, "
                        "key_summary, key_effects or k_error\n",
                        a->table);
                return -1;
            }
        } else if (!strcmp(s, "--runs")) {
            a->runs = true;
        } else if (!strcmp(s, "--plots") && has_value) {
            a->plots = argv[++i];
        } else if (!strcmp(s, "--run") && has_value) {
            a->run[a->n_run++] = argv[++i];
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr,
                    "hopsweep analyze: unknown option or missing value: %s; see hopsweep "
                    "analyze --help\n",
                    s);
            return -1;
        } else if (a->store) {
            fprintf(stderr, "hopsweep analyze: two stores (%s, %s); give one\n", a->store, s);
            return -1;
        } else {
            a->store = s;
        }
    }
    if (formats > 1) {
        fprintf(stderr, "hopsweep analyze: give one of --csv, --json, --markdown\n");
        return -1;
    }
    if (!a->store) {
        fprintf(stderr, "hopsweep analyze: no store; usage: hopsweep analyze RESULTS [options]\n");
        return -1;
    }
    if (a->runs && (a->table || a->plots)) {
        fprintf(stderr, "hopsweep analyze: --runs prints the table of runs alone; leave out "
                        "--table and --plots\n");
        return -1;
    }
    if (a->n_run && !a->plots) {
        fprintf(stderr, "hopsweep analyze: --run %s chooses the run to draw; add --plots DIR\n",
                a->run[0]);
        return -1;
    }
    return 0;
}

/* --runs: one row per job id, its latest record (runs_table.h). */
static int print_runs(const hs_results *r, const args *ar)
{
    hs_table t;
    hs_err err = {0};
    if (hs_runs_table(r, &t, &err)) {
        hs_table_free(&t);
        return hs_cli_fail("analyze", &err);
    }
    if (ar->fmt == HS_ANALYZE_CSV) {
        hs_table_csv(stdout, &t);
    } else if (ar->fmt == HS_ANALYZE_JSON) {
        hs_json j;
        hs_json_init(&j);
        hs_json_object_begin(&j);
        hs_json_key(&j, "store");
        hs_json_string(&j, ar->store);
        hs_table_json(&j, &t);
        hs_json_object_end(&j);
        char *text = hs_json_ok(&j) ? hs_json_take(&j) : NULL;
        hs_json_free(&j);
        if (!text) {
            hs_table_free(&t);
            fprintf(stderr, "hopsweep analyze: out of memory writing JSON\n");
            return HS_EXIT_IO;
        }
        printf("%s\n", text);
        free(text);
    } else {
        hs_table_text(stdout, &t, ar->fmt == HS_ANALYZE_MARKDOWN);
    }
    hs_table_free(&t);
    if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, "hopsweep analyze: cannot write the table: %s\n", strerror(errno));
        return HS_EXIT_IO;
    }
    return HS_EXIT_OK;
}

/* --plots: draws the figures after the tables are out. */
static int draw(const hs_results *r, const hs_analysis *a, const args *ar)
{
    hs_err err = {0};
    int figures = 0;
    hs_status st = hs_analyze_plot(r, a, ar->store, ar->plots, ar->run, ar->n_run, &figures, &err);
    if (st) return hs_cli_fail("analyze", &err);
    fprintf(stderr, "hopsweep analyze: drew %d figure%s into %s (PNG and SVG, data in .dat)\n",
            figures, figures == 1 ? "" : "s", ar->plots);
    return HS_EXIT_OK;
}

int hs_cmd_analyze(int argc, char **argv)
{
    args ar;
    ar.run = malloc(sizeof *ar.run * ((size_t)argc + 1));
    if (!ar.run) {
        fprintf(stderr, "hopsweep analyze: out of memory\n");
        return HS_EXIT_IO;
    }
    int pr = parse_args(argc, argv, &ar);
    if (pr) {
        free(ar.run);
        if (pr > 0) fputs(USAGE, stdout);
        return pr > 0 ? HS_EXIT_OK : HS_EXIT_BAD_INPUT;
    }

    hs_results r;
    hs_results_init(&r);
    hs_analysis a;
    memset(&a, 0, sizeof a);
    hs_err err = {0};
    int rc = HS_EXIT_OK;
    hs_status st = hs_results_load(&r, ar.store, &err);
    if (st) {
        rc = hs_cli_fail_loading("analyze", &err); /* a store that cannot be read: the user's */
        goto out;
    }
    if (ar.runs) {
        char notice[1024], *path = hs_path_join(ar.store, HS_STORE_RUNS);
        hs_results_notice(&r, path ? path : ar.store, notice, sizeof notice);
        free(path);
        if (notice[0]) fprintf(stderr, "hopsweep analyze: note: %s\n", notice);
        rc = print_runs(&r, &ar);
        goto out;
    }
    st = hs_analyze(&r, &ar.opts, &a, &err);
    if (st) {
        rc = hs_cli_fail("analyze", &err);
        goto out;
    }
    if (!a.done && !a.failed) {
        fprintf(stderr,
                "hopsweep analyze: %s: no finished runs yet (%zu record%s, none done or "
                "failed); run the sweep, or wait for its first job\n",
                ar.store, a.n_runs, a.n_runs == 1 ? "" : "s");
        rc = HS_EXIT_BAD_INPUT;
        goto out;
    }
    for (size_t k = 0; k < ar.n_run; k++) { /* prefixes become the ids they stand for */
        long two[2], i = hs_results_find_prefix(&r, ar.run[k], two);
        if (i == -2) {
            fprintf(stderr,
                    "hopsweep analyze: --run %s: ambiguous, jobs %s and %s (at least) start with "
                    "it; give more of the id\n",
                    ar.run[k], r.runs[two[0]].id, r.runs[two[1]].id);
            rc = HS_EXIT_BAD_INPUT;
            goto out;
        }
        if (i < 0) {
            fprintf(stderr,
                    "hopsweep analyze: --run %s: no such run in %s/runs.jsonl; give a job id "
                    "(or its first digits) from it\n",
                    ar.run[k], ar.store);
            rc = HS_EXIT_BAD_INPUT;
            goto out;
        }
        ar.run[k] = r.runs[i].id;
    }
    char notice[1024], *runs_path = hs_path_join(ar.store, HS_STORE_RUNS);
    hs_results_notice(&r, runs_path ? runs_path : ar.store, notice, sizeof notice);
    free(runs_path);
    if (notice[0]) hs_term_printf(stderr, "hopsweep analyze: note: %s\n", notice);

    st = hs_analyze_print(stdout, &r, &a, ar.store, ar.fmt, ar.table, &err);
    if (st) {
        rc = hs_cli_fail("analyze", &err);
        goto out;
    }
    if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, "hopsweep analyze: cannot write the tables: %s\n", strerror(errno));
        rc = HS_EXIT_IO;
        goto out;
    }
    if (ar.plots) rc = draw(&r, &a, &ar);
out:
    free(ar.run);
    hs_analysis_free(&a);
    hs_results_free(&r);
    return rc;
}
