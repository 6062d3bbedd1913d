#!/bin/sh
# A store written by hopsweep before the architecture round (tests/fixtures/store-before-arch,
# made by commit d0d9eed from its compat.yaml) still reads the same today: analyze in every
# format, status, the report and the figures' data are byte-identical to what that hopsweep
# printed, and rerunning the sweep finishes its interrupted job (resuming it, or restarting it
# from step 0 when its resume state is from an older format) to the very record, metrics and
# attention log the old hopsweep produced. Nothing in the fixture is changed: it is copied.
set -eu
hs=$1
fx=$(cd "$(dirname "$0")/../fixtures/store-before-arch" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -R "$fx/store" "$tmp/store"
# the report shows when sweep.yaml and runs.jsonl were last written; a checkout dates them now
touch -d '2026-12-01 12:00:00 UTC' "$tmp/store/sweep.yaml" "$tmp/store/runs.jsonl"
cd "$tmp"
fail() { echo "FAIL: $*"; exit 1; }
same() { # golden-file name, command...
    want=$fx/golden/$1
    shift
    "$@" >"$tmp/got" 2>"$tmp/err" || { cat "$tmp/err"; fail "$* exited non-zero"; }
    cmp -s "$tmp/got" "$want" || { diff "$want" "$tmp/got" | head -20; fail "$* differs from $want"; }
}

same analyze.txt "$hs" analyze store
same analyze.csv "$hs" analyze store --csv
same analyze.json "$hs" analyze store --json
same analyze.md "$hs" analyze store --markdown
same status.txt "$hs" status store
same status.json "$hs" status store --json
mkdir plots rep
"$hs" analyze store --plots plots >/dev/null 2>&1 || fail "analyze --plots exited non-zero"
(cd plots && sha256sum -c --quiet "$fx/golden/plots.sha256") || fail "the figures' data differ"
"$hs" report store --out rep/report.html >/dev/null 2>&1 || fail "report exited non-zero"
(cd rep && sha256sum -c --quiet "$fx/golden/report.sha256") || fail "the report differs"

# finish the sweep: the failed job stays failed (skipped), the interrupted one runs to its end
"$hs" run "$fx/compat.yaml" --out store --quiet 2>"$tmp/run.log" || { cat "$tmp/run.log"; fail "run exited non-zero"; }
grep -q "1 done, 0 failed, 0 interrupted, 9 skipped" "$tmp/run.log" || { cat "$tmp/run.log"; fail "run did not finish the interrupted job alone"; }
id=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$fx/golden/finished-record.json")
[ ! -e "store/jobs/$id/resume.bin" ] || fail "the resume state was left behind"
cmp -s "store/jobs/$id/metrics.csv" "$fx/golden/finished-metrics.csv" || fail "the finished job's metrics.csv differs"
(cd "store/jobs/$id" && sha256sum -c --quiet "$fx/golden/finished-attn.sha256") || fail "the finished job's attention log differs"
/usr/bin/python3 - "$fx/golden/finished-record.json" store/runs.jsonl <<'PY'
import json, sys
where_and_when = ("wall_s", "rank", "host")
want = json.load(open(sys.argv[1]))
got = json.loads(open(sys.argv[2], "rb").read().splitlines()[-1])
a = {k: v for k, v in want.items() if k not in where_and_when}
b = {k: v for k, v in got.items() if k not in where_and_when}
assert json.dumps(a) == json.dumps(b), f"the finished record differs:\n{a}\n{b}"
PY
same analyze-finished.txt "$hs" analyze store
echo "store written before the architecture round: reads the same and finishes the same"
