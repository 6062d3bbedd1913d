/* analyze_cmd.h — `hopsweep analyze RESULTS`: reads a result store (finished or still running)
 * and prints the minimum layers per hops and curriculum beside the theory, the accuracy
 * matrices, the curricula compared and the emergence statistics, as text tables (default), CSV,
 * JSON or Markdown; with --plots DIR it also draws the figures with the gnuplot scripts of
 * analysis/. The statistics themselves are in analyze.h. */
#ifndef HOPSWEEP_ANALYZE_CMD_H
#define HOPSWEEP_ANALYZE_CMD_H

/* argv holds the arguments after "analyze". Returns the exit code: 0 ok, 2 bad input (missing
 * store, no finished runs, bad flags, gnuplot missing), 3 I/O or memory (or gnuplot failed). */
int hs_cmd_analyze(int argc, char **argv);

#endif
