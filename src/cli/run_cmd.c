/* run_cmd.c — `hopsweep run`: loads a sweep, opens its store and hands the jobs to the
 * coordinator, alone or as rank 0 of an MPI launch; signals stop it cleanly (exit 4, resumable). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "hopsweep/run_cmd.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hopsweep/escape.h"
#include "hopsweep/cli.h"
#include "hopsweep/coord.h"
#include "hopsweep/fileio.h"
#include "hopsweep/gemm.h"
#include "hopsweep/job.h"
#include "hopsweep/progress.h"
#include "hopsweep/store.h"
#include "hopsweep/store_live.h"
#include "hopsweep/sweep.h"
#include "hopsweep/resume.h"
#include "hopsweep/store_layout.h"
#include "hopsweep/train_plan.h"

static const char RUN_USAGE[] =
    "usage: hopsweep run SWEEP.yaml [key=value | key=v1,v2,...] [--out DIR] [--threads N]\n"
    "                    [--abandon] [--retry-failed] [--shard K/N] [--progress-every S]\n"
    "                    [--silence S] [--quiet]\n"
    "\n"
    "Runs every job of the sweep and appends each result to the store (DIR/runs.jsonl,\n"
    "DIR/jobs/<id>/). Jobs already done or failed in the store are skipped, so running the same\n"
    "command again after a crash or a stop finishes the sweep. key=value sets a key for every "
    "job;\n"
    "key=v1,v2,... makes it a grid axis. Alone it trains every job itself; under\n"
    "`mpirun -np N` or `srun` rank 0 hands jobs out longest first and trains too, so N ranks\n"
    "keep N cores busy.\n"
    "\n"
    "  --out DIR            the store (default: the sweep's output:)\n"
    "  --threads N          BLAS threads per rank (default 1)\n"
    "  --abandon            on SIGINT/SIGHUP interrupt running jobs instead of letting them\n"
    "                       finish (a second signal, SIGTERM or SIGUSR1 always does); an\n"
    "                       interrupted job saves its state and a rerun continues it where it\n"
    "                       stopped\n"
    "  --retry-failed       run again the jobs the store records as failed\n"
    "  --shard K/N          run only the jobs i with i % N == K (0-based, in expand's order):\n"
    "                       one array task's share; merge the shards with `hopsweep store merge`\n"
    "  --progress-every S   seconds between progress lines when stderr is not a terminal (60)\n"
    "  --silence S          under MPI: give up a rank that sends nothing for S seconds while it\n"
    "                       runs a job (it reports every second): its job is recorded as\n"
    "                       interrupted, the others run on, and the run ends with exit 4\n"
    "                       (default: 5 times the longest silence seen so far, at least 30)\n"
    "  --quiet              no progress or job lines\n";

/* Raised by signals: the coordinator stops handing out work (1) or also interrupts the running
 * jobs (2). The one global of the program: signal handlers need it. */
static volatile sig_atomic_t stop_requested;
/* Rank 0 says at once what a signal does (set before the handlers are installed). */
static volatile sig_atomic_t announce_stop, abandon_on_stop;

static void say(const char *msg)
{
    if (write(STDERR_FILENO, msg, strlen(msg)) < 0) { /* nothing to do: the stop still happens */
    }
}

static void on_signal(int sig)
{
    /* SIGUSR1 is Slurm's warning that the time limit is near, and SIGTERM is what preemption,
     * scancel and `scontrol requeue` send before SIGKILL (after KillWait, seconds later): no
     * time to let jobs finish, checkpoint them now. SIGINT and SIGHUP (Ctrl-C, a closed
     * terminal) and SIGPIPE (the reader of our log went away, as `| tee` does when an ssh
     * session drops: the write fails with EPIPE, an ordinary error) let them finish; a second
     * signal interrupts them. Every later write to the closed pipe raises SIGPIPE again: it
     * counts once. */
    static volatile sig_atomic_t pipe_closed;
    if (sig == SIGPIPE && pipe_closed) return;
    if (sig == SIGPIPE) pipe_closed = 1;
    int before = stop_requested;
    if (sig == SIGUSR1 || sig == SIGTERM)
        stop_requested = 2;
    else if (stop_requested < 2)
        stop_requested++;
    if (!announce_stop || before >= 2) return;
    if (stop_requested >= 2 || abandon_on_stop)
        say("\nhopsweep run: stopping now: the running jobs save their state (recorded as "
            "interrupted; rerun the same command to continue them)\n");
    else
        say("\nhopsweep run: finishing the running job, then stopping; Ctrl-C again to stop "
            "now\n");
}

typedef struct {
    hs_store *store;
    bool retry_failed;
} store_sink;

static bool sink_finished(const char *id, void *user)
{
    store_sink *s = user;
    hs_run_status st = hs_store_status(s->store, id);
    return st == HS_RUN_DONE || (st == HS_RUN_FAILED && !s->retry_failed);
}

static hs_status sink_put(const hs_coord_result *res, void *user, hs_err *err)
{
    store_sink *s = user;
    hs_job_output out;
    hs_status st = hs_job_output_unpack(res->bytes, res->len, &out, err);
    if (!st) st = hs_store_put(s->store, &out, err);
    hs_job_output_free(&out);
    return st;
}

/* The saved state of an interrupted run, if the store has one this job can continue from:
 * read and checked here, once; *checked (an hs_resume_view into bytes) goes to rank 0's runner. */
static hs_status sink_resume(const char *id, const hs_config *cfg, char **bytes, size_t *n,
                             void **checked, void *user, hs_err *err)
{
    store_sink *s = user;
    *checked = NULL;
    hs_status st = hs_store_read_resume(s->store, id, bytes, n, err);
    if (st || !*bytes) return st;
    hs_resume_view *v = malloc(sizeof *v);
    if (!v) {
        free(*bytes);
        *bytes = NULL;
        *n = 0;
        return hs_fail(err, HS_ENOMEM, "out of memory reading a resume state");
    }
    hs_err e = {0};
    if (hs_resume_read(cfg, *bytes, *n, true, v, &e)) {
        free(v);
        free(*bytes);
        *bytes = NULL;
        *n = 0;
        return hs_fail(err, HS_EINPUT, "resume state unusable (%s)", e.msg);
    }
    *checked = v;
    return HS_OK;
}

static void sink_resume_free(void *checked, void *user)
{
    (void)user;
    hs_resume_view_free(checked);
    free(checked);
}

/* A job as it runs: the coordinator's poll, and its live files in the store (store_live.h). */
typedef struct running_job {
    const hs_coord_job *job;
    hs_live live;
} running_job;

static bool runner_step(int step, void *user)
{
    running_job *r = user;
    hs_live_step(&r->live, step);
    return r->job->poll && r->job->poll(step, r->job->poll_user);
}

static void runner_metrics(const char *csv, size_t len, const hs_eval *ev, void *user)
{
    hs_live_eval(&((running_job *)user)->live, csv, len, ev);
}

/* The coordinator's job runner: the trainer through job.c, its output packed into bytes. */
static hs_status runner_run(const hs_coord_job *job, hs_coord_result *res, void *user, hs_err *err)
{
    (void)user;
    char files_dir[32];
    hs_job_path(files_dir, sizeof files_dir, NULL, job->id, NULL, NULL); /* 16 hex digits fit */
    running_job r = {.job = job, .live = {.dir_fd = -1, .job_fd = -1, .metrics_fd = -1}};
    hs_err lerr = {0};
    if (job->live_dir)
        hs_live_open(&r.live, job->live_dir, job->id, job->sweep, job->host, job->rank,
                     job->cfg->train.steps, &lerr);
    /* the state rank 0's sink checked, or (on another rank) the same bytes read here, once;
     * they passed rank 0's check, so a refusal here starts the job afresh as that check would */
    const hs_resume_view *checked = job->resume_checked;
    hs_resume_view view = {0};
    hs_err rerr = {0};
    if (!checked && job->resume &&
        !hs_resume_read(job->cfg, job->resume, job->resume_len, true, &view, &rerr))
        checked = &view;
    hs_job_opts jo = {.sweep = job->sweep,
                      .host = job->host,
                      .rank = job->rank,
                      .files_dir = files_dir,
                      .on_step = runner_step,
                      .user = &r,
                      .on_metrics = runner_metrics,
                      .live_user = &r,
                      .resume = checked ? &checked->s : NULL};
    hs_job_output out;
    hs_status st = hs_job_run(job->cfg, &jo, &out, err);
    hs_resume_view_free(&view);
    hs_live_close(&r.live);
    /* the job's result does not depend on its live files: say once what went wrong, go on */
    if (r.live.err.code)
        hs_term_printf(stderr, "hopsweep run: rank %d: job %s: its live state is incomplete: %s\n",
                       job->rank, job->id, r.live.err.msg);
    if (st) return st;
    memset(res, 0, sizeof *res);
    memcpy(res->id, out.id, sizeof res->id);
    res->status = (int)out.status;
    res->steps = out.steps;
    res->query_acc = out.final_query_acc;
    res->wall_s = out.wall_s;
    res->err = out.err;
    st = hs_job_output_pack(&out, &res->bytes, &res->len, err);
    hs_job_output_free(&out);
    return st;
}

static double runner_cost(const hs_config *cfg, void *user)
{
    (void)user;
    return hs_train_plan_cost(cfg);
}

/* hs_coord_result.status carries the record's status as a number */
_Static_assert(HS_RUN_DONE == 0 && HS_RUN_FAILED == 1 && HS_RUN_INTERRUPTED == 2,
               "coord.h's result status numbers are hs_run_status's");

static const char *runner_status_name(int status)
{
    return hs_run_status_name((hs_run_status)status);
}

/* A job whose rank fell silent: an interrupted record, with no files, that a rerun runs again. */
static hs_status runner_lost(const hs_coord_job *job, const char *why, hs_coord_result *res,
                             void *user, hs_err *err)
{
    (void)user;
    hs_job_opts jo = {.sweep = job->sweep, .host = job->host, .rank = job->rank};
    hs_job_output out;
    hs_status st = hs_job_lost(job->cfg, &jo, why, &out, err);
    if (st) return st;
    memset(res, 0, sizeof *res);
    memcpy(res->id, out.id, sizeof res->id);
    res->status = (int)out.status;
    res->err = out.err;
    st = hs_job_output_pack(&out, &res->bytes, &res->len, err);
    hs_job_output_free(&out);
    return st;
}

static const hs_coord_runner job_runner = {
    .run = runner_run, .cost = runner_cost, .status_name = runner_status_name, .lost = runner_lost};

/* Splits the arguments of run/expand; returns -1 after printing the problem. */
int hs_run_parse_args(const char *cmd, int argc, char **argv, hs_run_args *a, bool is_run)
{
    a->overrides = argv; /* key=value arguments are gathered in place, at the front */
    a->threads = 1;
    a->progress_every = 60.0;
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        bool has_value = i + 1 < argc;
        if (is_run && !strcmp(s, "--out") && has_value) {
            a->out = argv[++i];
        } else if (is_run && !strcmp(s, "--threads") && has_value) {
            hs_err e;
            if (hs_cli_parse_threads(argv[++i], &a->threads, &e)) return hs_cli_fail(cmd, &e), -1;
        } else if (is_run && !strcmp(s, "--progress-every") && has_value) {
            hs_err e;
            if (hs_cli_parse_double(argv[++i], 0.0, true, 86400.0, s, &a->progress_every, &e))
                return hs_cli_fail(cmd, &e), -1;
        } else if (is_run && !strcmp(s, "--silence") && has_value) {
            hs_err e;
            if (hs_cli_parse_double(argv[++i], 0.0, true, 1e6, s, &a->silence, &e))
                return hs_cli_fail(cmd, &e), -1;
        } else if (is_run && !strcmp(s, "--shard") && has_value) {
            hs_err e;
            if (hs_cli_parse_shard(argv[++i], s, &a->shard, &a->shards, &e))
                return hs_cli_fail(cmd, &e), -1;
        } else if (is_run && !strcmp(s, "--abandon")) {
            a->abandon = true;
        } else if (is_run && !strcmp(s, "--retry-failed")) {
            a->retry_failed = true;
        } else if (is_run && !strcmp(s, "--quiet")) {
            a->quiet = true;
        } else if (s[0] == '-') {
            fprintf(stderr,
                    "hopsweep %s: unknown option or missing value: %s; see hopsweep %s --help\n",
                    cmd, s, cmd);
            return -1;
        } else if (strchr(s, '=')) {
            a->overrides[a->n_overrides++] = argv[i];
        } else if (a->sweep) {
            fprintf(stderr,
                    "hopsweep %s: two sweep files (%s, %s); give one, and key=value for the rest\n",
                    cmd, a->sweep, s);
            return -1;
        } else {
            a->sweep = s;
        }
    }
    if (!a->sweep) {
        fprintf(stderr,
                "hopsweep %s: no sweep file; usage: hopsweep %s SWEEP.yaml [key=value ...]\n", cmd,
                cmd);
        return -1;
    }
    return 0;
}

/* The command line again, for "run this to resume": each argument one shell word, so pasting
 * the line runs exactly this command whatever the paths hold. */
static void print_command(FILE *f, int argc, char **argv)
{
    fputs("hopsweep run", f);
    for (int i = 0; i < argc; i++) {
        fputc(' ', f);
        hs_cli_put_shell_word(f, argv[i], false);
    }
}

/* A done job whose files no longer match its record's sizes runs again: an interrupted record
 * saying why goes first, so the store's history shows it (CR04). */
static hs_status requeue_damaged(hs_store *store, const hs_sweep *sw, size_t i, const char *host,
                                 hs_err *err)
{
    char why[400], line[480];
    if (hs_store_files_intact(store, sw->jobs[i].id, why, sizeof why)) return HS_OK;
    snprintf(line, sizeof line, "files damaged since it was done (%s); running it again", why);
    hs_term_printf(stderr, "hopsweep run: job %s: %s\n", sw->jobs[i].id, line);
    hs_job_opts jo = {.sweep = sw->name, .host = host, .rank = 0};
    hs_job_output out;
    hs_status st = hs_job_lost(&sw->jobs[i].cfg, &jo, line, &out, err);
    if (!st) st = hs_store_put(store, &out, err);
    hs_job_output_free(&out);
    return st;
}

static int run_lead(hs_coord *c, const hs_run_args *a, int argc, char **argv, FILE *log,
                    int *lost_ranks)
{
    hs_err err = {0};
    hs_sweep sw;
    int rc = 0;
    hs_status st = hs_sweep_load(&sw, a->sweep, a->n_overrides, a->overrides, &err);
    bool loaded = st == HS_OK;
    hs_sweep *swp = loaded ? &sw : NULL; /* NULL once anything fails: nothing is run */
    if (st) {
        hs_term_printf(stderr, "hopsweep run: %s\n", err.msg);
        rc = hs_exit_code_loading(st);
    }
    if (swp && a->shards > 1) { /* an array task's share: every N-th job, from the K-th */
        size_t kept = 0;
        for (size_t i = 0; i < sw.n_jobs; i++)
            if ((long)(i % (size_t)a->shards) == a->shard) sw.jobs[kept++] = sw.jobs[i];
        sw.n_jobs = kept;
    }
    /* The coordinator refuses such a name too, but only after the store exists: refuse it
     * before anything is created. */
    if (swp && strlen(sw.name) > 1000) {
        hs_term_printf(stderr,
                       "hopsweep run: %s: the sweep's name is longer than 1000 characters; "
                       "shorten name:\n",
                       a->sweep);
        rc = HS_EXIT_BAD_INPUT;
        swp = NULL;
    }
    hs_store store = {.lock_fd = -1, .runs_fd = -1, .dir_fd = -1, .jobs_fd = -1};
    const char *dir = a->out ? a->out : swp ? sw.output : NULL;
    if (swp && (st = hs_store_open(&store, dir, &err))) {
        hs_term_printf(stderr, "hopsweep run: store %s: %s\n", dir, err.msg);
        rc = hs_exit_code(st);
        swp = NULL;
    }
    if (swp && store.notice[0]) hs_term_printf(stderr, "hopsweep run: %s\n", store.notice);
    /* Every job that will run gets its store entries checked now, before the first step: a
     * link or a FIFO where its files go is reported, and nothing trains for nothing. */
    for (size_t i = 0; swp && i < sw.n_jobs; i++) {
        if (requeue_damaged(&store, &sw, i, c->host, &err)) {
            hs_term_printf(stderr, "hopsweep run: %s\n", err.msg);
            rc = HS_EXIT_IO;
            swp = NULL;
            break;
        }
        hs_run_status rs = hs_store_status(&store, sw.jobs[i].id);
        if (rs == HS_RUN_DONE || (rs == HS_RUN_FAILED && !a->retry_failed)) continue;
        if ((st = hs_store_check_job(&store, sw.jobs[i].id, &err))) {
            hs_term_printf(stderr, "hopsweep run: store %s: %s\n", dir, err.msg);
            rc = hs_exit_code(st);
            swp = NULL;
        }
    }
    if (swp && (st = hs_store_write_file(&store, HS_STORE_SWEEP, sw.yaml, strlen(sw.yaml), &err))) {
        hs_term_printf(stderr, "hopsweep run: %s\n", err.msg);
        rc = HS_EXIT_IO;
        swp = NULL;
    }
    /* every rank writes its running job's live files here: the same directory from any cwd */
    char *live_dir = swp ? realpath(dir, NULL) : NULL;
    store_sink sink_state = {.store = &store, .retry_failed = a->retry_failed};
    hs_coord_sink sink = {.finished = sink_finished,
                          .put = sink_put,
                          .resume = sink_resume,
                          .resume_free = sink_resume_free,
                          .user = &sink_state};
    hs_coord_opts o = {.stop = &stop_requested,
                       .abandon = a->abandon,
                       .progress_every = a->progress_every,
                       .silence = a->silence,
                       .log = log,
                       .live_dir = live_dir};
    hs_coord_summary sum;
    st = hs_coord_lead(c, swp, &o, &job_runner, &sink, &sum, &err);
    *lost_ranks = sum.lost_ranks;
    if (st) {
        hs_term_printf(stderr, "hopsweep run: %s\n", err.msg);
        rc = hs_exit_code(st);
    }
    if (swp) {
        char took[32];
        hs_format_duration(sum.wall_s, took, sizeof took);
        char unsaved[48] = ""; /* a job that ran but could not be stored is still counted */
        if (sum.unsaved) snprintf(unsaved, sizeof unsaved, ", %zu not stored", sum.unsaved);
        fprintf(stderr,
                "hopsweep run: sweep %s: %zu jobs: %zu done, %zu failed, %zu interrupted, %zu "
                "skipped (already in the store), %zu not started%s; %s on %d rank%s; store %s\n",
                sw.name, sum.jobs, sum.done, sum.failed, sum.interrupted, sum.skipped,
                sum.not_started, unsaved, took, c->size, c->size > 1 ? "s" : "", dir);
        if (!rc && (sum.not_started || sum.interrupted)) {
            fputs("hopsweep run: stopped before the end; to resume, run the same command again: ",
                  stderr);
            print_command(stderr, argc, argv);
            fputc('\n', stderr);
            rc = HS_EXIT_STOPPED;
        } else if (!rc && sum.failed) {
            fprintf(stderr,
                    "hopsweep run: %zu job%s failed; their records in %s/runs.jsonl say why\n",
                    sum.failed, sum.failed > 1 ? "s" : "", dir);
            rc = HS_EXIT_JOB_FAILED;
        }
    }
    hs_store_close(&store);
    free(live_dir);
    if (loaded) hs_sweep_free(&sw);
    return rc;
}

int hs_cmd_run(int argc, char **argv)
{
    if (hs_cli_wants_help(argc, argv)) {
        fputs(RUN_USAGE, stdout);
        return 0;
    }
    hs_run_args a = {0};
    hs_coord c;
    hs_err err = {0};
    if (hs_coord_init(&c, &argc, &argv, &err)) {
        if (err.msg[0]) hs_term_printf(stderr, "hopsweep run: %s\n", err.msg); /* once per launch */
        return hs_exit_code(err.code);
    }
    /* A copy: parse_run_args gathers overrides in place, and the resume hint needs the original. */
    char **args = malloc(sizeof(char *) * ((size_t)argc + 1));
    if (!args) {
        fprintf(stderr, "hopsweep run: out of memory\n");
        hs_coord_finalize(&c);
        return HS_EXIT_IO;
    }
    memcpy(args, argv, sizeof(char *) * (size_t)argc);
    int rc = hs_run_parse_args("run", argc, args, &a, true) ? HS_EXIT_BAD_INPUT : 0;
    int lost_ranks = 0;
    hs_blas_set_threads(a.threads);
    announce_stop = c.rank == 0 && !a.quiet;
    abandon_on_stop = a.abandon;
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL); /* a closed terminal or ssh session */
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
    if (c.rank == 0) {
        if (rc) { /* release the other ranks before leaving */
            hs_coord_summary sum;
            hs_coord_opts o = {.stop = &stop_requested};
            hs_coord_lead(&c, NULL, &o, NULL, NULL, &sum, &err);
        } else {
            rc = run_lead(&c, &a, argc, argv, a.quiet ? NULL : stderr, &lost_ranks);
        }
    } else {
        hs_coord_opts o = {.stop = &stop_requested};
        if (hs_coord_work(&c, &o, &job_runner, &err)) {
            hs_term_printf(stderr, "hopsweep run: rank %d: %s\n", c.rank, err.msg);
            rc = HS_EXIT_IO;
        }
    }
    free(args);
    if (lost_ranks) {
        /* MPI_Finalize would wait for the silent ranks for ever: end them all */
        fprintf(stderr,
                "hopsweep run: %d rank%s fell silent; ending every rank (mpirun exits %d)\n",
                lost_ranks, lost_ranks > 1 ? "s" : "", rc);
        fflush(stderr);
        hs_coord_abort(&c, rc);
    }
    hs_coord_finalize(&c);
    return rc;
}
