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
#include <time.h>
#include <unistd.h>

#include "hopsweep/escape.h"
#include "hopsweep/results.h"
#include "hopsweep/fileio.h"
#include "hopsweep/json.h"
#include "hopsweep/progress.h"
#include "hopsweep/sweep_state.h"
#include "hopsweep/store_layout.h"

static const char USAGE[] =
    "usage: hopsweep status STORE [--json] [--slowest N] [--watch S]\n"
    "\n"
    "Where the sweep whose result store is STORE stands, from STORE/sweep.yaml and\n"
    "STORE/runs.jsonl and the heartbeats of running jobs (STORE/jobs/<id>/running.json) alone\n"
    "(the lock is not taken; no scheduler is asked): jobs total, done, failed, interrupted,\n"
    "running, stale (a heartbeat gone silent and no process) and never started; each running\n"
    "job with its step, query accuracy and ETA; each failed job with its error; the slowest\n"
    "jobs by wall time.\n"
    "\n"
    "  --json        the same as one JSON object\n"
    "  --slowest N   how many of the slowest jobs to list (default 5; 0 for none)\n"
    "  --watch S     print it again every S seconds, until Ctrl-C\n"
    "\n"
    "exit codes: 0 ok, 2 not a store or bad flags, 3 I/O or out of memory\n";

static void json_count(hs_json *j, const char *key, long v, bool known)
{
    hs_json_key(j, key);
    if (known)
        hs_json_int(j, v);
    else
        hs_json_null(j);
}

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
    hs_json_string_or_null(j, run->error);
    hs_json_key(j, "host");
    hs_json_string_or_null(j, run->host);
    json_count(j, "steps", run->steps, run->steps >= 0);
    hs_json_key(j, "wall_s");
    hs_json_double(j, run->wall_s);
    hs_json_object_end(j);
}

/* One running or stale job: its heartbeat (store_live.h) and where it stands. */
static void json_beat(hs_json *j, const hs_sweep_state *s, const hs_results *r, size_t k)
{
    const hs_live_beat *b = &s->beats[k];
    char label[256];
    hs_sweep_state_beat_label(s, r, k, label, sizeof label);
    hs_json_object_begin(j);
    hs_json_key(j, "id");
    hs_json_string(j, b->id);
    hs_json_key(j, "label");
    hs_json_string(j, label);
    hs_json_key(j, "state");
    hs_json_string(j, s->beat_stale[k] ? "stale" : "running");
    hs_json_key(j, "rank");
    hs_json_int(j, b->rank);
    hs_json_key(j, "host");
    hs_json_string(j, b->host);
    hs_json_key(j, "pid");
    hs_json_int(j, b->pid);
    json_count(j, "step", b->step, b->step >= 0); /* null before its first step */
    hs_json_key(j, "steps");
    hs_json_int(j, b->steps);
    json_count(j, "eval_step", b->eval_step, b->has_eval);
    hs_json_key(j, "query_acc");
    hs_json_float(j, b->has_eval ? b->query_acc : NAN);
    hs_json_key(j, "eval_loss");
    hs_json_float(j, b->has_eval ? b->eval_loss : NAN);
    hs_json_key(j, "eta_s");
    hs_json_double(j, s->beat_stale[k] ? NAN : hs_live_eta(b));
    hs_json_key(j, "started");
    hs_json_double(j, b->started);
    hs_json_key(j, "updated");
    hs_json_double(j, b->updated);
    hs_json_key(j, "age_s");
    hs_json_double(j, s->now - b->updated);
    hs_json_object_end(j);
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
    json_count(&j, "running", s->running, true);
    json_count(&j, "stale", s->stale, true);
    json_count(&j, "never_started", s->never_started, s->has_sweep);
    json_count(&j, "not_in_sweep", s->outside, s->has_sweep);
    hs_json_key(&j, "wall_s");
    hs_json_double(&j, s->wall_s);
    hs_json_key(&j, "core_hours");
    hs_json_double(&j, s->wall_s / 3600.0);
    if (s->n_builds) { /* absent, as before, when no record names its build */
        hs_json_key(&j, "builds");
        hs_json_array_begin(&j);
        for (size_t i = 0; i < s->n_builds; i++) {
            hs_json_object_begin(&j);
            hs_json_key(&j, "version");
            s->builds[i].version ? hs_json_string(&j, s->builds[i].version) : hs_json_null(&j);
            hs_json_key(&j, "commit");
            s->builds[i].commit ? hs_json_string(&j, s->builds[i].commit) : hs_json_null(&j);
            json_count(&j, "records", s->builds[i].records, true);
            hs_json_object_end(&j);
        }
        hs_json_array_end(&j);
        json_count(&j, "records_of_other_builds", s->other_builds, true);
        json_count(&j, "records_without_build", s->unbuilt, true);
    }
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
    hs_json_key(&j, "running_jobs"); /* running and stale ones, by id */
    hs_json_array_begin(&j);
    for (size_t k = 0; k < s->n_beats; k++) json_beat(&j, s, r, k);
    hs_json_array_end(&j);
    hs_json_key(&j, "failed_jobs");
    hs_json_array_begin(&j);
    for (size_t i = 0; i < r->n; i++)
        if (r->runs[i].status == HS_RUN_FAILED && hs_sweep_state_beat_of(s, r->runs[i].id) < 0)
            json_run(&j, s, r, i);
    hs_json_array_end(&j);
    hs_json_key(&j, "interrupted_jobs");
    hs_json_array_begin(&j);
    for (size_t i = 0; i < r->n; i++)
        if (r->runs[i].status == HS_RUN_INTERRUPTED && hs_sweep_state_beat_of(s, r->runs[i].id) < 0)
            json_run(&j, s, r, i);
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
    /* running and stale jobs are named only when there are some: a finished store reads as
     * it always has */
    char live[64] = "";
    if (s->n_beats) snprintf(live, sizeof live, ", %d running, %d stale", s->running, s->stale);
    if (s->has_sweep)
        hs_term_printf(
            stdout,
            "store %s, sweep %s: %zu jobs: %d done, %d failed, %d interrupted%s, %d never "
            "started\n",
            store, s->sweep.name, s->total, s->done, s->failed, s->interrupted, live,
            s->never_started);
    else
        hs_term_printf(stdout, "store %s: %zu %s: %d done, %d failed, %d interrupted%s (%s)\n",
                       store, s->total, s->n_beats ? "jobs" : "records", s->done, s->failed,
                       s->interrupted, live, s->sweep_why);
    if (s->outside)
        hs_term_printf(stdout, "  %d of the records are of jobs sweep.yaml does not list\n",
                       s->outside);
    hs_term_printf(stdout, "wall time %.0f s over %d records (%.2f core-hours)\n", s->wall_s,
                   s->timed, s->wall_s / 3600.0);
    if (s->n_builds) { /* stores from before records named their build print as they did */
        char b[2048];
        hs_sweep_state_builds(s, b, sizeof b);
        hs_term_printf(stdout, "built by %s\n", b);
    }
    if (notice[0]) hs_term_printf(stdout, "note: %s\n", notice);
    if (s->bad_beats)
        hs_term_printf(stdout, "note: %zu unreadable running.json skipped\n", s->bad_beats);
    char label[256];
    for (int stale = 0; stale < 2; stale++) {
        if (!(stale ? s->stale : s->running)) continue;
        hs_term_printf(stdout, "\n");
        hs_term_printf(stdout, "%s\n",
                       stale ? "stale (no heartbeat and no process; rerun the same command to "
                               "run them again):"
                             : "running:");
        for (size_t k = 0; k < s->n_beats; k++) {
            const hs_live_beat *b = &s->beats[k];
            if (s->beat_stale[k] != (bool)stale) continue;
            char eta[32] = "?", age[32], acc[32] = "-", step[32] = "starting";
            double left = hs_live_eta(b);
            if (!isnan(left)) hs_format_duration(left, eta, sizeof eta);
            hs_format_duration(s->now - b->updated, age, sizeof age);
            if (b->has_eval && !isnan(b->query_acc))
                snprintf(acc, sizeof acc, "%.3f", (double)b->query_acc);
            if (b->step >= 0) snprintf(step, sizeof step, "step %d/%d", b->step, b->steps);
            hs_sweep_state_beat_label(s, r, k, label, sizeof label);
            if (stale)
                hs_term_printf(stdout,
                               "  %s  %s  query %s  silent %s  rank %d on %s (pid %ld)  %s\n",
                               b->id, step, acc, age, b->rank, b->host, b->pid, label);
            else
                hs_term_printf(stdout, "  %s  %s  query %s  ETA %s  rank %d on %s  %s\n", b->id,
                               step, acc, eta, b->rank, b->host, label);
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        hs_run_status want = pass ? HS_RUN_INTERRUPTED : HS_RUN_FAILED;
        int count = pass ? s->interrupted : s->failed;
        if (!count) continue;
        hs_term_printf(stdout, "\n");
        hs_term_printf(stdout, "%s:\n", pass ? "interrupted (resume with hopsweep run)" : "failed");
        for (size_t i = 0; i < r->n; i++) {
            const hs_run_record *run = &r->runs[i];
            if (run->status != want || hs_sweep_state_beat_of(s, run->id) >= 0) continue;
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

/* Reads the store once and prints where it stands. */
static int show_once(const char *store, bool json, long slowest)
{
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
    char notice[1024], *runs_path = hs_path_join(store, HS_STORE_RUNS);
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

int hs_cmd_status(int argc, char **argv)
{
    const char *store = NULL;
    bool json = false;
    long slowest = 5;
    double watch = 0;
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
        } else if (!strcmp(argv[i], "--watch")) {
            hs_err e = {0};
            if (i + 1 >= argc) {
                fprintf(stderr, "hopsweep status: --watch needs seconds between refreshes\n");
                return HS_EXIT_BAD_INPUT;
            }
            if (hs_cli_parse_double(argv[++i], 0.0, true, 86400.0, "--watch", &watch, &e))
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
    if (watch <= 0) return show_once(store, json, slowest);
    for (;;) { /* until Ctrl-C, or a store that cannot be read */
        if (isatty(STDOUT_FILENO)) fputs("\033[H\033[2J", stdout); /* clear the screen */
        int rc = show_once(store, json, slowest);
        if (rc) return rc;
        if (!isatty(STDOUT_FILENO)) putchar('\n');
        fflush(stdout);
        struct timespec ts = {(time_t)watch, (long)((watch - (double)(time_t)watch) * 1e9)};
        nanosleep(&ts, NULL);
    }
}
