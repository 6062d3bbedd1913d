/* main.c — the hopsweep command line: `train`, `bench`, and help.
 *
 * Exit codes: 0 success; 1 the job failed (diverged); 2 bad input (arguments, config, YAML);
 * 3 a file could not be written or memory ran out. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cblas.h>

#include "hopsweep/bench.h"
#include "hopsweep/config.h"
#include "hopsweep/fileio.h"
#include "hopsweep/job.h"

enum { EXIT_JOB_FAILED = 1, EXIT_BAD_INPUT = 2, EXIT_RUNTIME = 3 };

static const char USAGE[] =
    "usage: hopsweep <command> [options]\n"
    "\n"
    "commands:\n"
    "  train [JOB.yaml] [key=value ...]   train one model on the retrieval task\n"
    "  bench                              time training steps of the reference models S, M, L\n"
    "  help [command]                     show help\n"
    "\n"
    "exit codes: 0 ok, 1 job failed (diverged), 2 bad input, 3 I/O or out of memory\n"
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
    "  --out DIR     write DIR/metrics.csv, DIR/record.json and, with log.checkpoint=true,\n"
    "                DIR/model.safetensors\n"
    "  --json        print the job record as one JSON line at the end (progress goes to stderr)\n"
    "  --quiet       no per-evaluation lines\n"
    "  --threads N   BLAS threads (default 1); results are identical for the same N\n"
    "\n"
    "keys (defaults in parentheses):\n";

static const char BENCH_USAGE[] =
    "usage: hopsweep bench [--config S|M|L|SML] [--seconds X] [--json] [--threads N]\n"
    "\n"
    "Times one full training step (forward, backward, AdamW) of the reference models on random\n"
    "data: S (1 layer, d 64, 2 heads, T 10, batch 64), M (3 layers, d 128, 4 heads, T 40,\n"
    "batch 64), L (4 layers, d 256, 4 heads, T 121, batch 32); vocab 64, MLP 4x, LayerNorm,\n"
    "every position supervised. Prints ms/step, steps/s, achieved GFLOP/s and the share of a\n"
    "1024^3 sgemm's rate measured in the same run. --json: one object per config per line with\n"
    "config, ms_per_step, steps_per_s, gflops, sgemm_gflops.\n";

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

/* Writes one of a job's buffers into dir atomically; NULL data writes nothing. */
static hs_status write_job_file(const char *dir, const char *name, const char *data, size_t n,
                                hs_err *err)
{
    if (!data) return HS_OK;
    char *path = hs_path_join(dir, name);
    if (!path) return hs_fail(err, HS_ENOMEM, "out of memory");
    hs_status st = hs_write_atomic(path, data, n, err);
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

    if (out_dir && hs_mkdirs(out_dir, &err)) {
        fprintf(stderr, "hopsweep train: --out %s: %s\n", out_dir, err.msg);
        return EXIT_BAD_INPUT;
    }
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    progress p = {.out = json ? stderr : stdout, .hops = cfg.task.hops, .quiet = quiet};
    hs_job_opts opts = {.host = host, .on_eval = print_eval, .user = &p};
    hs_job_output out;
    if (hs_job_run(&cfg, &opts, &out, &err)) {
        fprintf(stderr, "hopsweep train: %s\n", err.msg);
        return EXIT_RUNTIME;
    }
    int rc = 0;
    if (out_dir) {
        if (write_job_file(out_dir, HS_JOB_METRICS, out.metrics, out.metrics_len, &err) ||
            write_job_file(out_dir, HS_JOB_MODEL, out.model, out.model_len, &err)) {
            fprintf(stderr, "hopsweep train: %s\n", err.msg);
            rc = EXIT_RUNTIME;
        }
        out.record[out.record_len] = '\n'; /* the NUL's place: the file ends with a newline */
        if (!rc && write_job_file(out_dir, "record.json", out.record, out.record_len + 1, &err)) {
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
    return rc;
}

/* ---- bench ---- */

static int cmd_bench(int argc, char **argv)
{
    hs_bench_opts opts = {.configs = "SML", .seconds = 3.0};
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
    const char *cmd = argv[1];
    if (!strcmp(cmd, "train")) return cmd_train(argc - 2, argv + 2);
    if (!strcmp(cmd, "bench")) return cmd_bench(argc - 2, argv + 2);
    if (!strcmp(cmd, "--version")) {
        printf("hopsweep %s\n", HOPSWEEP_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        if (argc > 2 && !strcmp(argv[2], "train")) {
            fputs(TRAIN_USAGE, stdout);
            print_keys(stdout);
        } else if (argc > 2 && !strcmp(argv[2], "bench")) {
            fputs(BENCH_USAGE, stdout);
        } else {
            fputs(USAGE, stdout);
        }
        return 0;
    }
    fprintf(stderr, "hopsweep: unknown command \"%s\"\n%s", cmd, USAGE);
    return EXIT_BAD_INPUT;
}
