# lib.sh — the preamble the shell tests share (not a test: ctest runs only the other *.sh).
# A test sets its own mode, `set -u` (count failures, report them all) or `set -eu` (stop at the
# first failing command), then sources this file with `. "$(dirname "$0")/lib.sh"` (from another
# folder of tests/: "$(dirname "$0")/../cli/lib.sh"). It gives:
#   hs        the program under test, from $1, as an absolute path (tests often cd into $tmp)
#   here      the test's own folder, absolute
#   py        Debian's python3: the first python3 on PATH may lack numpy and PyYAML
#   tmp       a new directory, removed when the test exits
#   bg        pids of background processes, killed (-9) when the test exits; a test that must
#             undo more (SIGCONT a stopped process, end a lock holder) defines on_exit()
#   fail MSG  prints "FAIL: MSG" and counts it in $failures; the test ends by exiting non-zero
#             when $failures is not 0
#   die MSG   prints "FAIL: MSG" and exits 1, for tests where nothing after a failure means much

hs=${1:+$(readlink -f "$1")}
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
tmp=$(mktemp -d)
bg=""
failures=0

on_exit() { :; }

# Every step may fail (a process already gone) without turning a passing `set -e` test into a
# failing one.
cleanup() {
    on_exit || :
    [ -z "$bg" ] || kill -9 $bg 2>/dev/null || :
    rm -rf "$tmp" || :
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

die() {
    echo "FAIL: $*"
    exit 1
}
