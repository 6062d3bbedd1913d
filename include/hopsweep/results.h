/* results.h — a result store's runs.jsonl read for the analysis (results.c): the latest readable
 * record of each id, in plain structs, with one notice line saying what was ignored.
 *
 * runs.jsonl is read as it is, without the store's lock, so a store still being
 * written can be analysed. A last line without its newline (an append in progress) is ignored,
 * and so is any line that is not a readable record; `hs_results_notice` says what was ignored.
 * The last readable record of an id wins. Lines are read by record.c (hs_runs_scan,
 * hs_record_parse): a record's "config" is flattened to dotted keys and applied with
 * hs_config_set on top of the defaults: keys a record lacks keep their default, a value the key
 * refuses makes the line unreadable, and so does an "id" that is not hs_config_id of that config
 * (a forged or edited line) or an unknown key (another hopsweep version), which is also named
 * in the notice. Other fields a record lacks (an older writer, e.g. no emergence.heads/order)
 * are "no data", never an error. */
#ifndef HOPSWEEP_RESULTS_H
#define HOPSWEEP_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "hopsweep/error.h"
#include "hopsweep/record.h"
#include "hopsweep/store_view.h"

/* hs_role and hs_run_record, one record as read back, are record.h's. */

typedef struct hs_results {
    hs_run_record *runs; /* latest readable record per id, in order of first appearance */
    size_t n, cap;
    hs_role *roles; /* every role name met, in order of first appearance */
    int n_roles, cap_roles;
    size_t *slots; /* open-addressing index id -> runs + 1 (0 = empty) */
    size_t n_slots;
    /* What was ignored, for the notice. */
    size_t lines;                  /* readable record lines */
    size_t skipped, first_skipped; /* unreadable lines; line number of the first */
    char first_why[512];
    size_t partial_bytes;    /* bytes of a last line without its newline */
    char unknown_names[160]; /* distinct unknown config keys, comma-separated */
    bool unknown_more;       /* and others that did not fit */
} hs_results;

void hs_results_init(hs_results *r);
void hs_results_free(hs_results *r);

/* Adds one line of runs.jsonl (without its newline; lineno for messages). A line that is not
 * a readable record is counted for the notice and otherwise ignored; a later record of the
 * same id replaces the earlier one. Fails only when memory runs out (HS_ENOMEM). */
hs_status hs_results_add_line(hs_results *r, const char *line, size_t len, size_t lineno,
                              hs_err *err);
/* Adds every complete line of a runs.jsonl text; a tail without its newline is not read and
 * its size is kept for the notice. */
hs_status hs_results_add_text(hs_results *r, const char *text, size_t len, hs_err *err);
/* Reads DIR/runs.jsonl through store_view.h (never through a link, at most 8 GiB). HS_EINPUT
 * when DIR is missing, not a directory, has no runs.jsonl or holds a link or another
 * non-regular entry where the store keeps a file (naming it, and what to give instead); HS_EIO
 * when it cannot be read; HS_ENOMEM. hs_results_load_view: the same from a view already open. */
hs_status hs_results_load(hs_results *r, const char *dir, hs_err *err);
hs_status hs_results_load_view(hs_results *r, const hs_store_view *v, hs_err *err);
/* One line saying what was ignored (partial last line, unreadable lines, unknown keys), or ""
 * when nothing was. */
void hs_results_notice(const hs_results *r, const char *path, char *buf, size_t n);

/* Index of a run by id, -1 when there is none. */
long hs_results_find(const hs_results *r, const char *id);
/* Index of the run whose id is prefix or the one run whose id starts with it; -1 when none
 * does, -2 when several do (two[] then holds the first two, for the message). */
long hs_results_find_prefix(const hs_results *r, const char *prefix, long two[2]);

#endif
