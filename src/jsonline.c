/* jsonline.c — one JSON object per line, read with libyaml (definitions in jsonline.h). */
#include "hopsweep/jsonline.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* YAML takes bare words and single quotes as strings; JSON does not. Nested values are not
 * checked: this only tells "[1, 2]" (JSON, but no object) from "oops" (no JSON). */
static bool json_value(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE) return true;
    if (n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) return true;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
    const char *t = (const char *)n->data.scalar.value;
    double v;
    return !strcmp(t, "true") || !strcmp(t, "false") || !strcmp(t, "null") ||
           ((t[0] == '-' || (t[0] >= '0' && t[0] <= '9')) && hs_jl_scalar_double(n, &v));
}

hs_jl_status hs_jl_load_object(const char *line, size_t len, yaml_document_t *doc,
                               const char **why)
{
    /* Spaces around the object are tolerated, and a file written on Windows too. */
    while (len && is_space(line[0])) line++, len--;
    while (len && is_space(line[len - 1])) len--;
    *why = NULL;
    if (!len) return HS_JL_BLANK;

    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) return HS_JL_NOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)line, len);
    hs_jl_status st = HS_JL_OK;
    if (!yaml_parser_load(&parser, doc)) { /* libyaml frees the document itself on failure */
        st = parser.error == YAML_MEMORY_ERROR ? HS_JL_NOMEM : HS_JL_BAD;
        *why = "not valid JSON";
        yaml_parser_delete(&parser);
        return st;
    }
    const yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!root) { /* a YAML comment, say */
        st = HS_JL_BAD;
        *why = "not valid JSON";
    } else if (root->type != YAML_MAPPING_NODE) {
        st = HS_JL_BAD;
        *why = json_value(root) ? "not a JSON object" : "not valid JSON";
    } else { /* a second document would be text after the object: two lines run together */
        yaml_document_t next;
        if (!yaml_parser_load(&parser, &next)) {
            st = parser.error == YAML_MEMORY_ERROR ? HS_JL_NOMEM : HS_JL_BAD;
        } else {
            if (yaml_document_get_root_node(&next)) st = HS_JL_BAD;
            yaml_document_delete(&next);
        }
        if (st == HS_JL_BAD) *why = "text after the JSON object";
    }
    yaml_parser_delete(&parser);
    if (st != HS_JL_OK) yaml_document_delete(doc);
    return st;
}

bool hs_jl_scalar_is(const yaml_node_t *n, const char *text)
{
    size_t len = strlen(text);
    return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == len &&
           memcmp(n->data.scalar.value, text, len) == 0;
}

const char *hs_jl_scalar_text(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

bool hs_jl_is_null(const yaml_node_t *n)
{
    return !n || (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                  (hs_jl_scalar_is(n, "null") || hs_jl_scalar_is(n, "~") ||
                   n->data.scalar.length == 0));
}

bool hs_jl_is_string(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE &&
           n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE; /* JSON has no other quotes */
}

const yaml_node_t *hs_jl_map_get(yaml_document_t *d, const yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE) return NULL;
    for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++)
        if (hs_jl_scalar_is(yaml_document_get_node(d, p->key), key))
            return yaml_document_get_node(d, p->value);
    return NULL;
}

bool hs_jl_scalar_double(const yaml_node_t *n, double *v)
{
    if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
        !n->data.scalar.length)
        return false;
    char *end;
    errno = 0;
    *v = strtod(hs_jl_scalar_text(n), &end);
    return !errno && *end == '\0' && isfinite(*v);
}

bool hs_jl_scalar_int(const yaml_node_t *n, int *v)
{
    double d;
    if (!hs_jl_scalar_double(n, &d) || d != floor(d) || d < -2147483647.0 || d > 2147483647.0)
        return false;
    *v = (int)d;
    return true;
}

size_t hs_jl_seq_len(const yaml_node_t *n)
{
    if (!n || n->type != YAML_SEQUENCE_NODE) return 0;
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

const yaml_node_t *hs_jl_seq_at(yaml_document_t *d, const yaml_node_t *n, size_t i)
{
    return yaml_document_get_node(d, n->data.sequence.items.start[i]);
}
