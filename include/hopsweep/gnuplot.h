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

/* The path of the script `name` (e.g. "minlayers.gp") in *path (caller frees), from the first
 * of: <prefix>/share/hopsweep/analysis for the executable's own <prefix>/bin (an installed
 * hopsweep), the analysis/ directory of the source tree it was built from (a path CMake
 * compiles in), $HOPSWEEP_ANALYSIS_DIR (a binary copied away from both). Never the current
 * directory, whose scripts could run anything. HS_EINPUT naming HOPSWEEP_ANALYSIS_DIR when none
 * holds it. */
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
