/* analyze_plot.h — the figures of `hopsweep analyze --plots DIR`: each figure's data written
 * atomically as DIR/NAME.dat, then the matching gnuplot script of analysis/ run on it to write
 * DIR/NAME.png and DIR/NAME.svg. Minimum layers vs hops, one accuracy heatmap per curriculum,
 * per-hop accuracy over the training of one run, and the emergence timeline and precedence
 * heatmap of one configuration.
 *
 * The one file read besides the store's records is the drawn run's metrics.csv, and only as
 * STORE/jobs/<id>/metrics.csv: a record naming any other path (absolute, with "..", another
 * job's folder) is refused, and no link on the way (jobs, jobs/<id>, the file) is followed. */
#ifndef HOPSWEEP_ANALYZE_PLOT_H
#define HOPSWEEP_ANALYZE_PLOT_H

#include <stddef.h>

#include "hopsweep/analyze.h"

/* Draws every figure of analysis a (of the results r of store) into dir, creating it. runs: the
 * ids of the runs whose training is drawn (each must be in r; one figure each, training-<id>,
 * or training for a single one; the emergence figures show the first one's configuration), or
 * none (n_runs 0) for the default (a solved done run with the most hops, then fewest layers,
 * lowest seed). Figures that cannot be drawn
 * from the store (no run solves, no head data, the default run lacks metrics.csv) are left out
 * with a notice on stderr. *figures: how many were drawn. HS_EINPUT: gnuplot or its scripts
 * missing, the chosen run's metrics.csv missing or unreadable, a record path outside its job's
 * folder, a link in the way; HS_EIO: gnuplot failed or a file could not be written. */
hs_status hs_analyze_plot(const hs_results *r, const hs_analysis *a, const char *store,
                          const char *dir, const char *const *runs, size_t n_runs, int *figures,
                          hs_err *err);

#endif
