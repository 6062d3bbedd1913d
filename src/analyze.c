/* analyze.c — reading a result store's records and computing the statistics of `hopsweep
 * analyze` (definitions in analyze.h). Reads, sorts and counts; never prints. */
#include "hopsweep/analyze.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "hopsweep/fileio.h"
#include "hopsweep/jsonline.h"
#include "hopsweep/rng.h"

#define RUNS_FILE "runs.jsonl"

/* ---------------------------------------------------------------------------------------------
 * Small helpers */

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return true;
    size_t c = *cap ? *cap : 16;
    while (c < need) c *= 2;
    void *q = realloc(*p, c * size);
    if (!q) return false;
    *p = q;
    *cap = c;
    return true;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void append(char *buf, size_t n, const char *fmt, const char *s)
{
    size_t used = strlen(buf);
    if (used < n) snprintf(buf + used, n - used, fmt, s);
}

/* ---------------------------------------------------------------------------------------------
 * Roles */

/* Splits "L<l>:<what>" into layer, kind and offset; anything else sorts after, by name. */
static void role_parse(hs_role *r)
{
    r->layer = INT32_MAX;
    r->kind = 4;
    r->delta = 0;
    const char *s = r->name;
    if (s[0] != 'L' || s[1] < '0' || s[1] > '9') return;
    char *end;
    errno = 0;
    long l = strtol(s + 1, &end, 10);
    if (errno || *end != ':' || l < 1 || l > 100000) return;
    const char *what = end + 1;
    int kind = -1, delta = 0;
    if (!strcmp(what, "self")) {
        kind = 1;
    } else if (!strcmp(what, "other")) {
        kind = 2;
    } else if (!strcmp(what, "query")) {
        kind = 3;
    } else if ((what[0] == '+' || what[0] == '-') && what[1] >= '0' && what[1] <= '9') {
        long d = strtol(what, &end, 10);
        if (*end || errno || d == 0 || d < -100000000 || d > 100000000) return;
        kind = 0;
        delta = (int)d;
    }
    if (kind < 0) return;
    r->layer = (int)l;
    r->kind = kind;
    r->delta = delta;
}

static int role_cmp(const hs_role *a, const hs_role *b)
{
    if (a->layer != b->layer) return a->layer < b->layer ? -1 : 1;
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    if (a->delta != b->delta) return a->delta < b->delta ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* Index of the role, added if new; -1 when out of memory. Role names are few (layers × bins),
 * so a linear search is enough. */
static int role_intern(hs_results *r, const char *name, size_t len)
{
    for (int i = 0; i < r->n_roles; i++)
        if (strlen(r->roles[i].name) == len && !memcmp(r->roles[i].name, name, len)) return i;
    size_t cap = (size_t)r->cap_roles;
    if (!grow((void **)&r->roles, &cap, (size_t)r->n_roles + 1, sizeof *r->roles)) return -1;
    r->cap_roles = (int)cap;
    hs_role *role = &r->roles[r->n_roles];
    role->name = malloc(len + 1);
    if (!role->name) return -1;
    memcpy(role->name, name, len);
    role->name[len] = '\0';
    role_parse(role);
    return r->n_roles++;
}

/* ---------------------------------------------------------------------------------------------
 * Records: the id index */

static uint64_t id_value(const char *id)
{
    uint64_t v = 0;
    for (int i = 0; i < 16; i++)
        v = v << 4 | (uint64_t)(id[i] <= '9' ? id[i] - '0' : id[i] - 'a' + 10);
    return v;
}

static size_t id_slot(const hs_results *r, const char *id)
{
    /* Ids are FNV hashes already; one multiply spreads hand-made ones too. */
    uint64_t h = id_value(id) * UINT64_C(0x9e3779b97f4a7c15);
    size_t mask = r->n_slots - 1, i = (size_t)(h >> 20) & mask;
    while (r->slots[i] && strcmp(r->runs[r->slots[i] - 1].id, id)) i = (i + 1) & mask;
    return i;
}

long hs_results_find(const hs_results *r, const char *id)
{
    if (!r->n_slots || !id || strlen(id) != 16) return -1;
    size_t s = r->slots[id_slot(r, id)];
    return s ? (long)s - 1 : -1;
}

static bool index_grow(hs_results *r)
{
    if ((r->n + 1) * 2 <= r->n_slots) return true;
    size_t n = r->n_slots ? r->n_slots * 2 : 64;
    size_t *old = r->slots, old_n = r->n_slots;
    r->slots = calloc(n, sizeof *r->slots);
    if (!r->slots) {
        r->slots = old;
        return false;
    }
    r->n_slots = n;
    for (size_t i = 0; i < old_n; i++)
        if (old[i]) r->slots[id_slot(r, r->runs[old[i] - 1].id)] = old[i];
    free(old);
    return true;
}

void hs_results_init(hs_results *r)
{
    memset(r, 0, sizeof *r);
}

static void run_free(hs_run_record *run)
{
    free(run->hop_acc);
    free(run->hop_steps);
    free(run->emerged);
    free(run->emerged_step);
    free(run->metrics);
    free(run->attention);
    free(run->error);
    free(run->host);
    free(run->engine);
    memset(run, 0, sizeof *run);
}

void hs_results_free(hs_results *r)
{
    for (size_t i = 0; i < r->n; i++) run_free(&r->runs[i]);
    for (int i = 0; i < r->n_roles; i++) free(r->roles[i].name);
    free(r->runs);
    free(r->roles);
    free(r->slots);
    hs_results_init(r);
}

/* ---------------------------------------------------------------------------------------------
 * Records: parsing one line with libyaml (JSON is YAML flow syntax) */

typedef enum { LINE_OK, LINE_BAD, LINE_NOMEM } line_result;

typedef struct parse_ctx {
    hs_results *r;
    yaml_document_t *doc;
    char why[512];
} parse_ctx;

/* Remembers an unknown config key for the notice: the distinct names that fit are spelled
 * out, and unknown_more says there were others. */
static void note_unknown_key(hs_results *r, const char *key)
{
    size_t len = strlen(key);
    for (const char *p = r->unknown_names; *p;) { /* already noted? */
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && !memcmp(p, key, len)) return;
        p = end ? end + 2 : p + n;
    }
    if (strlen(r->unknown_names) + len + 3 >= sizeof r->unknown_names) {
        r->unknown_more = true;
        return;
    }
    append(r->unknown_names, sizeof r->unknown_names, r->unknown_names[0] ? ", %s" : "%s", key);
}

/* Applies a config mapping (sections nest; keys join with dots) on top of c. */
static line_result apply_config(parse_ctx *x, const yaml_node_t *map, const char *prefix,
                                hs_config *c, int depth)
{
    if (depth > 4) {
        snprintf(x->why, sizeof x->why, "a config nested too deep");
        return LINE_BAD;
    }
    for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *k = yaml_document_get_node(x->doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(x->doc, p->value);
        if (!k || k->type != YAML_SCALAR_NODE || !v) {
            snprintf(x->why, sizeof x->why, "a config key that is not a string");
            return LINE_BAD;
        }
        char key[128];
        int n = snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", hs_jl_scalar_text(k));
        if (n < 0 || (size_t)n >= sizeof key) {
            snprintf(x->why, sizeof x->why, "a config key longer than %zu bytes", sizeof key - 1);
            return LINE_BAD;
        }
        if (v->type == YAML_MAPPING_NODE) {
            line_result lr = apply_config(x, v, key, c, depth + 1);
            if (lr != LINE_OK) return lr;
            continue;
        }
        if (hs_config_key_index(key) < 0) {
            note_unknown_key(x->r, key);
            continue;
        }
        if (hs_jl_is_null(v)) continue; /* no value: the default stands */
        if (v->type != YAML_SCALAR_NODE) {
            snprintf(x->why, sizeof x->why, "config key %s is not a single value", key);
            return LINE_BAD;
        }
        hs_err e = {0};
        if (hs_config_set(c, key, hs_jl_scalar_text(v), &e)) {
            snprintf(x->why, sizeof x->why, "%s", e.msg);
            return LINE_BAD;
        }
    }
    return LINE_OK;
}

/* final.hop_acc or emergence.hop_steps: numbers or nulls. */
static line_result read_hop_array(parse_ctx *x, const yaml_node_t *seq, bool ints, int *n_out,
                                  float **facc, int **isteps, const char *what)
{
    *n_out = 0;
    if (!seq || hs_jl_is_null(seq)) return LINE_OK;
    if (seq->type != YAML_SEQUENCE_NODE || hs_jl_seq_len(seq) > 100000000) {
        snprintf(x->why, sizeof x->why, "%s is not an array", what);
        return LINE_BAD;
    }
    size_t n = hs_jl_seq_len(seq);
    if (!n) return LINE_OK;
    if (ints ? !(*isteps = malloc(n * sizeof **isteps)) : !(*facc = malloc(n * sizeof **facc)))
        return LINE_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *v = hs_jl_seq_at(x->doc, seq, i);
        double d = NAN;
        int s = -1;
        if (!hs_jl_is_null(v) && (ints ? !hs_jl_scalar_int(v, &s) || s < 0 : !hs_jl_scalar_double(v, &d))) {
            snprintf(x->why, sizeof x->why, "%s holds something other than %s or null", what,
                     ints ? "a step" : "a number");
            return LINE_BAD;
        }
        if (ints)
            (*isteps)[i] = s;
        else
            (*facc)[i] = (float)d;
    }
    *n_out = (int)n;
    return LINE_OK;
}

/* emergence.order (roles, repeats dropped) and the steps emergence.heads gives them. */
static line_result read_emergence(parse_ctx *x, const yaml_node_t *em, hs_run_record *run)
{
    const yaml_node_t *order = hs_jl_map_get(x->doc, em, "order");
    if (!order || hs_jl_is_null(order)) return LINE_OK; /* an older writer: no head data */
    if (order->type != YAML_SEQUENCE_NODE) {
        snprintf(x->why, sizeof x->why, "emergence.order is not an array");
        return LINE_BAD;
    }
    size_t n = hs_jl_seq_len(order);
    const hs_config *c = &run->config;
    const size_t n_heads = (size_t)c->model.layers * (size_t)c->model.heads;
    const yaml_node_t *heads = hs_jl_map_get(x->doc, em, "heads");
    if (n > n_heads || (heads && heads->type == YAML_SEQUENCE_NODE && hs_jl_seq_len(heads) > n_heads)) {
        snprintf(x->why, sizeof x->why, "emergence lists more roles or heads than the model's %zu heads", n_heads);
        return LINE_BAD;
    }
    run->has_heads = true;
    if (!n) return LINE_OK;
    run->emerged = malloc(n * sizeof *run->emerged);
    run->emerged_step = malloc(n * sizeof *run->emerged_step);
    if (!run->emerged || !run->emerged_step) return LINE_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *v = hs_jl_seq_at(x->doc, order, i);
        if (!v || v->type != YAML_SCALAR_NODE || !v->data.scalar.length || hs_jl_is_null(v)) {
            snprintf(x->why, sizeof x->why, "emergence.order holds something other than roles");
            return LINE_BAD;
        }
        hs_role claim = {.name = (char *)hs_jl_scalar_text(v)};
        role_parse(&claim); /* a name it does not know sorts last; a layer must exist */
        if (claim.kind <= 3 && claim.layer > c->model.layers) {
            snprintf(x->why, sizeof x->why, "emergence.order holds a role of layer %d; the model has %d",
                     claim.layer, c->model.layers);
            return LINE_BAD;
        }
        int role = role_intern(x->r, hs_jl_scalar_text(v), v->data.scalar.length);
        if (role < 0) return LINE_NOMEM;
        bool seen = false;
        for (int j = 0; j < run->n_emerged; j++) seen |= run->emerged[j] == role;
        if (seen) continue;
        run->emerged[run->n_emerged] = role;
        run->emerged_step[run->n_emerged++] = -1;
    }
    if (!heads || heads->type != YAML_SEQUENCE_NODE) return LINE_OK; /* steps unknown */
    for (size_t i = 0; i < hs_jl_seq_len(heads); i++) {
        const yaml_node_t *h = hs_jl_seq_at(x->doc, heads, i);
        const yaml_node_t *role = hs_jl_map_get(x->doc, h, "role"), *step = hs_jl_map_get(x->doc, h, "step");
        int s;
        if (!role || role->type != YAML_SCALAR_NODE || hs_jl_is_null(step)) continue;
        if (!hs_jl_scalar_int(step, &s) || s < 0) {
            snprintf(x->why, sizeof x->why, "emergence.heads holds a step that is not a count");
            return LINE_BAD;
        }
        for (int j = 0; j < run->n_emerged; j++) {
            const char *name = x->r->roles[run->emerged[j]].name;
            if (strlen(name) == role->data.scalar.length && !strcmp(name, hs_jl_scalar_text(role)) &&
                (run->emerged_step[j] < 0 || s < run->emerged_step[j]))
                run->emerged_step[j] = s;
        }
    }
    return LINE_OK;
}

static bool is_job_id(const yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.length != 16) return false;
    for (size_t i = 0; i < 16; i++) {
        char c = (char)n->data.scalar.value[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

/* A copy of an optional string field into *out (NULL when absent or null); false: no memory. */
static bool opt_string(const yaml_node_t *n, char **out)
{
    *out = NULL;
    if (!n || n->type != YAML_SCALAR_NODE || hs_jl_is_null(n)) return true;
    return (*out = strdup(hs_jl_scalar_text(n))) != NULL;
}

static line_result parse_record(parse_ctx *x, const yaml_node_t *root, hs_run_record *run)
{
    yaml_document_t *d = x->doc; /* root is an object: hs_jl_load_object checked */
    const yaml_node_t *id = hs_jl_map_get(d, root, "id"), *st = hs_jl_map_get(d, root, "status");
    if (!is_job_id(id)) {
        snprintf(x->why, sizeof x->why, "no \"id\" of 16 lowercase hex digits");
        return LINE_BAD;
    }
    memcpy(run->id, id->data.scalar.value, 16);
    run->id[16] = '\0';
    if (hs_jl_scalar_is(st, "done"))
        run->status = HS_RUN_DONE;
    else if (hs_jl_scalar_is(st, "failed"))
        run->status = HS_RUN_FAILED;
    else if (hs_jl_scalar_is(st, "interrupted"))
        run->status = HS_RUN_INTERRUPTED;
    else {
        snprintf(x->why, sizeof x->why, "no \"status\" of done, failed or interrupted");
        return LINE_BAD;
    }
    const yaml_node_t *cfg = hs_jl_map_get(d, root, "config");
    if (!cfg || cfg->type != YAML_MAPPING_NODE) {
        snprintf(x->why, sizeof x->why, "no \"config\" object");
        return LINE_BAD;
    }
    hs_config_default(&run->config);
    line_result lr = apply_config(x, cfg, "", &run->config, 0);
    if (lr != LINE_OK) return lr;
    /* Only a config the trainer would run: it bounds everything below by what a real job can
     * produce (hops, layers x heads), so no record can make the analysis loop or allocate
     * beyond that. */
    hs_err verr = {0};
    if (hs_config_validate(&run->config, &verr)) {
        snprintf(x->why, sizeof x->why, "a config no job can have: %.400s", verr.msg);
        return LINE_BAD;
    }

    run->steps = -1;
    run->query_acc = NAN;
    const yaml_node_t *steps = hs_jl_map_get(d, root, "steps");
    if (steps && !hs_jl_is_null(steps) && !hs_jl_scalar_int(steps, &run->steps)) run->steps = -1;
    const yaml_node_t *final = hs_jl_map_get(d, root, "final");
    const yaml_node_t *qa = hs_jl_map_get(d, final, "query_acc");
    if (qa && !hs_jl_is_null(qa) && !hs_jl_scalar_double(qa, &run->query_acc)) {
        snprintf(x->why, sizeof x->why, "final.query_acc is not a number");
        return LINE_BAD;
    }
    lr = read_hop_array(x, hs_jl_map_get(d, final, "hop_acc"), false, &run->n_hop_acc, &run->hop_acc,
                        NULL, "final.hop_acc");
    if (lr != LINE_OK) return lr;
    const yaml_node_t *em = hs_jl_map_get(d, root, "emergence");
    lr = read_hop_array(x, hs_jl_map_get(d, em, "hop_steps"), true, &run->n_hop_steps, NULL,
                        &run->hop_steps, "emergence.hop_steps");
    if (lr != LINE_OK) return lr;
    if (run->n_hop_acc > run->config.task.hops + 1 || run->n_hop_steps > run->config.task.hops + 1) {
        snprintf(x->why, sizeof x->why, "more hop labels than task.hops=%d has", run->config.task.hops);
        return LINE_BAD;
    }
    if (em && em->type == YAML_MAPPING_NODE) {
        lr = read_emergence(x, em, run);
        if (lr != LINE_OK) return lr;
    }
    const yaml_node_t *files = hs_jl_map_get(d, root, "files");
    if (!opt_string(hs_jl_map_get(d, files, "metrics"), &run->metrics) ||
        !opt_string(hs_jl_map_get(d, files, "attention"), &run->attention) ||
        !opt_string(hs_jl_map_get(d, root, "error"), &run->error) ||
        !opt_string(hs_jl_map_get(d, root, "host"), &run->host) ||
        !opt_string(hs_jl_map_get(d, root, "engine"), &run->engine))
        return LINE_NOMEM;
    run->wall_s = NAN;
    const yaml_node_t *wall = hs_jl_map_get(d, root, "wall_s");
    if (wall && !hs_jl_is_null(wall) && !hs_jl_scalar_double(wall, &run->wall_s)) run->wall_s = NAN;
    return LINE_OK;
}

/* Stores a parsed run: replaces the earlier record of its id, or appends. Takes ownership. */
static bool put_run(hs_results *r, hs_run_record *run)
{
    if (!index_grow(r) || !grow((void **)&r->runs, &r->cap, r->n + 1, sizeof *r->runs))
        return false;
    size_t slot = id_slot(r, run->id);
    if (r->slots[slot]) {
        hs_run_record *old = &r->runs[r->slots[slot] - 1];
        run_free(old);
        *old = *run;
    } else {
        r->runs[r->n++] = *run;
        r->slots[slot] = r->n;
    }
    return true;
}

hs_status hs_results_add_line(hs_results *r, const char *line, size_t len, size_t lineno,
                              hs_err *err)
{
    parse_ctx x = {.r = r};
    hs_run_record run;
    memset(&run, 0, sizeof run);
    run.line = lineno;
    yaml_document_t doc;
    const char *why;
    line_result lr;
    switch (hs_jl_load_object(line, len, &doc, &why)) {
    case HS_JL_BLANK: return HS_OK; /* tolerated, as the store itself does */
    case HS_JL_NOMEM: goto nomem;
    case HS_JL_BAD:
        lr = LINE_BAD;
        snprintf(x.why, sizeof x.why, "%s", why);
        break;
    default:
        x.doc = &doc;
        lr = parse_record(&x, yaml_document_get_root_node(&doc), &run);
        yaml_document_delete(&doc);
        break;
    }
    if (lr == LINE_NOMEM) goto nomem;
    if (lr == LINE_BAD) {
        if (!r->skipped++) {
            r->first_skipped = lineno;
            snprintf(r->first_why, sizeof r->first_why, "%s", x.why);
        }
        run_free(&run);
        return HS_OK;
    }
    if (!put_run(r, &run)) goto nomem;
    r->lines++;
    return HS_OK;
nomem:
    run_free(&run);
    return hs_fail(err, HS_ENOMEM, "out of memory reading line %zu of the records", lineno);
}

hs_status hs_results_add_text(hs_results *r, const char *text, size_t len, hs_err *err)
{
    const char *p = text, *end = text + len;
    size_t lineno = 0;
    for (;;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) break;
        hs_status st = hs_results_add_line(r, p, (size_t)(nl - p), ++lineno, err);
        if (st) return st;
        p = nl + 1;
    }
    r->partial_bytes = (size_t)(end - p);
    return HS_OK;
}

hs_status hs_results_load(hs_results *r, const char *dir, hs_err *err)
{
    struct stat sb;
    if (stat(dir, &sb))
        return hs_fail(err, HS_EINPUT,
                       "no result store at %s (%s); give the output directory of a sweep (its "
                       "--out or output:)",
                       dir, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return hs_fail(err, HS_EINPUT,
                       "%s is not a directory; give the output directory of a sweep, which holds "
                       "runs.jsonl",
                       dir);
    char *path = hs_path_join(dir, RUNS_FILE);
    if (!path) return hs_fail(err, HS_ENOMEM, "out of memory reading the store %s", dir);
    hs_status st;
    if (stat(path, &sb) && errno == ENOENT) {
        st = hs_fail(err, HS_EINPUT,
                     "%s has no runs.jsonl, so it is not a result store; give the output "
                     "directory of a sweep",
                     dir);
    } else {
        char *data = NULL;
        size_t size = 0;
        st = hs_read_file(path, SIZE_MAX, &data, &size, err);
        if (!st) st = hs_results_add_text(r, data, size, err);
        free(data);
    }
    free(path);
    return st;
}

void hs_results_notice(const hs_results *r, const char *path, char *buf, size_t n)
{
    buf[0] = '\0';
    char part[1200];
    if (r->partial_bytes) {
        snprintf(part, sizeof part,
                 "ignored a last line without its newline (%zu bytes; a record being written)",
                 r->partial_bytes);
        append(buf, n, "%s", part);
    }
    if (r->skipped) {
        snprintf(part, sizeof part, "skipped %zu unreadable line(s), the first at line %zu (%s)",
                 r->skipped, r->first_skipped, r->first_why);
        append(buf, n, buf[0] ? "; %s" : "%s", part);
    }
    if (r->unknown_names[0]) {
        snprintf(part, sizeof part,
                 "ignored unknown config key(s) %s%s (another hopsweep version?)",
                 r->unknown_names, r->unknown_more ? " and others" : "");
        append(buf, n, buf[0] ? "; %s" : "%s", part);
    }
    if (buf[0] && path) {
        char *copy = strdup(buf);
        if (copy) {
            snprintf(buf, n, "%s: %s", path, copy);
            free(copy);
        }
    }
}

/* ---------------------------------------------------------------------------------------------
 * Statistics on plain arrays */

int hs_theory_min_layers(int hops)
{
    /* R(t) = (3^t - 1)/2 edges are reachable after t layers. */
    long long reach = 0, pow3 = 1;
    int t = 0;
    while (reach < hops) {
        pow3 *= 3;
        reach = (pow3 - 1) / 2;
        t++;
    }
    return t;
}

double hs_quantile(const double *sorted, size_t n, double q)
{
    if (n == 0) return NAN;
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1) return sorted[n - 1];
    return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

void hs_bootstrap_median(const double *x, size_t n, int resamples, uint64_t seed, double *work,
                         int *counts, double *median, double *lo, double *hi)
{
    /* A resample of sorted values is known by how often it drew each position, and its median
     * is found by walking those counts: O(n) per resample, no sorting, no selection. */
    double *sorted = work, *medians = work + n;
    memcpy(sorted, x, n * sizeof *x);
    qsort(sorted, n, sizeof *sorted, cmp_double);
    *median = hs_quantile(sorted, n, 0.5);
    size_t k_lo = (n - 1) / 2, k_hi = n / 2; /* the middle order statistics (equal when n is odd) */
    hs_rng rng;
    hs_rng_seed(&rng, seed, 0);
    for (int b = 0; b < resamples; b++) {
        memset(counts, 0, n * sizeof *counts);
        for (size_t i = 0; i < n; i++) counts[hs_rng_below(&rng, (uint32_t)n)]++;
        size_t seen = 0, i = 0;
        while (seen + (size_t)counts[i] <= k_lo) seen += (size_t)counts[i++];
        double a = sorted[i];
        while (seen + (size_t)counts[i] <= k_hi) seen += (size_t)counts[i++];
        medians[b] = (a + sorted[i]) / 2;
    }
    qsort(medians, (size_t)resamples, sizeof *medians, cmp_double);
    *lo = hs_quantile(medians, (size_t)resamples, 0.025);
    *hi = hs_quantile(medians, (size_t)resamples, 0.975);
}

double hs_rank_ties(const double *keys, int n, double *ranks, int *order)
{
    /* Insertion sort of indices: n is a handful of roles, and it keeps equal keys stable. */
    for (int i = 0; i < n; i++) {
        int j = i;
        while (j > 0 && keys[order[j - 1]] > keys[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    double ties = 0;
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && keys[order[j]] == keys[order[i]]) j++;
        double avg = (i + 1 + j) / 2.0; /* ranks i+1 .. j */
        for (int k = i; k < j; k++) ranks[order[k]] = avg;
        double t = j - i;
        ties += t * t * t - t;
        i = j;
    }
    return ties;
}

double hs_kendall_w(const double *keys, int m, int n, double *work, int *iwork, const char **why)
{
    *why = NULL;
    if (m < 2) {
        *why = "fewer than 2 runs";
        return NAN;
    }
    if (n < 2) {
        *why = "fewer than 2 roles";
        return NAN;
    }
    double *ranks = work, *sums = work + n;
    for (int i = 0; i < n; i++) sums[i] = 0;
    double ties = 0;
    for (int r = 0; r < m; r++) {
        ties += hs_rank_ties(keys + (size_t)r * (size_t)n, n, ranks, iwork);
        for (int i = 0; i < n; i++) sums[i] += ranks[i];
    }
    double mean = m * (n + 1) / 2.0, s = 0;
    for (int i = 0; i < n; i++) s += (sums[i] - mean) * (sums[i] - mean);
    double dn = n, dm = m;
    double denom = dm * dm * (dn * dn * dn - dn) - dm * ties;
    /* Ranks are multiples of 1/2 and sums exact, so an all-ties denominator is exactly 0. */
    if (denom <= 1e-9) {
        *why = "every run ties all roles";
        return NAN;
    }
    return 12.0 * s / denom;
}

void hs_precedence_matrix(const double *keys, int m, int n, hs_precedence *out)
{
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) {
            hs_precedence *p = &out[(size_t)a * (size_t)n + (size_t)b];
            memset(p, 0, sizeof *p);
            p->p = NAN;
            if (a == b) continue;
            for (int r = 0; r < m; r++) {
                double ka = keys[(size_t)r * (size_t)n + (size_t)a];
                double kb = keys[(size_t)r * (size_t)n + (size_t)b];
                bool ea = isfinite(ka), eb = isfinite(kb);
                if (ea && eb) {
                    p->both++;
                    p->before += ka < kb ? 1.0 : ka == kb ? 0.5 : 0.0;
                } else if (ea) {
                    p->only_a++;
                    p->before += 1.0;
                } else if (eb) {
                    p->only_b++;
                }
            }
            int total = p->both + p->only_a + p->only_b;
            if (total) p->p = p->before / total;
        }
}

int hs_hops_monotone(const int *hop_steps, int n_hop_steps, const float *hop_acc, int n_hop_acc,
                     int hops)
{
    if (hops < 1 || n_hop_steps < hops + 1) return -1;
    double last = -1;
    int measured = 0;
    bool ok = true;
    for (int k = 1; k <= hops; k++) {
        if (n_hop_acc > 0 && (k >= n_hop_acc || isnan(hop_acc[k]))) continue;
        double s = hop_steps[k] < 0 ? INFINITY : hop_steps[k];
        if (measured++ && s < last) ok = false;
        last = s;
    }
    return measured < 2 ? -1 : ok;
}

/* Whether s solving seeds out of n make a solved cell. */
static bool enough(int s, int n, double fraction)
{
    if (fraction <= 0) return 2 * s > n;
    return s >= fraction * n - 1e-9;
}

hs_cell_verdict hs_cell_judge(int solved, int counted, int expected, double fraction)
{
    if (counted <= 0) return HS_CELL_EMPTY;
    if (expected < counted) expected = counted;
    int pending = expected - counted;
    /* The pending seeds all solving, or none of them: if both give the same answer, it holds. */
    bool best = enough(solved + pending, expected, fraction);
    bool worst = enough(solved, expected, fraction);
    if (best != worst) return HS_CELL_UNDECIDED;
    return best ? HS_CELL_SOLVED : HS_CELL_UNSOLVED;
}

/* ---------------------------------------------------------------------------------------------
 * The analysis: sorting runs into settings, families, groups and cells */

void hs_analyze_opts_default(hs_analyze_opts *o)
{
    o->tau = 0.95;
    o->fraction = 0;
    o->resamples = HS_ANALYZE_RESAMPLES;
    o->seed = HS_ANALYZE_BOOT_SEED;
}

/* The text of every config key but the four the analysis varies over: equal texts, same
 * setting. */
static char *setting_key(const hs_config *c)
{
    size_t cap = 256, len = 0;
    char *s = malloc(cap);
    if (!s) return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < hs_config_key_count(); i++) {
        const char *name = hs_config_key_name(i);
        if (!strcmp(name, "model.layers") || !strcmp(name, "train.seed") ||
            !strcmp(name, "task.hops") || !strcmp(name, "task.curriculum"))
            continue;
        char v[96];
        hs_config_format(c, i, v, sizeof v);
        size_t need = len + strlen(name) + strlen(v) + 3;
        if (need > cap) {
            while (cap < need) cap *= 2;
            char *t = realloc(s, cap);
            if (!t) {
                free(s);
                return NULL;
            }
            s = t;
        }
        len += (size_t)sprintf(s + len, "%s=%s\n", name, v);
    }
    return s;
}

typedef struct sort_item {
    size_t run;
    const hs_run_record *rec;
    char *setting;
} sort_item;

static int item_cmp(const void *pa, const void *pb)
{
    const sort_item *a = pa, *b = pb;
    int c = strcmp(a->setting, b->setting);
    if (c) return c;
    const hs_config *x = &a->rec->config, *y = &b->rec->config;
#define CMP(f)                                                                                     \
    if (x->f != y->f) return x->f < y->f ? -1 : 1
    CMP(task.curriculum);
    CMP(task.hops);
    CMP(model.layers);
    CMP(train.seed);
#undef CMP
    return strcmp(a->rec->id, b->rec->id);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorted distinct values of v[0..n) into v; returns how many. */
static int unique_ints(int *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_int);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!k || v[k - 1] != v[i]) v[k++] = v[i];
    return k;
}

static const hs_run_record *run_at(const hs_results *r, const hs_analysis *a, size_t i)
{
    return &r->runs[a->order[i]];
}

/* Labels every family with the keys whose values differ between settings. */
static hs_status label_families(const hs_results *r, hs_analysis *a, const size_t *setting_run,
                                hs_err *err)
{
    size_t nk = hs_config_key_count();
    if (!a->n_settings) return HS_OK;
    bool *varies = calloc(nk, sizeof *varies);
    if (!varies) return hs_fail(err, HS_ENOMEM, "out of memory labelling configurations");
    char v0[96], v[96];
    for (size_t k = 0; k < nk; k++) {
        const char *name = hs_config_key_name(k);
        if (!strcmp(name, "model.layers") || !strcmp(name, "train.seed") ||
            !strcmp(name, "task.hops") || !strcmp(name, "task.curriculum"))
            continue;
        hs_config_format(&r->runs[setting_run[0]].config, k, v0, sizeof v0);
        for (int s = 1; s < a->n_settings && !varies[k]; s++) {
            hs_config_format(&r->runs[setting_run[s]].config, k, v, sizeof v);
            varies[k] = strcmp(v, v0) != 0;
        }
    }
    hs_status st = HS_OK;
    for (int f = 0; f < a->n_families && !st; f++) {
        hs_family *fam = &a->families[f];
        const hs_config *c = &r->runs[setting_run[fam->setting]].config;
        size_t cap = 1, len = 0;
        for (size_t k = 0; k < nk; k++)
            if (varies[k]) cap += strlen(hs_config_key_name(k)) + sizeof v + 2;
        fam->label = malloc(cap);
        if (!fam->label) {
            st = hs_fail(err, HS_ENOMEM, "out of memory labelling configurations");
            break;
        }
        fam->label[0] = '\0';
        for (size_t k = 0; k < nk; k++) {
            if (!varies[k]) continue;
            hs_config_format(c, k, v, sizeof v);
            len += (size_t)sprintf(fam->label + len, "%s%s=%s", len ? " " : "",
                                   hs_config_key_name(k), v);
        }
    }
    free(varies);
    return st;
}

/* Scratch shared by every cell, grown as needed, so the per-cell work does not allocate. */
typedef struct scratch {
    double *d;
    size_t d_cap;
    int *i;
    size_t i_cap;
} scratch;

static bool scratch_need(scratch *s, size_t doubles, size_t ints)
{
    return grow((void **)&s->d, &s->d_cap, doubles, sizeof *s->d) &&
           grow((void **)&s->i, &s->i_cap, ints, sizeof *s->i);
}

/* Steps-to-solve, accuracy and the verdict of one cell. */
static bool cell_outcome(const hs_results *r, const hs_analysis *a, hs_cell *c, scratch *sc)
{
    if (!scratch_need(sc, c->count, 0)) return false;
    double acc_sum = 0;
    for (size_t i = c->first; i < c->first + c->count; i++) {
        const hs_run_record *run = run_at(r, a, i);
        if (run->status == HS_RUN_INTERRUPTED) {
            c->interrupted++;
            continue;
        }
        if (run->status == HS_RUN_FAILED) {
            c->failed++;
            continue;
        }
        c->done++;
        acc_sum += run->query_acc; /* NaN when missing: such a run's mean is unknown */
        if (!(run->query_acc >= a->opts.tau)) continue;
        c->solved++;
        int D = c->hops;
        if (D < run->n_hop_steps && run->hop_steps[D] >= 0)
            sc->d[c->n_steps++] = run->hop_steps[D];
        else
            c->unsolved_steps++;
    }
    c->mean_acc = c->done ? acc_sum / c->done : NAN;
    c->median_steps = NAN;
    if (c->n_steps) {
        qsort(sc->d, (size_t)c->n_steps, sizeof *sc->d, cmp_double);
        c->median_steps = hs_quantile(sc->d, (size_t)c->n_steps, 0.5);
    }
    c->verdict = hs_cell_judge(c->solved, c->done + c->failed, c->expected, a->opts.fraction);
    return true;
}

/* Head and hop emergence across the done runs of one cell. role_slot[] maps a role to its item
 * index within the cell and is -1 everywhere on entry and on return. */
static bool cell_emergence(const hs_results *r, const hs_analysis *a, hs_cell *c, scratch *sc,
                           int *role_slot)
{
    hs_emergence *em = &c->em;
    em->w = NAN;
    int m = 0;
    size_t max_items = 0;
    for (size_t i = c->first; i < c->first + c->count; i++) {
        const hs_run_record *run = run_at(r, a, i);
        if (run->status != HS_RUN_DONE) continue;
        int mono = hs_hops_monotone(run->hop_steps, run->n_hop_steps, run->hop_acc,
                                    run->n_hop_acc, c->hops);
        if (mono >= 0) {
            em->mono_of++;
            em->mono += mono;
        }
        if (!run->has_heads) continue;
        m++;
        max_items += (size_t)run->n_emerged;
    }
    em->runs = m;
    if (!m) return true;

    /* Items: the union of the emerged roles, in role order (a cell has a handful). */
    em->roles = calloc(max_items + 1, sizeof *em->roles);
    if (!em->roles) return false;
    int n = 0;
    for (size_t i = c->first; i < c->first + c->count; i++) {
        const hs_run_record *run = run_at(r, a, i);
        if (run->status != HS_RUN_DONE || !run->has_heads) continue;
        for (int j = 0; j < run->n_emerged; j++) {
            int role = run->emerged[j];
            if (role_slot[role] >= 0) continue;
            role_slot[role] = 0;
            int k = n++;
            while (k > 0 && role_cmp(&r->roles[em->roles[k - 1].role], &r->roles[role]) > 0) {
                em->roles[k] = em->roles[k - 1];
                k--;
            }
            em->roles[k].role = role;
        }
    }
    em->n_roles = n;
    for (int k = 0; k < n; k++) role_slot[em->roles[k].role] = k;

    bool ok = false;
    int resamples = a->opts.resamples > 0 ? a->opts.resamples : 1;
    size_t mn = (size_t)m * (size_t)n;
    em->prec = calloc((size_t)n * (size_t)n + 1, sizeof *em->prec);
    em->modal = malloc(sizeof *em->modal * ((size_t)n + 1));
    /* doubles: keys [m][n], one role's steps [m], then work for the bootstrap (m + resamples)
     * or Kendall's W (2n); ints: the order index of each rater [m], then work for W's sort
     * order [n] or the bootstrap's counts [m]. */
    if (!em->prec || !em->modal ||
        !scratch_need(sc, mn + 2 * (size_t)m + (size_t)resamples + 2 * (size_t)n,
                      2 * (size_t)m + (size_t)n))
        goto out;
    double *keys = sc->d, *steps = keys + mn, *work = steps + m;
    int *rater = sc->i, *iwork = sc->i + m;

    /* keys[rater][item]: the step (or, when a step is missing, the position) at which the run's
     * role emerged; INFINITY = never. */
    int rr = 0;
    for (size_t i = c->first; i < c->first + c->count; i++) {
        const hs_run_record *run = run_at(r, a, i);
        if (run->status != HS_RUN_DONE || !run->has_heads) continue;
        double *row = keys + (size_t)rr * (size_t)n;
        for (int k = 0; k < n; k++) row[k] = INFINITY;
        bool timed = true;
        for (int j = 0; j < run->n_emerged; j++) timed &= run->emerged_step[j] >= 0;
        for (int j = 0; j < run->n_emerged; j++) {
            int k = role_slot[run->emerged[j]];
            row[k] = timed ? run->emerged_step[j] : j;
            em->roles[k].emerged++;
        }
        rater[rr++] = (int)i;
    }
    /* Per role: step statistics over the runs where it emerged with a known step. */
    for (int k = 0; k < n; k++) {
        hs_role_stat *rs = &em->roles[k];
        rs->never = m - rs->emerged;
        rs->median = rs->q1 = rs->q3 = rs->ci_lo = rs->ci_hi = NAN;
        int t = 0;
        for (int j = 0; j < m; j++) {
            const hs_run_record *run = run_at(r, a, (size_t)rater[j]);
            for (int e = 0; e < run->n_emerged; e++)
                if (run->emerged[e] == rs->role && run->emerged_step[e] >= 0)
                    steps[t++] = run->emerged_step[e];
        }
        rs->timed = t;
        if (!t) continue;
        hs_bootstrap_median(steps, (size_t)t, resamples, a->opts.seed, work, iwork,
                            &rs->median, &rs->ci_lo, &rs->ci_hi);
        qsort(steps, (size_t)t, sizeof *steps, cmp_double);
        rs->q1 = hs_quantile(steps, (size_t)t, 0.25);
        rs->q3 = hs_quantile(steps, (size_t)t, 0.75);
    }
    hs_precedence_matrix(keys, m, n, em->prec);
    em->w = hs_kendall_w(keys, m, n, work, iwork, &em->w_why);

    /* The modal order: every rater's order against every other's (a cell has few seeds). The
     * first rater of each distinct order stands for it, so ties go to the lowest seed. */
    int best = 0, best_count = 0;
    for (int j = 0; j < m; j++) {
        const hs_run_record *x = run_at(r, a, (size_t)rater[j]);
        int count = 0;
        bool first_of_kind = true;
        for (int q = 0; q < m; q++) {
            const hs_run_record *y = run_at(r, a, (size_t)rater[q]);
            if (x->n_emerged != y->n_emerged ||
                (x->n_emerged &&
                 memcmp(x->emerged, y->emerged, sizeof *x->emerged * (size_t)x->n_emerged)))
                continue;
            count++;
            if (q < j) first_of_kind = false;
        }
        if (!first_of_kind) continue;
        em->orders++;
        if (count > best_count) {
            best = j;
            best_count = count;
            em->modal_ties = 0;
        } else if (count == best_count) {
            em->modal_ties++;
        }
    }
    const hs_run_record *modal = run_at(r, a, (size_t)rater[best]);
    em->n_modal = modal->n_emerged;
    if (em->n_modal) memcpy(em->modal, modal->emerged, sizeof *em->modal * (size_t)em->n_modal);
    em->modal_runs = best_count;
    ok = true;
out:
    for (int k = 0; k < n; k++) role_slot[em->roles[k].role] = -1;
    return ok;
}

/* t_min of a group from the verdicts of its cells (ascending layers). */
static void group_min_layers(hs_analysis *a, hs_group *g)
{
    g->theory = hs_theory_min_layers(g->hops);
    g->kind = HS_TMIN_ABOVE;
    g->t_min = 0;
    for (size_t i = g->first_cell; i < g->first_cell + g->n_cells; i++) {
        const hs_cell *c = &a->cells[i];
        g->t_min = c->layers;
        if (c->verdict == HS_CELL_SOLVED) {
            g->kind = HS_TMIN_FOUND;
            break;
        }
        if (c->verdict != HS_CELL_UNSOLVED) {
            g->kind = HS_TMIN_UNKNOWN;
            break;
        }
    }
    switch (g->kind) {
    case HS_TMIN_FOUND:
        g->agree = g->t_min == g->theory;
        break;
    case HS_TMIN_ABOVE:
        /* The theory's depth was tried and failed: already a disagreement. */
        g->agree = g->t_min >= g->theory ? 0 : -1;
        break;
    default:
        /* Every depth below t_min failed: past the theory, it already disagrees. */
        g->agree = g->t_min > g->theory ? 0 : -1;
        break;
    }
}

hs_status hs_analyze(const hs_results *r, const hs_analyze_opts *o, hs_analysis *a, hs_err *err)
{
    memset(a, 0, sizeof *a);
    a->opts = *o;
    size_t n = r->n;
    sort_item *items = calloc(n + 1, sizeof *items);
    size_t *setting_run = NULL;
    int *role_slot = NULL;
    uint64_t *seeds_buf = NULL;
    scratch sc = {0};
    hs_status st = HS_OK;
    a->order = malloc(sizeof *a->order * (n + 1));
    if (!items || !a->order) goto nomem;
    for (size_t i = 0; i < n; i++) {
        items[i].run = i;
        items[i].rec = &r->runs[i];
        items[i].setting = setting_key(&r->runs[i].config);
        if (!items[i].setting) goto nomem;
    }
    qsort(items, n, sizeof *items, item_cmp);
    a->n_runs = n;
    for (size_t i = 0; i < n; i++) a->order[i] = items[i].run;

    /* Count the boundaries first, then fill: settings, families, groups, cells. */
    size_t n_fam = 0, n_grp = 0, n_cell = 0, n_set = 0;
    for (size_t i = 0; i < n; i++) {
        const hs_config *c = &items[i].rec->config, *p = i ? &items[i - 1].rec->config : NULL;
        bool new_set = !i || strcmp(items[i].setting, items[i - 1].setting);
        bool new_fam = new_set || c->task.curriculum != p->task.curriculum;
        bool new_grp = new_fam || c->task.hops != p->task.hops;
        bool new_cell = new_grp || c->model.layers != p->model.layers;
        n_set += new_set, n_fam += new_fam, n_grp += new_grp, n_cell += new_cell;
    }
    a->families = calloc(n_fam + 1, sizeof *a->families);
    a->groups = calloc(n_grp + 1, sizeof *a->groups);
    a->cells = calloc(n_cell + 1, sizeof *a->cells);
    setting_run = malloc(sizeof *setting_run * (n_set + 1));
    role_slot = malloc(sizeof *role_slot * ((size_t)r->n_roles + 1));
    seeds_buf = malloc(sizeof *seeds_buf * (n + 1));
    if (!a->families || !a->groups || !a->cells || !setting_run || !role_slot || !seeds_buf)
        goto nomem;
    for (int i = 0; i < r->n_roles; i++) role_slot[i] = -1;
    for (size_t i = 0; i < n; i++) {
        const hs_run_record *run = items[i].rec;
        const hs_config *c = &run->config, *p = i ? &items[i - 1].rec->config : NULL;
        bool new_set = !i || strcmp(items[i].setting, items[i - 1].setting);
        bool new_fam = new_set || c->task.curriculum != p->task.curriculum;
        bool new_grp = new_fam || c->task.hops != p->task.hops;
        bool new_cell = new_grp || c->model.layers != p->model.layers;
        if (new_set) setting_run[a->n_settings++] = items[i].run;
        if (new_fam) {
            hs_family *f = &a->families[a->n_families++];
            f->curriculum = c->task.curriculum;
            f->setting = a->n_settings - 1;
            f->first_group = a->n_groups;
        }
        if (new_grp) {
            hs_group *g = &a->groups[a->n_groups++];
            g->family = a->n_families - 1;
            g->hops = c->task.hops;
            g->first_cell = a->n_cells;
            a->families[g->family].n_groups++;
        }
        if (new_cell) {
            hs_cell *cell = &a->cells[a->n_cells++];
            cell->family = a->n_families - 1;
            cell->group = (int)a->n_groups - 1;
            cell->hops = c->task.hops;
            cell->layers = c->model.layers;
            cell->first = i;
            a->groups[cell->group].n_cells++;
        }
        a->cells[a->n_cells - 1].count++;
        a->done += run->status == HS_RUN_DONE;
        a->failed += run->status == HS_RUN_FAILED;
        a->interrupted += run->status == HS_RUN_INTERRUPTED;
        a->with_heads += run->status == HS_RUN_DONE && run->has_heads;
    }
    st = label_families(r, a, setting_run, err);
    if (st) goto out;

    for (size_t gi = 0; gi < a->n_groups; gi++) {
        hs_group *g = &a->groups[gi];
        /* The seeds the group expects: every seed any of its records has. */
        size_t ns = 0;
        for (size_t ci = g->first_cell; ci < g->first_cell + g->n_cells; ci++) {
            const hs_cell *c = &a->cells[ci];
            for (size_t i = c->first; i < c->first + c->count; i++)
                seeds_buf[ns++] = run_at(r, a, i)->config.train.seed;
        }
        qsort(seeds_buf, ns, sizeof *seeds_buf, cmp_u64);
        g->expected = 0;
        for (size_t i = 0; i < ns; i++) g->expected += !i || seeds_buf[i] != seeds_buf[i - 1];
        for (size_t ci = g->first_cell; ci < g->first_cell + g->n_cells; ci++) {
            hs_cell *c = &a->cells[ci];
            c->expected = g->expected;
            if (!cell_outcome(r, a, c, &sc) || !cell_emergence(r, a, c, &sc, role_slot))
                goto nomem;
        }
        group_min_layers(a, g);
    }
    for (int fi = 0; fi < a->n_families; fi++) {
        hs_family *f = &a->families[fi];
        size_t nc = 0;
        for (size_t gi = f->first_group; gi < f->first_group + f->n_groups; gi++)
            nc += a->groups[gi].n_cells;
        f->hops_values = malloc(sizeof(int) * (f->n_groups + 1));
        f->layers_values = malloc(sizeof(int) * (nc + 1));
        if (!f->hops_values || !f->layers_values) goto nomem;
        int nl = 0;
        for (size_t gi = f->first_group; gi < f->first_group + f->n_groups; gi++) {
            const hs_group *g = &a->groups[gi];
            f->hops_values[f->n_hops++] = g->hops;
            for (size_t ci = g->first_cell; ci < g->first_cell + g->n_cells; ci++)
                f->layers_values[nl++] = a->cells[ci].layers;
        }
        f->n_layers = unique_ints(f->layers_values, nl);
    }
    goto out;
nomem:
    st = hs_fail(err, HS_ENOMEM, "out of memory analysing %zu runs", n);
out:
    if (items)
        for (size_t i = 0; i < n; i++) free(items[i].setting);
    free(items);
    free(setting_run);
    free(role_slot);
    free(seeds_buf);
    free(sc.d);
    free(sc.i);
    if (st) hs_analysis_free(a);
    return st;
}

void hs_analysis_free(hs_analysis *a)
{
    for (int i = 0; i < a->n_families; i++) {
        free(a->families[i].label);
        free(a->families[i].hops_values);
        free(a->families[i].layers_values);
    }
    for (size_t i = 0; i < a->n_cells; i++) {
        free(a->cells[i].em.roles);
        free(a->cells[i].em.prec);
        free(a->cells[i].em.modal);
    }
    free(a->families);
    free(a->groups);
    free(a->cells);
    free(a->order);
    memset(a, 0, sizeof *a);
}

long hs_analysis_cell_of(const hs_analysis *a, size_t run)
{
    for (size_t c = 0; c < a->n_cells; c++)
        for (size_t i = a->cells[c].first; i < a->cells[c].first + a->cells[c].count; i++)
            if (a->order[i] == run) return (long)c;
    return -1;
}

/* ---------------------------------------------------------------------------------------------
 * metrics.csv */

void hs_metrics_free(hs_metrics *m)
{
    free(m->step);
    free(m->hop_acc);
    free(m->head_name);
    for (int i = 0; i < m->n_role_names; i++) free(m->role_names[i]);
    free(m->role_names);
    free(m->head_role);
    free(m->head_score);
    memset(m, 0, sizeof *m);
}

/* Splits one CSV line (no quoting: hopsweep writes none) into at most max fields. */
static int split_fields(char *line, char **fields, int max)
{
    int n = 0;
    for (char *p = line;;) {
        if (n < max) fields[n] = p;
        n++;
        char *comma = strchr(p, ',');
        if (!comma) break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

hs_status hs_metrics_parse(hs_metrics *m, const char *text, size_t len, const char *path,
                           hs_err *err)
{
    memset(m, 0, sizeof *m);
    char *buf = malloc(len + 1);
    char **fields = NULL;
    int *col_of_hop = NULL, *col_of_head = NULL;
    hs_status st = HS_OK;
    if (!buf) goto nomem;
    memcpy(buf, text, len);
    buf[len] = '\0';
    int rows = 0, max_fields = 1;
    for (size_t i = 0; i < len; i++) {
        rows += buf[i] == '\n';
        max_fields += buf[i] == ',';
    }
    fields = malloc(sizeof *fields * (size_t)max_fields);
    if (!fields) goto nomem;
    char *line = buf, *next;
    next = strchr(line, '\n');
    if (next) *next = '\0';
    if (next && next > line && next[-1] == '\r') next[-1] = '\0';
    int nf = split_fields(line, fields, max_fields), step_col = -1, hops = -1;
    col_of_hop = malloc(sizeof *col_of_hop * (size_t)(nf + 1));
    if (!col_of_hop) goto nomem;
    for (int i = 0; i < nf; i++) {
        char *end;
        if (!strcmp(fields[i], "step")) step_col = i;
        if (strncmp(fields[i], "hop_", 4) || fields[i][4] < '0' || fields[i][4] > '9') continue;
        long k = strtol(fields[i] + 4, &end, 10);
        if (*end || k != hops + 1 || k >= nf) continue; /* hop columns come in order */
        col_of_hop[++hops] = i;
    }
    /* Head columns come in pairs, L<l>H<h>_role then L<l>H<h>_score. */
    col_of_head = malloc(sizeof *col_of_head * (size_t)(nf + 1));
    if (!col_of_head) goto nomem;
    for (int i = 0; i + 1 < nf; i++) {
        size_t n = strlen(fields[i]);
        if (fields[i][0] != 'L' || n < 6 || n - 5 >= sizeof *m->head_name ||
            strcmp(fields[i] + n - 5, "_role") || strncmp(fields[i + 1], fields[i], n - 5) ||
            strcmp(fields[i + 1] + n - 5, "_score"))
            continue;
        col_of_head[m->heads++] = i;
    }
    if (step_col < 0 || hops < 0) {
        st = hs_fail(err, HS_EINPUT,
                     "%s:1: no step and hop_0.. columns in the header; not a hopsweep metrics.csv",
                     path);
        goto out;
    }
    m->hops = hops;
    m->step = malloc(sizeof *m->step * ((size_t)rows + 1));
    m->hop_acc = malloc(sizeof *m->hop_acc * ((size_t)rows + 1) * (size_t)(hops + 1));
    if (!m->step || !m->hop_acc) goto nomem;
    if (m->heads) {
        size_t cells = ((size_t)rows + 1) * (size_t)m->heads;
        m->head_name = malloc(sizeof *m->head_name * (size_t)m->heads);
        m->head_role = malloc(sizeof *m->head_role * cells);
        m->head_score = malloc(sizeof *m->head_score * cells);
        m->role_names = malloc(sizeof *m->role_names * cells);
        if (!m->head_name || !m->head_role || !m->head_score || !m->role_names) goto nomem;
        for (int h = 0; h < m->heads; h++) {
            const char *f = fields[col_of_head[h]];
            snprintf(m->head_name[h], sizeof *m->head_name, "%.*s", (int)(strlen(f) - 5), f);
        }
    }
    int lineno = 1;
    while (next) {
        line = next + 1;
        lineno++;
        next = strchr(line, '\n');
        if (next) *next = '\0';
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r') line[--l] = '\0';
        if (!l) continue;
        if (!next) break; /* a last row without its newline: still being written */
        int k = split_fields(line, fields, max_fields);
        char *end;
        long step = strtol(fields[step_col], &end, 10);
        if (k < nf || *end || end == fields[step_col] || step < 0 || step > INT32_MAX) {
            st = hs_fail(err, HS_EINPUT, "%s:%d: a row with %s; the file is damaged", path,
                         lineno, k < nf ? "too few fields" : "a bad step");
            goto out;
        }
        m->step[m->rows] = (int)step;
        for (int h = 0; h <= hops; h++) {
            const char *f = fields[col_of_hop[h]];
            float v = NAN;
            if (*f) {
                v = strtof(f, &end);
                if (*end) {
                    st = hs_fail(err, HS_EINPUT, "%s:%d: hop_%d \"%s\" is not a number", path,
                                 lineno, h, f);
                    goto out;
                }
            }
            m->hop_acc[(size_t)m->rows * (size_t)(hops + 1) + (size_t)h] = v;
        }
        for (int h = 0; h < m->heads; h++) {
            const char *role = fields[col_of_head[h]], *score = fields[col_of_head[h] + 1];
            size_t cell = (size_t)m->rows * (size_t)m->heads + (size_t)h;
            int ri = -1;
            for (int i = 0; *role && i < m->n_role_names && ri < 0; i++)
                if (!strcmp(m->role_names[i], role)) ri = i;
            if (*role && ri < 0) {
                if (!(m->role_names[m->n_role_names] = strdup(role))) goto nomem;
                ri = m->n_role_names++;
            }
            m->head_role[cell] = ri;
            m->head_score[cell] = NAN;
            if (*score) {
                m->head_score[cell] = strtof(score, &end);
                if (*end) {
                    st = hs_fail(err, HS_EINPUT, "%s:%d: %s_score \"%s\" is not a number", path,
                                 lineno, m->head_name[h], score);
                    goto out;
                }
            }
        }
        m->rows++;
    }
    goto out;
nomem:
    st = hs_fail(err, HS_ENOMEM, "out of memory reading %s", path);
out:
    free(buf);
    free(fields);
    free(col_of_hop);
    free(col_of_head);
    if (st) hs_metrics_free(m);
    return st;
}

hs_status hs_metrics_load(hs_metrics *m, const char *path, hs_err *err)
{
    char *data = NULL;
    size_t n = 0;
    memset(m, 0, sizeof *m);
    hs_status st = hs_read_file(path, (size_t)1 << 30, &data, &n, err);
    if (!st) st = hs_metrics_parse(m, data, n, path, err);
    free(data);
    return st;
}
