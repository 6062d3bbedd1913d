/* sweep.c — a sweep file (DESIGN §3) expanded into its jobs: the file's name:, output:, base:,
 * grid: and exclude:, then the command-line overrides, then the cartesian product in grid order
 * with excluded points dropped and every job validated; and the sweep as run written back as
 * YAML (hs_sweep.yaml) that loads into the same jobs.
 *
 * Values are compared by their canonical text (hs_config_format), never as written, so 1e-3 and
 * 0.001 are the same grid value and match the same exclude entry. base: is read by config.c's
 * own job-file walker (hs_config_apply_yaml), so it accepts exactly what a job file does. */
#include "hopsweep/sweep.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "hopsweep/yamlfile.h"

#define MAX_JOBS 1000000 /* more is surely a slip in a list (and some 0.2 GB of configs) */
#define VALUE_MAX 64     /* canonical text of any value fits (hs_config_id assumes the same) */

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
    char *const *overrides;
    origin **from; /* from[a][v]: where value v of axis a came from */
    int n_entries;
    entry *entries;
    origin exclude_at; /* the exclude: key */
    origin base_at;    /* the base: key; line 0 when the file has none */
    hs_err *err;
} loader;

static const char *const top_keys[] = {"name", "output", "base", "grid", "exclude"};
enum { T_NAME, T_OUTPUT, T_BASE, T_GRID, T_EXCLUDE, N_TOP };
#define TOP_KEYS_TEXT "name:, output:, base:, grid: and exclude:"

/* ---------------------------------------------------------------------------------------------
 * Messages */

static origin at_mark(yaml_mark_t m) { return (origin){0, m.line + 1, m.column + 1}; }

/* Fails with HS_EINPUT and where o points in front: "path:line:column: ", "command line
 * argument N (`text`): ", or the bare path (or "command line") when there is no position. */
static hs_status fail_at(const loader *L, origin o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static hs_status fail_at(const loader *L, origin o, const char *fmt, ...)
{
    char inner[sizeof L->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(inner, sizeof inner, fmt, ap);
    va_end(ap);
    if (o.arg) {
        const char *t = L->overrides[o.arg - 1];
        char q[HS_QUOTED_MAX];
        hs_quote(t, strlen(t), '`', q, sizeof q);
        return hs_fail(L->err, HS_EINPUT, "command line argument %d (%s): %s", o.arg, q, inner);
    }
    if (o.line)
        return hs_fail(L->err, HS_EINPUT, "%s:%zu:%zu: %s", L->path, o.line, o.col, inner);
    return hs_fail(L->err, HS_EINPUT, "%s: %s", L->path ? L->path : "command line", inner);
}

static hs_status out_of_memory(const loader *L)
{
    return hs_fail(L->err, HS_ENOMEM, "%s: out of memory loading the sweep",
                   L->path ? L->path : "command line");
}

/* A scalar node's text quoted for a message. */
static void quote_node(const yaml_node_t *n, char q[HS_QUOTED_MAX])
{
    hs_quote((const char *)n->data.scalar.value, n->data.scalar.length, '"', q, HS_QUOTED_MAX);
}

/* True when name is a section of job keys ("model" for model.layers). */
static bool is_section(const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < hs_config_key_count(); i++) {
        const char *k = hs_config_key_name(i);
        if (!strncmp(k, name, len) && k[len] == '.')
            return true;
    }
    return false;
}

/* Index of job key `name` (written in grid:, exclude: or on the command line). An unknown name
 * gets config.c's own message (the closest key, or a section's keys), after `where`. */
static hs_status job_key(const loader *L, origin o, const char *where, const char *name, int *key)
{
    int k = hs_config_key_index(name);
    if (k >= 0) {
        *key = k;
        return HS_OK;
    }
    hs_config scratch;
    hs_config_default(&scratch);
    hs_err e;
    hs_config_set(&scratch, name, "", &e); /* fails: names the key and what was meant */
    /* Sections nest only in base:; elsewhere keys are written whole. */
    if (*where && is_section(name))
        return fail_at(L, o, "%s%s; write the keys dotted here (%s.<key>)", where, e.msg, name);
    return fail_at(L, o, "%s%s", where, e.msg);
}

/* The canonical text of `text` as a value of key, or config.c's message for a bad value. */
static hs_status canonical(int key, const char *text, char out[VALUE_MAX], hs_err *e)
{
    hs_config scratch;
    hs_config_default(&scratch);
    hs_status st = hs_config_set(&scratch, hs_config_key_name((size_t)key), text, e);
    if (st == HS_OK)
        hs_config_format(&scratch, (size_t)key, out, VALUE_MAX);
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * Value lists and axes */

static size_t text_hash(const char *t)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (; *t; t++) h = (h ^ (unsigned char)*t) * 0x100000001b3ull;
    return (size_t)h;
}

/* The slot of text in x: where it is, or the empty slot where it would go. */
static size_t strindex_slot(const strindex *x, char *const *v, const char *t)
{
    size_t i = text_hash(t) & (x->cap - 1);
    while (x->slot[i] && strcmp(v[x->slot[i] - 1], t)) i = (i + 1) & (x->cap - 1);
    return i;
}

/* Index of text in v (indexed by x), -1 if none. */
static int strindex_find(const strindex *x, char *const *v, const char *t)
{
    if (!x->cap) return -1;
    size_t i = strindex_slot(x, v, t);
    return x->slot[i] ? x->slot[i] - 1 : -1;
}

/* Indexes v[0..n) afresh with room for `room` values (a later value repeating an earlier one
 * keeps the earlier's index). */
static bool strindex_build(strindex *x, char *const *v, int n, size_t room)
{
    size_t cap = 16;
    while (cap < 2 * room) cap *= 2;
    int *slot = calloc(cap, sizeof *slot);
    if (!slot) return false;
    free(x->slot);
    *x = (strindex){.slot = slot, .cap = cap};
    for (int i = 0; i < n; i++) {
        size_t k = strindex_slot(x, v, v[i]);
        if (!x->slot[k]) x->slot[k] = i + 1;
    }
    return true;
}

static void strindex_free(strindex *x)
{
    free(x->slot);
    memset(x, 0, sizeof *x);
}

static void free_values(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void vlist_free(vlist *l)
{
    free_values(l->v, l->n);
    free(l->at);
    strindex_free(&l->ix);
    memset(l, 0, sizeof *l);
}

static bool vlist_add(vlist *l, const char *text, origin at)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 8;
        char **v = realloc(l->v, (size_t)cap * sizeof *v);
        if (!v)
            return false;
        l->v = v;
        origin *o = realloc(l->at, (size_t)cap * sizeof *o);
        if (!o)
            return false;
        l->at = o;
        l->cap = cap;
    }
    char *copy = strdup(text);
    if (!copy)
        return false;
    l->v[l->n] = copy;
    l->at[l->n++] = at;
    if (2 * (size_t)l->n > l->ix.cap) /* grow: index everything again, amortised O(1) */
        return strindex_build(&l->ix, l->v, l->n, 2 * (size_t)l->n);
    size_t k = strindex_slot(&l->ix, l->v, copy);
    if (!l->ix.slot[k]) l->ix.slot[k] = l->n;
    return true;
}

/* Index in l of the value whose canonical text is v, -1 if none. */
static int vlist_find(const vlist *l, const char *v)
{
    return strindex_find(&l->ix, l->v, v);
}

static int axis_find(const hs_sweep *s, int key)
{
    for (int a = 0; a < s->n_axes; a++)
        if (s->axes[a].key == key)
            return a;
    return -1;
}

/* Makes l the axis of key at position `at` (replacing the axis there, or appended when at is
 * n_axes). l's arrays move into the sweep; l is left empty either way. */
static hs_status axis_put(loader *L, int at, int key, vlist *l)
{
    hs_sweep *s = L->s;
    if (at < s->n_axes) {
        free_values(s->axes[at].values, s->axes[at].n);
        free(L->from[at]);
    } else {
        hs_sweep_axis *axes = realloc(s->axes, (size_t)(s->n_axes + 1) * sizeof *axes);
        if (axes)
            s->axes = axes;
        origin **from = axes ? realloc(L->from, (size_t)(s->n_axes + 1) * sizeof *from) : NULL;
        if (!from) {
            vlist_free(l);
            return out_of_memory(L);
        }
        L->from = from;
        s->n_axes++;
    }
    s->axes[at] = (hs_sweep_axis){.key = key, .n = l->n, .values = l->v};
    L->from[at] = l->at;
    strindex_free(&l->ix);
    memset(l, 0, sizeof *l);
    return HS_OK;
}

static void axis_remove(loader *L, int a)
{
    hs_sweep *s = L->s;
    free_values(s->axes[a].values, s->axes[a].n);
    free(L->from[a]);
    memmove(s->axes + a, s->axes + a + 1, (size_t)(s->n_axes - a - 1) * sizeof *s->axes);
    memmove(L->from + a, L->from + a + 1, (size_t)(s->n_axes - a - 1) * sizeof *L->from);
    s->n_axes--;
}

static void free_loader(loader *L)
{
    for (int a = 0; a < L->s->n_axes && L->from; a++)
        free(L->from[a]);
    free(L->from);
    for (int i = 0; i < L->n_entries; i++) {
        for (int j = 0; j < L->entries[i].n; j++)
            free_values(L->entries[i].m[j].values, L->entries[i].m[j].n);
        free(L->entries[i].m);
    }
    free(L->entries);
}

/* ---------------------------------------------------------------------------------------------
 * The file */

/* The key text of a mapping pair, after the checks every mapping of the file shares: the key is
 * a plain name without NUL bytes and not a repeat of an earlier key of the same mapping.
 * `where` ("", "grid: ", ...) starts the message. */
static hs_status pair_key(const loader *L, yaml_document_t *doc, const yaml_node_t *map,
                          const yaml_node_pair_t *p, const char *where, const char **text)
{
    const yaml_node_t *kn = yaml_document_get_node(doc, p->key);
    if (kn->type != YAML_SCALAR_NODE)
        return fail_at(L, at_mark(kn->start_mark), "%skeys must be plain names, found %s", where,
                       hs_yaml_kind_name(kn));
    char q[HS_QUOTED_MAX];
    quote_node(kn, q);
    const char *t = hs_yaml_scalar_text(kn);
    if (!t)
        return fail_at(L, at_mark(kn->start_mark), "%sunknown key %s (it holds a NUL character)",
                       where, q);
    /* YAML forbids repeated keys in one mapping; libyaml does not check. */
    for (const yaml_node_pair_t *o = map->data.mapping.pairs.start; o < p; o++) {
        const yaml_node_t *ok = yaml_document_get_node(doc, o->key);
        if (ok->type == YAML_SCALAR_NODE && ok->data.scalar.length == kn->data.scalar.length &&
            !memcmp(ok->data.scalar.value, kn->data.scalar.value, kn->data.scalar.length))
            return fail_at(L, at_mark(kn->start_mark),
                           "%sduplicate key %s (first set at line %zu, column %zu)", where, q,
                           ok->start_mark.line + 1, ok->start_mark.column + 1);
    }
    *text = t;
    return HS_OK;
}

/* A top-level key that is not one of the sweep's own. */
static hs_status unknown_top(const loader *L, const yaml_node_t *kn, const char *t)
{
    char q[HS_QUOTED_MAX];
    quote_node(kn, q);
    origin o = at_mark(kn->start_mark);
    if (hs_config_key_index(t) >= 0 || is_section(t))
        return fail_at(L, o,
                       "%s is not a sweep key; job keys go under base: (one value for every job) "
                       "or grid: (a list of values); a sweep file has " TOP_KEYS_TEXT,
                       q);
    size_t len = strlen(t), best_d = SIZE_MAX;
    const char *best = NULL;
    for (int i = 0; i < N_TOP; i++) {
        size_t d = hs_edit_distance(t, len, top_keys[i], strlen(top_keys[i]));
        if (d < best_d) {
            best_d = d;
            best = top_keys[i];
        }
    }
    /* One edit per four characters or so, as config.c suggests keys. */
    size_t limit = (len + 2) / 4 > 1 ? (len + 2) / 4 : 1;
    if (best && best_d <= limit)
        return fail_at(L, o, "unknown key %s (did you mean %s?); a sweep file has " TOP_KEYS_TEXT,
                       q, best);
    return fail_at(L, o, "unknown key %s; a sweep file has " TOP_KEYS_TEXT, q);
}

static bool valid_utf8(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int more = *p < 0x80             ? 0
                   : (*p & 0xe0) == 0xc0 ? 1
                   : (*p & 0xf0) == 0xe0 ? 2
                   : (*p & 0xf8) == 0xf0 ? 3
                                         : -1;
        if (more < 0 || *p == 0xc0 || *p == 0xc1 || *p > 0xf4)
            return false;
        for (int i = 1; i <= more; i++) /* a NUL ends the string and fails this test */
            if ((p[i] & 0xc0) != 0x80)
                return false;
        p += more + 1;
    }
    return true;
}

/* Why text cannot be a sweep's name (or, with is_name false, its output directory); NULL if it
 * can. The name goes into every job record and, by default, into the store's path. */
static const char *bad_string(const char *text, bool is_name)
{
    if (!*text)
        return "it is empty";
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return "it holds a control character";
        if (is_name && *p == '/')
            return "it holds a '/'";
    }
    if (is_name && (!strcmp(text, ".") || !strcmp(text, "..")))
        return "it is a directory name";
    if (!valid_utf8(text))
        return "it is not UTF-8 text";
    return NULL;
}

/* name: or output: (key names which), a string. */
static hs_status read_string(loader *L, int which, const yaml_node_t *vn, char **out)
{
    const char *key = top_keys[which];
    origin o = at_mark(vn->start_mark);
    if (vn->type != YAML_SCALAR_NODE)
        return fail_at(L, o, "%s: expected a string, found %s", key, hs_yaml_kind_name(vn));
    char q[HS_QUOTED_MAX];
    quote_node(vn, q);
    const char *t = hs_yaml_scalar_text(vn);
    const char *why = t ? bad_string(t, which == T_NAME) : "it holds a NUL character";
    if (why)
        return fail_at(L, o, "%s: %s cannot be the sweep's %s: %s%s", key, q,
                       which == T_NAME ? "name" : "output directory", why,
                       t && !*t ? "; remove the key for the default" : "");
    *out = strdup(t);
    return *out ? HS_OK : out_of_memory(L);
}

/* Adds one value node of key to l as canonical text, refusing a repeat of a value already in
 * l. where: "grid: " or "exclude: ". */
static hs_status add_value(loader *L, const char *where, int key, const yaml_node_t *item, vlist *l)
{
    const char *name = hs_config_key_name((size_t)key);
    origin o = at_mark(item->start_mark);
    if (item->type != YAML_SCALAR_NODE)
        return fail_at(L, o, "%s%s: each list item must be one value, found %s", where, name,
                       hs_yaml_kind_name(item));
    char q[HS_QUOTED_MAX], v[VALUE_MAX];
    const char *t = hs_yaml_scalar_text(item);
    if (!t) {
        quote_node(item, q);
        return fail_at(L, o, "%s%s: %s holds a NUL character (allowed: %s)", where, name, q,
                       hs_config_key_allowed((size_t)key));
    }
    hs_err e;
    if (canonical(key, t, v, &e))
        return fail_at(L, o, "%s%s", where, e.msg);
    int dup = vlist_find(l, v);
    if (dup >= 0 && (quote_node(item, q), true))
        return fail_at(L, o,
                       "%s%s: value %s repeats the one at line %zu, column %zu (both are %s); "
                       "list each value once",
                       where, name, q, l->at[dup].line, l->at[dup].col, v);
    return vlist_add(l, v, o) ? HS_OK : out_of_memory(L);
}

/* Reads the values of a grid axis (a list) or of an exclude key (a list, or with `one` also a
 * single value) into l as canonical text. where: "grid: " or "exclude: ". */
static hs_status read_values(loader *L, yaml_document_t *doc, const char *where, int key,
                             const yaml_node_t *vn, bool one, vlist *l)
{
    const char *name = hs_config_key_name((size_t)key);
    const char *allowed = hs_config_key_allowed((size_t)key);
    origin o = at_mark(vn->start_mark);
    if (hs_yaml_is_empty(vn))
        return fail_at(L, o, "%s%s: no value%s (allowed: %s)", where, name,
                       one ? "; give a value or a list of values" : "s; give a list such as [a, b]",
                       allowed);
    if (vn->type == YAML_SCALAR_NODE) {
        if (one)
            return add_value(L, where, key, vn, l);
        /* The usual slip: `model.layers: 3` in grid:. Show the fix with the value itself. */
        char q[HS_QUOTED_MAX];
        quote_node(vn, q);
        return fail_at(L, o, "%s%s: expected a list of values, found the value %s; write [%.*s]",
                       where, name, q, (int)(strlen(q) - 2), q + 1);
    }
    if (vn->type == YAML_MAPPING_NODE)
        return fail_at(L, o, "%s%s: expected %s, found a mapping", where, name,
                       one ? "a value or a list of values" : "a list of values");
    const yaml_node_item_t *it = vn->data.sequence.items.start;
    if (it == vn->data.sequence.items.top)
        return fail_at(L, o, "%s%s: empty list; give at least one value (allowed: %s)", where, name,
                       allowed);
    for (; it < vn->data.sequence.items.top; it++) {
        hs_status st = add_value(L, where, key, yaml_document_get_node(doc, *it), l);
        if (st)
            return st;
    }
    return HS_OK;
}

static hs_status read_grid(loader *L, yaml_document_t *doc, const yaml_node_t *kn,
                           const yaml_node_t *vn)
{
    if (hs_yaml_is_empty(vn) || (vn->type == YAML_MAPPING_NODE &&
                                 vn->data.mapping.pairs.start == vn->data.mapping.pairs.top))
        return fail_at(L, at_mark(kn->start_mark),
                       "grid: is empty; list the keys to vary under it, indented (e.g. "
                       "\"  model.layers: [1, 2]\"), or remove grid: for a single job");
    if (vn->type != YAML_MAPPING_NODE)
        return fail_at(L, at_mark(vn->start_mark),
                       "grid: expected a mapping of job keys to lists of values (model.layers: "
                       "[1, 2]), found %s",
                       hs_yaml_kind_name(vn));
    for (const yaml_node_pair_t *p = vn->data.mapping.pairs.start; p < vn->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *pk = yaml_document_get_node(doc, p->key);
        const char *name;
        int key = -1;
        hs_status st = pair_key(L, doc, vn, p, "grid: ", &name);
        if (!st)
            st = job_key(L, at_mark(pk->start_mark), "grid: ", name, &key);
        vlist l = {0};
        if (!st)
            st = read_values(L, doc, "grid: ", key, yaml_document_get_node(doc, p->value), false,
                             &l);
        if (!st)
            st = axis_put(L, L->s->n_axes, key, &l);
        vlist_free(&l);
        if (st)
            return st;
    }
    return HS_OK;
}

static hs_status read_exclude(loader *L, yaml_document_t *doc, const yaml_node_t *kn,
                              const yaml_node_t *vn)
{
    L->exclude_at = at_mark(kn->start_mark);
    if (hs_yaml_is_empty(vn)) /* every entry commented out */
        return HS_OK;
    if (vn->type != YAML_SEQUENCE_NODE)
        return fail_at(L, at_mark(vn->start_mark),
                       "exclude: expected a list of entries such as "
                       "\"- {model.layers: 1, task.hops: [4, 5]}\", found %s",
                       hs_yaml_kind_name(vn));
    size_t n = (size_t)(vn->data.sequence.items.top - vn->data.sequence.items.start);
    L->entries = calloc(n ? n : 1, sizeof *L->entries);
    if (!L->entries)
        return out_of_memory(L);
    for (const yaml_node_item_t *it = vn->data.sequence.items.start;
         it < vn->data.sequence.items.top; it++) {
        const yaml_node_t *en = yaml_document_get_node(doc, *it);
        origin eo = at_mark(en->start_mark);
        if (en->type != YAML_MAPPING_NODE)
            return fail_at(L, eo,
                           "exclude: each entry must be a mapping of job keys to values, such as "
                           "\"- {model.layers: 1}\", found %s",
                           hs_yaml_kind_name(en));
        size_t np = (size_t)(en->data.mapping.pairs.top - en->data.mapping.pairs.start);
        if (!np)
            return fail_at(L, eo,
                           "exclude: an empty entry {} would drop every job; list the keys and "
                           "values to match");
        entry *e = &L->entries[L->n_entries];
        e->m = calloc(np, sizeof *e->m);
        if (!e->m)
            return out_of_memory(L);
        L->n_entries++;
        for (const yaml_node_pair_t *p = en->data.mapping.pairs.start;
             p < en->data.mapping.pairs.top; p++) {
            const yaml_node_t *pk = yaml_document_get_node(doc, p->key);
            const char *name;
            int key = -1;
            hs_status st = pair_key(L, doc, en, p, "exclude: ", &name);
            if (!st)
                st = job_key(L, at_mark(pk->start_mark), "exclude: ", name, &key);
            vlist l = {0};
            if (!st)
                st = read_values(L, doc, "exclude: ", key, yaml_document_get_node(doc, p->value),
                                 true, &l);
            if (!st) {
                e->m[e->n++] = (match){.key = key, .n = l.n, .values = l.v};
                free(l.at);
                strindex_free(&l.ix);
                memset(&l, 0, sizeof l);
            }
            vlist_free(&l);
            if (st)
                return st;
        }
    }
    return HS_OK;
}

static hs_status read_document(loader *L, yaml_document_t *doc)
{
    const yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!root || hs_yaml_is_empty(root))
        return hs_fail(L->err, HS_EINPUT,
                       "%s: empty sweep file; a sweep file is a mapping with grid: (the keys to "
                       "vary) and optionally name:, output:, base: and exclude:",
                       L->path);
    if (root->type != YAML_MAPPING_NODE)
        return fail_at(L, at_mark(root->start_mark),
                       "a sweep file must be a mapping of " TOP_KEYS_TEXT ", found %s at the top",
                       hs_yaml_kind_name(root));
    const yaml_node_t *kn[N_TOP] = {0}, *vn[N_TOP] = {0};
    for (const yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top; p++) {
        const char *name;
        hs_status st = pair_key(L, doc, root, p, "", &name);
        if (st)
            return st;
        const yaml_node_t *k = yaml_document_get_node(doc, p->key);
        int t = 0;
        while (t < N_TOP && strcmp(name, top_keys[t]))
            t++;
        if (t == N_TOP)
            return unknown_top(L, k, name);
        kn[t] = k;
        vn[t] = yaml_document_get_node(doc, p->value);
    }
    /* A fixed order whatever the file's: base: before grid: and exclude: read against it. */
    hs_status st = HS_OK;
    if (vn[T_NAME])
        st = read_string(L, T_NAME, vn[T_NAME], &L->s->name);
    if (!st && vn[T_OUTPUT])
        st = read_string(L, T_OUTPUT, vn[T_OUTPUT], &L->s->output);
    if (!st && vn[T_BASE]) {
        L->base_at = at_mark(kn[T_BASE]->start_mark);
        if (vn[T_BASE]->type != YAML_MAPPING_NODE && !hs_yaml_is_empty(vn[T_BASE]))
            return fail_at(L, at_mark(vn[T_BASE]->start_mark),
                           "base: expected a mapping of job keys (sections such as "
                           "\"train: {steps: 100}\", or dotted keys), found %s",
                           hs_yaml_kind_name(vn[T_BASE]));
        st = hs_config_apply_yaml(&L->s->base, L->path, doc, vn[T_BASE], L->err);
    }
    if (!st && vn[T_GRID])
        st = read_grid(L, doc, kn[T_GRID], vn[T_GRID]);
    if (!st && vn[T_EXCLUDE])
        st = read_exclude(L, doc, kn[T_EXCLUDE], vn[T_EXCLUDE]);
    return st;
}

static hs_status load_file(loader *L)
{
    hs_yaml_file f;
    hs_status st = hs_yaml_open(&f, L->path, "sweep file", L->err);
    if (st)
        return st;
    st = read_document(L, &f.doc);
    if (!st) /* everything needed was copied out of the document by now */
        st = hs_yaml_check_single(&f, L->err);
    hs_yaml_close(&f);
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * Command-line overrides */

static hs_status apply_override(loader *L, int argi)
{
    const char *arg = L->overrides[argi - 1];
    origin o = {.arg = argi};
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return fail_at(L, o,
                       "%s; write key=value (one value for every job) or key=v1,v2,... (a grid "
                       "axis), e.g. model.layers=1,2",
                       eq ? "empty key before '='" : "missing '='");
    char name[128];
    size_t klen = (size_t)(eq - arg);
    if (klen >= sizeof name) /* longer than any key: reported as unknown, cut for the message */
        klen = sizeof name - 1;
    memcpy(name, arg, klen);
    name[klen] = '\0';
    int key = -1;
    hs_status st = job_key(L, o, "", name, &key);
    if (st)
        return st;
    const char *value = eq + 1;
    hs_err e;
    int a = axis_find(L->s, key);
    if (!strchr(value, ',')) { /* one value: set for every job, no longer an axis */
        if (hs_config_set(&L->s->base, name, value, &e))
            return fail_at(L, o, "%s", e.msg);
        if (a >= 0)
            axis_remove(L, a);
        return HS_OK;
    }
    vlist l = {0};
    char v[VALUE_MAX];
    int item = 1;
    for (const char *p = value;; item++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0) {
            vlist_free(&l);
            return fail_at(L, o,
                           "%s: item %d of the list is empty; write key=v1,v2,... with no "
                           "empty items",
                           name, item);
        }
        char *text = strndup(p, len);
        if (!text) {
            vlist_free(&l);
            return out_of_memory(L);
        }
        st = canonical(key, text, v, &e);
        free(text);
        if (st) {
            vlist_free(&l);
            return fail_at(L, o, "%s", e.msg);
        }
        int dup = vlist_find(&l, v);
        if (dup >= 0) {
            vlist_free(&l);
            return fail_at(L, o, "%s: items %d and %d are the same value (%s); list each once",
                           name, dup + 1, item, v);
        }
        if (!vlist_add(&l, v, o)) {
            vlist_free(&l);
            return out_of_memory(L);
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    st = axis_put(L, a >= 0 ? a : L->s->n_axes, key, &l);
    vlist_free(&l);
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * Jobs */

static void label_of(const hs_sweep *s, const hs_config *c, char *buf, size_t n)
{
    if (!n)
        return;
    buf[0] = '\0';
    size_t o = 0;
    for (int a = 0; a < s->n_axes; a++) {
        const char *full = hs_config_key_name((size_t)s->axes[a].key);
        const char *tail = strrchr(full, '.') ? strrchr(full, '.') + 1 : full;
        bool ambiguous = false;
        for (int b = 0; b < s->n_axes; b++) {
            const char *other = hs_config_key_name((size_t)s->axes[b].key);
            const char *ot = strrchr(other, '.') ? strrchr(other, '.') + 1 : other;
            if (b != a && !strcmp(ot, tail))
                ambiguous = true;
        }
        char v[VALUE_MAX];
        hs_config_format(c, (size_t)s->axes[a].key, v, sizeof v);
        int w = snprintf(buf + o, n - o, "%s%s=%s", a ? " " : "", ambiguous ? full : tail, v);
        if (w < 0 || (size_t)w >= n - o)
            return; /* cut: snprintf has filled what fits */
        o += (size_t)w;
    }
}

void hs_sweep_job_label(const hs_sweep *s, size_t i, char *buf, size_t n)
{
    if (!n)
        return;
    buf[0] = '\0';
    if (i < s->n_jobs)
        label_of(s, &s->jobs[i].cfg, buf, n);
}

/* The exclude entries reduced to the grid once, so that matching a job costs a few lookups
 * instead of a pass over every entry (10^6 jobs x 10^5 entries must not take hours). A key that
 * is not an axis has the base's value in every job, so it is decided here; an entry's values on
 * an axis become the sorted indices of those axis values. Each surviving entry is filed under
 * one of its axes, the one it narrows most, at every value it allows there: a job need only try
 * the entries filed under its own values. */
typedef struct xcons {
    int axis, n;
    int *vals; /* sorted axis value indices */
} xcons;

typedef struct xentry {
    int n;
    xcons *c;
} xentry;

typedef struct xindex {
    bool all;      /* an entry matches every job */
    int n;
    xentry *e;
    int **start;   /* [axis][value .. value+1]: a range of list[axis] */
    int **list;    /* [axis]: entry numbers */
} xindex;

static void xindex_free(xindex *x, int n_axes)
{
    for (int i = 0; i < x->n; i++) {
        for (int j = 0; j < x->e[i].n; j++) free(x->e[i].c[j].vals);
        free(x->e[i].c);
    }
    free(x->e);
    for (int a = 0; x->start && a < n_axes; a++) free(x->start[a]);
    for (int a = 0; x->list && a < n_axes; a++) free(x->list[a]);
    free(x->start);
    free(x->list);
    memset(x, 0, sizeof *x);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The constrained axis of e that allows the smallest share of its values. */
static int narrowest(const hs_sweep *s, const xentry *e)
{
    int best = 0;
    for (int j = 1; j < e->n; j++)
        if ((double)e->c[j].n / s->axes[e->c[j].axis].n <
            (double)e->c[best].n / s->axes[e->c[best].axis].n)
            best = j;
    return best;
}

static hs_status xindex_build(const loader *L, xindex *x)
{
    const hs_sweep *s = L->s;
    memset(x, 0, sizeof *x);
    if (!L->n_entries) return HS_OK;
    strindex *ax = calloc((size_t)s->n_axes + 1, sizeof *ax);
    x->e = calloc((size_t)L->n_entries, sizeof *x->e);
    x->start = calloc((size_t)s->n_axes + 1, sizeof *x->start);
    x->list = calloc((size_t)s->n_axes + 1, sizeof *x->list);
    bool ok = ax && x->e && x->start && x->list;
    for (int a = 0; ok && a < s->n_axes; a++)
        ok = strindex_build(&ax[a], s->axes[a].values, s->axes[a].n, (size_t)s->axes[a].n);
    char v[VALUE_MAX];
    for (int i = 0; ok && i < L->n_entries; i++) {
        const entry *en = &L->entries[i];
        xentry *xe = &x->e[x->n];
        if (!(xe->c = calloc((size_t)en->n + 1, sizeof *xe->c))) {
            ok = false;
            break;
        }
        bool never = false;
        for (int j = 0; j < en->n && !never && ok; j++) {
            const match *m = &en->m[j];
            int a = axis_find(s, m->key);
            if (a < 0) { /* the same value in every job: decide now */
                hs_config_format(&s->base, (size_t)m->key, v, sizeof v);
                bool any = false;
                for (int k = 0; k < m->n && !any; k++) any = !strcmp(v, m->values[k]);
                never = !any;
                continue;
            }
            xcons *c = &xe->c[xe->n];
            if (!(c->vals = malloc((size_t)m->n * sizeof *c->vals))) {
                ok = false;
                break;
            }
            c->axis = a;
            xe->n++;
            for (int k = 0; k < m->n; k++) {
                int vi = strindex_find(&ax[a], s->axes[a].values, m->values[k]);
                if (vi >= 0) c->vals[c->n++] = vi;
            }
            never = c->n == 0; /* none of its values is on the grid */
            qsort(c->vals, (size_t)c->n, sizeof *c->vals, cmp_int);
        }
        if (!ok) { /* xe is counted below so that xindex_free frees it */
            x->n++;
            break;
        }
        if (never) {
            for (int j = 0; j < xe->n; j++) free(xe->c[j].vals);
            free(xe->c);
            memset(xe, 0, sizeof *xe);
            continue;
        }
        if (xe->n == 0) x->all = true;
        x->n++;
    }
    /* file every entry under its narrowest axis: counts, then ranges, then the lists */
    for (int a = 0; ok && a < s->n_axes; a++)
        ok = (x->start[a] = calloc((size_t)s->axes[a].n + 2, sizeof **x->start)) != NULL;
    for (int i = 0; ok && i < x->n; i++) {
        if (!x->e[i].n) continue;
        const xcons *c = &x->e[i].c[narrowest(s, &x->e[i])];
        for (int k = 0; k < c->n; k++) x->start[c->axis][c->vals[k] + 2]++;
    }
    for (int a = 0; ok && a < s->n_axes; a++) {
        int *st = x->start[a];
        for (int k = 2; k <= s->axes[a].n + 1; k++) st[k] += st[k - 1];
        ok = (x->list[a] = malloc(((size_t)st[s->axes[a].n + 1] + 1) * sizeof **x->list)) != NULL;
    }
    for (int i = 0; ok && i < x->n; i++) {
        if (!x->e[i].n) continue;
        const xcons *c = &x->e[i].c[narrowest(s, &x->e[i])];
        for (int k = 0; k < c->n; k++) x->list[c->axis][x->start[c->axis][c->vals[k] + 1]++] = i;
    }
    /* start[a][v+1] now ends value v's range and start[a][v] begins it */
    for (int a = 0; ax && a < s->n_axes; a++) strindex_free(&ax[a]);
    free(ax);
    if (!ok) {
        xindex_free(x, s->n_axes);
        return out_of_memory(L);
    }
    return HS_OK;
}

static bool allows(const xcons *c, int vi)
{
    return bsearch(&vi, c->vals, (size_t)c->n, sizeof vi, cmp_int) != NULL;
}

/* Whether the grid point idx matches an exclude entry. */
static bool excluded(const hs_sweep *s, const xindex *x, const int *idx)
{
    if (x->all) return true;
    if (!x->n) return false;
    for (int a = 0; a < s->n_axes; a++) {
        const int *st = x->start[a];
        for (int k = st[idx[a]]; k < st[idx[a] + 1]; k++) {
            const xentry *e = &x->e[x->list[a][k]];
            bool all = true;
            for (int j = 0; j < e->n && all; j++) all = allows(&e->c[j], idx[e->c[j].axis]);
            if (all) return true;
        }
    }
    return false;
}

/* The message for a job that fails hs_config_validate: where its first grid value was written,
 * its label, why, and the exclude: entry that would skip exactly this job. */
static hs_status job_invalid(const loader *L, const hs_config *c, const int *idx, const hs_err *e)
{
    const hs_sweep *s = L->s;
    if (s->n_axes == 0)
        return fail_at(L, L->base_at, "the sweep's job is invalid: %s", e->msg);
    char label[160], skip[200];
    label_of(s, c, label, sizeof label);
    size_t o = (size_t)snprintf(skip, sizeof skip, "- {");
    for (int a = 0; a < s->n_axes && o < sizeof skip; a++)
        o +=
            (size_t)snprintf(skip + o, sizeof skip - o, "%s%s: %s", a ? ", " : "",
                             hs_config_key_name((size_t)s->axes[a].key), s->axes[a].values[idx[a]]);
    if (o + 2 > sizeof skip) /* too long to show whole */
        snprintf(skip, sizeof skip, "an exclude: entry");
    else
        memcpy(skip + o, "}", 2);
    return fail_at(L, L->from[0][idx[0]],
                   "job %s is invalid: %s; change the grid, or skip the job with %s%s", label,
                   e->msg, o + 2 > sizeof skip ? "" : "exclude: ", skip);
}

/* The cartesian product of the axes, first axis slowest, minus exclude: matches; every job
 * validated. */
static hs_status expand(loader *L)
{
    hs_sweep *s = L->s;
    size_t total = 1;
    for (int a = 0; a < s->n_axes; a++) {
        if (total > MAX_JOBS / (size_t)s->axes[a].n)
            return fail_at(L, (origin){0}, "the grid makes more than %d jobs; split the sweep",
                           MAX_JOBS);
        total *= (size_t)s->axes[a].n;
    }
    s->jobs = malloc(total * sizeof *s->jobs);
    int *idx = calloc((size_t)s->n_axes + 1, sizeof *idx);
    if (!s->jobs || !idx) {
        free(idx);
        return out_of_memory(L);
    }
    xindex x;
    hs_status st = xindex_build(L, &x);
    for (size_t g = 0; g < total && !st; g++) {
        hs_config c = s->base;
        hs_err e;
        for (int a = 0; a < s->n_axes && !st; a++)
            if (hs_config_set(&c, hs_config_key_name((size_t)s->axes[a].key),
                              s->axes[a].values[idx[a]], &e))
                st = hs_fail(L->err, HS_EINTERNAL, "canonical value refused: %s", e.msg);
        if (st)
            break;
        if (excluded(s, &x, idx)) {
            s->n_excluded++;
        } else if (hs_config_validate(&c, &e)) {
            st = job_invalid(L, &c, idx, &e);
        } else {
            hs_sweep_job *j = &s->jobs[s->n_jobs++];
            j->cfg = c;
            hs_config_id(&c, j->id);
        }
        for (int a = s->n_axes - 1; a >= 0; a--) { /* next grid point: last axis fastest */
            if (++idx[a] < s->axes[a].n)
                break;
            idx[a] = 0;
        }
    }
    free(idx);
    xindex_free(&x, s->n_axes);
    if (!st && s->n_jobs && s->n_jobs < total) { /* give back the excluded points' room */
        hs_sweep_job *fit = realloc(s->jobs, s->n_jobs * sizeof *fit);
        if (fit)
            s->jobs = fit;
    }
    if (!st && s->n_jobs == 0)
        st = fail_at(L, L->exclude_at,
                     "exclude: drops all %zu job%s; nothing would run, so narrow or remove "
                     "its entries",
                     total, total == 1 ? "" : "s");
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * The sweep as run, as YAML */

/* A string as a YAML scalar: plain when it is a simple word or path that no YAML reader takes
 * for anything but a string, else a JSON string (which is also YAML). */
static void put_string(FILE *f, const char *s)
{
    static const char *const special[] = {"true", "false", "yes", "no",   "on",
                                          "off",  "y",     "n",   "null", NULL};
    bool plain = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_';
    for (const char *p = s; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                strchr("_-./", *p);
    for (int i = 0; special[i] && plain; i++) {
        size_t k = 0;
        while (s[k] && special[i][k] && (s[k] | 0x20) == special[i][k])
            k++;
        plain = !(s[k] == '\0' && special[i][k] == '\0');
    }
    if (plain) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static hs_status write_yaml(loader *L)
{
    const hs_sweep *s = L->s;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return out_of_memory(L);
    char v[VALUE_MAX];
    fprintf(f, "# The sweep as hopsweep ran it: base: holds every job key, so this file gives the\n"
               "# same jobs, with the same ids, to `hopsweep run` and `hopsweep expand`.\n");
    fprintf(f, "name: ");
    put_string(f, s->name);
    fprintf(f, "\noutput: ");
    put_string(f, s->output);
    fprintf(f, "\nbase:\n");
    for (size_t i = 0; i < hs_config_key_count(); i++) {
        hs_config_format(&s->base, i, v, sizeof v);
        fprintf(f, "  %s: %s\n", hs_config_key_name(i), v);
    }
    if (s->n_axes)
        fprintf(f, "grid:\n");
    for (int a = 0; a < s->n_axes; a++) {
        fprintf(f, "  %s: [", hs_config_key_name((size_t)s->axes[a].key));
        for (int i = 0; i < s->axes[a].n; i++)
            fprintf(f, "%s%s", i ? ", " : "", s->axes[a].values[i]);
        fprintf(f, "]\n");
    }
    if (L->n_entries)
        fprintf(f, "exclude:\n");
    for (int i = 0; i < L->n_entries; i++) {
        const entry *e = &L->entries[i];
        fprintf(f, "  - {");
        for (int j = 0; j < e->n; j++) {
            fprintf(f, "%s%s: %s", j ? ", " : "", hs_config_key_name((size_t)e->m[j].key),
                   e->m[j].n > 1 ? "[" : "");
            for (int k = 0; k < e->m[j].n; k++)
                fprintf(f, "%s%s", k ? ", " : "", e->m[j].values[k]);
            fprintf(f, "%s", e->m[j].n > 1 ? "]" : "");
        }
        fprintf(f, "}\n");
    }
    bool bad = ferror(f) != 0;
    if (fclose(f) || bad) {
        free(text);
        return out_of_memory(L);
    }
    L->s->yaml = text;
    return HS_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Loading */

/* name: the file's name without .yaml/.yml ("sweep" without a file); output: results/<name>. */
static hs_status default_names(loader *L)
{
    hs_sweep *s = L->s;
    if (!s->name) {
        const char *base = "sweep";
        size_t len = strlen(base);
        if (L->path) {
            base = strrchr(L->path, '/') ? strrchr(L->path, '/') + 1 : L->path;
            len = strlen(base);
            if (len > 5 && !strcmp(base + len - 5, ".yaml"))
                len -= 5;
            else if (len > 4 && !strcmp(base + len - 4, ".yml"))
                len -= 4;
        }
        s->name = strndup(base, len);
        if (!s->name)
            return out_of_memory(L);
        const char *why = bad_string(s->name, true);
        if (why)
            return hs_fail(L->err, HS_EINPUT,
                           "%s: the file's name cannot be the sweep's name (%s); set name: in "
                           "the file",
                           L->path, why);
    }
    if (!s->output) {
        size_t n = strlen(s->name) + sizeof "results/";
        s->output = malloc(n);
        if (!s->output)
            return out_of_memory(L);
        snprintf(s->output, n, "results/%s", s->name);
    }
    return HS_OK;
}

hs_status hs_sweep_load(hs_sweep *s, const char *path, int n_overrides, char *const *overrides,
                        hs_err *err)
{
    memset(s, 0, sizeof *s);
    hs_config_default(&s->base);
    loader L = {.s = s, .path = path, .overrides = overrides, .err = err};
    hs_status st = path ? load_file(&L) : HS_OK;
    for (int i = 0; !st && i < n_overrides; i++)
        st = apply_override(&L, i + 1);
    if (!st)
        st = default_names(&L);
    if (!st)
        st = expand(&L);
    if (!st)
        st = write_yaml(&L);
    free_loader(&L);
    if (st)
        hs_sweep_free(s);
    return st;
}

void hs_sweep_free(hs_sweep *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->output);
    for (int a = 0; a < s->n_axes; a++)
        free_values(s->axes[a].values, s->axes[a].n);
    free(s->axes);
    free(s->jobs);
    free(s->yaml);
    memset(s, 0, sizeof *s);
}
