#!/bin/sh
# The installed tree stands alone (issue 23): `cmake --install BUILD --prefix P` into a fresh
# prefix, then, from an unrelated directory and with the source and build trees out of reach,
# P/bin/hopsweep runs a tiny sweep, draws its figures (`analyze --plots`, `attn --out x.png`),
# writes the report and renders a Slurm script, from the prefix alone; hopsweep(1) renders.
# The working directory holds hostile ./analysis/*.gp scripts that would leave a marker file:
# they must never run, and a hopsweep copied away from any share/hopsweep (its source tree
# hidden too) must refuse with one line rather than fall back to them, and use
# HOPSWEEP_ANALYSIS_DIR when given.
#
# Out of reach, two ways:
#   default   in a private mount namespace (unshare -m, root only) with an empty tmpfs mounted
#             over the source and the build tree: only this test's processes see them gone, so
#             it is safe while other tests run in parallel from the same trees. Skipped (77)
#             where that is not possible.
#   --rename  the trees are renamed for the duration and renamed back on exit: what CI does
#             (.ci/run), where nothing else is running; never under a parallel ctest.
# usage: installed_tree.sh [--rename] SOURCE_DIR BUILD_DIR
set -u
mode=mount
[ "${1:-}" = "--rename" ] && { mode=rename; shift; }

if [ "${HS_INSIDE:-}" != 1 ]; then
    src=$(cd "$1" && pwd) && build=$(cd "$2" && pwd) || exit 1
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    cmake --install "$build" --prefix "$tmp/p" >"$tmp/install.log" 2>&1 ||
        { cat "$tmp/install.log"; echo "FAIL: cmake --install exited non-zero"; exit 1; }
    cp "$0" "$tmp/inside.sh" # the script itself goes out of reach with the source tree
    export HS_INSIDE=1 HS_TMP="$tmp"
    unset HOPSWEEP_ANALYSIS_DIR
    if [ $mode = mount ]; then
        if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
            echo "skip: hiding the trees needs root and unshare -m (CI runs this with --rename)"
            exit 77
        fi
        # the build tree first: it may lie inside the source tree
        unshare -m sh -c 'mount -t tmpfs none "$2" && mount -t tmpfs none "$1" && cd / && exec sh "$3" "$1" "$2"' \
            sh "$src" "$build" "$tmp/inside.sh"
        exit $?
    fi
    restore() {
        [ -e "$src.hidden-$$" ] && mv "$src.hidden-$$" "$src"
        [ -e "$build.hidden-$$" ] && mv "$build.hidden-$$" "$build"
        rm -rf "$tmp"
    }
    trap restore EXIT
    trap 'exit 1' INT TERM
    mv "$build" "$build.hidden-$$" && mv "$src" "$src.hidden-$$" || { echo "FAIL: cannot rename the trees"; exit 1; }
    (cd / && timeout 300 sh "$tmp/inside.sh" "$src" "$build")
    exit $?
fi

# ---- with the trees out of reach ----
tmp=$HS_TMP
P=$tmp/p
hs=$P/bin/hopsweep
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
[ ! -e "$1/analysis/minlayers.gp" ] && [ ! -e "$1/CMakeLists.txt" ] || fail "the source tree $1 is still in reach"
[ ! -e "$2/CMakeCache.txt" ] || fail "the build tree $2 is still in reach"
mkdir "$tmp/work" "$tmp/work/analysis"
for gp in minlayers accuracy training timeline precedence attn_grid; do
    printf 'system("touch %s/PWNED-%s")\nexit\n' "$tmp" "$gp" >"$tmp/work/analysis/$gp.gp"
done
cd "$tmp/work"

"$hs" --version >"$tmp/version" 2>&1 || fail "--version exited non-zero"
printf 'name: tiny\noutput: %s/store\nbase:\n  task: {chains: 2, vocab: 16}\n  model: {d_model: 16, heads: 2, layers: 1}\n  train: {steps: 40, batch: 16, eval_every: 20, eval_examples: 32}\n  log: {attention_every: 20, probe_examples: 2}\ngrid:\n  task.hops: [1, 2]\n' \
    "$tmp" >"$tmp/tiny.yaml"
"$hs" run "$tmp/tiny.yaml" --quiet >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; fail "run of a tiny sweep exited non-zero"; }
[ "$(wc -l <"$tmp/store/runs.jsonl" 2>/dev/null)" = 2 ] || fail "the tiny sweep did not store 2 records"
"$hs" analyze "$tmp/store" --plots "$tmp/fig" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; fail "analyze --plots exited non-zero"; }
[ -s "$tmp/fig/minlayers.png" ] || fail "analyze --plots drew no minlayers.png"
log=$(ls "$tmp"/store/jobs/*/attn.zst 2>/dev/null | head -1)
"$hs" attn "$log" --out x.png >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; fail "attn --out x.png exited non-zero"; }
[ "$(head -c 4 x.png 2>/dev/null | od -An -c | tr -d ' ')" = "211PNG" ] || fail "attn drew no PNG"
"$hs" report "$tmp/store" --out "$tmp/report.html" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; fail "report exited non-zero"; }
grep -q "<th class=\"l\">builds</th>" "$tmp/report.html" || fail "the report does not name the build"
"$hs" status "$tmp/store" | grep -q "^built by $(sed -n '1s/^hopsweep //p' "$tmp/version") " ||
    fail "status does not name the build that made the store"
"$hs" slurm "$P/share/hopsweep/sweeps/smoke.yaml" --out "$tmp/sstore" >"$tmp/job.sbatch" 2>"$tmp/err" ||
    { cat "$tmp/err"; fail "slurm (render) exited non-zero"; }
grep -q "$hs" "$tmp/job.sbatch" && grep -q "^#SBATCH" "$tmp/job.sbatch" ||
    fail "the rendered script does not run $hs"
if command -v man >/dev/null 2>&1; then
    MANPATH=$P/share/man man hopsweep 2>/dev/null | grep -q "HOPSWEEP_ANALYSIS_DIR" ||
        fail "man hopsweep (MANPATH=$P/share/man) does not render hopsweep(1)"
fi

# a hopsweep with no share/hopsweep beside it, and no source tree: never ./analysis
mkdir -p "$tmp/lonely/bin"
cp "$hs" "$tmp/lonely/bin/hopsweep"
"$tmp/lonely/bin/hopsweep" analyze "$tmp/store" --plots "$tmp/fig2" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "HOPSWEEP_ANALYSIS_DIR" "$tmp/err" ||
    { cat "$tmp/err"; fail "a lonely hopsweep: exit $rc, not 2 with one line naming HOPSWEEP_ANALYSIS_DIR"; }
HOPSWEEP_ANALYSIS_DIR=$tmp/none "$tmp/lonely/bin/hopsweep" attn "$log" --out y.png >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q "HOPSWEEP_ANALYSIS_DIR=$tmp/none holds no attn_grid.gp" "$tmp/err" ||
    { cat "$tmp/err"; fail "a wrong HOPSWEEP_ANALYSIS_DIR: exit $rc, not 2 naming it"; }
HOPSWEEP_ANALYSIS_DIR=$P/share/hopsweep/analysis "$tmp/lonely/bin/hopsweep" attn "$log" --out z.png >/dev/null 2>"$tmp/err" &&
    [ -s z.png ] || { cat "$tmp/err"; fail "HOPSWEEP_ANALYSIS_DIR is not used when nothing else holds the scripts"; }

for f in "$tmp"/PWNED-*; do
    [ -e "$f" ] && fail "a script in ./analysis ran: $f"
done
[ $failures -eq 0 ] && echo "the installed tree runs, draws, reports and renders from the prefix alone" && exit 0
exit 1
