/* gnuplot.h — finding the gnuplot scripts of analysis/, quoting their variables and running
 * them, shared by the commands that draw figures (`hopsweep analyze --plots`,
 * `hopsweep attn --format png|svg`). */
#ifndef HOPSWEEP_GNUPLOT_H
#define HOPSWEEP_GNUPLOT_H

#include <stdbool.h>
#include <stdio.h>

#include "hopsweep/error.h"

/* Whether an executable gnuplot is on PATH (an empty PATH entry is the current directory). */
bool hs_gnuplot_available(void);

/* The path of the script `name` (e.g. "minlayers.gp") in *path (caller frees). Looks in
 * $HOPSWEEP_ANALYSIS_DIR when it is set, and only there, so that a wrong setting is reported
 * rather than silently passed over; otherwise in analysis/ beside the executable (../analysis,
 * ../../analysis, ../share/hopsweep/analysis from its directory), then in ./analysis. HS_EINPUT,
 * naming HOPSWEEP_ANALYSIS_DIR, when it is not found. */
hs_status hs_gnuplot_script(const char *name, char **path, hs_err *err);

/* Runs `gnuplot -e VARS SCRIPT`, keeping the tail of what it prints on stdout and stderr; none
 * of it reaches this process's stdout, which may be carrying JSON or an image. On failure the
 * tail is written to stderr and the message (HS_EIO) holds the script, the exit status and the
 * first line of the tail that says something. */
hs_status hs_gnuplot_run(const char *script, const char *vars, hs_err *err);

/* Writes s to f as a gnuplot single-quoted string, in which nothing is special but the quote
 * itself, written twice: any path or title is safe inside the -e text. */
void hs_gnuplot_quote(FILE *f, const char *s);

#endif
