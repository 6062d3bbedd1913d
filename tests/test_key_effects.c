/* test_key_effects.c — the key-effect tables (key_effects.h) on synthetic stores whose effects
 * are known: train.clip decides solving, train.warmup barely matters; the rates, the Wilson
 * bounds (against the closed form, and as printed), the medians of steps to solve, the summary
 * per key, numeric order of values, interrupted and failed runs; and the edge cases: a key with
 * one value (no table), a store of one job, a store where nothing solves. */
#define _GNU_SOURCE /* open_memstream */
#include "analyze_fixture.h"

#include "hopsweep/analyze_report.h"
#include "hopsweep/key_effects.h"

/* A record with train.clip, train.warmup and the seed set (task.hops 2, model.layers 2);
 * steps2 is emergence.hop_steps[2] (-1: null). */
static void add(store_text *s, int clip, int warmup, int seed, const char *status, double qacc,
                int steps2)
{
    char keys[200], id[17], line[1024], hs[64];
    snprintf(keys, sizeof keys,
             "model.layers=2 task.hops=2 task.chains=2 train.clip=%d train.warmup=%d "
             "train.seed=%d",
             clip, warmup, seed);
    cfg_id(id, keys);
    if (steps2 >= 0)
        snprintf(hs, sizeof hs, "[0,50,%d]", steps2);
    else
        snprintf(hs, sizeof hs, "[0,50,null]");
    snprintf(line, sizeof line,
             "{\"id\":\"%s\",\"sweep\":\"t\",\"config\":{\"model\":{\"layers\":2},\"task\":"
             "{\"hops\":2,\"chains\":2},\"train\":{\"clip\":%d,\"warmup\":%d,\"seed\":%d}},"
             "\"status\":\"%s\",\"error\":null,\"steps\":1000,\"final\":{\"loss\":0.1,"
             "\"query_acc\":%g,\"hop_acc\":null},\"emergence\":{\"hop_steps\":%s},\"files\":"
             "{\"metrics\":null}}\n",
             id, clip, warmup, seed, status, qacc, hs);
    st_append(s, line);
}

/* The store of the tests: clip 0 solves (but one seed at warmup 100), clip 1 never does. */
static void clip_store(store_text *s)
{
    for (int seed = 0; seed < 4; seed++) {
        add(s, 0, 20, seed, "done", 0.99, 100 * (seed + 1)); /* steps 100..400: median 250 */
        add(s, 1, 20, seed, "done", 0.5, -1);
        add(s, 1, 100, seed, "done", 0.49, -1);
    }
    add(s, 0, 100, 0, "done", 0.98, 500);
    add(s, 0, 100, 1, "done", 0.97, 600);
    add(s, 0, 100, 2, "done", 0.96, -1); /* solved, but its step is not known */
    add(s, 0, 100, 3, "done", 0.60, -1);
    add(s, 1, 20, 4, "failed", 0, -1);      /* counts as a run that did not solve */
    add(s, 0, 20, 9, "interrupted", 0, -1); /* left out */
}

static void compute(const store_text *s, hs_results *r, hs_analysis *a, hs_key_effects *e)
{
    analyze_text(s->text, s->len, NULL, r, a);
    hs_err err = {0};
    if (hs_key_effects_compute(r, 0.95, e, &err)) fail_msg("%s", err.msg);
}

static const hs_key_effect *key(const hs_key_effects *e, const char *name)
{
    for (int k = 0; k < e->n_keys; k++)
        if (!strcmp(e->keys[k].name, name)) return &e->keys[k];
    fail_msg("no key %s", name);
    return NULL;
}

static const hs_effect_row *row(const hs_key_effect *ke, const char *cell, const char *value)
{
    for (size_t i = 0; i < ke->n_rows; i++)
        if (!strcmp(ke->cells[ke->rows[i].cell], cell) &&
            !strcmp(ke->values[ke->rows[i].value], value))
            return &ke->rows[i];
    fail_msg("no row %s %s in %s", cell, value, ke->name);
    return NULL;
}

/* The Wilson interval from its closed form: the roots of (k/n - p)^2 = z^2 p (1 - p) / n. */
static void wilson(double k, double n, double *lo, double *hi)
{
    double z = 1.959963984540054, z2 = z * z;
    double mid = k + z2 / 2, half = z * sqrt(k * (n - k) / n + z2 / 4);
    *lo = (mid - half) / (n + z2);
    *hi = (mid + half) / (n + z2);
}

static void check_row(const hs_effect_row *rw, int solved, int runs, int n_steps, double median)
{
    assert_int_equal(rw->s.solved, solved);
    assert_int_equal(rw->s.runs, runs);
    assert_near(rw->s.rate, (double)solved / runs);
    double lo, hi;
    wilson(solved, runs, &lo, &hi);
    assert_near(rw->s.lo, lo);
    assert_near(rw->s.hi, hi);
    assert_int_equal(rw->s.n_steps, n_steps);
    if (isnan(median))
        assert_true(isnan(rw->s.median_step));
    else
        assert_near(rw->s.median_step, median);
}

static void known_effects(void **state)
{
    (void)state;
    store_text s = {0};
    clip_store(&s);
    hs_results r;
    hs_analysis a;
    hs_key_effects e;
    compute(&s, &r, &a, &e);
    /* Only the keys that take several values: not model.layers or task.hops (one value each),
     * not train.seed; in key-table order. */
    assert_int_equal(e.runs, 17);
    assert_int_equal(e.n_keys, 2);
    assert_string_equal(e.keys[0].name, "train.clip");
    assert_string_equal(e.keys[1].name, "train.warmup");

    const hs_key_effect *clip = key(&e, "train.clip");
    assert_int_equal(clip->n_values, 2);
    assert_int_equal(clip->n_cells, 2);
    assert_int_equal(clip->n_rows, 4);
    check_row(row(clip, "train.warmup=20", "0"), 4, 4, 4, 250);
    check_row(row(clip, "train.warmup=20", "1"), 0, 5, 0, NAN);
    check_row(row(clip, "train.warmup=100", "0"), 3, 4, 2, 550);
    check_row(row(clip, "train.warmup=100", "1"), 0, 4, 0, NAN);
    assert_int_equal(clip->compared, 2);
    assert_near(clip->max_diff, 1.0);
    assert_string_equal(clip->cells[clip->max_cell], "train.warmup=20");
    assert_string_equal(clip->values[clip->max_hi], "0");
    assert_string_equal(clip->values[clip->max_lo], "1");
    /* 4/4 is [0.51, 1], 0/5 [0, 0.43]: apart; 3/4 [0.30, 0.95] and 0/4 [0, 0.49] overlap. */
    assert_int_equal(clip->separated, 1);
    assert_int_equal(clip->falls, 2);
    assert_int_equal(clip->rises + clip->flat + clip->mixed, 0);
    assert_int_equal(clip->all[0].solved, 7);
    assert_int_equal(clip->all[0].runs, 8);
    assert_int_equal(clip->all[1].solved, 0);
    assert_int_equal(clip->all[1].runs, 9);
    assert_near(clip->all[0].median_step, 350); /* 100 200 300 400 500 600 */

    /* Warm-up: values in numeric order (20 before 100, which strcmp would swap). */
    const hs_key_effect *warm = key(&e, "train.warmup");
    assert_string_equal(warm->values[0], "20");
    assert_string_equal(warm->values[1], "100");
    check_row(row(warm, "train.clip=0", "20"), 4, 4, 4, 250);
    check_row(row(warm, "train.clip=0", "100"), 3, 4, 2, 550);
    check_row(row(warm, "train.clip=1", "20"), 0, 5, 0, NAN);
    assert_near(warm->max_diff, 0.25);
    assert_string_equal(warm->cells[warm->max_cell], "train.clip=0");
    assert_int_equal(warm->separated, 0);
    assert_int_equal(warm->falls, 1);
    assert_int_equal(warm->flat, 1);
    assert_int_equal(warm->rises + warm->mixed, 0);
    hs_key_effects_free(&e);
    hs_analysis_free(&a);
    hs_results_free(&r);
    free(s.text);
}

/* hs_analyze_print's output in a format, as a string (caller frees), with every run of spaces
 * squeezed to one so that rows read the same whatever the column widths. */
static char *printed(const store_text *s, hs_analyze_format fmt, const char *only)
{
    hs_results r;
    hs_analysis a;
    analyze_text(s->text, s->len, NULL, &r, &a);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    hs_err err = {0};
    assert_int_equal(hs_analyze_print(f, &r, &a, "S", fmt, only, &err), HS_OK);
    fclose(f);
    char *o = text;
    for (const char *p = text; *p; p++)
        if (*p != ' ' || o == text || o[-1] != ' ') *o++ = *p;
    *o = '\0';
    hs_analysis_free(&a);
    hs_results_free(&r);
    return text;
}

static void printed_precision(void **state)
{
    (void)state;
    store_text s = {0};
    clip_store(&s);
    char *text = printed(&s, HS_ANALYZE_TEXT, NULL);
    /* The Wilson bounds to two decimals, the median, "-" where nothing solved. */
    assert_non_null(strstr(text, "Key effects: what each varied key does"));
    assert_non_null(strstr(text, "\ntrain.warmup=20 0 4/4 1.00 [0.51, 1.00] 250\n"));
    assert_non_null(strstr(text, "\n 1 0/5 0.00 [0.00, 0.43] -\n"));
    assert_non_null(strstr(text, "\ntrain.warmup=100 0 3/4 0.75 [0.30, 0.95] 550\n"));
    assert_non_null(
        strstr(text, "\ntrain.clip 0: 7/8, 1: 0/9 2/2 1.00 (0 > 1) train.warmup=20 1 0 2 0 0\n"));
    assert_non_null(strstr(
        text, "\ntrain.warmup 20: 4/9, 100: 3/8 2/2 0.25 (20 > 100) train.clip=0 0 0 1 1 0\n"));
    free(text);
    text = printed(&s, HS_ANALYZE_CSV, "key_effects");
    assert_non_null(strstr(text, "train.clip,train.warmup=20,1,5,0,0,0,0.434482,,0\n"));
    free(text);
    text = printed(&s, HS_ANALYZE_JSON, NULL);
    assert_non_null(strstr(text, "\"median_steps_to_solve\":null"));
    assert_non_null(strstr(text, "\"values\":[\"20\",\"100\"]"));
    free(text);
    free(s.text);
}

static void edge_cases(void **state)
{
    (void)state;
    /* One job: no key varies, so no key table in text and empty tables in JSON and CSV. */
    store_text one = {0};
    add(&one, 0, 20, 0, "done", 0.99, 100);
    char *text = printed(&one, HS_ANALYZE_TEXT, NULL);
    assert_null(strstr(text, "Key effects"));
    assert_null(strstr(text, "Effect of"));
    free(text);
    text = printed(&one, HS_ANALYZE_JSON, NULL);
    assert_non_null(strstr(text, "\"key_summary\":[]"));
    assert_non_null(strstr(text, "\"key_effects\":[]"));
    free(text);
    /* Seeds only (a key with one value each): still no table. */
    add(&one, 0, 20, 1, "done", 0.2, -1);
    text = printed(&one, HS_ANALYZE_MARKDOWN, NULL);
    assert_null(strstr(text, "Key effects"));
    free(text);
    free(one.text);

    /* Nothing solves: rates 0, medians unknown, every compared cell flat. */
    store_text none = {0};
    for (int seed = 0; seed < 3; seed++)
        for (int clip = 0; clip < 2; clip++) add(&none, clip, 20, seed, "done", 0.5, -1);
    hs_results r;
    hs_analysis a;
    hs_key_effects e;
    compute(&none, &r, &a, &e);
    assert_int_equal(e.n_keys, 1);
    const hs_key_effect *clip = key(&e, "train.clip");
    assert_string_equal(clip->cells[0], ""); /* no other key varies */
    check_row(row(clip, "", "0"), 0, 3, 0, NAN);
    check_row(row(clip, "", "1"), 0, 3, 0, NAN);
    assert_near(clip->max_diff, 0);
    assert_int_equal(clip->flat, 1);
    assert_int_equal(clip->separated, 0);
    hs_key_effects_free(&e);
    hs_analysis_free(&a);
    hs_results_free(&r);
    text = printed(&none, HS_ANALYZE_TEXT, "key_effects");
    assert_non_null(strstr(text, "\nall runs 0 0/3 0.00 [0.00, 0.56] -\n"));
    free(text);
    free(none.text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_effects),
        cmocka_unit_test(printed_precision),
        cmocka_unit_test(edge_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
