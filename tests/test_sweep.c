/* test_sweep.c — unit tests of sweep.c: grid products and their order, exclude: matching by
 * canonical value, command-line overrides, job ids and labels, the sweep-as-run YAML read back
 * into the same jobs, and one clear line for every kind of malformed sweep (file:line:column,
 * or the command-line argument), with the sweep left empty. The bounds on the loader's work are
 * tested in test_sweep_bounds.c.
 *
 * Fixtures are written by the tests themselves to a fresh temporary directory (mkdtemp), so the
 * file's name (and the sweep's default name) is under the test's control. */
#include "sweep_fixture.h"

/* ---------------------------------------------------------------------------------------------
 * Products, order, names */

static void test_product_order(void **state)
{
    (void)state;
    hs_sweep s;
    load_ok(&s, "smoke.yaml",
            "base:\n"
            "  train: {steps: 10}\n"
            "  task.vocab: 64\n"
            "grid:\n"
            "  model.layers: [1, 2]\n"
            "  task.hops: [1, 2, 3]\n",
            0, NULL);
    assert_string_equal(s.name, "smoke");
    assert_string_equal(s.output, "results/smoke");
    assert_int_equal(s.n_axes, 2);
    assert_string_equal(hs_config_key_name((size_t)s.axes[0].key), "model.layers");
    assert_int_equal(s.axes[0].n, 2);
    assert_int_equal(s.axes[1].n, 3);
    assert_int_equal(s.n_jobs, 6);
    assert_int_equal(s.n_excluded, 0);
    /* First axis slowest. */
    static const int layers[] = {1, 1, 1, 2, 2, 2}, hops[] = {1, 2, 3, 1, 2, 3};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(s.jobs[i].cfg.model.layers, layers[i]);
        assert_int_equal(s.jobs[i].cfg.task.hops, hops[i]);
        assert_int_equal(s.jobs[i].cfg.train.steps, 10); /* from base */
        char id[17];
        hs_config_id(&s.jobs[i].cfg, id);
        assert_string_equal(s.jobs[i].id, id);
        for (size_t j = 0; j < i; j++) assert_string_not_equal(s.jobs[i].id, s.jobs[j].id);
    }
    assert_int_equal(s.base.train.steps, 10);
    hs_sweep_free(&s);
    assert_empty(&s);

    /* Three axes: 2 x 2 x 3, the last axis fastest; .yml also names the sweep. */
    load_ok(&s, "three.yml",
            "name: three\n"
            "output: out/three\n"
            "grid:\n"
            "  train.seed: [0, 1]\n"
            "  task.curriculum: [none, explicit]\n"
            "  train.lr: [0.001, 0.01, 0.1]\n",
            0, NULL);
    assert_string_equal(s.name, "three");
    assert_string_equal(s.output, "out/three");
    assert_int_equal(s.n_jobs, 12);
    assert_int_equal(s.jobs[0].cfg.train.seed, 0);
    assert_int_equal(s.jobs[5].cfg.train.seed, 0);
    assert_int_equal(s.jobs[6].cfg.train.seed, 1);
    assert_int_equal(s.jobs[3].cfg.task.curriculum, HS_CURRICULUM_EXPLICIT);
    assert_true(s.jobs[4].cfg.train.lr == 0.01);
    hs_sweep_free(&s);

    load_ok(&s, "x.yml", "grid:\n  model.layers: [3]\n", 0, NULL);
    assert_string_equal(s.name, "x");
    assert_int_equal(s.n_jobs, 1);
    hs_sweep_free(&s);
}

/* Without grid: one job; without a file: the overrides alone. A grid key also set in base:
 * takes the grid's values. */
static void test_single_job_and_no_file(void **state)
{
    (void)state;
    hs_sweep s;
    load_ok(&s, "one.yaml", "base:\n  model.layers: 3\nexclude: []\n", 0, NULL);
    assert_int_equal(s.n_axes, 0);
    assert_int_equal(s.n_jobs, 1);
    assert_int_equal(s.jobs[0].cfg.model.layers, 3);
    char label[32] = "x";
    hs_sweep_job_label(&s, 0, label, sizeof label);
    assert_string_equal(label, "");
    hs_sweep_free(&s);

    char *ov[] = {"model.layers=1,2", "train.steps=5"};
    hs_err e;
    assert_int_equal(hs_sweep_load(&s, NULL, 2, ov, &e), HS_OK);
    assert_string_equal(s.name, "sweep");
    assert_string_equal(s.output, "results/sweep");
    assert_int_equal(s.n_jobs, 2);
    assert_int_equal(s.jobs[1].cfg.model.layers, 2);
    assert_int_equal(s.jobs[1].cfg.train.steps, 5);
    hs_sweep_free(&s);

    load_ok(&s, "both.yaml", "base:\n  model: {layers: 7}\ngrid:\n  model.layers: [1, 2]\n", 0,
            NULL);
    assert_int_equal(s.n_jobs, 2);
    assert_int_equal(s.jobs[0].cfg.model.layers, 1);
    assert_int_equal(s.jobs[1].cfg.model.layers, 2);
    hs_sweep_free(&s);
}

/* ---------------------------------------------------------------------------------------------
 * exclude: */

static void test_exclude(void **state)
{
    (void)state;
    hs_sweep s;
    load_ok(&s, "ex.yaml",
            "grid:\n"
            "  model.layers: [1, 2, 3]\n"
            "  task.hops: [1, 2, 3, 4, 5]\n"
            "exclude:\n"
            "  - {model.layers: 1, task.hops: [4, 5]}\n" /* a list matches any of its values */
            "  - {model.layers: 3, task.hops: 1}\n",     /* scalar */
            0, NULL);
    assert_int_equal(s.n_excluded, 3);
    assert_int_equal(s.n_jobs, 12);
    for (size_t i = 0; i < s.n_jobs; i++) {
        const hs_config *c = &s.jobs[i].cfg;
        assert_false(c->model.layers == 1 && c->task.hops >= 4);
        assert_false(c->model.layers == 3 && c->task.hops == 1);
    }
    /* Order kept: layers=1 hops 1..3, then layers=2 hops 1..5, then layers=3 hops 2..5. */
    assert_int_equal(s.jobs[2].cfg.task.hops, 3);
    assert_int_equal(s.jobs[3].cfg.model.layers, 2);
    assert_int_equal(s.jobs[8].cfg.model.layers, 3);
    assert_int_equal(s.jobs[8].cfg.task.hops, 2);
    hs_sweep_free(&s);

    /* Matching by canonical value: 1e-3 in exclude: matches 0.001 in grid:, "1.0" matches 1,
     * booleans in any spelling. A key that is no axis matches the base value. */
    load_ok(&s, "norm.yaml",
            "base:\n  train.clip: 1\n"
            "grid:\n"
            "  train.lr: [0.001, 1e-2, 0.1]\n"
            "  model.layernorm: [true, false]\n"
            "exclude:\n"
            "  - {train.lr: 1e-3}\n"
            "  - {train.lr: 0.01, model.layernorm: [no]}\n"
            "  - {train.lr: 0.1, train.clip: 1.0, model.layernorm: YES}\n",
            0, NULL);
    assert_int_equal(s.n_jobs, 2);
    assert_int_equal(s.n_excluded, 4);
    assert_true(s.jobs[0].cfg.train.lr == 0.01 && s.jobs[0].cfg.model.layernorm);
    assert_true(s.jobs[1].cfg.train.lr == 0.1 && !s.jobs[1].cfg.model.layernorm);
    assert_string_equal(s.axes[0].values[1], "0.01"); /* axes hold canonical text */
    hs_sweep_free(&s);
}

/* ---------------------------------------------------------------------------------------------
 * Overrides */

static void test_overrides(void **state)
{
    (void)state;
    const char *text = "grid:\n"
                       "  model.layers: [1, 2]\n"
                       "  task.hops: [1, 2, 3]\n";
    hs_sweep s;
    char buf[32];

    /* key=v replaces the axis: it is no axis any more, it goes into base. */
    char *scalar[] = {"task.hops=2"};
    load_ok(&s, "o.yaml", text, 1, scalar);
    assert_int_equal(s.n_axes, 1);
    assert_string_equal(hs_config_key_name((size_t)s.axes[0].key), "model.layers");
    assert_int_equal(s.base.task.hops, 2);
    assert_int_equal(s.n_jobs, 2);
    for (size_t i = 0; i < s.n_jobs; i++) assert_int_equal(s.jobs[i].cfg.task.hops, 2);
    assert_null(strstr(s.yaml, "task.hops: ["));
    hs_sweep_free(&s);

    /* key=v1,v2 replaces the file's axis in place. */
    char *list[] = {"model.layers=3,4,5"};
    load_ok(&s, "o.yaml", text, 1, list);
    assert_int_equal(s.n_axes, 2);
    assert_string_equal(hs_config_key_name((size_t)s.axes[0].key), "model.layers");
    assert_int_equal(s.axes[0].n, 3);
    assert_int_equal(s.n_jobs, 9);
    assert_int_equal(s.jobs[0].cfg.model.layers, 3);
    assert_int_equal(s.jobs[8].cfg.model.layers, 5);
    assert_int_equal(s.jobs[8].cfg.task.hops, 3);
    hs_sweep_free(&s);

    /* A new key=v1,v2 axis comes after the file's; values are canonical text. */
    char *add[] = {"train.lr=1e-3,0.01", "train.steps=7"};
    load_ok(&s, "o.yaml", text, 2, add);
    assert_int_equal(s.n_axes, 3);
    assert_string_equal(hs_config_key_name((size_t)s.axes[2].key), "train.lr");
    assert_string_equal(s.axes[2].values[0], "0.001");
    assert_int_equal(s.n_jobs, 12);
    assert_true(s.jobs[0].cfg.train.lr == 0.001);
    assert_true(s.jobs[1].cfg.train.lr == 0.01); /* the last axis varies fastest */
    assert_string_equal(value_of(&s.jobs[11].cfg, "train.steps", buf, sizeof buf), "7");
    hs_sweep_free(&s);

    /* Later overrides win: an axis, then a single value for the same key. */
    char *twice[] = {"train.seed=1,2", "train.seed=9"};
    load_ok(&s, "o.yaml", text, 2, twice);
    assert_int_equal(s.n_axes, 2);
    assert_int_equal(s.jobs[0].cfg.train.seed, 9);
    hs_sweep_free(&s);
}

/* ---------------------------------------------------------------------------------------------
 * Ids, labels, the YAML as run */

static void test_ids_independent_of_key_order(void **state)
{
    (void)state;
    hs_sweep a, b;
    load_ok(&a, "a.yaml", "grid:\n  model.layers: [1, 2]\n  task.hops: [1, 2, 3]\n", 0, NULL);
    load_ok(&b, "b.yaml", "grid:\n  task.hops: [3, 2, 1]\n  model.layers: [2, 1]\nname: a\n", 0,
            NULL);
    assert_int_equal(a.n_jobs, b.n_jobs);
    char ia[6][17], ib[6][17];
    for (size_t i = 0; i < 6; i++) {
        memcpy(ia[i], a.jobs[i].id, 17);
        memcpy(ib[i], b.jobs[i].id, 17);
    }
    assert_string_not_equal(ia[0], ib[0]); /* different order... */
    qsort(ia, 6, 17, cmp_id);
    qsort(ib, 6, 17, cmp_id);
    for (size_t i = 0; i < 6; i++) /* ...same set */
        assert_string_equal(ia[i], ib[i]);
    /* The same job as a job file's config gets the same id. */
    hs_config c;
    hs_config_default(&c);
    c.model.layers = 2;
    c.task.hops = 3;
    char id[17];
    hs_config_id(&c, id);
    assert_string_equal(a.jobs[5].id, id);
    hs_sweep_free(&a);
    hs_sweep_free(&b);
}

static void test_labels(void **state)
{
    (void)state;
    hs_sweep s;
    load_ok(&s, "l.yaml",
            "grid:\n"
            "  model.layers: [2]\n"
            "  task.hops: [3]\n"
            "  task.curriculum: [implicit]\n"
            "  train.seed: [1]\n"
            "  train.lr: [1e-3]\n",
            0, NULL);
    char buf[128];
    hs_sweep_job_label(&s, 0, buf, sizeof buf);
    assert_string_equal(buf, "layers=2 hops=3 curriculum=implicit seed=1 lr=0.001");
    hs_sweep_job_label(&s, 0, buf, 12); /* cut to fit */
    assert_string_equal(buf, "layers=2 ho");
    hs_sweep_job_label(&s, 1, buf, sizeof buf); /* no such job */
    assert_string_equal(buf, "");
    hs_sweep_job_label(&s, 0, buf, 0); /* nothing written */
    hs_sweep_free(&s);
}

/* Loads y.yaml's text back and checks it gives the same sweep. */
static void assert_round_trip(const hs_sweep *s)
{
    hs_sweep t;
    load_ok(&t, "again.yaml", s->yaml, 0, NULL);
    assert_string_equal(t.name, s->name);
    assert_string_equal(t.output, s->output);
    assert_int_equal(t.n_axes, s->n_axes);
    for (int a = 0; a < s->n_axes; a++) {
        assert_int_equal(t.axes[a].key, s->axes[a].key);
        assert_int_equal(t.axes[a].n, s->axes[a].n);
        for (int v = 0; v < s->axes[a].n; v++)
            assert_string_equal(t.axes[a].values[v], s->axes[a].values[v]);
    }
    assert_int_equal(t.n_excluded, s->n_excluded);
    assert_int_equal(t.n_jobs, s->n_jobs);
    for (size_t i = 0; i < s->n_jobs; i++) assert_string_equal(t.jobs[i].id, s->jobs[i].id);
    char id1[17], id2[17];
    hs_config_id(&t.base, id1);
    hs_config_id(&s->base, id2);
    assert_string_equal(id1, id2);
    assert_string_equal(t.yaml, s->yaml); /* a fixed point */
    hs_sweep_free(&t);
}

static void test_yaml_round_trip(void **state)
{
    (void)state;
    hs_sweep s;
    char *ov[] = {"train.lr=1e-3,2e-3", "train.steps=11", "model.heads=1"};
    load_ok(&s, "rt.yaml",
            "name: round-trip\n"
            "base:\n"
            "  train: {steps: 100, warmup: 5, schedule: constant}\n"
            "  log.attention_dtype: u8\n"
            "grid:\n"
            "  model.layers: [1, 2, 3]\n"
            "  task.hops: [1, 2, 3]\n"
            "  model.heads: [1, 2]\n"
            "exclude:\n"
            "  - {model.layers: 1, task.hops: [2, 3]}\n"
            "  - {train.lr: 0.002, task.hops: 1}\n",
            3, ov);
    assert_int_equal(s.n_axes, 3); /* model.heads became a single value */
    assert_int_equal(s.n_jobs, 18 - 4 - 3);
    assert_has(s.yaml, "name: round-trip\n");
    assert_has(s.yaml, "output: results/round-trip\n");
    assert_has(s.yaml, "  train.steps: 11\n");
    assert_has(s.yaml, "  train.schedule: constant\n");
    assert_has(s.yaml, "  train.lr: [0.001, 0.002]\n");
    assert_has(s.yaml, "  - {model.layers: 1, task.hops: [2, 3]}\n");
    assert_has(s.yaml, "  - {train.lr: 0.002, task.hops: 1}\n");
    for (size_t i = 0; i < hs_config_key_count(); i++) { /* every key in base: */
        char line[64];
        snprintf(line, sizeof line, "\n  %s: ", hs_config_key_name(i));
        assert_has(s.yaml, line);
    }
    assert_round_trip(&s);
    hs_sweep_free(&s);

    /* Strings that need it are quoted (as JSON strings), and read back the same. */
    load_ok(&s, "q.yaml",
            "name: \"odd: name # 'x' \\\"y\\\" \\\\ true\"\n"
            "output: \"/tmp/a b\"\n"
            "grid:\n  train.seed: [3, 1]\n",
            0, NULL);
    assert_string_equal(s.name, "odd: name # 'x' \"y\" \\ true");
    assert_has(s.yaml, "name: \"odd: name # 'x' \\\"y\\\" \\\\ true\"\n");
    assert_round_trip(&s);
    hs_sweep_free(&s);

    load_ok(&s, "true.yaml", "name: 'yes'\n", 0, NULL); /* would read as a boolean elsewhere */
    assert_has(s.yaml, "name: \"yes\"\n");
    assert_round_trip(&s);
    hs_sweep_free(&s);
}

/* ---------------------------------------------------------------------------------------------
 * Malformed sweep files: each one line, path:line:column, the key, the value, what to do */

static void test_bad_tabs(void **state)
{
    (void)state;
    expect_fails("grid:\n\tmodel.layers: [1]\n", 2, 1, "YAML indents with spaces, not tabs");
}

static void test_bad_duplicate_keys(void **state)
{
    (void)state;
    expect_fails("grid:\n  model.layers: [1]\ngrid:\n  task.hops: [1]\n", 3, 1,
                 "duplicate key \"grid\" (first set at line 1, column 1)");
    expect_fails("grid:\n  model.layers: [1]\n  model.layers: [2]\n", 3, 3,
                 "grid: duplicate key \"model.layers\" (first set at line 2, column 3)");
    expect_fails("base:\n  model: {layers: 2}\n  model.layers: 3\n", 3, 3,
                 "duplicate key \"model.layers\" (first set at line 2, column 11)");
    expect_fails(
        "grid:\n  model.layers: [1, 2]\nexclude:\n  - {model.layers: 1, model.layers: 2}\n", 4, 23,
        "exclude: duplicate key \"model.layers\"");
}

static void test_bad_types(void **state)
{
    (void)state;
    expect_fails("grid:\n  model.layers: 3\n", 2, 17,
                 "grid: model.layers: expected a list of values, found the value \"3\"; write [3]");
    expect_fails("grid:\n  model.layers: [1, [2]]\n", 2, 21,
                 "grid: model.layers: each list item must be one value, found a list");
    expect_fails("grid:\n  model.layers:\n    - 1\n    - {a: 2}\n", 4, 7,
                 "each list item must be one value, found a mapping");
    expect_fails("grid:\n  model.layers: {a: 1}\n", 2, 17,
                 "expected a list of values, found a mapping");
    expect_fails("grid: [model.layers]\n", 1, 7,
                 "grid: expected a mapping of job keys to lists of values");
    expect_fails("name: [a]\n", 1, 7, "name: expected a string, found a list");
    expect_fails("output: {a: b}\n", 1, 9, "output: expected a string, found a mapping");
    expect_fails("grid:\n  model.layers: [1, 2]\nexclude:\n  model.layers: 1\n", 4, 3,
                 "exclude: expected a list of entries");
    expect_fails("grid:\n  model.layers: [1, 2]\nexclude:\n  - 3\n", 4, 5,
                 "exclude: each entry must be a mapping of job keys to values");
    expect_fails("grid:\n  model.layers: [1, 2]\nexclude:\n  - {model.layers: {a: 1}}\n", 4, 20,
                 "exclude: model.layers: expected a value or a list of values, found a mapping");
    expect_fails("base: [1]\n", 1, 7, "base: expected a mapping of job keys");
    expect_fails("base:\n  task: [1]\n", 2, 9, "task is a section and needs a mapping");
}

static void test_bad_unknown_keys(void **state)
{
    (void)state;
    expect_fails("gird:\n  model.layers: [1]\n", 1, 1,
                 "unknown key \"gird\" (did you mean grid?); a sweep file has name:, output:, "
                 "base:, grid: and exclude:");
    expect_fails("exclued: []\n", 1, 1, "(did you mean exclude?)");
    expect_fails("bogus: 1\n", 1, 1, "unknown key \"bogus\"; a sweep file has");
    expect_fails("model.layers: 3\n", 1, 1,
                 "\"model.layers\" is not a sweep key; job keys go under base:");
    expect_fails("grid:\n  model.layer: [1]\n", 2, 3,
                 "grid: unknown key \"model.layer\" (did you mean model.layers?)");
    expect_fails("grid:\n  model: {layers: [1]}\n", 2, 3,
                 "grid: \"model\" is a section, not a key");
    expect_fails("base:\n  modle: {layers: 1}\n", 2, 3,
                 "unknown key \"modle\" (did you mean model?)");
    expect_fails("base:\n  model.layres: 1\n", 2, 3, "(did you mean model.layers?)");
    expect_fails("grid:\n  model.layers: [1, 2]\nexclude:\n  - {model.layer: 1}\n", 4, 6,
                 "exclude: unknown key \"model.layer\" (did you mean model.layers?)");
    expect_fails("grid:\n  model.layers: [1, 2]\nexclude:\n  - {bogus.key: 1}\n", 4, 6,
                 "exclude: unknown key \"bogus.key\"");
}

static void test_bad_values(void **state)
{
    (void)state;
    /* The bad value's own line and column, not the key's. */
    expect_fails("grid:\n  model.layers: [1,\n    x]\n", 3, 5,
                 "grid: model.layers: \"x\" is not an integer (allowed: 1..64)");
    expect_fails("grid:\n  task.curriculum: [none, implict]\n", 2, 27,
                 "\"implict\" is not one of none|implicit|mixed|explicit (did you mean implicit?)");
    expect_fails("base:\n  model.layers: 0\n", 2, 17, "model.layers: \"0\" is out of range");
    expect_fails("grid:\n  model.layers: [1, 2]\nexclude:\n  - {model.layers: [1, 99]}\n", 4, 24,
                 "exclude: model.layers: \"99\" is out of range (allowed: 1..64)");
    /* Duplicates by canonical value, at the repeat. */
    expect_fails("grid:\n  train.lr: [0.001, 1e-3]\n", 2, 21,
                 "grid: train.lr: value \"1e-3\" repeats the one at line 2, column 14 (both are "
                 "0.001)");
    expect_fails("name: \"a/b\"\n", 1, 7,
                 "name: \"a/b\" cannot be the sweep's name: it holds a '/'");
    expect_fails("output: ''\n", 1, 9, "output: \"\" cannot be the sweep's output directory");
}

static void test_bad_empty_lists(void **state)
{
    (void)state;
    expect_fails("grid:\n  model.layers: []\n", 2, 17,
                 "grid: model.layers: empty list; give at least one value");
    expect_fails("grid:\n  model.layers:\n", 2, 16, "grid: model.layers: no values");
    expect_fails("name: a\ngrid:\n", 2, 1, "grid: is empty; list the keys to vary under it");
    expect_fails("grid:\n# model.layers: [1, 2]\n", 1, 1, "grid: is empty");
    expect_fails("grid: {}\n", 1, 1, "grid: is empty");
    expect_fails("grid:\n  model.layers: [1, 2]\nexclude:\n  - {}\n", 4, 5,
                 "exclude: an empty entry {} would drop every job");
    expect_fails("grid:\n  model.layers: [1, 2]\nexclude:\n  - {model.layers: []}\n", 4, 20,
                 "exclude: model.layers: empty list");
}

static void test_bad_yaml_text(void **state)
{
    (void)state;
    expect_fails("name: \"abc\ngrid:\n  model.layers: [1]\n", 4, 1,
                 "malformed YAML: found unexpected end of stream (while scanning a quoted scalar "
                 "at line 1, column 7)");
    expect_fails("name: \303\050\n", 1, 8,
                 "not valid YAML text: invalid trailing UTF-8 octet (byte 0x28); sweep files "
                 "must be UTF-8");
    expect_fails("- a\n- b\n", 1, 1, "a sweep file must be a mapping of name:, output:, base:");
    expect_fails("just text\n", 1, 1, "found a value at the top");
    expect_fails("grid:\n  model.layers: [1]\n---\nname: x\n", 4, 1,
                 "a sweep file holds one YAML document; found a second one");
}

static void test_bad_empty_and_missing_file(void **state)
{
    (void)state;
    expect_fails_ov("", 0, NULL, HS_EINPUT, 0, 0, NULL,
                    "s.yaml: empty sweep file; a sweep file is");
    expect_fails_ov("# only a comment\n", 0, NULL, HS_EINPUT, 0, 0, NULL, "empty sweep file");
    expect_fails_ov("---\n", 0, NULL, HS_EINPUT, 0, 0, NULL, "empty sweep file");

    hs_sweep s;
    hs_err e;
    assert_int_equal(hs_sweep_load(&s, "/nonexistent/dir/s.yaml", 0, NULL, &e), HS_EIO);
    assert_one_line(e.msg);
    assert_has(e.msg, "/nonexistent/dir/s.yaml: cannot open: No such file or directory");
    assert_empty(&s);
    assert_int_equal(hs_sweep_load(&s, "/", 0, NULL, &e), HS_EIO); /* a directory */
    assert_empty(&s);
}

static void test_bad_exclude_drops_all(void **state)
{
    (void)state;
    expect_fails("grid:\n  model.layers: [1, 2]\n  task.hops: [1, 2, 3]\nexclude:\n"
                 "  - {model.layers: 1}\n  - {model.layers: +2}\n",
                 4, 1, "exclude: drops all 6 jobs; nothing would run");
    /* Excluding every value of a key is the same mistake. */
    expect_fails("grid:\n  model.layers: [1, 2]\nexclude:\n  - {model.layers: [1, 2]}\n", 3, 1,
                 "exclude: drops all 2 jobs");
}

static void test_bad_job_validation(void **state)
{
    (void)state;
    /* task.vocab=9 holds hops=1 (needs 8) but not hops=2: the failing job is named by its grid
     * position (its first axis value, line 4), its label and what validate said. */
    expect_fails("base:\n  task.vocab: 9\ngrid:\n  model.layers: [1, 2]\n  task.hops: [1, 2]\n", 4,
                 18, "job layers=1 hops=2 is invalid: task.vocab=9 is too small for task.hops=2");
    expect_fails("base:\n  task.vocab: 9\ngrid:\n  model.layers: [1, 2]\n  task.hops: [1, 2]\n", 4,
                 18, "skip the job with exclude: - {model.layers: 1, task.hops: 2}");
    /* The second value of the first axis. */
    expect_fails("grid:\n  model.heads: [2, 3]\n", 2, 20,
                 "job heads=3 is invalid: model.d_model=64 must be a multiple of model.heads=3");
    /* Excluded jobs are not validated. */
    hs_sweep s;
    load_ok(&s, "v.yaml",
            "base:\n  task.vocab: 9\ngrid:\n  task.hops: [1, 2]\nexclude:\n  - {task.hops: 2}\n", 0,
            NULL);
    assert_int_equal(s.n_jobs, 1);
    hs_sweep_free(&s);
    /* No grid: the base: key is named. */
    expect_fails("name: x\nbase:\n  task.vocab: 3\n", 2, 1,
                 "the sweep's job is invalid: task.vocab=3 is too small");
    /* An axis from the command line is named by its argument. */
    char *ov[] = {"task.vocab=12", "task.hops=2,3"};
    hs_err e;
    assert_int_equal(hs_sweep_load(&s, NULL, 2, ov, &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, "command line argument 2 (`task.hops=2,3`): job hops=3 is invalid: "
                      "task.vocab=12 is too small");
    assert_empty(&s);
}

static void test_bad_overrides(void **state)
{
    (void)state;
    const char *text = "grid:\n  model.layers: [1, 2]\n";
    char *none[] = {"train.steps=5", "model.layers"};
    expect_fails_ov(text, 2, none, HS_EINPUT, 0, 0,
                    "command line argument 2 (`model.layers`): ", "missing '='; write key=value");
    char *empty_key[] = {"=3"};
    expect_fails_ov(text, 1, empty_key, HS_EINPUT, 0, 0,
                    "command line argument 1 (`=3`): ", "empty key before '='");
    char *unknown[] = {"model.layer=3"};
    expect_fails_ov(text, 1, unknown, HS_EINPUT, 0, 0,
                    "command line argument 1 (`model.layer=3`): ",
                    "unknown key \"model.layer\" (did you mean model.layers?)");
    char *bad[] = {"model.layers=x"};
    expect_fails_ov(text, 1, bad, HS_EINPUT, 0, 0, "command line argument 1 (`model.layers=x`): ",
                    "model.layers: \"x\" is not an integer (allowed: 1..64)");
    char *bad_item[] = {"model.layers=1,x"};
    expect_fails_ov(text, 1, bad_item, HS_EINPUT, 0, 0, "command line argument 1 (",
                    "model.layers: \"x\" is not an integer");
    char *empty_item[] = {"model.layers=1,,2"};
    expect_fails_ov(text, 1, empty_item, HS_EINPUT, 0, 0,
                    "command line argument 1 (`model.layers=1,,2`): ",
                    "model.layers: item 2 of the list is empty");
    char *trailing[] = {"model.layers=1,2,"};
    expect_fails_ov(text, 1, trailing, HS_EINPUT, 0, 0, "command line argument 1 (",
                    "item 3 of the list is empty");
    char *dup[] = {"train.lr=0.001,1e-3"};
    expect_fails_ov(text, 1, dup, HS_EINPUT, 0, 0, "command line argument 1 (",
                    "train.lr: items 1 and 2 are the same value (0.001)");
    char *section[] = {"model=1"};
    expect_fails_ov(text, 1, section, HS_EINPUT, 0, 0, "command line argument 1 (",
                    "\"model\" is a section, not a key");
    /* A control character in an argument stays on one line. */
    char *ctl[] = {"model.layers=1\n2"};
    expect_fails_ov(text, 1, ctl, HS_EINPUT, 0, 0,
                    "command line argument 1 (`model.layers=1\\x0a2`)", "is not an integer");
    /* Overrides are checked after the file: the file's error comes first. */
    expect_fails_ov("grid:\n  model.layers: 3\n", 1, bad, HS_EINPUT, 2, 17, NULL, "write [3]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_product_order),
        cmocka_unit_test(test_single_job_and_no_file),
        cmocka_unit_test(test_exclude),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_ids_independent_of_key_order),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_yaml_round_trip),
        cmocka_unit_test(test_bad_tabs),
        cmocka_unit_test(test_bad_duplicate_keys),
        cmocka_unit_test(test_bad_types),
        cmocka_unit_test(test_bad_unknown_keys),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_bad_empty_lists),
        cmocka_unit_test(test_bad_yaml_text),
        cmocka_unit_test(test_bad_empty_and_missing_file),
        cmocka_unit_test(test_bad_exclude_drops_all),
        cmocka_unit_test(test_bad_job_validation),
        cmocka_unit_test(test_bad_overrides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
