/* task.h — the retrieval problem of DESIGN §1.1: chains of (parent, child) edges in random order,
 * then one query position; every position's answer is the root of its chain. Its conditional
 * variant (docs/conditional.md) lays R relations over the same nodes: each relation is a forest of
 * chains, every edge also names its relation, and the query asks for the root along one of them.
 *
 * The sampler writes, for every position, what the model reads (parent, child, relation), what it
 * is trained on (target, supervised) and what probes and metrics need (hop label, chain id, chain
 * index). Sequence length is fixed for a task: T = R*chains*hops + 1 (R = 1 for plain
 * retrieval), the query last. */
#ifndef HOPSWEEP_TASK_H
#define HOPSWEEP_TASK_H

#include <stdint.h>

#include "hopsweep/config.h" /* hs_task_params, hs_task_check and the task's sizes */
#include "hopsweep/error.h"
#include "hopsweep/rng.h"

/* One batch of examples; arrays are [B*T], example-major. */
typedef struct hs_batch {
    int B, T, vocab;
    int32_t *parent;     /* parent node id; the query holds the asked node */
    int32_t *child;      /* child node id; the query holds V (the marker) */
    int32_t *rel;        /* relation of the edge, or the asked one at the query; 0 in retrieval */
    int32_t *target;     /* root id of the position's chain */
    int32_t *hop;        /* hop label: edge e_i -> i-1, query -> its hop count k */
    int32_t *chain;      /* chain id: j*(C+1) + c for chain c of the j-th relation counted from
                          * the asked one (c = C the filler chain), so 0 is the asked chain */
    int32_t *index;      /* chain index: edge e_i -> i, query -> k+1 */
    uint8_t *supervised; /* 1 where the loss is taken */
    uint8_t *scored;     /* 1 where accuracy and emergence are measured: the supervised positions
                          * in retrieval, the letter targets in hopk (not blank, not "none") */
    int32_t *query_hops; /* [B] hop count k of each example's query */
    int32_t *scratch; /* [V + 2T] sampler workspace: node ids, then the other relations' orders */
    int ordered;      /* hopk: an example is a sequence, not a set (hs_task_example_hash) */
} hs_batch;

/* Zeroes *b, then allocates every array (scratch gets vocab + 2T entries). HS_EINPUT for sizes < 1,
 * HS_ENOMEM if memory runs out; on failure *b is left zeroed. */
hs_status hs_batch_alloc(hs_batch *b, int B, int T, int vocab, hs_err *err);
/* Frees and zeroes *b; safe on a zeroed batch and twice in a row. */
void hs_batch_free(hs_batch *b);

/* Fills all B examples of b. query_hops[i] in 1..hops is the hop count of example i's query;
 * NULL means every query asks `hops` (hopk: k in min_hops..hops, and NULL draws it uniformly). When k < hops, chain 0 has k edges and a filler chain
 * (id C) takes the hops-k edges that keep the length at C*hops+1. In a conditional task every
 * relation partitions the same nodes into chains of those lengths, and the asked relation is
 * uniform over the R relations.
 * Needs p accepted by hs_task_check, b allocated with T = hs_task_seq_len(p) and vocab = p->vocab,
 * and (for k < hops under none/implicit) one spare node id; a broken precondition aborts rather
 * than write out of bounds. Draws only from rng and never allocates; query_hops may be
 * b->query_hops, which always receives each example's k. */
void hs_task_sample(const hs_task_params *p, hs_rng *rng, const int32_t *query_hops, hs_batch *b);

/* ---- the curriculum (task.curriculum): which hop count each query asks ----
 *
 * none and implicit ask `hops` everywhere; mixed draws each training query's hop count uniformly
 * from 1..hops; explicit asks the trainer's level, which starts at 1 and steps up once the
 * evaluation's accuracy at that level reaches HS_CURRICULUM_STEP_UP. Evaluation sets of mixed
 * and explicit cycle through every hop count so each is measured; hopk's cycle through
 * min_hops..hops. The trainer and the resume check both follow these rules, so a saved level is
 * judged by the same rule that reached it. */
#define HS_CURRICULUM_STEP_UP 0.95f

/* The level a job starts at: 1 under explicit, hops otherwise. */
int hs_curriculum_first_level(const hs_task_params *p);
/* The level after an evaluation whose hop accuracies (indexed 0..hops) are hop_acc. */
int hs_curriculum_next_level(const hs_task_params *p, int level, const float *hop_acc);
/* The hop count of the i-th evaluation example's query. */
int hs_curriculum_eval_hops(const hs_task_params *p, int i);
/* The hop counts of a training batch of B fresh examples at `level`, written to hops (mixed
 * draws them from rng): hops, or NULL when every query asks what hs_task_sample draws itself. */
const int32_t *hs_curriculum_batch_hops(const hs_task_params *p, int level, hs_rng *rng,
                                        int32_t *hops, int B);

/* ---- hopk (task_hopk.c, docs in peers/hopk.md and README): Sanford, Hsu & Telgarsky's hop_k ----
 *
 * Position 0 holds the token announcing k, position i+1 letter i of `length` letters (the first
 * uniform, each later one uniform over the letters other than the one before it). Target at 0:
 * blank; at i+1: hop_k(i), the letter at find^k(i), where find(i) is the position just after the
 * last earlier occurrence of letter i; "none" when some step has no earlier occurrence. Every
 * position is supervised, the letter targets are scored. Since find is one to one, the letter
 * positions fall into chains rooted at each letter's first occurrence, numbered by root
 * position from 0: chain id and chain index (root 1, find(i) one less than i) let the head
 * probes read a head attending j hops back as offset -j. The k token is chain `letters`, index 0.
 * The model reads parent = token, child = V (emb.chi's marker row: one learned vector added to
 * every position), rel = 0. */
/* Token ids: letters 0..letters-1, then "does not exist", blank, and the k tokens. */
int hs_hopk_none_token(const hs_task_params *p);
int hs_hopk_blank_token(const hs_task_params *p);
int hs_hopk_k_token(const hs_task_params *p, int k);
/* Writes example ex with k hops (min_hops <= k <= hops) from rng into b. */
void hs_hopk_example(const hs_task_params *p, hs_rng *rng, int k, int ex, hs_batch *b);

/* ---- A fixed training set of N = p->train_examples examples ----
 *
 * Example i (0 <= i < N) is drawn from a stream of its own, keyed by (seed, i), so that any one
 * of them can be produced alone and nothing N-sized is ever held. A job's g-th training example
 * (g = step * batch + slot, counted from 0) is example order_e(g mod N) of epoch e = g div N,
 * where order_e is a bijection of [0, N) keyed by (seed, e): a balanced Feistel network on the
 * smallest even number of bits that holds N, walked until it lands below N. The position in the
 * data stream therefore follows from the step alone: resuming needs no extra state. Batches may
 * span an epoch boundary (and repeat an example when N < batch).
 *
 * What the curriculum does to a fixed example: none/implicit ask `hops`; mixed draws the
 * query's hop count from the example's own stream first (so it is part of the example);
 * explicit asks the trainer's current level, each example keeping its own stream at every
 * level (the same draws laid out for fewer hops). */

/* Index in [0, n) of the g-th example a job trains on (g >= 0, n >= 1). */
int64_t hs_trainset_order(uint64_t seed, int64_t n, int64_t g);
/* Writes example i of the training set, its query asking `level` hops under the explicit
 * curriculum (ignored otherwise), into slot ex of b. Same preconditions as hs_task_sample. */
void hs_trainset_example(const hs_task_params *p, uint64_t seed, int64_t i, int level, hs_batch *b,
                         int ex);
/* Fills all B slots of b with the training examples at positions first .. first+B-1 of the
 * data stream (first = step * B). Needs p->train_examples >= 1. Never allocates. */
void hs_trainset_sample(const hs_task_params *p, uint64_t seed, int64_t first, int level,
                        hs_batch *b);
/* Full passes over a training set of n examples after `steps` steps of `batch`; 0 when n = 0. */
int64_t hs_trainset_epochs(int64_t n, int batch, int64_t steps);

/* Hash of example ex as a set of positions: the multiset of its edges' (parent, child,
 * relation) and its query's. Examples equal position by position, or only up to the order of
 * their edges, hash alike; so "different hash" proves "different example". An ordered batch
 * (hopk) hashes each position with its place. */
uint64_t hs_task_example_hash(const hs_batch *b, int ex);

/* The evaluation set: hs_task_sample(p, rng, query_hops, b) and, with a fixed training set,
 * every evaluation example equal (as a set, hs_task_example_hash) to one of the training
 * examples the job can reach is redrawn from rng, until none is (visits = steps * batch: the
 * first min(N, visits) positions of the data stream, all N once a job completes an epoch).
 * With p->train_examples == 0 it is exactly hs_task_sample. Allocates O(B) working memory and
 * takes O(min(N, visits) * T) time once. HS_EINPUT when 64 rounds of redraws still leave a
 * collision (the task has too few distinct examples for a set of N to leave any out), HS_ENOMEM. */
hs_status hs_task_sample_eval(const hs_task_params *p, uint64_t seed, int64_t visits, hs_rng *rng,
                              const int32_t *query_hops, hs_batch *b, hs_err *err);

#endif
