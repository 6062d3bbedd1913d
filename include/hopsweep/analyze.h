/* analyze.h — the statistics behind `hopsweep analyze` (DESIGN §1, §1.2): from a result store's
 * records (results.h), the minimum depth that solves each input size, the accuracy matrices,
 * the curricula compared, and how heads and hops emerge across seeds. Nothing here prints;
 * analyze_cmd.c formats what this computes. Every result is deterministic: the same records
 * give the same numbers, in the same order.
 *
 * Reading is results.h's: runs.jsonl into one hs_results, the latest readable record per id.
 *
 * Grouping. A family is every config key except model.layers, train.seed and task.hops (so a
 * family has one curriculum); a group is a family and one hops value (a row of the minimum-
 * layers table); a cell is a group and one layers value (every seed of one configuration).
 * Families that differ only in the curriculum share a setting (the curricula comparison).
 *
 * Solving. A done run solves when its final query accuracy >= tau. Failed runs count as seeds
 * that did not solve; interrupted runs are left out (they will be rerun) but their seeds are
 * still expected. The seeds a cell expects are the distinct train.seed values of every record
 * of its group (any depth, any status). A cell is solved when solved seeds >= fraction × seeds
 * (fraction 0: a strict majority, more than half). When some expected seeds have no done or
 * failed record yet, the cell is decided only if every outcome of those seeds gives the same
 * answer; otherwise it is undecided.
 *
 * Minimum layers. Walking a group's tested depths upwards: the first solved depth is t_min; an
 * empty or undecided depth before it leaves t_min unknown ("?"); no solved depth is "above
 * the largest tested depth". Only depths some record of the group has are walked.
 *
 * Steps to solve. The step at which the query's hop label D emerged, emergence.hop_steps[D]
 * (the first evaluation from which its accuracy stays >= emergence.tau_acc for `patience`
 * evaluations), of the runs that solve; runs without it are left out and counted.
 *
 * Head emergence, per cell, over its done runs that have emergence.order (the run's raters):
 *   - items are the roles that emerged in any of these runs; a run's emerged roles are its
 *     order with repeats dropped (two heads may share a role); a role's step is the earliest
 *     emergence.heads step with that role. Runs rank their roles by step when every emerged
 *     role has one, else by position in the order; a role that never emerged in a run ranks
 *     after all of its emerged roles, tied with the others that never did (average ranks).
 *   - per role: runs where it emerged and where it never did; median and IQR (quartiles by
 *     linear interpolation, numpy's default) of its step over the runs where it emerged with a
 *     known step, and a percentile-bootstrap 95% interval of that median (1000 resamples from
 *     hs_rng with a fixed seed, so output is deterministic).
 *   - precedence P(a before b): over the runs where a or b emerged, a counts as before b when
 *     it emerged strictly earlier (ties count half) or when a emerged and b never did; runs
 *     where neither emerged do not count. So P(a,b) + P(b,a) = 1 whenever either is defined,
 *     and a role that only sometimes emerges is read as late, not as absent.
 *   - Kendall's W of the ranks across runs, with the tie correction; undefined (NaN, with the
 *     reason) for fewer than 2 runs, fewer than 2 roles, or when every run ties all roles.
 *   - the modal order: the most frequent emergence order (the record's order, repeats
 *     dropped) and how many runs have it; among equally frequent orders the one of the
 *     earliest run (lowest seed) is shown, and `modal_ties` counts the others.
 * Hop emergence is monotone in k when hop_steps[1] <= hop_steps[2] <= ... <= hop_steps[D]
 * with "never" as +infinity: every hop emerges no later than the next, and once a hop never
 * emerges no later hop does. Only hops that were measured count (final.hop_acc not null: under
 * curriculum none only the query's hop D is); it is defined for runs with >= 2 measured hops
 * 1..D, and reported over the done runs of a cell where it is defined. */
#ifndef HOPSWEEP_ANALYZE_H
#define HOPSWEEP_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hopsweep/config.h"
#include "hopsweep/error.h"
#include "hopsweep/record.h"
#include "hopsweep/results.h"
#include "hopsweep/stats.h"

/* ---------------------------------------------------------------------------------------------
 * The analysis's own statistics (the array functions they build on are stats.h's) */

/* The fewest layers Theorem 1 allows for D hops: ceil(log3(2D+1)), i.e. the smallest t with
 * (3^t - 1)/2 >= D. hops >= 1. */
int hs_theory_min_layers(int hops);

/* Whether hop emergence is monotone in k (see the top of this file): 1 yes, 0 no, -1 undefined
 * (fewer than two measured hops in 1..hops, or hop_steps shorter than hops+1). hop_acc may be
 * NULL (n_hop_acc 0): every hop then counts as measured. */
int hs_hops_monotone(const int *hop_steps, int n_hop_steps, const float *hop_acc, int n_hop_acc,
                     int hops);

typedef enum {
    HS_CELL_EMPTY = 0, /* no done or failed run */
    HS_CELL_SOLVED,
    HS_CELL_UNSOLVED,
    HS_CELL_UNDECIDED, /* pending seeds could still change the answer */
} hs_cell_verdict;

/* The verdict for `solved` solving seeds out of `counted` done or failed ones, when `expected`
 * seeds (>= counted) are expected; fraction as in hs_analyze_opts. */
hs_cell_verdict hs_cell_judge(int solved, int counted, int expected, double fraction);

/* ---------------------------------------------------------------------------------------------
 * The analysis */

#define HS_ANALYZE_RESAMPLES 1000
#define HS_ANALYZE_BOOT_SEED UINT64_C(0x68737765657021) /* fixed: identical output every time */

typedef struct hs_analyze_opts {
    double tau;      /* a run solves when final query accuracy >= tau (default 0.95) */
    double fraction; /* a cell solves when solved seeds >= fraction × seeds; 0 = strict majority */
    int resamples;   /* bootstrap resamples (HS_ANALYZE_RESAMPLES) */
    uint64_t seed;   /* bootstrap seed (HS_ANALYZE_BOOT_SEED) */
} hs_analyze_opts;

void hs_analyze_opts_default(hs_analyze_opts *o);

typedef struct hs_family {
    char *label; /* "key=value ..." of the keys, other than the curriculum, whose
                                  values differ between settings; "" when there are none */
    hs_curriculum curriculum;
    int setting;                      /* families with the same setting differ only in curriculum */
    size_t first_group, n_groups;     /* its groups, by hops */
    int n_hops, n_layers;             /* distinct hops and layers values among its cells */
    int *hops_values, *layers_values; /* ascending */
} hs_family;

typedef enum {
    HS_TMIN_FOUND = 0, /* t_min is the smallest tested depth that solves */
    HS_TMIN_ABOVE,     /* no tested depth solves; t_min is the largest tested depth */
    HS_TMIN_UNKNOWN,   /* depth t_min is empty or undecided and no smaller depth solves */
} hs_tmin_kind;

typedef struct hs_group {
    int family, hops;
    size_t first_cell, n_cells; /* its cells, by layers */
    int expected;               /* distinct seeds among its records */
    int theory;                 /* hs_theory_min_layers(hops) */
    hs_tmin_kind kind;
    int t_min;
    int agree; /* 1 t_min == theory; 0 it differs (or is already known to); -1 cannot
                            tell */
} hs_group;

typedef struct hs_role_stat {
    int role;           /* index into hs_results.roles */
    int emerged, never; /* runs where it emerged, runs where it never did */
    int timed;          /* runs where it emerged with a known step (the step statistics' n) */
    double median, q1, q3, ci_lo, ci_hi; /* emergence step; NaN when timed == 0 */
} hs_role_stat;

typedef struct hs_emergence {
    int runs; /* done runs with head emergence data (emergence.order) */
    int n_roles;
    hs_role_stat *roles; /* [n_roles], in role order */
    hs_precedence *prec; /* [n_roles * n_roles], row a before column b */
    int n_modal;
    int *modal;        /* the modal order (role indices) */
    int modal_runs;    /* runs with exactly that order */
    int orders;        /* distinct orders among the runs */
    int modal_ties;    /* other orders exactly as frequent as the modal one */
    double w;          /* Kendall's W; NaN when undefined */
    const char *w_why; /* why W is undefined (static text); NULL when defined */
    int mono, mono_of; /* done runs with monotone hop emergence, of those where defined */
} hs_emergence;

typedef struct hs_cell {
    int family, group, hops, layers;
    size_t first, count; /* its runs: hs_analysis.order[first .. first+count), by seed */
    int done, failed, interrupted;
    int solved;      /* done runs with final query accuracy >= tau */
    int expected;    /* the group's seeds */
    double mean_acc; /* mean final query accuracy of its done runs; NaN when none */
    hs_cell_verdict verdict;
    int n_steps;         /* solved runs whose steps to solve are known */
    int unsolved_steps;  /* solved runs without emergence.hop_steps[hops] */
    double median_steps; /* median steps to solve; NaN when n_steps == 0 */
    hs_emergence em;
} hs_cell;

typedef struct hs_analysis {
    hs_analyze_opts opts;
    size_t n_runs;
    size_t *order; /* indices into hs_results.runs: by setting, curriculum, hops,
                              layers, seed, id */
    int n_settings;
    hs_family *families;
    int n_families;
    hs_group *groups;
    size_t n_groups;
    hs_cell *cells;
    size_t n_cells;
    int done, failed, interrupted;
    int with_heads; /* done runs with head emergence data */
} hs_analysis;

/* Computes everything from r (which must outlive a, since role indices refer to it). */
hs_status hs_analyze(const hs_results *r, const hs_analyze_opts *o, hs_analysis *a, hs_err *err);
void hs_analysis_free(hs_analysis *a);

/* Index of the cell holding run index `run` (of hs_results.runs), -1 when there is none. */
long hs_analysis_cell_of(const hs_analysis *a, size_t run);

#endif
