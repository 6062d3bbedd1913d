/* test_config_text.c — round trips of every text form of a config (config.c, config_text.c):
 * config -> text -> config, equal key by key, for the key=value lines (the coordinator's wire),
 * the id's lines, the YAML of a job file and of a sweep's base:, and the record's JSON (read
 * strictly as the store does and tolerantly as the analysis does). Every key of the table is set
 * away from its default, so a key a form forgot to write or read fails here. Also the walker's
 * modes on what only one of them accepts, and the YAML job file's reading and one-line messages
 * (file:line:column) for bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <yaml.h>

#include "hopsweep/config.h"

#include "config_fixture.h"
#include "hopsweep/json.h"
#include "hopsweep/jsonline.h"

/* ---------------------------------------------------------------------------------------------
 * Helpers */

/* Loads YAML expecting `code`, "path:line:col:" at the start of the message, and `needle`. */
static void expect_yaml_fails(const char *text, hs_status code, int line, int col,
                              const char *needle)
{
    hs_config c, before;
    hs_config_default(&c);
    before = c;
    hs_err e;
    hs_err_clear(&e);
    char path[64], where[96];
    assert_int_equal(load_text(&c, text, &e, path), code);
    assert_one_line(e.msg);
    snprintf(where, sizeof where, "%s:%d:%d: ", path, line, col);
    if (strncmp(e.msg, where, strlen(where)))
        fail_msg("message \"%s\" does not start with \"%s\"", e.msg, where);
    if (needle) assert_has(e.msg, needle);
    assert_memory_equal(&c, &before, sizeof c); /* a failed load changes nothing */
}

/* Sets key i to a value other than its default: pick 0 or 1 chooses between two such values
 * (an exponent-form and a plain float, the last and the first other enum name, ...). */
static void set_other(hs_config *c, size_t i, int pick)
{
    static const char *const ints[2][6] = {{"3", "7", "1", "0", "100", "2"},
                                           {"5", "1", "2", "0", "9", "11"}};
    static const char *const floats[2][2] = {{"1.25e-05", "0.37"}, {"0.37", "1.25e-05"}};
    const char *name = hs_config_key_name(i);
    char def[64], now[64], names[128];
    hs_config_format(c, i, def, sizeof def);
    const char *cand[8] = {0};
    size_t n = 0;
    switch (hs_config_key_kind(i)) {
    case HS_KEY_INT:
        for (n = 0; n < 6; n++) cand[n] = ints[pick][n];
        break;
    case HS_KEY_U64: cand[n++] = pick ? "12345" : "18446744073709551615"; break;
    case HS_KEY_FLOAT:
        cand[n++] = floats[pick][0];
        cand[n++] = floats[pick][1];
        break;
    case HS_KEY_BOOL: cand[n++] = strcmp(def, "true") ? "true" : "false"; break;
    case HS_KEY_ENUM: { /* the names, from the allowed text "a|b|c" */
        snprintf(names, sizeof names, "%s", hs_config_key_allowed(i));
        const char *all[8];
        size_t m = 0;
        for (char *t = strtok(names, "|"); t && m < 8; t = strtok(NULL, "|")) all[m++] = t;
        for (size_t k = 0; k < m; k++) cand[n++] = all[pick ? k : m - 1 - k];
        break;
    }
    }
    hs_err e;
    for (size_t k = 0; k < n; k++) {
        if (!strcmp(cand[k], def)) continue;
        hs_config t = *c;
        if (hs_config_set(&t, name, cand[k], &e) != HS_OK) continue;
        hs_config_format(&t, i, now, sizeof now);
        if (strcmp(now, def)) {
            *c = t;
            return;
        }
    }
    fail_msg("found no value other than %s for %s", def, name);
}

/* Every key of a and b, compared by canonical text (which reads back exactly). */
static void assert_configs_equal(const hs_config *a, const hs_config *b, const char *form)
{
    char va[64], vb[64];
    for (size_t i = 0; i < hs_config_key_count(); i++) {
        hs_config_format(a, i, va, sizeof va);
        hs_config_format(b, i, vb, sizeof vb);
        if (strcmp(va, vb))
            fail_msg("%s: %s was %s, read back as %s", form, hs_config_key_name(i), va, vb);
    }
}

/* The configs every round trip is run on: each key alone away from its default, then every
 * key at once (two ways). Returns how many were written to out. */
static size_t sample_configs(hs_config *out, size_t cap)
{
    size_t n = 0, nk = hs_config_key_count();
    assert_true(cap >= nk + 2);
    for (size_t i = 0; i < nk; i++) {
        hs_config_default(&out[n]);
        set_other(&out[n++], i, 0);
    }
    for (int pick = 0; pick < 2; pick++) {
        hs_config_default(&out[n]);
        for (size_t i = 0; i < nk; i++) set_other(&out[n], i, pick);
        n++;
    }
    return n;
}

#define MAX_SAMPLES (HS_CONFIG_MAX_KEYS + 2)

/* The whole config is away from its default in the all-keys samples: the test can fail. */
static void test_samples_differ_everywhere(void **state)
{
    (void)state;
    static hs_config s[MAX_SAMPLES];
    size_t n = sample_configs(s, MAX_SAMPLES);
    hs_config d;
    hs_config_default(&d);
    char a[64], b[64];
    for (size_t k = n - 2; k < n; k++)
        for (size_t i = 0; i < hs_config_key_count(); i++) {
            hs_config_format(&s[k], i, a, sizeof a);
            hs_config_format(&d, i, b, sizeof b);
            assert_string_not_equal(a, b);
        }
}

/* ---------------------------------------------------------------------------------------------
 * key=value lines */

static void test_lines_round_trip(void **state)
{
    (void)state;
    static hs_config s[MAX_SAMPLES];
    size_t n = sample_configs(s, MAX_SAMPLES);
    for (size_t k = 0; k < n; k++) {
        for (unsigned flags = 0; flags <= HS_CONFIG_LINES_ID; flags++) {
            char text[HS_CONFIG_LINES_MAX];
            size_t len = hs_config_write_lines(&s[k], flags, text, sizeof text);
            assert_true(len < sizeof text);
            assert_int_equal(strlen(text), len);
            hs_config back;
            hs_config_default(&back);
            hs_err e = {0};
            if (hs_config_read_lines(&back, text, &e)) fail_msg("%s\n%s", e.msg, text);
            assert_configs_equal(&s[k], &back, flags ? "id lines" : "lines");
        }
    }
}

/* The wire form has every key, one line each, in table order; the id's form leaves out only
 * the keys that enter the id away from their default, and hashes exactly those bytes. */
static void test_lines_shape(void **state)
{
    (void)state;
    hs_config d;
    hs_config_default(&d);
    char all[HS_CONFIG_LINES_MAX], id[HS_CONFIG_LINES_MAX];
    hs_config_write_lines(&d, 0, all, sizeof all);
    size_t lines = 0;
    for (const char *p = all; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, hs_config_key_count());
    assert_true(!strncmp(all, "emergence.patience=3\n", 21));
    hs_config_write_lines(&d, HS_CONFIG_LINES_ID, id, sizeof id);
    assert_null(strstr(id, "task.kind="));
    assert_null(strstr(id, "train.precision="));
    assert_non_null(strstr(id, "task.hops=4\n"));
    /* FNV-1a 64 of the id's lines is the id */
    uint64_t h = 0xcbf29ce484222325ull;
    for (const char *p = id; *p; p++) h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
    char want[17], got[17];
    snprintf(want, sizeof want, "%016llx", (unsigned long long)h);
    hs_config_id(&d, got);
    assert_string_equal(got, want);
    /* cut like snprintf, reporting the whole length */
    char small[10];
    assert_int_equal(hs_config_write_lines(&d, 0, small, sizeof small), strlen(all));
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_true(!strncmp(small, all, sizeof small - 1));
}

static void test_lines_bad(void **state)
{
    (void)state;
    hs_config c, before;
    hs_config_default(&c);
    before = c;
    hs_err e = {0};
    assert_int_equal(hs_config_read_lines(&c, "model.layers=3\nmodel.layer=2\n", &e), HS_EINPUT);
    assert_non_null(strstr(e.msg, "model.layer"));
    assert_int_equal(c.model.layers, before.model.layers); /* unchanged on failure */
    assert_int_equal(hs_config_read_lines(&c, "model.layers=3", &e), HS_OK); /* no last newline */
    assert_int_equal(c.model.layers, 3);
}

/* ---------------------------------------------------------------------------------------------
 * YAML */

static char *yaml_text(const hs_config *c, const char *head, const char *indent)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    fputs(head, f);
    assert_true(hs_config_write_yaml(c, indent, f));
    assert_int_equal(fclose(f), 0);
    return text;
}

static void test_yaml_job_file_round_trip(void **state)
{
    (void)state;
    static hs_config s[MAX_SAMPLES];
    size_t n = sample_configs(s, MAX_SAMPLES);
    for (size_t k = 0; k < n; k++) {
        char *text = yaml_text(&s[k], "# a job file\n", "");
        char path[64];
        hs_config back;
        hs_config_default(&back);
        hs_err e = {0};
        if (load_text(&back, text, &e, path)) fail_msg("%s\n%s", e.msg, text);
        assert_configs_equal(&s[k], &back, "YAML job file");
        free(text);
    }
}

static void test_yaml_base_round_trip(void **state)
{
    (void)state;
    static hs_config s[MAX_SAMPLES];
    size_t n = sample_configs(s, MAX_SAMPLES);
    for (size_t k = 0; k < n; k++) {
        char *text = yaml_text(&s[k], "name: t\nbase:\n", "  ");
        yaml_parser_t p;
        yaml_document_t doc;
        assert_true(yaml_parser_initialize(&p));
        yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
        assert_true(yaml_parser_load(&p, &doc));
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        assert_non_null(root);
        const yaml_node_t *base = NULL;
        for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < root->data.mapping.pairs.top;
             q++)
            if (!strcmp((const char *)yaml_document_get_node(&doc, q->key)->data.scalar.value,
                        "base"))
                base = yaml_document_get_node(&doc, q->value);
        assert_non_null(base);
        hs_config back;
        hs_config_default(&back);
        hs_err e = {0};
        if (hs_config_apply_yaml(&back, "sweep.yaml", &doc, base, &e)) fail_msg("%s", e.msg);
        assert_configs_equal(&s[k], &back, "YAML base:");
        yaml_document_delete(&doc);
        yaml_parser_delete(&p);
        free(text);
    }
}

/* ---------------------------------------------------------------------------------------------
 * JSON */

static void note_unknown(const char *key, void *user)
{
    char *seen = user;
    size_t n = strlen(seen);
    snprintf(seen + n, 256 - n, "%s%s", n ? "," : "", key);
}

/* Reads the JSON text's object with the walker in mode m onto the defaults. */
static hs_status read_json(const char *text, hs_config_read_mode m, hs_config *out, hs_err *e,
                           char unknown[256])
{
    yaml_document_t doc;
    const char *why = NULL;
    if (hs_jl_load_object(text, strlen(text), &doc, &why) != HS_JL_OK)
        fail_msg("not one JSON object (%s): %s", why, text);
    hs_config_reader r = {.mode = m, .unknown = note_unknown, .user = unknown};
    if (unknown)
        unknown[0] = '\0';
    else
        r.unknown = NULL;
    hs_config_default(out);
    hs_status st = hs_config_read_node(out, &doc, yaml_document_get_root_node(&doc), &r, e);
    yaml_document_delete(&doc);
    return st;
}

static void test_json_round_trip(void **state)
{
    (void)state;
    static hs_config s[MAX_SAMPLES];
    size_t n = sample_configs(s, MAX_SAMPLES);
    for (size_t k = 0; k < n; k++) {
        hs_json j;
        hs_json_init(&j);
        hs_config_json(&j, &s[k]);
        assert_true(hs_json_ok(&j));
        char *text = hs_json_take(&j);
        for (int m = HS_CONFIG_READ_JSON; m <= HS_CONFIG_READ_JSON_TOLERANT; m++) {
            hs_config back;
            hs_err e = {0};
            char unknown[256];
            if (read_json(text, (hs_config_read_mode)m, &back, &e, unknown))
                fail_msg("%s\n%s", e.msg, text);
            assert_configs_equal(&s[k], &back, m == HS_CONFIG_READ_JSON ? "JSON" : "JSON tolerant");
            assert_string_equal(unknown, "");
        }
        free(text);
        hs_json_free(&j);
    }
}

/* What the strict reader (the store's check) refuses and the tolerant one (the analysis)
 * takes: keys from a newer hopsweep, numbers in quotes, nulls, deeper nesting. */
static void test_json_modes(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *strict_why; /* NULL: strict accepts it too */
        const char *unknown;    /* what tolerant reports */
        int hops;               /* task.hops tolerant reads */
    } cases[] = {
        {"{\"task\":{\"hops\":3}}", NULL, "", 3},
        {"{\"task\":{\"hops\":3,\"colour\":1}}", "config key task.colour unknown to this hopsweep",
         "task.colour", 3},
        {"{\"data\":{\"x\":{\"y\":1}},\"task\":{\"hops\":2}}",
         "config key data.x unknown to this hopsweep", "data.x.y", 2},
        {"{\"task\":{\"hops\":\"5\"}}", "config key task.hops holds the wrong kind of value", "",
         5},
        {"{\"model\":{\"layernorm\":\"false\"}}",
         "config key model.layernorm holds the wrong kind of value", "", 4},
        {"{\"task\":{\"hops\":null}}", "config key task.hops holds the wrong kind of value", "", 4},
        {"{\"task\":4}", "a config section that is not an object", "task", 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hs_config c;
        hs_err e = {0};
        char unknown[256];
        hs_status st = read_json(cases[i].text, HS_CONFIG_READ_JSON, &c, &e, NULL);
        if (cases[i].strict_why) {
            assert_int_equal(st, HS_EINPUT);
            assert_string_equal(e.msg, cases[i].strict_why);
        } else {
            assert_int_equal(st, HS_OK);
        }
        if (read_json(cases[i].text, HS_CONFIG_READ_JSON_TOLERANT, &c, &e, unknown))
            fail_msg("tolerant refused %s: %s", cases[i].text, e.msg);
        assert_string_equal(unknown, cases[i].unknown);
        assert_int_equal(c.task.hops, cases[i].hops);
    }
    /* both refuse a value out of range, the strict one saying it is the config */
    hs_config c;
    hs_err e = {0};
    assert_int_equal(read_json("{\"model\":{\"layers\":0}}", HS_CONFIG_READ_JSON, &c, &e, NULL),
                     HS_EINPUT);
    assert_true(!strncmp(e.msg, "config: model.layers", 20));
    assert_int_equal(
        read_json("{\"model\":{\"layers\":0}}", HS_CONFIG_READ_JSON_TOLERANT, &c, &e, NULL),
        HS_EINPUT);
    assert_true(!strncmp(e.msg, "model.layers", 12));
    assert_int_equal(read_json("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":1}}}}}}",
                               HS_CONFIG_READ_JSON_TOLERANT, &c, &e, NULL),
                     HS_EINPUT);
    assert_string_equal(e.msg, "a config nested too deep");
}

/* ---------------------------------------------------------------------------------------------
 * YAML */

static void test_yaml_nested(void **state)
{
    (void)state;
    hs_config c;
    hs_config_default(&c);
    hs_err e;
    hs_err_clear(&e);
    char path[64];
    assert_int_equal(load_text(&c,
                               "# a job\n"
                               "task:\n  hops: 13\n  chains: 2\n  vocab: 128\n  curriculum: none\n"
                               "model:\n  layers: 3\n  layernorm: no\n  attention: causal\n"
                               "train: {lr: 3e-4, seed: 7, schedule: constant}\n"
                               "log:\n  checkpoint: true\n  attention_dtype: 'u8'\n"
                               "emergence:\n  tau_acc: \"0.95\"\n",
                               &e, path),
                     HS_OK);
    assert_int_equal(c.task.hops, 13);
    assert_int_equal(c.task.chains, 2);
    assert_int_equal(c.task.vocab, 128);
    assert_int_equal(c.task.curriculum, HS_CURRICULUM_NONE);
    assert_int_equal(c.model.layers, 3);
    assert_false(c.model.layernorm);
    assert_int_equal(c.model.attention, HS_ATTENTION_CAUSAL);
    assert_true(c.train.lr == 3e-4);
    assert_true(c.train.seed == 7);
    assert_int_equal(c.train.schedule, HS_SCHEDULE_CONSTANT);
    assert_true(c.log.checkpoint);
    assert_int_equal(c.log.attention_dtype, HS_DTYPE_U8);
    assert_true(c.emergence.tau_acc == 0.95);
    assert_int_equal(c.model.heads, 2); /* untouched keys keep their values */
    assert_int_equal(hs_config_validate(&c, &e), HS_OK);
}

static void test_yaml_dotted_and_mixed(void **state)
{
    (void)state;
    hs_config a, b;
    hs_config_default(&a);
    hs_config_default(&b);
    hs_err e;
    hs_err_clear(&e);
    char path[64];
    assert_int_equal(load_text(&a, "task.hops: 13\nmodel.layers: 3\ntrain.lr: 0.0003\n", &e, path),
                     HS_OK);
    assert_int_equal(
        load_text(&b, "model: {layers: 3}\ntask.hops: 13\ntrain:\n  lr: 3e-4\n", &e, path), HS_OK);
    assert_int_equal(a.task.hops, 13);
    assert_int_equal(a.model.layers, 3);
    assert_memory_equal(&a, &b, sizeof a);
}

static void test_yaml_empty(void **state)
{
    (void)state;
    hs_config c, d;
    hs_config_default(&c);
    d = c;
    hs_err e;
    hs_err_clear(&e);
    char path[64];
    assert_int_equal(load_text(&c, "", &e, path), HS_OK);
    assert_int_equal(load_text(&c, "# only a comment\n\n", &e, path), HS_OK);
    assert_int_equal(load_text(&c, "---\n", &e, path), HS_OK);
    assert_int_equal(load_text(&c, "task:\n  # hops: 3\nmodel: {}\n", &e, path), HS_OK);
    assert_memory_equal(&c, &d, sizeof c);
}

/* ---------------------------------------------------------------------------------------------
 * Bad input: YAML files */

static void test_bad_yaml_missing_file(void **state)
{
    (void)state;
    hs_config c;
    hs_config_default(&c);
    hs_err e;
    assert_int_equal(hs_config_load_yaml(&c, "/nonexistent/dir/job.yaml", &e), HS_EIO);
    assert_one_line(e.msg);
    assert_has(e.msg, "/nonexistent/dir/job.yaml: cannot open: No such file or directory");
    assert_int_equal(hs_config_load_yaml(&c, "/", &e), HS_EIO); /* a directory */
    assert_has(e.msg, "/: cannot read");
}

static void test_bad_yaml_unterminated_quote(void **state)
{
    (void)state;
    expect_yaml_fails("task:\n  hops: \"4\n  chains: 2\n", HS_EINPUT, 4, 1, "malformed YAML");
    expect_yaml_fails("task:\n  hops: \"4\n  chains: 2\n", HS_EINPUT, 4, 1,
                      "while scanning a quoted scalar at line 2, column 9");
}

static void test_bad_yaml_tab_indent(void **state)
{
    (void)state;
    expect_yaml_fails("task:\n\thops: 4\n", HS_EINPUT, 2, 1, "malformed YAML");
    expect_yaml_fails("task:\n  hops: 4\n\tchains: 2\n", HS_EINPUT, 3, 1, "not tabs");
}

static void test_bad_yaml_sequence_for_scalar(void **state)
{
    (void)state;
    expect_yaml_fails("model:\n  layers: [1, 2, 3]\n", HS_EINPUT, 2, 11,
                      "model.layers: expected a single value (allowed: 1..64), found a list");
    expect_yaml_fails("model.layers:\n  - 1\n  - 2\n", HS_EINPUT, 2, 3, "found a list");
    expect_yaml_fails("model:\n  layers: {a: 1}\n", HS_EINPUT, 2, 11, "found a mapping");
}

static void test_bad_yaml_section_shape(void **state)
{
    (void)state;
    expect_yaml_fails(
        "model: 3\n", HS_EINPUT, 1, 8,
        "model is a section and needs a mapping of model.* keys, found the value \"3\"");
    expect_yaml_fails("task: [1, 2]\n", HS_EINPUT, 1, 7, "found a list");
    expect_yaml_fails("- task\n- model\n", HS_EINPUT, 1, 1, "found a list at the top");
    expect_yaml_fails("hello\n", HS_EINPUT, 1, 1, "found a value at the top");
    expect_yaml_fails("? [a, b]\n: 1\n", HS_EINPUT, 1, 3, "keys must be plain names");
}

static void test_bad_yaml_duplicate_key(void **state)
{
    (void)state;
    expect_yaml_fails("task:\n  hops: 4\n  hops: 5\n", HS_EINPUT, 3, 3,
                      "duplicate key \"task.hops\" (first set at line 2, column 3)");
    expect_yaml_fails("task:\n  hops: 4\ntask.hops: 5\n", HS_EINPUT, 3, 1,
                      "duplicate key \"task.hops\" (first set at line 2, column 3)");
    expect_yaml_fails("task: {hops: 4}\ntask: {chains: 2}\n", HS_EINPUT, 2, 1,
                      "duplicate key \"task\"");
}

static void test_bad_yaml_non_utf8(void **state)
{
    (void)state;
    expect_yaml_fails("task:\n  hops: 4\n  curriculum: \xff\xfe\n", HS_EINPUT, 3, 15,
                      "job files must be UTF-8");
    /* libyaml points at the byte that breaks the sequence: here the newline after 0xc3 */
    expect_yaml_fails("model:\n  layers: \xc3\n", HS_EINPUT, 2, 12, "UTF-8");
    /* A NUL byte in the file is a control character to libyaml. */
    char path[64];
    write_tmp(path, "task:\n  hops: 4\0\n", 17);
    hs_config c;
    hs_config_default(&c);
    hs_err e;
    assert_int_equal(hs_config_load_yaml(&c, path, &e), HS_EINPUT);
    unlink(path);
    assert_one_line(e.msg);
    assert_has(e.msg, path);
}

static void test_bad_yaml_unknown_key_and_value(void **state)
{
    (void)state;
    expect_yaml_fails("model:\n  layer: 3\n", HS_EINPUT, 2, 3,
                      "unknown key \"model.layer\" (did you mean model.layers?)");
    expect_yaml_fails("modle:\n  layers: 3\n", HS_EINPUT, 1, 1, "did you mean model?");
    expect_yaml_fails("layers: 3\n", HS_EINPUT, 1, 1, "did you mean model.layers?");
    expect_yaml_fails("task:\n  hops: 4\n  vocab: abc\n", HS_EINPUT, 3, 10,
                      "task.vocab: \"abc\" is not an integer (allowed: integer >= 2)");
    expect_yaml_fails("train:\n  lr: .nan\n", HS_EINPUT, 2, 7, "train.lr: \".nan\"");
    expect_yaml_fails("task:\n  hops:\n", HS_EINPUT, 2, 8, "task.hops: \"\" is not an integer");
    expect_yaml_fails("task: {hops: \"4\\u0000\"}\n", HS_EINPUT, 1, 14, "NUL");
}

static void test_bad_yaml_two_documents(void **state)
{
    (void)state;
    expect_yaml_fails("task: {hops: 4}\n---\ntask: {hops: 5}\n", HS_EINPUT, 3, 1,
                      "found a second one");
    expect_yaml_fails("task: {hops: 4}\n---\ntask: {hops: \"5}\n", HS_EINPUT, 4, 1,
                      "malformed YAML");
}

/* Aliases may make a document refer to itself; the walk must still end. */
static void test_bad_yaml_cyclic_alias(void **state)
{
    (void)state;
    expect_yaml_fails("model: &m\n  layers: 2\n  model: *m\n", HS_EINPUT, 3, 3,
                      "unknown key \"model.model\"");
    expect_yaml_fails("train: *nowhere\n", HS_EINPUT, 1, 8, "malformed YAML");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples_differ_everywhere),
        cmocka_unit_test(test_lines_round_trip),
        cmocka_unit_test(test_lines_shape),
        cmocka_unit_test(test_lines_bad),
        cmocka_unit_test(test_yaml_job_file_round_trip),
        cmocka_unit_test(test_yaml_base_round_trip),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_json_modes),
        cmocka_unit_test(test_yaml_nested),
        cmocka_unit_test(test_yaml_dotted_and_mixed),
        cmocka_unit_test(test_yaml_empty),
        cmocka_unit_test(test_bad_yaml_missing_file),
        cmocka_unit_test(test_bad_yaml_unterminated_quote),
        cmocka_unit_test(test_bad_yaml_tab_indent),
        cmocka_unit_test(test_bad_yaml_sequence_for_scalar),
        cmocka_unit_test(test_bad_yaml_section_shape),
        cmocka_unit_test(test_bad_yaml_duplicate_key),
        cmocka_unit_test(test_bad_yaml_non_utf8),
        cmocka_unit_test(test_bad_yaml_unknown_key_and_value),
        cmocka_unit_test(test_bad_yaml_two_documents),
        cmocka_unit_test(test_bad_yaml_cyclic_alias),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
