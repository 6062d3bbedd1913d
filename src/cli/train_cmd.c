/* train_cmd.c — `hopsweep train`: one job from a YAML file and key=value overrides, its
 * evaluations printed as they come, its record, metrics, attention log and checkpoint written
 * into --out (checked and locked before the first step). */
#include "hopsweep/train_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hopsweep/escape.h"
#include "hopsweep/cli.h"
#include "hopsweep/config.h"
#include "hopsweep/fileio.h"
#include "hopsweep/gemm.h"
#include "hopsweep/job.h"

static const char TRAIN_USAGE[] =
    "usage: hopsweep train [JOB.yaml] [key=value ...] [--out DIR] [--json] [--quiet] [--threads "
    "N]\n"
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

typedef struct {
    FILE *out;
    int hops;
    bool quiet;
} progress;

static void print_eval(const hs_eval *ev, const hs_model *model, void *user)
{
    progress *p = user;
    if (p->quiet) return;
    fprintf(p->out, "step %6d  loss %7.4f  eval %7.4f  query %.3f  hops", ev->step, ev->train_loss,
            ev->eval_loss, ev->query_acc);
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
                                          HS_JOB_RECORD};

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

int hs_cmd_train(int argc, char **argv)
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
                return HS_EXIT_BAD_INPUT;
            }
            if (a[2] == 'o')
                out_dir = argv[++i];
            else if (hs_cli_parse_threads(argv[++i], &threads, &err))
                return hs_cli_fail("train", &err);
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--quiet")) {
            quiet = true;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "hopsweep train: unknown option %s; see hopsweep train --help\n", a);
            return HS_EXIT_BAD_INPUT;
        } else if (!strchr(a, '=')) {
            if (yaml) {
                fprintf(stderr,
                        "hopsweep train: two job files (%s, %s); give one, and key=value for the "
                        "rest\n",
                        yaml, a);
                return HS_EXIT_BAD_INPUT;
            }
            yaml = a;
        }
    }
    if (yaml && hs_config_load_yaml(&cfg, yaml, &err)) return hs_cli_fail_loading("train", &err);
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--out") || !strcmp(argv[i], "--threads")) {
            i++;
            continue;
        }
        if (argv[i][0] == '-' || !strchr(argv[i], '=')) continue;
        if (hs_config_override(&cfg, argv[i], &err)) return hs_cli_fail("train", &err);
    }
    if (hs_config_validate(&cfg, &err)) return hs_cli_fail("train", &err);
    hs_blas_set_threads(threads);
    if (hs_gemm_check(cfg.train.precision, &err)) return hs_cli_fail("train", &err);

    /* Checked before the first step: a result that cannot be written is found now, not after
     * the training it would have recorded. */
    train_out od = {.fd = -1, .lock_fd = -1};
    hs_status ost = out_dir ? out_dir_open(&od, out_dir, &err) : HS_OK;
    if (ost) {
        hs_term_printf(stderr, "hopsweep train: --out %s: %s\n", out_dir, err.msg);
        out_dir_close(&od);
        return hs_exit_code(ost);
    }
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    progress p = {.out = json ? stderr : stdout, .hops = cfg.task.hops, .quiet = quiet};
    hs_job_opts opts = {.host = host, .on_eval = print_eval, .user = &p};
    hs_job_output out;
    if (hs_job_run(&cfg, &opts, &out, &err)) {
        out_dir_close(&od);
        return hs_cli_fail("train", &err);
    }
    int rc = 0;
    if (out_dir) {
        if (write_job_file(&od, HS_JOB_METRICS, out.metrics, out.metrics_len, &err) ||
            write_job_file(&od, HS_JOB_ATTENTION, out.attention, out.attention_len, &err) ||
            write_job_file(&od, HS_JOB_MODEL, out.model, out.model_len, &err))
            rc = hs_cli_fail("train", &err);
        out.record[out.record_len] = '\n'; /* the NUL's place: the file ends with a newline */
        if (!rc && write_job_file(&od, HS_JOB_RECORD, out.record, out.record_len + 1, &err))
            rc = hs_cli_fail("train", &err);
        out.record[out.record_len] = '\0';
    }
    if (json) printf("%s\n", out.record);
    if (out.status == HS_RUN_FAILED) {
        hs_term_printf(stderr, "hopsweep train: job failed: %s\n", out.err.msg);
        if (!rc) rc = HS_EXIT_JOB_FAILED;
    }
    hs_job_output_free(&out);
    out_dir_close(&od); /* the lock is held until every file is in place */
    return rc;
}
