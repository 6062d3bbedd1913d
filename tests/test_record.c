/* test_record.c — the job record round trip (record.h): a result written by hs_record_json and
 * read back by both readers, the analysis's hs_record_parse compared field by field (config
 * key by key, final metrics, emergence, files, host, engine) and the store's
 * hs_record_check_line (id and status); the status words both ways; a failed and an
 * interrupted job; a record whose id is not its config's hash refused by both (finding F11);
 * and the line scanner both readers share (trimming, blanks, a partial last line, the first bad
 * line). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "messages.h"

#include "hopsweep/record.h"
#include "hopsweep/train.h"

/* The reader's role table: names in order of first appearance. */
typedef struct roles {
    hs_role r[32];
    int n;
} roles;

static int role_of(void *user, const char *name, size_t len)
{
    roles *t = user;
    for (int i = 0; i < t->n; i++)
        if (strlen(t->r[i].name) == len && !memcmp(t->r[i].name, name, len)) return i;
    assert_true(t->n < 32);
    t->r[t->n].name = strndup(name, len);
    assert_non_null(t->r[t->n].name);
    hs_role_parse(&t->r[t->n]);
    return t->n++;
}

static const hs_role *roles_all(void *user) { return ((roles *)user)->r; }

static void roles_free(roles *t)
{
    for (int i = 0; i < t->n; i++) free(t->r[i].name);
    t->n = 0;
}

/* A 2-layer, 2-head, 2-hop job's config and a result for it with every field set. */
static void make_config(hs_config *c)
{
    hs_config_default(c);
    static const char *const keys[] = {"task.hops=2",      "model.layers=2", "model.heads=2",
                                       "model.d_model=16", "train.seed=7",   "train.steps=500"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        hs_err e = {0};
        if (hs_config_override(c, keys[i], &e)) fail_msg("%s", e.msg);
    }
    hs_err e = {0};
    if (hs_config_validate(c, &e)) fail_msg("%s", e.msg);
}

static float hop_acc[3] = {1.0f, NAN, 0.5f};
static int hop_steps[3] = {0, 100, -1};
static hs_head_role heads[4] = {
    {1, 0, -1, 0.9f}, {1, 1, HS_PROBE_SELF, 0.25f}, {2, 0, -3, 0.7f}, {2, 1, HS_PROBE_QUERY, 0.6f}};
static int head_steps[4] = {100, -1, 300, 200};
static int order[3] = {0, 3, 2}; /* by step: L1:-1, L2:query, L2:-3 */

static hs_train_result make_result(void)
{
    hs_train_result r;
    memset(&r, 0, sizeof r);
    r.steps = 500;
    r.early_stopped = true;
    r.wall_s = 12.3456;
    snprintf(r.engine, sizeof r.engine, "test-engine avx2");
    r.hops = 2;
    r.final_loss = 0.25f;
    r.final_query_acc = 0.96875f;
    r.final_hop_acc = hop_acc;
    r.hop_steps = hop_steps;
    r.n_heads = 4;
    r.heads = heads;
    r.head_steps = head_steps;
    r.order = order;
    r.n_order = 3;
    return r;
}

/* The record of (cfg, res) as one line, files under jobs/<id>/ (caller frees). */
static char *write_record(const hs_config *cfg, const hs_train_result *res, bool files)
{
    char id[17], metrics[64], attention[64];
    hs_config_id(cfg, id);
    snprintf(metrics, sizeof metrics, "jobs/%s/metrics.csv", id);
    snprintf(attention, sizeof attention, "jobs/%s/attn.zst", id);
    hs_record_meta meta = {.sweep = "t",
                           .host = "node1",
                           .rank = 3,
                           .metrics = files ? metrics : NULL,
                           .attention = files ? attention : NULL};
    hs_json j;
    hs_json_init(&j);
    hs_record_json(&j, cfg, res, &meta);
    assert_true(hs_json_ok(&j));
    return hs_json_take(&j);
}

static void status_names(void **state)
{
    (void)state;
    static const char *const want[] = {"done", "failed", "interrupted", "none"};
    for (int s = HS_RUN_DONE; s <= HS_RUN_NONE; s++) {
        assert_string_equal(hs_run_status_name((hs_run_status)s), want[s]);
        hs_run_status back = HS_RUN_NONE;
        bool ok = hs_run_status_parse(want[s], strlen(want[s]), &back);
        /* "none" is what the store says of an id without a record; no record carries it */
        assert_int_equal(ok, s != HS_RUN_NONE);
        if (ok) assert_int_equal(back, s);
    }
    hs_run_status st;
    assert_false(hs_run_status_parse("Done", 4, &st));
    assert_false(hs_run_status_parse("done", 3, &st));
    assert_false(hs_run_status_parse("done\0", 5, &st));
    /* the values travel between ranks and to progress.h as 0 done, 1 failed, 2 interrupted */
    assert_int_equal(HS_RUN_DONE, 0);
    assert_int_equal(HS_RUN_FAILED, 1);
    assert_int_equal(HS_RUN_INTERRUPTED, 2);
}

static void round_trip(void **state)
{
    (void)state;
    hs_config cfg;
    make_config(&cfg);
    hs_train_result res = make_result();
    char *line = write_record(&cfg, &res, true);
    char id[17];
    hs_config_id(&cfg, id);

    roles t = {.n = 0};
    hs_record_reader rd = {.role = role_of, .roles = roles_all, .user = &t};
    hs_run_record run;
    char why[512];
    assert_int_equal(hs_record_parse(line, strlen(line), &rd, &run, why, sizeof why), HS_RECORD_OK);
    assert_string_equal(run.id, id);
    assert_int_equal(run.status, HS_RUN_DONE);
    /* the config, key by key in its canonical text */
    for (size_t i = 0; i < hs_config_key_count(); i++) {
        char a[64], b[64];
        hs_config_format(&cfg, i, a, sizeof a);
        hs_config_format(&run.config, i, b, sizeof b);
        if (strcmp(a, b)) fail_msg("%s: wrote %s, read %s", hs_config_key_name(i), a, b);
    }
    assert_int_equal(run.steps, 500);
    assert_true(run.query_acc == (double)0.96875f);
    assert_int_equal(run.n_hop_acc, 3);
    assert_true(run.hop_acc[0] == 1.0f && isnan(run.hop_acc[1]) && run.hop_acc[2] == 0.5f);
    assert_int_equal(run.n_hop_steps, 3);
    for (int k = 0; k < 3; k++) assert_int_equal(run.hop_steps[k], hop_steps[k]);
    /* emergence: the order's roles, each with the step of its head */
    assert_true(run.has_heads);
    assert_int_equal(run.n_emerged, 3);
    static const char *const names[] = {"L1:-1", "L2:query", "L2:-3"};
    static const int steps[] = {100, 200, 300};
    for (int k = 0; k < 3; k++) {
        assert_string_equal(t.r[run.emerged[k]].name, names[k]);
        assert_int_equal(run.emerged_step[k], steps[k]);
    }
    char want[64];
    snprintf(want, sizeof want, "jobs/%s/metrics.csv", id);
    assert_string_equal(run.metrics, want);
    snprintf(want, sizeof want, "jobs/%s/attn.zst", id);
    assert_string_equal(run.attention, want);
    assert_null(run.error); /* a done job has none */
    assert_string_equal(run.host, "node1");
    assert_string_equal(run.engine, "test-engine avx2");
    assert_true(run.wall_s == 12.346); /* written to the millisecond */
    hs_run_record_free(&run);
    roles_free(&t);

    /* The store's reader takes the same line: its id and status. */
    char sid[17] = "";
    hs_run_status sst = HS_RUN_NONE;
    const char *swhy = NULL;
    assert_int_equal(
        hs_record_check_line(line, strlen(line), sid, &sst, NULL, why, sizeof why, &swhy),
        HS_RECORD_OK);
    assert_string_equal(sid, id);
    assert_int_equal(sst, HS_RUN_DONE);
    free(line);
}

static void failed_and_interrupted(void **state)
{
    (void)state;
    hs_config cfg;
    make_config(&cfg);
    static const struct {
        hs_status code;
        bool interrupted;
        hs_run_status want;
    } cases[] = {{HS_ENUMERIC, false, HS_RUN_FAILED}, {HS_OK, true, HS_RUN_INTERRUPTED}};
    for (size_t i = 0; i < 2; i++) {
        hs_train_result res = make_result();
        res.err.code = cases[i].code;
        res.interrupted = cases[i].interrupted;
        snprintf(res.err.msg, sizeof res.err.msg, "stopped for test %zu", i);
        char *line = write_record(&cfg, &res, false);
        roles t = {.n = 0};
        hs_record_reader rd = {.role = role_of, .roles = roles_all, .user = &t};
        hs_run_record run;
        char why[512];
        assert_int_equal(hs_record_parse(line, strlen(line), &rd, &run, why, sizeof why),
                         HS_RECORD_OK);
        assert_int_equal(run.status, cases[i].want);
        char msg[64];
        snprintf(msg, sizeof msg, "stopped for test %zu", i);
        assert_string_equal(run.error, msg);
        assert_null(run.metrics);
        hs_run_record_free(&run);
        roles_free(&t);
        hs_run_status st;
        char id[17];
        const char *swhy;
        assert_int_equal(
            hs_record_check_line(line, strlen(line), id, &st, NULL, why, sizeof why, &swhy),
            HS_RECORD_OK);
        assert_int_equal(st, cases[i].want);
        free(line);
    }
}

/* F11: the line of one config under the id of another is refused by both readers. */
static void forged_id(void **state)
{
    (void)state;
    hs_config cfg, other;
    make_config(&cfg);
    make_config(&other);
    other.model.layers = 1; /* another job */
    hs_train_result res = make_result();
    char *line = write_record(&other, &res, false), real[17], fake[17];
    hs_config_id(&cfg, real);
    hs_config_id(&other, fake);
    char *at = strstr(line, fake);
    assert_non_null(at);
    memcpy(at, real, 16); /* other's record, claiming cfg's id */

    roles t = {.n = 0};
    hs_record_reader rd = {.role = role_of, .roles = roles_all, .user = &t};
    hs_run_record run;
    char why[512];
    assert_int_equal(hs_record_parse(line, strlen(line), &rd, &run, why, sizeof why),
                     HS_RECORD_BAD);
    assert_has(why, "an \"id\" that is not the hash of its config");
    assert_has(why, fake); /* what the id would be */
    hs_run_record_free(&run);
    roles_free(&t);
    char id[17];
    hs_run_status st;
    const char *swhy = NULL;
    assert_int_equal(
        hs_record_check_line(line, strlen(line), id, &st, NULL, why, sizeof why, &swhy),
        HS_RECORD_BAD);
    assert_has(swhy, "an \"id\" that is not the hash of its config");
    free(line);

    /* An unknown config key: the id cannot be checked, so the line is refused, naming it. */
    const char unknown[] = "{\"id\":\"0123456789abcdef\",\"status\":\"done\",\"config\":{\"model\":"
                           "{\"wings\":2}}}";
    assert_int_equal(hs_record_parse(unknown, sizeof unknown - 1, &rd, &run, why, sizeof why),
                     HS_RECORD_BAD);
    assert_has(why, "config key model.wings unknown");
    hs_run_record_free(&run);
}

/* The scanner: lines trimmed, blanks skipped, a partial last line left, the first bad kept. */
typedef struct seen {
    char lines[8][32];
    size_t lineno[8];
    int n;
} seen;

static hs_record_result take(const char *line, size_t len, size_t lineno, void *user, char *why,
                             size_t why_len)
{
    seen *s = user;
    if (len && line[0] == 'x') {
        snprintf(why, why_len, "bad %.*s", (int)len, line);
        return HS_RECORD_BAD;
    }
    assert_true(s->n < 8 && len < 32);
    memcpy(s->lines[s->n], line, len);
    s->lines[s->n][len] = '\0';
    s->lineno[s->n++] = lineno;
    return HS_RECORD_OK;
}

static hs_record_result no_memory(const char *line, size_t len, size_t lineno, void *user,
                                  char *why, size_t why_len)
{
    return lineno == 2 ? HS_RECORD_NOMEM : HS_RECORD_OK;
}

static void scanner(void **state)
{
    (void)state;
    const char text[] = "a\n  \t\n\tb \r\nx1\n\nc\r\nx2\npartial";
    seen s = {.n = 0};
    hs_runs_scan_info info;
    hs_err e = {0};
    assert_int_equal(hs_runs_scan(text, sizeof text - 1, "R", take, &s, &info, &e), HS_OK);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.lines[0], "a");
    assert_string_equal(s.lines[1], "b");
    assert_string_equal(s.lines[2], "c");
    assert_int_equal(s.lineno[1], 3);
    assert_int_equal(s.lineno[2], 6);
    assert_int_equal(info.lines, 3);
    assert_int_equal(info.skipped, 2);
    assert_int_equal(info.first_skipped, 4);
    assert_string_equal(info.first_why, "bad x1");
    assert_int_equal(info.complete, sizeof text - 1 - strlen("partial"));
    /* empty text; text without any newline */
    assert_int_equal(hs_runs_scan("", 0, "R", take, &s, &info, &e), HS_OK);
    assert_int_equal(info.complete, 0);
    assert_int_equal(hs_runs_scan("abc", 3, "R", take, &s, &info, &e), HS_OK);
    assert_int_equal(info.lines + info.skipped + info.complete, 0);
    /* out of memory stops the scan, naming the file and line */
    assert_int_equal(hs_runs_scan("a\nb\nc\n", 6, "S/runs.jsonl", no_memory, NULL, &info, &e),
                     HS_ENOMEM);
    assert_has(e.msg, "S/runs.jsonl");
    assert_has(e.msg, "line 2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_names),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(failed_and_interrupted),
        cmocka_unit_test(forged_id),
        cmocka_unit_test(scanner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
