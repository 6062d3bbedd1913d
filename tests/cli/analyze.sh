#!/bin/sh
# `hopsweep analyze` end to end on a small hand-shaped store with known answers (its ids are
# the real ones, from `hopsweep expand`, since analyze refuses a record whose id is not the hash
# of its config; a forged line among them is skipped and named): the minimum
# layers table (solved, above the tested depths, a disagreement with the theory), counts of
# failed and interrupted runs, emergence statistics, every output format, determinism, a store
# whose lock is held by a running sweep and whose last line is half written (read, not
# repaired), figures with gnuplot (or the one-line refusal without it), and bad input: one
# line on stderr, exit 2, nothing on stdout.
# usage: analyze.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"
HOPSWEEP_ANALYSIS_DIR=$here/../../analysis
export HOPSWEEP_ANALYSIS_DIR
lockpid=
on_exit() { [ -z "$lockpid" ] || kill "$lockpid" 2>/dev/null; }

# idof CURRICULUM HOPS LAYERS SEED: the id hopsweep gives that job (the config rec writes)
printf 'name: t\noutput: %s/unused\nbase: {model: {heads: 2}, task: {chains: 2}}\n' "$tmp" >"$tmp/id.yaml"
idof() {
    "$hs" expand "$tmp/id.yaml" task.curriculum=$1 task.hops=$2 model.layers=$3 train.seed=$4 | head -1 | cut -c1-16
}

# rec CURRICULUM HOPS LAYERS SEED STATUS QUERY_ACC HOP_STEPS EMERGENCE_TAIL
rec() {
    id=$(idof "$1" "$2" "$3" "$4")
    [ ${#id} -eq 16 ] || { fail "no id for $*"; return; }
    rec_id "$id" "$@"
}
# rec_id ID CURRICULUM ... as rec, under the given id
rec_id() {
    printf '{"id":"%s","sweep":"t","config":{"model":{"layers":%s,"heads":2},"task":{"hops":%s,"curriculum":"%s","chains":2},"train":{"seed":%s}},"status":"%s","error":null,"host":"h","rank":0,"wall_s":1,"steps":500,"final":{"loss":0.1,"query_acc":%s,"hop_acc":null},"emergence":{"hop_steps":%s%s},"files":{"metrics":"jobs/%s/metrics.csv","attention":null,"model":null}}\n' \
        "$1" "$4" "$3" "$2" "$5" "$6" "$7" "$8" "$9" "$1"
}

S=$tmp/store
A1=$(idof implicit 2 2 0) # the run with metrics.csv
R11=$(idof implicit 1 1 0)
mkdir -p "$S/jobs/$A1"
heads1=',"heads":[{"layer":1,"head":0,"role":"L1:-1","score":0.9,"step":100},{"layer":1,"head":1,"role":"L1:+1","score":0.8,"step":200},{"layer":2,"head":0,"role":"L2:-3","score":0.7,"step":300}],"order":["L1:-1","L1:+1","L2:-3"]'
heads2=',"heads":[{"layer":1,"head":0,"role":"L1:-1","score":0.9,"step":200},{"layer":1,"head":1,"role":"L1:+1","score":0.8,"step":100},{"layer":2,"head":0,"role":"L2:-3","score":0.3,"step":null}],"order":["L1:+1","L1:-1"]'
{
    # implicit: 1 layer solves 1 hop; 2 layers solve 2 hops (not 1 layer); nothing solves 5
    rec implicit 1 1 0 done 0.99 '[0,100]' ''
    rec implicit 1 1 1 done 0.98 '[0,100]' ''
    rec implicit 2 1 0 done 0.60 '[0,100,null]' ''
    rec implicit 2 1 1 done 0.55 '[0,100,null]' ''
    rec implicit 2 2 0 done 0.99 '[0,100,400]' "$heads1"
    rec implicit 2 2 1 done 0.97 '[0,200,300]' "$heads2"
    rec implicit 5 1 0 done 0.30 'null' ''
    rec implicit 5 1 1 failed null 'null' ''
    rec implicit 5 2 0 done 0.40 'null' ''
    rec implicit 5 2 1 done 0.50 'null' ''
    # none: 2 hops unsolved at 1 and 2 layers, though the theory says 2 suffice
    rec none 2 1 0 done 0.50 'null' ''
    rec none 2 1 1 done 0.50 'null' ''
    rec none 2 2 0 done 0.50 'null' ''
    rec none 2 2 1 interrupted 0.50 'null' ''
    rec none 2 2 1 done 0.60 'null' ''
    rec none 2 2 2 interrupted 0.90 'null' ''
    echo '{"id": "broken'
    # F11: a copy of the 1-hop 1-layer seed-0 record claiming 2 layers: its id is not its config's
    rec_id "$R11" implicit 1 2 0 done 0.99 '[0,100]' ''
    printf '{"id":"00000000000000ff","status":"do'
} >"$S/runs.jsonl"
printf 'step,lr,train_loss,eval_loss,query_acc,level,hop_0,hop_1,hop_2\n0,0.001,,3,0.1,2,0.5,0.2,0.1\n100,0.001,2,1.5,0.4,2,0.99,0.95,0.4\n200,0.001,1,1,0.9,2,1,0.97,0.9\n400,0.001,1,1,0.99,2,1,1,0.99\n' \
    >"$S/jobs/$A1/metrics.csv"
before=$(cksum <"$S/runs.jsonl")

# A running sweep holds the store's lock; analyze reads anyway and never repairs the file.
rm -f "$tmp/locked"
$py -c '
import fcntl, sys, time
f = open(sys.argv[1] + "/.lock", "w")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(60)
' "$S" "$tmp/locked" &
lockpid=$!
i=0
while [ ! -e "$tmp/locked" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -e "$tmp/locked" ] || fail "the helper could not take the store's lock"

"$hs" analyze "$S" >"$tmp/text" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "analyze exit $rc: $(cat "$tmp/err")"
kill "$lockpid" 2>/dev/null
wait "$lockpid" 2>/dev/null
lockpid=
[ "$(cksum <"$S/runs.jsonl")" = "$before" ] || fail "analyze changed runs.jsonl"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "expected one note on stderr, got: $(cat "$tmp/err")"
grep -q 'without its newline' "$tmp/err" || fail "no note about the partial last line"
grep -q 'skipped 2 unreadable line(s), the first at line 17' "$tmp/err" || fail "no note about the broken line"
# the forged line alone: one line naming the store's runs.jsonl, the line and why
head -17 "$S/runs.jsonl" | sed '17d' >"$tmp/forged.jsonl"
rec_id "$R11" implicit 1 2 0 done 0.99 '[0,100]' '' >>"$tmp/forged.jsonl"
mkdir -p "$tmp/forged" && mv "$tmp/forged.jsonl" "$tmp/forged/runs.jsonl"
"$hs" analyze "$tmp/forged" >"$tmp/ftext" 2>"$tmp/ferr"
rc=$?
[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/ferr")" -eq 1 ] &&
    grep -qF "$tmp/forged/runs.jsonl: skipped 1 unreadable line(s), the first at line 17 (an \"id\" that is not the hash of its config" "$tmp/ferr" ||
    fail "forged id: exit $rc, stderr: $(cat "$tmp/ferr")"
# nothing of it analysed: 1 hop at 1 layer still 2/2 0.98, and no 1-hop run at 2 layers
grep -Eq '^ *2 +- +2/2 0\.98 +0/2 0\.45$' "$tmp/ftext" && grep -q '15 runs: 13 done' "$tmp/ftext" ||
    fail "forged id: the forged record was analysed: $(cat "$tmp/ftext")"

# Minimum layers: columns hops, theory, none, implicit.
grep -Eq '^ *1 +1 +- +1$' "$tmp/text" || fail "hops 1 row"
grep -Eq '^ *2 +2 +>2! +2$' "$tmp/text" || fail "hops 2 row (none disagrees, implicit 2)"
grep -Eq '^ *5 +3 +- +>2$' "$tmp/text" || fail "hops 5 row"
grep -q '15 runs: 13 done, 1 failed (count as not solved), 1 interrupted' "$tmp/text" || fail "run counts"
# Accuracy matrix of implicit (columns hops 1, 2, 5): 2 layers at 2 hops solved by both seeds,
# mean 0.98, and never run at 1 hop; the failed seed counts at 5 hops and 1 layer.
grep -Eq '^ *2 +- +2/2 0\.98 +0/2 0\.45$' "$tmp/text" || fail "implicit accuracy row for 2 layers"
grep -Eq '^ *1 +2/2 0\.98 +0/2 0\.57 +0/2 0\.30$' "$tmp/text" || fail "implicit accuracy row for 1 layer"
# none at 2 layers: b4's later done record replaces its interrupted one; seed 2 has only an
# interrupted record, so it is pending (+).
grep -Eq '^ *2 +0/2\+ 0\.55$' "$tmp/text" || fail "none accuracy row with a pending seed"
# Emergence at implicit 2 hops 2 layers: seed 0 orders L1:-1 L1:+1 L2:-3; seed 1 L1:+1 L1:-1
# and never L2:-3. Ranks (1,2,3) and (2,1,3): sums 3, 3, 6, S = 6, W = 12·6/(4·24) = 0.75.
grep -Eq '^implicit D=2 L=2 +2 +L1:-1 L1:\+1 L2:-3 \(1/2, tied\) +2 +0\.750 +2/2$' "$tmp/text" || fail "emergence summary"
grep -Eq '^L2:-3 +1 +1 +300 +300-300 +\[300, 300\]$' "$tmp/text" || fail "L2:-3 timing"
grep -Eq '^L1:-1 +- +0\.50 +1\.00$' "$tmp/text" || fail "precedence row L1:-1"

# Deterministic, byte for byte.
"$hs" analyze "$S" >"$tmp/text2" 2>/dev/null
cmp -s "$tmp/text" "$tmp/text2" || fail "two runs printed different tables"

# JSON: one object with the same answers.
"$hs" analyze "$S" --json >"$tmp/json" 2>/dev/null || fail "--json exit $?"
$py - "$tmp/json" <<'PY' || fail "JSON content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["done"] == 13 and d["failed"] == 1 and d["interrupted"] == 1, d
ml = {(r["curriculum"], r["hops"]): r for r in d["min_layers"]}
assert ml[("implicit", 2)]["t_min"] == 2 and ml[("implicit", 2)]["agree"] is True
assert ml[("none", 2)]["t_min_kind"] == "above_tested" and ml[("none", 2)]["agree"] is False
assert ml[("implicit", 5)]["t_min"] == 2 and ml[("implicit", 5)]["agree"] is None
em = [e for e in d["emergence"] if e["curriculum"] == "implicit" and e["hops"] == 2 and e["layers"] == 2][0]
assert em["modal_order"] == ["L1:-1", "L1:+1", "L2:-3"] and em["modal_ties"] == 1
assert abs(em["kendall_w"] - 0.75) < 1e-9 and em["hops_monotone"] == 2
cur = [c for c in d["curricula"] if c["curriculum"] == "implicit" and c["hops"] == 2 and c["layers"] == 2][0]
assert cur["median_steps_to_solve"] == 350 and cur["success_rate"] == 1
roles = [r for r in d["roles"] if r["role"] == "L2:-3"][0]
assert roles["emerged"] == 1 and roles["never"] == 1 and roles["median"] == 300
p = [r for r in d["precedence"] if r["a"] == "L1:+1" and r["b"] == "L2:-3"][0]
assert p["p_a_before_b"] == 1 and p["only_a"] == 1 and p["both"] == 1
# Key effects: the varied keys are exactly the accuracy table's cell dimensions here, so every
# (key, cell, value) row is one accuracy cell: the same runs (done + failed) and solved runs.
acc = {(c["curriculum"], c["hops"], c["layers"]): c for c in d["accuracy"]}
assert [k["key"] for k in d["key_summary"]] == ["model.layers", "task.curriculum", "task.hops"]
z = 1.959963984540054
for r in d["key_effects"]:
    kv = dict(x.split("=") for x in (r["cell"] + " " + r["key"] + "=" + r["value"]).split())
    c = acc[(kv["task.curriculum"], int(kv["task.hops"]), int(kv["model.layers"]))]
    assert (r["runs"], r["solved"]) == (c["done"] + c["failed"], c["solved"]), (r, c)
    n, k = r["runs"], r["solved"]
    mid, half = k + z * z / 2, z * (k * (n - k) / n + z * z / 4) ** 0.5
    assert abs(r["ci95_lo"] - (mid - half) / (n + z * z)) < 1e-9, r
    assert abs(r["ci95_hi"] - (mid + half) / (n + z * z)) < 1e-9, r
assert len(d["key_effects"]) > 0
PY

# CSV: each table after a "# name" line; --table picks one.
"$hs" analyze "$S" --csv >"$tmp/csv" 2>/dev/null || fail "--csv exit $?"
[ "$(grep -c '^# ' "$tmp/csv")" -eq 8 ] || fail "CSV should hold 8 tables"
grep -q '^# key_summary$' "$tmp/csv" && grep -q '^# key_effects$' "$tmp/csv" || fail "CSV key-effect tables"
grep -q '^1,implicit,,2,2,2,found,true,2$' "$tmp/csv" || fail "CSV min_layers row"
"$hs" analyze "$S" --csv --table accuracy >"$tmp/acc" 2>/dev/null || fail "--table exit $?"
[ "$(head -1 "$tmp/acc")" = "# accuracy" ] && [ "$(grep -c '^# ' "$tmp/acc")" -eq 1 ] || fail "--table accuracy"
"$hs" analyze "$S" --markdown >"$tmp/md" 2>/dev/null || fail "--markdown exit $?"
grep -q '^### Minimum layers' "$tmp/md" && grep -q '^|---:|---:|---:|---:|$' "$tmp/md" || fail "Markdown tables"
grep -q '^### Key effects' "$tmp/md" && grep -q '^### Effect of task.curriculum' "$tmp/md" || fail "Markdown key effects"

# A stricter rule changes the answer: with --tau 0.985 only one seed solves 2 hops at 2 layers.
"$hs" analyze "$S" --tau 0.985 --table min_layers >"$tmp/tau" 2>/dev/null
grep -Eq '^ *2 +2 +>2! +>2!$' "$tmp/tau" || fail "--tau 0.985"
"$hs" analyze "$S" --tau 0.985 --fraction 0.5 --table min_layers >"$tmp/frac" 2>/dev/null
grep -Eq '^ *2 +2 +>2! +2$' "$tmp/frac" || fail "--fraction 0.5"

# Figures.
if command -v gnuplot >/dev/null 2>&1; then
    "$hs" analyze "$S" --plots "$tmp/fig" >/dev/null 2>"$tmp/perr" || fail "--plots exit $?: $(cat "$tmp/perr")"
    for f in minlayers accuracy-1-none accuracy-2-implicit training timeline precedence; do
        [ -s "$tmp/fig/$f.png" ] && [ -s "$tmp/fig/$f.svg" ] && [ -s "$tmp/fig/$f.dat" ] || fail "figure $f missing"
        head -c 8 "$tmp/fig/$f.png" | od -An -c | grep -q 'P   N   G' || fail "$f.png is not a PNG"
        grep -q '<svg' "$tmp/fig/$f.svg" || fail "$f.svg is not SVG"
    done
    grep -q "run $A1" "$tmp/fig/training.dat" || fail "default training run"
    # a run by the first digits of its id; several runs, one figure each
    "$hs" analyze "$S" --plots "$tmp/fig1" --run "$(echo "$A1" | cut -c1-6)" >/dev/null 2>"$tmp/perr" &&
        grep -q "run $A1" "$tmp/fig1/training.dat" || fail "--run by an id prefix: $(cat "$tmp/perr")"
    "$hs" analyze "$S" --plots "$tmp/fig6" --run "$A1" --run "$(echo "$A1" | cut -c1-4)" >/dev/null 2>"$tmp/perr" &&
        [ -s "$tmp/fig6/training-$A1.png" ] && [ ! -e "$tmp/fig6/training.png" ] || fail "two --run: $(cat "$tmp/perr")"
    "$hs" analyze "$S" --plots "$tmp/fig2" --run "$R11" >/dev/null 2>"$tmp/perr"
    [ $? -eq 2 ] && grep -q 'metrics.csv' "$tmp/perr" || fail "--run without metrics.csv"
fi
# Without gnuplot: the tables still print, then one line and exit 2.
PATH=/nonexistent "$hs" analyze "$S" --plots "$tmp/fig3" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 2 ] || ! grep -q 'gnuplot' "$tmp/err" || [ "$(grep -vc 'note:' "$tmp/err")" -ne 1 ] ||
    ! grep -q 'Minimum layers' "$tmp/out"; then
    fail "missing gnuplot: exit $rc, stderr: $(cat "$tmp/err")"
fi

# Bad input: exit 2, one line naming the problem, nothing on stdout.
expect() {
    what=$1 want=$2
    shift 2
    "$hs" analyze "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -ne 2 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -qF -- "$want" "$tmp/err" || [ -s "$tmp/out" ]; then
        fail "$what: exit $rc, wanted \"$want\": $(cat "$tmp/err")"
    else
        echo "ok: $what: $(cat "$tmp/err")"
    fi
}
mkdir -p "$tmp/empty" "$tmp/nostore" "$tmp/only_interrupted"
: >"$tmp/empty/runs.jsonl"
rec implicit 1 1 0 interrupted null 'null' '' >"$tmp/only_interrupted/runs.jsonl"
expect "missing store" "$tmp/none" "$tmp/none"
expect "not a store" "no runs.jsonl" "$tmp/nostore"
expect "empty store" "no finished runs yet" "$tmp/empty"
expect "only interrupted runs" "no finished runs yet" "$tmp/only_interrupted"
expect "no store given" "no store" --csv
expect "two stores" "two stores" "$S" "$tmp/empty"
expect "bad tau" "--tau" "$S" --tau 1.5
expect "tau not a number" "--tau" "$S" --tau abc
expect "bad fraction" "--fraction" "$S" --fraction 0
expect "two formats" "one of" "$S" --csv --json
expect "unknown table" "--table" "$S" --table nope
expect "unknown option" "--bogus" "$S" --bogus
expect "missing value" "--plots" "$S" --plots
expect "run without plots" "--plots" "$S" --run "$A1"
expect "unknown run" "no such run" "$S" --plots "$tmp/fig4" --run 0123456789abcdef
amb=$(grep -o '"id":"[0-9a-f]' "$S/runs.jsonl" | cut -c7 | sort | uniq -d | head -1)
[ -n "$amb" ] || fail "the fixture has no two ids with one first digit"
expect "ambiguous run prefix" "ambiguous" "$S" --plots "$tmp/fig5" --run "$amb"
expect "runs with plots" "--runs" "$S" --runs --plots "$tmp/fig7"

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all analyze checks passed"
