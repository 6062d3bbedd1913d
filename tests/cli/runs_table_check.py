#!/usr/bin/env python3
"""runs_table_check.py HOPSWEEP — `analyze --runs` (JSON, and the columns of text, CSV and
Markdown) equals analysis/hopsweep_store.py's load_runs on the committed stores; a preempted
job's two records collapse to one row, the latest; load_metrics reads whole rows only; frame=None
hands the rows to pandas when it imports."""
import csv
import glob
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "analysis"))
import hopsweep_store  # noqa: E402

HS = sys.argv[1]


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def cli(store, *fmt):
    out = subprocess.run([HS, "analyze", store, "--runs", *fmt], capture_output=True, text=True)
    if out.returncode:
        fail(f"analyze {store} --runs {' '.join(fmt)} exited {out.returncode}: {out.stderr}")
    return out.stdout


def same(store):
    table = json.loads(cli(store, "--json"))["runs"]
    rows = hopsweep_store.load_runs(store, frame=False)
    if [list(r) for r in table] != [list(r) for r in rows]:
        fail(f"{store}: columns differ:\n{list(table[0])}\n{list(rows[0])}")
    for a, b in zip(table, rows):
        if a != b:
            diff = {k: (a[k], b[k]) for k in a if a[k] != b[k]}
            fail(f"{store}: job {a['id']} differs (cli, python): {diff}")
    if len(table) != len(rows):
        fail(f"{store}: {len(table)} rows from the CLI, {len(rows)} from load_runs")
    # the other formats carry the same columns and rows
    head = next(csv.reader(io.StringIO(cli(store, "--csv").split("\n", 1)[1])))
    if head != list(rows[0]):
        fail(f"{store}: CSV columns {head}")
    text = cli(store).splitlines()
    md = cli(store, "--markdown").splitlines()
    if len(text) != len(rows) + 1 or not all(r["id"] in "".join(text) for r in rows):
        fail(f"{store}: the text table has {len(text)} lines for {len(rows)} runs")
    if not any(line.startswith("| id ") for line in md):
        fail(f"{store}: no Markdown table")
    return rows


stores = sorted(os.path.dirname(p) for p in glob.glob(os.path.join(ROOT, "docs/results/**/runs.jsonl"),
                                                       recursive=True))
if len(stores) < 3:
    fail(f"only {len(stores)} committed stores found")
for store in stores:
    rows = same(store)
    print(f"{os.path.relpath(store, ROOT)}: {len(rows)} runs, {len(rows[0])} columns agree")

tmp = tempfile.mkdtemp()
try:
    src = os.path.join(ROOT, "docs/results/study-emergence-order")
    store = os.path.join(tmp, "store")
    shutil.copytree(src, store)
    lines = open(os.path.join(store, "runs.jsonl")).read().splitlines()
    first = json.loads(lines[0])
    cut = dict(first, status="interrupted", steps=first["steps"] // 2,
               error="interrupted at step 6000 of 12000")
    # preempted, then rerun to the end: two records of one id; and a line being appended
    body = [json.dumps(cut, separators=(",", ":"))] + lines
    open(os.path.join(store, "runs.jsonl"), "w").write("\n".join(body) + "\n" + lines[1][:50])
    rows = same(store)
    ids = [r["id"] for r in rows]
    if len(ids) != len(set(ids)) or len(rows) != len(lines):
        fail(f"the preempted job's records did not collapse: {len(rows)} rows for {len(lines)} jobs")
    if rows[0]["id"] != first["id"] or rows[0]["status"] != "done" or rows[0]["steps"] != first["steps"]:
        fail(f"the preempted job's row is not its latest record: {rows[0]}")

    # load_metrics: whole rows only, typed
    job = first["id"]
    path = os.path.join(store, "jobs", job, "metrics.csv")
    text = open(path).read()
    whole = hopsweep_store.load_metrics(store, job, frame=False)
    if len(whole) != text.count("\n") - 1 or not isinstance(whole[0]["step"], int):
        fail(f"load_metrics read {len(whole)} rows of {text.count(chr(10)) - 1}")
    open(path, "w").write(text + text.splitlines()[1][:9])  # half a row being appended
    if len(hopsweep_store.load_metrics(store, job, frame=False)) != len(whole):
        fail("load_metrics read half a row as a row")
    for bad in ("../../etc", "ABC"):
        try:
            hopsweep_store.load_metrics(store, bad)
            fail(f"load_metrics took the id {bad!r}")
        except hopsweep_store.StoreError:
            pass

    # frame=None: a DataFrame when pandas imports (a stand-in here), the list otherwise
    fake = types.ModuleType("pandas")
    fake.DataFrame = lambda rows: ("frame", rows)
    sys.modules["pandas"] = fake
    got = hopsweep_store.load_runs(store)
    if not (isinstance(got, tuple) and got[0] == "frame" and len(got[1]) == len(rows)):
        fail("load_runs did not hand its rows to pandas.DataFrame")
    print("a preempted job's records collapse to one row; load_metrics reads whole rows")
finally:
    shutil.rmtree(tmp)
print("ok")
