#!/usr/bin/env python3
"""tests_index.py ROOT — can the tests of every module be found by name?

ROOT/tests/README.md has a table "module | tests": one row per module (a source file of
ROOT/src/<stage>/, by its name without .c), the tests naming files relative to ROOT/tests in
backquotes. The table must hold every module of src/ and no other, once each; every file it
names must exist; and every unit test ROOT/tests/test_*.c must be named in some row, so a new
test is found from the module it tests. Exit 0 when the index is true, 1 when not.

--self-test runs the check on copies of ROOT with a module missing from the table, a row naming
a file that does not exist and a unit test named nowhere, and requires each to fail.
"""
import glob
import os
import re
import shutil
import sys

from self_test import run_cases

ROW = re.compile(r"^\|\s*`([a-z0-9_]+)`\s*\|(.*)\|\s*$")
NAMED = re.compile(r"`([^`]+)`")


def index(root):
    """{module: [test files]} from the table of tests/README.md, and the modules seen twice."""
    rows, twice = {}, []
    with open(os.path.join(root, "tests", "README.md"), encoding="utf-8") as f:
        in_table = False
        for line in f:
            if line.startswith("| module | tests |"):
                in_table = True
                continue
            if in_table and not line.startswith("|"):
                break
            m = ROW.match(line) if in_table else None
            if m:
                if m.group(1) in rows:
                    twice.append(m.group(1))
                rows[m.group(1)] = NAMED.findall(m.group(2))
    return rows, twice


def check(root):
    rows, twice = index(root)
    problems = [f"tests/README.md: module {m} has two rows" for m in twice]
    if not rows:
        return ["tests/README.md has no table that starts with \"| module | tests |\""]
    modules = {os.path.splitext(os.path.basename(p))[0]: os.path.relpath(p, root)
               for p in glob.glob(os.path.join(root, "src", "*", "*.c"))}
    for mod in sorted(set(modules) - set(rows)):
        problems.append(f"{modules[mod]}: module {mod} has no row in tests/README.md; add one "
                        "with the tests that cover it")
    for mod in sorted(set(rows) - set(modules)):
        problems.append(f"tests/README.md: module {mod} is not in src/ (renamed or removed?)")
    named = set()
    for mod, tests in sorted(rows.items()):
        if not tests:
            problems.append(f"tests/README.md: module {mod} names no test")
        for t in tests:
            named.add(t)
            if not os.path.isfile(os.path.join(root, "tests", t)):
                problems.append(f"tests/README.md: module {mod} names tests/{t}, which does not exist")
    for path in sorted(glob.glob(os.path.join(root, "tests", "test_*.c"))):
        if os.path.basename(path) not in named:
            problems.append(f"tests/{os.path.basename(path)} is named by no module in tests/README.md")
    return problems


def self_test(root):
    def drop_row(tmp):  # a module with no row: as if a new source came without one
        path = os.path.join(tmp, "tests", "README.md")
        text = open(path, encoding="utf-8").read()
        open(path, "w", encoding="utf-8").write(re.sub(r"^\| `rng` \|.*\n", "", text, flags=re.M))

    def missing_file(tmp):  # a row that names a test that was renamed
        os.rename(os.path.join(tmp, "tests", "test_stats.c"), os.path.join(tmp, "tests", "test_stat.c"))

    def unnamed_test(tmp):
        open(os.path.join(tmp, "tests", "test_orphan.c"), "w", encoding="utf-8").write("int main(void);\n")

    cases = [
        ("a module with no row (rng)", drop_row, "src/base/rng.c: module rng has no row"),
        ("a row naming a file that does not exist", missing_file, "names tests/test_stats.c, which does not exist"),
        ("a unit test named by no row", unnamed_test, "tests/test_orphan.c is named by no module"),
    ]
    return run_cases(__file__, root, ("src", "tests"), cases,
                     ignore=shutil.ignore_patterns("fixtures", "golden", "seeds"))


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    if args[0] == "--self-test":
        return self_test(args[1])
    problems = check(args[0])
    for p in problems:
        print("FAIL: " + p)
    if problems:
        return 1
    print(f"every module of src/ has its tests in tests/README.md ({len(index(args[0])[0])} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
