/* test_stats.c — unit tests of stats.c: every statistic on hand-made data with answers worked
 * out on paper (quantiles, the bootstrap interval of the median, ranks with ties, Kendall's W
 * and its edge cases, the precedence matrix). hs_wilson_interval is tested with prompt scoring
 * (test_prompts_score.c). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hopsweep/stats.h"

#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

static void quantiles(void **state)
{
    const double x[] = {1, 2, 3, 4};
    assert_near(hs_quantile(x, 4, 0.5), 2.5);
    assert_near(hs_quantile(x, 4, 0.25), 1.75);
    assert_near(hs_quantile(x, 4, 0.75), 3.25);
    assert_near(hs_quantile(x, 4, 0.0), 1);
    assert_near(hs_quantile(x, 4, 1.0), 4);
    const double one[] = {7};
    assert_near(hs_quantile(one, 1, 0.25), 7);
    assert_near(hs_quantile(one, 1, 0.975), 7);
    assert_true(isnan(hs_quantile(x, 0, 0.5)));
}

static void bootstrap(void **state)
{
    double work[3 + 1000], median, lo, hi; /* n + resamples, n up to 3 */
    int counts[3];
    /* One value: every resample is that value. */
    const double one[] = {300};
    hs_bootstrap_median(one, 1, 1000, 42, work, counts, &median, &lo, &hi);
    assert_near(median, 300);
    assert_near(lo, 300);
    assert_near(hi, 300);
    /* Two values: resample medians are 0, 5 or 10 with chances 1/4, 1/2, 1/4, so about 250 of
     * 1000 sit at each end and both 2.5% tails fall on them. */
    const double two[] = {10, 0};
    hs_bootstrap_median(two, 2, 1000, 42, work, counts, &median, &lo, &hi);
    assert_near(median, 5);
    assert_near(lo, 0);
    assert_near(hi, 10);
    assert_near(two[0], 10); /* the input is left as it was */
    /* Three values: the interval stays inside the data, the same seed gives the same answer,
     * and resamples that all draw one value reach the extremes. */
    const double three[] = {200, 100, 400};
    double lo2, hi2, m2;
    hs_bootstrap_median(three, 3, 1000, 42, work, counts, &median, &lo, &hi);
    hs_bootstrap_median(three, 3, 1000, 42, work, counts, &m2, &lo2, &hi2);
    assert_near(median, 200);
    assert_near(lo, 100);
    assert_near(hi, 400);
    assert_true(lo == lo2 && hi == hi2 && median == m2);
}

static void ranks_with_ties(void **state)
{
    const double keys[] = {3, 1, 3, INFINITY, INFINITY};
    double ranks[5];
    int order[5];
    double ties = hs_rank_ties(keys, 5, ranks, order);
    assert_near(ranks[0], 2.5);
    assert_near(ranks[1], 1);
    assert_near(ranks[2], 2.5);
    assert_near(ranks[3], 4.5);
    assert_near(ranks[4], 4.5);
    assert_near(ties, 6 + 6); /* two groups of two: (8 - 2) each */
    const double none[] = {5, 4, 6};
    assert_near(hs_rank_ties(none, 3, ranks, order), 0);
    assert_near(ranks[0], 2);
    assert_near(ranks[1], 1);
    assert_near(ranks[2], 3);
}

static void kendall_w_values(void **state)
{
    double work[16];
    int iwork[8];
    const char *why = "unset";
    /* All raters agree: W = 1, and why is cleared. */
    const double agree[] = {10, 20, 30, 40, 1, 2, 3, 4, 100, 200, 300, 400};
    assert_near(hs_kendall_w(agree, 3, 4, work, iwork, &why), 1);
    assert_null(why);
    /* Two raters in opposite orders: the rank sums are all equal, W = 0. */
    const double opposite[] = {1, 2, 3, 3, 2, 1};
    assert_near(hs_kendall_w(opposite, 2, 3, work, iwork, &why), 0);
    /* (1,2,3), (1,3,2), (2,1,3): sums 4, 6, 8, S = 8, W = 12·8 / (9·24) = 4/9. */
    const double mixed[] = {1, 2, 3, 1, 3, 2, 2, 1, 3};
    assert_near(hs_kendall_w(mixed, 3, 3, work, iwork, &why), 4.0 / 9.0);
    /* Ties: (1,2,3) and (1, 2.5, 2.5) from two roles that never emerged: sums 2, 4.5, 5.5,
     * S = 6.5, T = 6, W = 12·6.5 / (4·24 - 2·6) = 78/84. */
    const double tied[] = {1, 2, 3, 5, INFINITY, INFINITY};
    assert_near(hs_kendall_w(tied, 2, 3, work, iwork, &why), 78.0 / 84.0);
    assert_null(why);
    /* Identical rankings with ties still agree completely: the tie correction makes W = 1. */
    const double same_ties[] = {1, INFINITY, INFINITY, 7, INFINITY, INFINITY};
    assert_near(hs_kendall_w(same_ties, 2, 3, work, iwork, &why), 1);
}

static void kendall_w_undefined(void **state)
{
    double work[16];
    int iwork[8];
    const char *why = NULL;
    const double keys[] = {1, 2, 3, 4, 5, 6};
    assert_true(isnan(hs_kendall_w(keys, 1, 3, work, iwork, &why)));
    assert_string_equal(why, "fewer than 2 runs");
    assert_true(isnan(hs_kendall_w(keys, 3, 1, work, iwork, &why)));
    assert_string_equal(why, "fewer than 2 roles");
    assert_true(isnan(hs_kendall_w(keys, 0, 0, work, iwork, &why)));
    assert_string_equal(why, "fewer than 2 runs");
    /* Every run ties both roles (both at one step, or both never): nothing to agree on. */
    const double all_tied[] = {300, 300, INFINITY, INFINITY};
    assert_true(isnan(hs_kendall_w(all_tied, 2, 2, work, iwork, &why)));
    assert_string_equal(why, "every run ties all roles");
}

static void precedence(void **state)
{
    /* Roles a, b over five runs: a first; b first; a tie; a only; neither. */
    const double keys[] = {1, 2, 2, 1, 3, 3, 1, INFINITY, INFINITY, INFINITY};
    hs_precedence p[4];
    hs_precedence_matrix(keys, 5, 2, p);
    const hs_precedence *ab = &p[1], *ba = &p[2];
    assert_near(ab->p, (1 + 0 + 0.5 + 1) / 4.0);
    assert_near(ab->before, 2.5);
    assert_int_equal(ab->both, 3);
    assert_int_equal(ab->only_a, 1);
    assert_int_equal(ab->only_b, 0);
    assert_near(ba->p, 1.5 / 4.0);
    assert_int_equal(ba->only_a, 0);
    assert_int_equal(ba->only_b, 1);
    assert_near(ab->p + ba->p, 1);
    assert_true(isnan(p[0].p) && isnan(p[3].p));
    assert_int_equal(p[0].both, 0);
    /* No run has either role: undefined, not 0 or 1/2. */
    const double never[] = {INFINITY, INFINITY};
    hs_precedence_matrix(never, 1, 2, p);
    assert_true(isnan(p[1].p));
    assert_int_equal(p[1].both + p[1].only_a + p[1].only_b, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quantiles),           cmocka_unit_test(bootstrap),
        cmocka_unit_test(ranks_with_ties),     cmocka_unit_test(kendall_w_values),
        cmocka_unit_test(kendall_w_undefined), cmocka_unit_test(precedence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
