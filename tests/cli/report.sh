#!/bin/sh
# `hopsweep report` end to end: a tiny sweep run here (seconds), one of its jobs then marked failed;
# the page is checked as text (loads nothing, minimum layers and key effects equal `hopsweep analyze
# --json`, every job row links to its section) and opened in headless Chromium: no console message,
# no request but the page itself (net log; a control page that does load something shows the check
# can fail), the sections in the DOM after the sorting script ran, a screenshot that is not blank.
# Also: a store still being written (half a last line), an empty store (a clear page), --max-jobs,
# and a directory that is not a store (one line, exit 2). Without Chromium the browser part is
# skipped with a message.
# usage: report.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"
check="$py $here/report_check.py"

cat >"$tmp/s.yaml" <<YAML
name: tinyreport
output: $tmp/store
base:
  task: {chains: 2, vocab: 16, curriculum: implicit}
  model: {d_model: 16, heads: 2, mlp: 2}
  train: {steps: 100, batch: 16, eval_every: 25, eval_examples: 32}
  log: {attention_every: 50, probe_examples: 2}
grid:
  model.layers: [1, 2]
  task.hops: [1, 2]
  train.lr: [0.003, 0.002]
YAML
"$hs" run "$tmp/s.yaml" >"$tmp/run.out" 2>&1 || fail "the sweep did not run: $(tail -3 "$tmp/run.out")"
S=$tmp/store
# One job failed (its record says so, as a diverged job's does).
$py - "$S/runs.jsonl" <<'PY' || fail "could not edit the records"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
recs[-1]["status"], recs[-1]["error"] = "failed", "diverged: loss is NaN at step 60"
with open(sys.argv[1], "w") as f:
    f.writelines(json.dumps(r) + "\n" for r in recs)
PY

out=$("$hs" report "$S" 2>"$tmp/err") || fail "report exit $?: $(cat "$tmp/err")"
[ "$out" = "$S/report.html" ] || fail "report printed \"$out\", not the page's path"
page=$S/report.html
"$hs" analyze "$S" --json >"$tmp/analyze.json" 2>/dev/null || fail "analyze --json failed"
$check static "$page" "$tmp/analyze.json" 8 || fail "static checks of the page"
grep -q 'diverged: loss is NaN at step 60' "$page" || fail "the failed job's error is not shown"
grep -q 'data-k="failed">1<' "$page" || fail "the sweep section does not count the failed job"
[ "$(grep -c '<section class="job"' "$page")" -eq 8 ] || fail "not one section per job"
[ "$(grep -c 'aria-label="attention step' "$page")" -gt 0 ] || fail "no attention grid"
grep -q 'aria-label="head roles of' "$page" || fail "no head-role timeline"

$check labels "$page" || fail "setting labels and role colours"

# --max-jobs caps the full sections; every other job gets a short one, so every id still links.
"$hs" report "$S" --out "$tmp/capped.html" --max-jobs 1 >/dev/null || fail "--max-jobs exit $?"
[ "$(grep -c '<section class="job"' "$tmp/capped.html")" -eq 1 ] || fail "--max-jobs 1: not one section"
[ "$(grep -c '<section class="job brief"' "$tmp/capped.html")" -eq 7 ] || fail "--max-jobs 1: not 7 short sections"
$check static "$tmp/capped.html" "$tmp/analyze.json" 8 >/dev/null || fail "--max-jobs 1: static checks"

# A running job (a heartbeat and metrics.csv so far, no record): in the table, linked, with its curves.
cp -r "$S" "$tmp/live"
live_id=0123456789abcdef
mkdir "$tmp/live/jobs/$live_id"
head -3 "$(ls "$S"/jobs/*/metrics.csv | head -1)" >"$tmp/live/jobs/$live_id/metrics.csv"
now=$(date +%s)
printf '{"id":"%s","sweep":"tinyreport","rank":1,"host":"h","pid":1,"step":30,"steps":100,"first_step":0,"eval":{"step":25,"query_acc":0.5,"eval_loss":1,"train_loss":1},"evals":2,"eval_s":1,"started":%s,"updated":%s}' \
    "$live_id" "$now" "$now" >"$tmp/live/jobs/$live_id/running.json"
"$hs" report "$tmp/live" >/dev/null 2>"$tmp/err" || fail "store with a running job: exit $?: $(cat "$tmp/err")"
grep -q "id=\"row-$live_id\".*st-running" "$tmp/live/report.html" || fail "the running job is not in the table"
grep -q "id=\"job-$live_id\"" "$tmp/live/report.html" || fail "the running job has no section"
grep -q "\"$live_id\":{\"step\":\[0,25\]" "$tmp/live/report.html" || fail "the running job's curves so far are not in the page"

# A store still being written: half a last line is left out and said so.
cp -r "$S" "$tmp/writing"
printf '{"id":"00000000000000ff","status":"do' >>"$tmp/writing/runs.jsonl"
"$hs" report "$tmp/writing" >/dev/null 2>"$tmp/err" || fail "store being written: exit $?"
grep -q 'without its newline' "$tmp/writing/report.html" || grep -q 'partial' "$tmp/writing/report.html" ||
    fail "store being written: no notice of the partial line"

# An empty store: a clear page.
mkdir "$tmp/empty"
cp "$S/sweep.yaml" "$tmp/empty/"
: >"$tmp/empty/runs.jsonl"
"$hs" report "$tmp/empty" >/dev/null 2>"$tmp/err" || fail "empty store: exit $?: $(cat "$tmp/err")"
grep -q 'id="empty"' "$tmp/empty/report.html" || fail "empty store: no message"
grep -q 'No job has finished yet' "$tmp/empty/report.html" || fail "empty store: unclear message"
grep -q 'data-k="never">8<' "$tmp/empty/report.html" || fail "empty store: jobs never started not counted"

# Not a store: one line, exit 2, no page.
mkdir "$tmp/nostore"
"$hs" report "$tmp/nostore" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "not a store: exit $rc"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "not a store: $(cat "$tmp/err")"
[ -e "$tmp/nostore/report.html" ] && fail "not a store: a page was written"
"$hs" report "$S" --max-jobs -1 >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad --max-jobs: not exit 2"

# The browser.
chromium=/usr/bin/chromium
if [ ! -x "$chromium" ]; then
    echo "SKIP: $chromium is not installed (.ci/install-deps installs Debian's chromium); the page was checked as text only"
else
    browse() { # browse URL OUTFLAGS...: one headless run with its own profile
        url=$1
        shift
        timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
            --disable-background-networking --disable-component-update --disable-sync \
            --user-data-dir="$(mktemp -d "$tmp/profile.XXXXXX")" --enable-logging=stderr --v=0 \
            "$@" "$url"
    }
    browse "file://$page" --log-net-log="$tmp/net.json" --dump-dom >"$tmp/dom.html" 2>"$tmp/chrome.err"
    rc=$?
    if [ $rc -ne 0 ] || [ ! -s "$tmp/dom.html" ]; then
        echo "SKIP: chromium could not start here (exit $rc): $(grep -v dbus "$tmp/chrome.err" | tail -2)"
    else
        $check dom "$tmp/dom.html" || fail "DOM checks"
        if grep -q 'CONSOLE' "$tmp/chrome.err"; then
            fail "console messages: $(grep CONSOLE "$tmp/chrome.err")"
        fi
        $check netlog "$tmp/net.json" "file://$page" >"$tmp/net.out" || fail "network: $(cat "$tmp/net.out")"
        # Control: a page that loads an image is caught by the same check.
        printf '<!DOCTYPE html><img src="http://127.0.0.1:9/x.png">' >"$tmp/control.html"
        browse "file://$tmp/control.html" --log-net-log="$tmp/net2.json" --dump-dom >/dev/null 2>&1
        $check netlog "$tmp/net2.json" "file://$tmp/control.html" >/dev/null 2>&1 &&
            fail "the network check did not see the control page's request"
        browse "file://$page" --window-size=1100,1600 --screenshot="$tmp/shot.png" >/dev/null 2>&1 ||
            fail "screenshot: chromium exit $?"
        $check png "$tmp/shot.png" || fail "screenshot checks"
        # The filter and the comparison, driven by the address: the jobs of train.lr=0.002 shown,
        # two of them overlaid on every comparison figure.
        pick=$($py -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; print(",".join(x["id"] for x in r if x["config"]["train"]["lr"] == 0.002 and x["status"] == "done")[:33])' "$S/runs.jsonl")
        browse "file://$page#filter=train.lr%3D0.002&compare=$pick" --dump-dom >"$tmp/dom2.html" 2>/dev/null
        $check compare "$tmp/dom2.html" "train.lr=0.002" "$pick" || fail "filter and comparison"
    fi
fi

[ $failures -eq 0 ] && echo "report: all checks passed"
exit $failures
