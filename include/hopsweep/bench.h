/* bench.h — `hopsweep bench`: training-step speed of the reference configurations S, M, L
 * at each precision, next to the engine's peak rate and OpenBLAS's sgemm measured in the same
 * run; with `products`, every matrix product of the step with the kernel that ran it and its
 * time inside the step against its time alone. */
#ifndef HOPSWEEP_BENCH_H
#define HOPSWEEP_BENCH_H

#include <stdbool.h>
#include <stdio.h>

#include "hopsweep/error.h"

typedef struct hs_bench_opts {
    const char *configs;    /* subset of "SML" to run */
    double seconds;         /* minimum timed duration per config */
    bool json;              /* one JSON object per (config, precision) per line */
    const char *precisions; /* "fp32", "bf16" or both ("fp32,bf16"); bf16 only where it runs */
    bool products;          /* per product of the step: kernel, time in the step and alone */
    bool cpu_time;          /* the process's CPU time instead of elapsed time, for every figure */
} hs_bench_opts;

hs_status hs_bench_run(const hs_bench_opts *opts, FILE *out, hs_err *err);

#endif
