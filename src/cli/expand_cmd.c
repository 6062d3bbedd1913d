/* expand_cmd.c — `hopsweep expand`: a sweep's jobs, one line each, without running them. */
#include "hopsweep/expand_cmd.h"

#include <stdio.h>

#include "hopsweep/cli.h"
#include "hopsweep/run_cmd.h"
#include "hopsweep/sweep.h"

static const char EXPAND_USAGE[] =
    "usage: hopsweep expand SWEEP.yaml [key=value | key=v1,v2,...]\n"
    "\n"
    "Validates the sweep and prints its jobs, one per line (id, then the value of every grid\n"
    "key), and their count. Runs nothing.\n";

int hs_cmd_expand(int argc, char **argv)
{
    if (hs_cli_wants_help(argc, argv)) {
        fputs(EXPAND_USAGE, stdout);
        return 0;
    }
    hs_run_args a = {0};
    if (hs_run_parse_args("expand", argc, argv, &a, false)) return HS_EXIT_BAD_INPUT;
    hs_sweep sw;
    hs_err err = {0};
    hs_status st = hs_sweep_load(&sw, a.sweep, a.n_overrides, a.overrides, &err);
    if (st) return hs_cli_fail_loading("expand", &err);
    char label[512];
    for (size_t i = 0; i < sw.n_jobs; i++) {
        hs_sweep_job_label(&sw, i, label, sizeof label);
        printf("%s  %s\n", sw.jobs[i].id, label);
    }
    printf("%zu jobs", sw.n_jobs);
    if (sw.n_excluded) printf(" (%zu excluded)", sw.n_excluded);
    printf(" in sweep %s, store %s\n", sw.name, sw.output);
    hs_sweep_free(&sw);
    return 0;
}
