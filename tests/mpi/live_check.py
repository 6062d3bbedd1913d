#!/usr/bin/env python3
"""live_check.py HOPSWEEP MPIRUN — the live state of a running sweep (store_live.h).

Starts a small sweep on 2 ranks in the background and, while it runs, reads `status --json` and
the jobs' metrics.csv: a running job's step grows between two looks, its metrics.csv gains rows,
every complete line of it is a whole row, and nothing is written outside jobs/<id>/ but the
store's own files. Then kills rank 1 with SIGKILL while it trains: its job must turn "stale" in
`status`, and a rerun must finish it. In the end every job's files equal those of a lone run
of the same sweep, byte for byte, and no heartbeat is left."""
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HS, MPIRUN = sys.argv[1], sys.argv[2]
# Jobs of about a second each: long enough for `status` to look twice while one runs on a fast
# step (a job of 240 such steps ended between two looks).
SWEEP = """name: live
base:
  task: {chains: 2, curriculum: implicit, hops: 2}
  model: {d_model: 32, layers: 2}
  train: {steps: 2400, batch: 16, eval_every: 20, eval_examples: 64, warmup: 10}
grid:
  train.seed: [0, 1, 2, 3]
"""
ALLOWED = re.compile(r"^(sweep\.yaml|runs\.jsonl|\.lock|jobs|jobs/[0-9a-f]{16}"
                     r"|jobs/[0-9a-f]{16}/(metrics\.csv|running\.json)(\.\d+(-[0-9a-f]{8})?\.\d+\.tmp)?)$")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def status(store):
    out = subprocess.run([HS, "status", store, "--json"], capture_output=True, text=True)
    if out.returncode:
        fail(f"status exited {out.returncode}: {out.stderr}")
    return json.loads(out.stdout)


def check_files(store):
    for path in glob.glob(store + "/**", recursive=True) + glob.glob(store + "/.*"):
        rel = os.path.relpath(path, store)
        if rel != "." and not ALLOWED.match(rel):
            fail(f"unexpected entry in the store while it runs: {rel}")


def whole_rows(path):
    """Rows of a live metrics.csv: every line that ends in a newline has the header's fields."""
    try:
        text = open(path).read()
    except FileNotFoundError:
        return 0
    lines = text.split("\n")
    complete = lines[:-1]  # the part after the last newline is a row being written
    if not complete:
        return 0
    width = complete[0].count(",")
    for i, line in enumerate(complete[1:], 2):
        if line.count(",") != width:
            fail(f"{path}:{i}: a complete line that is not a whole row: {line!r}")
    return len(complete) - 1


def main():
    tmp = tempfile.mkdtemp()
    bg = None
    try:
        sweep = os.path.join(tmp, "live.yaml")
        open(sweep, "w").write(SWEEP)
        store = os.path.join(tmp, "store")
        bg = subprocess.Popen([MPIRUN, "-np", "2", "--oversubscribe", HS, "run", sweep, "--out",
                               store, "--quiet"], stderr=open(os.path.join(tmp, "run.log"), "w"))
        steps, rows = {}, {}
        grew_steps = grew_rows = False
        victim = None
        deadline = time.time() + 180  # a bound for a machine under heavy load; usually seconds
        while time.time() < deadline and bg.poll() is None:
            if os.path.exists(os.path.join(store, "runs.jsonl")):
                st = status(store)
                check_files(store)
                for job in st["running_jobs"]:
                    i, s = job["id"], job["step"]
                    if job["state"] != "running":
                        fail(f"job {i} is {job['state']} while the sweep runs")
                    if s is not None and i in steps and s > steps[i]:
                        grew_steps = True
                    if s is not None:
                        steps[i] = s
                    n = whole_rows(os.path.join(store, "jobs", i, "metrics.csv"))
                    if i in rows and n > rows[i]:
                        grew_rows = True
                    rows[i] = n
                    if grew_steps and grew_rows and job["rank"] == 1 and s and s >= 50:
                        victim = job
                if victim:
                    break
            time.sleep(0.05)
        if not (grew_steps and grew_rows):
            fail(f"never saw a running job's steps and rows grow (steps {steps}, rows {rows})")
        if not victim:
            fail("rank 1 was never seen training a job")
        os.kill(victim["pid"], signal.SIGKILL)
        bg.wait(timeout=60)
        if bg.returncode == 0:
            fail("mpirun succeeded although rank 1 was killed")
        bg = None
        # the heartbeat goes silent; after a few evaluations' time (at least 5 s) it is stale
        deadline = time.time() + 20
        state = None
        while time.time() < deadline:
            st = status(store)
            state = {j["id"]: j["state"] for j in st["running_jobs"]}.get(victim["id"])
            if state == "stale":
                break
            time.sleep(0.5)
        if state != "stale":
            fail(f"killed job {victim['id']} is {state!r}, not stale: {st}")
        if st["stale"] < 1 or st["running"] != 0:
            fail(f"counts after the kill: {st}")
        text = subprocess.run([HS, "status", store], capture_output=True, text=True).stdout
        if not re.search(rf"stale.*\n\s+{victim['id']}\s", text):
            fail(f"the text status does not list {victim['id']} as stale:\n{text}")
        # a rerun finishes it
        subprocess.run([MPIRUN, "-np", "2", "--oversubscribe", HS, "run", sweep, "--out", store,
                        "--quiet"], check=True)
        st = status(store)
        if st["done"] != 4 or st["running_jobs"] or st["stale"] or st["never_started"]:
            fail(f"after the rerun: {st}")
        if glob.glob(store + "/jobs/*/running.json"):
            fail("a heartbeat is left after the sweep finished")
        # the live writing changed nothing of the result
        alone = os.path.join(tmp, "alone")
        subprocess.run([HS, "run", sweep, "--out", alone, "--quiet"], check=True)
        for path in sorted(glob.glob(alone + "/jobs/*/*")):
            other = os.path.join(store, os.path.relpath(path, alone))
            if open(path, "rb").read() != open(other, "rb").read():
                fail(f"{other} differs from a lone run's")
        if sorted(os.listdir(alone + "/jobs")) != sorted(os.listdir(store + "/jobs")):
            fail("the stores hold different jobs")
        print(f"ok: saw steps and rows grow, {victim['id']} stale after the kill, rerun identical")
    finally:
        if bg and bg.poll() is None:
            bg.kill()
            bg.wait()
        shutil.rmtree(tmp, ignore_errors=True)


main()
