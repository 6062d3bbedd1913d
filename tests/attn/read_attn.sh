#!/bin/sh
# The Python reader (analysis/read_attn.py) against logs hopsweep's own writer produced: every
# dtype read back within its documented error (f16 bit-exact against numpy's float16, u8 exact
# against round(w*255)/255), chain and index exact, and a cut, a flipped and a junk file handled
# as hopsweep handles them. Needs /usr/bin/python3 with numpy and zstandard.
# usage: read_attn.sh ATTNLOG_DUMP READ_ATTN_PY
set -u
dump=$1 reader=$2
. "$(dirname "$0")/../cli/lib.sh"
"$dump" write "$tmp" || { echo "FAIL: attnlog_dump write"; exit 1; }

# a log cut inside its last frame, one with a flipped byte in its first frame, and junk
size=$(wc -c <"$tmp/f16.zst")
head -c $((size - 7)) "$tmp/f16.zst" >"$tmp/cut.zst"
cp "$tmp/f16.zst" "$tmp/flip.zst"
printf '\125' | dd of="$tmp/flip.zst" bs=1 seek=200 conv=notrunc 2>/dev/null
printf 'step,loss\n0,4.1\n' >"$tmp/junk.zst"

/usr/bin/python3 - "$reader" "$tmp" <<'PY' || exit 1
import importlib.util, sys, warnings
import numpy as np

spec = importlib.util.spec_from_file_location("read_attn", sys.argv[1])
ra = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ra)
d = sys.argv[2]
L, H, E, T = map(int, open(f"{d}/expect.txt").read().split()[:4])
steps = [int(s) for s in open(f"{d}/expect.txt").read().split()[4:]]
want = np.fromfile(f"{d}/expect_weights.f32", "<f4").reshape(len(steps), L, H, E, T, T)
chain = np.fromfile(f"{d}/expect_chain.i32", "<i4").reshape(E, T)
index = np.fromfile(f"{d}/expect_index.i32", "<i4").reshape(E, T)
failures = 0

def check(what, ok):
    global failures
    print(("ok: " if ok else "FAIL: ") + what)
    failures += not ok

# what each dtype must read back as, exactly, and the documented bound on its error
u8 = np.clip(np.floor(want.astype(np.float64) * 255 + 0.5), 0, 255).astype(np.float32) / np.float32(255)
exact = {"f32": want, "f16": want.astype(np.float16).astype(np.float32), "u8": u8}
bound = {"f32": 0.0, "f16": 2.0**-12, "u8": 1 / 510 + 2.0**-25}
for dt in ("f32", "f16", "u8"):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean log must not warn
        frames = list(ra.read_log(f"{d}/{dt}.zst"))
    check(f"{dt}: steps {[f.step for f in frames]}", [f.step for f in frames] == steps)
    for f, w, x in zip(frames, want, exact[dt]):
        check(f"{dt} step {f.step}: dtype, shapes", f.dtype == dt and f.weights.shape == (L, H, E, T, T)
              and f.weights.dtype == np.float32)
        check(f"{dt} step {f.step}: chain and index", np.array_equal(f.chain, chain) and np.array_equal(f.index, index))
        err = float(np.abs(f.weights.astype(np.float64) - w).max())
        check(f"{dt} step {f.step}: max error {err:.3g} <= {bound[dt]:.3g}", err <= bound[dt])
        check(f"{dt} step {f.step}: bit-exact against numpy's conversion", np.array_equal(f.weights, x))

notes = []
frames = list(ra.read_log(f"{d}/cut.zst", on_notice=notes.append))
check(f"cut: {len(frames)} frames, notice {notes}", [f.step for f in frames] == steps[:2]
      and len(notes) == 1 and f"from byte {frames[1].offset + frames[1].size}" in notes[0])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    n = len(list(ra.read_log(f"{d}/cut.zst")))
check("cut: ReadWarning by default", n == 2 and len(caught) == 1 and issubclass(caught[0].category, ra.ReadWarning))
for name, needle in (("flip", "at byte 0, before the last frame"), ("junk", "at byte 0")):
    try:
        list(ra.read_log(f"{d}/{name}.zst"))
        check(f"{name}: refused", False)
    except ra.LogError as e:
        check(f"{name}: refused: {e}", needle in str(e))
order = ra.chain_order(chain[0], index[0])
keys = list(zip(chain[0][order], index[0][order]))
check("chain_order sorts by (chain, index)", keys == sorted(keys))
sys.exit(1 if failures else 0)
PY

# the command line: one line per frame; damage is exit 2 with one line on stderr
out=$(/usr/bin/python3 "$reader" "$tmp/u8.zst" 2>"$tmp/err")
rc=$?
[ $rc -eq 0 ] && [ "$(printf '%s\n' "$out" | grep -c '^step ')" -eq 3 ] && [ ! -s "$tmp/err" ] ||
    { echo "FAIL: read_attn.py u8.zst: exit $rc: $out"; cat "$tmp/err"; exit 1; }
echo "ok: read_attn.py lists 3 frames"
/usr/bin/python3 "$reader" "$tmp/f32.zst" --step 200 --npz "$tmp/s.npz" >"$tmp/out" 2>&1 &&
    /usr/bin/python3 -c "import numpy as np, sys; z = np.load(sys.argv[1]); sys.exit(int(z['step']) != 200 or z['weights'].shape != (2, 2, 4, 17, 17))" "$tmp/s.npz" ||
    { echo "FAIL: read_attn.py --step 200 --npz"; cat "$tmp/out"; exit 1; }
echo "ok: read_attn.py --npz"
/usr/bin/python3 "$reader" "$tmp/junk.zst" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "at byte 0" "$tmp/err" ||
    { echo "FAIL: read_attn.py junk.zst: exit $rc"; cat "$tmp/err"; exit 1; }
echo "ok: read_attn.py junk.zst: $(cat "$tmp/err")"
