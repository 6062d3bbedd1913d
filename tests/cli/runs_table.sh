#!/bin/sh
# `hopsweep analyze --runs` against analysis/hopsweep_store.py's load_runs, on every committed
# store under docs/results/ and on one with a preempted job's two records: the same rows, column
# for column (runs_table_check.py does the comparing).
set -eu
exec /usr/bin/python3 "$(dirname "$0")/runs_table_check.py" "$1"
