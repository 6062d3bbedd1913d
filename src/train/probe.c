/* probe.c — head probes (DESIGN §1.2): each head's profile over chain offsets, self, other
 * chains and the query, accumulated from the attention probabilities of evaluation batches;
 * roles and scores. When heads emerge over a run is emergence.c's. */
#include "hopsweep/probe.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where a column's weight goes when its bin is none: an inconsistent (chain, index) pair. */
enum { NO_BIN = -1 };

/* Position of a bin in a head's profile: offsets -D..-1, +1..+D, then self, other, query —
 * the tie order of the header. -1 when the bin does not exist for this probe. */
static int bin_slot(int hops, int bin)
{
    if (bin == HS_PROBE_SELF) return 2 * hops;
    if (bin == HS_PROBE_OTHER) return 2 * hops + 1;
    if (bin == HS_PROBE_QUERY) return 2 * hops + 2;
    if (bin >= -hops && bin <= -1) return bin + hops;
    if (bin >= 1 && bin <= hops) return bin + hops - 1;
    return -1;
}

static int slot_bin(int hops, int slot)
{
    if (slot < hops) return slot - hops;
    if (slot < 2 * hops) return slot - hops + 1;
    if (slot == 2 * hops) return HS_PROBE_SELF;
    return slot == 2 * hops + 1 ? HS_PROBE_OTHER : HS_PROBE_QUERY;
}

/* The slot of offset d, or NO_BIN when d is 0 or beyond ±hops (only inconsistent chain/index
 * arrays produce those; their weight is dropped rather than written out of bounds). */
static int offset_slot(int hops, int64_t d)
{
    if (d < 0 && d >= -hops) return (int)d + hops;
    if (d > 0 && d <= hops) return (int)d + hops - 1;
    return NO_BIN;
}

hs_status hs_probe_init(hs_probe *p, int layers, int heads, int hops, hs_err *err)
{
    memset(p, 0, sizeof *p);
    if (layers < 1 || heads < 1 || hops < 1)
        return hs_fail(err, HS_EINPUT,
                       "head probes for %d layers, %d heads, %d hops: each needs to be >= 1",
                       layers, heads, hops);
    /* 2*hops+3 must fit an int, and the profile table a size_t */
    if (hops > (INT_MAX - 3) / 2 ||
        (size_t)layers * (size_t)heads > SIZE_MAX / sizeof(double) / ((size_t)2 * hops + 3))
        return hs_fail(err, HS_EINPUT,
                       "head probes for %d layers, %d heads, %d hops are too large: lower "
                       "model.layers, model.heads or task.hops",
                       layers, heads, hops);
    p->layers = layers;
    p->heads = heads;
    p->hops = hops;
    p->n_bins = 2 * hops + 3;
    p->mass = calloc((size_t)layers * heads * p->n_bins, sizeof *p->mass);
    p->count = calloc((size_t)p->n_bins, sizeof *p->count);
    if (!p->mass || !p->count) {
        hs_probe_free(p);
        return hs_fail(err, HS_ENOMEM,
                       "out of memory allocating head probes (%d layers, %d heads, %d hops)",
                       layers, heads, hops);
    }
    return HS_OK;
}

void hs_probe_free(hs_probe *p)
{
    free(p->mass);
    free(p->count);
    memset(p, 0, sizeof *p);
}

void hs_probe_reset(hs_probe *p)
{
    if (!p->mass) return;
    memset(p->mass, 0, sizeof *p->mass * (size_t)p->layers * p->heads * p->n_bins);
    memset(p->count, 0, sizeof *p->count * (size_t)p->n_bins);
}

/* Counts, for row t, the bins it is averaged over: the offsets that exist in its own chain
 * (read off the example's own chain/index arrays, so filler chains and short queries need no
 * special case), and self/other/query unless it is the query. */
static void count_row(hs_probe *p, int T, int t, const int32_t *chain, const int32_t *index)
{
    const int D = p->hops, q = T - 1;
    const int32_t c = chain[t], i = index[t];
    int others = 0; /* positions of other chains, the query excluded */
    for (int j = 0; j < T; j++) {
        if (j == t) continue;
        if (chain[j] != c) {
            others += j != q;
            continue;
        }
        int s = offset_slot(D, (int64_t)index[j] - i);
        if (s != NO_BIN) p->count[s] += 1.0;
    }
    if (t != q) {
        p->count[2 * D] += 1.0;
        /* "other" is a mean per position, like every other bin: summed over all of them it
         * would start near (T-1-D)/T under uniform attention and outscore every real head */
        p->count[2 * D + 1] += others;
        p->count[2 * D + 2] += 1.0;
    }
}

/* The slot where row t's weight on column j goes, or NO_BIN. The query row only feeds
 * offsets: its self/other/query weight is averaged nowhere. */
static int column_slot(int D, int T, int t, int j, const int32_t *chain, const int32_t *index)
{
    const int q = T - 1;
    if (j == t) return t == q ? NO_BIN : 2 * D;
    if (chain[j] == chain[t]) return offset_slot(D, (int64_t)index[j] - index[t]);
    if (t == q) return NO_BIN;
    return j == q ? 2 * D + 2 : 2 * D + 1;
}

void hs_probe_add(hs_probe *p, const float *const *att, int B, int T, const int32_t *chain,
                  const int32_t *index)
{
    if (!p->mass || !att || !chain || !index || B < 1 || T < 1) return;
    const int L = p->layers, H = p->heads, D = p->hops, NB = p->n_bins;
    const size_t TT = (size_t)T * T;
    for (int b = 0; b < B; b++) {
        const int32_t *ch = chain + (size_t)b * T, *ix = index + (size_t)b * T;
        for (int t = 0; t < T; t++) {
            count_row(p, T, t, ch, ix);
            /* Columns outer, heads inner: a column's slot is worked out once for every head
             * (2.5x faster than per head at T 121), and each head's row still streams in order. */
            const size_t row0 = (size_t)b * H * TT + (size_t)t * T;
            for (int j = 0; j < T; j++) {
                const int s = column_slot(D, T, t, j, ch, ix);
                if (s == NO_BIN) continue;
                double *m = p->mass + s;
                for (int l = 0; l < L; l++)
                    for (int h = 0; h < H; h++, m += NB) *m += att[l][row0 + h * TT + j];
            }
        }
    }
}

static double slot_value(const hs_probe *p, int layer0, int head, int slot)
{
    double n = p->count[slot];
    return n > 0.0 ? p->mass[((size_t)layer0 * p->heads + head) * p->n_bins + slot] / n : 0.0;
}

double hs_probe_value(const hs_probe *p, int layer0, int head, int bin)
{
    int s = bin_slot(p->hops, bin);
    if (!p->mass || layer0 < 0 || layer0 >= p->layers || head < 0 || head >= p->heads || s < 0)
        return NAN;
    return slot_value(p, layer0, head, s);
}

void hs_probe_roles(const hs_probe *p, hs_head_role *roles)
{
    for (int l = 0; l < p->layers; l++)
        for (int h = 0; h < p->heads; h++) {
            int best = 0;
            double best_v = slot_value(p, l, h, 0);
            for (int s = 1; s < p->n_bins; s++) {
                double v = slot_value(p, l, h, s);
                /* strict: ties keep the lower slot; a NaN profile (diverged model) loses */
                if (v > best_v || (isnan(best_v) && !isnan(v))) {
                    best = s;
                    best_v = v;
                }
            }
            roles[l * p->heads + h] = (hs_head_role){
                .layer = l + 1, .head = h, .bin = slot_bin(p->hops, best), .score = (float)best_v};
        }
}

void hs_probe_role_name(int layer, int bin, char *buf, int n)
{
    if (!buf || n < 1) return;
    if (bin == HS_PROBE_SELF)
        snprintf(buf, (size_t)n, "L%d:self", layer);
    else if (bin == HS_PROBE_OTHER)
        snprintf(buf, (size_t)n, "L%d:other", layer);
    else if (bin == HS_PROBE_QUERY)
        snprintf(buf, (size_t)n, "L%d:query", layer);
    else
        snprintf(buf, (size_t)n, "L%d:%+d", layer, bin);
}
