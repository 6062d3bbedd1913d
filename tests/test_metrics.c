/* test_metrics.c — metrics.csv round trip (metrics.h): the header and a row byte for byte as the
 * trainer has always written them, many rows written and parsed back field by field (every
 * column, NaN as an empty field, head roles and scores), a file of an older writer without the
 * loss columns, a file still being written, and a damaged number in each kind of column refused
 * with file and line. */
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

#include "hopsweep/metrics.h"

#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

/* What the writer's "%.6g" keeps of v, read back as a float (NaN stays NaN). */
static float printed(float v)
{
    if (isnan(v)) return NAN;
    char buf[32];
    snprintf(buf, sizeof buf, "%.6g", (double)v);
    return strtof(buf, NULL);
}

static void assert_same_float(float got, float want)
{
    if (isnan(want)) {
        if (!isnan(got)) fail_msg("got %g, want NaN", (double)got);
    } else if (got != printed(want)) {
        fail_msg("got %.9g, want %.9g", (double)got, (double)printed(want));
    }
}

/* Everything written to a memory stream by fn. */
typedef struct mem {
    char *text;
    size_t len;
    FILE *f;
} mem;

static void mem_open(mem *m)
{
    m->text = NULL;
    m->len = 0;
    m->f = open_memstream(&m->text, &m->len);
    assert_non_null(m->f);
}

static void mem_close(mem *m) { assert_int_equal(fclose(m->f), 0); }

static void exact_bytes(void **state)
{
    (void)state;
    mem m;
    mem_open(&m);
    hs_metrics_header(m.f, 2, 1, 2);
    const float hop[3] = {0.5f, NAN, 0.1f};
    const hs_eval ev = {.step = 100,
                        .lr = 0.001f,
                        .train_loss = NAN,
                        .eval_loss = 2.5f,
                        .query_acc = 0.125f,
                        .hop_acc = hop,
                        .level = 2};
    const hs_head_role roles[2] = {{.layer = 1, .head = 0, .bin = HS_PROBE_SELF, .score = 0.75f},
                                   {.layer = 1, .head = 1, .bin = -1, .score = 1.0f / 3.0f}};
    hs_metrics_row(m.f, &ev, 2, roles, 2);
    mem_close(&m);
    assert_string_equal(m.text, "step,lr,train_loss,eval_loss,query_acc,level,hop_0,hop_1,hop_2,"
                                "L1H0_role,L1H0_score,L1H1_role,L1H1_score\n"
                                "100,0.001,,2.5,0.125,2,0.5,,0.1,L1:self,0.75,L1:-1,0.333333\n");
    free(m.text);
    /* No probe: no head columns. */
    mem_open(&m);
    hs_metrics_header(m.f, 1, 0, 0);
    hs_metrics_row(m.f, &ev, 1, NULL, 0);
    mem_close(&m);
    assert_string_equal(m.text, "step,lr,train_loss,eval_loss,query_acc,level,hop_0,hop_1\n"
                                "100,0.001,,2.5,0.125,2,0.5,\n");
    free(m.text);
}

static void round_trip(void **state)
{
    (void)state;
    enum { ROWS = 40, HOPS = 3, LAYERS = 2, HEADS = 2, N = LAYERS * HEADS };
    static const int bins[] = {-3, -1, 1, 3, HS_PROBE_SELF, HS_PROBE_OTHER, HS_PROBE_QUERY};
    hs_eval ev[ROWS];
    float hop[ROWS][HOPS + 1];
    hs_head_role roles[ROWS][N];
    mem m;
    mem_open(&m);
    hs_metrics_header(m.f, HOPS, LAYERS, HEADS);
    for (int r = 0; r < ROWS; r++) {
        for (int k = 0; k <= HOPS; k++)
            hop[r][k] = (r + k) % 5 == 0 ? NAN : (float)(r * 7 + k) / 301.0f;
        ev[r] = (hs_eval){.step = r * 25,
                          .lr = 1e-3f * (float)(r + 1) / 40.0f,
                          .train_loss = r == 0 ? NAN : 3.0f / (float)(r + 1),
                          .eval_loss = 2.0f + 1.0f / (float)(r + 3),
                          .query_acc = (float)r / 39.0f,
                          .hop_acc = hop[r],
                          .level = 1 + r % HOPS};
        for (int h = 0; h < N; h++)
            roles[r][h] = (hs_head_role){
                .layer = 1 + h / HEADS,
                .head = h % HEADS,
                .bin = bins[(r + h) % 7],
                .score = h == 3 && r % 4 == 0 ? NAN : (float)h / 7.0f + (float)r / 97.0f};
        hs_metrics_row(m.f, &ev[r], HOPS, roles[r], N);
    }
    mem_close(&m);

    hs_metrics p;
    hs_err e = {0};
    assert_int_equal(hs_metrics_parse(&p, m.text, m.len, "m.csv", &e), HS_OK);
    assert_int_equal(p.rows, ROWS);
    assert_int_equal(p.hops, HOPS);
    assert_int_equal(p.heads, N);
    static const char *const names[N] = {"L1H0", "L1H1", "L2H0", "L2H1"};
    for (int h = 0; h < N; h++) assert_string_equal(p.head_name[h], names[h]);
    char role[32];
    for (int r = 0; r < ROWS; r++) {
        assert_int_equal(p.step[r], ev[r].step);
        assert_same_float(p.lr[r], ev[r].lr);
        assert_same_float(p.train_loss[r], ev[r].train_loss);
        assert_same_float(p.eval_loss[r], ev[r].eval_loss);
        assert_same_float(p.query_acc[r], ev[r].query_acc);
        assert_int_equal(p.level[r], ev[r].level);
        for (int k = 0; k <= HOPS; k++)
            assert_same_float(p.hop_acc[(size_t)r * (HOPS + 1) + (size_t)k], hop[r][k]);
        for (int h = 0; h < N; h++) {
            size_t cell = (size_t)r * N + (size_t)h;
            hs_probe_role_name(roles[r][h].layer, roles[r][h].bin, role, sizeof role);
            assert_true(p.head_role[cell] >= 0);
            assert_string_equal(p.role_names[p.head_role[cell]], role);
            assert_same_float(p.head_score[cell], roles[r][h].score);
        }
    }
    hs_metrics_free(&p);
    free(m.text);
}

static void older_and_damaged(void **state)
{
    (void)state;
    hs_metrics p;
    hs_err e = {0};
    /* Only step and the hop columns: the rest reads as not measured. */
    const char old[] = "step,hop_0,hop_1\n0,0.5,0.25\n10,1,0.5\n";
    assert_int_equal(hs_metrics_parse(&p, old, sizeof old - 1, "old.csv", &e), HS_OK);
    assert_int_equal(p.rows, 2);
    assert_true(isnan(p.lr[1]) && isnan(p.train_loss[1]) && isnan(p.eval_loss[1]) &&
                isnan(p.query_acc[1]));
    assert_int_equal(p.level[1], -1);
    assert_same_float(p.hop_acc[1 * 2 + 1], 0.5f);
    hs_metrics_free(&p);

    static const struct {
        const char *text, *want;
    } bad[] = {
        {"step,lr,hop_0\n0,x,1\n", "m.csv:2: lr \"x\" is not a number"},
        {"step,query_acc,hop_0\n0,1,1\n5,0.5z,1\n", "m.csv:3: query_acc \"0.5z\""},
        {"step,level,hop_0\n0,-1,1\n", "m.csv:2: level \"-1\" is not a count"},
        {"step,hop_0\n0,abc\n", "m.csv:2: hop_0"},
        {"step,hop_0,L1H0_role,L1H0_score\n0,1,L1:self,q\n", "L1H0_score \"q\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(hs_metrics_parse(&p, bad[i].text, strlen(bad[i].text), "m.csv", &e),
                         HS_EINPUT);
        assert_has(e.msg, bad[i].want);
    }
}

static void metrics_csv(void **state)
{
    const char text[] = "step,lr,train_loss,eval_loss,query_acc,level,hop_0,hop_1,hop_2,L1H0_role\n"
                        "0,0.001,,2.5,0.1,2,0.5,,0.1,L1:self\n"
                        "100,0.001,1.2,1.1,0.9,2,1,0.95,0.9,L1:-1\n"
                        "200,0.001,1.2,1.1,0.9,2,1,0.9"; /* being written */
    hs_metrics m;
    hs_err e = {0};
    assert_int_equal(hs_metrics_parse(&m, text, sizeof text - 1, "m.csv", &e), HS_OK);
    assert_int_equal(m.hops, 2);
    assert_int_equal(m.rows, 2);
    assert_int_equal(m.step[1], 100);
    assert_near(m.hop_acc[0 * 3 + 0], 0.5);
    assert_true(isnan(m.hop_acc[0 * 3 + 1]));
    assert_near(m.hop_acc[1 * 3 + 1], (double)0.95f);
    hs_metrics_free(&m);

    const char bad[] = "step,hop_0\n0,abc\n";
    assert_int_equal(hs_metrics_parse(&m, bad, sizeof bad - 1, "m.csv", &e), HS_EINPUT);
    assert_has(e.msg, "m.csv:2");
    assert_has(e.msg, "hop_0");
    const char short_row[] = "step,hop_0,hop_1\n0,1\n";
    assert_int_equal(hs_metrics_parse(&m, short_row, sizeof short_row - 1, "m.csv", &e), HS_EINPUT);
    assert_has(e.msg, "too few fields");
    const char no_hops[] = "step,loss\n0,1\n";
    assert_int_equal(hs_metrics_parse(&m, no_hops, sizeof no_hops - 1, "m.csv", &e), HS_EINPUT);
    assert_has(e.msg, "m.csv:1");
    assert_int_equal(hs_metrics_load(&m, "/nonexistent/m.csv", &e), HS_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_bytes),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(older_and_damaged),
        cmocka_unit_test(metrics_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
