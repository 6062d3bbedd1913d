/* bench.c — timing one full training step (forward, backward, AdamW) of the reference
 * configurations on random data, and the sgemm rate of this machine as the yardstick. */
#include "hopsweep/bench.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        reps++;
        t = now_s() - t0;
    } while (t < seconds);
    free(a), free(b), free(c);
    return 2.0 * n * n * (double)n * reps / t * 1e-9;
}

typedef struct {
    double ms_per_step, steps_per_s, gflops;
} bench_result;

static hs_status bench_one(const bench_config *bc, double seconds, bench_result *r, hs_err *err)
{
    hs_model_shape shape = {.vocab = BENCH_VOCAB, .d_model = bc->d_model, .heads = bc->heads,
                            .layers = bc->layers, .mlp = 4, .layernorm = true, .causal = false,
                            .seq_len = bc->T, .max_batch = bc->batch};
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

hs_status hs_bench_run(const hs_bench_opts *opts, FILE *out, hs_err *err)
{
    double peak = sgemm_gflops(opts->seconds < 1.0 ? opts->seconds : 1.0, err);
    if (peak < 0) return err ? err->code : HS_ENOMEM;
    if (!opts->json) {
        fprintf(out, "sgemm 1024^3, one call: %.1f GFLOP/s\n", peak);
        fprintf(out, "%-6s %10s %10s %9s %9s\n", "config", "ms/step", "steps/s", "GFLOP/s", "% sgemm");
    }
    for (size_t i = 0; i < sizeof CONFIGS / sizeof CONFIGS[0]; i++) {
        const bench_config *bc = &CONFIGS[i];
        if (!strchr(opts->configs, bc->name[0])) continue;
        bench_result r = {0};
        hs_status st = bench_one(bc, opts->seconds, &r, err);
        if (st) return st;
        if (opts->json) {
            hs_json j;
            hs_json_init(&j);
            hs_json_object_begin(&j);
            hs_json_key(&j, "config");
            hs_json_string(&j, bc->name);
            hs_json_key(&j, "ms_per_step");
            hs_json_double(&j, r.ms_per_step);
            hs_json_key(&j, "steps_per_s");
            hs_json_double(&j, r.steps_per_s);
            hs_json_key(&j, "gflops");
            hs_json_double(&j, r.gflops);
            hs_json_key(&j, "sgemm_gflops");
            hs_json_double(&j, peak);
            hs_json_object_end(&j);
            char *line = hs_json_take(&j);
            if (!line) return hs_fail(err, HS_ENOMEM, "out of memory");
            fprintf(out, "%s\n", line);
            free(line);
        } else {
            fprintf(out, "%-6s %10.3f %10.1f %9.1f %8.0f%%\n", bc->name, r.ms_per_step,
                    r.steps_per_s, r.gflops, 100.0 * r.gflops / peak);
        }
        fflush(out);
    }
    return HS_OK;
}
