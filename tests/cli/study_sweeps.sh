#!/bin/sh
# The study sweeps of issue 14 stay runnable: each expands (every job validated) to the number of
# jobs its comments and docs/results/README.md budget for, and bound-2x4's excludes leave exactly
# the base setting and the settings that change one key from it.
set -eu
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
count() { "$hs" expand "$root/sweeps/$1" | tail -n 1 | cut -d' ' -f1; }
for pair in study-staircase-13.yaml:74 study-bound-2x4.yaml:40 study-emergence-order.yaml:12 \
            paper-regime.yaml:240 peer-hopk.yaml:5; do
    f=${pair%%:*} want=${pair##*:}
    got=$(count "$f")
    [ "$got" = "$want" ] || { echo "FAIL: $f expands to $got jobs, not $want"; exit 1; }
done
# peer-hopk's cluster line (its comments): the peer's whole table, 2 widths x 5 depths x 4 data
got=$("$hs" expand "$root/sweeps/peer-hopk.yaml" model.d_model=128,256 model.heads=4,8 \
    task.train_examples=0,992,2976,9984 | tail -n 1 | cut -d' ' -f1)
[ "$got" = 40 ] || { echo "FAIL: peer-hopk.yaml's whole table expands to $got jobs, not 40"; exit 1; }
# 8 settings of 5 seeds; every setting differs from the base in at most one key
"$hs" expand "$root/sweeps/study-bound-2x4.yaml" | sed '$d' | /usr/bin/python3 -c '
import sys
base = {"vocab": "20", "batch": "16", "schedule": "constant", "lr": "0.001", "train_examples": "0"}
settings = {}
for line in sys.stdin:
    kv = dict(w.split("=", 1) for w in line.split()[1:])
    seed = kv.pop("seed")
    off = [k for k in base if kv[k] != base[k]]
    assert len(off) <= 1, line
    settings.setdefault(tuple(sorted(kv.items())), set()).add(seed)
assert len(settings) == 8, len(settings)
assert all(len(s) == 5 for s in settings.values()), settings
'
echo ok
