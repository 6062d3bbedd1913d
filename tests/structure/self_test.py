"""self_test.py — how the structure checks (layers.py, tests_index.py) test themselves: the check
runs on copies of the tree, each damaged on purpose in one way, and must fail naming the damage."""
import os
import shutil
import subprocess
import sys
import tempfile


def run_cases(script, root, dirs, cases, ignore=None):
    """For each (what, damage, line) of cases: copies the directories dirs of root into a fresh
    directory, lets damage(copy) break it, and runs script on the copy, which must exit 1 and print
    line. Prints one line per case; returns 0 when every case was caught, else 1."""
    for what, damage, line in cases:
        with tempfile.TemporaryDirectory() as tmp:
            for d in dirs:
                shutil.copytree(os.path.join(root, d), os.path.join(tmp, d), ignore=ignore)
            damage(tmp)
            r = subprocess.run([sys.executable, script, tmp], capture_output=True, text=True)
            if r.returncode != 1 or line not in r.stdout:
                print(f"FAIL: {what} was not caught:\n" + r.stdout)
                return 1
            print(f"self-test: {what} is caught")
    return 0
