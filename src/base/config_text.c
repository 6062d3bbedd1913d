/* config_text.c — a config's text forms, besides the canonical key=value lines and the id
 * (config.c): the lines read back, the YAML of a sweep's base:, the JSON object of the record,
 * and the one walker that reads a config from a libyaml document, for the YAML job file and
 * base: (strict, every message at path:line:column) and for the record's JSON "config" (strict
 * when the store checks a record, tolerant when the analysis reads one from a newer hopsweep).
 * Everything here walks the key table through config.h, so a new key needs nothing here. */
#include "hopsweep/config.h"

#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "hopsweep/json.h"
#include "hopsweep/jsonline.h"
#include "hopsweep/yamlfile.h"

/* ---------------------------------------------------------------------------------------------
 * Writers */

bool hs_config_write_yaml(const hs_config *c, const char *indent, FILE *f)
{
    char v[64];
    for (size_t i = 0; i < hs_config_key_count(); i++) {
        hs_config_format(c, i, v, sizeof v);
        fprintf(f, "%s%s: %s\n", indent, hs_config_key_name(i), v);
    }
    return !ferror(f);
}

void hs_config_json(hs_json *j, const hs_config *c)
{
    /* The key table is sorted, so keys of one section are adjacent. */
    char section[32] = "", value[64];
    hs_json_object_begin(j);
    for (size_t i = 0; i < hs_config_key_count(); i++) {
        const char *name = hs_config_key_name(i);
        const char *dot = strchr(name, '.');
        size_t slen = (size_t)(dot - name);
        if (strlen(section) != slen || strncmp(section, name, slen)) {
            if (section[0]) hs_json_object_end(j);
            snprintf(section, sizeof section, "%.*s", (int)slen, name);
            hs_json_key(j, section);
            hs_json_object_begin(j);
        }
        hs_json_key(j, dot + 1);
        hs_config_format(c, i, value, sizeof value);
        if (hs_config_key_kind(i) == HS_KEY_ENUM)
            hs_json_string(j, value);
        else
            hs_json_raw(j, value); /* numbers and true/false are already JSON */
    }
    if (section[0]) hs_json_object_end(j);
    hs_json_object_end(j);
}

/* ---------------------------------------------------------------------------------------------
 * Reading key=value lines */

hs_status hs_config_read_lines(hs_config *c, const char *text, hs_err *err)
{
    hs_config tmp = *c;
    char line[256];
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len >= sizeof line) return hs_fail(err, HS_EINTERNAL, "job line too long");
        memcpy(line, p, len);
        line[len] = '\0';
        hs_status st = hs_config_override(&tmp, line, err);
        if (st) return st;
        p += len + (nl != NULL);
    }
    *c = tmp;
    return HS_OK;
}

/* ---------------------------------------------------------------------------------------------
 * The walker */

typedef struct walker {
    const hs_config_reader *r;
    yaml_document_t *doc;
    hs_config *c;
    const yaml_node_t *seen[HS_CONFIG_MAX_KEYS]; /* YAML: key node where each key was set */
    hs_err *err;
} walker;

static hs_status walk_mapping(walker *x, const yaml_node_t *map, const char *prefix, int depth);

/* ---- YAML: a job file or a sweep's base: ---- */

/* One `name: value` pair, `name` already joined to its section path. */
static hs_status yaml_pair(walker *x, const yaml_node_t *kn, const char *name,
                           const yaml_node_t *vn, int depth)
{
    const char *path = x->r->path;
    char q[HS_QUOTED_MAX];
    int k = hs_config_key_index(name);
    if (k >= 0) {
        const char *allowed = hs_config_key_allowed((size_t)k);
        if (vn->type != YAML_SCALAR_NODE)
            return hs_yaml_fail(x->err, path, vn->start_mark,
                                "%s: expected a single value (allowed: %s), found %s%s", name,
                                allowed, hs_yaml_kind_name(vn),
                                vn->type == YAML_SEQUENCE_NODE
                                    ? "; lists of values belong in a sweep's grid:"
                                    : "");
        const yaml_node_t *first = x->seen[k];
        if (first)
            return hs_yaml_fail(x->err, path, kn->start_mark,
                                "duplicate key \"%s\" (first set at line %zu, column %zu)", name,
                                first->start_mark.line + 1, first->start_mark.column + 1);
        x->seen[k] = kn;
        const char *v = hs_yaml_scalar_text(vn);
        if (!v) {
            hs_quote((const char *)vn->data.scalar.value, vn->data.scalar.length, '"', q, sizeof q);
            return hs_yaml_fail(x->err, path, vn->start_mark,
                                "%s: %s holds a NUL character (allowed: %s)", name, q, allowed);
        }
        hs_err e;
        hs_status st = hs_config_set(x->c, name, v, &e);
        return st ? hs_yaml_fail(x->err, path, vn->start_mark, "%s", e.msg) : HS_OK;
    }
    if (!hs_config_is_section(name)) {
        hs_err e;
        hs_config_unknown_key(name, &e);
        return hs_yaml_fail(x->err, path, kn->start_mark, "%s", e.msg);
    }
    if (vn->type == YAML_MAPPING_NODE) return walk_mapping(x, vn, name, depth + 1);
    /* `task:` with nothing after it (every key commented out) is an empty section. */
    if (hs_yaml_is_empty(vn)) return HS_OK;
    if (vn->type == YAML_SCALAR_NODE) {
        hs_quote((const char *)vn->data.scalar.value, vn->data.scalar.length, '"', q, sizeof q);
        return hs_yaml_fail(x->err, path, vn->start_mark,
                            "%s is a section and needs a mapping of %s.* keys, found the value %s",
                            name, name, q);
    }
    return hs_yaml_fail(x->err, path, vn->start_mark,
                        "%s is a section and needs a mapping of %s.* keys, found %s", name, name,
                        hs_yaml_kind_name(vn));
}

/* A key of a YAML mapping: a plain name, not repeated in the mapping, joined to prefix. */
static hs_status yaml_key(walker *x, const yaml_node_t *map, const yaml_node_pair_t *p,
                          const yaml_node_t *kn, const char *prefix, char *name, size_t cap)
{
    const char *path = x->r->path;
    if (kn->type != YAML_SCALAR_NODE)
        return hs_yaml_fail(x->err, path, kn->start_mark, "%s%skeys must be plain names, found %s",
                            prefix, *prefix ? ": " : "", hs_yaml_kind_name(kn));
    /* YAML itself forbids repeated keys in one mapping; libyaml does not check. */
    for (const yaml_node_pair_t *o = map->data.mapping.pairs.start; o < p; o++) {
        const yaml_node_t *ok = yaml_document_get_node(x->doc, o->key);
        if (ok && ok->type == YAML_SCALAR_NODE &&
            ok->data.scalar.length == kn->data.scalar.length &&
            !memcmp(ok->data.scalar.value, kn->data.scalar.value, kn->data.scalar.length)) {
            char full[192], q[HS_QUOTED_MAX];
            snprintf(full, sizeof full, "%s%s%.*s", prefix, *prefix ? "." : "",
                     (int)kn->data.scalar.length, (const char *)kn->data.scalar.value);
            hs_quote(full, strlen(full), '"', q, sizeof q);
            return hs_yaml_fail(x->err, path, kn->start_mark,
                                "duplicate key %s (first set at line %zu, column %zu)", q,
                                ok->start_mark.line + 1, ok->start_mark.column + 1);
        }
    }
    const char *kt = hs_yaml_scalar_text(kn);
    if (!kt) {
        char q[HS_QUOTED_MAX];
        hs_quote((const char *)kn->data.scalar.value, kn->data.scalar.length, '"', q, sizeof q);
        return hs_yaml_fail(x->err, path, kn->start_mark,
                            "unknown key %s (it holds a NUL character)", q);
    }
    int len = snprintf(name, cap, "%s%s%s", prefix, *prefix ? "." : "", kt);
    if (len < 0 || (size_t)len >= cap) {
        /* Longer than any key: certainly unknown; show what fits. */
        hs_err e;
        hs_config_unknown_key(name, &e);
        return hs_yaml_fail(x->err, path, kn->start_mark, "%s", e.msg);
    }
    return HS_OK;
}

/* ---- JSON: a record's "config" ---- */

/* One `"name": value` pair of a record's config. Strict (the store checking a record): sections
 * are objects, every key is known and holds the kind of value hs_config_json writes. Tolerant
 * (the analysis): objects nest, unknown keys and nulls are skipped, any scalar is tried. */
static hs_status json_pair(walker *x, const char *name, const yaml_node_t *vn, int depth)
{
    const bool tolerant = x->r->mode == HS_CONFIG_READ_JSON_TOLERANT;
    const int k = hs_config_key_index(name);
    if (tolerant ? vn->type == YAML_MAPPING_NODE : depth == 0) {
        if (!tolerant && vn->type != YAML_MAPPING_NODE)
            return hs_fail(x->err, HS_EINPUT, "a config section that is not an object");
        return walk_mapping(x, vn, name, depth + 1);
    }
    if (k < 0) {
        if (!tolerant)
            return hs_fail(x->err, HS_EINPUT, "config key %.80s unknown to this hopsweep", name);
        if (x->r->unknown) x->r->unknown(name, x->r->user);
        return HS_OK;
    }
    if (tolerant) {
        if (hs_jl_is_null(vn)) return HS_OK; /* no value: the default stands */
        if (vn->type != YAML_SCALAR_NODE)
            return hs_fail(x->err, HS_EINPUT, "config key %s is not a single value", name);
    } else {
        /* enums are strings, numbers and booleans are not: as hs_config_json writes them */
        bool want_string = hs_config_key_kind((size_t)k) == HS_KEY_ENUM;
        if (vn->type != YAML_SCALAR_NODE || hs_jl_is_null(vn) || hs_jl_is_string(vn) != want_string)
            return hs_fail(x->err, HS_EINPUT, "config key %.80s holds the wrong kind of value",
                           name);
    }
    hs_err e = {0};
    if (hs_config_set(x->c, name, hs_jl_scalar_text(vn), &e))
        return hs_fail(x->err, HS_EINPUT, tolerant ? "%s" : "config: %.200s", e.msg);
    return HS_OK;
}

/* A key of a JSON object, joined to prefix. The bounds are those the record's readers always
 * had: 95 bytes for a whole key in the store's check (a section name alone is not checked), 127
 * at any level for the analysis. */
static hs_status json_key(walker *x, const yaml_node_t *kn, const char *prefix, int depth,
                          char *name, size_t cap)
{
    const bool tolerant = x->r->mode == HS_CONFIG_READ_JSON_TOLERANT;
    const char *kt = hs_jl_scalar_text(kn);
    if (!kt) return hs_fail(x->err, HS_EINPUT, "a config key that is not a string");
    size_t limit = tolerant ? cap : 96;
    int n = snprintf(name, cap, "%s%s%s", prefix, *prefix ? "." : "", kt);
    if (!tolerant && depth == 0) return HS_OK;
    if (n < 0 || (size_t)n >= limit)
        return tolerant
                   ? hs_fail(x->err, HS_EINPUT, "a config key longer than %zu bytes", limit - 1)
                   : hs_fail(x->err, HS_EINPUT, "a config key too long");
    return HS_OK;
}

/* ---- Both ---- */

/* Walks a mapping whose keys extend `prefix` ("" at the top, "model" inside model:). In YAML,
 * recursion only continues while the joined name is a known section, so it is at most a few
 * levels deep even if aliases make the document cyclic; in JSON (a tree) the depth is bounded
 * by the record's nesting and, tolerant, by 4 levels. */
static hs_status walk_mapping(walker *x, const yaml_node_t *map, const char *prefix, int depth)
{
    const bool yaml = x->r->mode == HS_CONFIG_READ_YAML;
    if (!yaml && depth > 4) return hs_fail(x->err, HS_EINPUT, "a config nested too deep");
    for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *kn = yaml_document_get_node(x->doc, p->key);
        const yaml_node_t *vn = yaml_document_get_node(x->doc, p->value);
        if (!kn || !vn)
            return yaml ? hs_yaml_fail(x->err, x->r->path, map->start_mark,
                                       "internal error: dangling YAML node")
                        : hs_fail(x->err, HS_EINPUT, "a config key that is not a string");
        char name[128];
        hs_status st = yaml ? yaml_key(x, map, p, kn, prefix, name, sizeof name)
                            : json_key(x, kn, prefix, depth, name, sizeof name);
        if (!st) st = yaml ? yaml_pair(x, kn, name, vn, depth) : json_pair(x, name, vn, depth);
        if (st) return st;
    }
    return HS_OK;
}

hs_status hs_config_read_node(hs_config *c, yaml_document_t *doc, const yaml_node_t *map,
                              const hs_config_reader *r, hs_err *err)
{
    if (r->mode == HS_CONFIG_READ_YAML) {
        if (hs_yaml_is_empty(map)) /* `base:` with nothing under it: no keys */
            return HS_OK;
        if (map->type != YAML_MAPPING_NODE)
            return hs_yaml_fail(err, r->path, map->start_mark,
                                "expected a mapping of sections (task:, model:, train:, log:, "
                                "emergence:) or dotted keys, found %s",
                                hs_yaml_kind_name(map));
    } else if (!map || map->type != YAML_MAPPING_NODE) {
        return hs_fail(err, HS_EINPUT, "no \"config\" object");
    }
    /* Work on a copy: a mapping that fails halfway leaves *c as it was. */
    hs_config tmp = *c;
    walker x = {.r = r, .doc = doc, .c = &tmp, .err = err};
    hs_status st = walk_mapping(&x, map, "", 0);
    if (st == HS_OK) *c = tmp;
    return st;
}

hs_status hs_config_apply_yaml(hs_config *c, const char *path, yaml_document_t *doc,
                               const yaml_node_t *map, hs_err *err)
{
    const hs_config_reader r = {.mode = HS_CONFIG_READ_YAML, .path = path};
    return hs_config_read_node(c, doc, map, &r, err);
}

/* ---------------------------------------------------------------------------------------------
 * YAML job files */

/* Applies the keys of a job file's one document to c. */
static hs_status apply_document(hs_config *c, const char *path, yaml_document_t *doc, hs_err *err)
{
    const yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!root) /* empty file or only comments: no keys */
        return HS_OK;
    if (root->type == YAML_MAPPING_NODE || hs_yaml_is_empty(root)) /* a bare "---": no keys */
        return hs_config_apply_yaml(c, path, doc, root, err);
    return hs_yaml_fail(err, path, root->start_mark,
                        "a job file must be a mapping of sections (task:, model:, train:, log:, "
                        "emergence:) or dotted keys, found %s at the top",
                        hs_yaml_kind_name(root));
}

hs_status hs_config_load_yaml(hs_config *c, const char *path, hs_err *err)
{
    hs_yaml_file f;
    hs_status st = hs_yaml_open(&f, path, "job file", err);
    if (st) return st;
    hs_config tmp = *c;
    st = apply_document(&tmp, path, &f.doc, err);
    if (st == HS_OK) st = hs_yaml_check_single(&f, err);
    hs_yaml_close(&f);
    if (st == HS_OK) *c = tmp;
    return st;
}
