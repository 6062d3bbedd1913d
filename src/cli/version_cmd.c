/* version_cmd.c — `hopsweep --version`: the version and commit (as the job record's `build`
 * names them), the build's type and optional parts, and, measured on this machine, the engine
 * and kernel ISA that run the products, the ISA of the elementwise ops and whether bf16 runs. */
#include "hopsweep/version_cmd.h"

#include <stdio.h>
#include <string.h>

#include "hopsweep/buildinfo.h"
#include "hopsweep/cli.h"
#include "hopsweep/gemm.h"
#include "hopsweep/ops.h"

/* The engine's name once it has planned a product of the model's size (the kernel ISA is known
 * only then), into buf. */
static void engine_here(char *buf, size_t n)
{
    enum { D = 64 };
    static float a[D * D], b[D * D], c[D * D];
    hs_gemm *g = NULL;
    hs_err err = {0};
    if (hs_gemm_create(&g, HS_PRECISION_FP32, &err)) {
        snprintf(buf, n, "unavailable: %s", err.msg);
        return;
    }
    hs_gemm_desc d = {.M = D,
                      .N = D,
                      .K = D,
                      .lda = D,
                      .ldb = D,
                      .ldc = D,
                      .batch1 = 1,
                      .batch2 = 1,
                      .alpha = 1.0f};
    hs_gemm_run(g, &d, a, b, c);
    snprintf(buf, n, "%s", hs_gemm_status(g, &err) ? err.msg : hs_gemm_engine_name(g));
    hs_gemm_free(g);
}

int hs_cmd_version(int argc, char **argv)
{
    const char *commit = hs_build_commit();
    char engine[640], library[320];
    engine_here(engine, sizeof engine);
    hs_gemm_library(library, sizeof library);
    const char *why = NULL;
    bool bf16 = hs_gemm_bf16_supported(&why);
    printf("hopsweep %s\n", hs_build_version());
    printf("commit   %s\n", commit ? commit : "unknown (not built from a git checkout)");
    printf("build    %s, MPI %s, BLAS %s\n", hs_build_type(), hs_build_has_mpi() ? "yes" : "no",
           hs_build_blas());
    printf("engine   %s (%s)\n", engine, library);
    printf("ops      %s\n", hs_ops_isa());
    printf("bf16     %s%s\n", bf16 ? "runs here" : "does not run here: ", bf16 ? "" : why);
    return HS_EXIT_OK;
}
