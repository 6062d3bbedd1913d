/* test_config.c — unit tests of config.c: the key table, defaults, setting keys from text, the
 * canonical text and job id, and the one-line messages for bad values (each must name the key
 * and the bad value). YAML job files are tested in test_config_text.c, cross-key validation in
 * test_config_check.c.
 *
 * YAML fixtures are written to temporary files (mkstemp) by the tests themselves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hopsweep/config.h"

#include "config_fixture.h"

/* ---------------------------------------------------------------------------------------------
 * Helpers */

static void id_of(const hs_config *c, char id[17]) { hs_config_id(c, id); }

static void format_key(const hs_config *c, const char *key, char *buf, size_t n)
{
    int i = hs_config_key_index(key);
    assert_true(i >= 0);
    hs_config_format(c, (size_t)i, buf, n);
}

/* Sets key=value expecting HS_EINPUT, a one-line message containing key and value (and
 * `extra` if not NULL), and the config left unchanged. */
static void expect_set_fails(const char *key, const char *value, const char *extra)
{
    hs_config c, before;
    hs_config_default(&c);
    before = c;
    hs_err e;
    hs_err_clear(&e);
    assert_int_equal(hs_config_set(&c, key, value, &e), HS_EINPUT);
    assert_int_equal(e.code, HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, key);
    char quoted[128];
    snprintf(quoted, sizeof quoted, "\"%s\"", value);
    assert_has(e.msg, quoted);
    if (extra) assert_has(e.msg, extra);
    assert_memory_equal(&c, &before, sizeof c);
}

/* ---------------------------------------------------------------------------------------------
 * The table and defaults */

static void test_key_table(void **state)
{
    (void)state;
    static const char *const design[] = {
        "task.hops",       "task.chains",         "task.vocab",          "task.curriculum",
        "task.kind",       "task.relations",      "task.train_examples", "model.layers",
        "model.heads",     "model.d_model",       "model.mlp",           "model.layernorm",
        "model.attention", "train.steps",         "train.batch",         "train.lr",
        "train.warmup",    "train.schedule",      "train.weight_decay",  "train.clip",
        "train.seed",      "train.eval_every",    "train.eval_examples", "train.early_stop",
        "train.precision", "log.attention_every", "log.probe_examples",  "log.attention_dtype",
        "log.checkpoint",  "emergence.tau_acc",   "emergence.tau_head",  "emergence.patience",
        "task.min_hops",   "task.letters",        "task.length",         "model.positions",
        "model.dropout",   "model.readout"};
    size_t n = hs_config_key_count();
    assert_int_equal(n, sizeof design / sizeof design[0]);
    for (size_t i = 0; i + 1 < n; i++) /* sorted, no duplicates: bsearch and the id rely on it */
        assert_true(strcmp(hs_config_key_name(i), hs_config_key_name(i + 1)) < 0);
    for (size_t i = 0; i < n; i++) {
        int k = hs_config_key_index(design[i]);
        assert_true(k >= 0);
        assert_string_equal(hs_config_key_name((size_t)k), design[i]);
        assert_non_null(hs_config_key_allowed((size_t)k));
    }
    assert_int_equal(hs_config_key_index("model.layer"), -1);
    assert_null(hs_config_key_name(n));
    assert_int_equal(hs_config_key_kind((size_t)hs_config_key_index("train.seed")), HS_KEY_U64);
    assert_int_equal(hs_config_key_kind((size_t)hs_config_key_index("train.lr")), HS_KEY_FLOAT);
    assert_int_equal(hs_config_key_kind((size_t)hs_config_key_index("log.checkpoint")),
                     HS_KEY_BOOL);
    assert_int_equal(hs_config_key_kind((size_t)hs_config_key_index("task.curriculum")),
                     HS_KEY_ENUM);
    assert_int_equal(hs_config_key_kind((size_t)hs_config_key_index("task.hops")), HS_KEY_INT);
}

static void test_defaults(void **state)
{
    (void)state;
    hs_config c;
    hs_config_default(&c);
    assert_int_equal(c.task.hops, 4);
    assert_int_equal(c.task.chains, 4);
    assert_int_equal(c.task.vocab, 64);
    assert_int_equal(c.task.curriculum, HS_CURRICULUM_IMPLICIT);
    assert_int_equal(c.model.layers, 2);
    assert_int_equal(c.model.heads, 2);
    assert_int_equal(c.model.d_model, 64);
    assert_int_equal(c.model.mlp, 4);
    assert_true(c.model.layernorm);
    assert_int_equal(c.model.attention, HS_ATTENTION_BIDIRECTIONAL);
    assert_int_equal(c.train.steps, 3000);
    assert_int_equal(c.train.batch, 64);
    assert_true(c.train.lr == 1e-3);
    assert_int_equal(c.train.warmup, 100);
    assert_int_equal(c.train.schedule, HS_SCHEDULE_COSINE);
    assert_true(c.train.weight_decay == 0.01);
    assert_true(c.train.clip == 1.0);
    assert_true(c.train.seed == 0);
    assert_int_equal(c.train.eval_every, 100);
    assert_int_equal(c.train.eval_examples, 512);
    assert_true(c.train.early_stop == 0);
    assert_int_equal(c.log.attention_every, 0);
    assert_int_equal(c.log.probe_examples, 4);
    assert_int_equal(c.log.attention_dtype, HS_DTYPE_F16);
    assert_false(c.log.checkpoint);
    assert_true(c.emergence.tau_acc == 0.9);
    assert_true(c.emergence.tau_head == 0.5);
    assert_int_equal(c.emergence.patience, 3);

    hs_err e;
    hs_err_clear(&e);
    assert_int_equal(hs_config_validate(&c, &e), HS_OK);
    assert_string_equal(hs_curriculum_name(HS_CURRICULUM_NONE), "none");
    assert_string_equal(hs_curriculum_name(HS_CURRICULUM_EXPLICIT), "explicit");
}

/* Formatting every key and setting it back reproduces the config exactly. */
static void test_format_round_trip(void **state)
{
    (void)state;
    hs_config c, d;
    hs_config_default(&c);
    c.train.lr = 0.1 + 0.2; /* 0.30000000000000004: needs all 17 digits */
    c.train.seed = UINT64_MAX;
    c.emergence.tau_acc = 1.0 / 3.0;
    memset(&d, 0, sizeof d);
    hs_err e;
    for (size_t i = 0; i < hs_config_key_count(); i++) {
        char v[64];
        hs_config_format(&c, i, v, sizeof v);
        assert_int_equal(hs_config_set(&d, hs_config_key_name(i), v, &e), HS_OK);
    }
    char a[17], b[17];
    id_of(&c, a);
    id_of(&d, b);
    assert_string_equal(a, b);
    assert_true(d.train.lr == 0.1 + 0.2);
    assert_true(d.train.seed == UINT64_MAX);
    assert_true(d.emergence.tau_acc == 1.0 / 3.0);
}

static void test_format_floats(void **state)
{
    (void)state;
    hs_config c;
    hs_config_default(&c);
    hs_err e;
    char buf[64];
    static const struct {
        const char *in, *out;
    } cases[] = {{"1e-3", "0.001"},    {"0.001", "0.001"},  {"1e-5", "1e-05"},
                 {"0.1", "0.1"},       {"1", "1"},          {"1.0", "1"},
                 {"10", "10"},         {"0x1p-3", "0.125"}, {"3e-4", "0.0003"},
                 {"0.0001", "0.0001"}, {"2.5", "2.5"},      {"1.25e-7", "1.25e-07"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(hs_config_set(&c, "train.lr", cases[i].in, &e), HS_OK);
        format_key(&c, "train.lr", buf, sizeof buf);
        assert_string_equal(buf, cases[i].out);
    }
    assert_int_equal(hs_config_set(&c, "train.clip", "1e6", &e), HS_OK);
    format_key(&c, "train.clip", buf, sizeof buf);
    assert_string_equal(buf, "1000000");
    assert_int_equal(hs_config_set(&c, "train.clip", "123456.789", &e), HS_OK);
    format_key(&c, "train.clip", buf, sizeof buf);
    assert_string_equal(buf, "123456.789");
    /* -0 is 0: the same config must not get two ids */
    assert_int_equal(hs_config_set(&c, "train.weight_decay", "-0", &e), HS_OK);
    format_key(&c, "train.weight_decay", buf, sizeof buf);
    assert_string_equal(buf, "0");
    /* a buffer too small is cut, still terminated */
    char tiny[3];
    format_key(&c, "model.attention", tiny, sizeof tiny);
    assert_string_equal(tiny, "bi");
}

/* ---------------------------------------------------------------------------------------------
 * Setting keys */

static void test_set_every_kind(void **state)
{
    (void)state;
    hs_config c;
    hs_config_default(&c);
    hs_err e;
    hs_err_clear(&e);
    assert_int_equal(hs_config_set(&c, "model.layers", "64", &e), HS_OK);
    assert_int_equal(c.model.layers, 64);
    assert_int_equal(hs_config_set(&c, "model.mlp", "0", &e), HS_OK);
    assert_int_equal(c.model.mlp, 0);
    assert_int_equal(hs_config_set(&c, "task.hops", "+13", &e), HS_OK);
    assert_int_equal(c.task.hops, 13);
    assert_int_equal(hs_config_set(&c, "task.vocab", "2147483647", &e), HS_OK);
    assert_int_equal(c.task.vocab, 2147483647);
    assert_int_equal(hs_config_set(&c, "train.steps", "100000000", &e), HS_OK);
    assert_int_equal(c.train.steps, 100000000);
    assert_int_equal(hs_config_set(&c, "train.seed", "18446744073709551615", &e), HS_OK);
    assert_true(c.train.seed == UINT64_MAX);
    assert_int_equal(hs_config_set(&c, "train.lr", "10", &e), HS_OK);
    assert_true(c.train.lr == 10);
    assert_int_equal(hs_config_set(&c, "train.early_stop", "1", &e), HS_OK);
    assert_true(c.train.early_stop == 1);
    assert_int_equal(hs_config_set(&c, "emergence.tau_head", "0", &e), HS_OK);
    assert_true(c.emergence.tau_head == 0);

    static const char *const truthy[] = {"true", "True", "TRUE", "yes", "on", "1"};
    static const char *const falsy[] = {"false", "False", "no", "NO", "off", "0"};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(hs_config_set(&c, "log.checkpoint", truthy[i], &e), HS_OK);
        assert_true(c.log.checkpoint);
        assert_int_equal(hs_config_set(&c, "log.checkpoint", falsy[i], &e), HS_OK);
        assert_false(c.log.checkpoint);
    }

    static const char *const curricula[] = {"none", "implicit", "mixed", "explicit"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(hs_config_set(&c, "task.curriculum", curricula[i], &e), HS_OK);
        assert_int_equal(c.task.curriculum, i);
        assert_string_equal(hs_curriculum_name(c.task.curriculum), curricula[i]);
    }
    assert_int_equal(hs_config_set(&c, "model.attention", "causal", &e), HS_OK);
    assert_int_equal(c.model.attention, HS_ATTENTION_CAUSAL);
    assert_int_equal(hs_config_set(&c, "train.schedule", "constant", &e), HS_OK);
    assert_int_equal(c.train.schedule, HS_SCHEDULE_CONSTANT);
    assert_int_equal(hs_config_set(&c, "log.attention_dtype", "u8", &e), HS_OK);
    assert_int_equal(c.log.attention_dtype, HS_DTYPE_U8);
    assert_int_equal(hs_config_set(&c, "log.attention_dtype", "f32", &e), HS_OK);
    assert_int_equal(c.log.attention_dtype, HS_DTYPE_F32);
}

static void test_override(void **state)
{
    (void)state;
    hs_config c;
    hs_config_default(&c);
    hs_err e;
    hs_err_clear(&e);
    assert_int_equal(hs_config_override(&c, "model.layers=3", &e), HS_OK);
    assert_int_equal(c.model.layers, 3);
    assert_int_equal(hs_config_override(&c, "train.lr=3e-4", &e), HS_OK);
    assert_true(c.train.lr == 3e-4);
    assert_int_equal(hs_config_override(&c, "model.layernorm=off", &e), HS_OK);
    assert_false(c.model.layernorm);
    assert_int_equal(hs_config_override(&c, "task.curriculum=mixed", &e), HS_OK);
    assert_int_equal(c.task.curriculum, HS_CURRICULUM_MIXED);
    /* split at the first '=': the rest is the value */
    assert_int_equal(hs_config_override(&c, "train.schedule==cosine", &e), HS_EINPUT);
    assert_has(e.msg, "\"=cosine\"");
}

/* ---------------------------------------------------------------------------------------------
 * The id */

static void test_id_stable_and_equivalent(void **state)
{
    (void)state;
    hs_config a, b;
    hs_config_default(&a);
    hs_config_default(&b);
    char ia[17], ib[17];
    id_of(&a, ia);
    id_of(&b, ib);
    assert_string_equal(ia, ib);
    assert_int_equal(strlen(ia), 16);
    for (int i = 0; i < 16; i++)
        assert_true((ia[i] >= '0' && ia[i] <= '9') || (ia[i] >= 'a' && ia[i] <= 'f'));

    /* The id is a function of the canonical text: recompute FNV-1a 64 independently. The keys
     * added with the conditional task are left out at their defaults, so ids of plain jobs are
     * those that stores written before them hold. */
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < hs_config_key_count(); i++) {
        char line[128], v[64];
        hs_config_format(&a, i, v, sizeof v);
        snprintf(line, sizeof line, "%s=%s\n", hs_config_key_name(i), v);
        static const char *const late[] = {"task.kind=retrieval\n",   "task.relations=2\n",
                                           "task.train_examples=0\n", "train.precision=fp32\n",
                                           "task.min_hops=0\n",       "task.letters=4\n",
                                           "task.length=98\n",        "model.positions=none\n",
                                           "model.dropout=0\n",       "model.readout=linear\n"};
        bool skip = false;
        for (size_t k = 0; k < sizeof late / sizeof late[0]; k++) skip |= !strcmp(line, late[k]);
        if (skip) continue;
        for (const char *p = line; *p; p++) h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
    }
    char expect[17];
    snprintf(expect, sizeof expect, "%016llx", (unsigned long long)h);
    assert_string_equal(ia, expect);

    /* 1e-3 and 0.001, and key order in YAML, do not matter. */
    hs_err e;
    char path[64];
    assert_int_equal(
        load_text(&a, "train: {lr: 1e-3, steps: 500}\nmodel: {layers: 3, heads: 4}\n", &e, path),
        HS_OK);
    assert_int_equal(
        load_text(&b, "model: {heads: 4, layers: 3}\ntrain: {steps: 500, lr: 0.001}\n", &e, path),
        HS_OK);
    id_of(&a, ia);
    id_of(&b, ib);
    assert_string_equal(ia, ib);
    hs_config_default(&b);
    assert_int_equal(hs_config_override(&b, "model.heads=4", &e), HS_OK);
    assert_int_equal(hs_config_override(&b, "model.layers=3", &e), HS_OK);
    assert_int_equal(hs_config_override(&b, "train.steps=500", &e), HS_OK);
    id_of(&b, ib);
    assert_string_equal(ia, ib);
}

/* Changing any one key changes the id, and the ids of all such changes differ. */
static void test_id_differs_per_key(void **state)
{
    (void)state;
    const size_t n = hs_config_key_count();
    char ids[64][17];
    assert_true(n < 64);
    hs_config base;
    hs_config_default(&base);
    id_of(&base, ids[n]);
    for (size_t i = 0; i < n; i++) {
        hs_config c = base;
        const char *key = hs_config_key_name(i);
        char now[64];
        hs_config_format(&c, i, now, sizeof now);
        /* a different valid value for every kind of key */
        static const char *const candidates[] = {
            "1",        "2",   "0.5", "true",        "false", "none",    "causal",
            "constant", "f32", "0",   "conditional", "bf16",  "learned", "identity"};
        bool changed = false;
        hs_err e;
        for (size_t k = 0; k < sizeof candidates / sizeof candidates[0] && !changed; k++) {
            if (strcmp(candidates[k], now) && hs_config_set(&c, key, candidates[k], &e) == HS_OK) {
                char after[64];
                hs_config_format(&c, i, after, sizeof after);
                changed = strcmp(after, now) != 0;
            }
        }
        if (!changed) fail_msg("found no other value for %s", key);
        id_of(&c, ids[i]);
        for (size_t j = 0; j < i; j++) assert_string_not_equal(ids[i], ids[j]);
        assert_string_not_equal(ids[i], ids[n]);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Bad input: hs_config_set and overrides */

static void test_bad_unknown_key(void **state)
{
    (void)state;
    hs_config c;
    hs_config_default(&c);
    hs_err e;
    assert_int_equal(hs_config_set(&c, "model.layer", "2", &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, "unknown key \"model.layer\"");
    assert_has(e.msg, "did you mean model.layers?");
    assert_int_equal(hs_config_override(&c, "trian.lr=0.1", &e), HS_EINPUT);
    assert_has(e.msg, "did you mean train.lr?");
    assert_int_equal(hs_config_override(&c, "layers=3", &e), HS_EINPUT);
    assert_has(e.msg, "did you mean model.layers?");
    assert_int_equal(hs_config_override(&c, "model.layres=3", &e), HS_EINPUT);
    assert_has(e.msg, "did you mean model.layers?"); /* a swap of neighbours is one edit */
    assert_int_equal(hs_config_override(&c, "colour.scheme=dark", &e), HS_EINPUT);
    assert_has(e.msg, "unknown key \"colour.scheme\" (keys start with");
    assert_int_equal(hs_config_override(&c, "foo=1", &e), HS_EINPUT);
    assert_null(strstr(e.msg, "did you mean")); /* nothing is close to "foo" */
    assert_int_equal(hs_config_override(&c, "model=3", &e), HS_EINPUT);
    assert_has(e.msg, "\"model\" is a section");
    assert_has(e.msg, "model.layers");
}

static void test_bad_not_an_integer(void **state)
{
    (void)state;
    expect_set_fails("model.layers", "abc", "is not an integer (allowed: 1..64)");
    expect_set_fails("model.layers", "4x", "is not an integer");
    expect_set_fails("model.layers", "", "is not an integer");
    expect_set_fails("model.layers", " 4", "is not an integer");
    expect_set_fails("model.layers", "0x10", "is not an integer");
}

static void test_bad_float_for_int(void **state)
{
    (void)state;
    expect_set_fails("model.layers", "4.5", "is not an integer");
    expect_set_fails("train.steps", "1e5", "is not an integer");
}

static void test_bad_out_of_range(void **state)
{
    (void)state;
    expect_set_fails("model.layers", "65", "out of range (allowed: 1..64)");
    expect_set_fails("model.layers", "0", "out of range");
    expect_set_fails("task.hops", "99999999999999999999", "out of range");
    expect_set_fails("task.hops", "2147483648", "out of range");
    expect_set_fails("train.lr", "0", "out of range (allowed: 0 < lr <= 10)");
    expect_set_fails("train.lr", "10.5", "out of range");
    expect_set_fails("emergence.tau_acc", "1.01", "out of range (allowed: 0..1)");
    expect_set_fails("train.seed", "18446744073709551616", "out of range");
}

static void test_bad_negative(void **state)
{
    (void)state;
    expect_set_fails("train.warmup", "-1", "out of range (allowed: integer >= 0)");
    expect_set_fails("train.weight_decay", "-0.1", "out of range");
    /* strtoull would wrap -1 to 2^64-1 */
    expect_set_fails("train.seed", "-1", "not a non-negative integer");
}

static void test_bad_float(void **state)
{
    (void)state;
    expect_set_fails("train.lr", "fast", "is not a number");
    expect_set_fails("train.lr", "1e-3x", "is not a number");
    expect_set_fails("train.lr", "nan", "not a finite number");
    expect_set_fails("train.clip", "inf", "not a finite number");
    expect_set_fails("train.clip", "1e999", "not a finite number");
    expect_set_fails("train.lr", "", "is not a number");
}

static void test_bad_enum(void **state)
{
    (void)state;
    expect_set_fails("train.schedule", "exponential", "not one of constant|cosine|linear");
    expect_set_fails("task.curriculum", "Implicit", "did you mean implicit?");
    expect_set_fails("log.attention_dtype", "bf16", "f32|f16|u8");
}

static void test_bad_bool(void **state)
{
    (void)state;
    expect_set_fails("model.layernorm", "maybe",
                     "not a boolean (allowed: true|false, yes|no, on|off, 1|0)");
    expect_set_fails("log.checkpoint", "2", "not a boolean");
}

static void test_bad_override_syntax(void **state)
{
    (void)state;
    hs_config c, before;
    hs_config_default(&c);
    before = c;
    hs_err e;
    assert_int_equal(hs_config_override(&c, "model.layers", &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, "\"model.layers\"");
    assert_has(e.msg, "missing '='");
    assert_int_equal(hs_config_override(&c, "=3", &e), HS_EINPUT);
    assert_has(e.msg, "\"=3\"");
    assert_has(e.msg, "empty key");
    assert_int_equal(hs_config_override(&c, "model.layers=", &e), HS_EINPUT);
    assert_has(e.msg, "model.layers: \"\" is not an integer");
    assert_memory_equal(&c, &before, sizeof c);
}

/* Control characters and very long values are escaped and cut, keeping the message one line. */
static void test_bad_value_escaped(void **state)
{
    (void)state;
    hs_config c;
    hs_config_default(&c);
    hs_err e;
    assert_int_equal(hs_config_set(&c, "model.layers", "1\n2", &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, "\"1\\x0a2\"");
    char longv[600];
    memset(longv, '7', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    assert_int_equal(hs_config_set(&c, "model.layers", longv, &e), HS_EINPUT);
    assert_has(e.msg, "...\" is out of range (allowed: 1..64)");
    char longk[300];
    memset(longk, 'k', sizeof longk - 1);
    longk[sizeof longk - 1] = '\0';
    assert_int_equal(hs_config_set(&c, longk, "1", &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, "unknown key \"kkkk");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_table),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_format_floats),
        cmocka_unit_test(test_set_every_kind),
        cmocka_unit_test(test_override),
        cmocka_unit_test(test_id_stable_and_equivalent),
        cmocka_unit_test(test_id_differs_per_key),
        cmocka_unit_test(test_bad_unknown_key),
        cmocka_unit_test(test_bad_not_an_integer),
        cmocka_unit_test(test_bad_float_for_int),
        cmocka_unit_test(test_bad_out_of_range),
        cmocka_unit_test(test_bad_negative),
        cmocka_unit_test(test_bad_float),
        cmocka_unit_test(test_bad_enum),
        cmocka_unit_test(test_bad_bool),
        cmocka_unit_test(test_bad_override_syntax),
        cmocka_unit_test(test_bad_value_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
