/* stats.c — statistics on plain arrays (definitions in stats.h): the building blocks of the
 * analysis and of prompt scoring, each tested on its own with answers worked out on paper. */
#include "hopsweep/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/rng.h"

#define WILSON_Z 1.959963984540054

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double hs_quantile(const double *sorted, size_t n, double q)
{
    if (n == 0) return NAN;
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1) return sorted[n - 1];
    return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

void hs_bootstrap_median(const double *x, size_t n, int resamples, uint64_t seed, double *work,
                         int *counts, double *median, double *lo, double *hi)
{
    /* A resample of sorted values is known by how often it drew each position, and its median
     * is found by walking those counts: O(n) per resample, no sorting, no selection. */
    double *sorted = work, *medians = work + n;
    memcpy(sorted, x, n * sizeof *x);
    qsort(sorted, n, sizeof *sorted, cmp_double);
    *median = hs_quantile(sorted, n, 0.5);
    size_t k_lo = (n - 1) / 2, k_hi = n / 2; /* the middle order statistics (equal when n is odd) */
    hs_rng rng;
    hs_rng_seed(&rng, seed, 0);
    for (int b = 0; b < resamples; b++) {
        memset(counts, 0, n * sizeof *counts);
        for (size_t i = 0; i < n; i++) counts[hs_rng_below(&rng, (uint32_t)n)]++;
        size_t seen = 0, i = 0;
        while (seen + (size_t)counts[i] <= k_lo) seen += (size_t)counts[i++];
        double a = sorted[i];
        while (seen + (size_t)counts[i] <= k_hi) seen += (size_t)counts[i++];
        medians[b] = (a + sorted[i]) / 2;
    }
    qsort(medians, (size_t)resamples, sizeof *medians, cmp_double);
    *lo = hs_quantile(medians, (size_t)resamples, 0.025);
    *hi = hs_quantile(medians, (size_t)resamples, 0.975);
}

double hs_rank_ties(const double *keys, int n, double *ranks, int *order)
{
    /* Insertion sort of indices: n is a handful of roles, and it keeps equal keys stable. */
    for (int i = 0; i < n; i++) {
        int j = i;
        while (j > 0 && keys[order[j - 1]] > keys[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    double ties = 0;
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && keys[order[j]] == keys[order[i]]) j++;
        double avg = (i + 1 + j) / 2.0; /* ranks i+1 .. j */
        for (int k = i; k < j; k++) ranks[order[k]] = avg;
        double t = j - i;
        ties += t * t * t - t;
        i = j;
    }
    return ties;
}

double hs_kendall_w(const double *keys, int m, int n, double *work, int *iwork, const char **why)
{
    *why = NULL;
    if (m < 2) {
        *why = "fewer than 2 runs";
        return NAN;
    }
    if (n < 2) {
        *why = "fewer than 2 roles";
        return NAN;
    }
    double *ranks = work, *sums = work + n;
    for (int i = 0; i < n; i++) sums[i] = 0;
    double ties = 0;
    for (int r = 0; r < m; r++) {
        ties += hs_rank_ties(keys + (size_t)r * (size_t)n, n, ranks, iwork);
        for (int i = 0; i < n; i++) sums[i] += ranks[i];
    }
    double mean = m * (n + 1) / 2.0, s = 0;
    for (int i = 0; i < n; i++) s += (sums[i] - mean) * (sums[i] - mean);
    double dn = n, dm = m;
    double denom = dm * dm * (dn * dn * dn - dn) - dm * ties;
    /* Ranks are multiples of 1/2 and sums exact, so an all-ties denominator is exactly 0. */
    if (denom <= 1e-9) {
        *why = "every run ties all roles";
        return NAN;
    }
    return 12.0 * s / denom;
}

void hs_precedence_matrix(const double *keys, int m, int n, hs_precedence *out)
{
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) {
            hs_precedence *p = &out[(size_t)a * (size_t)n + (size_t)b];
            memset(p, 0, sizeof *p);
            p->p = NAN;
            if (a == b) continue;
            for (int r = 0; r < m; r++) {
                double ka = keys[(size_t)r * (size_t)n + (size_t)a];
                double kb = keys[(size_t)r * (size_t)n + (size_t)b];
                bool ea = isfinite(ka), eb = isfinite(kb);
                if (ea && eb) {
                    p->both++;
                    p->before += ka < kb ? 1.0 : ka == kb ? 0.5 : 0.0;
                } else if (ea) {
                    p->only_a++;
                    p->before += 1.0;
                } else if (eb) {
                    p->only_b++;
                }
            }
            int total = p->both + p->only_a + p->only_b;
            if (total) p->p = p->before / total;
        }
}

void hs_wilson_interval(size_t k, size_t n, double *lo, double *hi)
{
    double z2 = WILSON_Z * WILSON_Z, nn = (double)n, p = (double)k / nn;
    double denom = 1 + z2 / nn;
    double centre = (p + z2 / (2 * nn)) / denom;
    double half = WILSON_Z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denom;
    /* At k = 0 and k = n the bound is exactly 0 or 1; rounding would leave 1e-17 off. */
    *lo = k == 0 ? 0 : fmax(0, centre - half);
    *hi = k == n ? 1 : fmin(1, centre + half);
}
