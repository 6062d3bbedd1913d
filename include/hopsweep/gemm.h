/* gemm.h — the matrix-product engine under every matmul of the model: oneDNN where the build
 * has it (its brgemm kernels reach the core's f32 peak and run bf16 on AVX512-BF16 or AMX), else
 * OpenBLAS.
 *
 * A product is described by its shapes, strides, alpha and beta (hs_gemm_desc) and planned the
 * first time it runs; later runs on new pointers allocate nothing. Products are batched: `batch` products with their own strides, which is how attention runs all
 * (example, head) pairs in one call. Results depend only on the plan, the inputs and the thread
 * count, never on earlier calls. */
#ifndef HOPSWEEP_GEMM_H
#define HOPSWEEP_GEMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hopsweep/config.h" /* hs_precision */
#include "hopsweep/error.h"

typedef uint16_t hs_bf16;

/* C[b] = alpha · op(A[b]) · op(B[b]) + beta · C[b] for b < batch1·batch2. op(A) is M×K, op(B)
 * K×N; a transposed operand is stored as its transpose (row-major, leading dimension lda/ldb).
 * Batch element (i, j) starts at i·sa1 + j·sa2 elements into A (likewise B and C). beta is 0 or
 * 1. A and B hold floats at fp32 and hs_bf16 at bf16; C is always float. */
typedef struct hs_gemm_desc {
    int M, N, K;
    int trans_a, trans_b; /* ints, not bools: a desc has no padding, so memcmp compares it */
    int lda, ldb, ldc;
    int batch1, batch2;
    size_t sa1, sa2, sb1, sb2, sc1, sc2;
    float alpha, beta;
} hs_gemm_desc;

typedef struct hs_gemm hs_gemm; /* the engine: its plans, stream and scratchpad */

/* The threads the products run on, BLAS and oneDNN alike (`--threads`): the BLAS's own setting
 * (OpenBLAS, BLIS); for a BLAS without one (the reference BLAS runs on one thread) the count is
 * kept for oneDNN. Before any call, each library's default. */
void hs_blas_set_threads(int n);

/* Which engine runs products at this precision, from the build and the CPU. bf16 needs oneDNN
 * and a CPU with native bf16 arithmetic (avx512_bf16 or amx_bf16); without them the call fails
 * with HS_EINPUT and one line naming what is missing. oneDNN runs on the threads
 * hs_blas_set_threads set. */
hs_status hs_gemm_create(hs_gemm **g, hs_precision precision, hs_err *err);
/* The check hs_gemm_create makes, alone: for callers that refuse a job before it starts. */
hs_status hs_gemm_check(hs_precision precision, hs_err *err);
void hs_gemm_free(hs_gemm *g);

/* Runs d on A, B, C (typed as the precision says). The first call with a given desc plans it
 * (creates its primitive, grows the scratchpad); later calls with an equal desc only run, and
 * allocate nothing. The model makes every call of its step once at init, so a step never plans.
 * A plan that cannot be made (out of memory) leaves C untouched and a sticky error that
 * hs_gemm_status reports. */
void hs_gemm_run(hs_gemm *g, const hs_gemm_desc *d, const void *A, const void *B, float *C);

/* HS_OK, or the first planning failure (message in err). */
hs_status hs_gemm_status(const hs_gemm *g, hs_err *err);

hs_precision hs_gemm_precision(const hs_gemm *g);

/* "onednn brg:avx512_core_bf16", "openblas": the engine and the kernel ISA of the largest plan,
 * for the job record. */
const char *hs_gemm_engine_name(const hs_gemm *g);

/* The library under the engine with its version, e.g. "oneDNN 2.6.3; OpenBLAS 0.3.21 DYNAMIC_ARCH
 * NO_AFFINITY Zen MAX_THREADS=64", into buf. */
void hs_gemm_library(char *buf, size_t n);

/* Whether this build and CPU can run bf16; *why names what is missing when not. */
bool hs_gemm_bf16_supported(const char **why);

/* ---- per-product timing, for `hopsweep bench --products` ---------------------------------- */

/* One planned product and, while profiling is on, the calls made to it and their time. */
typedef struct hs_gemm_product {
    hs_gemm_desc desc;
    const char *impl; /* oneDNN's implementation name ("brg:avx512_core_bf16"), or "openblas" */
    double flops;     /* per call */
    uint64_t calls;   /* since profiling was last switched on */
    double seconds;   /* spent inside those calls */
} hs_gemm_product;

/* Elapsed time, or the process's CPU time: on a machine shared by more runnable threads than
 * cores the second still measures the work (with one thread both agree on an idle machine). */
typedef enum { HS_CLOCK_WALL, HS_CLOCK_CPU } hs_clock;
double hs_clock_now(hs_clock clock); /* seconds */

/* Switches timing of every call on (counts reset) or off (counts kept for hs_gemm_product_at),
 * on `clock`, which hs_gemm_time_alone uses too. Off, a call costs nothing extra. */
void hs_gemm_profile(hs_gemm *g, bool on, hs_clock clock);
int hs_gemm_n_products(const hs_gemm *g);
/* Product i (0 <= i < hs_gemm_n_products) as planned, with its calls and time so far. */
hs_gemm_product hs_gemm_product_at(const hs_gemm *g, int i);
/* Seconds per call of product i alone: the same plan on operands of its own, 64-byte aligned,
 * called back to back (hot caches) for at least `seconds`. -1 when the operands cannot be
 * allocated (err says so). */
double hs_gemm_time_alone(hs_gemm *g, int i, double seconds, hs_err *err);

#endif
