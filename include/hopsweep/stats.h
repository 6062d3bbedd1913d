/* stats.h — statistics on plain arrays, shared by the sweep analysis (analyze.h) and prompt
 * scoring (prompts_score.h): quantiles, a bootstrap interval of the median, ranks with ties,
 * Kendall's W, a precedence matrix and the Wilson score interval. No allocation, no I/O; the
 * same input gives the same output (the bootstrap draws from hs_rng with a given seed). */
#ifndef HOPSWEEP_STATS_H
#define HOPSWEEP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Quantile q in [0, 1] of n >= 1 ascending values, interpolating linearly between order
 * statistics (Hyndman-Fan type 7, numpy's default). */
double hs_quantile(const double *sorted, size_t n, double q);

/* Median of x[0..n) and its percentile-bootstrap 95% interval: `resamples` resamples of n
 * values drawn with replacement by an hs_rng seeded with (seed, 0), the interval their 2.5% and
 * 97.5% quantiles. x is not changed; work holds n + resamples doubles, counts n ints. n >= 1,
 * resamples >= 1. */
void hs_bootstrap_median(const double *x, size_t n, int resamples, uint64_t seed, double *work,
                         int *counts, double *median, double *lo, double *hi);

/* Ranks of n keys (1 = smallest), ties sharing their average rank; INFINITY ties like any
 * other value. Returns sum over tie groups of t^3 - t. order holds n ints of scratch. */
double hs_rank_ties(const double *keys, int n, double *ranks, int *order);

/* Kendall's W of m raters ranking n items, keys[r*n + i] the key of item i for rater r
 * (smaller = earlier, INFINITY = never, ranked last and tied). Tie-corrected. Returns NaN and
 * points *why at the reason when it is undefined (fewer than 2 raters or items, or every rater
 * ties every item). work holds 2n doubles, iwork n ints. */
double hs_kendall_w(const double *keys, int m, int n, double *work, int *iwork, const char **why);

typedef struct hs_precedence {
    double p;      /* P(a before b); NaN when no run has a or b */
    double before; /* runs where a came first: 1 each, 0.5 for a tie */
    int both;      /* runs where both emerged */
    int only_a;    /* a emerged, b never did (counted as a before b) */
    int only_b;    /* b emerged, a never did */
} hs_precedence;

/* The precedence matrix out[a*n + b] (row a before column b) of n items over m runs, keys as
 * for hs_kendall_w. The diagonal has p NaN and zero counts. */
void hs_precedence_matrix(const double *keys, int m, int n, hs_precedence *out);

/* The Wilson score interval (95%, z = 1.959963984540054) of k successes in n > 0 trials. */
void hs_wilson_interval(size_t k, size_t n, double *lo, double *hi);

#endif
