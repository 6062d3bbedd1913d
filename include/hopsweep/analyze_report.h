/* analyze_report.h — the tables of `hopsweep analyze`, one builder per table and layout: the
 * terminal and Markdown get matrices (layers x hops, role x role) under a title, CSV and JSON
 * get one row per observation, which is what scripts want. The statistics come from analyze.h;
 * the rendering from table.h. Also the names the figures (analyze_plot.h) share with the
 * tables. */
#ifndef HOPSWEEP_ANALYZE_REPORT_H
#define HOPSWEEP_ANALYZE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hopsweep/analyze.h"

typedef enum {
    HS_ANALYZE_TEXT,
    HS_ANALYZE_CSV,
    HS_ANALYZE_JSON,
    HS_ANALYZE_MARKDOWN,
} hs_analyze_format;

/* The tables, in the order they are printed: what --table selects. */
extern const char *const hs_analyze_tables[];
extern const size_t hs_analyze_n_tables;

/* Prints to f the lines above the tables (text, Markdown; the fields before them in JSON) and
 * every table, or only the table named only (then no header lines in text). store names the
 * store in the header. HS_ENOMEM (nothing useful printed) when memory ran out. */
hs_status hs_analyze_print(FILE *f, const hs_results *r, const hs_analysis *a, const char *store,
                           hs_analyze_format fmt, const char *only, hs_err *err);

/* The explanation of "steps to solve", under the curricula table and in the JSON header. */
extern const char hs_analyze_steps_note[];

/* "implicit", or "implicit [2]" when the store holds several settings. */
void hs_analysis_family_name(const hs_analysis *a, int family, char *buf, size_t n);
/* "implicit D=4 L=2" (with the setting number when there are several). */
void hs_analysis_cell_name(const hs_analysis *a, const hs_cell *c, char *buf, size_t n);
/* The cell of (family, hops, layers), or NULL when the store has none. */
const hs_cell *hs_analysis_find_cell(const hs_analysis *a, int family, int hops, int layers);

#endif
