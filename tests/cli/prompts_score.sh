#!/bin/sh
# `hopsweep prompts score` end to end on a hand-made prompt set and answer file whose numbers are
# worked out by hand: the text table's rows, --json read back by Python with exact numbers, the
# --csv tables, malformed answer lines reported on stderr (first ten, then a count) with exit 0,
# and bad input: one line on stderr, exit 2, nothing on stdout.
# usage: prompts_score.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"

# Groups, sorted: calls/2 (2 of 2 right; chance (1/2 + 1/3)/2), locations/2 (plain; 1 of 2;
# chance (1/2 + 1/4)/2), variables/2 (1 of 3, v3 missing), variables/3 (1 of 2, v4 unparsed).
P=$tmp/prompts.jsonl
cat >"$P" <<'EOF'
{"id":"v4","formulation":"variables","hops":3,"distractors":3,"prompt":"...","choices":["417","233","98","650"],"answer":"98","answer_index":2,"chain":["AB","CD","EF","98"]}
{"id":"v1","formulation":"variables","hops":2,"distractors":3,"prompt":"...","choices":["417","233","98","650"],"answer":"233","answer_index":1,"chain":["AB","CD","233"]}

{"id":"l1","formulation":"locations","hops":2,"distractors":1,"prompt":"...","choices":null,"answer":"attic","answer_index":null,"chain":["key","red box","attic"]}
{"id":"v2","formulation":"variables","hops":2,"distractors":3,"prompt":"...","choices":["417","233","98","650"],"answer":"417","answer_index":0,"chain":["GH","IJ","417"]}
{"id":"c1","formulation":"calls","hops":2,"distractors":0,"prompt":"...","choices":["load_config","load_config_file"],"answer":"load_config_file","answer_index":1,"chain":["main","run","load_config_file"]}
{"id":"v3","formulation":"variables","hops":2,"distractors":3,"prompt":"...","choices":["417","233","98","650"],"answer":"650","answer_index":3,"chain":["KL","MN","650"]}
{"id":"l2","formulation":"locations","hops":2,"distractors":3,"prompt":"...","choices":null,"answer":"kitchen","answer_index":null,"chain":["coin","red box","kitchen"]}
{"id":"v5","formulation":"variables","hops":3,"distractors":3,"prompt":"...","choices":["417","233","98","650"],"answer":"650","answer_index":3,"chain":["AB","CD","EF","650"]}
{"id":"c2","formulation":"calls","hops":2,"distractors":2,"prompt":"...","choices":["3","5","7"],"answer":"5","answer_index":1,"chain":["a","b","5"]}
EOF

# Lines 1-8 answer eight prompts (5 right, 2 wrong, 1 unparsed); 9 is blank; 10-20 are
# malformed, none answers v3; the last line is cut off.
A=$tmp/answers.jsonl
cat >"$A" <<'EOF'
{"id":"v1","answer":"B","model":"m"}
{"id":"v2","answer":"The answer is 233"}
{"id":"v4","answer":"I don't know"}
{"id":"v5","answer":"650."}
{"id":"l1","answer":"The key is in the attic."}
{"id":"l2","answer":"red box"}
{"id":"c1","response":"load_config_file"}
{"id":"c2","answer":null,"response":5}

{"id":"v1","answer":"C"}
{"id": "v3", "answer": "D"]
["v3", "D"]
{"answer":"D"}
{"id":3,"answer":"D"}
{"id":"v3"}
{"id":"v3","answer":null}
{"id":"zz","answer":"D"}
{"id":"v3","answer":"D"} {"id":"v3","answer":"D"}
{"id":"v3","answer":["D"]}
EOF
printf '{"id":"v3","ans' >>"$A"

# --- text ---------------------------------------------------------------------------------
"$hs" prompts score "$P" "$A" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "text: exit $rc"
grep -q "^$P: 9 prompts in 4 groups; 8 answers used (1 unparsed), 11 malformed lines skipped, 1 prompt without an answer\$" "$tmp/out" ||
    fail "text: header line"
sed -n 2p "$tmp/out" | grep -q '^formulation  *hops  *n  *correct  *accuracy  *95% CI  *chance$' ||
    fail "text: column heads"
row() { # FORMULATION HOPS N CORRECT ACCURACY CI CHANCE: one row, columns by single spaces
    sed 's/  */ /g' "$tmp/out" | grep -qxF "$*" || fail "text: no row \"$*\""
}
row calls 2 2 2 1.000 [0.342, 1.000] 0.417
row locations 2 2 1 0.500 [0.095, 0.905] 0.375
row variables 2 3 1 0.333 [0.061, 0.792] 0.250
row variables 3 2 1 0.500 [0.095, 0.905] 0.250
row all 9 5 0.556 [0.267, 0.811] 0.315
[ "$(grep -n '^calls\|^locations\|^variables\|^all' "$tmp/out" | cut -d: -f1 | tr '\n' ' ')" = "3 4 5 6 7 " ] ||
    fail "text: rows out of order"
[ "$(wc -l <"$tmp/out")" -eq 8 ] && tail -1 "$tmp/out" | grep -q 'Wilson' && tail -1 "$tmp/out" | grep -q 'chance' ||
    fail "text: no note line under the table"

# --- malformed lines: the first ten on stderr, then a count ---------------------------------
[ "$(wc -l <"$tmp/err")" -eq 11 ] || fail "stderr: $(wc -l <"$tmp/err") lines, wanted 11"
for want in "$A:10: a second answer for \"v1\"" "$A:11: not valid JSON" "$A:12: not a JSON object" \
    "$A:13: no string \"id\"" "$A:15: no \"answer\" (or \"response\")" \
    "$A:17: \"id\" \"zz\" is not in the prompt set" "$A:18: text after the JSON object" \
    "$A:19: the answer is not text" "hopsweep prompts score: ... and 1 more"; do
    grep -qF -- "$want" "$tmp/err" || fail "stderr lacks \"$want\""
done
grep -q "$A:20" "$tmp/err" && fail "stderr: reported more than ten lines"

# --- JSON, checked against numbers computed here --------------------------------------------
"$hs" prompts score "$P" "$A" --json >"$tmp/json" 2>/dev/null || fail "--json: exit $?"
$py - "$tmp/json" <<'EOF' || fail "--json: numbers"
import json, math, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, "not one line"
d = json.loads(lines[0])
z = 1.959963984540054
def wilson(k, n):  # the roots of (p_hat - p)^2 = z^2 p (1 - p) / n
    a, b, c = 1 + z * z / n, -(2 * k / n + z * z / n), (k / n) ** 2
    r = math.sqrt(b * b - 4 * a * c)
    return (-b - r) / (2 * a), (-b + r) / (2 * a)
def check(got, n, answered, correct, missing, unparsed, chance, where):
    for key, want in [("n", n), ("answered", answered), ("correct", correct),
                      ("missing", missing), ("unparsed", unparsed)]:
        assert got[key] == want, f"{where}: {key} {got[key]} != {want}"
    lo, hi = wilson(correct, n)
    for key, want in [("accuracy", correct / n), ("ci_low", lo), ("ci_high", hi),
                      ("chance", chance)]:
        assert abs(got[key] - want) < 1e-12, f"{where}: {key} {got[key]} != {want}"
check(d, 9, 8, 5, 1, 1, (1/2 + 1/3 + 1/2 + 1/4 + 5/4) / 9, "overall")
assert d["malformed"] == 11, d["malformed"]
want = [("calls", 2, 2, 2, 2, 0, 0, (1/2 + 1/3) / 2), ("locations", 2, 2, 2, 1, 0, 0, 3/8),
        ("variables", 2, 3, 2, 1, 1, 0, 1/4), ("variables", 3, 2, 2, 1, 0, 1, 1/4)]
assert len(d["groups"]) == len(want), len(d["groups"])
for g, (form, hops, *rest) in zip(d["groups"], want):
    assert (g["formulation"], g["hops"]) == (form, hops), g
    check(g, *rest, f"{form}/{hops}")
EOF

# --- CSV ----------------------------------------------------------------------------------
"$hs" prompts score "$P" "$A" --csv >"$tmp/csv" 2>/dev/null || fail "--csv: exit $?"
cat >"$tmp/csv.want" <<'EOF'
# groups
formulation,hops,n,answered,correct,accuracy,ci_low,ci_high,chance,missing,unparsed
calls,2,2,2,2,1,0.34238,1,0.416667,0,0
locations,2,2,2,1,0.5,0.0945312,0.905469,0.375,0,0
variables,2,3,2,1,0.333333,0.0614919,0.79234,0.25,1,0
variables,3,2,2,1,0.5,0.0945312,0.905469,0.25,0,1

# overall
n,answered,correct,accuracy,ci_low,ci_high,chance,missing,unparsed,malformed
9,8,5,0.555556,0.266651,0.811221,0.314815,1,1,11
EOF
diff "$tmp/csv.want" "$tmp/csv" >"$tmp/csv.diff" || fail "--csv: $(cat "$tmp/csv.diff")"

# --- help ---------------------------------------------------------------------------------
"$hs" prompts score --help >"$tmp/out" 2>"$tmp/err" && grep -q '^usage: hopsweep prompts score' "$tmp/out" &&
    [ ! -s "$tmp/err" ] || fail "--help"

# --- bad input: exit 2, one line on stderr, nothing on stdout --------------------------------
expect() { # WHAT SUBSTRING ARGS...
    what=$1 want=$2
    shift 2
    "$hs" prompts score "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$want" "$tmp/err" || [ -s "$tmp/out" ]; then
        fail "$what: exit $rc, $lines stderr line(s), wanted \"$want\": $(cat "$tmp/err")"
    else
        echo "ok: $what: $(cat "$tmp/err")"
    fi
}
expect "no arguments" "no prompt set; usage:"
expect "no answer file" "no answer file; usage:" "$P"
expect "missing prompt set" "$tmp/none.jsonl: cannot open" "$tmp/none.jsonl" "$A"
expect "missing answer file" "$tmp/none.jsonl: cannot open" "$P" "$tmp/none.jsonl"
expect "unknown option" "unknown option --bogus" "$P" "$A" --bogus
expect "both formats" "give one of --json and --csv" "$P" "$A" --json --csv
expect "three files" "a third file" "$P" "$A" "$A"
sed '5s/"answer":"417"/"answer":"999"/' "$P" >"$tmp/p_answer.jsonl"
expect "answer not a choice" "p_answer.jsonl:5: \"answer\" is not one of \"choices\"; regenerate the prompt set with hopsweep prompts" \
    "$tmp/p_answer.jsonl" "$A"
sed '7s/"id":"v3"/"id":"v1"/' "$P" >"$tmp/p_dup.jsonl"
expect "duplicate id" "p_dup.jsonl:7: \"id\" \"v1\" is already on line 2" "$tmp/p_dup.jsonl" "$A"
{ head -3 "$P"; echo '{"id":"x","formulation":"calls","hops":0'; } >"$tmp/p_json.jsonl"
expect "prompt line not JSON" "p_json.jsonl:4: not valid JSON" "$tmp/p_json.jsonl" "$A"
printf '\n\n' >"$tmp/p_empty.jsonl"
expect "empty prompt set" "p_empty.jsonl: no prompts" "$tmp/p_empty.jsonl" "$A"
expect "answers given as the prompt set" "answers.jsonl:1: no \"formulation\"" "$A" "$P"

echo "$failures failed"
[ "$failures" -eq 0 ]
