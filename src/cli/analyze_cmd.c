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

static const char USAGE[] =
    "usage: hopsweep analyze RESULTS [--tau X] [--fraction F] [--csv | --json | --markdown]\n"
    "                        [--table NAME] [--plots DIR [--run ID]]\n"
    "\n"
    "Reads the result store RESULTS (a sweep's output directory, finished or still running;\n"
    "its lock is not taken) and prints: (1) the minimum number of layers that solves each hops\n"
    "value, per curriculum, beside the theory's ceil(log3(2D+1)); (2) the accuracy matrix layers\n"
    "x hops; (3) the curricula compared; (4) how heads and hop counts emerge across seeds.\n"
    "Runs are grouped by every config key but model.layers and train.seed. Failed runs count as\n"
    "seeds that did not solve; interrupted runs are left out until rerun.\n"
    "\n"
    "  --tau X        a run solves when its final query accuracy >= X (default 0.95)\n"
    "  --fraction F   a depth solves when at least F of its seeds solve (default: more than half)\n"
    "  --csv          tables as CSV, one row per observation, each after a \"# NAME\" line\n"
    "  --json         everything as one JSON object, one array of rows per table\n"
    "  --markdown     tables as Markdown\n"
    "  --table NAME   print only that table: min_layers, accuracy, curricula, emergence, roles,\n"
    "                 precedence\n"
    "  --plots DIR    also draw the figures into DIR as PNG and SVG (with their .dat data) with\n"
    "                 gnuplot: minimum layers vs hops, accuracy heatmaps, per-hop accuracy over\n"
    "                 training, emergence timeline, precedence heatmap\n"
    "  --run ID       the run whose training is drawn (default: a solved run with the most hops,\n"
    "                 then fewest layers, lowest seed); the emergence figures show its\n"
    "                 configuration when it has head data\n"
    "\n"
    "The gnuplot scripts are found in HOPSWEEP_ANALYSIS_DIR, else in analysis/ beside the\n"
    "directory of the hopsweep executable.\n";

typedef struct args {
    const char *store, *table, *plots, *run;
    hs_analyze_format fmt;
    hs_analyze_opts opts;
} args;

/* ---------------------------------------------------------------------------------------------
 * The command */

/* Returns -1 after printing the problem, 1 for --help, 0 otherwise. */
static int parse_args(int argc, char **argv, args *a)
{
    memset(a, 0, sizeof *a);
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
                        "min_layers, accuracy, curricula, emergence, roles or precedence\n",
                        a->table);
                return -1;
            }
        } else if (!strcmp(s, "--plots") && has_value) {
            a->plots = argv[++i];
        } else if (!strcmp(s, "--run") && has_value) {
            a->run = argv[++i];
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
    if (a->run && !a->plots) {
        fprintf(stderr, "hopsweep analyze: --run %s chooses the run to draw; add --plots DIR\n",
                a->run);
        return -1;
    }
    return 0;
}

/* --plots: draws the figures after the tables are out. */
static int draw(const hs_results *r, const hs_analysis *a, const args *ar)
{
    hs_err err = {0};
    int figures = 0;
    hs_status st = hs_analyze_plot(r, a, ar->store, ar->plots, ar->run, &figures, &err);
    if (st) return hs_cli_fail("analyze", &err);
    fprintf(stderr, "hopsweep analyze: drew %d figure%s into %s (PNG and SVG, data in .dat)\n",
            figures, figures == 1 ? "" : "s", ar->plots);
    return HS_EXIT_OK;
}

int hs_cmd_analyze(int argc, char **argv)
{
    args ar;
    int pr = parse_args(argc, argv, &ar);
    if (pr > 0) {
        fputs(USAGE, stdout);
        return HS_EXIT_OK;
    }
    if (pr < 0) return HS_EXIT_BAD_INPUT;

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
    if (ar.run && hs_results_find(&r, ar.run) < 0) {
        fprintf(stderr,
                "hopsweep analyze: --run %s: no such run in %s/runs.jsonl; give a job id "
                "from it\n",
                ar.run, ar.store);
        rc = HS_EXIT_BAD_INPUT;
        goto out;
    }
    char notice[1024], *runs_path = hs_path_join(ar.store, "runs.jsonl");
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
    hs_analysis_free(&a);
    hs_results_free(&r);
    return rc;
}
