/* status_cmd.c — the `hopsweep status` command: where a sweep stands, as text for people or one
 * JSON object for scripts. Everything comes from sweep.yaml and runs.jsonl (status.h), read
 * without the store's lock, so it answers while the sweep runs and asks no scheduler. */
#include "hopsweep/status_cmd.h"
#include "hopsweep/cli.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/escape.h"
#include "hopsweep/analyze.h"
#include "hopsweep/fileio.h"
#include "hopsweep/json.h"
#include "hopsweep/status.h"

static const char USAGE[] =
    "usage: hopsweep status STORE [--json] [--slowest N]\n"
    "\n"
    "Where the sweep whose result store is STORE stands, from STORE/sweep.yaml and\n"
    "STORE/runs.jsonl alone (the lock is not taken; no scheduler is asked): jobs total, done,\n"
    "failed, interrupted and never started, each failed job with its error, and the slowest\n"
    "jobs by wall time.\n"
    "\n"
    "  --json        the same as one JSON object\n"
    "  --slowest N   how many of the slowest jobs to list (default 5; 0 for none)\n"
    "\n"
    "exit codes: 0 ok, 2 not a store or bad flags, 3 I/O or out of memory\n";

static void json_run(hs_json *j, const hs_sweep_state *s, const hs_results *r, size_t i)
{
    const hs_run_record *run = &r->runs[i];
    char label[256];
    hs_sweep_state_label(s, r, i, label, sizeof label);
    hs_json_object_begin(j);
    hs_json_key(j, "id");
    hs_json_string(j, run->id);
    hs_json_key(j, "label");
    hs_json_string(j, label);
    hs_json_key(j, "status");
    hs_json_string(j, hs_run_status_name(run->status));
    hs_json_key(j, "error");
    if (run->error)
        hs_json_string(j, run->error);
    else
        hs_json_null(j);
    hs_json_key(j, "host");
    if (run->host)
        hs_json_string(j, run->host);
    else
        hs_json_null(j);
    hs_json_key(j, "steps");
    if (run->steps >= 0)
        hs_json_int(j, run->steps);
    else
        hs_json_null(j);
    hs_json_key(j, "wall_s");
    hs_json_double(j, run->wall_s);
    hs_json_object_end(j);
}

static void json_count(hs_json *j, const char *key, long v, bool known)
{
    hs_json_key(j, key);
    if (known)
        hs_json_int(j, v);
    else
        hs_json_null(j);
}

static int print_json(const char *store, const hs_sweep_state *s, const hs_results *r,
                      const size_t *slow, size_t n_slow, const char *notice)
{
    hs_json j;
    hs_json_init(&j);
    hs_json_object_begin(&j);
    hs_json_key(&j, "store");
    hs_json_string(&j, store);
    hs_json_key(&j, "sweep");
    if (s->has_sweep)
        hs_json_string(&j, s->sweep.name);
    else
        hs_json_null(&j);
    json_count(&j, "total", (long)s->total, s->has_sweep);
    json_count(&j, "records", (long)r->n, true);
    json_count(&j, "done", s->done, true);
    json_count(&j, "failed", s->failed, true);
    json_count(&j, "interrupted", s->interrupted, true);
    json_count(&j, "never_started", s->never_started, s->has_sweep);
    json_count(&j, "not_in_sweep", s->outside, s->has_sweep);
    hs_json_key(&j, "wall_s");
    hs_json_double(&j, s->wall_s);
    hs_json_key(&j, "core_hours");
    hs_json_double(&j, s->wall_s / 3600.0);
    hs_json_key(&j, "sweep_note");
    if (s->sweep_why[0])
        hs_json_string(&j, s->sweep_why);
    else
        hs_json_null(&j);
    hs_json_key(&j, "notice");
    if (notice[0])
        hs_json_string(&j, notice);
    else
        hs_json_null(&j);
    hs_json_key(&j, "failed_jobs");
    hs_json_array_begin(&j);
    for (size_t i = 0; i < r->n; i++)
        if (r->runs[i].status == HS_RUN_FAILED) json_run(&j, s, r, i);
    hs_json_array_end(&j);
    hs_json_key(&j, "interrupted_jobs");
    hs_json_array_begin(&j);
    for (size_t i = 0; i < r->n; i++)
        if (r->runs[i].status == HS_RUN_INTERRUPTED) json_run(&j, s, r, i);
    hs_json_array_end(&j);
    hs_json_key(&j, "slowest");
    hs_json_array_begin(&j);
    for (size_t i = 0; i < n_slow; i++) json_run(&j, s, r, slow[i]);
    hs_json_array_end(&j);
    hs_json_object_end(&j);
    if (!hs_json_ok(&j)) {
        hs_json_free(&j);
        fprintf(stderr, "hopsweep status: out of memory writing JSON\n");
        return HS_EXIT_IO;
    }
    char *text = hs_json_take(&j);
    printf("%s\n", text);
    free(text);
    return HS_EXIT_OK;
}

/* For people: one line per message, whatever the store holds escaped (escape.h). */
static void print_text(const char *store, const hs_sweep_state *s, const hs_results *r,
                       const size_t *slow, size_t n_slow, const char *notice)
{
    if (s->has_sweep)
        hs_term_printf(stdout,
                       "store %s, sweep %s: %zu jobs: %d done, %d failed, %d interrupted, %d never "
                       "started\n",
                       store, s->sweep.name, s->total, s->done, s->failed, s->interrupted,
                       s->never_started);
    else
        hs_term_printf(stdout, "store %s: %zu records: %d done, %d failed, %d interrupted (%s)\n",
                       store, r->n, s->done, s->failed, s->interrupted, s->sweep_why);
    if (s->outside)
        hs_term_printf(stdout, "  %d of the records are of jobs sweep.yaml does not list\n",
                       s->outside);
    hs_term_printf(stdout, "wall time %.0f s over %d records (%.2f core-hours)\n", s->wall_s,
                   s->timed, s->wall_s / 3600.0);
    if (notice[0]) hs_term_printf(stdout, "note: %s\n", notice);
    char label[256];
    for (int pass = 0; pass < 2; pass++) {
        hs_run_status want = pass ? HS_RUN_INTERRUPTED : HS_RUN_FAILED;
        int count = pass ? s->interrupted : s->failed;
        if (!count) continue;
        hs_term_printf(stdout, "\n");
        hs_term_printf(stdout, "%s:\n", pass ? "interrupted (resume with hopsweep run)" : "failed");
        for (size_t i = 0; i < r->n; i++) {
            const hs_run_record *run = &r->runs[i];
            if (run->status != want) continue;
            hs_sweep_state_label(s, r, i, label, sizeof label);
            hs_term_printf(stdout, "  %s  %s  %s\n", run->id, label,
                           run->error ? run->error : "(no error given)");
        }
    }
    if (n_slow) {
        hs_term_printf(stdout, "\n");
        hs_term_printf(stdout, "slowest:\n");
        for (size_t i = 0; i < n_slow; i++) {
            const hs_run_record *run = &r->runs[slow[i]];
            hs_sweep_state_label(s, r, slow[i], label, sizeof label);
            hs_term_printf(stdout, "  %s  %9.1f s  %-11s %s%s%s\n", run->id, run->wall_s,
                           hs_run_status_name(run->status), label, run->host ? "  on " : "",
                           run->host ? run->host : "");
        }
    }
}

int hs_cmd_status(int argc, char **argv)
{
    const char *store = NULL;
    bool json = false;
    long slowest = 5;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(USAGE, stdout);
            return HS_EXIT_OK;
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "--slowest")) {
            hs_err e = {0};
            if (i + 1 >= argc) {
                fprintf(stderr, "hopsweep status: --slowest needs a count from 0 to 1000000\n");
                return HS_EXIT_BAD_INPUT;
            }
            if (hs_cli_parse_long(argv[++i], 0, 1000000, "--slowest", &slowest, &e))
                return hs_cli_fail("status", &e);
        } else if (argv[i][0] == '-' || store) {
            fprintf(stderr,
                    "hopsweep status: unexpected argument \"%s\"; see hopsweep status "
                    "--help\n",
                    argv[i]);
            return HS_EXIT_BAD_INPUT;
        } else {
            store = argv[i];
        }
    }
    if (!store) {
        fprintf(stderr, "hopsweep status: no store given; usage: hopsweep status STORE [--json]\n");
        return HS_EXIT_BAD_INPUT;
    }
    hs_results r;
    hs_results_init(&r);
    hs_err err = {0};
    hs_store_view v;
    hs_status st = hs_store_view_open(&v, store, &err);
    if (!st) st = hs_results_load_view(&r, &v, &err);
    hs_sweep_state s;
    memset(&s, 0, sizeof s);
    if (!st) st = hs_sweep_state_load(&s, &v, &r, &err);
    hs_store_view_close(&v);
    if (st) {
        hs_results_free(&r);
        return hs_cli_fail_loading("status", &err);
    }
    char notice[1024], *runs_path = hs_path_join(store, "runs.jsonl");
    hs_results_notice(&r, runs_path ? runs_path : store, notice, sizeof notice);
    free(runs_path);
    size_t *slow = malloc(sizeof *slow * ((size_t)slowest + 1));
    size_t n_slow = slow ? hs_sweep_state_slowest(&r, slow, (size_t)slowest) : 0;
    int rc = HS_EXIT_OK;
    if (!slow) {
        fprintf(stderr, "hopsweep status: out of memory\n");
        rc = HS_EXIT_IO;
    } else if (json) {
        rc = print_json(store, &s, &r, slow, n_slow, notice);
    } else {
        print_text(store, &s, &r, slow, n_slow, notice);
    }
    if (fflush(stdout) && rc == HS_EXIT_OK) {
        fprintf(stderr, "hopsweep status: cannot write the output: %s\n", strerror(errno));
        rc = HS_EXIT_IO;
    }
    free(slow);
    hs_sweep_state_free(&s);
    hs_results_free(&r);
    return rc;
}
