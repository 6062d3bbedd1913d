/* json.h — a small JSON writer into a growing buffer (records, safetensors headers).
 *
 * Writing only: JSON is read back with libyaml (JSON is YAML flow syntax), never by a parser of
 * our own. Commas and nesting are tracked by the writer so callers just emit keys and values.
 * Allocation failure is sticky: check hs_json_ok() once at the end. */
#ifndef HOPSWEEP_JSON_H
#define HOPSWEEP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HS_JSON_MAX_DEPTH 32

typedef struct hs_json {
    char *buf;
    size_t len, cap;
    int depth;
    bool first[HS_JSON_MAX_DEPTH]; /* no value written yet at this depth */
    bool after_key;
    bool failed;
} hs_json;

void hs_json_init(hs_json *j);
void hs_json_free(hs_json *j);
bool hs_json_ok(const hs_json *j);
/* Takes the text (NUL-terminated); the writer is reset. Caller frees. */
char *hs_json_take(hs_json *j);

void hs_json_object_begin(hs_json *j);
void hs_json_object_end(hs_json *j);
void hs_json_array_begin(hs_json *j);
void hs_json_array_end(hs_json *j);
void hs_json_key(hs_json *j, const char *key);
void hs_json_string(hs_json *j, const char *s);
void hs_json_int(hs_json *j, int64_t v);
void hs_json_uint(hs_json *j, uint64_t v);
/* Shortest text that round-trips; null for NaN and inf (JSON has neither). */
void hs_json_double(hs_json *j, double v);
/* A float's shortest round-trip text (0.98 rather than 0.98000001907348633). */
void hs_json_float(hs_json *j, float v);
void hs_json_bool(hs_json *j, bool v);
void hs_json_null(hs_json *j);
/* s, or null when s is NULL (an optional field). */
void hs_json_string_or_null(hs_json *j, const char *s);
/* A value already in JSON form (a number's canonical text, a nested document). */
void hs_json_raw(hs_json *j, const char *text);

#endif
