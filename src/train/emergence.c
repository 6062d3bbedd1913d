/* emergence.c — hop and head emergence, emergence order and early stop over a run's history. */
#include "hopsweep/emergence.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

int hs_first_sustained(const float *values, int n, int stride, float tau, int patience)
{
    int run = 0; /* consecutive evaluations >= tau ending at i */
    for (int i = 0; i < n; i++) {
        float v = values[(size_t)i * stride];
        run = v >= tau ? run + 1 : 0;
        if (run >= patience) return i - run + 1;
    }
    return run > 0 ? n - run : -1;
}

int hs_emergence_head(const int *bins, const float *scores, int n, int stride, float tau,
                      int patience)
{
    if (patience < 1) patience = 1;
    int run = 0; /* evaluations ending at e that are >= tau with the bin of e */
    for (int e = 0; e < n; e++) {
        size_t i = (size_t)e * stride;
        if (!(scores[i] >= tau))
            run = 0;
        else if (run > 0 && bins[i] == bins[i - stride])
            run++;
        else
            run = 1;
        if (run >= patience) return e - run + 1;
    }
    /* a run still going at the last evaluation holds through every evaluation that remains */
    return run > 0 ? n - run : -1;
}

/* Sort key of a bin: offsets by value, then self, other, query. */
static int64_t bin_rank(int bin)
{
    if (bin == HS_PROBE_SELF) return (int64_t)INT_MAX + 1;
    if (bin == HS_PROBE_OTHER) return (int64_t)INT_MAX + 2;
    if (bin == HS_PROBE_QUERY) return (int64_t)INT_MAX + 3;
    return bin;
}

static int order_cmp(const hs_head_role *a, int step_a, const hs_head_role *b, int step_b)
{
    if (step_a != step_b) return step_a < step_b ? -1 : 1;
    if (a->layer != b->layer) return a->layer < b->layer ? -1 : 1;
    int64_t ra = bin_rank(a->bin), rb = bin_rank(b->bin);
    if (ra != rb) return ra < rb ? -1 : 1;
    if (a->head != b->head) return a->head < b->head ? -1 : 1;
    return 0;
}

int hs_emergence_order(const hs_head_role *roles, const int *steps, int n, int *order)
{
    int m = 0;
    /* insertion sort: a run has a few dozen heads, and it must not allocate; stable, so equal
     * keys keep their index order */
    for (int i = 0; i < n; i++) {
        if (steps[i] < 0) continue;
        int k = m++;
        while (k > 0 &&
               order_cmp(&roles[i], steps[i], &roles[order[k - 1]], steps[order[k - 1]]) < 0) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = i;
    }
    return m;
}

int hs_emergence_heads(const int *bins, const float *scores, const int *eval_steps, int n_evals,
                       const hs_head_role *last, int n_heads, float tau, int patience,
                       hs_head_role *heads, int *steps, int *order)
{
    for (int h = 0; h < n_heads; h++) {
        int e =
            n_evals ? hs_emergence_head(bins + h, scores + h, n_evals, n_heads, tau, patience) : -1;
        int at = e >= 0 ? e : n_evals - 1;
        heads[h] = last[h];
        if (at >= 0) {
            heads[h].bin = bins[(size_t)at * n_heads + h];
            heads[h].score = scores[(size_t)at * n_heads + h];
        }
        steps[h] = e >= 0 ? eval_steps[e] : -1;
    }
    return hs_emergence_order(heads, steps, n_heads, order);
}

bool hs_emergence_early_stop(const float *history, int n_evals, int hops, float threshold,
                             int patience)
{
    if (threshold <= 0.0f || n_evals < patience) return false;
    for (int k = 0; k <= hops; k++) {
        for (int e = n_evals - patience; e < n_evals; e++) {
            float a = history[(size_t)e * (hops + 1) + k];
            if (isnan(a)) continue;
            if (a < threshold) return false;
        }
    }
    return true;
}
