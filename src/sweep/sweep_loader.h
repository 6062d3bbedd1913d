/* sweep_loader.h — private to the sweep module (sweep.c, sweep_values.c, sweep_expand.c,
 * sweep_write.c): the loader's context, where each value came from for messages, the exclude
 * entries, the value lists with their hash index, and the steps hs_sweep_load runs. Not part of
 * the public API (include/hopsweep/sweep.h). */
#ifndef HOPSWEEP_SWEEP_LOADER_H
#define HOPSWEEP_SWEEP_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "hopsweep/sweep.h"

#define MAX_JOBS  1000000 /* more is surely a slip in a list (and some 0.2 GB of configs) */
#define VALUE_MAX 64      /* canonical text of any value fits (hs_config_id assumes the same) */

/* Where a value or key came from, for messages. */
typedef struct origin {
    int arg;          /* 1-based command-line argument (an override); 0: the file */
    size_t line, col; /* 1-based position in the file; line 0: no position */
} origin;

/* One key of an exclude entry: a job matches when its value of key is one of values. */
typedef struct match {
    int key;
    int n;
    char **values; /* canonical text */
} match;

typedef struct entry {
    int n; /* matches filled so far */
    match *m;
} entry;

/* An index of strings v[0..n) by their text: open addressing, slot holds i + 1 (0 = empty),
 * at most half full, so that finding a value never scans a list (a grid axis may hold 10^6). */
typedef struct strindex {
    int *slot;
    size_t cap; /* a power of two, or 0 */
} strindex;

/* A list of values being read: canonical text and where each came from. */
typedef struct vlist {
    int n, cap;
    char **v;
    origin *at;
    strindex ix; /* of v */
} vlist;

/* What loading needs beyond hs_sweep: where every axis value came from (for messages about
 * jobs) and the exclude entries. from[] always has one row per axis of s. */
typedef struct loader {
    hs_sweep *s;
    const char *path; /* NULL: no file */
    char *text;       /* the file's text when already read (hs_sweep_load_text), else NULL */
    size_t text_len;
    char *const *overrides;
    origin **from; /* from[a][v]: where value v of axis a came from */
    int n_entries;
    entry *entries;
    origin exclude_at; /* the exclude: key */
    origin base_at;    /* the base: key; line 0 when the file has none */
    hs_err *err;
} loader;

static inline origin at_mark(yaml_mark_t m) { return (origin){0, m.line + 1, m.column + 1}; }

/* ---- Messages (sweep_values.c) ---- */

/* Fails with HS_EINPUT and where o points in front: "path:line:column: ", "command line
 * argument N (`text`): ", or the bare path (or "command line") when there is no position. */
hs_status sweep_fail_at(const loader *L, origin o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
hs_status sweep_out_of_memory(const loader *L);

/* ---- Value lists, their index and the axes (sweep_values.c) ---- */

/* Index of text in v (indexed by x), -1 if none. */
int sweep_strindex_find(const strindex *x, char *const *v, const char *t);
/* Indexes v[0..n) afresh with room for `room` values (a later value repeating an earlier one
 * keeps the earlier's index). */
bool sweep_strindex_build(strindex *x, char *const *v, int n, size_t room);
void sweep_strindex_free(strindex *x);
void sweep_free_values(char **v, int n);
void sweep_vlist_free(vlist *l);
bool sweep_vlist_add(vlist *l, const char *text, origin at);
/* Index in l of the value whose canonical text is v, -1 if none. */
int sweep_vlist_find(const vlist *l, const char *v);
int sweep_axis_find(const hs_sweep *s, int key);
/* Makes l the axis of key at position `at` (replacing the axis there, or appended when at is
 * n_axes). l's arrays move into the sweep; l is left empty either way. */
hs_status sweep_axis_put(loader *L, int at, int key, vlist *l);
void sweep_axis_remove(loader *L, int a);

/* ---- The steps after reading (sweep_expand.c, sweep_write.c) ---- */

/* The cartesian product of the axes, first axis slowest, minus exclude: matches; every job
 * validated and given its id. */
hs_status sweep_expand(loader *L);
/* The sweep as run, as YAML that loads into the same jobs, into L->s->yaml. */
hs_status sweep_write_yaml(loader *L);

#endif
