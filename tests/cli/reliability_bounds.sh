#!/bin/sh
# The reproducers of reliability findings F3-F7, F14 and F16 (issue 12), as tests of the fixed
# behaviour: a damaged resume.bin (curriculum level out of range, a flipped bit, a size that does
# not match) is reported in one line and the job starts afresh and ends `done` with the
# uninterrupted run's metrics (exit 0, never 134, never `failed`); billion-laughs aliases and
# 10^5-deep nesting are refused at once (exit 2, one line); analyze skips a record claiming
# hops 2^31-1 or 10,000 roles, with its reason, and finishes at once; the Python safetensors
# reader raises SafetensorsError on lying headers; a newline in a prompt set's formulation is
# refused (exit 2, one line, nothing on stdout).
# usage: reliability_bounds.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1
one_line() { # $1 file: exactly one line
    [ "$(wc -l <"$1")" -eq 1 ] || { fail "$2: not one line:"; cat "$1"; }
}

# --- F3/F4/F5: resume states -------------------------------------------------------------------
cat >r.yaml <<'YAML'
name: r
output: st
base:
  task: {chains: 2, hops: 2, curriculum: explicit}
  model: {d_model: 16, layers: 1, heads: 1, mlp: 1}
  train: {steps: 10000, batch: 8, eval_every: 200, eval_examples: 16}
  log: {attention_every: 1000}
grid: {train.seed: [0]}
YAML
id=$("$hs" expand r.yaml | head -1 | cut -c1-16)
"$hs" run r.yaml --out ref --quiet || fail "reference run"
# An interrupted state: with --abandon, SIGTERM stops the running job at once and saves its state.
"$hs" run r.yaml --abandon --quiet 2>/dev/null & pid=$!
sleep 0.4
kill -TERM $pid 2>/dev/null
wait $pid
[ -f "st/jobs/$id/resume.bin" ] || fail "the job was not interrupted (it finished in 0.4 s?)"
if [ -f "st/jobs/$id/resume.bin" ]; then
    cp "st/jobs/$id/resume.bin" pristine.bin
    # damage: name, an edit of resume.bin in Python (analysis/read_resume.py), resealed except
    # for the bit flip
    for case in level:0:1000000 evals:0:+1 bitflip:0:x; do
        name=${case%%:*} rest=${case#*:} val=${rest#*:}
        rm -rf "st_$name"; cp -a st "st_$name"
        PYTHONPATH="$here/../../analysis" $py - "st_$name/jobs/$id/resume.bin" "$val" <<'PY'
import sys
import numpy as np
import read_resume as rr
p, val = sys.argv[1], sys.argv[2]
r = rr.read(p)
if val == 'x':
    b = bytearray(open(p, 'rb').read())
    b[len(b) // 2] ^= 0x40             # a bit of a tensor; the checksum no longer fits
    open(p, 'wb').write(b)
elif val.startswith('+'):              # one evaluation too many in the history
    h = r.tensors['history']
    rr.write(p, r.meta, dict(r.tensors, history=np.vstack([h] + [h[-1:]] * int(val[1:]))))
else:
    rr.write(p, dict(r.meta, level=val), r.tensors)
PY
        "$hs" run r.yaml --out "st_$name" >"$name.out" 2>"$name.err"
        rc=$?
        [ $rc -eq 0 ] || fail "$name: rc=$rc (expected 0)"
        grep "resume state unusable" "$name.out" "$name.err" | sed 's/^[^:]*://' >"$name.msg"
        one_line "$name.msg" "$name message"
        case $name in
        level) grep -q "curriculum level 1000000" "$name.msg" || fail "level: message $(cat "$name.msg")" ;;
        evals) grep -q "evaluations" "$name.msg" || fail "evals: message $(cat "$name.msg")" ;;
        bitflip) grep -q "checksum mismatch" "$name.msg" || fail "bitflip: message $(cat "$name.msg")" ;;
        esac
        grep -q "starting it afresh" "$name.msg" || fail "$name: not started afresh"
        tail -1 "st_$name/runs.jsonl" | $py -c "import json,sys; r=json.loads(sys.stdin.readline()); assert r['status']=='done', r['status']" \
            || fail "$name: record not done"
        cmp -s "st_$name/jobs/$id/metrics.csv" "ref/jobs/$id/metrics.csv" || fail "$name: metrics differ from the uninterrupted run"
        [ ! -e "st_$name/jobs/$id/resume.bin" ] || fail "$name: resume.bin left behind"
    done
    # the undamaged state still resumes to the same metrics
    "$hs" run r.yaml --quiet || fail "genuine resume rc"
    cmp -s "st/jobs/$id/metrics.csv" "ref/jobs/$id/metrics.csv" || fail "genuine resume: metrics differ"
fi

# --- F6: aliases and nesting ---------------------------------------------------------------------
$py -c "
v=', '.join(str(i) for i in range(1000, 2000))
open('b.yaml','w').write('name: b\ngrid:\n  train.seed: [0, 1]\nexclude: [&e {train.seed: [' + v + ']}, ' + ', '.join(['*e']*100000) + ']\n')
d=100000; open('c.yaml','w').write('name: c\ngrid:\n  train.seed: [0]\nexclude:\n  - ' + '{a: '*d + '1' + '}'*d + '\n')"
timeout 20 "$hs" expand b.yaml >b.stdout 2>b.err; rc=$?
[ $rc -eq 2 ] || fail "alias amplification: rc=$rc"
one_line b.err "alias message"
grep -q "^hopsweep expand: b.yaml:4:[0-9]*: aliases expand this sweep file to more than 10 times its size" b.err || fail "alias message: $(cat b.err)"
[ ! -s b.stdout ] || fail "alias: something on stdout"
timeout 20 "$hs" expand c.yaml >/dev/null 2>c.err; rc=$?
[ $rc -eq 2 ] || fail "deep nesting: rc=$rc"
one_line c.err "nesting message"
grep -q "c.yaml:5:253: lists and mappings nested more than 64 deep" c.err || fail "nesting message: $(cat c.err)"

# --- F7: analyze bounds what a record may claim ----------------------------------------------------
cat >s.yaml <<'YAML'
name: s
output: sa
base: {task: {chains: 2, hops: 2}, model: {d_model: 16, layers: 1, heads: 1, mlp: 1}, train: {steps: 50, batch: 8, eval_every: 25, eval_examples: 16}}
grid: {train.seed: [0, 1]}
YAML
"$hs" run s.yaml --quiet || fail "tiny sweep"
$py - <<'PY'
import json
lines = open('sa/runs.jsonl').read().splitlines()
a, b = json.loads(lines[0]), json.loads(lines[1])
a['config']['task']['hops'] = 2147483647
b['emergence']['order'] = [f'L{k}:+{k}' for k in range(10000)]
open('sa/runs.jsonl', 'a').write(json.dumps(a) + '\n' + json.dumps(b) + '\n')
PY
timeout 20 "$hs" analyze sa --plots figs >an.out 2>an.err; rc=$?
[ $rc -eq 0 ] || fail "analyze: rc=$rc"
grep -q "skipped 2 unreadable line(s), the first at line 3 (a config no job can have" an.err || fail "analyze notice: $(cat an.err)"

# --- F14: the Python safetensors reader ----------------------------------------------------------
$py - "$here/../reference" <<'PY' || fail "safetensors reader"
import json, struct, sys
sys.path.insert(0, sys.argv[1])
import hs_reference as r
def mk(h, data=b''):
    t = h if isinstance(h, bytes) else json.dumps(h).encode()
    open('x.safetensors', 'wb').write(struct.pack('<Q', len(t)) + t + data)
F = lambda shape, off: {"w": {"dtype": "F32", "shape": shape, "data_offsets": off}}
cases = [(F([2**32, 2**32], [0, 0]), b''), (F([-1, -1024], [0, 4096]), b'\0' * 4096),
         (F([1e300], [0, 4]), b'\0' * 4), (F([True], [0, 4]), b'\0' * 4),
         ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
           "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, b'\0' * 8),
         (b'{"a":' * 100000 + b'1' + b'}' * 100000, b''), (F([1], [0, 8]), b'\0' * 8),
         ({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, b'\0' * 8)]
for h, data in cases:
    mk(h, data)
    try:
        r.st_read('x.safetensors')
    except r.SafetensorsError:
        continue
    sys.exit(f'accepted {str(h)[:80]}')
PY

# --- F16: control characters in a prompt set ------------------------------------------------------
printf '%s\n' '{"id":"l1","formulation":"evil\"\n,name","hops":2,"distractors":1,"prompt":"...","choices":null,"answer":"attic","answer_index":null,"chain":["key","red box","attic"]}' >p.jsonl
printf '%s\n' '{"id":"l1","answer":"attic"}' >a.jsonl
"$hs" prompts score p.jsonl a.jsonl >ps.out 2>ps.err; rc=$?
[ $rc -eq 2 ] || fail "prompts score: rc=$rc"
one_line ps.err "prompts message"
grep -q 'p.jsonl:1: "formulation" holds a control character' ps.err || fail "prompts message: $(cat ps.err)"
[ ! -s ps.out ] || fail "prompts score printed a table"

# --- F12: a small address space (ulimit -v): one line and exit 3, never a hang or a crash -----------
# (not under AddressSanitizer, whose shadow memory needs terabytes of address space)
if ldd "$hs" 2>/dev/null | grep -q libasan; then
    echo "note: a sanitizer build: the address-space limits are not tried"
else
    (ulimit -v 100000 && exec timeout -s KILL 60 "$hs" run s.yaml --out as.st --quiet) >as.out 2>as.err; rc=$?
    [ $rc -eq 3 ] || fail "ulimit -v 100000: run rc=$rc, wanted 3"
    one_line as.err "small address space"
    grep -q "ulimit -v" as.err || fail "small address space: $(cat as.err)"
    (ulimit -v 150000 && exec timeout -s KILL 60 "$hs" --help) >/dev/null 2>&1; rc=$?
    [ $rc -eq 0 ] || fail "ulimit -v 150000: --help rc=$rc (it hung in OpenBLAS's exit when its pool had started)"
fi

[ $failures -eq 0 ] || exit 1
echo "reliability_bounds: all passed"
