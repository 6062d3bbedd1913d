#!/bin/sh
# `hopsweep attn` on logs of known maps (written by attnlog_dump): --list, CSV matrices checked
# value by value against the maps written (chain and input order, labels), PGM grids checked
# pixel by pixel, PNG/SVG through gnuplot when it is installed (and a clear exit 2 when it is
# not), bad input (exit 2, one line on stderr, nothing on stdout, no file) and an unwritable
# output (exit 3). Needs /usr/bin/python3 with numpy for the value checks.
# usage: attn_cmd.sh HOPSWEEP ATTNLOG_DUMP
set -u
. "$(dirname "$0")/../cli/lib.sh"
dump=$2
HOPSWEEP_ANALYSIS_DIR=$here/../../analysis
export HOPSWEEP_ANALYSIS_DIR
"$dump" write "$tmp" || { echo "FAIL: attnlog_dump write"; exit 1; }

pass() { echo "ok: $1"; }
fail() {
    echo "FAIL: $1"
    [ -s "$tmp/err" ] && sed 's/^/    /' "$tmp/err"
    failures=$((failures + 1))
}

# run NAME ARGS...: hopsweep attn ARGS, stdout in $tmp/NAME, stderr in $tmp/err, exit in $rc
run() {
    name=$1
    shift
    "$hs" attn "$@" >"$tmp/$name" 2>"$tmp/err"
    rc=$?
}

run help --help
[ $rc -eq 0 ] && grep -q "^usage: hopsweep attn" "$tmp/help" && pass "--help" || fail "--help (exit $rc)"

run list "$tmp/f16.zst" --list
if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && [ "$(wc -l <"$tmp/list")" -eq 3 ] &&
    grep -q "^step 100  layers 2  heads 2  examples 4  T 17  dtype f16  bytes [0-9]*  offset [0-9]*$" "$tmp/list"; then
    pass "--list: $(sed -n 2p "$tmp/list")"
else
    fail "--list (exit $rc)"
fi

# CSVs of several selections, then every value checked against the maps written
run c1 "$tmp/f32.zst" --layer 2 --head 1
run_ok() { [ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && pass "$1" || fail "$1 (exit $rc)"; }
run_ok "csv of the last step, layer 2 head 1, chain order, to stdout"
run c2 "$tmp/u8.zst" --step 100 --layer 1 --head 0 --example 3 --order input --out "$tmp/c2.csv"
run_ok "csv of step 100, layer 1 head 0, example 3, input order, --out"
run c3 "$tmp/f16.zst" --step 0 --layer 2 --head 0 --example 1 --format csv --out "$tmp/c3.txt"
run_ok "csv by --format, step 0"
run p1 "$tmp/f32.zst" --step 100 --out "$tmp/p1.pgm"
run_ok "pgm grid of every head"
run p2 "$tmp/f16.zst" --layer 2 --example 2 --order input --format pgm
run_ok "pgm of one layer's heads, to stdout"
run p3 "$tmp/u8.zst" --head 1 --out "$tmp/p3.pgm"
run_ok "pgm of one head in every layer"

/usr/bin/python3 - "$tmp" <<'PY' || failures=$((failures + 1))
import sys
import numpy as np
d = sys.argv[1]
L, H, E, T = map(int, open(f"{d}/expect.txt").read().split()[:4])
steps = [int(s) for s in open(f"{d}/expect.txt").read().split()[4:]]
want = np.fromfile(f"{d}/expect_weights.f32", "<f4").reshape(len(steps), L, H, E, T, T)
chain = np.fromfile(f"{d}/expect_chain.i32", "<i4").reshape(E, T)
index = np.fromfile(f"{d}/expect_index.i32", "<i4").reshape(E, T)
tol = {"f32": 0.0, "f16": 2.0**-12, "u8": 1 / 510 + 2.0**-25}
bad = 0

def order_of(e, chain_order):
    return np.lexsort((np.arange(T), index[e], chain[e])) if chain_order else np.arange(T)

def check_csv(path, dt, step, l, h, e, chain_order):
    global bad
    rows = [r.split(",") for r in open(path).read().splitlines()]
    o = order_of(e, chain_order)
    labels = [f"c{chain[e][t]}i{index[e][t]}" for t in o]
    m = np.array([[float(x) for x in r[1:]] for r in rows[1:]]).astype(np.float32)  # as written
    w = want[steps.index(step), l - 1, h, e][np.ix_(o, o)]
    err = np.abs(m - w).max()
    ok = (rows[0] == [""] + labels and [r[0] for r in rows[1:]] == labels and m.shape == (T, T)
          and err <= tol[dt])
    print(f"{'ok' if ok else 'FAIL'}: {path.split('/')[-1]}: labels and {T}x{T} values, max error {err:.3g}")
    bad += not ok

def check_pgm(path, dt, step, layers, heads, e, chain_order):
    global bad
    data = open(path, "rb").read()
    S, gap = 256 // T, 256 // T // 2  # cell pixels and the gap between tiles, as hopsweep draws them
    tile = T * S
    wd, ht = len(heads) * tile + (len(heads) - 1) * gap, len(layers) * tile + (len(layers) - 1) * gap
    head = f"P5\n{wd} {ht}\n255\n".encode()
    ok = data.startswith(head) and len(data) == len(head) + wd * ht
    if ok:
        px = np.frombuffer(data, np.uint8, offset=len(head)).reshape(ht, wd)
        o = order_of(e, chain_order)
        for i, l in enumerate(layers):
            for j, h in enumerate(heads):
                w = want[steps.index(step), l - 1, h, e][np.ix_(o, o)]
                block = px[i * (tile + gap):i * (tile + gap) + tile, j * (tile + gap):j * (tile + gap) + tile]
                cells = block.reshape(T, S, T, S)
                # every pixel of a cell is the same gray, within one level of round(255*w)
                ok &= bool((cells == cells[:, :1, :, :1]).all())
                ok &= bool(np.abs(cells[:, 0, :, 0].astype(float) - 255 * w).max() <= 255 * tol[dt] + 0.5 + 1e-6)
    print(f"{'ok' if ok else 'FAIL'}: {path.split('/')[-1]}: {len(layers)}x{len(heads)} grid, {wd}x{ht} pixels")
    bad += not ok

check_csv(f"{d}/c1", "f32", 200, 2, 1, 0, True)
check_csv(f"{d}/c2.csv", "u8", 100, 1, 0, 3, False)
check_csv(f"{d}/c3.txt", "f16", 0, 2, 0, 1, True)
check_pgm(f"{d}/p1.pgm", "f32", 100, [1, 2], [0, 1], 0, True)
check_pgm(f"{d}/p2", "f16", 200, [2], [0, 1], 2, False)
check_pgm(f"{d}/p3.pgm", "u8", 200, [1, 2], [1], 0, True)
sys.exit(1 if bad else 0)
PY

# the stacked-heads picture: in chain order, layer 2's heads attend 3 places along the chain
awk -F, 'NR == 2 { print $5 }' "$tmp/c1" | grep -q '^0\.9' && pass "layer 2 head 1 attends at chain offset +3" ||
    fail "layer 2 head 1 row c0i1 does not peak at c0i4"

if command -v gnuplot >/dev/null 2>&1; then
    run g1 "$tmp/f16.zst" --out "$tmp/grid.png"
    [ $rc -eq 0 ] && [ "$(head -c 4 "$tmp/grid.png" | od -An -c | tr -d ' ')" = "211PNG" ] &&
        pass "png grid through gnuplot" || fail "png grid (exit $rc)"
    run g2 "$tmp/f16.zst" --layer 1 --head 0 --step 100 --out "$tmp/one.svg"
    [ $rc -eq 0 ] && grep -q "<svg" "$tmp/one.svg" && grep -q "c0i1" "$tmp/one.svg" &&
        pass "svg of one head, with position labels" || fail "svg of one head (exit $rc)"
    run g3 "$tmp/u8.zst" --format png
    [ $rc -eq 0 ] && [ -s "$tmp/g3" ] && pass "png to stdout" || fail "png to stdout (exit $rc)"
    (unset HOPSWEEP_ANALYSIS_DIR && run g4 "$tmp/f16.zst" --out "$tmp/ok.png" && [ $rc -eq 0 ]) &&
        pass "the script is found in the source tree hopsweep was built from" ||
        fail "without HOPSWEEP_ANALYSIS_DIR the source tree's attn_grid.gp is not found"
    # HOPSWEEP_ANALYSIS_DIR comes last (tests/install/installed_tree.sh tests it alone)
    HOPSWEEP_ANALYSIS_DIR=$tmp/none run g5 "$tmp/f16.zst" --out "$tmp/bad.png"
    [ $rc -eq 0 ] && pass "a wrong HOPSWEEP_ANALYSIS_DIR does not hide the source tree's script" ||
        fail "wrong HOPSWEEP_ANALYSIS_DIR (exit $rc)"
else
    echo "skip: gnuplot is not installed; png/svg not drawn"
fi
# without gnuplot on PATH: one clear line, exit 2
PATH=/nonexistent run g5 "$tmp/f16.zst" --out "$tmp/none.png"
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "gnuplot" "$tmp/err" && [ ! -e "$tmp/none.png" ] &&
    pass "no gnuplot: $(cat "$tmp/err")" || fail "no gnuplot (exit $rc)"

# a damaged tail is skipped with a warning
size=$(wc -c <"$tmp/f16.zst")
head -c $((size - 5)) "$tmp/f16.zst" >"$tmp/cut.zst"
run cut "$tmp/cut.zst" --list
[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/cut")" -eq 2 ] && grep -q "warning: .*skipped the last" "$tmp/err" &&
    pass "cut log: $(cat "$tmp/err")" || fail "cut log (exit $rc)"
run cut2 "$tmp/cut.zst" --layer 1 --head 1
[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/cut2")" -eq 18 ] && pass "cut log: shows the last intact step" ||
    fail "cut log: show (exit $rc)"

# expect WHAT SUBSTRING ARGS...: exit 2, one line on stderr holding SUBSTRING, nothing on stdout
expect() {
    what=$1 want=$2
    shift 2
    run bad "$@"
    if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qF -- "$want" "$tmp/err" && [ ! -s "$tmp/bad" ]; then
        pass "$what: $(cat "$tmp/err")"
    else
        fail "$what: exit $rc, wanted \"$want\""
    fi
}
cp "$tmp/f16.zst" "$tmp/flip.zst"
printf '\125' | dd of="$tmp/flip.zst" bs=1 seek=100 conv=notrunc 2>/dev/null
printf 'step,loss\n0,4.1\n' >"$tmp/junk.zst"
: >"$tmp/empty.zst"
expect "missing log" "$tmp/none.zst" "$tmp/none.zst"
expect "not a log" "not an attention log" "$tmp/junk.zst"
expect "damaged log" "at byte 0, before the last frame" "$tmp/flip.zst" --layer 1 --head 1
# --list reads headers only (a log's listing costs its headers, not its weights): the frame whose
# content is damaged is listed, and refused when read
run flist "$tmp/flip.zst" --list
[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/flist")" -eq "$(wc -l <"$tmp/list")" ] &&
    pass "--list reads headers only" || fail "--list of a log with a damaged frame content (exit $rc)"
expect "empty log" "no frames" "$tmp/empty.zst"
expect "step not logged" "step 150 is not in" "$tmp/f16.zst" --step 150
expect "layer out of range" "layers 1..2" "$tmp/f16.zst" --layer 3 --head 0
expect "layer 0" "count from 1" "$tmp/f16.zst" --layer 0 --head 0
expect "head out of range" "heads 0..1" "$tmp/f16.zst" --layer 1 --head 2
expect "example out of range" "examples 0..3" "$tmp/f16.zst" --layer 1 --head 0 --example 4
expect "not a number" '"two"' "$tmp/f16.zst" --step two
expect "csv of many heads" "give --layer and --head" "$tmp/f16.zst"
expect "unknown format" '"bmp"' "$tmp/f16.zst" --format bmp
expect "unknown extension" "x.bmp" "$tmp/f16.zst" --out "$tmp/x.bmp"
expect "unknown order" '"random"' "$tmp/f16.zst" --order random
expect "unknown option" "--bogus" "$tmp/f16.zst" --bogus
expect "missing value" "--step needs a value" "$tmp/f16.zst" --step
expect "two logs" "two logs" "$tmp/f16.zst" "$tmp/u8.zst"
expect "no log" "no log given" --list
expect "list with a selection" "--list" "$tmp/f16.zst" --list --step 0
[ ! -e "$tmp/x.bmp" ] || fail "a refused run left a file"

# an output that cannot be written: exit 3, and no file
run w "$tmp/f16.zst" --layer 1 --head 0 --out "$tmp/no/such/dir/m.csv"
[ $rc -eq 3 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "no/such/dir/m.csv" "$tmp/err" &&
    pass "unwritable output: $(cat "$tmp/err")" || fail "unwritable output (exit $rc)"

[ $failures -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
