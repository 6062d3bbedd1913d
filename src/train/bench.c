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

/* GFLOP/s of a square sgemm large enough to run at the kernel's peak. */
static double sgemm_gflops(double seconds, hs_clock clock, hs_err *err)
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
    double t0 = hs_clock_now(clock), t;
    do {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c,
                    n);
        reps++;
        t = hs_clock_now(clock) - t0;
    } while (t < seconds);
    free(a), free(b), free(c);
    return 2.0 * n * n * (double)n * reps / t * 1e-9;
}

/* GFLOP/s of the model's engine on one 1024^3 product at precision p: the step's ceiling. */
static double engine_gflops(hs_precision p, double seconds, hs_clock clock, char *engine,
                            size_t engine_size, hs_err *err)
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
    double t0 = hs_clock_now(clock), t;
    do {
        hs_gemm_run(g, &d, a, b, c);
        reps++;
        t = hs_clock_now(clock) - t0;
    } while (t < seconds);
    snprintf(engine, engine_size, "%s", hs_gemm_engine_name(g));
    st = hs_gemm_status(g, err);
    free(a), free(b), free(c);
    hs_gemm_free(g);
    return st ? -1.0 : 2.0 * n * n * (double)n * reps / t * 1e-9;
}

/* One product of the step: as planned and timed inside the step, and timed alone. */
typedef struct {
    hs_gemm_product p;
    double alone_s; /* per call, alone; 0 when not measured */
    char impl[64];  /* p.impl points into the model's plans, freed before the table is printed */
} product_row;

typedef struct {
    double ms_per_step, steps_per_s, gflops;
    double product_ms, product_gflops; /* the step's products: ms per step, their GFLOP/s */
    product_row *rows;                 /* the step's products, most time first */
    int n_rows, steps;
} bench_result;

static int by_time(const void *a, const void *b)
{
    double ta = ((const product_row *)a)->p.seconds, tb = ((const product_row *)b)->p.seconds;
    return (ta < tb) - (ta > tb);
}

/* The products the timed steps ran, with their time inside the step and, when `alone` > 0,
 * each one's time alone (at least `alone` seconds of calls). */
static hs_status collect_products(hs_gemm *g, double alone, bench_result *r, hs_err *err)
{
    int n = hs_gemm_n_products(g);
    r->rows = calloc((size_t)n + 1, sizeof *r->rows);
    if (!r->rows) return hs_fail(err, HS_ENOMEM, "out of memory listing the step's products");
    double flops = 0.0, secs = 0.0;
    for (int i = 0; i < n; i++) {
        hs_gemm_product p = hs_gemm_product_at(g, i);
        if (!p.calls) continue; /* planned for another batch size, not run by the step */
        flops += p.flops * (double)p.calls;
        secs += p.seconds;
        product_row *row = &r->rows[r->n_rows++];
        row->p = p;
        snprintf(row->impl, sizeof row->impl, "%s", p.impl ? p.impl : "");
        row->p.impl = NULL;
        if (alone > 0.0 && (row->alone_s = hs_gemm_time_alone(g, i, alone, err)) < 0)
            return err ? err->code : HS_ENOMEM;
    }
    qsort(r->rows, (size_t)r->n_rows, sizeof *r->rows, by_time);
    r->product_ms = 1e3 * secs / r->steps;
    r->product_gflops = secs > 0 ? flops / secs * 1e-9 : 0.0;
    return HS_OK;
}

static hs_status bench_one(const bench_config *bc, hs_precision precision,
                           const hs_bench_opts *opts, bench_result *r, hs_err *err)
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
    hs_clock clock = opts->cpu_time ? HS_CLOCK_CPU : HS_CLOCK_WALL;
    double seconds = opts->seconds;
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
        if (warm == 0) {
            hs_gemm_profile(m.gemm, true, clock);
            t0 = hs_clock_now(clock);
        }
        hs_model_zero_grad(&m);
        hs_model_forward(&m, bc->batch, parent, child, NULL, target, NULL);
        hs_model_backward(&m);
        hs_adamw_step(&opt, &m, 1e-4f, 0.01f);
        if (warm <= 0) {
            steps++;
            t = hs_clock_now(clock) - t0;
            if (t >= seconds && steps >= 5) break;
        }
    }
    hs_gemm_profile(m.gemm, false, clock);
    r->ms_per_step = 1e3 * t / steps;
    r->steps_per_s = steps / t;
    r->gflops = hs_model_step_flops(&m.shape, bc->batch) * r->steps_per_s * 1e-9;
    r->steps = steps;
    /* Alone, each product gets a tenth of the step's time, within 20-300 ms. */
    double alone = seconds / 10 < 0.02 ? 0.02 : seconds / 10 > 0.3 ? 0.3 : seconds / 10;
    st = collect_products(m.gemm, opts->products ? alone : 0.0, r, err);
    free(parent), free(child), free(target);
    hs_adamw_free(&opt);
    hs_model_free(&m);
    return st;
}

static const char *const PRECISION_NAMES[] = {"fp32", "bf16"};

/* "32x4 x 121x64*64x121" (batch, then op(A) times op(B)). */
static void product_shape(char *buf, size_t size, const hs_gemm_desc *d)
{
    int n = 0;
    if (d->batch1 * d->batch2 > 1) n = snprintf(buf, size, "%dx%d x ", d->batch1, d->batch2);
    snprintf(buf + n, size - (size_t)n, "%dx%d*%dx%d", d->M, d->K, d->K, d->N);
}

/* How the operands are read: "A^T", "B^T", "+=" (accumulates into C), "*0.125" (output scale). */
static void product_op(char *buf, size_t size, const hs_gemm_desc *d)
{
    snprintf(buf, size, "%s%s%s", d->trans_a ? "A^T " : "", d->trans_b ? "B^T " : "",
             d->beta != 0.0f ? "+= " : "");
    if (d->alpha != 1.0f) {
        size_t n = strlen(buf);
        snprintf(buf + n, size - n, "*%g", d->alpha);
    }
    size_t n = strlen(buf);
    if (n && buf[n - 1] == ' ') buf[n - 1] = '\0';
    if (!*buf) snprintf(buf, size, "-");
}

static void json_product(hs_json *j, const product_row *row, int steps)
{
    const hs_gemm_desc *d = &row->p.desc;
    double per_call = row->p.seconds / (double)row->p.calls;
    char text[96];
    hs_json_object_begin(j);
    hs_json_key(j, "shape");
    product_shape(text, sizeof text, d);
    hs_json_string(j, text);
    hs_json_key(j, "op");
    product_op(text, sizeof text, d);
    hs_json_string(j, text);
    hs_json_key(j, "batch");
    hs_json_int(j, (int64_t)d->batch1 * d->batch2);
    hs_json_key(j, "M");
    hs_json_int(j, d->M);
    hs_json_key(j, "N");
    hs_json_int(j, d->N);
    hs_json_key(j, "K");
    hs_json_int(j, d->K);
    hs_json_key(j, "impl");
    hs_json_string(j, row->impl);
    hs_json_key(j, "calls_per_step");
    hs_json_double(j, (double)row->p.calls / steps);
    hs_json_key(j, "ms_per_call");
    hs_json_double(j, 1e3 * per_call);
    hs_json_key(j, "gflops");
    hs_json_double(j, row->p.flops / per_call * 1e-9);
    hs_json_key(j, "alone_ms_per_call");
    hs_json_double(j, 1e3 * row->alone_s);
    hs_json_key(j, "alone_gflops");
    hs_json_double(j, row->p.flops / row->alone_s * 1e-9);
    hs_json_key(j, "in_step_efficiency");
    hs_json_double(j, row->alone_s / per_call);
    hs_json_object_end(j);
}

/* Products' time alone over their time in the step, all calls of the step together. */
static double step_efficiency(const bench_result *r)
{
    double alone = 0.0, in_step = 0.0;
    for (int i = 0; i < r->n_rows; i++) {
        alone += r->rows[i].alone_s * (double)r->rows[i].p.calls;
        in_step += r->rows[i].p.seconds;
    }
    return in_step > 0 ? alone / in_step : 0.0;
}

static hs_status print_json(FILE *out, const bench_config *bc, hs_precision p,
                            const bench_result *r, double peak, double sgemm, const char *engine,
                            const hs_bench_opts *opts, hs_err *err)
{
    hs_json j;
    hs_json_init(&j);
    hs_json_object_begin(&j);
    hs_json_key(&j, "config");
    hs_json_string(&j, bc->name);
    hs_json_key(&j, "clock");
    hs_json_string(&j, opts->cpu_time ? "cpu" : "wall");
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
    hs_json_key(&j, "product_gflops");
    hs_json_double(&j, r->product_gflops);
    hs_json_key(&j, "product_ms_per_step");
    hs_json_double(&j, r->product_ms);
    hs_json_key(&j, "nonproduct_ms_per_step");
    hs_json_double(&j, r->ms_per_step - r->product_ms);
    if (opts->products) {
        hs_json_key(&j, "in_step_efficiency");
        hs_json_double(&j, step_efficiency(r));
        hs_json_key(&j, "products");
        hs_json_array_begin(&j);
        for (int i = 0; i < r->n_rows; i++) json_product(&j, &r->rows[i], r->steps);
        hs_json_array_end(&j);
    }
    hs_json_object_end(&j);
    char *line = hs_json_take(&j);
    if (!line) return hs_fail(err, HS_ENOMEM, "out of memory");
    fprintf(out, "%s\n", line);
    free(line);
    return HS_OK;
}

static void print_products(FILE *out, const bench_config *bc, hs_precision p, const bench_result *r)
{
    fprintf(out, "\n  %s %s: the step's products, inside the step and alone (same run)\n", bc->name,
            PRECISION_NAMES[p]);
    fprintf(out, "  %-24s %-14s %-22s %5s %8s %8s %8s %8s %7s\n", "product", "op", "impl", "calls",
            "ms/call", "GFLOP/s", "alone ms", "GFLOP/s", "in-step");
    for (int i = 0; i < r->n_rows; i++) {
        const product_row *row = &r->rows[i];
        double per_call = row->p.seconds / (double)row->p.calls;
        char shape[64], op[32];
        product_shape(shape, sizeof shape, &row->p.desc);
        product_op(op, sizeof op, &row->p.desc);
        fprintf(out, "  %-24s %-14s %-22s %5.0f %8.3f %8.1f %8.3f %8.1f %6.0f%%\n", shape, op,
                row->impl, (double)row->p.calls / r->steps, 1e3 * per_call,
                row->p.flops / per_call * 1e-9, 1e3 * row->alone_s,
                row->p.flops / row->alone_s * 1e-9, 100.0 * row->alone_s / per_call);
    }
    fprintf(out,
            "  products: %.3f ms/step at %.1f GFLOP/s, %.0f%% of their rate alone; "
            "not products: %.3f ms/step\n\n",
            r->product_ms, r->product_gflops, 100.0 * step_efficiency(r),
            r->ms_per_step - r->product_ms);
}

hs_status hs_bench_run(const hs_bench_opts *opts, FILE *out, hs_err *err)
{
    double yard = opts->seconds < 1.0 ? opts->seconds : 1.0;
    hs_clock clock = opts->cpu_time ? HS_CLOCK_CPU : HS_CLOCK_WALL;
    double sgemm = sgemm_gflops(yard, clock, err);
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
    if (!opts->json && opts->cpu_time) fprintf(out, "times are the process's CPU time\n");
    if (!opts->json)
        fprintf(out, "%s sgemm 1024^3, one call: %.1f GFLOP/s\n",
                strcmp(hs_build_blas(), "openblas") ? hs_build_blas() : "OpenBLAS", sgemm);
    for (int k = 0; k < n_prec; k++) {
        hs_precision p = precs[k];
        char engine[96];
        double peak = engine_gflops(p, yard, clock, engine, sizeof engine, err);
        if (peak < 0) return err ? err->code : HS_ENOMEM;
        if (!opts->json) {
            fprintf(out, "\n%s on %s: peak %.1f GFLOP/s (1024^3)\n", PRECISION_NAMES[p], engine,
                    peak);
            fprintf(out, "%-6s %10s %10s %9s %8s %16s %15s\n", "config", "ms/step", "steps/s",
                    "GFLOP/s", "% peak", "product GFLOP/s", "non-product ms");
        }
        for (size_t i = 0; i < sizeof CONFIGS / sizeof CONFIGS[0]; i++) {
            const bench_config *bc = &CONFIGS[i];
            if (!strchr(opts->configs, bc->name[0])) continue;
            bench_result r = {0};
            hs_status st = bench_one(bc, p, opts, &r, err);
            if (!st && opts->json) st = print_json(out, bc, p, &r, peak, sgemm, engine, opts, err);
            if (!st && !opts->json) {
                fprintf(out, "%-6s %10.3f %10.1f %9.1f %7.0f%% %16.1f %15.3f\n", bc->name,
                        r.ms_per_step, r.steps_per_s, r.gflops, 100.0 * r.gflops / peak,
                        r.product_gflops, r.ms_per_step - r.product_ms);
                if (opts->products) print_products(out, bc, p, &r);
            }
            free(r.rows);
            if (st) return st;
            fflush(out);
        }
    }
    return HS_OK;
}
