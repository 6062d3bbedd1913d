#!/bin/sh
# Every command that reads a store (status, analyze as text and Markdown and --plots, report,
# store merge from it) against a store in which one component is a symbolic link to the same
# thing outside the store (runs.jsonl, sweep.yaml, jobs, jobs/<id>, jobs/<id>/metrics.csv,
# jobs/<id>/attn.zst), the outside copy carrying a marker: the marker never appears in what
# any command prints or writes, a link at the store's top level is refused (one line naming it,
# exit 2), a link inside a job's folder is a note in the report and refused by --plots. Also a
# FIFO as runs.jsonl (refused at once, no hang).
# usage: store_read_links.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"

cat >"$tmp/s.yaml" <<YAML
name: links
output: $tmp/st
base:
  task: {chains: 2, vocab: 16, hops: 2}
  model: {d_model: 16, heads: 2, mlp: 2, layers: 1}
  train: {steps: 40, batch: 8, eval_every: 20, eval_examples: 16}
  log: {attention_every: 20, probe_examples: 2}
grid:
  train.seed: [0, 1]
YAML
"$hs" run "$tmp/s.yaml" --quiet >"$tmp/run.out" 2>&1 || { echo "FAIL: the sweep did not run"; cat "$tmp/run.out"; exit 1; }
id=$(ls "$tmp/st/jobs" | head -1)

# The outside copy: the same files with a marker where each command would show it.
V=$tmp/victim
cp -a "$tmp/st" "$V"
$py - "$V" "$id" <<'PY' || exit 1
import json, sys, re
v, id_ = sys.argv[1:]
recs = [json.loads(l) for l in open(f"{v}/runs.jsonl")]
for r in recs:
    r["host"] = "VICTIM-SECRET"
open(f"{v}/runs.jsonl", "w").write("".join(json.dumps(r) + "\n" for r in recs))
y = open(f"{v}/sweep.yaml").read()
open(f"{v}/sweep.yaml", "w").write(re.sub(r"(?m)^name: .*$", "name: VICTIM-SECRET", y, 1))
m = open(f"{v}/jobs/{id_}/metrics.csv").read()
open(f"{v}/jobs/{id_}/metrics.csv", "w").write(re.sub(r"L1:[^,\n]*", "VICTIM-SECRET", m))
PY
grep -q VICTIM-SECRET "$V/jobs/$id/metrics.csv" || { echo "FAIL: no marker in the victim"; exit 1; }

# Every read-only command on store $1 (--plots only when $3 is "plots": gnuplot is the slow
# part); its outputs go to $2.*; prints the exit codes.
read_all() {
    s=$1 o=$2
    printf 'status:'; "$hs" status "$s" >"$o.status" 2>&1; echo " $?"
    printf 'analyze:'; "$hs" analyze "$s" >"$o.analyze" 2>&1; echo " $?"
    printf 'analyze-md:'; "$hs" analyze "$s" --markdown >"$o.md" 2>&1; echo " $?"
    printf 'report:'; "$hs" report "$s" --out "$o.html" >"$o.report" 2>&1; echo " $?"
    printf 'merge:'; "$hs" store merge "$o.dest" "$s" >"$o.merge" 2>&1; echo " $?"
    if [ "${3:-}" = plots ]; then
        printf 'plots:'; "$hs" analyze "$s" --plots "$o.plots" --run "$id" >"$o.plotsout" 2>&1; echo " $?"
    fi
}

# The clean store first: every command works (so a refusal below is the link's doing).
read_all "$tmp/st" "$tmp/clean" plots >"$tmp/clean.rc"
[ "$(grep -c ' 0$' "$tmp/clean.rc")" -eq 6 ] || fail "clean store: $(tr '\n' ' ' <"$tmp/clean.rc")"

for comp in runs.jsonl sweep.yaml jobs "jobs/$id" "jobs/$id/metrics.csv" "jobs/$id/attn.zst"; do
    name=$(echo "$comp" | tr / _)
    s=$tmp/s_$name
    cp -a "$tmp/st" "$s"
    rm -rf "${s:?}/$comp"
    ln -s "$V/$comp" "$s/$comp"
    case $comp in jobs/*/*) plots=plots ;; *) plots= ;; esac
    read_all "$s" "$tmp/o_$name" $plots >"$tmp/o_$name.rc"
    leaked=$(grep -l VICTIM-SECRET "$tmp/o_$name".* "$tmp/o_$name".plots/* "$tmp/o_$name".dest/runs.jsonl \
        "$tmp/o_$name".dest/jobs/*/* 2>/dev/null)
    [ -z "$leaked" ] || fail "$comp linked: the outside file's content in $leaked"
    case $comp in
    runs.jsonl | sweep.yaml | jobs)
        # refused whole, as run refuses it: one line naming the link
        [ "$(grep -c ' 2$' "$tmp/o_$name.rc")" -eq 5 ] ||
            fail "$comp linked: not every command refused it: $(tr '\n' ' ' <"$tmp/o_$name.rc")"
        for f in status analyze report merge; do
            [ "$(wc -l <"$tmp/o_$name.$f")" -eq 1 ] && grep -q "$comp is a symbolic link" "$tmp/o_$name.$f" ||
                fail "$comp linked: $f did not say so in one line: $(head -3 "$tmp/o_$name.$f")"
        done
        ;;
    *)
        grep -q 'report: 0$' "$tmp/o_$name.rc" || fail "$comp linked: report failed"
        grep -q "is a symbolic link" "$tmp/o_$name.html" || fail "$comp linked: the page does not note the link"
        case $comp in */metrics.csv)
            grep -q 'plots: 2$' "$tmp/o_$name.rc" || fail "$comp linked: analyze --plots did not refuse it" ;;
        esac
        grep -q 'merge: 2$' "$tmp/o_$name.rc" || fail "$comp linked: store merge took the shard"
        ;;
    esac
done

# A FIFO where runs.jsonl belongs: refused at once.
cp -a "$tmp/st" "$tmp/fifo"
rm "$tmp/fifo/runs.jsonl"
mkfifo "$tmp/fifo/runs.jsonl"
timeout 10 "$hs" status "$tmp/fifo" >"$tmp/fifo.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "runs.jsonl is a FIFO" "$tmp/fifo.out" || fail "FIFO runs.jsonl: exit $rc: $(cat "$tmp/fifo.out")"

[ $failures -eq 0 ] && echo "ok: every read-only command, each store component linked outside: refused or noted, never read"
exit $((failures > 0))
