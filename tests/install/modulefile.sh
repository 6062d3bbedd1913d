#!/bin/sh
# packaging/modulefile.lua works under Lmod (Debian's lmod): installed as <modules>/hopsweep/
# <version>.lua with its root set to an install prefix, `module load hopsweep` puts that prefix's
# hopsweep on PATH (`hopsweep --version` runs), its man page on MANPATH and HOPSWEEP_ROOT in the
# environment, and `module unload` takes them away again. Skipped (77) without lmod.
# usage: modulefile.sh SOURCE_DIR BUILD_DIR
set -u
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
init=/usr/share/lmod/lmod/init/sh
[ -r "$init" ] || { echo "skip: Lmod is not installed (Debian package lmod)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cmake --install "$build" --prefix "$tmp/p/0.1.0" >/dev/null || fail "cmake --install exited non-zero"
mkdir -p "$tmp/modules/hopsweep"
# the one line a centre edits: where it installed hopsweep
sed 's|^local root = .*|local root = "'"$tmp"'/p/" .. myModuleVersion()|' "$src/packaging/modulefile.lua" \
    >"$tmp/modules/hopsweep/0.1.0.lua"
grep -q "^local root = \"$tmp/p/\"" "$tmp/modules/hopsweep/0.1.0.lua" || fail "the template has no 'local root = ...' line"
# a clean environment: no other hopsweep on PATH
PATH=/usr/bin:/bin
unset MANPATH HOPSWEEP_ROOT LMOD_CMD MODULEPATH _ModuleTable_ LOADEDMODULES
export PATH
. "$init" || fail "cannot start Lmod from $init"
module use "$tmp/modules"
module load hopsweep 2>"$tmp/err" || { cat "$tmp/err"; fail "module load hopsweep failed"; }
[ "$(command -v hopsweep)" = "$tmp/p/0.1.0/bin/hopsweep" ] || fail "hopsweep on PATH is $(command -v hopsweep)"
hopsweep --version >"$tmp/v" 2>&1 || { cat "$tmp/v"; fail "hopsweep --version failed after module load"; }
head -1 "$tmp/v"
[ "$HOPSWEEP_ROOT" = "$tmp/p/0.1.0" ] || fail "HOPSWEEP_ROOT is '${HOPSWEEP_ROOT:-}'"
case ":$MANPATH:" in *":$tmp/p/0.1.0/share/man:"*) ;; *) fail "MANPATH lacks the prefix: $MANPATH" ;; esac
module whatis hopsweep 2>&1 | grep -q "Version: 0.1.0" || fail "module whatis does not give the version"
module unload hopsweep
command -v hopsweep >/dev/null && fail "hopsweep still on PATH after module unload"
echo "module load hopsweep: hopsweep --version runs from the prefix; unload takes it away"
exit 0
