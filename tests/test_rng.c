/* test_rng.c — the PRNG: reference outputs, reproducible and independent streams, and the
 * ranges and rough distributions of below(), uniform() and normal(). Seeds are fixed, so the
 * statistical bounds never flake; they are loose enough for any good generator and far too
 * tight for a broken one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <math.h>

#include "hopsweep/rng.h"

static void test_next_matches_reference_xoshiro(void **state)
{
    (void)state;
    /* Outputs of Vigna's reference xoshiro256starstar.c from state {1, 2, 3, 4}. */
    static const uint64_t want[] = {
        11520u, 0u, 1509978240u, 1215971899390074240u, 1216172134540287360u, 607988272756665600u};
    hs_rng r = {{1, 2, 3, 4}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_true(hs_rng_next(&r) == want[i]);
}

static void test_seed_is_reproducible(void **state)
{
    (void)state;
    /* Pinned so that a change to the seeding (which would change every result ever stored) is
     * noticed. */
    static const uint64_t want[] = {0x70a51c8f74ddaab4u, 0x909f7d6da283e089u, 0x779ca4e82ecd48b0u,
                                    0x4c339449742a3552u};
    hs_rng r;
    hs_rng_seed(&r, 42, HS_STREAM_DATA);
    for (size_t i = 0; i < 4; i++) assert_true(hs_rng_next(&r) == want[i]);

    hs_rng a, b;
    hs_rng_seed(&a, 7, HS_STREAM_EVAL);
    hs_rng_seed(&b, 7, HS_STREAM_EVAL);
    for (int i = 0; i < 10000; i++) assert_true(hs_rng_next(&a) == hs_rng_next(&b));
}

static int cmp_u64(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Number of values the two sorted sequences share. */
static int shared_values(const uint64_t *a, const uint64_t *b, int n)
{
    int shared = 0;
    for (int i = 0, j = 0; i < n && j < n;) {
        if (a[i] == b[j]) {
            shared++;
            i++;
            j++;
        } else if (a[i] < b[j]) {
            i++;
        } else {
            j++;
        }
    }
    return shared;
}

enum { N_DRAWS = 4096, N_GENS = 8 };

static void test_streams_are_independent(void **state)
{
    (void)state;
    /* Neighbouring streams, neighbouring seeds and swapped (seed, stream) must not overlap:
     * overlapping sequences (e.g. one a shifted copy of another) would share many outputs. */
    static const uint64_t seed_stream[N_GENS][2] = {
        {0, HS_STREAM_DATA}, {0, HS_STREAM_INIT}, {0, HS_STREAM_EVAL}, {0, HS_STREAM_PROBE},
        {1, HS_STREAM_DATA}, {HS_STREAM_INIT, 1}, {1, HS_STREAM_INIT}, {UINT64_MAX, 0},
    };
    static uint64_t out[N_GENS][N_DRAWS];
    for (int g = 0; g < N_GENS; g++) {
        hs_rng r;
        hs_rng_seed(&r, seed_stream[g][0], seed_stream[g][1]);
        for (int i = 0; i < N_DRAWS; i++) out[g][i] = hs_rng_next(&r);
    }
    /* Correlation of paired uniforms between streams: sd is 1/sqrt(N_DRAWS) ~ 0.016. */
    for (int g = 0; g < N_GENS; g++) {
        for (int h = g + 1; h < N_GENS; h++) {
            double sx = 0, sy = 0, sxy = 0, sxx = 0, syy = 0;
            for (int i = 0; i < N_DRAWS; i++) {
                const double x = (double)(out[g][i] >> 11) * 0x1.0p-53,
                             y = (double)(out[h][i] >> 11) * 0x1.0p-53;
                sx += x, sy += y, sxy += x * y, sxx += x * x, syy += y * y;
            }
            const double n = N_DRAWS;
            const double corr =
                (sxy - sx * sy / n) / sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
            assert_true(fabs(corr) < 0.08);
        }
    }
    for (int g = 0; g < N_GENS; g++) qsort(out[g], N_DRAWS, sizeof out[g][0], cmp_u64);
    for (int g = 0; g < N_GENS; g++)
        for (int h = g + 1; h < N_GENS; h++)
            assert_int_equal(shared_values(out[g], out[h], N_DRAWS), 0);
}

static void test_drawing_from_one_stream_leaves_another_alone(void **state)
{
    (void)state;
    hs_rng data, eval_alone, eval;
    hs_rng_seed(&eval_alone, 3, HS_STREAM_EVAL);
    hs_rng_seed(&data, 3, HS_STREAM_DATA);
    for (int i = 0; i < 1000; i++) hs_rng_next(&data);
    hs_rng_seed(&eval, 3, HS_STREAM_EVAL);
    for (int i = 0; i < 100; i++) assert_true(hs_rng_next(&eval) == hs_rng_next(&eval_alone));
}

static void test_below_stays_in_range(void **state)
{
    (void)state;
    static const uint32_t ns[] = {1, 2, 3, 7, 10, 1000, 1u << 31, 3u << 30, UINT32_MAX};
    hs_rng r;
    hs_rng_seed(&r, 11, 0);
    for (size_t j = 0; j < sizeof ns / sizeof ns[0]; j++) {
        uint32_t max_seen = 0;
        for (int i = 0; i < 20000; i++) {
            const uint32_t v = hs_rng_below(&r, ns[j]);
            assert_true(v < ns[j]);
            if (v > max_seen) max_seen = v;
        }
        /* The top of the range is reached too (the top 1% of it, for large n). */
        assert_true(max_seen >= ns[j] - 1 - ns[j] / 100);
    }
}

/* Chi-square of counts against equal expected counts. */
static double chi_square(const long *count, int bins, long total)
{
    const double expected = (double)total / bins;
    double chi2 = 0;
    for (int i = 0; i < bins; i++)
        chi2 += ((double)count[i] - expected) * ((double)count[i] - expected) / expected;
    return chi2;
}

static void test_below_is_uniform_for_small_n(void **state)
{
    (void)state;
    enum { BINS = 10, DRAWS = 100000 };
    long count[BINS] = {0};
    hs_rng r;
    hs_rng_seed(&r, 5, 0);
    for (int i = 0; i < DRAWS; i++) count[hs_rng_below(&r, BINS)]++;
    /* 9 degrees of freedom: mean 9, P(chi2 > 40) ~ 5e-6. */
    assert_true(chi_square(count, BINS, DRAWS) < 40.0);
}

/* For n = 3*2^30 a biased generator shows in one of two statistics. Modulo reduction (x % n)
 * puts half of all draws in the first third of the range, because 2^32 - n = 2^30 values of x
 * wrap around into it. Multiply-shift without Lemire's rejection step gives j = floor(3x/4), so
 * j % 3 == 0 twice as often as the other residues. Returns the larger chi-square (2 degrees of
 * freedom each). */
enum { BIAS_DRAWS = 60000 };
static double bias_chi_square(uint32_t (*draw)(hs_rng *, uint32_t), hs_rng *r)
{
    const uint32_t n = 3u << 30;
    long third[3] = {0}, residue[3] = {0};
    for (int i = 0; i < BIAS_DRAWS; i++) {
        const uint32_t j = draw(r, n);
        third[j >> 30]++;
        residue[j % 3]++;
    }
    const double a = chi_square(third, 3, BIAS_DRAWS), b = chi_square(residue, 3, BIAS_DRAWS);
    return a > b ? a : b;
}

static uint32_t below_by_modulo(hs_rng *r, uint32_t n)
{
    return (uint32_t)(hs_rng_next(r) >> 32) % n;
}

static uint32_t below_without_rejection(hs_rng *r, uint32_t n)
{
    return (uint32_t)(((hs_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static uint32_t below_always_zero(hs_rng *r, uint32_t n)
{
    (void)r;
    (void)n;
    return 0;
}

static void test_below_is_unbiased_for_large_n(void **state)
{
    (void)state;
    /* P(chi2 > 25) ~ 4e-6 for each statistic; either bias gives thousands. */
    const double bound = 25.0;
    hs_rng r;
    hs_rng_seed(&r, 9, 0);
    assert_true(bias_chi_square(hs_rng_below, &r) < bound);
    /* The same statistics do catch broken generators. */
    assert_true(bias_chi_square(below_by_modulo, &r) > bound);
    assert_true(bias_chi_square(below_without_rejection, &r) > bound);
    assert_true(bias_chi_square(below_always_zero, &r) > bound);
}

static void test_uniform_is_in_unit_interval(void **state)
{
    (void)state;
    enum { DRAWS = 200000 };
    hs_rng r;
    hs_rng_seed(&r, 13, 0);
    double sum = 0, lo = 1, hi = 0;
    for (int i = 0; i < DRAWS; i++) {
        const float u = hs_rng_uniform(&r);
        assert_true(u >= 0.0f && u < 1.0f);
        /* On the 2^-24 grid: exactly 24 random bits. */
        const float scaled = u * 16777216.0f;
        assert_true(scaled == floorf(scaled));
        sum += u;
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
    }
    assert_true(fabs(sum / DRAWS - 0.5) < 0.005); /* sd ~ 0.00065 */
    assert_true(lo < 1e-3 && hi > 1.0 - 1e-3);
}

static void test_normal_has_unit_moments(void **state)
{
    (void)state;
    enum { DRAWS = 200000 };
    hs_rng r;
    hs_rng_seed(&r, 17, HS_STREAM_INIT);
    double sum = 0, sum_sq = 0;
    long within_one = 0;
    for (int i = 0; i < DRAWS; i++) {
        const float z = hs_rng_normal(&r);
        assert_true(isfinite(z) && fabsf(z) < 5.8f);
        sum += z;
        sum_sq += (double)z * z;
        within_one += fabsf(z) < 1.0f;
    }
    const double mean = sum / DRAWS, var = sum_sq / DRAWS - mean * mean;
    assert_true(fabs(mean) < 0.015);     /* sd ~ 0.0022 */
    assert_true(fabs(var - 1.0) < 0.02); /* sd ~ 0.0032 */
    assert_true(fabs((double)within_one / DRAWS - 0.6827) < 0.01);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_matches_reference_xoshiro),
        cmocka_unit_test(test_seed_is_reproducible),
        cmocka_unit_test(test_streams_are_independent),
        cmocka_unit_test(test_drawing_from_one_stream_leaves_another_alone),
        cmocka_unit_test(test_below_stays_in_range),
        cmocka_unit_test(test_below_is_uniform_for_small_n),
        cmocka_unit_test(test_below_is_unbiased_for_large_n),
        cmocka_unit_test(test_uniform_is_in_unit_interval),
        cmocka_unit_test(test_normal_has_unit_moments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
