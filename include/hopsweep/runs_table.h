/* runs_table.h — the per-run table of `hopsweep analyze --runs` (and of the report's job
 * table): one row per job id, its latest readable record (hs_results keeps that one), in order
 * of first appearance in runs.jsonl.
 *
 * Columns: id; every config key whose value differs between the records (dotted names, in the
 * key table's order; canonical values: numbers as numbers, enums and booleans as in the
 * record); status, steps, loss, query_acc (final), wall_s; hop_<k>_acc, the final accuracy of
 * hop label k, and hop_<k>_step, the step hop k emerged (null: never or not measured), for k
 * from 0 to the largest hops of any record (null beyond a record's own); order, the heads'
 * emergence order (role names). analysis/hopsweep_store.py's load_runs builds the same rows. */
#ifndef HOPSWEEP_RUNS_TABLE_H
#define HOPSWEEP_RUNS_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "hopsweep/results.h"
#include "hopsweep/error.h"
#include "hopsweep/table.h"

/* Fills t (initialised here, named "runs"; the caller frees it). HS_ENOMEM only. */
hs_status hs_runs_table(const hs_results *r, hs_table *t, hs_err *err);

/* Which config keys differ between the records of r and the n_more configs more (jobs without
 * a record, say): varies[i] for key i of the key table (hs_config_key_count entries, caller's
 * array). Returns how many do. */
int hs_runs_varying_keys(const hs_results *r, const hs_config *const *more, size_t n_more,
                         bool *varies);

#endif
