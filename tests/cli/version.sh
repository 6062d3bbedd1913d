#!/bin/sh
# `hopsweep --version` (issue 23): version, commit, build type, MPI and BLAS, the engine and its
# kernel ISA, the elementwise ops' ISA and whether bf16 runs here — each line what the binary
# really does: the job record's `build` carries the same version and commit, bf16 runs exactly
# when it says so, and the version is the one `git describe` gives for this checkout.
# usage: version.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../.." && pwd)

"$hs" --version >"$tmp/v" 2>"$tmp/err" || fail "--version exited non-zero: $(cat "$tmp/err")"
cat "$tmp/v"
[ "$(wc -l <"$tmp/v")" -eq 6 ] || fail "--version printed $(wc -l <"$tmp/v") lines, not 6"
for key in "hopsweep " "commit   " "build    " "engine   " "ops      " "bf16     "; do
    grep -q "^$key" "$tmp/v" || fail "--version has no line \"$key...\""
done
version=$(sed -n '1s/^hopsweep //p' "$tmp/v")
commit=$(sed -n 's/^commit   //p' "$tmp/v")
# the version git describe gives this checkout (cmake/version.cmake), or the bare project version
if [ -e "$src/.git" ] && command -v git >/dev/null 2>&1; then
    head=$(git -C "$src" rev-parse HEAD)
    [ "$commit" = "$head" ] || fail "commit $commit is not HEAD $head (rebuild?)"
    case $version in
    *-g"$(git -C "$src" rev-parse --short=7 HEAD)"*) ;;
    *) git -C "$src" describe --tags --match 'v[0-9]*' >/dev/null 2>&1 ||
        fail "version $version does not name commit $(git -C "$src" rev-parse --short=7 HEAD)" ;;
    esac
else
    echo "$version" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$' || fail "version $version outside git is not the project version"
fi
grep -Eq '^build    (Release|Debug|RelWithDebInfo|MinSizeRel|[A-Za-z]+), MPI (yes|no), BLAS ' "$tmp/v" ||
    fail "the build line does not say build type, MPI and BLAS"
grep -Eq '^engine   (onednn|openblas|[A-Za-z]+)' "$tmp/v" || fail "no engine named"

# the record of a two-step job names the same build
"$hs" train task.hops=1 model.layers=1 train.steps=2 train.eval_every=1 --json --quiet \
    >"$tmp/rec" 2>"$tmp/err" || fail "train exited non-zero: $(cat "$tmp/err")"
engine=$(sed -n 's/^engine   \([^ ]*\).*/\1/p' "$tmp/v")
/usr/bin/python3 - "$tmp/rec" "$version" "$commit" "$engine" <<'PY' || fail "the record's build is not --version's"
import json, sys
rec = json.loads(open(sys.argv[1]).read().splitlines()[-1])
keys = list(rec)
assert keys.index("build") == keys.index("engine") + 1, keys  # beside engine (DESIGN §3)
want_commit = None if sys.argv[3].startswith("unknown") else sys.argv[3]
assert rec["build"] == {"version": sys.argv[2], "commit": want_commit}, rec["build"]
assert rec["engine"].split()[0] == sys.argv[4], (rec["engine"], sys.argv[4])
PY

# bf16 runs exactly when --version says it does
"$hs" train task.hops=1 model.layers=1 train.steps=2 train.eval_every=1 train.precision=bf16 \
    --quiet >/dev/null 2>"$tmp/err"
rc=$?
if grep -q "^bf16     runs here" "$tmp/v"; then
    [ $rc -eq 0 ] || fail "--version says bf16 runs, but a bf16 job exited $rc: $(cat "$tmp/err")"
else
    [ $rc -eq 2 ] || fail "--version says bf16 does not run, but a bf16 job exited $rc"
fi
[ $failures -eq 0 ] && echo "--version says what the binary does, and the record carries its build" && exit 0
exit 1
