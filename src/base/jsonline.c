/* jsonline.c — one JSON object per line: checked against JSON's grammar, then loaded with
 * libyaml (definitions in jsonline.h). */
#include "hopsweep/jsonline.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* ---------------------------------------------------------------------------------------------
 * The strict JSON check. libyaml reads YAML, of which JSON is (nearly) a subset: on its own it
 * would take `{id: x}`, 'single quotes', anchors, tags and comments as a record. So a line is
 * first checked against JSON's grammar (RFC 8259) here, and what libyaml then loads is a
 * normalised copy: no whitespace outside strings (JSON allows tabs where YAML does not), and a
 * surrogate pair written as two \u escapes turned into the one \U escape YAML knows. Anything
 * that passes has one meaning in both languages, so the readers keep libyaml's node API. */

#define JSON_MAX_DEPTH 64 /* records nest 4 deep; a limit keeps libyaml's scanner linear */

typedef struct {
    const unsigned char *p, *end;
    char *out; /* the normalised copy */
    size_t n;
    const char *why; /* set on the first problem */
} jcheck;

static void skip_ws(jcheck *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n'))
        j->p++;
}

static bool bad(jcheck *j, const char *why)
{
    if (!j->why) j->why = why;
    return false;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Four hex digits after "\u" at j->p; -1 if they are not there. */
static long hex4(const jcheck *j, const unsigned char *at)
{
    if (j->end - at < 4) return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(at[i]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Length of the UTF-8 sequence at p (1..4), or 0 when it is not well-formed UTF-8 (overlong
 * forms and UTF-16 surrogates included). */
static int utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    int len = c < 0x80             ? 1
              : (c & 0xE0) == 0xC0 ? 2
              : (c & 0xF0) == 0xE0 ? 3
              : (c & 0xF8) == 0xF0 ? 4
                                   : 0;
    if (!len || end - p < len) return 0;
    unsigned long cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (int i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    static const unsigned long min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

/* A string at j->p (on its opening quote), copied to the output. */
static bool check_string(jcheck *j)
{
    const unsigned char *p = j->p + 1;
    j->out[j->n++] = '"';
    while (p < j->end && *p != '"') {
        if (*p < 0x20) return bad(j, "not valid JSON"); /* raw control characters */
        if (*p == 0x7F) { /* JSON allows DEL raw, YAML does not: pass it escaped */
            memcpy(j->out + j->n, "\\x7f", 4);
            j->n += 4;
            p++;
            continue;
        }
        if (*p != '\\') {
            int len = utf8_len(p, j->end);
            if (!len) return bad(j, "not valid JSON");
            memcpy(j->out + j->n, p, (size_t)len);
            j->n += (size_t)len;
            p += len;
            continue;
        }
        if (j->end - p < 2) return bad(j, "not valid JSON");
        unsigned char e = p[1];
        if (strchr("\"\\/bfnrt", e) && e) {
            j->out[j->n++] = '\\';
            j->out[j->n++] = (char)e;
            p += 2;
            continue;
        }
        if (e != 'u') return bad(j, "not valid JSON");
        long u = hex4(j, p + 2);
        if (u < 0) return bad(j, "not valid JSON");
        if (u == 0) return bad(j, "a \\u0000 escape (NUL) in a string");
        if (u >= 0xDC00 && u <= 0xDFFF) return bad(j, "a lone UTF-16 surrogate escape");
        if (u >= 0xD800 && u <= 0xDBFF) { /* the first half of a pair: the second must follow */
            long lo = p + 7 < j->end && p[6] == '\\' && p[7] == 'u' ? hex4(j, p + 8) : -1;
            if (lo < 0xDC00 || lo > 0xDFFF) return bad(j, "a lone UTF-16 surrogate escape");
            long cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            j->n += (size_t)sprintf(j->out + j->n, "\\U%08lX", cp); /* 10 bytes for 12 read */
            p += 12;
            continue;
        }
        memcpy(j->out + j->n, p, 6);
        j->n += 6;
        p += 6;
    }
    if (p >= j->end) return bad(j, "not valid JSON");
    j->out[j->n++] = '"';
    j->p = p + 1;
    return true;
}

/* A number or true/false/null at j->p, copied as it is. */
static bool check_atom(jcheck *j)
{
    const unsigned char *p = j->p, *s = p;
    static const char *const words[] = {"true", "false", "null"};
    for (int w = 0; w < 3; w++) {
        size_t len = strlen(words[w]);
        if ((size_t)(j->end - p) >= len && !memcmp(p, words[w], len)) {
            p += len;
            goto copy;
        }
    }
    if (p < j->end && *p == '-') p++;
    if (p >= j->end || !(*p >= '0' && *p <= '9')) return bad(j, "not valid JSON");
    if (*p == '0')
        p++;
    else
        while (p < j->end && *p >= '0' && *p <= '9') p++;
    if (p < j->end && *p == '.') {
        p++;
        if (p >= j->end || !(*p >= '0' && *p <= '9')) return bad(j, "not valid JSON");
        while (p < j->end && *p >= '0' && *p <= '9') p++;
    }
    if (p < j->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < j->end && (*p == '+' || *p == '-')) p++;
        if (p >= j->end || !(*p >= '0' && *p <= '9')) return bad(j, "not valid JSON");
        while (p < j->end && *p >= '0' && *p <= '9') p++;
    }
copy:
    /* a word or number runs up to a separator: "truex", "01" and "1.5.2" are not JSON */
    if (p < j->end && !strchr(" \t\r\n,]}", *p)) return bad(j, "not valid JSON");
    memcpy(j->out + j->n, s, (size_t)(p - s));
    j->n += (size_t)(p - s);
    j->p = p;
    return true;
}

/* One JSON value at j->p, iteratively (a stack of open containers, not recursion). */
static bool check_value(jcheck *j, bool *is_object)
{
    char stack[JSON_MAX_DEPTH]; /* '{' or '[' */
    int depth = 0;
    skip_ws(j);
    *is_object = j->p < j->end && *j->p == '{';
    for (;;) {
        /* a value */
        skip_ws(j);
        if (j->p >= j->end) return bad(j, "not valid JSON");
        unsigned char c = *j->p;
        if (c == '{' || c == '[') {
            if (depth == JSON_MAX_DEPTH) return bad(j, "JSON nested more than 64 deep");
            stack[depth++] = (char)c;
            j->out[j->n++] = (char)c;
            j->p++;
            skip_ws(j);
            if (j->p < j->end && *j->p == (c == '{' ? '}' : ']')) {
                j->out[j->n++] = (char)*j->p++;
                depth--;
                goto after_value;
            }
            if (c == '{') goto key;
            continue;
        }
        if (c == '"') {
            if (!check_string(j)) return false;
        } else if (!check_atom(j)) {
            return false;
        }
    after_value:
        if (!depth) return true;
        skip_ws(j);
        if (j->p >= j->end) return bad(j, "not valid JSON");
        c = *j->p;
        if (c == ',') {
            j->out[j->n++] = ',';
            j->p++;
            if (stack[depth - 1] == '[') continue;
            goto key;
        }
        if (c != (stack[depth - 1] == '{' ? '}' : ']')) return bad(j, "not valid JSON");
        j->out[j->n++] = (char)c;
        j->p++;
        depth--;
        goto after_value;
    key:
        skip_ws(j);
        if (j->p >= j->end || *j->p != '"' || !check_string(j)) return bad(j, "not valid JSON");
        skip_ws(j);
        if (j->p >= j->end || *j->p != ':') return bad(j, "not valid JSON");
        j->out[j->n++] = ':';
        j->p++;
    }
}

hs_jl_status hs_jl_load_object(const char *line, size_t len, yaml_document_t *doc, const char **why)
{
    /* Spaces around the object are tolerated, and a file written on Windows too. */
    while (len && is_space(line[0])) line++, len--;
    while (len && is_space(line[len - 1])) len--;
    *why = NULL;
    if (!len) return HS_JL_BLANK;

    /* The copy is never longer than the line, but for DEL, which grows from 1 byte to 4. */
    size_t dels = 0;
    for (const char *d = line; (d = memchr(d, 0x7F, len - (size_t)(d - line))); d++) dels++;
    if (len > (SIZE_MAX - 1) / 4) return HS_JL_NOMEM;
    jcheck j = {.p = (const unsigned char *)line, .end = (const unsigned char *)line + len};
    j.out = malloc(len + 3 * dels + 1);
    if (!j.out) return HS_JL_NOMEM;
    bool is_object = false;
    bool ok = check_value(&j, &is_object);
    if (ok) {
        skip_ws(&j);
        if (j.p < j.end) {
            ok = false;
            j.why = is_object ? "text after the JSON object" : "not valid JSON";
        } else if (!is_object) {
            ok = false;
            j.why = "not a JSON object";
        }
    }
    if (!ok) {
        free(j.out);
        *why = j.why ? j.why : "not valid JSON";
        return HS_JL_BAD;
    }

    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        free(j.out);
        return HS_JL_NOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)j.out, j.n);
    hs_jl_status st = HS_JL_OK;
    if (!yaml_parser_load(&parser, doc)) { /* libyaml frees the document itself on failure */
        st = parser.error == YAML_MEMORY_ERROR ? HS_JL_NOMEM : HS_JL_BAD;
        *why = "not valid JSON";
    } else if (!yaml_document_get_root_node(doc) ||
               yaml_document_get_root_node(doc)->type != YAML_MAPPING_NODE) {
        /* cannot happen after the check; kept so a libyaml surprise is a refusal, not a crash */
        yaml_document_delete(doc);
        st = HS_JL_BAD;
        *why = "not valid JSON";
    }
    yaml_parser_delete(&parser);
    free(j.out);
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
    return !n ||
           (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
            (hs_jl_scalar_is(n, "null") || hs_jl_scalar_is(n, "~") || n->data.scalar.length == 0));
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
