#!/usr/bin/env python3
"""spack_recipe.py SOURCE_DIR — packaging/spack/package.py parses in Python and its cmake_args
pass only what CMakeLists.txt understands, every user-facing option there has a variant, and each
variant moves its option both ways.

Spack itself is not installed here, so spack.package is stood in for by the few names the recipe
uses (with Spack's own define() spelling, -DNAME:BOOL=ON); the recipe is executed as Spack would
import it, and cmake_args() is called for specs with each variant on and off and each BLAS."""
import os
import re
import sys
import types

src = sys.argv[1]


class Spec:
    def __init__(self, variants, blas):
        self.variants, self.blas = variants, blas

    def __getitem__(self, name):
        assert name == "blas", name
        return types.SimpleNamespace(name=self.blas)


class CMakePackage:
    def __init__(self, spec, run_tests):
        self.spec, self.run_tests = spec, run_tests

    @staticmethod
    def define(name, value):  # as Spack's CMakeBuilder.define
        if isinstance(value, bool):
            return f"-D{name}:BOOL={'ON' if value else 'OFF'}"
        return f"-D{name}:STRING={value}"

    def define_from_variant(self, name, variant):
        return self.define(name, self.spec.variants[variant])


declared = {"variant": {}, "depends_on": [], "conflicts": [], "version": [], "license": []}


def variant(name, default=None, description="", **kw):
    assert description, f"variant {name} has no description"
    declared["variant"][name] = default


def recorder(kind):
    return lambda *a, **kw: declared[kind].append((a, kw))


spack = types.ModuleType("spack")
package = types.ModuleType("spack.package")
package.CMakePackage = CMakePackage
package.variant = variant
for kind in ("depends_on", "conflicts", "version", "license"):
    setattr(package, kind, recorder(kind))
package.__all__ = ["CMakePackage", "variant", "depends_on", "conflicts", "version", "license"]
spack.package = package
sys.modules["spack"], sys.modules["spack.package"] = spack, package

path = os.path.join(src, "packaging", "spack", "package.py")
code = compile(open(path, encoding="utf-8").read(), path, "exec")  # a syntax error fails here
ns = {"__name__": "spack.pkg.hopsweep"}
exec(code, ns)
Hopsweep = ns["Hopsweep"]

cmake = open(os.path.join(src, "CMakeLists.txt"), encoding="utf-8").read()
options = set(re.findall(r"^\s*option\((\w+)", cmake, re.M))
# variables CMakeLists.txt reads that are not option()s: CTest's BUILD_TESTING, FindBLAS's vendor
understood = options | {"BUILD_TESTING"} | ({"BLA_VENDOR"} if "BLA_VENDOR" in cmake else set())
developer_only = {"HOPSWEEP_WERROR", "HOPSWEEP_SANITIZE"}  # CI's switches, not a package's
failures = []


def args_for(variants, blas="openblas", run_tests=False):
    pkg = Hopsweep(Spec(variants, blas), run_tests)
    args = pkg.cmake_args()
    parsed = {}
    for a in args:
        m = re.fullmatch(r"-D(\w+):(BOOL|STRING|PATH)=(.*)", a)
        if not m:
            failures.append(f"cmake_args gives {a!r}, not -DNAME:TYPE=VALUE")
            continue
        parsed[m.group(1)] = m.group(3)
    return parsed


defaults = dict(declared["variant"])
base = args_for(defaults)
for name in base:
    if name not in understood:
        failures.append(f"cmake_args sets {name}, which CMakeLists.txt does not have")
for opt in sorted(options - developer_only):
    if opt not in base:
        failures.append(f"CMakeLists.txt option {opt} has no variant in the recipe")
# every variant that maps to an option moves it, both ways
for v in defaults:
    for value in (True, False):
        got = args_for(dict(defaults, **{v: value}))
        moved = [k for k in got if got[k] != args_for(dict(defaults, **{v: not value})).get(k)]
        if v != "plots" and not moved:
            failures.append(f"variant {v} changes no CMake option")
on = args_for({v: True for v in defaults})
off = args_for({v: False for v in defaults})
for opt in ("HOPSWEEP_MPI", "HOPSWEEP_ONEDNN", "HOPSWEEP_NATIVE"):
    if on.get(opt) != "ON" or off.get(opt) != "OFF":
        failures.append(f"{opt}: {on.get(opt)} with the variant on, {off.get(opt)} off")
if args_for(defaults, run_tests=True).get("BUILD_TESTING") != "ON" or base.get("BUILD_TESTING") != "OFF":
    failures.append("BUILD_TESTING does not follow Spack's run_tests")
# the BLAS: OpenBLAS through pkg-config (no vendor), BLIS and netlib through FindBLAS
if "BLA_VENDOR" in base:
    failures.append("with OpenBLAS the recipe sets BLA_VENDOR")
for blas, vendor in (("blis", "FLAME"), ("amdblis", "FLAME"), ("netlib-lapack", "Generic")):
    got = args_for(defaults, blas=blas).get("BLA_VENDOR")
    if got != vendor:
        failures.append(f"^{blas}: BLA_VENDOR={got}, not {vendor}")
# the dependencies follow the variants
deps = {(a[0], kw.get("when")) for a, kw in declared["depends_on"]}
for need in (("mpi", "+mpi"), ("onednn@2", "+onednn"), ("blas", None), ("libyaml", None), ("zstd", None)):
    if need not in deps:
        failures.append(f"no depends_on{need}")
if not any(a == ("MIT",) for a, _ in declared["license"]) or "MIT License" not in open(
        os.path.join(src, "LICENSE"), encoding="utf-8").read():
    failures.append("the recipe's license is not LICENSE's (MIT)")

for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print(f"package.py parses; cmake_args {sorted(base)} are CMakeLists.txt's options "
      f"{sorted(options - developer_only)} plus BUILD_TESTING and BLA_VENDOR")
