/* bench.c — timing one full training step (forward, backward, AdamW) of the reference
 * configurations on random data, at each precision the CPU runs, next to the yardsticks
 * measured in the same run: the engine's rate on one large product at that precision (the
 * peak the step could reach) and the BLAS's sgemm (OpenBLAS unless built with -DBLA_VENDOR). */
#include "hopsweep/bench.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hopsweep/buildinfo.h"
#include "hopsweep/gemm.h"
#include "hopsweep/json.h"
#include "hopsweep/model.h"
#include "hopsweep/optim.h"

typedef struct {
    const char *name;
    int layers, d_model, heads, T, batch;
} bench_config;

static const bench_config CONFIGS[] = {
    {"S", 1, 64, 2, 10, 64},
    {"M", 3, 128, 4, 40, 64},
    {"L", 4, 256, 4, 121, 32},
};
#define BENCH_VOCAB 64

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* GFLOP/s of a square sgemm large enough to run at the kernel's peak. */
static double sgemm_gflops(double seconds, hs_err *err)
{
    const int n = 1024;
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n),
          *c = malloc(sizeof(float) * n * n);
    if (!a || !b || !c) {
        free(a), free(b), free(c);
        hs_fail(err, HS_ENOMEM, "out of memory for the sgemm benchmark");
        return -1.0;
    }
    for (int i = 0; i < n * n; i++) a[i] = b[i] = 1.0f / (1 + i % 7);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
    int reps = 0;
    double t0 = now_s(), t;
    do {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c,
                    n);
        reps++;
        t = now_s() - t0;
    } while (t < seconds);
    free(a), free(b), free(c);
    return 2.0 * n * n * (double)n * reps / t * 1e-9;
}

/* GFLOP/s of the model's engine on one 1024^3 product at precision p: the step's ceiling. */
static double engine_gflops(hs_precision p, double seconds, char *engine, size_t engine_size,
                            hs_err *err)
{
    const size_t n = 1024;
    hs_gemm *g;
    hs_status st = hs_gemm_create(&g, p, err);
    if (st) return -1.0;
    size_t esize = p == HS_PRECISION_BF16 ? sizeof(hs_bf16) : sizeof(float);
    void *a = calloc(n * n, esize), *b = calloc(n * n, esize);
    float *c = calloc(n * n, sizeof(float));
    if (!a || !b || !c) {
        free(a), free(b), free(c);
        hs_gemm_free(g);
        hs_fail(err, HS_ENOMEM, "out of memory for the peak-rate benchmark");
        return -1.0;
    }
    hs_gemm_desc d = {.M = (int)n,
                      .N = (int)n,
                      .K = (int)n,
                      .trans_b = 1,
                      .lda = (int)n,
                      .ldb = (int)n,
                      .ldc = (int)n,
                      .batch1 = 1,
                      .batch2 = 1,
                      .alpha = 1.0f};
    hs_gemm_run(g, &d, a, b, c);
    int reps = 0;
    double t0 = now_s(), t;
    do {
        hs_gemm_run(g, &d, a, b, c);
        reps++;
        t = now_s() - t0;
    } while (t < seconds);
    snprintf(engine, engine_size, "%s", hs_gemm_engine_name(g));
    st = hs_gemm_status(g, err);
    free(a), free(b), free(c);
    hs_gemm_free(g);
    return st ? -1.0 : 2.0 * n * n * (double)n * reps / t * 1e-9;
}

typedef struct {
    double ms_per_step, steps_per_s, gflops;
} bench_result;

static hs_status bench_one(const bench_config *bc, hs_precision precision, double seconds,
                           bench_result *r, hs_err *err)
{
    hs_model_shape shape = {.vocab = BENCH_VOCAB,
                            .d_model = bc->d_model,
                            .heads = bc->heads,
                            .layers = bc->layers,
                            .mlp = 4,
                            .layernorm = true,
                            .causal = false,
                            .seq_len = bc->T,
                            .max_batch = bc->batch,
                            .precision = precision};
    hs_model m;
    hs_adamw opt;
    hs_status st = hs_model_init(&m, &shape, err);
    if (st) return st;
    if ((st = hs_adamw_init(&opt, m.n_params, err))) {
        hs_model_free(&m);
        return st;
    }
    int N = bc->batch * bc->T;
    int32_t *parent = malloc(sizeof(int32_t) * N), *child = malloc(sizeof(int32_t) * N),
            *target = malloc(sizeof(int32_t) * N);
    if (!parent || !child || !target) {
        free(parent), free(child), free(target);
        hs_adamw_free(&opt);
        hs_model_free(&m);
        return hs_fail(err, HS_ENOMEM, "out of memory for the benchmark batch");
    }
    hs_rng rng;
    hs_rng_seed(&rng, 1, HS_STREAM_DATA);
    hs_model_init_weights(&m, &rng);
    for (int i = 0; i < N; i++) {
        parent[i] = (int32_t)hs_rng_below(&rng, BENCH_VOCAB);
        child[i] = (int32_t)hs_rng_below(&rng, BENCH_VOCAB + 1);
        target[i] = (int32_t)hs_rng_below(&rng, BENCH_VOCAB);
    }
    int steps = 0;
    double t0 = 0.0, t = 0.0;
    for (int warm = 3;; warm--) {
        if (warm == 0) t0 = now_s();
        hs_model_zero_grad(&m);
        hs_model_forward(&m, bc->batch, parent, child, NULL, target, NULL);
        hs_model_backward(&m);
        hs_adamw_step(&opt, &m, 1e-4f, 0.01f);
        if (warm <= 0) {
            steps++;
            t = now_s() - t0;
            if (t >= seconds && steps >= 5) break;
        }
    }
    r->ms_per_step = 1e3 * t / steps;
    r->steps_per_s = steps / t;
    r->gflops = hs_model_step_flops(&m.shape, bc->batch) * r->steps_per_s * 1e-9;
    free(parent), free(child), free(target);
    hs_adamw_free(&opt);
    hs_model_free(&m);
    return HS_OK;
}

static const char *const PRECISION_NAMES[] = {"fp32", "bf16"};

static hs_status print_json(FILE *out, const bench_config *bc, hs_precision p,
                            const bench_result *r, double peak, double sgemm, const char *engine,
                            hs_err *err)
{
    hs_json j;
    hs_json_init(&j);
    hs_json_object_begin(&j);
    hs_json_key(&j, "config");
    hs_json_string(&j, bc->name);
    hs_json_key(&j, "precision");
    hs_json_string(&j, PRECISION_NAMES[p]);
    hs_json_key(&j, "engine");
    hs_json_string(&j, engine);
    hs_json_key(&j, "ms_per_step");
    hs_json_double(&j, r->ms_per_step);
    hs_json_key(&j, "steps_per_s");
    hs_json_double(&j, r->steps_per_s);
    hs_json_key(&j, "gflops");
    hs_json_double(&j, r->gflops);
    hs_json_key(&j, "peak_gflops");
    hs_json_double(&j, peak);
    hs_json_key(&j, "sgemm_gflops");
    hs_json_double(&j, sgemm);
    hs_json_object_end(&j);
    char *line = hs_json_take(&j);
    if (!line) return hs_fail(err, HS_ENOMEM, "out of memory");
    fprintf(out, "%s\n", line);
    free(line);
    return HS_OK;
}

hs_status hs_bench_run(const hs_bench_opts *opts, FILE *out, hs_err *err)
{
    double yard = opts->seconds < 1.0 ? opts->seconds : 1.0;
    double sgemm = sgemm_gflops(yard, err);
    if (sgemm < 0) return err ? err->code : HS_ENOMEM;
    const char *why = NULL;
    bool bf16 = hs_gemm_bf16_supported(&why);
    int n_prec = 0;
    hs_precision precs[2];
    if (strstr(opts->precisions, "fp32")) precs[n_prec++] = HS_PRECISION_FP32;
    if (strstr(opts->precisions, "bf16")) {
        if (bf16)
            precs[n_prec++] = HS_PRECISION_BF16;
        else
            fprintf(opts->json ? stderr : out, "bf16 not measured: %s\n", why);
    }
    if (!opts->json)
        fprintf(out, "%s sgemm 1024^3, one call: %.1f GFLOP/s\n",
                strcmp(hs_build_blas(), "openblas") ? hs_build_blas() : "OpenBLAS", sgemm);
    for (int k = 0; k < n_prec; k++) {
        hs_precision p = precs[k];
        char engine[96];
        double peak = engine_gflops(p, yard, engine, sizeof engine, err);
        if (peak < 0) return err ? err->code : HS_ENOMEM;
        if (!opts->json) {
            fprintf(out, "\n%s on %s: peak %.1f GFLOP/s (1024^3)\n", PRECISION_NAMES[p], engine,
                    peak);
            fprintf(out, "%-6s %10s %10s %9s %8s\n", "config", "ms/step", "steps/s", "GFLOP/s",
                    "% peak");
        }
        for (size_t i = 0; i < sizeof CONFIGS / sizeof CONFIGS[0]; i++) {
            const bench_config *bc = &CONFIGS[i];
            if (!strchr(opts->configs, bc->name[0])) continue;
            bench_result r = {0};
            hs_status st = bench_one(bc, p, opts->seconds, &r, err);
            if (st) return st;
            if (opts->json) {
                if ((st = print_json(out, bc, p, &r, peak, sgemm, engine, err))) return st;
            } else {
                fprintf(out, "%-6s %10.3f %10.1f %9.1f %7.0f%%\n", bc->name, r.ms_per_step,
                        r.steps_per_s, r.gflops, 100.0 * r.gflops / peak);
            }
            fflush(out);
        }
    }
    return HS_OK;
}
