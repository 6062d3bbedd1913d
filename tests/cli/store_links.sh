#!/bin/sh
# The store touches only what it made (issue 12, F1/F2/F8/F10/F15): a store whose entries are
# symbolic links, FIFOs or devices — jobs/<id>, runs.jsonl, .lock, a planted *.tmp name,
# resume.bin -> /dev/zero, jobs as a file — makes `run` exit 2 with one line naming the entry,
# before anything trains, and nothing outside the store changes (victim files in a directory
# beside it are checksummed before and after). `store merge` of a shard whose metrics.csv links
# to a secret copies nothing, and a record path leaving its job's folder is skipped.
# usage: store_links.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"

cd "$tmp" || exit 1
cat >s.yaml <<'YAML'
name: s
output: st
base: {task: {chains: 2, hops: 2}, model: {d_model: 16, layers: 1, heads: 1, mlp: 1}, train: {steps: 40, batch: 8, eval_every: 20, eval_examples: 16}, log: {checkpoint: true, attention_every: 20}}
grid: {train.seed: [0]}
YAML
id=$("$hs" expand s.yaml | head -1 | cut -c1-16)

# victims outside every store: a file, a file without its last newline, a directory of job files
victims() {
    rm -rf outside
    mkdir -p outside/dir
    printf 'important\n' >outside/victim.txt
    printf 'line 1\nline 2 without newline' >outside/torn.txt
    echo keep-me >outside/dir/resume.bin
    echo mine >outside/dir/metrics.csv
    sum_before=$(cd outside && find . | sort | xargs cksum 2>/dev/null; ls -lR)
}
unchanged() {
    sum_after=$(cd outside && find . | sort | xargs cksum 2>/dev/null; ls -lR)
    [ "$sum_before" = "$sum_after" ] || fail "$1: files outside the store changed"
}
# expect NAME WANT_RC WANT_TEXT: the last run's exit code and its one-line message
expect() {
    f0=$failures
    [ "$rc" -eq "$2" ] || fail "$1: exit $rc, wanted $2"
    n=$(wc -l <err)
    [ "$n" -eq 1 ] || { cat err; fail "$1: $n lines on stderr, wanted 1"; }
    grep -qF -- "$3" err || { cat err; fail "$1: no \"$3\""; }
    grep -q 'done' err && fail "$1: a job ran"
    [ ! -L st/jobs/$id ] && [ -f st/jobs/$id/metrics.csv ] && fail "$1: trained anyway"
    [ "$failures" -eq "$f0" ] && echo "ok: $1: $(cat err)"
}
fresh() { rm -rf st; mkdir -p st; }

victims; fresh; mkdir -p st/jobs; ln -s "$PWD/outside/dir" st/jobs/$id
rc=0; "$hs" run s.yaml --quiet 2>err || rc=$?
expect "jobs/<id> link" 2 "st/jobs/$id is a symbolic link where hopsweep keeps a directory"
unchanged "jobs/<id> link"

victims; fresh; ln -s "$PWD/outside/torn.txt" st/runs.jsonl
rc=0; "$hs" run s.yaml --quiet 2>err || rc=$?
expect "runs.jsonl link" 2 "st/runs.jsonl is a symbolic link where hopsweep keeps a regular file"
unchanged "runs.jsonl link"

victims; fresh; ln -s "$PWD/outside/victim.txt" st/.lock
rc=0; "$hs" run s.yaml --quiet 2>err || rc=$?
expect ".lock link" 2 "st/.lock is a symbolic link"
unchanged ".lock link"
rc=0; "$hs" store merge st st 2>err || rc=$?
expect ".lock link, merge" 2 "st/.lock is a symbolic link"
unchanged ".lock link, merge"

victims; fresh; ln -s "$PWD/outside" st/jobs
rc=0; "$hs" run s.yaml --quiet 2>err || rc=$?
expect "jobs link" 2 "st/jobs is a symbolic link"
unchanged "jobs link"

victims; fresh; echo x >st/jobs
rc=0; "$hs" run s.yaml --quiet 2>err || rc=$?
expect "jobs a file (F10)" 2 "st/jobs is a regular file where hopsweep keeps a directory"

victims; fresh; mkdir -p st/jobs/$id/resume.bin
rc=0; "$hs" run s.yaml --quiet 2>err || rc=$?
expect "resume.bin a directory (F10)" 2 "st/jobs/$id/resume.bin is a directory"

victims; fresh; mkdir -p st/jobs/$id; ln -s /dev/zero st/jobs/$id/resume.bin
rc=0; "$hs" run s.yaml --quiet 2>err || rc=$?
expect "resume.bin -> /dev/zero (F15)" 2 "resume.bin is a symbolic link"

victims; fresh; mkfifo st/runs.jsonl
rc=0; timeout 20 "$hs" run s.yaml --quiet 2>err || rc=$?
expect "runs.jsonl FIFO (F8)" 2 "st/runs.jsonl is a FIFO"
rm st/runs.jsonl; mkdir -p st/jobs/$id; mkfifo st/jobs/$id/resume.bin
rc=0; timeout 20 "$hs" run s.yaml --quiet 2>err || rc=$?
expect "resume.bin FIFO (F8)" 2 "resume.bin is a FIFO"

# a planted temporary name (the old fixed one) is neither followed nor left behind
victims; fresh; mkdir -p st/jobs/$id; ln -s "$PWD/outside/victim.txt" st/jobs/$id/metrics.csv.tmp
rc=0; "$hs" run s.yaml --quiet 2>err || rc=$?
[ "$rc" -eq 0 ] || { cat err; fail "planted .tmp: exit $rc"; }
[ -f st/jobs/$id/metrics.csv ] && [ ! -L st/jobs/$id/metrics.csv ] || fail "planted .tmp: metrics.csv not a file of its own"
ls st/jobs/$id | grep -q tmp && fail "planted .tmp: temporary names left"
unchanged "planted .tmp"
echo "ok: planted .tmp written around"

# store merge: a shard's metrics.csv linking to a secret, a record pointing outside (F2)
victims
rm -rf shard dest; "$hs" run s.yaml --out shard --quiet 2>/dev/null
rm shard/jobs/$id/metrics.csv; ln -s "$PWD/outside/victim.txt" shard/jobs/$id/metrics.csv
rc=0; "$hs" store merge dest shard 2>err || rc=$?
[ "$rc" -eq 2 ] || fail "merge link: exit $rc, wanted 2"
grep -qF "shard/jobs/$id/metrics.csv is a symbolic link" err || { cat err; fail "merge link: no message"; }
[ -s dest/runs.jsonl ] && fail "merge link: a record was merged"
[ -e dest/jobs ] && fail "merge link: files were copied"
unchanged "merge link"
echo "ok: merge refuses a linked shard file: $(cat err)"
rm shard/jobs/$id/metrics.csv; echo step >shard/jobs/$id/metrics.csv
sed -i "s|\"metrics\":\"jobs/$id/metrics.csv\"|\"metrics\":\"../../../../etc/passwd\"|" shard/runs.jsonl
rc=0; "$hs" store merge dest shard 2>err || rc=$?
[ "$rc" -eq 0 ] || fail "merge path: exit $rc"
grep -q "0 jobs from shard" err || { cat err; fail "merge path: a record leaving its folder was merged"; }
grep -q "outside the job's folder" err || { cat err; fail "merge path: not said why"; }
grep -q passwd dest/runs.jsonl 2>/dev/null && fail "merge path: the path reached the store"
echo "ok: merge skips a record path leaving its folder"

# the store itself may be a link the user made: that is followed, nothing inside it is
rm -rf real st; mkdir real; ln -s real st
rc=0; "$hs" run s.yaml --quiet 2>err || rc=$?
[ "$rc" -eq 0 ] && [ -s real/runs.jsonl ] || { cat err; fail "a store reached through a link the user made: exit $rc"; }

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "store_links: all ok"
