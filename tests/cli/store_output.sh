#!/bin/sh
# Output checked before training, one exit code per kind of failure (issue 12, F9/F10/F13):
# `train --out` an unusable directory (/proc, a record.json that is a link) exits 2 at once with
# one line, before the first step, touching nothing outside; two `train --out DIR` at the same
# time never mix their files (the second is refused by the lock, or runs after the first); `run
# --out /proc`, `/proc/self` exit 2 like any unwritable output; a sweep name too long and an
# output path beyond PATH_MAX exit 2 and create nothing.
# usage: store_output.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1
B="task.chains=2 task.hops=2 model.d_model=16 model.layers=1 model.heads=1 model.mlp=1 train.batch=8 train.eval_every=50 train.eval_examples=16"
one_line() { [ "$(wc -l <err)" -eq 1 ] || { cat err; fail "$1: not one line on stderr"; }; }

# F10: /proc is refused before training (3000 steps would take seconds; nothing is printed)
rc=0
"$hs" train $B train.steps=3000 --out /proc >out 2>err || rc=$?
[ "$rc" -eq 2 ] || fail "train --out /proc: exit $rc, wanted 2"
one_line "train --out /proc"
grep -q "^hopsweep train: --out /proc: " err || fail "train --out /proc: message"
[ -s out ] && fail "train --out /proc: trained before refusing"
echo "ok: train --out /proc: $(cat err)"

mkdir -p outside o1
echo secret >outside/victim.txt
ln -s "$PWD/outside/victim.txt" o1/record.json
rc=0
"$hs" train $B train.steps=3000 --out o1 >out 2>err || rc=$?
[ "$rc" -eq 2 ] || fail "record.json link: exit $rc, wanted 2"
one_line "record.json link"
grep -qF "o1/record.json is a symbolic link" err || { cat err; fail "record.json link: message"; }
[ -s out ] && fail "record.json link: trained before refusing"
[ "$(cat outside/victim.txt)" = secret ] || fail "record.json link: the file outside changed"
echo "ok: train --out with a linked record.json: $(cat err)"

# F9: two writers of one --out
"$hs" train $B train.steps=300 train.seed=0 --quiet --out ref0 || fail "ref0"
"$hs" train $B train.steps=300 train.seed=1 --quiet --out ref1 || fail "ref1"
refused=0
for i in 1 2 3 4 5 6; do
    rm -rf same
    "$hs" train $B train.steps=300 train.seed=0 --quiet --out same 2>e0 &
    p0=$!
    "$hs" train $B train.steps=300 train.seed=1 --quiet --out same 2>e1 &
    p1=$!
    r0=0; wait $p0 || r0=$?
    r1=0; wait $p1 || r1=$?
    for r in $r0 $r1; do
        [ "$r" -eq 0 ] || [ "$r" -eq 2 ] || fail "race $i: exit $r"
    done
    [ "$r0" -eq 2 ] || [ "$r1" -eq 2 ] && refused=$((refused + 1))
    grep -hq "the output directory same is in use by process" e0 e1 || [ "$r0$r1" = 00 ] ||
        { cat e0 e1; fail "race $i: no lock message"; }
    s=$(/usr/bin/python3 -c "import json;print(json.load(open('same/record.json'))['config']['train']['seed'])")
    cmp -s same/metrics.csv ref$s/metrics.csv || fail "race $i: record.json of seed $s, metrics.csv of the other"
    ls same | grep -q tmp && fail "race $i: temporary files left"
done
echo "ok: two writers of one --out never mixed ($refused of 6 rounds refused the second)"

# F13: unusable outputs of run exit 2, whatever the errno
cat >s.yaml <<'YAML'
name: s
output: st
base: {task: {chains: 2, hops: 2}, model: {d_model: 16, layers: 1, heads: 1, mlp: 1}, train: {steps: 40, batch: 8, eval_every: 20, eval_examples: 16}}
grid: {train.seed: [0]}
YAML
for out in /proc /proc/self; do
    rc=0
    "$hs" run s.yaml --out $out --quiet 2>err || rc=$?
    [ "$rc" -eq 2 ] || fail "run --out $out: exit $rc, wanted 2"
    one_line "run --out $out"
    echo "ok: run --out $out: $(cat err)"
done

long=$(/usr/bin/python3 -c "print('n' * 5000)")
printf 'name: %s\noutput: %s/x5000\ngrid: {train.seed: [0]}\n' "$long" "$PWD" >n.yaml
rc=0
"$hs" run n.yaml --quiet 2>err || rc=$?
[ "$rc" -eq 2 ] || fail "long name: exit $rc, wanted 2"
one_line "long name"
[ -e x5000 ] && fail "long name: the store was created"
echo "ok: long name refused before the store exists"

deep=$PWD/deep$(/usr/bin/python3 -c "print('/dddddddddd' * 500)")
rc=0
"$hs" run s.yaml --out "$deep" --quiet 2>err || rc=$?
[ "$rc" -eq 2 ] || fail "path beyond PATH_MAX: exit $rc, wanted 2"
one_line "path beyond PATH_MAX"
[ -e deep ] && fail "path beyond PATH_MAX: directories left behind"
echo "ok: a path beyond PATH_MAX creates nothing"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "store_output: all ok"
