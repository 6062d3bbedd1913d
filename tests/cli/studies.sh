#!/bin/sh
# The measured studies in docs/results/: `hopsweep analyze` on each committed store reproduces its
# committed analysis.md byte for byte, and the numbers README quotes from them are the ones the
# analysis computes (study_readme.py). Cheap: it only analyses.
set -eu
hs=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for dir in "$root"/docs/results/study-*; do
    name=$(basename "$dir")
    if [ ! -f "$dir/analysis.md" ]; then
        echo "note: $name has no analysis.md yet (a study still running); not checked"
        continue
    fi
    (cd "$root" && "$hs" analyze "docs/results/$name" --markdown) >"$tmp/$name.md"
    if ! cmp -s "$tmp/$name.md" "$dir/analysis.md"; then
        echo "FAIL: hopsweep analyze docs/results/$name --markdown differs from its analysis.md:"
        diff "$dir/analysis.md" "$tmp/$name.md" | head -20
        exit 1
    fi
    (cd "$root" && "$hs" analyze "docs/results/$name" --json) >"$tmp/$name.json"
    (cd "$root" && "$hs" analyze "docs/results/$name" --table min_layers) >"$tmp/$name.min_layers.txt"
    echo "ok: $name: analysis.md reproduced"
    n=$((n + 1))
done
[ $n -gt 0 ] || { echo "FAIL: no study store under docs/results/"; exit 1; }
/usr/bin/python3 "$here/study_readme.py" "$root/README.md" "$tmp"
