# Spack recipe for hopsweep (https://spack.io). Put this file in a Spack package repository as
# packages/hopsweep/package.py (`spack repo create`, `spack repo add`), point `git` below at the
# clone or mirror the centre builds from, then e.g.
#   spack install hopsweep              # MPI, oneDNN, OpenBLAS
#   spack install hopsweep ~mpi ^blis   # one process per sweep, BLIS
# tests/install/spack_recipe.py checks that cmake_args passes only options CMakeLists.txt has.
from spack.package import *  # noqa: F401,F403

try:  # Spack >= 1.0 keeps the build systems in the builtin package repository
    from spack_repo.builtin.build_systems.cmake import CMakePackage  # noqa: F811
except ImportError:  # older Spack exports CMakePackage from spack.package
    pass


class Hopsweep(CMakePackage):
    """Trains small transformers on the multi-hop retrieval problem of Musat (ICLR 2025), runs
    YAML sweeps of them on one machine or across a Slurm cluster with MPI, and analyses the
    result stores: minimum layers against hops, and the order in which attention heads emerge."""

    homepage = "https://arxiv.org/abs/2411.12118"
    git = "https://git.example.org/hopsweep.git"  # the repository you build from

    license("MIT")

    version("main", branch="main")

    variant("mpi", default=True, description="Share a sweep's jobs across MPI ranks (mpirun, srun)")
    variant("onednn", default=True,
            description="Matrix products on oneDNN 2.x (needed for bf16); else on the BLAS")
    variant("native", default=False,
            description="Compile for the build machine's CPU (-march=native); off: one binary "
            "for every x86-64 node, the hot loops chosen at run time")
    variant("plots", default=True, description="gnuplot at run time, for analyze --plots and attn")

    depends_on("c", type="build")
    depends_on("cmake@3.18:", type="build")
    depends_on("pkgconfig", type="build")
    depends_on("blas")
    depends_on("libyaml")
    depends_on("zstd")
    depends_on("mpi", when="+mpi")
    depends_on("onednn@2", when="+onednn")
    depends_on("gnuplot", type="run", when="+plots")
    depends_on("cmocka", type="test")

    # The BLAS must speak CBLAS (cblas.h, cblas_sgemm). OpenBLAS is found through pkg-config,
    # the others through CMake's FindBLAS with their BLA_VENDOR.
    blas_vendors = {"openblas": None, "blis": "FLAME", "amdblis": "FLAME", "netlib-lapack": "Generic"}
    for _provider in ("intel-oneapi-mkl", "nvpl-blas", "fujitsu-ssl2"):
        conflicts(f"^{_provider}", msg="not tried with hopsweep, which needs cblas.h: use OpenBLAS, BLIS or netlib")

    def cmake_args(self):
        args = [
            self.define_from_variant("HOPSWEEP_MPI", "mpi"),
            self.define_from_variant("HOPSWEEP_ONEDNN", "onednn"),
            self.define_from_variant("HOPSWEEP_NATIVE", "native"),
            self.define("BUILD_TESTING", self.run_tests),
        ]
        vendor = self.blas_vendors.get(self.spec["blas"].name, "Generic")
        if vendor:
            args.append(self.define("BLA_VENDOR", vendor))
        return args
