#!/bin/sh
# `hopsweep analyze --plots` reads one file a record points to, the drawn run's metrics.csv, and
# only as STORE/jobs/<id>/metrics.csv (issue 12): a record naming an absolute path, a path with
# "..", or a link on the way (the file, jobs/<id>, jobs) makes it exit 2 with one line naming the
# run, with --run and for the default run alike, and the victim outside the store (a valid
# metrics.csv, so reading it would succeed) is never read into a figure and stays unchanged.
# A stand-in gnuplot on PATH keeps the test independent of gnuplot and fast.
# usage: analyze_paths.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"
HOPSWEEP_ANALYSIS_DIR=$here/../../analysis
export HOPSWEEP_ANALYSIS_DIR

mkdir "$tmp/bin"
printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/gnuplot"
chmod +x "$tmp/bin/gnuplot"
PATH=$tmp/bin:$PATH
export PATH

# the real id of the record's config: analyze refuses a record whose id is not its config's hash
printf 'name: t\noutput: %s/unused\nbase: {model: {layers: 2, heads: 2}, task: {hops: 2, chains: 2}}\n' "$tmp" >"$tmp/id.yaml"
id=$("$hs" expand "$tmp/id.yaml" | head -1 | cut -c1-16)
# rec METRICS_PATH: a solved run whose record names METRICS_PATH
rec() {
    printf '{"id":"%s","sweep":"t","config":{"model":{"layers":2,"heads":2},"task":{"hops":2,"curriculum":"implicit","chains":2},"train":{"seed":0}},"status":"done","error":null,"host":"h","rank":0,"wall_s":1,"steps":400,"final":{"loss":0.1,"query_acc":0.99,"hop_acc":null},"emergence":{"hop_steps":[0,100,200]},"files":{"metrics":"%s","attention":null,"model":null}}\n' \
        "$id" "$1"
}
metrics() { # FILE ACC: a metrics.csv whose hop accuracies at step 400 are ACC
    printf 'step,lr,train_loss,eval_loss,query_acc,level,hop_0,hop_1,hop_2\n0,0.001,,3,0.1,2,0.5,0.2,0.1\n400,0.001,1,1,0.99,2,%s,%s,%s\n' \
        "$2" "$2" "$2" >"$1"
}
mkdir -p "$tmp/outside/job"
metrics "$tmp/outside/victim.csv" 0.123457
metrics "$tmp/outside/job/metrics.csv" 0.123457
victim_sum() { (cd "$tmp/outside" && find . -type f | sort | xargs cksum; ls -lR); }

# store KIND: a fresh store whose one record and job folder are set up as KIND says
store() {
    S=$tmp/store-$1
    rm -rf "$S"
    mkdir -p "$S/jobs/$id"
    path="jobs/$id/metrics.csv"
    case $1 in
    good) metrics "$S/jobs/$id/metrics.csv" 0.987654 ;;
    absolute) path=$tmp/outside/victim.csv ;;
    dotdot) path="jobs/$id/../../../outside/victim.csv" ;;
    link) ln -s "$tmp/outside/victim.csv" "$S/jobs/$id/metrics.csv" ;;
    dirlink) rmdir "$S/jobs/$id" && ln -s "$tmp/outside/job" "$S/jobs/$id" ;;
    jobslink) rm -rf "$S/jobs" && mkdir -p "$tmp/outside/jobs" && ln -s "$tmp/outside/jobs" "$S/jobs" &&
        mkdir -p "$tmp/outside/jobs/$id" && metrics "$tmp/outside/jobs/$id/metrics.csv" 0.123457 ;;
    esac
    rec "$path" >"$S/runs.jsonl"
}

# The control: a metrics.csv inside the job's folder is drawn.
store good
"$hs" analyze "$S" --plots "$tmp/fig-good" --run $id >/dev/null 2>"$tmp/err" || fail "good store: exit $?: $(cat "$tmp/err")"
grep -q '0.987654' "$tmp/fig-good/training.dat" 2>/dev/null || fail "good store: training.dat lacks the job's metrics"

for kind in absolute dotdot link dirlink jobslink; do
    for how in explicit default; do
        store $kind
        before=$(victim_sum) # jobslink adds its own victim folder
        set -- --run $id
        [ $how = default ] && set --
        "$hs" analyze "$S" --plots "$tmp/fig-$kind-$how" "$@" >/dev/null 2>"$tmp/err"
        rc=$?
        lines=$(grep -vc 'note:' "$tmp/err")
        if [ $rc -ne 2 ] || [ "$lines" -ne 1 ]; then
            fail "$kind ($how run): exit $rc (want 2), $lines line(s): $(cat "$tmp/err")"
        else
            echo "ok: $kind ($how run): $(grep -v 'note:' "$tmp/err")"
        fi
        if grep -qs '0.123457' "$tmp/fig-$kind-$how/training.dat"; then
            fail "$kind ($how run): the victim outside the store was read into training.dat"
        fi
        [ "$(victim_sum)" = "$before" ] || fail "$kind ($how run): files outside the store changed"
    done
done

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "analyze --plots reads metrics only from jobs/<id>/metrics.csv, through no link"
