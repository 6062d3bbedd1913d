#!/usr/bin/env python3
"""layers.py ROOT — does every #include follow the data flow of DESIGN §2?

Modules are the files of ROOT/src/<stage>/ and ROOT/include/hopsweep, by name (report_job.c
belongs to report). Each module sits in one stage, and its source in the folder of that stage;
a file may include its own stage and the stages before it, never a later one:

  base     the vocabulary every stage speaks: errors, files, JSON/YAML/CSV, rng, safetensors,
           gnuplot, and the job config (config.h)
  sweep    sweep files, grids → jobs
  coord    handing jobs to ranks, progress
  train    one job: task, matrix engine, ops, model, optimizer, probes, attention log,
           checkpoints, the trainer, its record, the benchmark
  store    the result store
  analyze  analysis, status, report
  prompts  prompt sets and their scoring
  cli      main.c, cli.c and every <name>_cmd.c

Also: no include cycles among the headers, and every module is in a stage (a new file must be
placed). Known violations, if one must be allowed for a while, are listed in KNOWN with why;
each must still exist, so the list can only shrink. No source or header file may have more than
700 lines (split it by job). Exit 0 when the tree follows the flow, 1 when not.

--self-test runs the check on copies of ROOT with one wrong include, one file in the wrong
folder and one file too long, and requires each to fail.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

STAGES = [
    ("base", "error escape array fileio csv json jsonline yamlfile rng gnuplot safetensors config buildinfo "
             "config_check config_text table stats store_layout"),
    ("sweep", "sweep sweep_loader sweep_values sweep_expand sweep_write"),
    ("coord", "coord coord_msg progress"),
    ("train", "task task_hopk gemm ops ops_gpt2 model optim train_plan probe emergence attnlog checkpoint resume train job job_output record record_check metrics bench"),
    ("store", "store store_view store_live"),
    ("analyze", "analyze results analyze_names analyze_hopk analyze_report analyze_header analyze_plot key_effects "
                "key_effects_table sweep_state report report_svg report_keys report_jobs runs_table"),
    ("prompts", "prompts prompts_score"),
    ("cli", "cli main slurm_render"),
]
# (file, included module): against the flow today, and why it is still there.
KNOWN = {
}
MAX_LINES = 700

INCLUDE = re.compile(r'^\s*#\s*include\s+"hopsweep/([a-z_0-9]+)\.h"', re.M)


def module_of(name):
    base = os.path.splitext(os.path.basename(name))[0]
    if base.endswith("_cmd"):
        return "cli", base
    if base == "report_job":
        return None, "report"
    return None, base


def stage_index():
    idx = {}
    for i, (_, mods) in enumerate(STAGES):
        for m in mods.split():
            idx[m] = i
    return idx


def stage_of(mod, idx):
    if mod.endswith("_cmd"):
        return idx["cli"]
    return idx.get(mod)


def files(root):
    out = []
    for d in ("src", os.path.join("include", "hopsweep")):
        full = os.path.join(root, d)
        for sub, _, names in sorted(os.walk(full)):
            for f in sorted(names):
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(sub, f), root))
    return out


def check(root):
    idx = stage_index()
    problems, seen_known, long_files = [], set(), []
    graph = {}
    for rel in files(root):
        text = open(os.path.join(root, rel), encoding="utf-8").read()
        n = text.count("\n")
        if n > MAX_LINES:
            long_files.append((n, rel))
            problems.append(f"{rel} has {n} lines (over {MAX_LINES}): split it by job")
        forced, mod = module_of(rel)
        s = idx[forced] if forced else stage_of(mod, idx)
        if s is None and rel.startswith("src") and rel.endswith(".h"):
            s = stage_of(mod.split("_")[0], idx)  # a stage's private header, e.g. sweep_loader.h
        if s is None:
            problems.append(f"{rel}: module {mod} is in no stage; add it to STAGES in {__file__}")
            continue
        parts = rel.split(os.sep)
        if parts[0] == "src" and (len(parts) != 3 or parts[1] != STAGES[s][0]):
            problems.append(f"{rel}: module {mod} is in stage {STAGES[s][0]}, so it belongs in "
                            f"src/{STAGES[s][0]}/")
        incs = INCLUDE.findall(text)
        if rel.endswith(".h"):
            graph[mod] = [i for i in incs if i != mod]
        for inc in incs:
            t = stage_of(inc, idx)
            if t is None:
                problems.append(f"{rel}: includes hopsweep/{inc}.h, which is in no stage")
            elif t > s:
                if (rel, inc) in KNOWN:
                    seen_known.add((rel, inc))
                else:
                    problems.append(f"{rel} ({STAGES[s][0]}) includes hopsweep/{inc}.h "
                                    f"({STAGES[t][0]}): a later stage")
    for k in KNOWN:
        if k not in seen_known:
            problems.append(f"{k[0]} no longer includes hopsweep/{k[1]}.h: remove it from KNOWN")
    # cycles among headers (depth-first search)
    state = {}

    def visit(m, path):
        state[m] = 1
        for n in graph.get(m, []):
            if state.get(n) == 1:
                problems.append("include cycle: " + " -> ".join(path[path.index(n):] + [n]))
            elif n in graph and not state.get(n):
                visit(n, path + [n])
        state[m] = 2

    for m in sorted(graph):
        if not state.get(m):
            visit(m, [m])
    return problems, sorted(seen_known), sorted(long_files, reverse=True)


def self_test(root):
    # each case: what to do to a copy of the tree, and the line the check must print for it
    def wrong_include(tmp):  # the sweep loader reaching into the analysis: against the flow
        with open(os.path.join(tmp, "src", "sweep", "sweep.c"), "a", encoding="utf-8") as f:
            f.write('\n#include "hopsweep/analyze.h"\n')

    def wrong_folder(tmp):  # a trainer file among the base files
        os.rename(os.path.join(tmp, "src", "train", "optim.c"),
                  os.path.join(tmp, "src", "base", "optim.c"))

    def too_long(tmp):
        with open(os.path.join(tmp, "src", "base", "rng.c"), "a", encoding="utf-8") as f:
            f.write("\n" * (MAX_LINES + 1))

    cases = [
        ("a wrong include (sweep.c -> analyze.h)", wrong_include,
         "src/sweep/sweep.c (sweep) includes hopsweep/analyze.h"),
        ("a file in the wrong folder (optim.c in src/base)", wrong_folder,
         "src/base/optim.c: module optim is in stage train, so it belongs in src/train/"),
        (f"a file over {MAX_LINES} lines", too_long, "src/base/rng.c has"),
    ]
    for what, damage, line in cases:
        with tempfile.TemporaryDirectory() as tmp:
            for d in ("src", "include"):
                shutil.copytree(os.path.join(root, d), os.path.join(tmp, d))
            damage(tmp)
            r = subprocess.run([sys.executable, __file__, tmp], capture_output=True, text=True)
            if r.returncode != 1 or line not in r.stdout:
                print(f"FAIL: {what} was not caught:\n" + r.stdout)
                return 1
            print(f"self-test: {what} is caught")
    return 0


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    if args[0] == "--self-test":
        return self_test(args[1])
    problems, known, long_files = check(args[0])
    for n, rel in long_files:
        print(f"note: {rel} has {n} lines (over {MAX_LINES})")
    for k in known:
        print(f"known: {k[0]} includes hopsweep/{k[1]}.h — {KNOWN[k]}")
    for p in problems:
        print("FAIL: " + p)
    if problems:
        return 1
    print(f"every include follows the stages ({len(files(args[0]))} files), no include cycles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
