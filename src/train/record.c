/* record.c — the job record (DESIGN §3) and runs.jsonl, the one module that knows their
 * format: the status words, the writer (hs_record_json), the analysis's tolerant parser
 * (hs_record_parse) and the line scanner both read runs.jsonl with (hs_runs_scan); the store's
 * strict check of a record read back (hs_record_check_line) is record_check.c. */
#include "hopsweep/record.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/buildinfo.h"
#include "hopsweep/train.h" /* hs_train_result */
#include "hopsweep/task.h"

static const char *const STATUS_NAMES[] = {"done", "failed", "interrupted", "none"};

const char *hs_run_status_name(hs_run_status s)
{
    return (unsigned)s < 4 ? STATUS_NAMES[s] : "none";
}

bool hs_run_status_parse(const char *name, size_t n, hs_run_status *out)
{
    for (int i = HS_RUN_DONE; i <= HS_RUN_INTERRUPTED; i++)
        if (strlen(STATUS_NAMES[i]) == n && !memcmp(name, STATUS_NAMES[i], n)) {
            *out = (hs_run_status)i;
            return true;
        }
    return false;
}

static void string_or_null(hs_json *j, const char *key, const char *s)
{
    hs_json_key(j, key);
    hs_json_string_or_null(j, s);
}

void hs_record_json(hs_json *j, const hs_config *cfg, const hs_train_result *res,
                    const hs_record_meta *meta)
{
    char id[17];
    hs_config_id(cfg, id);
    int D = res->hops;
    hs_json_object_begin(j);
    hs_json_key(j, "id");
    hs_json_string(j, id);
    string_or_null(j, "sweep", meta->sweep);
    hs_json_key(j, "config");
    hs_config_json(j, cfg);
    hs_json_key(j, "status");
    bool done = res->err.code == HS_OK && !res->interrupted;
    hs_json_string(j, hs_run_status_name(res->err.code != HS_OK ? HS_RUN_FAILED
                                         : done                 ? HS_RUN_DONE
                                                                : HS_RUN_INTERRUPTED));
    string_or_null(j, "error", done ? NULL : res->err.msg);
    string_or_null(j, "host", meta->host);
    string_or_null(j, "engine", res->engine[0] ? res->engine : NULL);
    hs_json_key(j, "build"); /* which hopsweep made the record, for a store that mixes builds */
    hs_json_object_begin(j);
    string_or_null(j, "version", hs_build_version());
    string_or_null(j, "commit", hs_build_commit());
    hs_json_object_end(j);
    hs_json_key(j, "rank");
    hs_json_int(j, meta->rank);
    hs_json_key(j, "wall_s");
    hs_json_double(j, round(res->wall_s * 1000.0) / 1000.0);
    hs_json_key(j, "steps");
    hs_json_int(j, res->steps);
    if (cfg->task.train_examples > 0) { /* full passes over a fixed training set */
        hs_json_key(j, "epochs");
        hs_json_int(j, hs_trainset_epochs(cfg->task.train_examples, cfg->train.batch, res->steps));
    }
    hs_json_key(j, "early_stopped");
    hs_json_bool(j, res->early_stopped);

    hs_json_key(j, "final");
    hs_json_object_begin(j);
    hs_json_key(j, "loss");
    hs_json_float(j, res->final_loss);
    hs_json_key(j, "query_acc");
    hs_json_float(j, res->final_query_acc);
    hs_json_key(j, "hop_acc");
    hs_json_array_begin(j);
    for (int k = 0; k <= D; k++) hs_json_float(j, res->final_hop_acc[k]); /* NaN → null */
    hs_json_array_end(j);
    if (res->final_k_error) { /* hopk: the peer's metric, error per k on fresh sequences */
        hs_json_key(j, "k_error");
        hs_json_array_begin(j);
        for (int k = 0; k <= D; k++) hs_json_float(j, res->final_k_error[k]);
        hs_json_array_end(j);
    }
    hs_json_object_end(j);

    hs_json_key(j, "emergence");
    hs_json_object_begin(j);
    hs_json_key(j, "hop_steps");
    hs_json_array_begin(j);
    for (int k = 0; k <= D; k++) {
        if (res->hop_steps[k] < 0)
            hs_json_null(j);
        else
            hs_json_int(j, res->hop_steps[k]);
    }
    hs_json_array_end(j);
    char role[32];
    hs_json_key(j, "heads");
    hs_json_array_begin(j);
    for (int h = 0; h < res->n_heads; h++) {
        const hs_head_role *r = &res->heads[h];
        hs_probe_role_name(r->layer, r->bin, role, sizeof role);
        hs_json_object_begin(j);
        hs_json_key(j, "layer");
        hs_json_int(j, r->layer);
        hs_json_key(j, "head");
        hs_json_int(j, r->head);
        hs_json_key(j, "role");
        hs_json_string(j, role);
        hs_json_key(j, "score");
        hs_json_float(j, r->score);
        hs_json_key(j, "step");
        if (res->head_steps[h] < 0)
            hs_json_null(j);
        else
            hs_json_int(j, res->head_steps[h]);
        hs_json_object_end(j);
    }
    hs_json_array_end(j);
    hs_json_key(j, "order");
    hs_json_array_begin(j);
    for (int i = 0; i < res->n_order; i++) {
        const hs_head_role *r = &res->heads[res->order[i]];
        hs_probe_role_name(r->layer, r->bin, role, sizeof role);
        hs_json_string(j, role);
    }
    hs_json_array_end(j);
    hs_json_object_end(j);

    hs_json_key(j, "files");
    hs_json_object_begin(j);
    string_or_null(j, "metrics", meta->metrics);
    string_or_null(j, "attention", meta->attention);
    string_or_null(j, "model", meta->model);
    hs_json_object_end(j);
    if (meta->sizes[0] || meta->sizes[1] || meta->sizes[2]) {
        static const char *const names[3] = {"metrics", "attention", "model"};
        hs_json_key(j, "sizes");
        hs_json_object_begin(j);
        for (int i = 0; i < 3; i++) {
            hs_json_key(j, names[i]);
            if (meta->sizes[i] < 0)
                hs_json_null(j);
            else
                hs_json_double(j, (double)meta->sizes[i]);
        }
        hs_json_object_end(j);
    }
    hs_json_object_end(j);
}

/* ---------------------------------------------------------------------------------------------
 * Roles */

void hs_role_parse(hs_role *r)
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

int hs_role_cmp(const hs_role *a, const hs_role *b)
{
    if (a->layer != b->layer) return a->layer < b->layer ? -1 : 1;
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    if (a->delta != b->delta) return a->delta < b->delta ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* ---------------------------------------------------------------------------------------------
 * The analysis's reading of a record: tolerant of what an older writer lacks */

typedef struct parse_ctx {
    const hs_record_reader *rd;
    yaml_document_t *doc;
    char *why;
    size_t why_len;
    bool unknown; /* the config held a key this build does not know */
    char first_unknown[128];
} parse_ctx;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static hs_record_result
bad(parse_ctx *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->why, x->why_len, fmt, ap);
    va_end(ap);
    return HS_RECORD_BAD;
}

void hs_run_record_free(hs_run_record *run)
{
    free(run->hop_acc);
    free(run->k_error);
    free(run->hop_steps);
    free(run->emerged);
    free(run->emerged_step);
    free(run->metrics);
    free(run->attention);
    free(run->error);
    free(run->host);
    free(run->engine);
    free(run->build_version);
    free(run->build_commit);
    memset(run, 0, sizeof *run);
}

/* An unknown config key (from a newer hopsweep): passed to the reader's callback, the first kept. */
static void unknown_config_key(const char *key, void *user)
{
    parse_ctx *x = user;
    if (x->rd->unknown_key) x->rd->unknown_key(x->rd->user, key);
    if (!x->unknown) snprintf(x->first_unknown, sizeof x->first_unknown, "%s", key);
    x->unknown = true;
}

/* Applies a config mapping (sections nest; keys join with dots) on top of c: config.c's walker,
 * tolerant (unknown keys skipped, null keeps the default). */
static hs_record_result apply_config(parse_ctx *x, const yaml_node_t *map, hs_config *c)
{
    const hs_config_reader r = {
        .mode = HS_CONFIG_READ_JSON_TOLERANT, .unknown = unknown_config_key, .user = x};
    hs_err e = {0};
    if (hs_config_read_node(c, x->doc, map, &r, &e)) return bad(x, "%s", e.msg);
    return HS_RECORD_OK;
}

/* final.hop_acc or emergence.hop_steps: numbers or nulls. */
static hs_record_result read_hop_array(parse_ctx *x, const yaml_node_t *seq, bool ints, int *n_out,
                                       float **facc, int **isteps, const char *what)
{
    *n_out = 0;
    if (!seq || hs_jl_is_null(seq)) return HS_RECORD_OK;
    if (seq->type != YAML_SEQUENCE_NODE || hs_jl_seq_len(seq) > 100000000)
        return bad(x, "%s is not an array", what);
    size_t n = hs_jl_seq_len(seq);
    if (!n) return HS_RECORD_OK;
    if (ints ? !(*isteps = malloc(n * sizeof **isteps)) : !(*facc = malloc(n * sizeof **facc)))
        return HS_RECORD_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *v = hs_jl_seq_at(x->doc, seq, i);
        double d = NAN;
        int s = -1;
        if (!hs_jl_is_null(v) &&
            (ints ? !hs_jl_scalar_int(v, &s) || s < 0 : !hs_jl_scalar_double(v, &d)))
            return bad(x, "%s holds something other than %s or null", what,
                       ints ? "a step" : "a number");
        if (ints)
            (*isteps)[i] = s;
        else
            (*facc)[i] = (float)d;
    }
    *n_out = (int)n;
    return HS_RECORD_OK;
}

/* emergence.order (roles, repeats dropped) and the steps emergence.heads gives them. */
static hs_record_result read_emergence(parse_ctx *x, const yaml_node_t *em, hs_run_record *run)
{
    const yaml_node_t *order = hs_jl_map_get(x->doc, em, "order");
    if (!order || hs_jl_is_null(order)) return HS_RECORD_OK; /* an older writer: no head data */
    if (order->type != YAML_SEQUENCE_NODE) return bad(x, "emergence.order is not an array");
    size_t n = hs_jl_seq_len(order);
    const hs_config *c = &run->config;
    const size_t n_heads = (size_t)c->model.layers * (size_t)c->model.heads;
    const yaml_node_t *heads = hs_jl_map_get(x->doc, em, "heads");
    if (n > n_heads ||
        (heads && heads->type == YAML_SEQUENCE_NODE && hs_jl_seq_len(heads) > n_heads))
        return bad(x, "emergence lists more roles or heads than the model's %zu heads", n_heads);
    run->has_heads = true;
    if (!n) return HS_RECORD_OK;
    run->emerged = malloc(n * sizeof *run->emerged);
    run->emerged_step = malloc(n * sizeof *run->emerged_step);
    if (!run->emerged || !run->emerged_step) return HS_RECORD_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *v = hs_jl_seq_at(x->doc, order, i);
        if (!v || v->type != YAML_SCALAR_NODE || !v->data.scalar.length || hs_jl_is_null(v))
            return bad(x, "emergence.order holds something other than roles");
        hs_role claim = {.name = (char *)hs_jl_scalar_text(v)};
        hs_role_parse(&claim); /* a name it does not know sorts last; a layer must exist */
        if (claim.kind <= 3 && claim.layer > c->model.layers)
            return bad(x, "emergence.order holds a role of layer %d; the model has %d", claim.layer,
                       c->model.layers);
        int role = x->rd->role(x->rd->user, hs_jl_scalar_text(v), v->data.scalar.length);
        if (role < 0) return HS_RECORD_NOMEM;
        bool seen = false;
        for (int j = 0; j < run->n_emerged; j++) seen |= run->emerged[j] == role;
        if (seen) continue;
        run->emerged[run->n_emerged] = role;
        run->emerged_step[run->n_emerged++] = -1;
    }
    if (!heads || heads->type != YAML_SEQUENCE_NODE) return HS_RECORD_OK; /* steps unknown */
    const hs_role *roles = x->rd->roles(x->rd->user);
    for (size_t i = 0; i < hs_jl_seq_len(heads); i++) {
        const yaml_node_t *h = hs_jl_seq_at(x->doc, heads, i);
        const yaml_node_t *role = hs_jl_map_get(x->doc, h, "role"),
                          *step = hs_jl_map_get(x->doc, h, "step");
        int s;
        if (!role || role->type != YAML_SCALAR_NODE || hs_jl_is_null(step)) continue;
        if (!hs_jl_scalar_int(step, &s) || s < 0)
            return bad(x, "emergence.heads holds a step that is not a count");
        for (int j = 0; j < run->n_emerged; j++) {
            const char *name = roles[run->emerged[j]].name;
            if (strlen(name) == role->data.scalar.length &&
                !strcmp(name, hs_jl_scalar_text(role)) &&
                (run->emerged_step[j] < 0 || s < run->emerged_step[j]))
                run->emerged_step[j] = s;
        }
    }
    return HS_RECORD_OK;
}

static bool is_job_id(const yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.length != 16) return false;
    return strspn((const char *)n->data.scalar.value, "0123456789abcdef") == 16;
}

/* A copy of an optional string field into *out (NULL when absent or null); false: no memory. */
static bool opt_string(const yaml_node_t *n, char **out)
{
    *out = NULL;
    if (!n || n->type != YAML_SCALAR_NODE || hs_jl_is_null(n)) return true;
    return (*out = strdup(hs_jl_scalar_text(n))) != NULL;
}

static hs_record_result parse_record(parse_ctx *x, const yaml_node_t *root, hs_run_record *run)
{
    yaml_document_t *d = x->doc; /* root is an object: hs_jl_load_object checked */
    const yaml_node_t *id = hs_jl_map_get(d, root, "id"), *st = hs_jl_map_get(d, root, "status");
    if (!is_job_id(id)) return bad(x, "no \"id\" of 16 lowercase hex digits");
    memcpy(run->id, id->data.scalar.value, 16);
    run->id[16] = '\0';
    if (!st || st->type != YAML_SCALAR_NODE ||
        !hs_run_status_parse(hs_jl_scalar_text(st), st->data.scalar.length, &run->status))
        return bad(x, "no \"status\" of done, failed or interrupted");
    const yaml_node_t *cfg = hs_jl_map_get(d, root, "config");
    if (!cfg || cfg->type != YAML_MAPPING_NODE) return bad(x, "no \"config\" object");
    hs_config_default(&run->config);
    hs_record_result lr = apply_config(x, cfg, &run->config);
    if (lr != HS_RECORD_OK) return lr;
    /* Only a config the trainer would run: it bounds everything below by what a real job can
     * produce (hops, layers x heads), so no record can make the analysis loop or allocate
     * beyond that. */
    hs_err verr = {0};
    if (hs_config_validate(&run->config, &verr))
        return bad(x, "a config no job can have: %.400s", verr.msg);
    /* The id is the hash of the config the job ran: a line whose config hashes otherwise was
     * edited or forged, and the latest line of an id wins, so it would replace the real
     * result (F11). */
    char want[17];
    hs_config_id(&run->config, want);
    if (x->unknown)
        return bad(x, "config key %s unknown to this hopsweep, so its id cannot be checked",
                   x->first_unknown);
    if (strcmp(want, run->id))
        return bad(x, "an \"id\" that is not the hash of its config (%s); forged or edited", want);

    run->steps = -1;
    run->query_acc = run->loss = NAN;
    const yaml_node_t *steps = hs_jl_map_get(d, root, "steps");
    if (steps && !hs_jl_is_null(steps) && !hs_jl_scalar_int(steps, &run->steps)) run->steps = -1;
    const yaml_node_t *final = hs_jl_map_get(d, root, "final");
    const yaml_node_t *qa = hs_jl_map_get(d, final, "query_acc");
    if (qa && !hs_jl_is_null(qa) && !hs_jl_scalar_double(qa, &run->query_acc))
        return bad(x, "final.query_acc is not a number");
    const yaml_node_t *loss = hs_jl_map_get(d, final, "loss"); /* the per-run table shows it */
    if (loss && !hs_jl_is_null(loss) && !hs_jl_scalar_double(loss, &run->loss)) run->loss = NAN;
    lr = read_hop_array(x, hs_jl_map_get(d, final, "hop_acc"), false, &run->n_hop_acc,
                        &run->hop_acc, NULL, "final.hop_acc");
    if (lr != HS_RECORD_OK) return lr;
    lr = read_hop_array(x, hs_jl_map_get(d, final, "k_error"), false, &run->n_k_error,
                        &run->k_error, NULL, "final.k_error");
    if (lr != HS_RECORD_OK) return lr;
    const yaml_node_t *em = hs_jl_map_get(d, root, "emergence");
    lr = read_hop_array(x, hs_jl_map_get(d, em, "hop_steps"), true, &run->n_hop_steps, NULL,
                        &run->hop_steps, "emergence.hop_steps");
    if (lr != HS_RECORD_OK) return lr;
    if (run->n_hop_acc > run->config.task.hops + 1 ||
        run->n_hop_steps > run->config.task.hops + 1 || run->n_k_error > run->config.task.hops + 1)
        return bad(x, "more hop labels than task.hops=%d has", run->config.task.hops);
    if (em && em->type == YAML_MAPPING_NODE) {
        lr = read_emergence(x, em, run);
        if (lr != HS_RECORD_OK) return lr;
    }
    const yaml_node_t *files = hs_jl_map_get(d, root, "files");
    const yaml_node_t *build = hs_jl_map_get(d, root, "build");
    if (!opt_string(hs_jl_map_get(d, files, "metrics"), &run->metrics) ||
        !opt_string(hs_jl_map_get(d, files, "attention"), &run->attention) ||
        !opt_string(hs_jl_map_get(d, root, "error"), &run->error) ||
        !opt_string(hs_jl_map_get(d, root, "host"), &run->host) ||
        !opt_string(hs_jl_map_get(d, root, "engine"), &run->engine) ||
        !opt_string(hs_jl_map_get(d, build, "version"), &run->build_version) ||
        !opt_string(hs_jl_map_get(d, build, "commit"), &run->build_commit))
        return HS_RECORD_NOMEM;
    run->wall_s = NAN;
    const yaml_node_t *wall = hs_jl_map_get(d, root, "wall_s");
    if (wall && !hs_jl_is_null(wall) && !hs_jl_scalar_double(wall, &run->wall_s)) run->wall_s = NAN;
    return HS_RECORD_OK;
}

hs_record_result hs_record_parse(const char *line, size_t len, const hs_record_reader *rd,
                                 hs_run_record *run, char *why, size_t why_len)
{
    parse_ctx x = {.rd = rd, .why = why, .why_len = why_len};
    memset(run, 0, sizeof *run);
    why[0] = '\0';
    yaml_document_t doc;
    const char *jwhy;
    switch (hs_jl_load_object(line, len, &doc, &jwhy)) {
    case HS_JL_OK: break;
    case HS_JL_NOMEM: return HS_RECORD_NOMEM;
    case HS_JL_BLANK: return bad(&x, "a blank line");
    default: return bad(&x, "%s", jwhy);
    }
    x.doc = &doc;
    hs_record_result r = parse_record(&x, yaml_document_get_root_node(&doc), run);
    yaml_document_delete(&doc);
    return r;
}

/* ---------------------------------------------------------------------------------------------
 * runs.jsonl line by line */

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

hs_status hs_runs_scan(const char *text, size_t len, const char *path, hs_runs_line_fn fn,
                       void *user, hs_runs_scan_info *info, hs_err *err)
{
    memset(info, 0, sizeof *info);
    const char *p = text, *end = text + len;
    size_t lineno = 0;
    char why[512];
    for (const char *nl; (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1) {
        lineno++;
        const char *line = p;
        size_t n = (size_t)(nl - p);
        /* libyaml alone would refuse a leading tab */
        while (n && is_space(line[0])) line++, n--;
        while (n && is_space(line[n - 1])) n--;
        if (!n) continue;
        why[0] = '\0';
        switch (fn(line, n, lineno, user, why, sizeof why)) {
        case HS_RECORD_OK: info->lines++; break;
        case HS_RECORD_NOMEM:
            info->complete = (size_t)(p - text);
            return hs_fail(err, HS_ENOMEM, "%s: out of memory reading line %zu", path, lineno);
        default:
            if (!info->skipped++) {
                info->first_skipped = lineno;
                snprintf(info->first_why, sizeof info->first_why, "%s",
                         why[0] ? why : "not a record");
            }
        }
    }
    info->complete = (size_t)(p - text);
    return HS_OK;
}
