/* bench_cmd.c — `hopsweep bench`: the options of the training-step benchmark (bench.h). */
#include "hopsweep/bench_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/bench.h"
#include "hopsweep/cli.h"
#include "hopsweep/gemm.h"

static const char BENCH_USAGE[] =
    "usage: hopsweep bench [--config S|M|L|SML] [--precision fp32|bf16|fp32,bf16] [--seconds X]\n"
    "                      [--products] [--cpu-time] [--json] [--threads N]\n"
    "\n"
    "Times one full training step (forward, backward, AdamW) of the reference models on random\n"
    "data: S (1 layer, d 64, 2 heads, T 10, batch 64), M (3 layers, d 128, 4 heads, T 40,\n"
    "batch 64), L (4 layers, d 256, 4 heads, T 121, batch 32); vocab 64, MLP 4x, LayerNorm,\n"
    "every position supervised; at each precision asked for that this CPU runs (bf16 needs\n"
    "avx512_bf16 or amx_bf16; without it one line says so and fp32 alone is measured). Prints\n"
    "ms/step, steps/s, achieved GFLOP/s and its share of the engine's rate on one 1024^3\n"
    "product at that precision, measured in the same run, the GFLOP/s of the step's matrix\n"
    "products inside the step, and the ms per step spent outside them.\n"
    "--products: then, per distinct product of the step, its shape, the kernel that runs it\n"
    "(oneDNN's own name, e.g. brg:avx512_core_bf16), calls per step, ms per call and GFLOP/s\n"
    "inside the step, the same product timed alone in the same run (aligned operands, hot\n"
    "caches) and the in-step efficiency (time alone over time in the step).\n"
    "--cpu-time: every figure from the process's CPU time rather than elapsed time, for a\n"
    "machine shared with more busy threads than it has cores (with one thread the two agree on\n"
    "an idle machine; a loaded one stretches elapsed time, not CPU time).\n"
    "--json: one object per (config, precision) per line with config, clock (wall | cpu),\n"
    "precision, engine, "
    "ms_per_step, steps_per_s, gflops, peak_gflops, sgemm_gflops (OpenBLAS), product_gflops,\n"
    "product_ms_per_step, nonproduct_ms_per_step; with --products also in_step_efficiency and\n"
    "products: [{shape, op, batch, M, N, K, impl, calls_per_step, ms_per_call, gflops,\n"
    "alone_ms_per_call, alone_gflops, in_step_efficiency}], most time first.\n";

int hs_cmd_bench(int argc, char **argv)
{
    hs_bench_opts opts = {.configs = "SML", .seconds = 3.0, .precisions = "fp32,bf16"};
    int threads = 1;
    hs_err err = {0};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(BENCH_USAGE, stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            opts.json = true;
        } else if (!strcmp(a, "--products")) {
            opts.products = true;
        } else if (!strcmp(a, "--cpu-time")) {
            opts.cpu_time = true;
        } else if (!strcmp(a, "--config") && has_value) {
            opts.configs = argv[++i];
            if (!*opts.configs || strspn(opts.configs, "SML") != strlen(opts.configs)) {
                fprintf(stderr, "hopsweep bench: --config \"%s\" must be letters of S, M, L\n",
                        opts.configs);
                return HS_EXIT_BAD_INPUT;
            }
        } else if (!strcmp(a, "--precision") && has_value) {
            opts.precisions = argv[++i];
            if (strcmp(opts.precisions, "fp32") && strcmp(opts.precisions, "bf16") &&
                strcmp(opts.precisions, "fp32,bf16")) {
                fprintf(stderr,
                        "hopsweep bench: --precision \"%s\" must be fp32, bf16 or fp32,bf16\n",
                        opts.precisions);
                return HS_EXIT_BAD_INPUT;
            }
        } else if (!strcmp(a, "--seconds") && has_value) {
            if (hs_cli_parse_double(argv[++i], 0.0, true, 3600.0, a, &opts.seconds, &err))
                return hs_cli_fail("bench", &err);
        } else if (!strcmp(a, "--threads") && has_value) {
            if (hs_cli_parse_threads(argv[++i], &threads, &err)) return hs_cli_fail("bench", &err);
        } else {
            fprintf(stderr, "hopsweep bench: unexpected argument %s; see hopsweep bench --help\n",
                    a);
            return HS_EXIT_BAD_INPUT;
        }
    }
    hs_blas_set_threads(threads);
    if (hs_bench_run(&opts, stdout, &err)) return hs_cli_fail("bench", &err);
    return HS_EXIT_OK;
}
