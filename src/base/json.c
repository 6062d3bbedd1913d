/* json.c — the JSON writer: records, safetensors headers (a config object is config_text.c's). */
#include "hopsweep/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/escape.h"

void hs_json_init(hs_json *j)
{
    memset(j, 0, sizeof *j);
    j->first[0] = true;
}

void hs_json_free(hs_json *j)
{
    free(j->buf);
    hs_json_init(j);
}

bool hs_json_ok(const hs_json *j) { return !j->failed; }

char *hs_json_take(hs_json *j)
{
    char *s = NULL;
    if (j->failed)
        free(j->buf);
    else
        s = j->buf ? j->buf : calloc(1, 1);
    hs_json_init(j);
    return s;
}

static void put(hs_json *j, const char *s, size_t n)
{
    if (j->failed) return;
    if (j->len + n + 1 > j->cap) {
        size_t cap = j->cap ? j->cap : 256;
        while (j->len + n + 1 > cap) cap *= 2;
        char *b = realloc(j->buf, cap);
        if (!b) {
            j->failed = true;
            return;
        }
        j->buf = b;
        j->cap = cap;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

static void puts_(hs_json *j, const char *s) { put(j, s, strlen(s)); }

/* Separator before a value (or key): a comma unless it is the first at this depth. */
static void before_value(hs_json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (!j->first[j->depth]) put(j, ",", 1);
    j->first[j->depth] = false;
}

static void open_(hs_json *j, char c)
{
    before_value(j);
    put(j, &c, 1);
    if (j->depth + 1 >= HS_JSON_MAX_DEPTH) {
        j->failed = true;
        return;
    }
    j->first[++j->depth] = true;
}

static void close_(hs_json *j, char c)
{
    if (j->depth > 0) j->depth--;
    put(j, &c, 1);
}

void hs_json_object_begin(hs_json *j) { open_(j, '{'); }
void hs_json_object_end(hs_json *j) { close_(j, '}'); }
void hs_json_array_begin(hs_json *j) { open_(j, '['); }
void hs_json_array_end(hs_json *j) { close_(j, ']'); }

static void quoted(hs_json *j, const char *s)
{
    put(j, "\"", 1);
    for (const char *p = s; *p;) {
        char esc[HS_ESCAPE_MAX], u[8];
        size_t n = hs_escape_step(p, esc);
        switch (*p) {
        case '"': puts_(j, "\\\""); break;
        case '\\': puts_(j, "\\\\"); break;
        default:
            /* hs_escape_step's \n \r \t \x1b \u202e: the first three are JSON already; a byte
             * below 0x80 and a code point become \u escapes (the same string once decoded, but no
             * control or bidi character reaches whoever reads the JSON on a terminal). Invalid
             * UTF-8 (\xff from a byte >= 0x80) is written as it is, as before. */
            if (!esc[0] || (esc[1] == 'x' && (unsigned char)*p >= 0x80)) {
                put(j, p, n);
            } else if (esc[1] == 'x') {
                snprintf(u, sizeof u, "\\u%04x", (unsigned char)*p);
                puts_(j, u);
            } else if (esc[1] == 'u') {
                snprintf(u, sizeof u, "\\u%s", esc + 2);
                puts_(j, u);
            } else {
                puts_(j, esc);
            }
        }
        p += n;
    }
    put(j, "\"", 1);
}

void hs_json_key(hs_json *j, const char *key)
{
    before_value(j);
    quoted(j, key);
    put(j, ":", 1);
    j->after_key = true;
}

void hs_json_string(hs_json *j, const char *s)
{
    before_value(j);
    quoted(j, s ? s : "");
}

void hs_json_raw(hs_json *j, const char *text)
{
    before_value(j);
    puts_(j, text);
}

void hs_json_int(hs_json *j, int64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%" PRId64, v);
    hs_json_raw(j, b);
}

void hs_json_uint(hs_json *j, uint64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%" PRIu64, v);
    hs_json_raw(j, b);
}

void hs_json_double(hs_json *j, double v)
{
    if (!isfinite(v)) {
        hs_json_null(j);
        return;
    }
    char b[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(b, sizeof b, "%.*g", prec, v);
        if (strtod(b, NULL) == v) break;
    }
    hs_json_raw(j, b);
}

void hs_json_string_or_null(hs_json *j, const char *s)
{
    if (s)
        hs_json_string(j, s);
    else
        hs_json_null(j);
}

void hs_json_float(hs_json *j, float v)
{
    if (!isfinite(v)) {
        hs_json_null(j);
        return;
    }
    char b[32];
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(b, sizeof b, "%.*g", prec, v);
        if (strtof(b, NULL) == v) break;
    }
    hs_json_raw(j, b);
}

void hs_json_bool(hs_json *j, bool v) { hs_json_raw(j, v ? "true" : "false"); }
void hs_json_null(hs_json *j) { hs_json_raw(j, "null"); }
