/* analyze_hopk.h — the peer's measure of hopk runs (peers/hopk.md): per configuration (a cell of
 * analyze.h: every key but the seed, so one depth, width and data setting) the error per k on
 * fresh sequences, final.k_error averaged over its done runs, and the reach: the largest k with
 * every k' <= k (from task.min_hops) under 1% and under 5% error (-1, shown empty, when the
 * smallest k is not). One table for `hopsweep analyze` (every format) and one HTML section for
 * `hopsweep report`, built from the same rows. Runs without final.k_error (other task kinds)
 * are not in it. */
#ifndef HOPSWEEP_ANALYZE_HOPK_H
#define HOPSWEEP_ANALYZE_HOPK_H

#include <stdbool.h>
#include <stdio.h>

#include "hopsweep/analyze.h"
#include "hopsweep/table.h"

/* The largest k (from k0) with err[k'] < bound for every k0 <= k' <= k, NaN counting as not
 * under; -1 when err[k0] is not under or n <= k0. */
int hs_k_reach(const double *err, int n, int k0, double bound);

/* Builds the k_error table into *t (hs_table_init'ed here): tidy, one row per (configuration,
 * k) for CSV and JSON; wide, one row per configuration with a column per k, for text and
 * Markdown. Returns false (t untouched) when no run has final.k_error. */
bool hs_analyze_k_table(hs_table *t, const hs_results *r, const hs_analysis *a, bool tidy);

/* The report's section of the same table (nothing when no run has final.k_error). */
void hs_report_k_errors(FILE *f, const hs_results *r, const hs_analysis *a);

#endif
