/* analyze_names.h — how the analysis (analyze.h) is named and looked up by what shows it: the
 * tables of `hopsweep analyze` (analyze_report.h) and its figures (analyze_plot.h), so that a
 * configuration reads the same in a table, a figure's title and its .dat file. */
#ifndef HOPSWEEP_ANALYZE_NAMES_H
#define HOPSWEEP_ANALYZE_NAMES_H

#include <stddef.h>

#include "hopsweep/analyze.h"

/* "implicit", or "implicit [2]" when the store holds several settings. */
void hs_analysis_family_name(const hs_analysis *a, int family, char *buf, size_t n);
/* "implicit D=4 L=2" (with the setting number when there are several). */
void hs_analysis_cell_name(const hs_analysis *a, const hs_cell *c, char *buf, size_t n);
/* The group of (family, hops), the cell of (family, hops, layers); NULL when there is none. */
const hs_group *hs_analysis_find_group(const hs_analysis *a, int family, int hops);
const hs_cell *hs_analysis_find_cell(const hs_analysis *a, int family, int hops, int layers);

/* A step count for people: "-" for NaN, whole numbers without decimals, else one decimal. */
void hs_analysis_steps_text(double v, char *buf, size_t n);
/* "solved", "unsolved", "undecided", "empty". */
const char *hs_cell_verdict_name(hs_cell_verdict v);
/* "found", "above_tested", "unknown". */
const char *hs_tmin_kind_name(hs_tmin_kind k);
/* t_min as the tables show it: "2", ">3" (no tested depth solves), "?" (unknown), with "!"
 * where it disagrees with the theory. */
void hs_group_tmin_text(const hs_group *g, char *buf, size_t n);
/* Role names (of r->roles) joined by single spaces into buf, cut to fit. */
void hs_results_roles_text(const hs_results *r, const int *roles, int n, char *buf, size_t size);

#endif
