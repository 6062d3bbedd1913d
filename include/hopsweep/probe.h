/* probe.h — what each attention head does (DESIGN §1.2): its profile over chain offsets, its
 * role and score at one evaluation. When heads emerge over a run is emergence.h's.
 *
 * Bins of a profile, for hops D (chain index runs 1..D for edges, the query is index D+1 of
 * chain 0):
 *   offsets δ = -D .. -1, +1 .. +D: the mean attention weight that a position at chain index i
 *       puts on the position of its own chain at index i+δ, averaged over the positions for
 *       which i+δ exists in their chain;
 *   self: weight on itself; other: the mean weight on one position of another chain (the
 *       query excluded) — a mean per position like the offsets, so that uniform attention
 *       gives every bin the same 1/T and only a real preference wins; query: weight on the
 *       query position, for positions not of chain 0 (for chain 0 the query is an ordinary
 *       offset). These three are averaged over all positions except the query itself.
 * A head's role is its argmax bin, written "L<l>:<δ>" with the sign ("L1:+1", "L2:-3"),
 * "L<l>:self", "L<l>:other", "L<l>:query", layers counted from 1; its score is the mass there.
 * Ties go to the lowest bin in the order above.
 *
 * Each row (attending position) is read from its own example's chain and index arrays, so
 * short queries and the filler chain of the mixed curriculum need no special case: an offset
 * bin counts a row when some other position of the row's chain has index i+δ. Inconsistent
 * arrays (repeated (chain, index) pairs, |δ| > hops) never write out of bounds: a column at
 * δ = 0 or |δ| > hops is dropped, and a repeated pair is counted once per column. */
#ifndef HOPSWEEP_PROBE_H
#define HOPSWEEP_PROBE_H

#include <stdint.h>

#include "hopsweep/error.h"

enum { HS_PROBE_SELF = -1000, HS_PROBE_OTHER = -1001, HS_PROBE_QUERY = -1002 };

/* Accumulates profiles over any number of batches of one evaluation. */
typedef struct hs_probe {
    int layers, heads, hops;
    int n_bins;    /* 2*hops + 3 */
    double *mass;  /* [layers][heads][n_bins] summed weights */
    double *count; /* [n_bins] rows that contributed to each bin */
} hs_probe;

/* HS_EINPUT when a size is < 1 or the table would not fit, HS_ENOMEM when memory runs out; on
 * failure *p is left zeroed. All memory is allocated here: hs_probe_add never allocates. */
hs_status hs_probe_init(hs_probe *p, int layers, int heads, int hops, hs_err *err);
/* Frees and zeroes *p; safe on a zeroed probe and twice in a row. */
void hs_probe_free(hs_probe *p);
/* Forgets everything added: the start of an evaluation. */
void hs_probe_reset(hs_probe *p);
/* Adds B examples of T positions: att[l] is layer l's [B][heads][T][T] (row = attending
 * position), chain and index are [B][T] as the task sampler writes them (chain 0 is the asked
 * chain; the query is the last position). One pass over the weights, no allocation; several
 * calls add up as one call over all their examples would. */
void hs_probe_add(hs_probe *p, const float *const *att, int B, int T, const int32_t *chain,
                  const int32_t *index);

typedef struct hs_head_role {
    int layer, head; /* layer from 1 */
    int bin;         /* offset δ, or HS_PROBE_SELF/OTHER/QUERY */
    float score;     /* mean mass in that bin */
} hs_head_role;

/* Role and score of every head from what was added since the last reset: roles[l*heads + h].
 * A bin no row contributed to has value 0 (so with nothing added every head is "L<l>:-D" with
 * score 0, which never emerges for tau > 0). */
void hs_probe_roles(const hs_probe *p, hs_head_role *roles);
/* The profile value of one bin (for tests and plots); bin as in hs_head_role. 0 for a bin no
 * row contributed to, NAN for a layer, head or bin the probe does not have. */
double hs_probe_value(const hs_probe *p, int layer0, int head, int bin);
/* "L2:-3", "L1:self", ... */
void hs_probe_role_name(int layer, int bin, char *buf, int n);

#endif
