#!/bin/sh
# A sweep watched while it runs on 2 ranks: `status --json` lists running jobs with growing
# steps, their metrics.csv gains whole rows, a killed rank's job turns stale, and a rerun
# finishes it with the files a lone run writes (live_check.py does the watching).
set -eu
exec /usr/bin/python3 "$(dirname "$0")/live_check.py" "$1" "$2"
