/* emergence.h — when a run's hop accuracies and attention heads emerge, the order in which its
 * heads emerged, and when training may stop early (DESIGN §1.2, the `emergence:` config keys).
 *
 * Everything here reads a run's evaluation history, one row per evaluation: a hop accuracy
 * per hop label, a head's role bin and score per head. probe.h says what each head does at one
 * evaluation; this module says what the sequence of evaluations means. Nothing allocates. */
#ifndef HOPSWEEP_EMERGENCE_H
#define HOPSWEEP_EMERGENCE_H

#include <stdbool.h>

#include "hopsweep/probe.h"

/* Index of the first evaluation from which values[i*stride] stays >= tau for `patience`
 * evaluations (or through the last one, when fewer remain); -1 when there is none. NaN counts
 * as below. Hop k emerges at hs_first_sustained(history + k, n, hops + 1, tau_acc, patience). */
int hs_first_sustained(const float *values, int n, int stride, float tau, int patience);

/* Head emergence over a run's evaluations: bins[e*stride] and scores[e*stride] of one head at
 * evaluation e = 0..n-1. Returns the first e such that every evaluation e .. min(e+patience,
 * n)-1 has score >= tau and the bin of e; -1 if none. So a dip below tau, or a change of role
 * while above it, restarts the count; a head that reaches tau only at the last evaluation
 * emerges there; a dip after `patience` evaluations no longer matters. This is
 * hs_first_sustained's rule plus "with the same bin". A NaN score is below tau; patience < 1
 * counts as 1. */
int hs_emergence_head(const int *bins, const float *scores, int n, int stride, float tau,
                      int patience);

/* The run's emergence order: fills order with the indices of the heads that emerged
 * (steps[i] >= 0), sorted by step, ties by layer, then by bin (offsets from -D to +D, then
 * self, other, query), then by head; returns how many. order needs room for n entries. */
int hs_emergence_order(const hs_head_role *roles, const int *steps, int n, int *order);

/* Every head of a run: bins and scores are [n_evals][n_heads] (row stride n_heads), eval_steps
 * the step of each evaluation, last the roles of the last evaluation. Fills heads[h] with the
 * role and score at the head's emergence (or at the last evaluation when it never emerged),
 * steps[h] with its emergence step (-1 = never) and order as hs_emergence_order; returns the
 * number of heads in order. */
int hs_emergence_heads(const int *bins, const float *scores, const int *eval_steps, int n_evals,
                       const hs_head_role *last, int n_heads, float tau, int patience,
                       hs_head_role *heads, int *steps, int *order);

/* Early stop: every hop label measured (history [n_evals][hops+1], NaN = not measured) has
 * stayed >= threshold over the last `patience` evaluations. Never with threshold <= 0. */
bool hs_emergence_early_stop(const float *history, int n_evals, int hops, float threshold,
                             int patience);

#endif
