/* analyze_report.h — the tables of `hopsweep analyze`, one builder per table and layout: the
 * terminal and Markdown get matrices (layers x hops, role x role) under a title, CSV and JSON
 * get one row per observation, which is what scripts want. The statistics come from analyze.h;
 * the names from analyze_names.h, the rendering from table.h; the key-effect tables are
 * key_effects.h's. */
#ifndef HOPSWEEP_ANALYZE_REPORT_H
#define HOPSWEEP_ANALYZE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hopsweep/analyze.h"
#include "hopsweep/json.h"

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

/* The lines above the tables (text, Markdown; none for CSV or when only is set) or, in JSON,
 * the fields before them, written to j (analyze_header.c). */
void hs_analyze_header(FILE *f, hs_json *j, const hs_analysis *a, const char *store,
                       hs_analyze_format fmt, const char *only);
/* How steps to solve are measured: under the curricula table and in the JSON header. */
extern const char hs_analyze_steps_note[];

#endif
