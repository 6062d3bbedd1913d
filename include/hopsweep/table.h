/* table.h — one typed table (a name, column headings, rows of typed cells, a title and a note)
 * and its four renderers: aligned text, Markdown, CSV and JSON. Every command that prints a
 * table builds one and renders it here, so the formats agree everywhere (`hopsweep analyze`,
 * `hopsweep prompts score`, `hopsweep attn --format csv`).
 *
 * Cells are appended row by row, left to right; a table with n cells and c columns has n / c
 * rows. Allocation failure is sticky: the table stops growing and hs_table_ok() says false, so a
 * builder checks once at the end. Numbers read the same in text and CSV (%.6g), and in JSON as
 * the shortest text that reads back; NaN is null, empty in text and CSV. */
#ifndef HOPSWEEP_TABLE_H
#define HOPSWEEP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hopsweep/json.h"

#if defined(__GNUC__)
#define HS_TABLE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define HS_TABLE_PRINTF(a, b)
#endif

typedef enum {
    HS_TV_NULL,  /* null in JSON, empty elsewhere */
    HS_TV_STR,   /* text */
    HS_TV_INT,   /* a whole number */
    HS_TV_NUM,   /* a number: %.6g in text and CSV */
    HS_TV_BOOL,  /* true or false */
    HS_TV_WORDS, /* words separated by single spaces: a JSON array of strings, text as is */
    HS_TV_FLOAT, /* a float: its shortest text that reads back as the same float, everywhere */
} hs_tvalue_kind;

typedef struct hs_tvalue {
    hs_tvalue_kind kind;
    double num; /* HS_TV_INT, HS_TV_NUM, HS_TV_BOOL, HS_TV_FLOAT */
    char *str;  /* HS_TV_STR, HS_TV_WORDS */
} hs_tvalue;

typedef struct hs_table {
    const char *name; /* the CSV "# name" line (none when NULL) and the JSON key */
    char *title;      /* a heading in text and Markdown, or NULL */
    char *note;       /* a line under the table in text and Markdown, or NULL */
    int cols;
    unsigned left; /* bit c: column c is left-aligned in text (default: right, and a first
                         column holding text is left-aligned as a column of labels) */
    char **head;   /* [cols]; a NULL heading is empty */
    hs_tvalue *v;  /* row-major [rows][cols] */
    size_t n, cap;
    bool nomem;
} hs_table;

void hs_table_init(hs_table *t, const char *name, int cols);
void hs_table_free(hs_table *t);
static inline bool hs_table_ok(const hs_table *t) { return !t->nomem; }
static inline size_t hs_table_rows(const hs_table *t) { return t->n / (size_t)t->cols; }

void hs_table_head(hs_table *t, int col, const char *fmt, ...) HS_TABLE_PRINTF(3, 4);
/* Every heading at once from a list of cols names. */
void hs_table_heads(hs_table *t, const char *const *names);
void hs_table_title(hs_table *t, const char *fmt, ...) HS_TABLE_PRINTF(2, 3);
void hs_table_note(hs_table *t, const char *fmt, ...) HS_TABLE_PRINTF(2, 3);

/* The next cell. */
void hs_table_str(hs_table *t, const char *fmt, ...) HS_TABLE_PRINTF(2, 3);
void hs_table_int(hs_table *t, long long x);
void hs_table_num(hs_table *t, double x); /* NaN: null */
void hs_table_bool(hs_table *t, int b);   /* b < 0: null */
void hs_table_null(hs_table *t);
void hs_table_words(hs_table *t, const char *words);
void hs_table_float(hs_table *t, float x);

/* Aligned columns separated by two spaces, no trailing spaces; the title above and the note
 * below. markdown: a Markdown table under "### title", a | inside a cell escaped. */
void hs_table_text(FILE *f, const hs_table *t, bool markdown);
/* "# name" (when the table has a name), the headings, then one line per row. */
void hs_table_csv(FILE *f, const hs_table *t);
/* "name": [{heading: cell, ...}, ...] into the object being written. */
void hs_table_json(hs_json *j, const hs_table *t);
/* The cells of one row as heading: cell fields of the object being written. */
void hs_table_json_row(hs_json *j, const hs_table *t, size_t row);

#endif
