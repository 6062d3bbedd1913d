#!/bin/sh
# `hopsweep prompts`: every prompt of every formulation is solved from its text alone by an
# independent parser (analysis/prompts.py check), which is itself shown to catch a wrong record;
# sets are deterministic per seed and prefixes of longer sets; bad options exit 2 with one line
# and write nothing.
# usage: prompts.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"
solve="$(dirname "$0")/../../analysis/prompts.py"

# Solved from the text: every formulation, one to many hops, with and without distractors and
# choices (1,600 prompts).
for k in 0 1 5; do
    for plain in "" --plain; do
        if ! "$hs" prompts --formulation all --hops 1,2,3,7 --distractors $k --n 20 --seed 3 $plain \
            --out "$tmp/p.jsonl"; then
            fail "generation failed at --distractors $k $plain"
            continue
        fi
        /usr/bin/python3 "$solve" check "$tmp/p.jsonl" >"$tmp/solve.out" || {
            fail "--distractors $k $plain: prompts not solved from their text"
            sed 's/^/    /' "$tmp/solve.out" | head -20
        }
    done
done
echo "ok: every formulation solved from its text"

# The solver is not a rubber stamp: a record whose answer, chain or choice index is wrong fails.
"$hs" prompts --formulation calls --hops 3 --n 1 >"$tmp/one.jsonl"
for field in answer answer_index chain; do
    /usr/bin/python3 - "$tmp/one.jsonl" "$field" >"$tmp/bad.jsonl" <<'PY'
import json, sys
rec = json.loads(open(sys.argv[1]).read())
f = sys.argv[2]
if f == "answer": rec["answer"] = rec["chain"][1]
if f == "answer_index": rec["answer_index"] = (rec["answer_index"] + 1) % 4
if f == "chain": rec["chain"] = rec["chain"][::-1]
print(json.dumps(rec))
PY
    if /usr/bin/python3 "$solve" check "$tmp/bad.jsonl" >/dev/null; then
        fail "the solver accepted a record with a wrong $field"
    fi
done
echo "ok: the solver rejects wrong records"

# Deterministic per seed; another seed gives another set; a short set is a prefix of a long one;
# plain mode tells the same story.
"$hs" prompts --formulation all --hops 2,4 --n 30 --seed 11 >"$tmp/a.jsonl"
"$hs" prompts --formulation all --hops 2,4 --n 30 --seed 11 >"$tmp/b.jsonl"
cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl" || fail "the same seed gave different prompt sets"
"$hs" prompts --formulation all --hops 2,4 --n 30 --seed 12 >"$tmp/c.jsonl"
cmp -s "$tmp/a.jsonl" "$tmp/c.jsonl" && fail "seeds 11 and 12 gave the same prompt set"
"$hs" prompts --formulation relatives --hops 3 --n 50 --seed 5 >"$tmp/long.jsonl"
"$hs" prompts --formulation relatives --hops 3 --n 10 --seed 5 >"$tmp/short.jsonl"
head -n 10 "$tmp/long.jsonl" | cmp -s - "$tmp/short.jsonl" || fail "--n 10 is not the first 10 of --n 50"
"$hs" prompts --formulation conditional --hops 3 --n 10 --seed 5 --plain >"$tmp/plain.jsonl"
"$hs" prompts --formulation conditional --hops 3 --n 10 --seed 5 >"$tmp/choices.jsonl"
/usr/bin/python3 - "$tmp/plain.jsonl" "$tmp/choices.jsonl" <<'PY' || fail "plain and choice prompts of one seed differ before the choices"
import json, sys
plain = [json.loads(l) for l in open(sys.argv[1])]
choice = [json.loads(l) for l in open(sys.argv[2])]
for p, c in zip(plain, choice):
    body = lambda r: r["prompt"].rsplit("?", 1)[0]
    assert body(p) == body(c) and p["chain"] == c["chain"] and p["id"] == c["id"], p["id"]
PY
/usr/bin/python3 - "$tmp/long.jsonl" <<'PY' || fail "statements are not in scrambled order"
import json, sys
# The asked chain's statements appear in chain order (either way) with probability 2/3! = 1/3
# when scrambled; always, when not.
ordered = 0
recs = [json.loads(l) for l in open(sys.argv[1])]
for r in recs:
    lines = r["prompt"].split("\n")
    at = [next(i for i, l in enumerate(lines) if l.startswith(child + "'s mother"))
          for child in r["chain"][:-1]]
    ordered += at == sorted(at) or at == sorted(at, reverse=True)
assert ordered < 0.6 * len(recs), ordered
PY
echo "ok: deterministic per seed, prefixes, plain mode"

# Bad options: exit 2, one line on stderr, nothing on stdout, no file.
expect() {
    what=$1 want=$2
    shift 2
    "$hs" prompts --out "$tmp/never.jsonl" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$want" "$tmp/err" || [ -s "$tmp/out" ] ||
        [ -e "$tmp/never.jsonl" ]; then
        fail "$what: exit $rc, $lines stderr line(s), wanted \"$want\":"
        sed 's/^/    /' "$tmp/err"
    else
        echo "ok: $what: $(cat "$tmp/err")"
    fi
}
expect "unknown formulation" '"poems"' --formulation poems
expect "repeated formulation" 'twice' --formulation calls,calls
expect "empty formulation" 'empty' --formulation ,
expect "zero hops" '--hops "0"' --hops 0
expect "hops not a number" '--hops "2,x"' --hops 2,x
expect "too many hops" '--hops "1001"' --hops 1001
expect "negative distractors" '--distractors' --distractors -1
expect "no prompts" '--n "0"' --n 0
expect "seed not a number" '--seed' --seed abc
expect "names run out" 'use --distractors 20 or fewer' --formulation locations --distractors 21
expect "names run out in a later combination" 'container names' --formulation all --hops 2,40 --distractors 8
expect "missing value" '--hops needs a value' --hops
expect "unknown option" '--bogus' --bogus 1

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all prompt-set checks passed"
