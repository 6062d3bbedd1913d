/* record.c — the job record: id, config, status, timings, final metrics, emergence; written
 * by hs_record_json, checked when read back by hs_record_check. */
#include "hopsweep/record.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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
    if (s)
        hs_json_string(j, s);
    else
        hs_json_null(j);
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
    hs_json_config(j, cfg);
    hs_json_key(j, "status");
    bool done = res->status == HS_OK && !res->interrupted;
    hs_json_string(j, hs_run_status_name(res->status != HS_OK ? HS_RUN_FAILED
                                         : done              ? HS_RUN_DONE
                                                             : HS_RUN_INTERRUPTED));
    string_or_null(j, "error", done ? NULL : res->error);
    string_or_null(j, "host", meta->host);
    string_or_null(j, "engine", res->engine[0] ? res->engine : NULL);
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
    hs_json_object_end(j);
}

/* ---------------------------------------------------------------------------------------------
 * Checking a record read back */

typedef struct {
    yaml_document_t *d;
    char *buf;
    size_t len;
    const char **why;
} rcheck;

static bool refuse(rcheck *c, const char *why)
{
    *c->why = why;
    return false;
}

static bool is_number(const yaml_node_t *n)
{
    double v;
    return n && hs_jl_scalar_double(n, &v);
}

static bool is_count(const yaml_node_t *n)
{
    int v;
    return n && hs_jl_scalar_int(n, &v) && v >= 0;
}

static bool is_int(const yaml_node_t *n)
{
    int v;
    return n && hs_jl_scalar_int(n, &v);
}

/* JSON null: present and written null (absent is not null here: every field is written). */
static bool is_null(const yaml_node_t *n)
{
    return n && hs_jl_is_null(n);
}

static bool string_or_null_ok(const yaml_node_t *n)
{
    return hs_jl_is_string(n) || is_null(n);
}

/* An array whose items all pass ok (ok(NULL) never passes). */
static bool array_of(rcheck *c, const yaml_node_t *n, bool (*ok)(rcheck *, const yaml_node_t *))
{
    if (!n || n->type != YAML_SEQUENCE_NODE) return false;
    for (size_t i = 0; i < hs_jl_seq_len(n); i++)
        if (!ok(c, hs_jl_seq_at(c->d, n, i))) return false;
    return true;
}

static bool number_or_null(rcheck *c, const yaml_node_t *n)
{
    (void)c;
    return is_null(n) || is_number(n);
}

static bool count_or_null(rcheck *c, const yaml_node_t *n)
{
    (void)c;
    return is_null(n) || is_count(n);
}

static bool string_item(rcheck *c, const yaml_node_t *n)
{
    (void)c;
    return hs_jl_is_string(n);
}

static bool head_item(rcheck *c, const yaml_node_t *h)
{
    if (!h || h->type != YAML_MAPPING_NODE) return false;
    return is_int(hs_jl_map_get(c->d, h, "layer")) && is_int(hs_jl_map_get(c->d, h, "head")) &&
           hs_jl_is_string(hs_jl_map_get(c->d, h, "role")) &&
           number_or_null(c, hs_jl_map_get(c->d, h, "score")) &&
           count_or_null(c, hs_jl_map_get(c->d, h, "step"));
}

/* The config object: sections of keys, each set over the defaults as a `key=value` would. */
static bool read_config(rcheck *c, const yaml_node_t *cfg, hs_config *out)
{
    if (!cfg || cfg->type != YAML_MAPPING_NODE) return refuse(c, "no \"config\" object");
    hs_config_default(out);
    for (const yaml_node_pair_t *p = cfg->data.mapping.pairs.start; p < cfg->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *sk = yaml_document_get_node(c->d, p->key);
        const yaml_node_t *sv = yaml_document_get_node(c->d, p->value);
        if (!sv || sv->type != YAML_MAPPING_NODE) return refuse(c, "a config section that is not an object");
        for (const yaml_node_pair_t *q = sv->data.mapping.pairs.start;
             q < sv->data.mapping.pairs.top; q++) {
            const yaml_node_t *k = yaml_document_get_node(c->d, q->key);
            const yaml_node_t *v = yaml_document_get_node(c->d, q->value);
            char key[96];
            int n = snprintf(key, sizeof key, "%s.%s", hs_jl_scalar_text(sk), hs_jl_scalar_text(k));
            if (n < 0 || (size_t)n >= sizeof key) return refuse(c, "a config key too long");
            if (hs_config_key_index(key) < 0) {
                snprintf(c->buf, c->len, "config key %.80s unknown to this hopsweep", key);
                return refuse(c, c->buf);
            }
            /* enums are strings, numbers and booleans are not: as hs_json_config writes them */
            bool want_string = hs_config_key_kind((size_t)hs_config_key_index(key)) == HS_KEY_ENUM;
            if (!v || v->type != YAML_SCALAR_NODE || is_null(v) || hs_jl_is_string(v) != want_string) {
                snprintf(c->buf, c->len, "config key %.80s holds the wrong kind of value", key);
                return refuse(c, c->buf);
            }
            hs_err e = {0};
            if (hs_config_set(out, key, hs_jl_scalar_text(v), &e)) {
                snprintf(c->buf, c->len, "config: %.200s", e.msg);
                return refuse(c, c->buf);
            }
        }
    }
    hs_err e = {0};
    if (hs_config_validate(out, &e)) {
        snprintf(c->buf, c->len, "config: %.200s", e.msg);
        return refuse(c, c->buf);
    }
    return true;
}

bool hs_record_check(yaml_document_t *d, const yaml_node_t *root, hs_record_view *v,
                     char *why_buf, size_t why_len, const char **why)
{
    rcheck c = {.d = d, .buf = why_buf, .len = why_len, .why = why};
    memset(v, 0, sizeof *v);
    *why = NULL;
    if (!root || root->type != YAML_MAPPING_NODE) return refuse(&c, "not a JSON object");
    /* Two equal keys: JSON parsers disagree on which one wins, so trust neither. (A record has
     * 14 keys; the bound keeps the pairwise check small on a forged line.) */
    if (root->data.mapping.pairs.top - root->data.mapping.pairs.start > 64)
        return refuse(&c, "more than 64 keys");
    for (const yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top; p++)
        for (const yaml_node_pair_t *q = root->data.mapping.pairs.start; q < p; q++) {
            const yaml_node_t *a = yaml_document_get_node(d, p->key);
            if (hs_jl_scalar_is(yaml_document_get_node(d, q->key), hs_jl_scalar_text(a)))
                return refuse(&c, "a repeated key");
        }
    const yaml_node_t *id = hs_jl_map_get(d, root, "id");
    const char *t = hs_jl_is_string(id) ? hs_jl_scalar_text(id) : NULL;
    if (!t || strlen(t) != 16 || strspn(t, "0123456789abcdef") != 16)
        return refuse(&c, id ? "an \"id\" that is not 16 lowercase hex digits" : "no \"id\"");
    memcpy(v->id, t, 17);
    const yaml_node_t *st = hs_jl_map_get(d, root, "status");
    if (!hs_jl_is_string(st) || !hs_run_status_parse(hs_jl_scalar_text(st), st->data.scalar.length, &v->status))
        return refuse(&c, st ? "a \"status\" other than done, failed or interrupted" : "no \"status\"");
    if (!read_config(&c, hs_jl_map_get(d, root, "config"), &v->config)) return false;
    char want[17];
    hs_config_id(&v->config, want);
    if (strcmp(want, v->id)) {
        snprintf(why_buf, why_len, "an \"id\" that is not the hash of its config (%s)", want);
        return refuse(&c, why_buf);
    }

    if (!is_count(hs_jl_map_get(d, root, "steps"))) return refuse(&c, "no \"steps\" count");
    const yaml_node_t *fin = hs_jl_map_get(d, root, "final");
    if (!fin || fin->type != YAML_MAPPING_NODE || !number_or_null(&c, hs_jl_map_get(d, fin, "loss")) ||
        !number_or_null(&c, hs_jl_map_get(d, fin, "query_acc")) ||
        !array_of(&c, hs_jl_map_get(d, fin, "hop_acc"), number_or_null))
        return refuse(&c, "no \"final\" {loss, query_acc, hop_acc} of numbers");
    const yaml_node_t *em = hs_jl_map_get(d, root, "emergence");
    if (!em || em->type != YAML_MAPPING_NODE ||
        !array_of(&c, hs_jl_map_get(d, em, "hop_steps"), count_or_null) ||
        !array_of(&c, hs_jl_map_get(d, em, "heads"), head_item) ||
        !array_of(&c, hs_jl_map_get(d, em, "order"), string_item))
        return refuse(&c, "no \"emergence\" {hop_steps, heads, order} of the right kinds");
    const yaml_node_t *files = hs_jl_map_get(d, root, "files");
    static const char *const names[] = {"metrics", "attention", "model"};
    if (!files || files->type != YAML_MAPPING_NODE) return refuse(&c, "no \"files\" object");
    for (int i = 0; i < 3; i++) {
        const yaml_node_t *f = hs_jl_map_get(d, files, names[i]);
        if (!string_or_null_ok(f)) return refuse(&c, "a \"files\" entry that is not a path or null");
        v->files[i] = is_null(f) ? NULL : hs_jl_scalar_text(f);
    }
    static const char *const strings[] = {"sweep", "error", "host"};
    for (int i = 0; i < 3; i++) {
        const yaml_node_t *f = hs_jl_map_get(d, root, strings[i]);
        if (f && !string_or_null_ok(f)) return refuse(&c, "a \"sweep\", \"error\" or \"host\" that is not text");
    }
    const yaml_node_t *rank = hs_jl_map_get(d, root, "rank"), *wall = hs_jl_map_get(d, root, "wall_s");
    if ((rank && !is_count(rank)) || (wall && !number_or_null(&c, wall)))
        return refuse(&c, "a \"rank\" or \"wall_s\" that is not a number");
    return true;
}
