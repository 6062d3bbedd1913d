/* jsonline.h — reading one line of a JSONL file, and the few node accessors every reader of such
 * lines needs. A line is checked against JSON's own grammar (RFC 8259: double-quoted keys and
 * strings, numbers, true, false, null; no YAML bare words, single quotes, anchors, tags or
 * comments; nesting at most 64 deep), then loaded whole into a yaml_document_t by libyaml, so the
 * project keeps one document model and no second parser library. A line that is not one JSON
 * object is refused with a short reason for the caller's report. */
#ifndef HOPSWEEP_JSONLINE_H
#define HOPSWEEP_JSONLINE_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

typedef enum {
    HS_JL_OK,    /* *doc holds the object; the caller frees it with yaml_document_delete */
    HS_JL_BLANK, /* nothing but spaces, tabs or a carriage return: no document */
    HS_JL_BAD,   /* not one JSON object; *why says what it is instead; no document */
    HS_JL_NOMEM,
} hs_jl_status;

/* Loads line[0..len) (no newline) as one JSON object; the root of *doc is then a mapping. Text
 * after the object (two objects run together), invalid UTF-8, a \u0000 escape (it would cut the
 * C strings the accessors return) and lone UTF-16 surrogate escapes are refused. *why is a
 * constant string. */
hs_jl_status hs_jl_load_object(const char *line, size_t len, yaml_document_t *doc,
                               const char **why);

/* n is a scalar with exactly this text. */
bool hs_jl_scalar_is(const yaml_node_t *n, const char *text);

/* The text of a scalar (NUL-terminated by libyaml), or NULL when n is not a scalar. */
const char *hs_jl_scalar_text(const yaml_node_t *n);

/* JSON null: a missing node, or a plain null, ~ or empty scalar (not the string "null"). */
bool hs_jl_is_null(const yaml_node_t *n);

/* n was written as a JSON string (in double quotes), not a number, true, false or null. */
bool hs_jl_is_string(const yaml_node_t *n);

/* The value under key in a mapping; NULL when map is not a mapping or has no such key. */
const yaml_node_t *hs_jl_map_get(yaml_document_t *d, const yaml_node_t *map, const char *key);

/* A plain (unquoted) scalar that is a finite number, or an integer in int's range. */
bool hs_jl_scalar_double(const yaml_node_t *n, double *v);
bool hs_jl_scalar_int(const yaml_node_t *n, int *v);

/* Items of a sequence; 0 when n is not one. seq_at needs i < hs_jl_seq_len(n). */
size_t hs_jl_seq_len(const yaml_node_t *n);
const yaml_node_t *hs_jl_seq_at(yaml_document_t *d, const yaml_node_t *n, size_t i);

#endif
