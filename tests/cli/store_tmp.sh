#!/bin/sh
# Temporary files and the commands that write without the store's lock (issue 22, K01, CR06):
# `run` opening a store while `report` writes into it leaves report's in-flight temporary alone
# (its writer's pid is alive); a report ended by SIGTERM removes its own temporary, and one
# SIGKILLed leaves one that the next report removes. The write is held open with strace's fsync
# delay (5 s) so the race is deterministic (skipped, exit 77, without strace).
# usage: store_tmp.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || { echo "no strace: skipped"; exit 77; }
cd "$tmp" || exit 1
cat >s.yaml <<'YAML'
name: s
output: st
base: {task: {chains: 2, hops: 2}, model: {d_model: 16, layers: 1, heads: 1, mlp: 1}, train: {steps: 20, batch: 8, eval_every: 10, eval_examples: 16}}
grid: {train.seed: [0, 1]}
YAML
"$hs" run s.yaml --quiet || fail "the store could not be made"

# slow_report: a report whose fsync of the page waits 5 s, in the background; waits until its
# temporary exists and sets $bg (strace's pid) and $rp (report's pid)
slow_report() {
    # LeakSanitizer cannot run under ptrace: a sanitizer build checks leaks everywhere but here
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:delay_enter=5000000 \
        "$hs" report st >rep.out 2>rep.err &
    bg=$!
    i=0
    until ls st/report.html.*.tmp >/dev/null 2>&1; do
        i=$((i + 1))
        [ $i -lt 200 ] || { fail "report wrote no temporary"; return 1; }
        sleep 0.05
    done
    rp=$(ls st/report.html.*.tmp | sed 's/.*report\.html\.\([0-9]*\)-.*/\1/')
}

# K01: run opens the store mid-write; the report still succeeds
if slow_report; then
    "$hs" run s.yaml --quiet || fail "run on the store: exit $?"
    rc=0
    wait "$bg" || rc=$?
    bg=""
    [ "$rc" -eq 0 ] || fail "report while run opened the store: exit $rc: $(cat rep.err)"
    grep -q '</html>' st/report.html || fail "the page is not whole"
fi
[ "$failures" -eq 0 ] && echo "ok: run opening the store leaves report's in-flight temporary alone"

# CR06: SIGTERM mid-write removes the temporary; the old page stays whole
cp st/report.html old.html
if slow_report; then
    kill -TERM "$rp"
    rc=0
    wait "$bg" 2>/dev/null || rc=$?
    bg=""
    ls st/report.html.*.tmp >/dev/null 2>&1 && fail "SIGTERM: report left $(ls st/*.tmp)"
    # on a very loaded machine the signal can land after the write: then the page is new, whole
    if [ "$rc" -eq 0 ]; then
        echo "note: SIGTERM came after the write finished; only the leftover check applies"
    else
        cmp -s old.html st/report.html || fail "SIGTERM: the old page changed"
    fi
fi
# SIGKILL cannot be caught: the next report removes what it left, and no other writer's
if slow_report; then
    kill -KILL "$rp"
    wait "$bg" 2>/dev/null
    bg=""
    ls st/report.html.*.tmp >/dev/null 2>&1 || fail "SIGKILL left no temporary to test with"
    sleep 30 &
    live=$!
    host=$(ls st/report.html.*.tmp | sed 's/.*-\([0-9a-f]*\)\.0\.tmp/\1/')
    echo x >"st/report.html.$live-$host.0.tmp"
    "$hs" report st >/dev/null || fail "report after a killed one: exit $?"
    left=$(ls st/*.tmp 2>/dev/null)
    [ "$left" = "st/report.html.$live-$host.0.tmp" ] ||
        fail "after a killed report, temporaries left: '$left' (wanted only the live writer's)"
    kill "$live"
fi
[ "$failures" -eq 0 ] && echo "ok: a report ended by a signal leaves nothing the next one does not clean"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "store_tmp: all ok"
