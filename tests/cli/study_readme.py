#!/usr/bin/python3
"""study_readme.py README.md DIR — are the numbers README's "Measured studies" section quotes
the ones `hopsweep analyze --json` computes from the committed stores (DIR/<study>.json, written by
studies.sh)? Checks every row of the bound-2x4 table (solved seeds, median steps to solve, in the
order of the analysis's settings), the emergence-order table (emerged, median, IQR of each role),
its modal order, count and Kendall's W, that every fenced block under a study heading that
starts with "Minimum layers" appears verbatim in `analyze --table min_layers` of that study, and
that the key_summary example of "Analysis" is line for line what its command prints, and every
row of the optimizer study's table (solved seeds, Wilson interval, median steps to solve of each
cell and setting) against the analysis's train.clip key-effect rows, and every row of the
staircase-noclip table against its curricula rows, and the peer task's rows (error per k, reach)
against the k_error table of their store.
Exit 0 when all agree, 1 on the first difference."""
import json
import math
import os
import re
import sys


def section(text, heading):
    i = text.index(heading)
    j = text.find("\n### ", i + 1)
    k = text.find("\n## ", i + 1)
    ends = [e for e in (j, k) if e != -1]
    return text[i:min(ends) if ends else len(text)]


def num(s):
    s = s.replace("*", "").replace(",", "").strip()
    return None if s in ("—", "-", "") else float(s)


def wilson(k, n, z=1.959963984540054):
    """The Wilson 95% interval of k successes in n, as `hopsweep analyze` computes it."""
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    readme, d = sys.argv[1], sys.argv[2]
    text = open(readme, encoding="utf-8").read()
    checked = 0

    b = json.load(open(os.path.join(d, "study-bound-2x4.json")))
    rows = [r for r in section(text, "### bound-2x4").splitlines()
            if r.startswith("| ") and re.search(r"\| \**\d+/\d+\** \|", r)]
    cur = sorted(b["curricula"], key=lambda r: r["setting"])
    if len(rows) != len(cur):
        fail(f"bound-2x4: README has {len(rows)} rows, the analysis {len(cur)} settings")
    for r, c in zip(rows, cur):
        cells = [x.strip() for x in r.strip("|").split("|")]
        solved = cells[1].replace("*", "")
        if solved != f"{c['solved']}/{c['seeds']}":
            fail(f"bound-2x4 row '{cells[0]}': README {solved}, analysis {c['solved']}/{c['seeds']}")
        if num(cells[2]) != c["median_steps_to_solve"]:
            fail(f"bound-2x4 row '{cells[0]}': README {cells[2]}, analysis "
                 f"{c['median_steps_to_solve']}")
        checked += 1

    e = json.load(open(os.path.join(d, "study-emergence-order.json")))
    sec = section(text, "### emergence-order")
    em = e["emergence"][0]
    order = " ".join(em["modal_order"])
    if f"**`{order}`** ({em['modal_runs']} of {em['runs_with_heads']} runs" not in sec:
        fail(f"emergence-order: modal order {order} ({em['modal_runs']} runs) not in README")
    if f"Kendall's W = {em['kendall_w']:.3f}" not in sec:
        fail(f"emergence-order: Kendall's W {em['kendall_w']:.3f} not in README")
    for role in e["roles"]:
        pat = re.compile(r"\| " + re.escape(role["role"]) + r" \| (\d+)/(\d+) \| ([\d,]+) \| "
                         r"([\d,]+)–([\d,]+) \|")
        m = pat.search(sec)
        if not m:
            fail(f"emergence-order: no README row for {role['role']}")
        got = (int(m.group(1)), num(m.group(3)), num(m.group(4)), num(m.group(5)))
        want = (role["emerged"], role["median"], role["q1"], role["q3"])
        if got != want:
            fail(f"emergence-order {role['role']}: README {got}, analysis {want}")
        checked += 1

    for study in ("staircase-noclip", "staircase-13", "bound-2x4", "emergence-order"):
        head = f"### {study}"
        if head not in text:
            continue
        blocks = re.findall(r"```\n(Minimum layers.*?)```", section(text, head), re.S)
        path = os.path.join(d, f"study-{study}.min_layers.txt")
        if not os.path.exists(path):
            continue
        table = open(path, encoding="utf-8").read()
        for blk in blocks:
            if blk not in table:
                fail(f"{study}: README's minimum-layers block is not what analyze prints:\n{blk}")
            checked += 1
    # The optimizer study: each row names a cell (layers x hops) and a setting (clip, weight
    # decay, warm-up); its numbers are the train.clip key-effect row of that cell and value.
    path = os.path.join(d, "study-optimizer.json")
    if "### optimizer" in text and os.path.exists(path):
        o = json.load(open(path))
        eff = {(r["cell"], r["value"]): r for r in o["key_effects"] if r["key"] == "train.clip"}
        pat = re.compile(r"^\| (\d+) × (\d+) \| (\S+) \| (\S+) \| (\S+) \| (\d+)/(\d+) \| "
                         r"\[([\d.]+), ([\d.]+)\] \| ([\d,—]+) \|$", re.M)
        rows = pat.findall(section(text, "### optimizer"))
        if not rows:
            fail("optimizer: no table rows in README")
        for L, D, clip, wd, wu, k, n, lo, hi, med in rows:
            cell = f"model.layers={L} task.hops={D} train.warmup={wu} train.weight_decay={wd}"
            r = eff.get((cell, clip))
            if not r:
                fail(f"optimizer: no analysis row for {cell} train.clip={clip}")
            got = (int(k), int(n), lo, hi, num(med))
            want = (r["solved"], r["runs"], f"{r['ci95_lo']:.2f}", f"{r['ci95_hi']:.2f}",
                    r["median_steps_to_solve"])
            if got != want:
                fail(f"optimizer {cell} clip={clip}: README {got}, analysis {want}")
            checked += 1
    # staircase-noclip: each row of its table (cell, solved seeds, Wilson interval, median
    # steps to solve) is the analysis's curricula row of that cell.
    path = os.path.join(d, "study-staircase-noclip.json")
    if "### staircase-noclip" in text and os.path.exists(path):
        cur = {(c["layers"], c["hops"]): c for c in json.load(open(path))["curricula"]}
        pat = re.compile(r"^\| (\d+) × (\d+) \| (\d+)/(\d+) \| \[([\d.]+), ([\d.]+)\] \| "
                         r"([\d,—]+) \|$", re.M)
        rows = pat.findall(section(text, "### staircase-noclip"))
        if len(rows) != len(cur):
            fail(f"staircase-noclip: README has {len(rows)} rows, the analysis {len(cur)} cells")
        for L, D, k, n, lo, hi, med in rows:
            c = cur.get((int(L), int(D)))
            if not c:
                fail(f"staircase-noclip: no analysis row for {L} x {D}")
            wlo, whi = wilson(c["solved"], c["seeds"])
            got = (int(k), int(n), lo, hi, num(med))
            want = (c["solved"], c["seeds"], f"{wlo:.2f}", f"{whi:.2f}", c["median_steps_to_solve"])
            if got != want:
                fail(f"staircase-noclip {L} x {D}: README {got}, analysis {want}")
            checked += 1
    # The peer task: every hopsweep row of its table (depth, error per k to 3 decimals, reach
    # under 1% and 5%) is the k_error table of the store its source names.
    sec_name = "## k-hop induction (peer task)"
    if sec_name in text:
        pat = re.compile(r"^\| (\d+) \| hopsweep, lr (\S+) \| (.*) \|$", re.M)
        stores = {"1e-3": "peer-hopk", "1e-4": "peer-hopk-lr1e-4"}
        for L, lr, rest in pat.findall(section(text, sec_name)):
            path = os.path.join(d, f"{stores.get(lr, '?')}.json")
            if not os.path.exists(path):
                fail(f"peer task: README quotes lr {lr}, but no committed store analyses it")
            err = {r["k"]: r for r in json.load(open(path))["k_error"] if r["layers"] == int(L)}
            if not err:
                fail(f"peer task: README quotes {L} layers at lr {lr}; its store has no such row")
            cells = [c.strip() for c in rest.split("|")]
            want = [f"{err[k]['error']:.3f}" for k in sorted(err)]
            r = err[0]
            want += ["—" if r[x] is None else str(r[x]) for x in ("reach_1pct", "reach_5pct")]
            if cells != want:
                fail(f"peer task {L} layers, lr {lr}: README {cells}, analysis {want}")
            checked += 1
    # The key-effect example of "Analysis": every line of its block is a line analyze prints.
    sec = section(text, "## Analysis: `hopsweep analyze`")
    m = re.search(r"`build/hopsweep analyze docs/results/(study-[a-z0-9-]+) --table\s+key_summary`"
                  r".*?```\n(key .*?)```", sec, re.S)
    if not m:
        fail("Analysis: no key_summary example with its command")
    printed = open(os.path.join(d, f"{m.group(1)}.key_summary.txt"), encoding="utf-8").read()
    for line in m.group(2).splitlines():
        if line not in printed.splitlines():
            fail(f"Analysis: README's key_summary line is not what analyze prints:\n{line}")
    checked += 1
    print(f"README's study numbers agree with the analysis ({checked} rows and blocks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
