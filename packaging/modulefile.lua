-- hopsweep modulefile (Lmod), a template. Install hopsweep with
--   cmake --install build --prefix /opt/apps/hopsweep/<version>
-- copy this file to <your modulefiles>/hopsweep/<version>.lua and set `root` below to that
-- prefix; then `module load hopsweep` puts hopsweep on PATH and hopsweep(1) on MANPATH. The
-- binary finds its gnuplot scripts in <root>/share/hopsweep by itself (README: Install).
-- tests/install/modulefile.sh loads it with Debian's lmod and runs `hopsweep --version`.

local root = "/opt/apps/hopsweep/" .. myModuleVersion()

help([[
hopsweep trains small transformers on the multi-hop retrieval problem (Musat, ICLR 2025),
runs YAML sweeps of them alone or across MPI ranks and Slurm jobs, and analyses the result
stores. Start with: hopsweep --help; man hopsweep; ready sweeps in $HOPSWEEP_ROOT/share/hopsweep/sweeps.
]])

whatis("Name: hopsweep")
whatis("Version: " .. myModuleVersion())
whatis("Description: sweeps of small transformers on multi-hop retrieval: minimum layers, emergence of attention heads")
whatis("License: MIT")

-- A build with MPI runs under the MPI it was built with: load that module too, e.g.
-- depends_on("openmpi")

prepend_path("PATH", pathJoin(root, "bin"))
prepend_path("MANPATH", pathJoin(root, "share/man"))
setenv("HOPSWEEP_ROOT", root)
