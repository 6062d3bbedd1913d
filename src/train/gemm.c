/* gemm.c — the matrix-product engine: oneDNN matmul primitives planned once per product shape,
 * or OpenBLAS sgemm when the build has no oneDNN.
 *
 * oneDNN's C API is the 2.x one that Debian 12 ships (dnnl_matmul_desc_init, output scales);
 * 3.x replaced descriptors with dnnl_matmul_primitive_desc_create and scales with runtime
 * arguments, so a 3.x system builds with -DHOPSWEEP_ONEDNN=OFF until this file learns both. */
#include "hopsweep/gemm.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hopsweep/buildinfo.h"

#ifdef HS_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.h>
/* libdnnl runs on OpenMP (libgomp); its thread count is set through OpenMP's own API. */
void omp_set_num_threads(int n);
#endif

/* OpenBLAS and BLIS keep their own thread count; any other BLAS is taken to run on one thread,
 * and the count is kept here for oneDNN alone. */
#if !defined(HS_BLAS_NOT_OPENBLAS)
void hs_blas_set_threads(int n) { openblas_set_num_threads(n); }
static inline int blas_threads(void) { return openblas_get_num_threads(); }
#elif defined(HS_BLAS_BLIS)
void bli_thread_set_num_threads(long n); /* from blis.h, whose own cblas.h would clash */
long bli_thread_get_num_threads(void);
void hs_blas_set_threads(int n) { bli_thread_set_num_threads(n); }
static inline int blas_threads(void) { return (int)bli_thread_get_num_threads(); }
#else
static int other_blas_threads; /* 0: never set, OpenMP's default */
void hs_blas_set_threads(int n) { other_blas_threads = n; }
static inline int blas_threads(void) { return other_blas_threads; }
#endif

/* The model's step needs about 30 products (fewer than 10 per layer kind, plus attention);
 * an evaluation batch of another size adds as many again. */
#define HS_GEMM_MAX_PLANS 256

/* Plans are found by memcmp of their desc, so a desc must have no padding bytes. */
_Static_assert(sizeof(hs_gemm_desc) == 10 * sizeof(int) + 6 * sizeof(size_t) + 2 * sizeof(float),
               "hs_gemm_desc has padding");

typedef struct {
    hs_gemm_desc d;
    double flops;
    uint64_t calls; /* while profiling */
    double seconds;
#ifdef HS_HAVE_ONEDNN
    dnnl_primitive_t prim;
    dnnl_memory_t a, b, c, scratch;
    char impl[64];
#endif
} gemm_plan;

struct hs_gemm {
    hs_precision precision;
    int n_plans;
    gemm_plan plans[HS_GEMM_MAX_PLANS];
    hs_err err; /* the first planning failure, sticky */
    char name[96];
    double largest; /* flops of the plan whose kernel names the engine */
    bool profile;
    hs_clock clock;
#ifdef HS_HAVE_ONEDNN
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    void *scratch;
    size_t scratch_size;
#endif
};

void hs_gemm_library(char *buf, size_t n)
{
#if !defined(HS_BLAS_NOT_OPENBLAS)
    const char *blas = openblas_get_config();
#else
    const char *blas = hs_build_blas();
#endif
#ifdef HS_HAVE_ONEDNN
    const dnnl_version_t *v = dnnl_version();
    snprintf(buf, n, "oneDNN %d.%d.%d; %s", v->major, v->minor, v->patch, blas);
#else
    snprintf(buf, n, "%s", blas);
#endif
}

bool hs_gemm_bf16_supported(const char **why)
{
#ifdef HS_HAVE_ONEDNN
    dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    if (((unsigned)isa & (unsigned)dnnl_cpu_isa_avx512_core_bf16) ==
        (unsigned)dnnl_cpu_isa_avx512_core_bf16)
        return true;
    if (why) *why = "this CPU has neither avx512_bf16 nor amx_bf16 (native bfloat16 arithmetic)";
    return false;
#else
    if (why) *why = "this build has no oneDNN (install libdnnl-dev and rebuild)";
    return false;
#endif
}

hs_status hs_gemm_check(hs_precision precision, hs_err *err)
{
    const char *why = NULL;
    if (precision == HS_PRECISION_BF16 && !hs_gemm_bf16_supported(&why))
        return hs_fail(err, HS_EINPUT,
                       "train.precision=bf16 cannot run here: %s; use train.precision=fp32", why);
    return HS_OK;
}

hs_status hs_gemm_create(hs_gemm **out, hs_precision precision, hs_err *err)
{
    *out = NULL;
    hs_status st = hs_gemm_check(precision, err);
    if (st) return st;
    hs_gemm *g = calloc(1, sizeof *g);
    if (!g) return hs_fail(err, HS_ENOMEM, "out of memory for the matrix-product engine");
    g->precision = precision;
#ifdef HS_HAVE_ONEDNN
    if (blas_threads() > 0) omp_set_num_threads(blas_threads());
    if (dnnl_engine_create(&g->engine, dnnl_cpu, 0) != dnnl_success ||
        dnnl_stream_create(&g->stream, g->engine, dnnl_stream_default_flags) != dnnl_success) {
        hs_gemm_free(g);
        return hs_fail(err, HS_EINTERNAL, "oneDNN could not create its CPU engine");
    }
    snprintf(g->name, sizeof g->name, "onednn");
#else
    snprintf(g->name, sizeof g->name, "%s", hs_build_blas());
#endif
    *out = g;
    return HS_OK;
}

void hs_gemm_free(hs_gemm *g)
{
    if (!g) return;
#ifdef HS_HAVE_ONEDNN
    for (int i = 0; i < g->n_plans; i++) {
        gemm_plan *p = &g->plans[i];
        dnnl_primitive_destroy(p->prim);
        dnnl_memory_destroy(p->a);
        dnnl_memory_destroy(p->b);
        dnnl_memory_destroy(p->c);
        dnnl_memory_destroy(p->scratch);
    }
    if (g->stream) dnnl_stream_destroy(g->stream);
    if (g->engine) dnnl_engine_destroy(g->engine);
    free(g->scratch);
#endif
    free(g);
}

hs_precision hs_gemm_precision(const hs_gemm *g) { return g->precision; }

const char *hs_gemm_engine_name(const hs_gemm *g) { return g->name; }

hs_status hs_gemm_status(const hs_gemm *g, hs_err *err)
{
    if (g->err.code && err) *err = g->err;
    return g->err.code;
}

#ifdef HS_HAVE_ONEDNN
/* A [batch1][batch2][rows][cols] view of one operand: element (i, j, r, c) at
 * i·s1 + j·s2 + r·rs + c·cs. */
static dnnl_status_t operand_md(dnnl_memory_desc_t *md, int rows, int cols, bool trans, int ld,
                                const hs_gemm_desc *d, size_t s1, size_t s2, dnnl_data_type_t dt)
{
    dnnl_dim_t rs = trans ? 1 : ld, cs = trans ? ld : 1;
    if (d->batch1 * d->batch2 == 1) {
        dnnl_dims_t dims = {rows, cols}, strides = {rs, cs};
        return dnnl_memory_desc_init_by_strides(md, 2, dims, dt, strides);
    }
    dnnl_dims_t dims = {d->batch1, d->batch2, rows, cols};
    dnnl_dims_t strides = {(dnnl_dim_t)s1, (dnnl_dim_t)s2, rs, cs};
    return dnnl_memory_desc_init_by_strides(md, 4, dims, dt, strides);
}

static hs_status plan_onednn(hs_gemm *g, gemm_plan *p)
{
    const hs_gemm_desc *d = &p->d;
    dnnl_data_type_t in = g->precision == HS_PRECISION_BF16 ? dnnl_bf16 : dnnl_f32;
    dnnl_memory_desc_t a, b, c;
    dnnl_matmul_desc_t mm;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t ops = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t s = operand_md(&a, d->M, d->K, d->trans_a, d->lda, d, d->sa1, d->sa2, in);
    if (!s) s = operand_md(&b, d->K, d->N, d->trans_b, d->ldb, d, d->sb1, d->sb2, in);
    if (!s) s = operand_md(&c, d->M, d->N, false, d->ldc, d, d->sc1, d->sc2, dnnl_f32);
    if (!s) s = dnnl_matmul_desc_init(&mm, &a, &b, NULL, &c);
    if (!s) s = dnnl_primitive_attr_create(&attr);
    if (!s) s = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    if (!s && d->alpha != 1.0f) s = dnnl_primitive_attr_set_output_scales(attr, 1, 0, &d->alpha);
    if (!s && d->beta != 0.0f) {
        s = dnnl_post_ops_create(&ops);
        if (!s) s = dnnl_post_ops_append_sum(ops, d->beta);
        if (!s) s = dnnl_primitive_attr_set_post_ops(attr, ops);
    }
    if (!s) s = dnnl_primitive_desc_create(&pd, &mm, attr, g->engine, NULL);
    const char *impl = "?";
    const dnnl_memory_desc_t *spmd = NULL;
    if (!s) s = dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
    if (!s) spmd = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    if (!s) s = dnnl_primitive_create(&p->prim, pd);
    if (!s) s = dnnl_memory_create(&p->a, &a, g->engine, DNNL_MEMORY_NONE);
    if (!s) s = dnnl_memory_create(&p->b, &b, g->engine, DNNL_MEMORY_NONE);
    if (!s) s = dnnl_memory_create(&p->c, &c, g->engine, DNNL_MEMORY_NONE);
    if (!s && spmd) s = dnnl_memory_create(&p->scratch, spmd, g->engine, DNNL_MEMORY_NONE);
    if (!s) {
        snprintf(p->impl, sizeof p->impl, "%s", impl);
        size_t need = spmd ? dnnl_memory_desc_get_size(spmd) : 0;
        if (need > g->scratch_size) { /* its contents need not survive: no realloc */
            void *grown = aligned_alloc(64, (need + 63) / 64 * 64);
            if (!grown) {
                s = dnnl_out_of_memory;
            } else {
                free(g->scratch);
                g->scratch = grown, g->scratch_size = need;
            }
        }
    }
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (ops) dnnl_post_ops_destroy(ops);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (s)
        return hs_fail(&g->err, s == dnnl_out_of_memory ? HS_ENOMEM : HS_EINTERNAL,
                       "oneDNN cannot plan a %dx%dx%d product (batch %d, status %d)", d->M, d->N,
                       d->K, d->batch1 * d->batch2, (int)s);
    return HS_OK;
}
#endif

static gemm_plan *find_or_plan(hs_gemm *g, const hs_gemm_desc *d)
{
    for (int i = g->n_plans - 1; i >= 0; i--)
        if (!memcmp(&g->plans[i].d, d, sizeof *d)) return &g->plans[i];
    if (g->err.code) return NULL;
    if (g->n_plans == HS_GEMM_MAX_PLANS) {
        hs_fail(&g->err, HS_EINTERNAL, "more than %d distinct matrix products", HS_GEMM_MAX_PLANS);
        return NULL;
    }
    gemm_plan *p = &g->plans[g->n_plans];
    memset(p, 0, sizeof *p);
    p->d = *d;
    p->flops = 2.0 * d->M * d->N * (double)d->K * d->batch1 * d->batch2;
#ifdef HS_HAVE_ONEDNN
    if (plan_onednn(g, p)) return NULL;
    if (p->flops > g->largest) {
        g->largest = p->flops;
        snprintf(g->name, sizeof g->name, "onednn %s", p->impl);
    }
#endif
    g->n_plans++;
    return p;
}

double hs_clock_now(hs_clock clock)
{
    struct timespec ts;
    clock_gettime(clock == HS_CLOCK_CPU ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * ts.tv_nsec;
}

void hs_gemm_run(hs_gemm *g, const hs_gemm_desc *d, const void *A, const void *B, float *C)
{
    gemm_plan *p = find_or_plan(g, d); /* memcmp on the desc: it has no padding (gemm.h) */
    if (!p) return;
    double t0 = g->profile ? hs_clock_now(g->clock) : 0.0;
#ifdef HS_HAVE_ONEDNN
    dnnl_memory_set_data_handle(p->a, (void *)A);
    dnnl_memory_set_data_handle(p->b, (void *)B);
    dnnl_memory_set_data_handle(p->c, C);
    dnnl_exec_arg_t args[4] = {
        {DNNL_ARG_SRC, p->a}, {DNNL_ARG_WEIGHTS, p->b}, {DNNL_ARG_DST, p->c}};
    int n = 3;
    if (p->scratch) {
        dnnl_memory_set_data_handle(p->scratch, g->scratch);
        args[n++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, p->scratch};
    }
    dnnl_primitive_execute(p->prim, g->stream, n, args);
    if (g->profile) dnnl_stream_wait(g->stream);
#else
    const float *a = A, *b = B;
    for (int i = 0; i < d->batch1; i++)
        for (int j = 0; j < d->batch2; j++)
            cblas_sgemm(CblasRowMajor, d->trans_a ? CblasTrans : CblasNoTrans,
                        d->trans_b ? CblasTrans : CblasNoTrans, d->M, d->N, d->K, d->alpha,
                        a + i * d->sa1 + j * d->sa2, d->lda, b + i * d->sb1 + j * d->sb2, d->ldb,
                        d->beta, C + i * d->sc1 + j * d->sc2, d->ldc);
#endif
    if (g->profile) {
        p->calls++;
        p->seconds += hs_clock_now(g->clock) - t0;
    }
}

void hs_gemm_profile(hs_gemm *g, bool on, hs_clock clock)
{
    g->profile = on;
    g->clock = clock;
    if (on)
        for (int i = 0; i < g->n_plans; i++) g->plans[i].calls = 0, g->plans[i].seconds = 0.0;
}

int hs_gemm_n_products(const hs_gemm *g) { return g->n_plans; }

hs_gemm_product hs_gemm_product_at(const hs_gemm *g, int i)
{
    const gemm_plan *p = &g->plans[i];
#ifdef HS_HAVE_ONEDNN
    const char *impl = p->impl;
#else
    const char *impl = "openblas";
#endif
    return (hs_gemm_product){p->d, impl, p->flops, p->calls, p->seconds};
}

/* Bytes an operand of `rows` x `cols` (as stored) spans under d's batch strides. */
static size_t operand_bytes(const hs_gemm_desc *d, int rows, int cols, int ld, size_t s1, size_t s2,
                            size_t elem)
{
    size_t last = (size_t)(rows - 1) * ld + (size_t)cols;
    if (d->batch1 * d->batch2 > 1) last += (size_t)(d->batch1 - 1) * s1 + (d->batch2 - 1) * s2;
    return (last * elem + 63) / 64 * 64;
}

double hs_gemm_time_alone(hs_gemm *g, int i, double seconds, hs_err *err)
{
    const hs_gemm_desc d = g->plans[i].d;
    size_t e = g->precision == HS_PRECISION_BF16 ? sizeof(hs_bf16) : sizeof(float);
    size_t na = d.trans_a ? operand_bytes(&d, d.K, d.M, d.lda, d.sa1, d.sa2, e)
                          : operand_bytes(&d, d.M, d.K, d.lda, d.sa1, d.sa2, e);
    size_t nb = d.trans_b ? operand_bytes(&d, d.N, d.K, d.ldb, d.sb1, d.sb2, e)
                          : operand_bytes(&d, d.K, d.N, d.ldb, d.sb1, d.sb2, e);
    size_t nc = operand_bytes(&d, d.M, d.N, d.ldc, d.sc1, d.sc2, sizeof(float));
    void *a = aligned_alloc(64, na), *b = aligned_alloc(64, nb);
    float *c = aligned_alloc(64, nc);
    if (!a || !b || !c) {
        free(a), free(b), free(c);
        hs_fail(err, HS_ENOMEM, "out of memory timing a %dx%dx%d product alone", d.M, d.N, d.K);
        return -1.0;
    }
    /* 0x3c in every byte: about 0.0115 as a float and as a bfloat16, so sums stay finite. */
    memset(a, 0x3c, na), memset(b, 0x3c, nb), memset(c, 0, nc);
    bool profile = g->profile;
    g->profile = false;
    hs_gemm_run(g, &d, a, b, c); /* warms the caches */
    int reps = 0;
    double t0 = hs_clock_now(g->clock), t;
    do {
        hs_gemm_run(g, &d, a, b, c);
        reps++;
        t = hs_clock_now(g->clock) - t0;
    } while (t < seconds || reps < 3);
    g->profile = profile;
    free(a), free(b), free(c);
    return t / reps;
}
