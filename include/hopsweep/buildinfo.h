/* buildinfo.h — what this hopsweep binary is: its version and commit (from `git describe` when
 * it was built, cmake/version.cmake), its build type and the optional parts compiled in. The
 * job record carries the version and commit (`build`), `hopsweep --version` prints them all. */
#ifndef HOPSWEEP_BUILDINFO_H
#define HOPSWEEP_BUILDINFO_H

#include <stdbool.h>

/* "0.1.0-g4ce17a9" (the project version and the commit; "-dirty" when built with uncommitted
 * changes), "0.2.0" or "0.2.0-3-g1234abc" once a release tag v0.2.0 exists, or the bare project
 * version when built from a tarball without git. */
const char *hs_build_version(void);
/* The full commit hash, or NULL when the build was not made from a git checkout. */
const char *hs_build_commit(void);
/* CMAKE_BUILD_TYPE: "Release", "Debug", ... */
const char *hs_build_type(void);
/* Whether this build can run under an MPI launcher (-DHOPSWEEP_MPI=ON). */
bool hs_build_has_mpi(void);
/* The BLAS the build links: "openblas", or the CMake BLA_VENDOR it was built with. */
const char *hs_build_blas(void);

#endif
