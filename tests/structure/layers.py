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
placed). No source or header file may have more than 700 lines (split it by job).

No circle among the sources either, inside a stage as across one: a.c depends on b.c when it
includes b.h (unless b.h also declares a function a.c defines, which makes it a.c's own header
too, as task.h is task_hopk.c's) or calls a function b.c defines (hs_...( in its code, comments
and strings aside). Each cycle is printed with what every file uses of the next.

No function may run over 120 lines, counted from its opening brace at column 0 to its closing
brace at column 0: split it by step, as a long file is split by job.

Known violations, if one must be allowed for a while, are listed with why: KNOWN (includes
against the flow), KNOWN_CYCLES (sources that depend on each other), LONG_FUNCTIONS (long by
nature, or waiting to be split). Each entry must still occur, so the lists can only shrink: an
entry that no longer occurs fails the check until it is deleted. Exit 0 when the tree follows
the rules, 1 when not.

--self-test runs the check on copies of ROOT with one wrong include, one file in the wrong
folder, one file too long, one circle between two sources of a stage and one function too
long, and requires each to fail.
"""
import os
import re
import sys

from self_test import run_cases

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
# The sources of a cycle, sorted: they depend on each other today, and why it is still so.
KNOWN_CYCLES = {
}
# (file, function) over MAX_FUNCTION_LINES, and why.
LONG_FUNCTIONS = {
}
MAX_LINES = 700
MAX_FUNCTION_LINES = 120

INCLUDE = re.compile(r'^\s*#\s*include\s+"hopsweep/([a-z_0-9]+)\.h"', re.M)
# with a stage's private headers (coord_msg.h), for the dependencies between sources
ANY_INCLUDE = re.compile(r'^\s*#\s*include\s+"(?:hopsweep/)?([a-z_0-9]+)\.h"', re.M)
CALL = re.compile(r'\b(hs_[a-z0-9_]+)\s*\(')
FUNCTION_NAME = re.compile(r'([A-Za-z_]\w*)\s*\(')
ONE_LINE_FUNCTION = re.compile(r'^(?!typedef|struct|enum|union)([A-Za-z_][^=;{]*\))\s*\{.*\}\s*$')
COMMENT_OR_STRING = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|' r"'(?:\\.|[^'\\\n])*'", re.S)


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


def code_only(text):
    """text with its comments and string literals blanked, lines kept where they were."""
    return COMMENT_OR_STRING.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def functions(code):
    """(name, first line, lines, static) of each function of a C file, as code_only gives it.

    The style puts a definition's braces alone at column 0; its signature is the lines above the
    opening brace, back to a blank line, a preprocessor line or the end of a statement. A short
    function may be one line, signature and body."""
    lines = code.split("\n")
    out = []
    for i, line in enumerate(lines):
        one_line = ONE_LINE_FUNCTION.match(line)
        if one_line:
            name = FUNCTION_NAME.search(one_line.group(1))
            if name:
                out.append((name.group(1), i + 1, 1, line.startswith("static")))
            continue
        if not line.startswith("{"):
            continue
        j = i
        while j > 0 and lines[j - 1].strip() and not lines[j - 1].startswith("#") \
                and not lines[j - 1].rstrip().endswith((";", "}")):
            j -= 1
        signature = " ".join(lines[j:i])
        name = FUNCTION_NAME.search(signature)
        if not name:
            continue
        end = next((k for k in range(i + 1, len(lines)) if lines[k].startswith("}")), len(lines) - 1)
        out.append((name.group(1), i + 1, end - i + 1, signature.lstrip().startswith("static")))
    return out


def sources(root):
    return [rel for rel in files(root) if rel.startswith("src") and rel.endswith(".c")]


def source_graph(root):
    """{a.c: {b.c: what a.c uses of b.c}} over the sources of ROOT/src (see the doc above)."""
    code, defined, definers = {}, {}, {}
    for rel in sources(root):
        code[rel] = code_only(open(os.path.join(root, rel), encoding="utf-8").read())
        defined[rel] = {f[0] for f in functions(code[rel])}
        for name, _, _, static in functions(code[rel]):
            if not static:
                definers.setdefault(name, set()).add(rel)
    by_module = {os.path.splitext(os.path.basename(rel))[0]: rel for rel in code}
    headers = {}
    for rel in files(root):
        if rel.endswith(".h"):
            text = code_only(open(os.path.join(root, rel), encoding="utf-8").read())
            headers[os.path.splitext(os.path.basename(rel))[0]] = set(CALL.findall(text))
    graph = {}
    for rel, text in code.items():
        uses = graph.setdefault(rel, {})
        for name in CALL.findall(text):
            if name in defined[rel]:
                continue
            for other in definers.get(name, ()):
                uses.setdefault(other, set()).add(name + "()")
        for mod in ANY_INCLUDE.findall(open(os.path.join(root, rel), encoding="utf-8").read()):
            other = by_module.get(mod)
            if other and other != rel and not (headers.get(mod, set()) & defined[rel]):
                uses.setdefault(other, set()).add(mod + ".h")
    return graph


def cycles(graph):
    """Every elementary cycle of graph, each once, from its least file (graphs here are small)."""
    out = []

    def walk(start, path, on_path):
        for nxt in sorted(graph[path[-1]]):
            if nxt == start and len(path) > 1:
                out.append(list(path))
            elif nxt > start and nxt not in on_path:
                on_path.add(nxt)
                walk(start, path + [nxt], on_path)
                on_path.discard(nxt)

    for start in sorted(graph):
        walk(start, [start], {start})
    return out


def check_sources(root, problems):
    """Cycles among the sources and long functions; returns the known ones seen."""
    graph = source_graph(root)
    seen_cycles = set()
    for cycle in cycles(graph):
        key = tuple(sorted(cycle))
        if key in KNOWN_CYCLES:
            seen_cycles.add(key)
            continue
        steps = [f"{a} ({', '.join(sorted(graph[a][b]))})" for a, b in zip(cycle, cycle[1:] + cycle[:1])]
        problems.append("sources depend on each other: " + " -> ".join(steps) + f" -> {cycle[0]}")
    for key in KNOWN_CYCLES:
        if key not in seen_cycles:
            problems.append(f"{' and '.join(key)} no longer depend on each other: "
                            "remove them from KNOWN_CYCLES")
    seen_long = set()
    for rel in sources(root):
        code = code_only(open(os.path.join(root, rel), encoding="utf-8").read())
        for name, line, n, _ in functions(code):
            if n <= MAX_FUNCTION_LINES:
                continue
            if (rel, name) in LONG_FUNCTIONS:
                seen_long.add((rel, name, n))
            else:
                problems.append(f"{rel}:{line}: {name} has {n} lines (over {MAX_FUNCTION_LINES}): "
                                "split it by step")
    for rel, name in LONG_FUNCTIONS:
        if not any(s[:2] == (rel, name) for s in seen_long):
            problems.append(f"{rel}: {name} is no longer over {MAX_FUNCTION_LINES} lines: "
                            "remove it from LONG_FUNCTIONS")
    return sorted(seen_cycles), sorted(seen_long)


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
    seen_cycles, seen_long = check_sources(root, problems)
    known = [f"{a} includes hopsweep/{b}.h — {KNOWN[(a, b)]}" for a, b in sorted(seen_known)]
    known += [f"{' and '.join(k)} depend on each other — {KNOWN_CYCLES[k]}" for k in seen_cycles]
    known += [f"{rel}: {name} has {n} lines — {LONG_FUNCTIONS[(rel, name)]}" for rel, name, n in seen_long]
    return problems, known, sorted(long_files, reverse=True)


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

    def circle(tmp):  # json.c writes through escape.c; now escape.c calls back into json.c
        with open(os.path.join(tmp, "src", "base", "escape.c"), "a", encoding="utf-8") as f:
            f.write("\nvoid hs_escape_as_null(hs_json *j)\n{\n    hs_json_null(j);\n}\n")

    def long_function(tmp):
        body = "    x++;\n" * MAX_FUNCTION_LINES
        with open(os.path.join(tmp, "src", "base", "rng.c"), "a", encoding="utf-8") as f:
            f.write("\nint hs_rng_long(int x)\n{\n" + body + "    return x;\n}\n")

    cases = [
        ("a wrong include (sweep.c -> analyze.h)", wrong_include,
         "src/sweep/sweep.c (sweep) includes hopsweep/analyze.h"),
        ("a file in the wrong folder (optim.c in src/base)", wrong_folder,
         "src/base/optim.c: module optim is in stage train, so it belongs in src/train/"),
        (f"a file over {MAX_LINES} lines", too_long, "src/base/rng.c has"),
        ("a circle inside a stage (escape.c <-> json.c)", circle,
         "sources depend on each other: src/base/escape.c (hs_json_null()) -> src/base/json.c"),
        (f"a function over {MAX_FUNCTION_LINES} lines", long_function,
         f"hs_rng_long has {MAX_FUNCTION_LINES + 3} lines"),
    ]
    return run_cases(__file__, root, ("src", "include"), cases)


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
        print("known: " + k)
    for p in problems:
        print("FAIL: " + p)
    if problems:
        return 1
    print(f"every include follows the stages ({len(files(args[0]))} files), no include cycles, "
          f"no sources that depend on each other, no function over {MAX_FUNCTION_LINES} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
