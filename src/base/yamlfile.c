/* yamlfile.c — reading one YAML document from a file and turning libyaml's errors and the
 * readers' own into one-line "path:line:column: ..." messages (see yamlfile.h). */
#include "hopsweep/yamlfile.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/fileio.h"

enum { FILE_LIMIT = 16 << 20 }; /* a job or sweep file is a few hundred bytes; stops /dev/zero */

hs_status hs_yaml_fail(hs_err *err, const char *path, yaml_mark_t m, const char *fmt, ...)
{
    char inner[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(inner, sizeof inner, fmt, ap);
    va_end(ap);
    return hs_fail(err, HS_EINPUT, "%s:%zu:%zu: %s", path, m.line + 1, m.column + 1, inner);
}

const char *hs_yaml_kind_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_MAPPING_NODE: return "a mapping";
    case YAML_SEQUENCE_NODE: return "a list";
    default: return "a value";
    }
}

const char *hs_yaml_scalar_text(const yaml_node_t *n)
{
    const char *s = (const char *)n->data.scalar.value;
    return strlen(s) == n->data.scalar.length ? s : NULL;
}

bool hs_yaml_is_empty(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.length == 0 &&
           n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

void hs_quote(const char *s, size_t len, char delim, char *out, size_t n)
{
    size_t o = 0;
    const size_t shown = len > 48 ? 45 : len;
    out[o++] = delim;
    for (size_t i = 0; i < shown && o + 6 < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == (unsigned char)delim || ch == '\\') {
            out[o++] = '\\';
            out[o++] = (char)ch;
        } else if (ch < 0x20 || ch == 0x7f) {
            o += (size_t)snprintf(out + o, n - o, "\\x%02x", ch);
        } else {
            out[o++] = (char)ch;
        }
    }
    if (shown < len && o + 5 < n) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o++] = delim;
    out[o] = '\0';
}

size_t hs_edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
    if (la > 63 || lb > 63) return SIZE_MAX;
    size_t two[64], one[64], cur[64]; /* rows i-2, i-1 and i of the distance matrix */
    for (size_t j = 0; j <= lb; j++) one[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t best = one[j - 1] + (a[i - 1] != b[j - 1]);
            if (one[j] + 1 < best) best = one[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                two[j - 2] + 1 < best)
                best = two[j - 2] + 1;
            cur[j] = best;
        }
        memcpy(two, one, (lb + 1) * sizeof one[0]);
        memcpy(one, cur, (lb + 1) * sizeof one[0]);
    }
    return one[lb];
}

/* libyaml's own error, with the 1-based position of the problem. */
static hs_status parser_error(const hs_yaml_file *f, hs_err *err)
{
    const yaml_parser_t *p = &f->parser;
    if (p->error == YAML_MEMORY_ERROR)
        return hs_fail(err, HS_ENOMEM, "%s: out of memory parsing YAML", f->path);
    const char *problem = p->problem ? p->problem : "unknown error";
    if (p->error == YAML_READER_ERROR) {
        /* libyaml gives reader errors (bad UTF-8) as a byte offset only. */
        size_t line = 1, col = 1;
        for (size_t i = 0; i < p->problem_offset && i < f->size; i++, col++)
            if (f->data[i] == '\n') {
                line++;
                col = 0;
            }
        char val[32] = "";
        if (p->problem_value >= 0)
            snprintf(val, sizeof val, " (byte 0x%02x)", (unsigned)p->problem_value & 0xffu);
        return hs_fail(err, HS_EINPUT, "%s:%zu:%zu: not valid YAML text: %s%s; %ss must be UTF-8",
                       f->path, line, col, problem, val, f->what);
    }
    /* A tab where indentation is expected is the classic hand-written YAML mistake, and
     * libyaml's own words for it ("cannot start any token") do not say so. */
    const char *hint = p->problem_mark.index < f->size && f->data[p->problem_mark.index] == '\t'
                           ? "; YAML indents with spaces, not tabs"
                           : "";
    if (p->context)
        return hs_fail(err, HS_EINPUT,
                       "%s:%zu:%zu: malformed YAML: %s (%s at line %zu, column %zu)%s", f->path,
                       p->problem_mark.line + 1, p->problem_mark.column + 1, problem, p->context,
                       p->context_mark.line + 1, p->context_mark.column + 1, hint);
    return hs_fail(err, HS_EINPUT, "%s:%zu:%zu: malformed YAML: %s%s", f->path,
                   p->problem_mark.line + 1, p->problem_mark.column + 1, problem, hint);
}

/* ---- bounded work: nesting depth and alias amplification, checked on libyaml's events before
 * the document is built, so that neither a deep nest nor a billion laughs is ever expanded ---- */

/* Anchors seen so far: name -> the weight of the node it names (open addressing). */
typedef struct anchors {
    char **name;
    uint64_t *weight;
    size_t cap, n; /* cap a power of two, kept at least twice n */
} anchors;

static uint64_t name_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

static size_t anchors_slot(const anchors *a, const char *name)
{
    size_t i = (size_t)name_hash(name) & (a->cap - 1);
    while (a->name[i] && strcmp(a->name[i], name)) i = (i + 1) & (a->cap - 1);
    return i;
}

static bool anchors_put(anchors *a, const char *name, uint64_t w)
{
    if (2 * (a->n + 1) > a->cap) {
        anchors b = {.cap = a->cap ? 2 * a->cap : 64, .n = a->n};
        b.name = calloc(b.cap, sizeof *b.name);
        b.weight = calloc(b.cap, sizeof *b.weight);
        if (!b.name || !b.weight) {
            free(b.name);
            free(b.weight);
            return false;
        }
        for (size_t i = 0; i < a->cap; i++)
            if (a->name[i]) {
                size_t j = anchors_slot(&b, a->name[i]);
                b.name[j] = a->name[i];
                b.weight[j] = a->weight[i];
            }
        free(a->name);
        free(a->weight);
        *a = b;
    }
    size_t i = anchors_slot(a, name);
    if (!a->name[i]) { /* a redefined anchor names its latest node, as in YAML */
        if (!(a->name[i] = strdup(name))) return false;
        a->n++;
    }
    a->weight[i] = w;
    return true;
}

static void anchors_free(anchors *a)
{
    for (size_t i = 0; i < a->cap; i++) free(a->name[i]);
    free(a->name);
    free(a->weight);
}

/* The weight of a document is what reading it costs with every alias expanded: each scalar its
 * length plus one, each collection one. Without aliases it is about the file's size. */
static hs_status check_bounds(const hs_yaml_file *f, hs_err *err)
{
    const uint64_t limit = (uint64_t)HS_YAML_MAX_AMPLIFICATION * f->size + 4096;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return hs_fail(err, HS_ENOMEM, "%s: out of memory starting the YAML parser", f->path);
    yaml_parser_set_input_string(&p, (const unsigned char *)f->data, f->size);
    struct {
        const char *anchor;
        uint64_t start;
    } stack[HS_YAML_MAX_DEPTH];
    char *open_anchor[HS_YAML_MAX_DEPTH];
    int depth = 0;
    uint64_t total = 0;
    anchors a = {0};
    hs_status st = HS_OK;
    for (bool done = false; !done && !st;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) break; /* the load that follows reports it */
        const char *anchor = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = true; break;
        case YAML_SCALAR_EVENT:
            total += ev.data.scalar.length + 1;
            anchor = (const char *)ev.data.scalar.anchor;
            if (anchor && !anchors_put(&a, anchor, ev.data.scalar.length + 1)) st = HS_ENOMEM;
            break;
        case YAML_ALIAS_EVENT: {
            const char *name = (const char *)ev.data.alias.anchor;
            size_t i = a.cap ? anchors_slot(&a, name) : 0;
            total += a.cap && a.name[i] ? a.weight[i] : 1; /* unknown: the load refuses it */
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            anchor =
                (const char *)(ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
                                                                    : ev.data.mapping_start.anchor);
            if (depth == HS_YAML_MAX_DEPTH) {
                st = hs_yaml_fail(
                    err, f->path, ev.start_mark,
                    "lists and mappings nested more than %d deep; a %s needs a few levels",
                    HS_YAML_MAX_DEPTH, f->what);
                break;
            }
            open_anchor[depth] = anchor ? strdup(anchor) : NULL;
            if (anchor && !open_anchor[depth]) st = HS_ENOMEM;
            stack[depth].anchor = open_anchor[depth];
            stack[depth++].start = total++;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0) {
                depth--;
                if (stack[depth].anchor &&
                    !anchors_put(&a, stack[depth].anchor, total - stack[depth].start))
                    st = HS_ENOMEM;
                free(open_anchor[depth]);
            }
            break;
        default: break;
        }
        if (!st && total > limit)
            st = hs_yaml_fail(err, f->path, ev.start_mark,
                              "aliases expand this %s to more than %d times its size; write the "
                              "values out, or alias less",
                              f->what, HS_YAML_MAX_AMPLIFICATION);
        yaml_event_delete(&ev);
    }
    while (depth > 0) free(open_anchor[--depth]);
    anchors_free(&a);
    yaml_parser_delete(&p);
    if (st == HS_ENOMEM) return hs_fail(err, HS_ENOMEM, "%s: out of memory parsing YAML", f->path);
    return st;
}

hs_status hs_yaml_open(hs_yaml_file *f, const char *path, const char *what, hs_err *err)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    f->what = what;
    char *data;
    size_t size;
    hs_status st = hs_read_file(path, FILE_LIMIT, &data, &size, err);
    if (st == HS_EINPUT) /* the only HS_EINPUT of hs_read_file: too large */
        return hs_fail(err, HS_EINPUT, "%s: larger than %d MiB; not a %s", path, FILE_LIMIT >> 20,
                       what);
    if (st) return st;
    return hs_yaml_open_text(f, data, size, path, what, err);
}

hs_status hs_yaml_open_text(hs_yaml_file *f, char *data, size_t size, const char *path,
                            const char *what, hs_err *err)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    f->what = what;
    f->data = data;
    f->size = size;
    hs_status st;
    if (size > FILE_LIMIT) {
        free(data);
        memset(f, 0, sizeof *f);
        return hs_fail(err, HS_EINPUT, "%s: larger than %d MiB; not a %s", path, FILE_LIMIT >> 20,
                       what);
    }
    if (!yaml_parser_initialize(&f->parser)) {
        free(f->data);
        memset(f, 0, sizeof *f);
        return hs_fail(err, HS_ENOMEM, "%s: out of memory starting the YAML parser", path);
    }
    yaml_parser_set_input_string(&f->parser, (const unsigned char *)f->data, f->size);
    if ((st = check_bounds(f, err))) {
        yaml_parser_delete(&f->parser);
        free(f->data);
        memset(f, 0, sizeof *f);
        return st;
    }
    if (!yaml_parser_load(&f->parser, &f->doc)) { /* libyaml frees doc itself on failure */
        st = parser_error(f, err);
        yaml_parser_delete(&f->parser);
        free(f->data);
        memset(f, 0, sizeof *f);
        return st;
    }
    f->loaded = true;
    return HS_OK;
}

hs_status hs_yaml_check_single(hs_yaml_file *f, hs_err *err)
{
    if (f->loaded) {
        yaml_document_delete(&f->doc);
        f->loaded = false;
    }
    yaml_document_t doc;
    if (!yaml_parser_load(&f->parser, &doc)) return parser_error(f, err);
    const yaml_node_t *again = yaml_document_get_root_node(&doc);
    hs_status st = HS_OK;
    if (again)
        st = hs_yaml_fail(err, f->path, again->start_mark,
                          "a %s holds one YAML document; found a second one", f->what);
    yaml_document_delete(&doc);
    return st;
}

void hs_yaml_close(hs_yaml_file *f)
{
    if (!f->data) /* never opened, or the open failed */
        return;
    if (f->loaded) yaml_document_delete(&f->doc);
    yaml_parser_delete(&f->parser);
    free(f->data);
    memset(f, 0, sizeof *f);
}
