/* buildinfo.c — the facts of buildinfo.h, from the header cmake/version.cmake writes at build
 * time and the definitions CMakeLists.txt gives this one file, so that a new commit recompiles
 * nothing else. */
#include "hopsweep/buildinfo.h"

#include <stddef.h>

#include "hopsweep_version.h"

#ifndef HS_BUILD_TYPE
#define HS_BUILD_TYPE "unknown"
#endif
#ifndef HS_BUILD_BLAS
#define HS_BUILD_BLAS "openblas"
#endif

const char *hs_build_version(void) { return HS_BUILD_VERSION; }

const char *hs_build_commit(void) { return HS_BUILD_COMMIT[0] ? HS_BUILD_COMMIT : NULL; }

const char *hs_build_type(void) { return HS_BUILD_TYPE; }

bool hs_build_has_mpi(void)
{
#ifdef HS_HAVE_MPI
    return true;
#else
    return false;
#endif
}

const char *hs_build_blas(void) { return HS_BUILD_BLAS; }
