#!/bin/sh
# A store written by hopsweep before the architecture round (tests/fixtures/store-before-arch,
# made by commit d0d9eed from its compat.yaml) still reads the same today: analyze in every
# format, status, the report and the figures' data are byte-identical to what that hopsweep
# printed (the key-effect tables and report section added since aside: they must be there), and rerunning the sweep finishes its interrupted job (resuming it, or restarting it
# from step 0 when its resume state is from an older format) to the record, metrics and
# attention log of the same job run whole — and, on a build and CPU that train as the fixture's
# machine did, to the very ones the old hopsweep produced. The fixture is copied, never changed.
set -eu
. "$(dirname "$0")/lib.sh"
fx=$(cd "$(dirname "$0")/../fixtures/store-before-arch" && pwd)
HOPSWEEP_ANALYSIS_DIR=$(cd "$(dirname "$0")/../../analysis" && pwd)
export HOPSWEEP_ANALYSIS_DIR
cp -R "$fx/store" "$tmp/store"
# the report shows when sweep.yaml and runs.jsonl were last written; a checkout dates them now
touch -d '2026-12-01 12:00:00 UTC' "$tmp/store/sweep.yaml" "$tmp/store/runs.jsonl"
cd "$tmp"
# What the old hopsweep printed is kept byte for byte; the tables added since (the key effects,
# key_effects.h) come after it, and are taken off before comparing — after checking they are there.
since_then() { # golden-file name, file: the file without what was added after the fixture
    case $1 in
    analyze*.txt) grep -q '^Key effects: ' "$2" && sed '/^Key effects: /,$d' "$2" ;;
    analyze.md) grep -q '^### Key effects: ' "$2" && sed '/^### Key effects: /,$d' "$2" ;;
    analyze.csv) grep -q '^# key_summary$' "$2" && sed '/^# key_summary$/,$d' "$2" | sed '$d' ;;
    analyze.json) /usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert "key_summary" in d and "key_effects" in d, "no key-effect tables"
del d["key_summary"], d["key_effects"]
print(json.dumps(d))' "$2" ;;
    report.html) grep -q '^<section id="key-effects">' "$2" && sed -e '/^<section id="key-effects">/d' \
        -e 's| · <a href="#key-effects">key effects</a>||' "$2" ;;
    *) cat "$2" ;;
    esac
}
same() { # golden-file name, command...
    want=$fx/golden/$1
    name=$1
    shift
    "$@" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err"; die "$* exited non-zero"; }
    since_then "$name" "$tmp/out" >"$tmp/got" || die "$*: the tables added since are missing"
    if [ "$name" = analyze.json ]; then
        /usr/bin/python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))))' "$want" >"$tmp/want"
        want=$tmp/want
    fi
    cmp -s "$tmp/got" "$want" || { diff "$want" "$tmp/got" | head -20; die "$* differs from $want"; }
}

same analyze.txt "$hs" analyze store
same analyze.csv "$hs" analyze store --csv
same analyze.json "$hs" analyze store --json
same analyze.md "$hs" analyze store --markdown
same status.txt "$hs" status store
same status.json "$hs" status store --json
mkdir plots rep
"$hs" analyze store --plots plots >/dev/null 2>&1 || die "analyze --plots exited non-zero"
(cd plots && sha256sum -c --quiet "$fx/golden/plots.sha256") || die "the figures' data differ"
"$hs" report store --out rep/full.html >/dev/null 2>&1 || die "report exited non-zero"
since_then report.html rep/full.html >rep/report.html || die "the report has no key-effects section"
rm rep/full.html
(cd rep && sha256sum -c --quiet "$fx/golden/report.sha256") || die "the report differs"

# finish the sweep: the failed job stays failed (skipped), the interrupted one runs to its end
"$hs" run "$fx/compat.yaml" --out store --quiet 2>"$tmp/run.log" || { cat "$tmp/run.log"; die "run exited non-zero"; }
grep -q "1 done, 0 failed, 0 interrupted, 9 skipped" "$tmp/run.log" || { cat "$tmp/run.log"; die "run did not finish the interrupted job alone"; }
id=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$fx/golden/finished-record.json")
[ ! -e "store/jobs/$id/resume.bin" ] || die "the resume state was left behind"
# The same job run whole today (task.hops=3 leaves only it) is what the finished one must equal.
"$hs" run "$fx/compat.yaml" task.hops=3 --out whole --quiet 2>/dev/null || die "the whole run exited non-zero"
same_job() { # store A (today's), store B: the job's record (where and how fast aside), metrics and log
    cmp -s "$1/jobs/$id/metrics.csv" "$2/jobs/$id/metrics.csv" || die "$1 and $2: metrics.csv differs"
    cmp -s "$1/jobs/$id/attn.zst" "$2/jobs/$id/attn.zst" || die "$1 and $2: attn.zst differs"
    /usr/bin/python3 - "$id" "$1/runs.jsonl" "$2/runs.jsonl" <<'PY'
import json, sys
where_and_when = ("wall_s", "rank", "host")
def final(path):
    recs = [json.loads(l) for l in open(path, "rb").read().splitlines()]
    r = [x for x in recs if x["id"] == sys.argv[1]][-1]
    return {k: v for k, v in r.items() if k not in where_and_when}
a, b = final(sys.argv[2]), final(sys.argv[3])
# Keys added to the config since the older record was written (model.dropout, ...) enter the id
# only away from their defaults, so with equal ids the configs are the same job: compare the keys
# both records have.
for sec in set(a["config"]) | set(b["config"]):
    x, y = a["config"].get(sec, {}), b["config"].get(sec, {})
    for k in set(x) ^ set(y):
        x.pop(k, None), y.pop(k, None)
# today's record names the build that made it and its files' sizes; the old hopsweep's had no
# such fields (issues 23 and 22), and they are the only differences allowed
assert set(a.get("build", {})) == {"version", "commit"}, f"no build {{version, commit}} in {a}"
assert set(a.get("sizes", {})) == {"metrics", "attention", "model"}, f"no sizes in {a}"
for new in ("build", "sizes"):
    if new not in b:
        del a[new]
assert json.dumps(a) == json.dumps(b), f"the finished record differs:\n{a}\n{b}"
PY
}
same_job store whole
# The store now mixes builds: nine records from the old hopsweep, which named none, and the
# finished one from this build; status (text and JSON) and the report say so.
version=$("$hs" --version | sed -n '1s/^hopsweep //p')
commit=$("$hs" --version | sed -n 's/^commit   \([0-9a-f]\{12\}\).*/\1/p')
"$hs" status store >"$tmp/st.txt" || die "status of the finished store exited non-zero"
grep -qF "built by $version (commit $commit): 1 record; 9 naming no build" "$tmp/st.txt" ||
    { cat "$tmp/st.txt"; die "status does not name the builds of the store"; }
"$hs" status store --json | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
assert [b["version"] for b in s["builds"]] == [sys.argv[1]] and s["builds"][0]["records"] == 1, s["builds"]
assert s["records_without_build"] == 9, s' "$version" || die "status --json does not name the builds"
"$hs" report store --out rep/finished.html >/dev/null 2>&1 || die "report of the finished store exited non-zero"
grep -qF "<th class=\"l\">builds</th><td class=\"l\">$version (commit $commit): 1 record; 9 naming no build" rep/finished.html ||
    die "the report does not name the builds of the store"
# Training's last bits depend on the CPU's kernels and the build type. Where they match the
# fixture's machine (its golden metrics), the finished store must also equal the old one's.
if cmp -s "store/jobs/$id/metrics.csv" "$fx/golden/finished-metrics.csv"; then
    (cd "store/jobs/$id" && sha256sum -c --quiet "$fx/golden/finished-attn.sha256") || die "the finished job's attention log differs from the old one's"
    mkdir old && cp "$fx/golden/finished-record.json" old/runs.jsonl && mkdir -p "old/jobs/$id" &&
        cp "store/jobs/$id/metrics.csv" "store/jobs/$id/attn.zst" "old/jobs/$id/"
    same_job store old
    same analyze-finished.txt "$hs" analyze store
    echo "store written before the architecture round: reads the same and finishes as the old hopsweep did"
else
    echo "store written before the architecture round: reads the same, and finishes as a whole run does"
    echo "(this build and CPU train the job differently from the fixture's machine: compared with a whole run)"
fi
