#!/bin/sh
# The gnuplot scripts are never taken from the directory hopsweep is started in (issue 22 item 7,
# issue 23): a gnuplot script can run any command through system(), so hostile
# ./analysis/minlayers.gp and ./analysis/attn_grid.gp, whose every line would touch a marker
# file, lie in the working directory while `analyze --plots` and `attn --out x.png` run with
# HOPSWEEP_ANALYSIS_DIR unset; the figures must come out of the real scripts (found in the source
# tree this build was made from) and the marker must never appear. (That a hopsweep which finds
# no script anywhere else refuses rather than falls back to ./analysis is in
# tests/install/installed_tree.sh, which can hide the source tree.)
# usage: analysis_cwd.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"
fx=$(cd "$(dirname "$0")/../fixtures/store-before-arch" && pwd)
unset HOPSWEEP_ANALYSIS_DIR
command -v gnuplot >/dev/null 2>&1 || { echo "skip: gnuplot is not installed"; exit 77; }
mkdir "$tmp/work" "$tmp/work/analysis"
for gp in minlayers accuracy training timeline precedence attn_grid; do
    printf 'system("touch %s/PWNED-%s")\nexit\n' "$tmp" "$gp" >"$tmp/work/analysis/$gp.gp"
done
cp -R "$fx/store" "$tmp/store"
cd "$tmp/work"

"$hs" analyze "$tmp/store" --plots "$tmp/plots" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || { cat "$tmp/err"; fail "analyze --plots exited $rc"; }
[ -s "$tmp/plots/minlayers.png" ] || fail "analyze --plots drew no minlayers.png"
log=$(ls "$tmp"/store/jobs/*/attn.zst 2>/dev/null | head -1)
if [ -n "$log" ]; then
    "$hs" attn "$log" --out "$tmp/x.png" >/dev/null 2>"$tmp/err"
    rc=$?
    [ $rc -eq 0 ] || { cat "$tmp/err"; fail "attn --out x.png exited $rc"; }
    [ "$(head -c 4 "$tmp/x.png" | od -An -c | tr -d ' ')" = "211PNG" ] || fail "attn drew no PNG"
else
    fail "the fixture store has no attention log"
fi
for f in "$tmp"/PWNED-*; do
    [ -e "$f" ] && fail "a script in ./analysis ran: $f"
done
[ $failures -eq 0 ] && echo "./analysis in the working directory is never run" && exit 0
exit 1
