/* sweep.h — a sweep file (DESIGN §3) expanded into its jobs.
 *
 *   name: smoke                    # optional; default: the file name without .yaml
 *   output: results/smoke          # optional; default: results/<name>
 *   base:                          # job keys shared by every job (sections or dotted keys)
 *     train: {steps: 3000}
 *   grid:                          # dotted keys → lists of values; the cartesian product
 *     model.layers: [1, 2, 3]
 *     task.hops: [1, 2, 3, 4, 5]
 *   exclude:                       # optional: drop every job matching all keys of an entry
 *     - {model.layers: 1, task.hops: [4, 5]}   # a list matches any of its values
 *
 * Command-line overrides come after the file: `key=v` sets key for every job (and replaces a
 * grid axis of that key), `key=v1,v2,...` makes key a grid axis (replacing the file's axis).
 * Jobs are ordered as the grid reads, first axis slowest, command-line axes after the file's.
 * Every job is validated when the sweep is loaded; every error names where it comes from
 * (path:line:column, or "command line argument N"), the key, the bad value and what is
 * allowed. */
#ifndef HOPSWEEP_SWEEP_H
#define HOPSWEEP_SWEEP_H

#include <stddef.h>

#include "hopsweep/config.h"
#include "hopsweep/error.h"

typedef struct hs_sweep_axis {
    int key;       /* index into the config key table (hs_config_key_name) */
    int n;         /* number of values, >= 1 */
    char **values; /* canonical text of each value (hs_config_format) */
} hs_sweep_axis;

typedef struct hs_sweep_job {
    hs_config cfg; /* validated */
    char id[17];   /* hs_config_id(&cfg) */
} hs_sweep_job;

typedef struct hs_sweep {
    char *name;
    char *output;
    hs_config base; /* defaults, then base:, then key=v overrides */
    int n_axes;
    hs_sweep_axis *axes;
    size_t n_excluded; /* grid points dropped by exclude: */
    size_t n_jobs;
    hs_sweep_job *jobs;
    char *yaml; /* the sweep as run (base with every key, grid, exclude), YAML that
                             hs_sweep_load reads back into the same jobs */
} hs_sweep;

/* Loads path (NULL: no file, only overrides) and applies the overrides (argv-style strings of
 * the form key=value). Errors: HS_EINPUT for anything wrong in the file or an override,
 * HS_EIO for a file that cannot be read, HS_ENOMEM. On failure s is left empty.
 * Without grid: (or without a file) the sweep is the one job base: describes; without a file
 * it is named "sweep". Overrides apply in order, so a later one for the same key wins, and
 * "command line argument N" counts them from 1. exclude: may name any job key, axis or not. */
hs_status hs_sweep_load(hs_sweep *s, const char *path, int n_overrides, char *const *overrides,
                        hs_err *err);
/* hs_sweep_load of a file's text already read (a store's sweep.yaml, read without following
 * links): text is malloc'ed, NUL-terminated and taken over; path names it in messages. */
hs_status hs_sweep_load_text(hs_sweep *s, const char *path, char *text, size_t n, hs_err *err);
void hs_sweep_free(hs_sweep *s);

/* "layers=2 hops=3 curriculum=implicit seed=1": job i's value of every axis, each key by its
 * last name part (the full dotted key where that would be ambiguous). Cut to fit n. */
void hs_sweep_job_label(const hs_sweep *s, size_t i, char *buf, size_t n);

#endif
