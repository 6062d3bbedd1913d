/* sweep.c — loading a sweep file (DESIGN §3): the file's name:, output:, base:, grid: and
 * exclude:, then the command-line overrides; then hs_sweep_load expands the grid into its jobs
 * (sweep_expand.c) and writes the sweep as run back as YAML (sweep_write.c). The loader's shared
 * context and value lists are in sweep_loader.h and sweep_values.c.
 *
 * Values are compared by their canonical text (hs_config_format), never as written, so 1e-3 and
 * 0.001 are the same grid value and match the same exclude entry. base: is read by config.c's
 * own job-file walker (hs_config_apply_yaml), so it accepts exactly what a job file does. */
#include "hopsweep/sweep.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "hopsweep/yamlfile.h"
#include "sweep_loader.h"

static const char *const top_keys[] = {"name", "output", "base", "grid", "exclude"};
enum { T_NAME, T_OUTPUT, T_BASE, T_GRID, T_EXCLUDE, N_TOP };
#define TOP_KEYS_TEXT "name:, output:, base:, grid: and exclude:"

/* A scalar node's text quoted for a message. */
static void quote_node(const yaml_node_t *n, char q[HS_QUOTED_MAX])
{
    hs_quote((const char *)n->data.scalar.value, n->data.scalar.length, '"', q, HS_QUOTED_MAX);
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
    hs_err e;
    hs_config_unknown_key(name, &e); /* names the closest key, or a section's keys */
    /* Sections nest only in base:; elsewhere keys are written whole. */
    if (*where && hs_config_is_section(name))
        return sweep_fail_at(L, o, "%s%s; write the keys dotted here (%s.<key>)", where, e.msg,
                             name);
    return sweep_fail_at(L, o, "%s%s", where, e.msg);
}

/* The canonical text of `text` as a value of key, or config.c's message for a bad value. */
static hs_status canonical(int key, const char *text, char out[VALUE_MAX], hs_err *e)
{
    hs_config scratch;
    hs_config_default(&scratch);
    hs_status st = hs_config_set(&scratch, hs_config_key_name((size_t)key), text, e);
    if (st == HS_OK) hs_config_format(&scratch, (size_t)key, out, VALUE_MAX);
    return st;
}

static void free_loader(loader *L)
{
    for (int a = 0; a < L->s->n_axes && L->from; a++) free(L->from[a]);
    free(L->from);
    for (int i = 0; i < L->n_entries; i++) {
        for (int j = 0; j < L->entries[i].n; j++)
            sweep_free_values(L->entries[i].m[j].values, L->entries[i].m[j].n);
        free(L->entries[i].m);
    }
    free(L->entries);
    free(L->text); /* NULL once load_file took it */
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
        return sweep_fail_at(L, at_mark(kn->start_mark), "%skeys must be plain names, found %s",
                             where, hs_yaml_kind_name(kn));
    char q[HS_QUOTED_MAX];
    quote_node(kn, q);
    const char *t = hs_yaml_scalar_text(kn);
    if (!t)
        return sweep_fail_at(L, at_mark(kn->start_mark),
                             "%sunknown key %s (it holds a NUL character)", where, q);
    /* YAML forbids repeated keys in one mapping; libyaml does not check. */
    for (const yaml_node_pair_t *o = map->data.mapping.pairs.start; o < p; o++) {
        const yaml_node_t *ok = yaml_document_get_node(doc, o->key);
        if (ok->type == YAML_SCALAR_NODE && ok->data.scalar.length == kn->data.scalar.length &&
            !memcmp(ok->data.scalar.value, kn->data.scalar.value, kn->data.scalar.length))
            return sweep_fail_at(L, at_mark(kn->start_mark),
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
    if (hs_config_key_index(t) >= 0 || hs_config_is_section(t))
        return sweep_fail_at(
            L, o,
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
        return sweep_fail_at(
            L, o, "unknown key %s (did you mean %s?); a sweep file has " TOP_KEYS_TEXT, q, best);
    return sweep_fail_at(L, o, "unknown key %s; a sweep file has " TOP_KEYS_TEXT, q);
}

static bool valid_utf8(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int more = *p < 0x80             ? 0
                   : (*p & 0xe0) == 0xc0 ? 1
                   : (*p & 0xf0) == 0xe0 ? 2
                   : (*p & 0xf8) == 0xf0 ? 3
                                         : -1;
        if (more < 0 || *p == 0xc0 || *p == 0xc1 || *p > 0xf4) return false;
        for (int i = 1; i <= more; i++) /* a NUL ends the string and fails this test */
            if ((p[i] & 0xc0) != 0x80) return false;
        p += more + 1;
    }
    return true;
}

/* Why text cannot be a sweep's name (or, with is_name false, its output directory); NULL if it
 * can. The name goes into every job record and, by default, into the store's path. */
static const char *bad_string(const char *text, bool is_name)
{
    if (!*text) return "it is empty";
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) return "it holds a control character";
        if (is_name && *p == '/') return "it holds a '/'";
    }
    if (is_name && (!strcmp(text, ".") || !strcmp(text, ".."))) return "it is a directory name";
    if (!valid_utf8(text)) return "it is not UTF-8 text";
    return NULL;
}

/* name: or output: (key names which), a string. */
static hs_status read_string(loader *L, int which, const yaml_node_t *vn, char **out)
{
    const char *key = top_keys[which];
    origin o = at_mark(vn->start_mark);
    if (vn->type != YAML_SCALAR_NODE)
        return sweep_fail_at(L, o, "%s: expected a string, found %s", key, hs_yaml_kind_name(vn));
    char q[HS_QUOTED_MAX];
    quote_node(vn, q);
    const char *t = hs_yaml_scalar_text(vn);
    const char *why = t ? bad_string(t, which == T_NAME) : "it holds a NUL character";
    if (why)
        return sweep_fail_at(L, o, "%s: %s cannot be the sweep's %s: %s%s", key, q,
                             which == T_NAME ? "name" : "output directory", why,
                             t && !*t ? "; remove the key for the default" : "");
    *out = strdup(t);
    return *out ? HS_OK : sweep_out_of_memory(L);
}

/* Adds one value node of key to l as canonical text, refusing a repeat of a value already in
 * l. where: "grid: " or "exclude: ". */
static hs_status add_value(loader *L, const char *where, int key, const yaml_node_t *item, vlist *l)
{
    const char *name = hs_config_key_name((size_t)key);
    origin o = at_mark(item->start_mark);
    if (item->type != YAML_SCALAR_NODE)
        return sweep_fail_at(L, o, "%s%s: each list item must be one value, found %s", where, name,
                             hs_yaml_kind_name(item));
    char q[HS_QUOTED_MAX], v[VALUE_MAX];
    const char *t = hs_yaml_scalar_text(item);
    if (!t) {
        quote_node(item, q);
        return sweep_fail_at(L, o, "%s%s: %s holds a NUL character (allowed: %s)", where, name, q,
                             hs_config_key_allowed((size_t)key));
    }
    hs_err e;
    if (canonical(key, t, v, &e)) return sweep_fail_at(L, o, "%s%s", where, e.msg);
    int dup = sweep_vlist_find(l, v);
    if (dup >= 0 && (quote_node(item, q), true))
        return sweep_fail_at(
            L, o,
            "%s%s: value %s repeats the one at line %zu, column %zu (both are %s); "
            "list each value once",
            where, name, q, l->at[dup].line, l->at[dup].col, v);
    return sweep_vlist_add(l, v, o) ? HS_OK : sweep_out_of_memory(L);
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
        return sweep_fail_at(
            L, o, "%s%s: no value%s (allowed: %s)", where, name,
            one ? "; give a value or a list of values" : "s; give a list such as [a, b]", allowed);
    if (vn->type == YAML_SCALAR_NODE) {
        if (one) return add_value(L, where, key, vn, l);
        /* The usual slip: `model.layers: 3` in grid:. Show the fix with the value itself. */
        char q[HS_QUOTED_MAX];
        quote_node(vn, q);
        return sweep_fail_at(L, o,
                             "%s%s: expected a list of values, found the value %s; write [%.*s]",
                             where, name, q, (int)(strlen(q) - 2), q + 1);
    }
    if (vn->type == YAML_MAPPING_NODE)
        return sweep_fail_at(L, o, "%s%s: expected %s, found a mapping", where, name,
                             one ? "a value or a list of values" : "a list of values");
    const yaml_node_item_t *it = vn->data.sequence.items.start;
    if (it == vn->data.sequence.items.top)
        return sweep_fail_at(L, o, "%s%s: empty list; give at least one value (allowed: %s)", where,
                             name, allowed);
    for (; it < vn->data.sequence.items.top; it++) {
        hs_status st = add_value(L, where, key, yaml_document_get_node(doc, *it), l);
        if (st) return st;
    }
    return HS_OK;
}

static hs_status read_grid(loader *L, yaml_document_t *doc, const yaml_node_t *kn,
                           const yaml_node_t *vn)
{
    if (hs_yaml_is_empty(vn) || (vn->type == YAML_MAPPING_NODE &&
                                 vn->data.mapping.pairs.start == vn->data.mapping.pairs.top))
        return sweep_fail_at(L, at_mark(kn->start_mark),
                             "grid: is empty; list the keys to vary under it, indented (e.g. "
                             "\"  model.layers: [1, 2]\"), or remove grid: for a single job");
    if (vn->type != YAML_MAPPING_NODE)
        return sweep_fail_at(
            L, at_mark(vn->start_mark),
            "grid: expected a mapping of job keys to lists of values (model.layers: "
            "[1, 2]), found %s",
            hs_yaml_kind_name(vn));
    for (const yaml_node_pair_t *p = vn->data.mapping.pairs.start; p < vn->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *pk = yaml_document_get_node(doc, p->key);
        const char *name;
        int key = -1;
        hs_status st = pair_key(L, doc, vn, p, "grid: ", &name);
        if (!st) st = job_key(L, at_mark(pk->start_mark), "grid: ", name, &key);
        vlist l = {0};
        if (!st)
            st = read_values(L, doc, "grid: ", key, yaml_document_get_node(doc, p->value), false,
                             &l);
        if (!st) st = sweep_axis_put(L, L->s->n_axes, key, &l);
        sweep_vlist_free(&l);
        if (st) return st;
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
        return sweep_fail_at(L, at_mark(vn->start_mark),
                             "exclude: expected a list of entries such as "
                             "\"- {model.layers: 1, task.hops: [4, 5]}\", found %s",
                             hs_yaml_kind_name(vn));
    size_t n = (size_t)(vn->data.sequence.items.top - vn->data.sequence.items.start);
    L->entries = calloc(n ? n : 1, sizeof *L->entries);
    if (!L->entries) return sweep_out_of_memory(L);
    for (const yaml_node_item_t *it = vn->data.sequence.items.start;
         it < vn->data.sequence.items.top; it++) {
        const yaml_node_t *en = yaml_document_get_node(doc, *it);
        origin eo = at_mark(en->start_mark);
        if (en->type != YAML_MAPPING_NODE)
            return sweep_fail_at(
                L, eo,
                "exclude: each entry must be a mapping of job keys to values, such as "
                "\"- {model.layers: 1}\", found %s",
                hs_yaml_kind_name(en));
        size_t np = (size_t)(en->data.mapping.pairs.top - en->data.mapping.pairs.start);
        if (!np)
            return sweep_fail_at(
                L, eo,
                "exclude: an empty entry {} would drop every job; list the keys and "
                "values to match");
        entry *e = &L->entries[L->n_entries];
        e->m = calloc(np, sizeof *e->m);
        if (!e->m) return sweep_out_of_memory(L);
        L->n_entries++;
        for (const yaml_node_pair_t *p = en->data.mapping.pairs.start;
             p < en->data.mapping.pairs.top; p++) {
            const yaml_node_t *pk = yaml_document_get_node(doc, p->key);
            const char *name;
            int key = -1;
            hs_status st = pair_key(L, doc, en, p, "exclude: ", &name);
            if (!st) st = job_key(L, at_mark(pk->start_mark), "exclude: ", name, &key);
            vlist l = {0};
            if (!st)
                st = read_values(L, doc, "exclude: ", key, yaml_document_get_node(doc, p->value),
                                 true, &l);
            if (!st) {
                e->m[e->n++] = (match){.key = key, .n = l.n, .values = l.v};
                free(l.at);
                sweep_strindex_free(&l.ix);
                memset(&l, 0, sizeof l);
            }
            sweep_vlist_free(&l);
            if (st) return st;
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
        return sweep_fail_at(L, at_mark(root->start_mark),
                             "a sweep file must be a mapping of " TOP_KEYS_TEXT
                             ", found %s at the top",
                             hs_yaml_kind_name(root));
    const yaml_node_t *kn[N_TOP] = {0}, *vn[N_TOP] = {0};
    for (const yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top; p++) {
        const char *name;
        hs_status st = pair_key(L, doc, root, p, "", &name);
        if (st) return st;
        const yaml_node_t *k = yaml_document_get_node(doc, p->key);
        int t = 0;
        while (t < N_TOP && strcmp(name, top_keys[t])) t++;
        if (t == N_TOP) return unknown_top(L, k, name);
        kn[t] = k;
        vn[t] = yaml_document_get_node(doc, p->value);
    }
    /* A fixed order whatever the file's: base: before grid: and exclude: read against it. */
    hs_status st = HS_OK;
    if (vn[T_NAME]) st = read_string(L, T_NAME, vn[T_NAME], &L->s->name);
    if (!st && vn[T_OUTPUT]) st = read_string(L, T_OUTPUT, vn[T_OUTPUT], &L->s->output);
    if (!st && vn[T_BASE]) {
        L->base_at = at_mark(kn[T_BASE]->start_mark);
        if (vn[T_BASE]->type != YAML_MAPPING_NODE && !hs_yaml_is_empty(vn[T_BASE]))
            return sweep_fail_at(L, at_mark(vn[T_BASE]->start_mark),
                                 "base: expected a mapping of job keys (sections such as "
                                 "\"train: {steps: 100}\", or dotted keys), found %s",
                                 hs_yaml_kind_name(vn[T_BASE]));
        st = hs_config_apply_yaml(&L->s->base, L->path, doc, vn[T_BASE], L->err);
    }
    if (!st && vn[T_GRID]) st = read_grid(L, doc, kn[T_GRID], vn[T_GRID]);
    if (!st && vn[T_EXCLUDE]) st = read_exclude(L, doc, kn[T_EXCLUDE], vn[T_EXCLUDE]);
    return st;
}

static hs_status load_file(loader *L)
{
    hs_yaml_file f;
    hs_status st = L->text
                       ? hs_yaml_open_text(&f, L->text, L->text_len, L->path, "sweep file", L->err)
                       : hs_yaml_open(&f, L->path, "sweep file", L->err);
    L->text = NULL; /* taken over by f */
    if (st) return st;
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
        return sweep_fail_at(
            L, o,
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
    if (st) return st;
    const char *value = eq + 1;
    hs_err e;
    int a = sweep_axis_find(L->s, key);
    if (!strchr(value, ',')) { /* one value: set for every job, no longer an axis */
        if (hs_config_set(&L->s->base, name, value, &e)) return sweep_fail_at(L, o, "%s", e.msg);
        if (a >= 0) sweep_axis_remove(L, a);
        return HS_OK;
    }
    vlist l = {0};
    char v[VALUE_MAX];
    int item = 1;
    for (const char *p = value;; item++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0) {
            sweep_vlist_free(&l);
            return sweep_fail_at(L, o,
                                 "%s: item %d of the list is empty; write key=v1,v2,... with no "
                                 "empty items",
                                 name, item);
        }
        char *text = strndup(p, len);
        if (!text) {
            sweep_vlist_free(&l);
            return sweep_out_of_memory(L);
        }
        st = canonical(key, text, v, &e);
        free(text);
        if (st) {
            sweep_vlist_free(&l);
            return sweep_fail_at(L, o, "%s", e.msg);
        }
        int dup = sweep_vlist_find(&l, v);
        if (dup >= 0) {
            sweep_vlist_free(&l);
            return sweep_fail_at(L, o,
                                 "%s: items %d and %d are the same value (%s); list each once",
                                 name, dup + 1, item, v);
        }
        if (!sweep_vlist_add(&l, v, o)) {
            sweep_vlist_free(&l);
            return sweep_out_of_memory(L);
        }
        if (!comma) break;
        p = comma + 1;
    }
    st = sweep_axis_put(L, a >= 0 ? a : L->s->n_axes, key, &l);
    sweep_vlist_free(&l);
    return st;
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
        if (!s->name) return sweep_out_of_memory(L);
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
        if (!s->output) return sweep_out_of_memory(L);
        snprintf(s->output, n, "results/%s", s->name);
    }
    return HS_OK;
}

static hs_status load(hs_sweep *s, const char *path, char *text, size_t text_len, int n_overrides,
                      char *const *overrides, hs_err *err)
{
    memset(s, 0, sizeof *s);
    hs_config_default(&s->base);
    loader L = {.s = s,
                .path = path,
                .text = text,
                .text_len = text_len,
                .overrides = overrides,
                .err = err};
    hs_status st = path ? load_file(&L) : HS_OK;
    for (int i = 0; !st && i < n_overrides; i++) st = apply_override(&L, i + 1);
    if (!st) st = default_names(&L);
    if (!st) st = sweep_expand(&L);
    if (!st) st = sweep_write_yaml(&L);
    free_loader(&L);
    if (st) hs_sweep_free(s);
    return st;
}

hs_status hs_sweep_load(hs_sweep *s, const char *path, int n_overrides, char *const *overrides,
                        hs_err *err)
{
    return load(s, path, NULL, 0, n_overrides, overrides, err);
}

hs_status hs_sweep_load_text(hs_sweep *s, const char *path, char *text, size_t n, hs_err *err)
{
    return load(s, path, text, n, 0, NULL, err);
}

void hs_sweep_free(hs_sweep *s)
{
    if (!s) return;
    free(s->name);
    free(s->output);
    for (int a = 0; a < s->n_axes; a++) sweep_free_values(s->axes[a].values, s->axes[a].n);
    free(s->axes);
    free(s->jobs);
    free(s->yaml);
    memset(s, 0, sizeof *s);
}
