/* store_layout.h — the names of a result store's entries (DESIGN §3), in one place for every
 * stage that writes or reads them: the trainer names a job's files, the store puts them, the
 * analysis and the CLI read them back.
 *
 *   STORE/sweep.yaml               the sweep as run
 *   STORE/runs.jsonl               one record line per finished job
 *   STORE/jobs/<id>/<file>         a job's files, the names below
 *
 * A record's `files` paths are relative to the store, as hs_job_path writes them without a
 * store: jobs/<id>/<file>. */
#ifndef HOPSWEEP_STORE_LAYOUT_H
#define HOPSWEEP_STORE_LAYOUT_H

#include <stddef.h>

#include "hopsweep/error.h"

#define HS_STORE_SWEEP "sweep.yaml"
#define HS_STORE_RUNS  "runs.jsonl"
#define HS_STORE_JOBS  "jobs"

#define HS_JOB_RECORD    "record.json" /* `train --out` only: a store keeps it in runs.jsonl */
#define HS_JOB_METRICS   "metrics.csv"
#define HS_JOB_ATTENTION "attn.zst"
#define HS_JOB_MODEL     "model.safetensors"
#define HS_JOB_RESUME    "resume.bin"   /* an interrupted job's state; gone once it finishes */
#define HS_JOB_RUNNING   "running.json" /* a running job's heartbeat (store_live.h) */

/* Writes "STORE/jobs/ID/FILE" into buf[n]: without STORE when store is NULL (the path relative
 * to the store, as a record holds it), without "/FILE" when file is NULL (the job's folder).
 * HS_EINPUT, naming the job, when it does not fit; buf then holds "". */
hs_status hs_job_path(char *buf, size_t n, const char *store, const char *id, const char *file,
                      hs_err *err);

#endif
