/* main.c — the hopsweep command line: `train`, `run`, `expand`, `store`, `bench`, and help;
 * `analyze`, `attn`, `slurm` and `prompts` live in their own *_cmd.c files.
 *
 * Exit codes: 0 success; 1 a job failed (diverged); 2 bad input (arguments, config, YAML);
 * 3 a file could not be written or memory ran out; 4 a sweep was stopped by a signal before
 * it finished (run the same command again to resume). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cblas.h>

#include "hopsweep/analyze_cmd.h"
#include "hopsweep/attn_cmd.h"
#include "hopsweep/bench.h"
#include "hopsweep/config.h"
#include "hopsweep/coord.h"
#include "hopsweep/fileio.h"
#include "hopsweep/gemm.h"
#include "hopsweep/job.h"
#include "hopsweep/progress.h"
#include "hopsweep/prompts_cmd.h"
#include "hopsweep/report_cmd.h"
#include "hopsweep/status_cmd.h"
#include "hopsweep/slurm_cmd.h"
#include "hopsweep/store.h"
#include "hopsweep/sweep.h"

enum { EXIT_JOB_FAILED = 1, EXIT_BAD_INPUT = 2, EXIT_RUNTIME = 3, EXIT_STOPPED = 4 };

static const char USAGE[] =
    "usage: hopsweep <command> [options]\n"
    "\n"
    "commands:\n"
    "  train [JOB.yaml] [key=value ...]   train one model on the retrieval task\n"
    "  run SWEEP.yaml [key=v1,v2 ...]     run a sweep's jobs (alone, or under mpirun/srun)\n"
    "  expand SWEEP.yaml [key=v1,v2 ...]  list a sweep's jobs without running them\n"
    "  store merge STORE SHARD...         merge array tasks' stores into one\n"
    "  analyze RESULTS                    minimum layers, curricula, emergence statistics, figures\n"
    "  status STORE [--json]              jobs done, failed, interrupted, never started; errors\n"
    "  report STORE [--out FILE.html]     one self-contained HTML page of a sweep, for any browser\n"
    "  attn LOG                           list or draw a job's attention log (attn.zst)\n"
    "  slurm SWEEP.yaml [--submit]        render (and submit) a Slurm batch script for a sweep\n"
    "  bench                              time training steps of the reference models S, M, L\n"
    "  prompts [--formulation F ...]      write prompt sets for language models; `prompts score`\n"
    "                                     scores a harness's answers to them\n"
    "  help [command]                     show help\n"
    "\n"
    "exit codes: 0 ok, 1 a job failed (diverged), 2 bad input, 3 I/O or out of memory,\n"
    "            4 sweep stopped by a signal (run it again to resume)\n"
    "see `hopsweep <command> --help`\n";

static const char TRAIN_USAGE[] =
    "usage: hopsweep train [JOB.yaml] [key=value ...] [--out DIR] [--json] [--quiet] [--threads N]\n"
    "\n"
    "Trains one model. The job is the defaults, then JOB.yaml (sections task/model/train/log/\n"
    "emergence, or dotted keys), then each key=value in order, e.g.\n"
    "  hopsweep train task.hops=4 model.layers=2 train.steps=3000\n"
    "Prints one line per evaluation: step, training loss, evaluation loss, query accuracy and\n"
    "accuracy per hop label.\n"
    "\n"
    "  --out DIR     write DIR/metrics.csv, DIR/record.json, with log.attention_every > 0\n"
    "                DIR/attn.zst, and with log.checkpoint=true DIR/model.safetensors\n"
    "  --json        print the job record as one JSON line at the end (progress goes to stderr)\n"
    "  --quiet       no per-evaluation lines\n"
    "  --threads N   BLAS threads (default 1); results are identical for the same N\n"
    "\n"
    "keys (defaults in parentheses):\n";

static const char BENCH_USAGE[] =
    "usage: hopsweep bench [--config S|M|L|SML] [--precision fp32|bf16|fp32,bf16] [--seconds X]\n"
    "                      [--json] [--threads N]\n"
    "\n"
    "Times one full training step (forward, backward, AdamW) of the reference models on random\n"
    "data: S (1 layer, d 64, 2 heads, T 10, batch 64), M (3 layers, d 128, 4 heads, T 40,\n"
    "batch 64), L (4 layers, d 256, 4 heads, T 121, batch 32); vocab 64, MLP 4x, LayerNorm,\n"
    "every position supervised; at each precision asked for that this CPU runs (bf16 needs\n"
    "avx512_bf16 or amx_bf16; without it one line says so and fp32 alone is measured). Prints\n"
    "ms/step, steps/s, achieved GFLOP/s and its share of the engine's rate on one 1024^3\n"
    "product at that precision, measured in the same run. --json: one object per (config,\n"
    "precision) per line with config, precision, engine, ms_per_step, steps_per_s, gflops,\n"
    "peak_gflops, sgemm_gflops (OpenBLAS).\n";

static const char RUN_USAGE[] =
    "usage: hopsweep run SWEEP.yaml [key=value | key=v1,v2,...] [--out DIR] [--threads N]\n"
    "                    [--abandon] [--retry-failed] [--shard K/N] [--progress-every S] [--quiet]\n"
    "\n"
    "Runs every job of the sweep and appends each result to the store (DIR/runs.jsonl,\n"
    "DIR/jobs/<id>/). Jobs already done or failed in the store are skipped, so running the same\n"
    "command again after a crash or a stop finishes the sweep. key=value sets a key for every job;\n"
    "key=v1,v2,... makes it a grid axis. Alone it trains every job itself; under\n"
    "`mpirun -np N` or `srun` rank 0 hands jobs out longest first and trains too, so N ranks\n"
    "keep N cores busy.\n"
    "\n"
    "  --out DIR            the store (default: the sweep's output:)\n"
    "  --threads N          BLAS threads per rank (default 1)\n"
    "  --abandon            on SIGINT/SIGTERM interrupt running jobs instead of letting them\n"
    "                       finish (a second signal, or SIGUSR1, always does); an interrupted\n"
    "                       job saves its state and a rerun continues it where it stopped\n"
    "  --retry-failed       run again the jobs the store records as failed\n"
    "  --shard K/N          run only the jobs i with i % N == K (0-based, in expand's order):\n"
    "                       one array task's share; merge the shards with `hopsweep store merge`\n"
    "  --progress-every S   seconds between progress lines when stderr is not a terminal (60)\n"
    "  --quiet              no progress or job lines\n";

static const char EXPAND_USAGE[] =
    "usage: hopsweep expand SWEEP.yaml [key=value | key=v1,v2,...]\n"
    "\n"
    "Validates the sweep and prints its jobs, one per line (id, then the value of every grid\n"
    "key), and their count. Runs nothing.\n";

static void print_keys(FILE *f)
{
    hs_config c;
    hs_config_default(&c);
    char v[64];
    for (size_t i = 0; i < hs_config_key_count(); i++) {
        hs_config_format(&c, i, v, sizeof v);
        fprintf(f, "  %-26s (%s)\n", hs_config_key_name(i), v);
    }
}

static int parse_threads(const char *s, int *out)
{
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (errno || *end || end == s || n < 1 || n > 1024) return -1;
    *out = (int)n;
    return 0;
}

/* ---- train ---- */

typedef struct {
    FILE *out;
    int hops;
    bool quiet;
} progress;

static void print_eval(const hs_eval *ev, const hs_model *model, void *user)
{
    progress *p = user;
    if (p->quiet) return;
    fprintf(p->out, "step %6d  loss %7.4f  eval %7.4f  query %.3f  hops", ev->step,
            ev->train_loss, ev->eval_loss, ev->query_acc);
    for (int k = 0; k <= p->hops; k++) {
        if (isnan(ev->hop_acc[k]))
            fprintf(p->out, " %d:-", k);
        else
            fprintf(p->out, " %d:%.2f", k, ev->hop_acc[k]);
    }
    fputc('\n', p->out);
    fflush(p->out);
}

/* The --out directory of `train`, opened and checked before the job trains: locked against a
 * second writer (as a store is), every file it will hold regular or absent, and writable. */
typedef struct {
    const char *path;
    int fd, lock_fd;
} train_out;

static const char *const TRAIN_FILES[] = {HS_JOB_METRICS, HS_JOB_ATTENTION, HS_JOB_MODEL,
                                          "record.json"};

static hs_status out_dir_open(train_out *o, const char *path, hs_err *err)
{
    o->path = path;
    o->fd = o->lock_fd = -1;
    hs_status st = hs_mkdirs(path, err);
    if (st) return st;
    o->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (o->fd < 0)
        return hs_fail(err, hs_errno_status(errno), "cannot open %s: %s", path, strerror(errno));
    st = hs_lock_dir(o->fd, path, "the output directory", false, &o->lock_fd, err);
    for (size_t i = 0; !st && i < sizeof TRAIN_FILES / sizeof TRAIN_FILES[0]; i++) {
        char *shown = hs_path_join(path, TRAIN_FILES[i]);
        bool exists;
        st = shown ? hs_check_at(o->fd, TRAIN_FILES[i], false, shown, &exists, err)
                   : hs_fail(err, HS_ENOMEM, "out of memory");
        free(shown);
    }
    if (!st) st = hs_probe_writable_at(o->fd, path, err);
    return st;
}

static void out_dir_close(train_out *o)
{
    if (o->fd >= 0) close(o->fd);
    if (o->lock_fd >= 0) close(o->lock_fd);
    o->fd = o->lock_fd = -1;
}

/* Writes one of a job's buffers into the --out directory atomically; NULL data writes nothing. */
static hs_status write_job_file(const train_out *o, const char *name, const char *data, size_t n,
                                hs_err *err)
{
    if (!data) return HS_OK;
    char *path = hs_path_join(o->path, name);
    if (!path) return hs_fail(err, HS_ENOMEM, "out of memory");
    hs_status st = hs_write_atomic_at(o->fd, name, path, data, n, err);
    free(path);
    return st;
}

static int cmd_train(int argc, char **argv)
{
    hs_config cfg;
    hs_config_default(&cfg);
    hs_err err = {0};
    const char *out_dir = NULL, *yaml = NULL;
    bool json = false, quiet = false;
    int threads = 1;
    /* the YAML file first, whatever its position, so key=value always wins over it */
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(TRAIN_USAGE, stdout);
            print_keys(stdout);
            return 0;
        } else if (!strcmp(a, "--out") || !strcmp(a, "--threads")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "hopsweep train: %s needs a value; see hopsweep train --help\n", a);
                return EXIT_BAD_INPUT;
            }
            if (a[2] == 'o')
                out_dir = argv[++i];
            else if (parse_threads(argv[++i], &threads)) {
                fprintf(stderr, "hopsweep train: --threads \"%s\" is not a count in 1..1024\n", argv[i]);
                return EXIT_BAD_INPUT;
            }
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--quiet")) {
            quiet = true;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "hopsweep train: unknown option %s; see hopsweep train --help\n", a);
            return EXIT_BAD_INPUT;
        } else if (!strchr(a, '=')) {
            if (yaml) {
                fprintf(stderr, "hopsweep train: two job files (%s, %s); give one, and key=value for the rest\n",
                        yaml, a);
                return EXIT_BAD_INPUT;
            }
            yaml = a;
        }
    }
    if (yaml && hs_config_load_yaml(&cfg, yaml, &err)) {
        fprintf(stderr, "hopsweep train: %s\n", err.msg);
        return EXIT_BAD_INPUT;
    }
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--out") || !strcmp(argv[i], "--threads")) {
            i++;
            continue;
        }
        if (argv[i][0] == '-' || !strchr(argv[i], '=')) continue;
        if (hs_config_override(&cfg, argv[i], &err)) {
            fprintf(stderr, "hopsweep train: %s\n", err.msg);
            return EXIT_BAD_INPUT;
        }
    }
    if (hs_config_validate(&cfg, &err)) {
        fprintf(stderr, "hopsweep train: %s\n", err.msg);
        return EXIT_BAD_INPUT;
    }
    openblas_set_num_threads(threads);
    if (hs_gemm_check(cfg.train.precision, &err)) {
        fprintf(stderr, "hopsweep train: %s\n", err.msg);
        return EXIT_BAD_INPUT;
    }

    /* Checked before the first step: a result that cannot be written is found now, not after
     * the training it would have recorded. */
    train_out od = {.fd = -1, .lock_fd = -1};
    hs_status ost = out_dir ? out_dir_open(&od, out_dir, &err) : HS_OK;
    if (ost) {
        fprintf(stderr, "hopsweep train: --out %s: %s\n", out_dir, err.msg);
        out_dir_close(&od);
        return ost == HS_EINPUT ? EXIT_BAD_INPUT : EXIT_RUNTIME;
    }
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    progress p = {.out = json ? stderr : stdout, .hops = cfg.task.hops, .quiet = quiet};
    hs_job_opts opts = {.host = host, .on_eval = print_eval, .user = &p};
    hs_job_output out;
    if (hs_job_run(&cfg, &opts, &out, &err)) {
        fprintf(stderr, "hopsweep train: %s\n", err.msg);
        out_dir_close(&od);
        return EXIT_RUNTIME;
    }
    int rc = 0;
    if (out_dir) {
        if (write_job_file(&od, HS_JOB_METRICS, out.metrics, out.metrics_len, &err) ||
            write_job_file(&od, HS_JOB_ATTENTION, out.attention, out.attention_len, &err) ||
            write_job_file(&od, HS_JOB_MODEL, out.model, out.model_len, &err)) {
            fprintf(stderr, "hopsweep train: %s\n", err.msg);
            rc = EXIT_RUNTIME;
        }
        out.record[out.record_len] = '\n'; /* the NUL's place: the file ends with a newline */
        if (!rc && write_job_file(&od, "record.json", out.record, out.record_len + 1, &err)) {
            fprintf(stderr, "hopsweep train: %s\n", err.msg);
            rc = EXIT_RUNTIME;
        }
        out.record[out.record_len] = '\0';
    }
    if (json) printf("%s\n", out.record);
    if (out.status == HS_JOB_FAILED) {
        fprintf(stderr, "hopsweep train: job failed: %s\n", out.error);
        if (!rc) rc = EXIT_JOB_FAILED;
    }
    hs_job_output_free(&out);
    out_dir_close(&od); /* the lock is held until every file is in place */
    return rc;
}

/* ---- run and expand ---- */

/* Raised by SIGINT/SIGTERM/SIGHUP: the coordinator stops handing out work (1) or also interrupts the
 * running jobs (2, a second signal). The one global of the program: signal handlers need it. */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    /* SIGUSR1 is Slurm's warning that the time limit is near: no time to let jobs finish */
    if (sig == SIGUSR1)
        stop_requested = 2;
    else if (stop_requested < 2)
        stop_requested++;
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

static hs_status sink_put(const hs_job_output *out, void *user, hs_err *err)
{
    store_sink *s = user;
    return hs_store_put(s->store, out, err);
}

static hs_status sink_resume(const char *id, char **bytes, size_t *n, void *user, hs_err *err)
{
    store_sink *s = user;
    return hs_store_read_resume(s->store, id, bytes, n, err);
}

typedef struct {
    const char *sweep;
    char **overrides;
    int n_overrides;
    const char *out;
    int threads;
    bool abandon, retry_failed, quiet;
    double progress_every;
    long shard, shards; /* --shard K/N: only jobs i with i % N == K */
} run_args;

/* Splits the arguments of run/expand; returns -1 after printing the problem. */
static int parse_run_args(const char *cmd, int argc, char **argv, run_args *a, bool is_run)
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
            if (parse_threads(argv[++i], &a->threads)) {
                fprintf(stderr, "hopsweep %s: --threads \"%s\" is not a count in 1..1024\n", cmd, argv[i]);
                return -1;
            }
        } else if (is_run && !strcmp(s, "--progress-every") && has_value) {
            char *end;
            a->progress_every = strtod(argv[++i], &end);
            if (*end || end == argv[i] || !(a->progress_every > 0 && a->progress_every <= 86400)) {
                fprintf(stderr, "hopsweep %s: --progress-every \"%s\" must be seconds in (0, 86400]\n", cmd, argv[i]);
                return -1;
            }
        } else if (is_run && !strcmp(s, "--shard") && has_value) {
            char *slash, *end;
            a->shard = strtol(argv[++i], &slash, 10);
            a->shards = *slash == '/' ? strtol(slash + 1, &end, 10) : 0;
            if (slash == argv[i] || *slash != '/' || *end || a->shards < 1 || a->shards > 1000000 ||
                a->shard < 0 || a->shard >= a->shards) {
                fprintf(stderr, "hopsweep %s: --shard \"%s\" must be K/N with 0 <= K < N\n", cmd, argv[i]);
                return -1;
            }
        } else if (is_run && !strcmp(s, "--abandon")) {
            a->abandon = true;
        } else if (is_run && !strcmp(s, "--retry-failed")) {
            a->retry_failed = true;
        } else if (is_run && !strcmp(s, "--quiet")) {
            a->quiet = true;
        } else if (s[0] == '-') {
            fprintf(stderr, "hopsweep %s: unknown option or missing value: %s; see hopsweep %s --help\n", cmd, s, cmd);
            return -1;
        } else if (strchr(s, '=')) {
            a->overrides[a->n_overrides++] = argv[i];
        } else if (a->sweep) {
            fprintf(stderr, "hopsweep %s: two sweep files (%s, %s); give one, and key=value for the rest\n",
                    cmd, a->sweep, s);
            return -1;
        } else {
            a->sweep = s;
        }
    }
    if (!a->sweep) {
        fprintf(stderr, "hopsweep %s: no sweep file; usage: hopsweep %s SWEEP.yaml [key=value ...]\n", cmd, cmd);
        return -1;
    }
    return 0;
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return true;
    return false;
}

static int cmd_expand(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(EXPAND_USAGE, stdout);
        return 0;
    }
    run_args a = {0};
    if (parse_run_args("expand", argc, argv, &a, false)) return EXIT_BAD_INPUT;
    hs_sweep sw;
    hs_err err = {0};
    hs_status st = hs_sweep_load(&sw, a.sweep, a.n_overrides, a.overrides, &err);
    if (st) {
        fprintf(stderr, "hopsweep expand: %s\n", err.msg);
        return st == HS_EINPUT || st == HS_EIO ? EXIT_BAD_INPUT : EXIT_RUNTIME;
    }
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

/* The command line again, for "run this to resume". */
static void print_command(FILE *f, int argc, char **argv)
{
    fputs("hopsweep run", f);
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,=/:+")])
            fprintf(f, " '%s'", s); /* arguments with a quote in them are left to the reader */
        else
            fprintf(f, " %s", s);
    }
}

static int run_lead(hs_coord *c, const run_args *a, int argc, char **argv, FILE *log)
{
    hs_err err = {0};
    hs_sweep sw;
    int rc = 0;
    hs_status st = hs_sweep_load(&sw, a->sweep, a->n_overrides, a->overrides, &err);
    bool loaded = st == HS_OK;
    hs_sweep *swp = loaded ? &sw : NULL; /* NULL once anything fails: nothing is run */
    if (st) {
        fprintf(stderr, "hopsweep run: %s\n", err.msg);
        rc = st == HS_EINPUT || st == HS_EIO ? EXIT_BAD_INPUT : EXIT_RUNTIME;
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
        fprintf(stderr, "hopsweep run: %s: the sweep's name is longer than 1000 characters; "
                "shorten name:\n", a->sweep);
        rc = EXIT_BAD_INPUT;
        swp = NULL;
    }
    hs_store store = {.lock_fd = -1, .runs_fd = -1, .dir_fd = -1, .jobs_fd = -1};
    const char *dir = a->out ? a->out : swp ? sw.output : NULL;
    if (swp && (st = hs_store_open(&store, dir, &err))) {
        fprintf(stderr, "hopsweep run: store %s: %s\n", dir, err.msg);
        rc = st == HS_EINPUT ? EXIT_BAD_INPUT : EXIT_RUNTIME;
        swp = NULL;
    }
    if (swp && store.notice[0]) fprintf(stderr, "hopsweep run: %s\n", store.notice);
    /* Every job that will run gets its store entries checked now, before the first step: a
     * link or a FIFO where its files go is reported, and nothing trains for nothing. */
    for (size_t i = 0; swp && i < sw.n_jobs; i++) {
        hs_run_status rs = hs_store_status(&store, sw.jobs[i].id);
        if (rs == HS_RUN_DONE || (rs == HS_RUN_FAILED && !a->retry_failed)) continue;
        if ((st = hs_store_check_job(&store, sw.jobs[i].id, &err))) {
            fprintf(stderr, "hopsweep run: store %s: %s\n", dir, err.msg);
            rc = st == HS_EINPUT ? EXIT_BAD_INPUT : EXIT_RUNTIME;
            swp = NULL;
        }
    }
    if (swp && (st = hs_store_write_file(&store, "sweep.yaml", sw.yaml, strlen(sw.yaml), &err))) {
        fprintf(stderr, "hopsweep run: %s\n", err.msg);
        rc = EXIT_RUNTIME;
        swp = NULL;
    }
    store_sink sink_state = {.store = &store, .retry_failed = a->retry_failed};
    hs_coord_sink sink = {.finished = sink_finished, .put = sink_put, .resume = sink_resume,
                          .user = &sink_state};
    hs_coord_opts o = {.stop = &stop_requested, .abandon = a->abandon,
                       .progress_every = a->progress_every, .log = log};
    hs_coord_summary sum;
    st = hs_coord_lead(c, swp, &o, &sink, &sum, &err);
    if (st) {
        fprintf(stderr, "hopsweep run: %s\n", err.msg);
        rc = st == HS_EINPUT ? EXIT_BAD_INPUT : EXIT_RUNTIME;
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
            fputs("hopsweep run: stopped before the end; to resume, run the same command again: ", stderr);
            print_command(stderr, argc, argv);
            fputc('\n', stderr);
            rc = EXIT_STOPPED;
        } else if (!rc && sum.failed) {
            fprintf(stderr, "hopsweep run: %zu job%s failed; their records in %s/runs.jsonl say why\n",
                    sum.failed, sum.failed > 1 ? "s" : "", dir);
            rc = EXIT_JOB_FAILED;
        }
    }
    hs_store_close(&store);
    if (loaded) hs_sweep_free(&sw);
    return rc;
}

static int cmd_run(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(RUN_USAGE, stdout);
        return 0;
    }
    run_args a = {0};
    hs_coord c;
    hs_err err = {0};
    if (hs_coord_init(&c, &argc, &argv, &err)) {
        fprintf(stderr, "hopsweep run: %s\n", err.msg);
        return EXIT_RUNTIME;
    }
    /* A copy: parse_run_args gathers overrides in place, and the resume hint needs the original. */
    char **args = malloc(sizeof(char *) * ((size_t)argc + 1));
    if (!args) {
        fprintf(stderr, "hopsweep run: out of memory\n");
        hs_coord_finalize(&c);
        return EXIT_RUNTIME;
    }
    memcpy(args, argv, sizeof(char *) * (size_t)argc);
    int rc = parse_run_args("run", argc, args, &a, true) ? EXIT_BAD_INPUT : 0;
    openblas_set_num_threads(a.threads);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL); /* a closed terminal or ssh session: stop as for SIGTERM */
    sigaction(SIGUSR1, &sa, NULL);
    if (c.rank == 0) {
        if (rc) { /* release the other ranks before leaving */
            hs_coord_summary sum;
            hs_coord_opts o = {.stop = &stop_requested};
            hs_coord_lead(&c, NULL, &o, NULL, &sum, &err);
        } else {
            rc = run_lead(&c, &a, argc, argv, a.quiet ? NULL : stderr);
        }
    } else {
        hs_coord_opts o = {.stop = &stop_requested};
        if (hs_coord_work(&c, &o, &err)) {
            fprintf(stderr, "hopsweep run: rank %d: %s\n", c.rank, err.msg);
            rc = EXIT_RUNTIME;
        }
    }
    free(args);
    hs_coord_finalize(&c);
    return rc;
}

/* ---- store ---- */

static const char STORE_USAGE[] =
    "usage: hopsweep store merge STORE SHARD_STORE...\n"
    "\n"
    "Appends to STORE every job a shard store finished (done or failed) that STORE does not\n"
    "hold yet, with its files; waits while another process writes STORE. Merging a shard again\n"
    "adds nothing. Array tasks (hopsweep run --shard K/N --out STORE/shards/K) end with it.\n";

static int cmd_store(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(STORE_USAGE, stdout);
        return 0;
    }
    if (argc < 3 || strcmp(argv[0], "merge")) {
        fprintf(stderr, "hopsweep store: usage: hopsweep store merge STORE SHARD_STORE...\n");
        return EXIT_BAD_INPUT;
    }
    hs_store store;
    hs_err err = {0};
    hs_status st = hs_store_open_waiting(&store, argv[1], &err);
    if (st) {
        fprintf(stderr, "hopsweep store merge: %s\n", err.msg);
        return st == HS_EINPUT ? EXIT_BAD_INPUT : EXIT_RUNTIME;
    }
    if (store.notice[0]) fprintf(stderr, "hopsweep store merge: %s\n", store.notice);
    store.notice[0] = '\0';
    int rc = 0;
    for (int i = 2; i < argc && !rc; i++) {
        size_t added = 0;
        if ((st = hs_store_merge(&store, argv[i], &added, &err))) {
            fprintf(stderr, "hopsweep store merge: %s\n", err.msg);
            rc = st == HS_EINPUT ? EXIT_BAD_INPUT : EXIT_RUNTIME;
        } else {
            fprintf(stderr, "hopsweep store merge: %zu job%s from %s into %s\n", added,
                    added == 1 ? "" : "s", argv[i], argv[1]);
        }
        if (store.notice[0]) { /* what the shard held that was not merged, and why */
            fprintf(stderr, "hopsweep store merge: %s\n", store.notice);
            store.notice[0] = '\0';
        }
    }
    hs_store_close(&store);
    return rc;
}

/* ---- bench ---- */

static int cmd_bench(int argc, char **argv)
{
    hs_bench_opts opts = {.configs = "SML", .seconds = 3.0, .precisions = "fp32,bf16"};
    int threads = 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(BENCH_USAGE, stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            opts.json = true;
        } else if (!strcmp(a, "--config") && has_value) {
            opts.configs = argv[++i];
            if (!*opts.configs || strspn(opts.configs, "SML") != strlen(opts.configs)) {
                fprintf(stderr, "hopsweep bench: --config \"%s\" must be letters of S, M, L\n", opts.configs);
                return EXIT_BAD_INPUT;
            }
        } else if (!strcmp(a, "--precision") && has_value) {
            opts.precisions = argv[++i];
            if (strcmp(opts.precisions, "fp32") && strcmp(opts.precisions, "bf16") &&
                strcmp(opts.precisions, "fp32,bf16")) {
                fprintf(stderr, "hopsweep bench: --precision \"%s\" must be fp32, bf16 or fp32,bf16\n", opts.precisions);
                return EXIT_BAD_INPUT;
            }
        } else if (!strcmp(a, "--seconds") && has_value) {
            char *end;
            opts.seconds = strtod(argv[++i], &end);
            if (*end || !(opts.seconds > 0.0 && opts.seconds <= 3600.0)) {
                fprintf(stderr, "hopsweep bench: --seconds \"%s\" must be a number in (0, 3600]\n", argv[i]);
                return EXIT_BAD_INPUT;
            }
        } else if (!strcmp(a, "--threads") && has_value) {
            if (parse_threads(argv[++i], &threads)) {
                fprintf(stderr, "hopsweep bench: --threads \"%s\" is not a count in 1..1024\n", argv[i]);
                return EXIT_BAD_INPUT;
            }
        } else {
            fprintf(stderr, "hopsweep bench: unexpected argument %s; see hopsweep bench --help\n", a);
            return EXIT_BAD_INPUT;
        }
    }
    openblas_set_num_threads(threads);
    hs_err err = {0};
    if (hs_bench_run(&opts, stdout, &err)) {
        fprintf(stderr, "hopsweep bench: %s\n", err.msg);
        return EXIT_RUNTIME;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return EXIT_BAD_INPUT;
    }
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } commands[] = {
        {"train", cmd_train},   {"run", cmd_run},         {"expand", cmd_expand},
        {"store", cmd_store},   {"analyze", hs_cmd_analyze}, {"attn", hs_cmd_attn},
        {"slurm", hs_cmd_slurm}, {"bench", cmd_bench},     {"prompts", hs_cmd_prompts},
        {"status", hs_cmd_status}, {"report", hs_cmd_report},
    };
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version")) {
        printf("hopsweep %s\n", HOPSWEEP_VERSION);
        return 0;
    }
    bool help = !strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h");
    if (help && argc < 3) {
        fputs(USAGE, stdout);
        return 0;
    }
    if (help) cmd = argv[2];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(cmd, commands[i].name)) continue;
        if (help) {
            char *args[] = {"--help", NULL};
            return commands[i].run(1, args);
        }
        return commands[i].run(argc - 2, argv + 2);
    }
    fprintf(stderr, "hopsweep: unknown command \"%s\"\n%s", cmd, USAGE);
    return EXIT_BAD_INPUT;
}
