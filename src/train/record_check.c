/* record_check.c — the store's strict check of a job record read back from runs.jsonl
 * (hs_record_check_line): every field of DESIGN §3 of the right type, the id its config's hash.
 * Part of the record module (record.c writes and parses the same format). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/buildinfo.h"
#include "hopsweep/job.h"
#include "hopsweep/record.h"
#include "hopsweep/task.h"

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
static bool is_null(const yaml_node_t *n) { return n && hs_jl_is_null(n); }

static bool string_or_null_ok(const yaml_node_t *n) { return hs_jl_is_string(n) || is_null(n); }

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

/* The config object: sections of keys, each set over the defaults as a `key=value` would
 * (config.c's walker, strict: every key known and of the kind hs_config_json writes). */
static bool read_config(rcheck *c, const yaml_node_t *cfg, hs_config *out)
{
    const hs_config_reader r = {.mode = HS_CONFIG_READ_JSON};
    hs_err re = {0};
    hs_config_default(out);
    if (hs_config_read_node(out, c->d, cfg, &r, &re)) {
        snprintf(c->buf, c->len, "%s", re.msg);
        return refuse(c, c->buf);
    }
    hs_err e = {0};
    if (hs_config_validate(out, &e)) {
        snprintf(c->buf, c->len, "config: %.200s", e.msg);
        return refuse(c, c->buf);
    }
    return true;
}

/* The store's view of a checked record; the strings point into the document. */
typedef struct record_view {
    char id[17];
    hs_config config; /* the record's config over the defaults, validated */
    hs_run_status status;
    const char *files[3]; /* files.metrics, .attention, .model; NULL for null */
    long long sizes[3];   /* sizes.metrics, ...; -1 for null or absent */
} record_view;

/* The strict check of record.h (above hs_record_check_line). */
static bool record_check(yaml_document_t *d, const yaml_node_t *root, record_view *v, char *why_buf,
                         size_t why_len, const char **why)
{
    rcheck c = {.d = d, .buf = why_buf, .len = why_len, .why = why};
    memset(v, 0, sizeof *v);
    *why = NULL;
    if (!root || root->type != YAML_MAPPING_NODE) return refuse(&c, "not a JSON object");
    /* Two equal keys: JSON parsers disagree on which one wins, so trust neither. (A record has
     * 15 keys; the bound keeps the pairwise check small on a forged line.) */
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
    if (!hs_jl_is_string(st) ||
        !hs_run_status_parse(hs_jl_scalar_text(st), st->data.scalar.length, &v->status))
        return refuse(&c,
                      st ? "a \"status\" other than done, failed or interrupted" : "no \"status\"");
    if (!read_config(&c, hs_jl_map_get(d, root, "config"), &v->config)) return false;
    char want[17];
    hs_config_id(&v->config, want);
    if (strcmp(want, v->id)) {
        snprintf(why_buf, why_len, "an \"id\" that is not the hash of its config (%s)", want);
        return refuse(&c, why_buf);
    }

    if (!is_count(hs_jl_map_get(d, root, "steps"))) return refuse(&c, "no \"steps\" count");
    const yaml_node_t *fin = hs_jl_map_get(d, root, "final");
    if (!fin || fin->type != YAML_MAPPING_NODE ||
        !number_or_null(&c, hs_jl_map_get(d, fin, "loss")) ||
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
        if (!string_or_null_ok(f))
            return refuse(&c, "a \"files\" entry that is not a path or null");
        v->files[i] = is_null(f) ? NULL : hs_jl_scalar_text(f);
    }
    const yaml_node_t *sizes = hs_jl_map_get(d, root, "sizes"); /* optional: newer records */
    if (sizes && sizes->type != YAML_MAPPING_NODE)
        return refuse(&c, "a \"sizes\" that is not an object");
    for (int i = 0; i < 3; i++) {
        const yaml_node_t *f = sizes ? hs_jl_map_get(d, sizes, names[i]) : NULL;
        double b;
        v->sizes[i] = -1;
        if (!f || is_null(f)) continue;
        if (!hs_jl_scalar_double(f, &b) || !(b >= 0 && b < 9007199254740992.0) || b != (long long)b)
            return refuse(&c, "a \"sizes\" entry that is not a byte count or null");
        v->sizes[i] = (long long)b;
    }
    static const char *const strings[] = {"sweep", "error", "host"};
    for (int i = 0; i < 3; i++) {
        const yaml_node_t *f = hs_jl_map_get(d, root, strings[i]);
        if (f && !string_or_null_ok(f))
            return refuse(&c, "a \"sweep\", \"error\" or \"host\" that is not text");
    }
    const yaml_node_t *build = hs_jl_map_get(d, root, "build"); /* absent before issue 23 */
    if (build && (build->type != YAML_MAPPING_NODE ||
                  !string_or_null_ok(hs_jl_map_get(d, build, "version")) ||
                  !string_or_null_ok(hs_jl_map_get(d, build, "commit"))))
        return refuse(&c, "a \"build\" that is not {version, commit} of text");
    const yaml_node_t *rank = hs_jl_map_get(d, root, "rank"),
                      *wall = hs_jl_map_get(d, root, "wall_s");
    if ((rank && !is_count(rank)) || (wall && !number_or_null(&c, wall)))
        return refuse(&c, "a \"rank\" or \"wall_s\" that is not a number");
    return true;
}

hs_record_result hs_record_check_line(const char *line, size_t len, char id[17],
                                      hs_run_status *status, long long sizes[3], char *why_buf,
                                      size_t why_len, const char **why)
{
    yaml_document_t doc;
    switch (hs_jl_load_object(line, len, &doc, why)) {
    case HS_JL_OK: break;
    case HS_JL_NOMEM: return HS_RECORD_NOMEM;
    default: return HS_RECORD_BAD; /* the scanner skips blank lines before asking */
    }
    record_view v;
    hs_record_result r = HS_RECORD_BAD;
    if (!record_check(&doc, yaml_document_get_root_node(&doc), &v, why_buf, why_len, why))
        goto done;
    static const char *const names[3] = {HS_JOB_METRICS, HS_JOB_ATTENTION, HS_JOB_MODEL};
    for (int i = 0; i < 3; i++) {
        char want[64];
        hs_job_path(want, sizeof want, NULL, v.id, names[i], NULL);
        if (v.files[i] && strcmp(v.files[i], want)) {
            *why = "a \"files\" path outside the job's folder jobs/<id>/";
            goto done;
        }
    }
    memcpy(id, v.id, 17);
    *status = v.status;
    if (sizes) memcpy(sizes, v.sizes, sizeof v.sizes);
    r = HS_RECORD_OK;
done:
    yaml_document_delete(&doc);
    return r;
}
