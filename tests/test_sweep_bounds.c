/* test_sweep_bounds.c — the sweep loader's work stays bounded (reliability findings F6): an
 * axis of a million values, 200,000 jobs against many exclude: entries, the exclude index
 * agreeing with the plain rule, and YAML aliases and nesting that cannot amplify. */
#include "sweep_fixture.h"

/* ---------------------------------------------------------------------------------------------
 * Bounded work (reliability findings F6): no step quadratic in values, excludes or jobs, and
 * YAML that cannot amplify or nest without bound. The time limits (EXPAND_LIMIT_S) are loose
 * guards against a quadratic regression (which takes minutes to hours here), not benchmarks. */

/* The guard: 30 s of CPU, four times that under AddressSanitizer, which makes this work about
 * four times slower (a quadratic step would take hours either way). Most of it is config.c
 * hashing each job's config for its id, linear in the jobs. */
#if defined(__SANITIZE_ADDRESS__)
#define EXPAND_LIMIT_S 120.0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EXPAND_LIMIT_S 120.0
#endif
#endif
#ifndef EXPAND_LIMIT_S
#define EXPAND_LIMIT_S 30.0
#endif

/* CPU time of this process: the work done, whatever else the machine is running. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A growing text buffer for generated sweep files. */
static char *gen;
static size_t gen_len, gen_cap;

static void gen_put(const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(gen + gen_len, gen_cap - gen_len, fmt, ap);
        va_end(ap);
        assert_true(w >= 0);
        if ((size_t)w < gen_cap - gen_len) {
            gen_len += (size_t)w;
            return;
        }
        gen_cap = gen_cap ? 2 * gen_cap + (size_t)w : 1 << 20;
        gen = realloc(gen, gen_cap);
        assert_non_null(gen);
        if (gen_len == 0) gen[0] = '\0';
    }
}

static void gen_reset(void)
{
    free(gen);
    gen = NULL;
    gen_len = gen_cap = 0;
}

static void test_bounded_axis_of_a_million(void **state)
{
    (void)state;
    gen_reset(); /* an earlier test that failed may have left text */
    gen_put("name: big\ngrid:\n  train.seed: [");
    for (int i = 0; i < 1000000; i++) gen_put(i ? ", %d" : "%d", i);
    gen_put("]\n");
    hs_sweep s;
    double t0 = now_s();
    load_ok(&s, "big.yaml", gen, 0, NULL);
    double dt = now_s() - t0;
    assert_int_equal(s.n_jobs, 1000000);
    char v[64];
    assert_string_equal(value_of(&s.jobs[999999].cfg, "train.seed", v, sizeof v), "999999");
    if (dt > EXPAND_LIMIT_S) fail_msg("10^6 grid values took %.1f s of CPU to expand", dt);
    hs_sweep_free(&s);
    /* the duplicate check is still there, and names both places */
    gen_len = 0;
    gen_put("grid:\n  train.seed: [");
    for (int i = 0; i < 100000; i++) gen_put("%d, ", i);
    gen_put("77]\n");
    expect_fails(gen, 2, 688906, "repeats the one at line 2, column 314 (both are 77)");
    gen_reset();
}

static void test_bounded_200000_jobs_with_excludes(void **state)
{
    (void)state;
    gen_reset(); /* an earlier test that failed may have left text */
    /* 1000 x 200 jobs and 10^5 exclude entries: before, every job tried every entry (2x10^10). */
    gen_put("name: many\ngrid:\n  train.seed: [");
    for (int i = 0; i < 1000; i++) gen_put(i ? ", %d" : "%d", i);
    gen_put("]\n  train.warmup: [");
    for (int i = 0; i < 200; i++) gen_put(i ? ", %d" : "%d", i);
    gen_put("]\nexclude:\n");
    for (int i = 0; i < 100000; i++) /* 1000 match one job each, the rest nothing on the grid */
        gen_put("  - {train.seed: %d, train.warmup: %d}\n", i, i < 1000 ? i % 200 : 5000);
    hs_sweep s;
    double t0 = now_s();
    load_ok(&s, "many.yaml", gen, 0, NULL);
    double dt = now_s() - t0;
    assert_int_equal(s.n_jobs, 200000 - 1000);
    assert_int_equal(s.n_excluded, 1000);
    if (dt > EXPAND_LIMIT_S)
        fail_msg("200,000 jobs x 10^5 excludes took %.1f s of CPU to expand", dt);
    hs_sweep_free(&s);
    gen_reset();
}

/* The exclude index agrees with the plain rule (a job is dropped when some entry matches every
 * one of its keys) on overlapping entries, base keys, values off the grid and lists. */
static void test_exclude_index_matches_rule(void **state)
{
    (void)state;
    const char *text = "base: {task: {chains: 2}, model: {d_model: 16}}\n"
                       "grid:\n  model.layers: [1, 2, 3]\n  task.hops: [1, 2, 3, 4]\n"
                       "  train.seed: [0, 1, 2, 3, 4]\n"
                       "exclude:\n"
                       "  - {model.layers: 1, task.hops: [3, 4]}\n"
                       "  - {model.layers: [2, 3], train.seed: [0, 4], task.hops: 2}\n"
                       "  - {train.seed: 3, task.chains: 2}\n"    /* base key that matches */
                       "  - {train.seed: 2, task.chains: 3}\n"    /* base key that does not */
                       "  - {task.hops: [4, 9], train.seed: 1}\n" /* 9 is not on the grid */
                       "  - {task.hops: 9}\n"
                       "  - {model.layers: 1, task.hops: [3, 4]}\n"; /* a repeat */
    hs_sweep s;
    load_ok(&s, "x.yaml", text, 0, NULL);
    size_t want = 0, at = 0;
    for (int l = 1; l <= 3; l++)
        for (int h = 1; h <= 4; h++)
            for (int seed = 0; seed <= 4; seed++) {
                bool drop = (l == 1 && h >= 3) || (l >= 2 && (seed == 0 || seed == 4) && h == 2) ||
                            seed == 3 || (h == 4 && seed == 1);
                if (drop) continue;
                want++;
                assert_true(at < s.n_jobs);
                const hs_config *c = &s.jobs[at++].cfg;
                assert_int_equal(c->model.layers, l);
                assert_int_equal(c->task.hops, h);
                assert_int_equal(c->train.seed, seed);
            }
    assert_int_equal(s.n_jobs, want);
    assert_int_equal(s.n_excluded, 60 - want);
    hs_sweep_free(&s);
}

static void test_bounded_aliases_and_nesting(void **state)
{
    (void)state;
    gen_reset(); /* an earlier test that failed may have left text */
    /* billion laughs: each level aliases the one before ten times */
    gen_put("grid:\n  train.seed: [0]\nbase:\n  name0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int k = 1; k < 9; k++) {
        gen_put("  name%d: &a%d [", k, k);
        for (int j = 0; j < 10; j++) gen_put(j ? ", *a%d" : "*a%d", k - 1);
        gen_put("]\n");
    }
    double t0 = now_s();
    expect_fails_ov(gen, 0, NULL, HS_EINPUT, 0, 0, NULL,
                    "aliases expand this sweep file to more than 10 times its size");
    assert_true(now_s() - t0 < 5.0);
    gen_reset();
    /* a few aliases are fine */
    hs_sweep s;
    load_ok(&s, "a.yaml",
            "grid:\n  model.layers: &l [1, 2]\n  train.seed: [0, 1]\n"
            "exclude:\n  - &e {model.layers: 1, train.seed: 0}\n  - *e\n  - {model.layers: *l, "
            "train.seed: 1}\n",
            0, NULL);
    assert_int_equal(s.n_jobs, 1);
    hs_sweep_free(&s);
    /* 10^5 levels of flow nesting: refused at level 65, at once */
    gen_put("grid:\n  train.seed: [0]\nexclude:\n  - ");
    for (int k = 0; k < 100000; k++) gen_put("{a: ");
    gen_put("1");
    for (int k = 0; k < 100000; k++) gen_put("}");
    gen_put("\n");
    t0 = now_s();
    expect_fails(gen, 4, 4 + 62 * 4 + 1, "nested more than 64 deep"); /* root, exclude:, 62 { */
    assert_true(now_s() - t0 < 5.0);
    gen_reset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounded_axis_of_a_million),
        cmocka_unit_test(test_bounded_200000_jobs_with_excludes),
        cmocka_unit_test(test_exclude_index_matches_rule),
        cmocka_unit_test(test_bounded_aliases_and_nesting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
