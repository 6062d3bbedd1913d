#!/usr/bin/env python3
"""hopsweep_store.py — a result store (DESIGN §3) read into Python: one row per job, and a job's
metrics.csv, as plain lists of dicts, or pandas DataFrames when pandas is importable.

    import hopsweep_store as hs
    runs = hs.load_runs("results/smoke")        # one row per job id: its latest record
    rows = hs.load_metrics("results/smoke", runs[0]["id"])   # one row per evaluation

load_runs(store) builds the rows `hopsweep analyze STORE --runs` prints, column for column: id;
every config key (dotted, "train.lr") whose value differs between the records; status, steps,
loss and query_acc (final), wall_s; hop_<k>_acc and hop_<k>_step (the step hop k emerged, None
for never) for k up to the largest hops of any record, None beyond a record's own; order, the
heads' emergence order (role names, each once; None when the record has no head data). When a
job id has several records (a preempted job, rerun), the last one counts; rows keep the order
in which ids first appear. Only whole lines that are JSON objects with an id, a status and a
config are read (the CLI checks more: a forged or edited line, whose id is not its config's
hash, is skipped there and not here).

load_metrics(store, id) reads jobs/<id>/metrics.csv: step and level as int, the other numbers as
float, an empty field as None, head roles as str. A last line without its newline (a row being
appended while the job runs) is not a row. The store's entries are opened without following
links; an id that is not 16 hex digits is refused.

frame=None (the default) gives DataFrames when pandas imports and lists otherwise; frame=False
always lists; frame=True requires pandas.

Command line: hopsweep_store.py STORE [ID] prints the runs (or a job's metrics) as JSON lines.
"""
import json
import os
import re
import stat
import sys

ID = re.compile(r"^[0-9a-f]{16}$")
FIXED = ("status", "steps", "loss", "query_acc", "wall_s")
INT_COLUMNS = ("step", "level")


class StoreError(Exception):
    """Bad input: the message is one line naming the file and what is wrong."""


def _frame(rows, frame):
    if frame is False:
        return rows
    try:
        import pandas
    except ImportError:
        if frame:
            raise
        return rows
    return pandas.DataFrame(rows)


def _open_in(store, *names):
    """Reads store/names... as bytes without following a link at any step inside the store."""
    fd = os.open(store, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in names[:-1]:
            nfd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = nfd
        ffd = os.open(names[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
    finally:
        os.close(fd)
    with os.fdopen(ffd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise StoreError(f"{os.path.join(store, *names)} is not a regular file")
        return f.read()


def flatten(config, prefix=""):
    """A record's nested config as dotted keys: {"task.hops": 8, ...}."""
    out = {}
    for key, value in config.items():
        if isinstance(value, dict):
            out.update(flatten(value, prefix + key + "."))
        else:
            out[prefix + key] = value
    return out


def _records(store):
    """The latest record of every id, in order of first appearance."""
    try:
        data = _open_in(store, "runs.jsonl")
    except OSError as e:
        raise StoreError(f"{store}/runs.jsonl: {e.strerror}; give a sweep's output directory")
    latest = {}
    for line in data.split(b"\n")[:-1]:  # the text after the last newline is being written
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if (not isinstance(rec, dict) or not isinstance(rec.get("id"), str)
                or not ID.match(rec["id"]) or rec.get("status") not in ("done", "failed", "interrupted")
                or not isinstance(rec.get("config"), dict)):
            continue
        latest[rec["id"]] = rec  # a later record of an id replaces it, keeping its place
    return list(latest.values())


def load_runs(store, frame=None):
    """One row per job id of the store (its latest record); see the module's docstring."""
    recs = _records(store)
    configs = [flatten(r["config"]) for r in recs]
    keys = sorted({k for c in configs for k in c})
    varying = [k for k in keys if len({json.dumps(c.get(k)) for c in configs}) > 1]

    def hops_of(r):
        final = r.get("final") or {}
        em = r.get("emergence") or {}
        return max(len(final.get("hop_acc") or []), len(em.get("hop_steps") or [])) - 1

    max_hops = max((hops_of(r) for r in recs), default=-1)
    rows = []
    for r, c in zip(recs, configs):
        final = r.get("final") or {}
        em = r.get("emergence") or {}
        row = {"id": r["id"]}
        row.update({k: c.get(k) for k in varying})
        row.update(status=r["status"], steps=r.get("steps"), loss=final.get("loss"),
                   query_acc=final.get("query_acc"), wall_s=r.get("wall_s"))
        acc, steps = final.get("hop_acc") or [], em.get("hop_steps") or []
        for k in range(max_hops + 1):
            row[f"hop_{k}_acc"] = acc[k] if k < len(acc) else None
        for k in range(max_hops + 1):
            row[f"hop_{k}_step"] = steps[k] if k < len(steps) else None
        order = em.get("order")
        row["order"] = list(dict.fromkeys(order)) if isinstance(order, list) else None
        rows.append(row)
    return _frame(rows, frame)


def _cell(column, text):
    if text == "":
        return None
    if column in INT_COLUMNS:
        return int(text)
    if column.endswith("_role"):
        return text
    return float(text)


def load_metrics(store, job_id, frame=None):
    """The rows of jobs/<id>/metrics.csv, finished or still growing."""
    if not isinstance(job_id, str) or not ID.match(job_id):
        raise StoreError(f"{job_id!r} is not a job id (16 hex digits)")
    try:
        text = _open_in(store, "jobs", job_id, "metrics.csv").decode()
    except OSError as e:
        raise StoreError(f"{store}/jobs/{job_id}/metrics.csv: {e.strerror}")
    lines = text.split("\n")[:-1]  # a row without its newline is still being written
    if not lines:
        return _frame([], frame)
    head = lines[0].rstrip("\r").split(",")
    rows = []
    for n, line in enumerate(lines[1:], 2):
        fields = line.rstrip("\r").split(",")
        if not line.strip():
            continue
        if len(fields) < len(head):
            raise StoreError(f"{store}/jobs/{job_id}/metrics.csv:{n}: a row with too few fields")
        try:
            rows.append({h: _cell(h, f) for h, f in zip(head, fields)})
        except ValueError:
            raise StoreError(f"{store}/jobs/{job_id}/metrics.csv:{n}: a field that is not a number")
    return _frame(rows, frame)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        print("usage: hopsweep_store.py STORE [ID]", file=sys.stderr)
        sys.exit(2)
    try:
        out = (load_metrics(sys.argv[1], sys.argv[2], frame=False) if len(sys.argv) == 3
               else load_runs(sys.argv[1], frame=False))
    except StoreError as e:
        print(f"hopsweep_store.py: {e}", file=sys.stderr)
        sys.exit(2)
    for row in out:
        print(json.dumps(row))
