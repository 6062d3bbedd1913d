/* yamlfile.h — what the two YAML readers (job files in config.c, sweep files in sweep.c) share:
 * reading a file into one libyaml document, libyaml's own errors and the readers' errors as one
 * "path:line:column: ..." line, quoting values for messages, and the edit distance behind
 * "did you mean" suggestions. */
#ifndef HOPSWEEP_YAMLFILE_H
#define HOPSWEEP_YAMLFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "hopsweep/error.h"

typedef struct hs_yaml_file {
    const char *path; /* for messages; the caller keeps it alive */
    const char *what; /* "job file", "sweep file": for messages */
    char *data;       /* the whole file, NUL-terminated */
    size_t size;
    yaml_parser_t parser;
    yaml_document_t doc; /* the first document, while `loaded` */
    bool loaded;
} hs_yaml_file;

/* Reading a file costs at most a bounded multiple of its size: lists and mappings nest at most
 * HS_YAML_MAX_DEPTH deep, and aliases may expand the document to at most
 * HS_YAML_MAX_AMPLIFICATION times its size (plus 4 KiB), counting each scalar as its length
 * plus one and each collection as one (a billion-laughs guard). */
#define HS_YAML_MAX_DEPTH         64
#define HS_YAML_MAX_AMPLIFICATION 10

/* Reads path (at most 16 MiB) and parses its first document into f->doc (a file with no
 * document, or only comments, gives a document without a root node). Errors: HS_EIO when the
 * file cannot be read; HS_EINPUT for a file too large, nested too deep, amplified by aliases
 * beyond the bound above, malformed YAML (with a hint for tabs in indentation) or text that is
 * not UTF-8, each as "path:line:column: ..."; HS_ENOMEM. On failure nothing is left to close. */
hs_status hs_yaml_open(hs_yaml_file *f, const char *path, const char *what, hs_err *err);

/* hs_yaml_open for text already read (by the store, without following links): data is
 * malloc'ed, NUL-terminated, and taken over, also on failure; path names it in messages. */
hs_status hs_yaml_open_text(hs_yaml_file *f, char *data, size_t size, const char *path,
                            const char *what, hs_err *err);

/* Frees the first document and refuses a second one ("---" again), which would otherwise be
 * ignored. Called after the first document has been used, so that its errors, earlier in the
 * file, are the ones reported. */
hs_status hs_yaml_check_single(hs_yaml_file *f, hs_err *err);

void hs_yaml_close(hs_yaml_file *f);

/* Fails with HS_EINPUT and "path:line:column: " (1-based, from m) in front of the message. */
hs_status hs_yaml_fail(hs_err *err, const char *path, yaml_mark_t m, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* "a mapping", "a list" or "a value", as messages describe a node found where another was
 * expected. */
const char *hs_yaml_kind_name(const yaml_node_t *n);

/* A scalar node's text as a C string; NULL when it holds a NUL byte (which a C string would cut
 * short). */
const char *hs_yaml_scalar_text(const yaml_node_t *n);

/* True for a scalar written as nothing at all (`key:` with no value, every line under it
 * commented out), which the readers treat as an empty section or list. */
bool hs_yaml_is_empty(const yaml_node_t *n);

/* Writes s (len bytes) between two `delim` characters for a one-line message: control bytes,
 * the delimiter and backslashes are escaped, and anything past 48 bytes is cut to "...", so a
 * hostile value can neither break the line nor crowd out the rest of the message. out needs
 * HS_QUOTED_MAX bytes. */
void hs_quote(const char *s, size_t len, char delim, char *out, size_t n);
#define HS_QUOTED_MAX (2 + 48 * 4 + 4)

/* Edit distance counting a swap of neighbours as one edit ("modle" is one from "model"), as
 * typos go; names longer than 63 bytes are never close to anything (SIZE_MAX). */
size_t hs_edit_distance(const char *a, size_t la, const char *b, size_t lb);

#endif
