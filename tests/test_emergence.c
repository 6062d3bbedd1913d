/* test_emergence.c — emergence (emergence.h, DESIGN §1.2): the "first sustained evaluation" rule
 * behind hop emergence, head emergence on synthetic score curves (noise, dips within patience,
 * never, at the first and at the last evaluation, role switches), the emergence order and its
 * ties, a run's history as the trainer keeps it, and early stopping. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "hopsweep/emergence.h"
#include "hopsweep/probe.h"

/* ---- hop emergence --------------------------------------------------------------------------- */

static void test_first_sustained(void **state)
{
    const float rise[] = {0.1f, 0.5f, 0.95f, 0.96f, 0.97f, 0.99f};
    assert_int_equal(hs_first_sustained(rise, 6, 1, 0.9f, 3), 2);
    const float dip[] = {0.95f, 0.2f, 0.95f, 0.95f, 0.95f}; /* a dip restarts the count */
    assert_int_equal(hs_first_sustained(dip, 5, 1, 0.9f, 3), 2);
    const float never[] = {0.1f, 0.89f, 0.5f};
    assert_int_equal(hs_first_sustained(never, 3, 1, 0.9f, 2), -1);
    const float first[] = {0.95f, 0.95f, 0.95f};
    assert_int_equal(hs_first_sustained(first, 3, 1, 0.9f, 2), 0);
    /* reaching tau at the last evaluation counts: fewer than patience remain */
    const float last[] = {0.1f, 0.1f, 0.1f, 0.93f};
    assert_int_equal(hs_first_sustained(last, 4, 1, 0.9f, 3), 3);
    const float nan_vals[] = {NAN, 0.95f, 0.95f};
    assert_int_equal(hs_first_sustained(nan_vals, 3, 1, 0.9f, 2), 1);
    /* stride: a column of a row-major history */
    const float hist[] = {0.0f, 0.1f, 0.0f, 0.95f, 0.0f, 0.95f};
    assert_int_equal(hs_first_sustained(hist + 1, 3, 2, 0.9f, 2), 1);
}

/* ---- head emergence -------------------------------------------------------------------------- */

static void test_emergence(void **state)
{
    const float tau = 0.5f;
    const int same[12] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};

    /* noise around tau never holds 3 in a row */
    const float noise[] = {0.49f, 0.51f, 0.52f, 0.47f, 0.55f, 0.5f, 0.4999f, 0.6f, 0.7f, 0.45f};
    assert_int_equal(hs_emergence_head(same, noise, 10, 1, tau, 3), -1);
    /* ... until it does; exactly tau counts */
    const float settles[] = {0.49f, 0.51f, 0.52f, 0.47f, 0.5f, 0.51f, 0.5f, 0.3f};
    assert_int_equal(hs_emergence_head(same, settles, 8, 1, tau, 3), 4);
    /* a dip shorter than patience restarts the count */
    const float dip[] = {0.1f, 0.8f, 0.8f, 0.2f, 0.8f, 0.8f, 0.8f, 0.8f};
    assert_int_equal(hs_emergence_head(same, dip, 8, 1, tau, 3), 4);
    /* a dip after patience evaluations does not undo emergence */
    const float late_dip[] = {0.1f, 0.8f, 0.8f, 0.8f, 0.2f, 0.1f};
    assert_int_equal(hs_emergence_head(same, late_dip, 6, 1, tau, 3), 1);
    /* never */
    const float never[] = {0.1f, 0.2f, 0.3f, 0.45f};
    assert_int_equal(hs_emergence_head(same, never, 4, 1, tau, 1), -1);
    assert_int_equal(hs_emergence_head(same, never, 0, 1, tau, 1), -1);
    /* at the first evaluation */
    const float first[] = {0.9f, 0.9f, 0.9f, 0.9f};
    assert_int_equal(hs_emergence_head(same, first, 4, 1, tau, 3), 0);
    /* at the last: fewer than patience remain, all of them hold */
    const float last[] = {0.1f, 0.1f, 0.2f, 0.9f};
    assert_int_equal(hs_emergence_head(same, last, 4, 1, tau, 3), 3);
    const float last2[] = {0.1f, 0.9f, 0.2f, 0.9f, 0.9f};
    assert_int_equal(hs_emergence_head(same, last2, 5, 1, tau, 3), 3);
    /* patience longer than the run: everything held from the start */
    assert_int_equal(hs_emergence_head(same, first, 4, 1, tau, 10), 0);
    /* patience 1: the first evaluation at tau; patience < 1 behaves as 1 */
    assert_int_equal(hs_emergence_head(same, dip, 8, 1, tau, 1), 1);
    assert_int_equal(hs_emergence_head(same, dip, 8, 1, tau, 0), 1);
    /* NaN is below tau */
    const float nan_s[] = {NAN, 0.9f, NAN, 0.9f, 0.9f};
    assert_int_equal(hs_emergence_head(same, nan_s, 5, 1, tau, 2), 3);

    /* switching role while above tau: not emerged until one role holds */
    const float high[] = {0.9f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f};
    const int switching[] = {-1, +1, -1, +1, +1, +1, +1, +1};
    assert_int_equal(hs_emergence_head(switching, high, 8, 1, tau, 3), 3);
    const int flicker[] = {-1, +1, -1, +1, -1, +1, -1, +1};
    assert_int_equal(hs_emergence_head(flicker, high, 8, 1, tau, 2), 7); /* last one, alone */
    assert_int_equal(hs_emergence_head(flicker, high, 7, 1, tau, 2), 6);
    /* a role change after emergence does not matter */
    const int settled[] = {HS_PROBE_SELF, HS_PROBE_SELF, +3, +3, +3, -1, -1, -1};
    assert_int_equal(hs_emergence_head(settled, high, 8, 1, tau, 2), 0);
    /* role held, score dipping: the role alone is not enough */
    const int held[] = {+3, +3, +3, +3, +3, +3};
    const float held_s[] = {0.6f, 0.4f, 0.6f, 0.6f, 0.4f, 0.6f};
    assert_int_equal(hs_emergence_head(held, held_s, 6, 1, tau, 2), 2);
}

/* ---- emergence order ------------------------------------------------------------------------- */

static void test_order(void **state)
{
    /* layer-major heads of a 3-layer, 2-head run, D = 4 */
    const hs_head_role roles[] = {
        {1, 0, HS_PROBE_SELF, 0.6f},
        {1, 1, -1, 0.9f}, /* L1 */
        {2, 0, +3, 0.7f},
        {2, 1, -3, 0.8f}, /* L2 */
        {3, 0, HS_PROBE_QUERY, 0.9f},
        {3, 1, HS_PROBE_OTHER, 0.8f}, /* L3 */
    };
    /* ties at step 500: L1's -1 before L1's self (offsets first); L2's -3 before +3 */
    const int steps[] = {500, 500, 500, 500, 900, -1};
    int order[6] = {-7, -7, -7, -7, -7, -7};
    assert_int_equal(hs_emergence_order(roles, steps, 6, order), 5);
    const int want[] = {1, 0, 3, 2, 4};
    for (int i = 0; i < 5; i++) assert_int_equal(order[i], want[i]);
    assert_int_equal(order[5], -7); /* untouched past the count */

    /* the step decides before the layer */
    const int steps2[] = {300, -1, 100, 200, 100, 100};
    assert_int_equal(hs_emergence_order(roles, steps2, 6, order), 5);
    const int want2[] = {2, 5, 4, 3, 0}; /* L3: other before query */
    for (int i = 0; i < 5; i++) assert_int_equal(order[i], want2[i]);

    /* self, other, query after every offset; a full tie falls to the head */
    const hs_head_role same_layer[] = {
        {1, 0, HS_PROBE_QUERY, 1},
        {1, 1, HS_PROBE_OTHER, 1},
        {1, 2, HS_PROBE_SELF, 1},
        {1, 3, +4, 1},
        {1, 4, -4, 1},
        {1, 5, +4, 1},
    };
    const int tie[] = {7, 7, 7, 7, 7, 7};
    assert_int_equal(hs_emergence_order(same_layer, tie, 6, order), 6);
    const int want3[] = {4, 3, 5, 2, 1, 0};
    for (int i = 0; i < 6; i++) assert_int_equal(order[i], want3[i]);

    /* none emerged, and no heads at all */
    const int none[] = {-1, -1, -1, -1, -1, -1};
    assert_int_equal(hs_emergence_order(roles, none, 6, order), 0);
    assert_int_equal(hs_emergence_order(roles, none, 0, order), 0);
}

/* A run's history as the trainer keeps it, one row per evaluation with a column per head: each
 * head's emergence read with its stride, its role then (or at the end), and the order. Early
 * stop: every measured hop accuracy at or above the threshold over the last `patience` rows. */
static void test_run_history(void **state)
{
    (void)state;
    enum { E = 5, NH = 2 };
    const int bins[E * NH] = {-1, +1, -1, +2, -1, +2, -1, +2, -1, +1};
    const float scores[E * NH] = {0.2f, 0.9f, 0.7f, 0.9f, 0.8f, 0.6f, 0.9f, 0.7f, 0.9f, 0.2f};
    const int eval_steps[E] = {0, 10, 20, 30, 40};
    const hs_head_role last[NH] = {{1, 0, -1, 0.9f}, {1, 1, +1, 0.2f}};
    hs_head_role heads[NH];
    int steps[NH], order[NH];
    /* head 0: -1 from evaluation 1 on; head 1: +2 held above 0.5 over evaluations 1..3 */
    assert_int_equal(hs_emergence_head(bins, scores, E, NH, 0.5f, 3), 1);
    assert_int_equal(hs_emergence_head(bins + 1, scores + 1, E, NH, 0.5f, 3), 1);
    assert_int_equal(
        hs_emergence_heads(bins, scores, eval_steps, E, last, NH, 0.5f, 3, heads, steps, order), 2);
    assert_int_equal(steps[0], 10);
    assert_int_equal(steps[1], 10);
    assert_int_equal(heads[1].bin, +2); /* the role at emergence, not the last one */
    assert_true(heads[1].score == 0.9f);
    assert_int_equal(order[0], 0); /* same step and layer: -1 before +2 */
    assert_int_equal(order[1], 1);
    /* with patience 4 head 1 never emerges and keeps its last role */
    assert_int_equal(
        hs_emergence_heads(bins, scores, eval_steps, E, last, NH, 0.5f, 4, heads, steps, order), 1);
    assert_int_equal(steps[1], -1);
    assert_int_equal(heads[1].bin, +1);
    assert_true(heads[1].score == 0.2f);

    const float hist[3 * 3] = {0.5f, NAN, 0.1f, 1.0f, NAN, 0.96f, 1.0f, NAN, 0.97f};
    assert_true(hs_emergence_early_stop(hist, 3, 2, 0.95f, 2));
    assert_false(hs_emergence_early_stop(hist, 3, 2, 0.95f, 3)); /* row 0 is below */
    assert_false(hs_emergence_early_stop(hist, 1, 2, 0.95f, 2)); /* not enough rows */
    assert_false(hs_emergence_early_stop(hist, 3, 2, 0.0f, 1));  /* 0 = never stop early */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_sustained),
        cmocka_unit_test(test_emergence),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_run_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
