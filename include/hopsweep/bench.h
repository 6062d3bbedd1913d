/* bench.h — `hopsweep bench`: training-step speed of the reference configurations S, M, L
 * next to the single-core sgemm rate measured in the same run. */
#ifndef HOPSWEEP_BENCH_H
#define HOPSWEEP_BENCH_H

#include <stdbool.h>
#include <stdio.h>

#include "hopsweep/error.h"

typedef struct hs_bench_opts {
    const char *configs; /* subset of "SML" to run */
    double seconds;      /* minimum timed duration per config */
    bool json;           /* one JSON object per config per line */
} hs_bench_opts;

hs_status hs_bench_run(const hs_bench_opts *opts, FILE *out, hs_err *err);

#endif
