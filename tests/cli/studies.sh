#!/bin/sh
# The measured studies in docs/results/: for every store there (a directory with runs.jsonl, at
# any depth) that has an analysis.md, `hopsweep analyze <store> --markdown` reproduces it byte for
# byte, and where it has a plateau.md, so does analysis/plateau.py; the numbers README quotes from
# them are the ones the analysis computes (study_readme.py). A store without analysis.md yet (a
# study still running) is named and skipped. Cheap: it only analyses.
set -eu
. "$(dirname "$0")/lib.sh"
root=$(cd "$here/../.." && pwd)
n=0
for runs in $(cd "$root" && find docs/results -name runs.jsonl -not -path '*/jobs/*' | sort); do
    store=$(dirname "$runs")
    dir=$root/$store
    name=$(echo "${store#docs/results/}" | tr / -)
    if [ ! -f "$dir/analysis.md" ]; then
        echo "note: $store has no analysis.md yet (a study still running, or not a study); not checked"
        continue
    fi
    (cd "$root" && "$hs" analyze "$store" --markdown) >"$tmp/$name.md"
    if ! cmp -s "$tmp/$name.md" "$dir/analysis.md"; then
        echo "FAIL: hopsweep analyze $store --markdown differs from its analysis.md:"
        diff "$dir/analysis.md" "$tmp/$name.md" | head -20
        exit 1
    fi
    if [ -f "$dir/plateau.md" ]; then
        # plateau.py exits 1 when a run still rises or is short of its budget: not a failure here.
        rc=0
        (cd "$root" && /usr/bin/python3 analysis/plateau.py "$store") >"$tmp/$name.plateau.md" || rc=$?
        if [ $rc -gt 1 ] || ! cmp -s "$tmp/$name.plateau.md" "$dir/plateau.md"; then
            echo "FAIL: analysis/plateau.py $store (exit $rc) differs from its plateau.md:"
            diff "$dir/plateau.md" "$tmp/$name.plateau.md" | head -20
            exit 1
        fi
        echo "ok: $store: plateau.md reproduced"
    fi
    (cd "$root" && "$hs" analyze "$store" --json) >"$tmp/$name.json"
    (cd "$root" && "$hs" analyze "$store" --table min_layers) >"$tmp/$name.min_layers.txt"
    (cd "$root" && "$hs" analyze "$store" --table key_summary) >"$tmp/$name.key_summary.txt"
    echo "ok: $store: analysis.md reproduced"
    n=$((n + 1))
done
[ $n -gt 0 ] || { echo "FAIL: no study store with an analysis.md under docs/results/"; exit 1; }
/usr/bin/python3 "$here/study_readme.py" "$root/README.md" "$tmp"
