#!/bin/sh
# Hostile strings from a store through every command that shows them and through the report:
# a payload set (script tags, event handlers, a javascript: URL, ESC/OSC/CSI sequences, C1 CSI,
# CR, LF, U+202E) in every record field shown (error, host, engine, sweep), in the emergence
# roles, in an unknown config key, in metrics.csv's head and role names and in the sweep's
# name (sweep.yaml). Checked: the bytes of status, status --json, analyze (text, Markdown, CSV,
# JSON), run and store merge carry no ESC, CR, C1 or bidi character and no forged line; the
# report, opened in headless Chromium, ran none of it (its title and DOM: one script, the
# page's own; no event-handler attribute, no javascript: link, no element from a payload).
# usage: payloads.sh HOPSWEEP
set -u
. "$(dirname "$0")/lib.sh"

cat >"$tmp/s.yaml" <<YAML
name: payloads
output: $tmp/st
base:
  task: {chains: 2, vocab: 16, hops: 2}
  model: {d_model: 16, heads: 2, mlp: 2, layers: 1}
  train: {steps: 40, batch: 8, eval_every: 20, eval_examples: 16}
  log: {attention_every: 20, probe_examples: 2}
grid:
  train.seed: [0, 1, 2]
YAML
"$hs" run "$tmp/s.yaml" --quiet >"$tmp/run.out" 2>&1 || { echo "FAIL: the sweep did not run"; cat "$tmp/run.out"; exit 1; }

# The payloads, into the store. Head names in metrics.csv are at most 15 bytes and start with L.
$py - "$tmp/st" <<'PY' || exit 1
import json, os, re, sys
st = sys.argv[1]
P = ['<script>document.title="PWNED"</script>', '<img src=x onerror="document.title=\'PWNED\'">',
     '"><svg onload="document.title=\'PWNED\'">', "javascript:document.title='PWNED'",
     "\x1b]0;PWNED\x07", "\x1b[31mRED\x1b[0m", "\u009b31mC1", "ok\rFORGED-CR",
     "ok\nFORGED-LINE", "\u202eDEMROF", "'><a href=\"javascript:x\">"]
recs = [json.loads(l) for l in open(f"{st}/runs.jsonl")]
for i, r in enumerate(recs):
    r["status"] = "failed"
    r["error"] = " ".join(P)
    r["host"] = P[i % len(P)] + P[(i + 4) % len(P)]
    r["engine"] = P[(i + 2) % len(P)]
    r["sweep"] = P[(i + 9) % len(P)]
    if r.get("emergence") and isinstance(r["emergence"].get("order"), list):
        r["emergence"]["order"] = [P[0] + P[8], P[4] + P[9]]  # as many as the model's heads
bad = json.loads(json.dumps(recs[0]))
bad["config"]["model"][P[4] + P[8] + "<b id=pwn>"] = 1  # an unknown key: a skipped line's note
recs.append(bad)
open(f"{st}/runs.jsonl", "w").write("".join(json.dumps(r) + "\n" for r in recs))
y = open(f"{st}/sweep.yaml").read()  # sweep names refuse controls; the rest is allowed
open(f"{st}/sweep.yaml", "w").write(
    re.sub(r"(?m)^name: .*$", 'name: "\u202e<script>alert(1)<img src=x onerror=alert(1)>"', y, 1))
heads = ["L<svg onload=x>", "L<b>\u202e", "L\x1b[31mX", "L\njs:x"]
for jid in os.listdir(f"{st}/jobs"):
    p = f"{st}/jobs/{jid}/metrics.csv"
    lines = open(p).read().split("\n")
    head = lines[0].split(",")
    names = sorted({h[:-5] for h in head if h.endswith("_role")})
    for k, n in enumerate(names):
        new = heads[k % len(heads)].replace("\n", "")
        head = [new + h[len(n):] if h.startswith(n + "_") else h for h in head]
    lines[0] = ",".join(head)
    out = [lines[0]]
    for l in lines[1:]:
        if l:
            l = re.sub(r"L\d:[^,]*", lambda m: "<i onmouseover=x>\x1b[2J\u202e", l)
        out.append(l)
    open(p, "w").write("\n".join(out))
PY

# The terminal: no control, C1 or bidi character, no forged line, on any stream.
check_bytes() { # check_bytes WHAT FILE
    $py - "$1" "$2" <<'PY' || fail "$1: $(cat -A "$2" | grep -m3 -n -e '\^\[' -e '\^M' -e FORGED)"
import sys
what, path = sys.argv[1:]
b = open(path, "rb").read()
bad = [x for x in (b"\x1b", b"\r", b"\x07", "\u009b".encode(), "\u202e".encode()) if x in b]
forged = [l for l in b.split(b"\n") if l.startswith((b"FORGED", b"RED", b"DEMROF"))]
sys.exit(1 if bad or forged else 0)
PY
}
S=$tmp/st
"$hs" status "$S" >"$tmp/status" 2>&1; check_bytes status "$tmp/status"
grep -q '3 failed' "$tmp/status" || fail "the payload records were not read: $(head -3 "$tmp/status")"
grep -q 'sweep \\u202e<script>' "$tmp/status" || fail "the payload sweep name was not read: $(head -1 "$tmp/status")"
"$hs" status "$S" --json >"$tmp/status.json" 2>&1; check_bytes "status --json" "$tmp/status.json"
$py -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/status.json" || fail "status --json is not JSON"
for fmt in "" --markdown --csv --json; do
    "$hs" analyze "$S" $fmt >"$tmp/analyze$fmt" 2>&1; check_bytes "analyze $fmt" "$tmp/analyze$fmt"
done
"$hs" analyze "$S" --plots "$tmp/plots" >"$tmp/plots.out" 2>&1; check_bytes "analyze --plots" "$tmp/plots.out"
"$hs" run "$tmp/s.yaml" >"$tmp/rerun" 2>&1; check_bytes run "$tmp/rerun"
"$hs" store merge "$tmp/merged" "$S" >"$tmp/merge" 2>&1; check_bytes "store merge" "$tmp/merge"
"$hs" "$(printf 'ru\nn\033]0;PWNED\007')" >"$tmp/argv" 2>&1; check_bytes "an unknown command" "$tmp/argv"
"$hs" run "$(printf 'ti\033[2Jny\r.yaml')" >"$tmp/argv2" 2>&1; check_bytes "a sweep file's name" "$tmp/argv2"
grep -q 'ru\\nn\\x1b' "$tmp/argv" || fail "the unknown command is not shown escaped: $(head -1 "$tmp/argv")"
grep -q 'u202e' "$tmp/status" || fail "status does not show U+202E as an escape"

# The report: written, and in the browser nothing ran.
"$hs" report "$S" --out "$tmp/report.html" >"$tmp/report.out" 2>&1 || fail "report: $(cat "$tmp/report.out")"
check_bytes report "$tmp/report.out"
chromium=/usr/bin/chromium
if [ ! -x "$chromium" ]; then
    echo "SKIP: $chromium is not installed; the page was checked as text only"
    dom=$tmp/report.html
else
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$tmp/profile" --virtual-time-budget=2000 --dump-dom \
        "file://$tmp/report.html" >"$tmp/dom.html" 2>"$tmp/chrome.err"
    dom=$tmp/dom.html
    [ -s "$dom" ] || { echo "SKIP: chromium could not start here: $(tail -2 "$tmp/chrome.err")"; dom=$tmp/report.html; }
fi
$py - "$dom" <<'PY' || fail "the report's DOM: see above"
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.bad, self.scripts, self.title, self.in_title = [], 0, "", False
        self.data = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        # the comparison's curves travel as one inert JSON block (ids and numbers only)
        if tag == "script" and a.get("type") == "application/json" and a.get("id") == "curves":
            self.data += 1
        else:
            self.scripts += tag == "script"
        self.in_title = tag == "title" and not self.title
        if tag in ("img", "b", "i", "a") and any(k in ("id", "src", "onerror", "onmouseover") for k, _ in attrs):
            self.bad.append(f"<{tag} {attrs}>")
        for k, v in attrs:
            if k.startswith("on"):
                self.bad.append(f"<{tag} {k}=...>")
            if k == "href" and v and not v.startswith("#"):
                self.bad.append(f"<{tag} href={v!r}>")
    def handle_data(self, d):
        if self.in_title:
            self.title += d
    def handle_endtag(self, tag):
        self.in_title = False
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
ok = True
if p.bad:
    print("elements or attributes from a payload:", p.bad[:5]); ok = False
if p.scripts != 1 or p.data > 1:
    print(f"{p.scripts} script elements and {p.data} data blocks, not the page's one and at most one"); ok = False
if "PWNED" in p.title or not p.title.startswith("hopsweep report: "):
    print("the title changed:", p.title[:200]); ok = False
if "\u202e" in open(sys.argv[1], encoding="utf-8").read():
    print("a raw U+202E in the page"); ok = False
sys.exit(0 if ok else 1)
PY

[ $failures -eq 0 ] && echo "ok: payloads in every store string: escaped on the terminal and in the report, none ran"
exit $((failures > 0))
