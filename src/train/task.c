/* task.c — the retrieval task of DESIGN §1.1 and its conditional variant: allocating batches
 * and sampling examples (chains of edges in random order, then the query); a fixed training set
 * drawn example by example from (seed, index) in a keyed order per epoch, and an evaluation set
 * kept disjoint from it. The parameters and their check (hs_task_check) are the config's
 * (config.h, config_check.c). */
#include "hopsweep/task.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hs_batch_free(hs_batch *b)
{
    free(b->parent);
    free(b->child);
    free(b->rel);
    free(b->target);
    free(b->hop);
    free(b->chain);
    free(b->index);
    free(b->supervised);
    free(b->scored);
    free(b->query_hops);
    free(b->scratch);
    memset(b, 0, sizeof *b);
}

hs_status hs_batch_alloc(hs_batch *b, int B, int T, int vocab, hs_err *err)
{
    memset(b, 0, sizeof *b);
    if (B < 1 || T < 1 || vocab < 1)
        return hs_fail(err, HS_EINPUT,
                       "batch of %d examples, %d positions, vocab %d: each needs to be >= 1", B, T,
                       vocab);
    const size_t n = (size_t)B * (size_t)T;
    if (n > SIZE_MAX / sizeof(int32_t))
        return hs_fail(err, HS_EINPUT, "batch of %d examples of %d positions is too large", B, T);
    b->B = B;
    b->T = T;
    b->vocab = vocab;
    b->parent = calloc(n, sizeof *b->parent);
    b->child = calloc(n, sizeof *b->child);
    b->rel = calloc(n, sizeof *b->rel);
    b->target = calloc(n, sizeof *b->target);
    b->hop = calloc(n, sizeof *b->hop);
    b->chain = calloc(n, sizeof *b->chain);
    b->index = calloc(n, sizeof *b->index);
    b->supervised = calloc(n, sizeof *b->supervised);
    b->scored = calloc(n, sizeof *b->scored);
    b->query_hops = calloc((size_t)B, sizeof *b->query_hops);
    /* The other relations' node orders fit in 2T: an example uses at most 2*C*D nodes (the
     * filler's extra node needs D >= 2, and C*(D+1)+1 <= 2*C*D then), (R-1) orders of them. */
    b->scratch = calloc((size_t)vocab + 2 * (size_t)T, sizeof *b->scratch);
    if (!b->parent || !b->child || !b->rel || !b->target || !b->hop || !b->chain || !b->index ||
        !b->supervised || !b->scored || !b->query_hops || !b->scratch) {
        hs_batch_free(b);
        return hs_fail(err, HS_ENOMEM, "out of memory allocating a batch of %d x %d positions", B,
                       T);
    }
    return HS_OK;
}

/* A broken precondition would make the sampler write out of bounds: stop even when NDEBUG
 * has switched assert() off. */
static void require(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "hopsweep: hs_task_sample: %s\n", what);
        abort();
    }
}

static void swap32(int32_t *a, int32_t *b)
{
    const int32_t t = *a;
    *a = *b;
    *b = t;
}

/* Fills example ex (positions ex*T .. ex*T+T-1) with a query that asks k hops. Every relation
 * shares one layout of chain slots (chain 0 with k edges, C-1 chains of D, the filler) and
 * places the same nodes in it in its own order; with R = 1 the draws are those of plain
 * retrieval, so adding the conditional variant left every plain example unchanged. */
static void sample_example(const hs_task_params *p, hs_rng *rng, int k, int ex, hs_batch *b)
{
    const int D = p->hops, C = p->chains, V = p->vocab, T = b->T, R = hs_task_relations(p);
    const int filler = D - k; /* edges of the filler chain (id C); 0 = no filler chain */
    const int n_edges = R * C * D;
    const int n_nodes = (k + 1) + (C - 1) * (D + 1) + (filler > 0 ? filler + 1 : 0);
    require(n_nodes <= V, "task.vocab too small for this query hop count");
    require((int64_t)(R - 1) * n_nodes <= 2 * (int64_t)T, "batch scratch too small");

    /* Partial Fisher–Yates: scratch[0..n_nodes) becomes n_nodes distinct ids. Resetting
     * scratch first makes the draw depend on the rng alone, not on earlier examples. */
    int32_t *ids = b->scratch;
    for (int v = 0; v < V; v++) ids[v] = v;
    for (int j = 0; j < n_nodes; j++)
        swap32(&ids[j], &ids[j + (int)hs_rng_below(rng, (uint32_t)(V - j))]);
    /* Relation `asked` uses ids as drawn; the j-th after it a fresh shuffle of the same nodes. */
    const int asked = R > 1 ? (int)hs_rng_below(rng, (uint32_t)R) : 0;
    int32_t *orders = b->scratch + V;
    for (int j = 1; j < R; j++) {
        int32_t *o = orders + (size_t)(j - 1) * n_nodes;
        memcpy(o, ids, sizeof *o * (size_t)n_nodes);
        for (int i = n_nodes - 1; i > 0; i--)
            swap32(&o[i], &o[(int)hs_rng_below(rng, (uint32_t)(i + 1))]);
    }

    /* Node x_i of chain c is nodes[first + i]: chain 0 first, then 1..C-1, then the filler. */
    int32_t *chain = b->chain + (size_t)ex * T;
    int32_t *index = b->index + (size_t)ex * T;
    int pos = 0;
    for (int j = 0; j < R; j++)
        for (int c = 0; c <= C; c++) {
            const int len = c == 0 ? k : c < C ? D : filler;
            for (int i = 1; i <= len; i++, pos++) {
                chain[pos] = j * (C + 1) + c;
                index[pos] = i;
            }
        }
    /* Scramble the edges by shuffling only their (chain, index) labels; the rest follows. */
    for (int j = n_edges - 1; j > 0; j--) {
        const int r = (int)hs_rng_below(rng, (uint32_t)(j + 1));
        swap32(&chain[j], &chain[r]);
        swap32(&index[j], &index[r]);
    }

    int32_t *parent = b->parent + (size_t)ex * T;
    int32_t *child = b->child + (size_t)ex * T;
    int32_t *rel = b->rel + (size_t)ex * T;
    int32_t *target = b->target + (size_t)ex * T;
    int32_t *hop = b->hop + (size_t)ex * T;
    uint8_t *supervised = b->supervised + (size_t)ex * T;
    uint8_t *scored = b->scored + (size_t)ex * T;
    const uint8_t edges_supervised = p->curriculum == HS_CURRICULUM_IMPLICIT;
    for (int t = 0; t < n_edges; t++) {
        const int j = chain[t] / (C + 1), c = chain[t] % (C + 1);
        const int32_t *nodes = j == 0 ? ids : orders + (size_t)(j - 1) * n_nodes;
        const int first = c == 0 ? 0 : (k + 1) + (c - 1) * (D + 1);
        parent[t] = nodes[first + index[t] - 1];
        child[t] = nodes[first + index[t]];
        rel[t] = (asked + j) % R;
        target[t] = nodes[first];
        hop[t] = index[t] - 1;
        supervised[t] = edges_supervised;
        scored[t] = edges_supervised;
    }
    const int q = T - 1; /* the query: edge e_{k+1} = (x_k -> ?) of chain 0 */
    parent[q] = ids[k];
    child[q] = V;
    rel[q] = asked;
    target[q] = ids[0];
    hop[q] = k;
    chain[q] = 0;
    index[q] = k + 1;
    supervised[q] = 1;
    scored[q] = 1;
    b->query_hops[ex] = k;
}

/* Example ex asking k hops, of either kind. */
static void sample_any(const hs_task_params *p, hs_rng *rng, int k, int ex, hs_batch *b)
{
    if (p->kind == HS_TASK_HOPK)
        hs_hopk_example(p, rng, k, ex, b);
    else
        sample_example(p, rng, k, ex, b);
}

void hs_task_sample(const hs_task_params *p, hs_rng *rng, const int32_t *query_hops, hs_batch *b)
{
    require(hs_task_check(p, NULL) == HS_OK, "task parameters refused by hs_task_check");
    require(b->T == hs_task_seq_len(p), "batch T differs from hs_task_seq_len");
    require(b->vocab == p->vocab, "batch vocab differs from task.vocab");
    for (int ex = 0; ex < b->B; ex++) {
        /* Read k before sample_example writes b->query_hops, which callers may pass in. */
        int k = query_hops ? query_hops[ex] : p->hops;
        if (p->kind == HS_TASK_HOPK && !query_hops)
            k = p->min_hops + (int)hs_rng_below(rng, (uint32_t)(p->hops - p->min_hops + 1));
        require(k >= (p->kind == HS_TASK_HOPK ? p->min_hops : 1) && k <= p->hops,
                "query hop count outside the task's range");
        sample_any(p, rng, k, ex, b);
    }
}

/* ---------------------------------------------------------------------------------------------
 * A fixed training set */

/* Streams of rng.h are small integers; the training set's live far above them: example i in
 * [2^63, 2^63 + 2^31), epoch e's order keys in [2^62, 2^63). hs_rng_seed hashes the stream, so
 * neighbouring indices give unrelated streams. */
#define EXAMPLE_STREAM(i) ((UINT64_C(1) << 63) + (uint64_t)(i))
#define ORDER_STREAM(e)   ((UINT64_C(1) << 62) + (uint64_t)(e))

enum { FEISTEL_ROUNDS = 6 }; /* 4 make a pseudo-random permutation already (Luby–Rackoff) */

/* A bijection of 64 bits that spreads every input bit (the splitmix64 finaliser). */
static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* The order of one epoch: a Feistel network on 2*half bits, keyed by (seed, epoch). */
typedef struct {
    int64_t n, epoch;
    int half;      /* bits per half */
    uint64_t mask; /* (1 << half) - 1 */
    uint64_t key[FEISTEL_ROUNDS];
} epoch_order;

static void order_init(epoch_order *o, uint64_t seed, int64_t n, int64_t epoch)
{
    o->n = n;
    o->epoch = epoch;
    o->half = 1;
    while (o->half < 32 && (UINT64_C(1) << (2 * o->half)) < (uint64_t)n) o->half++;
    o->mask = (UINT64_C(1) << o->half) - 1;
    hs_rng r;
    hs_rng_seed(&r, seed, ORDER_STREAM(epoch));
    for (int k = 0; k < FEISTEL_ROUNDS; k++) o->key[k] = hs_rng_next(&r);
}

static uint64_t feistel(const epoch_order *o, uint64_t x)
{
    uint64_t l = x >> o->half, r = x & o->mask;
    for (int k = 0; k < FEISTEL_ROUNDS; k++) {
        const uint64_t t = l ^ (mix(r ^ o->key[k]) & o->mask);
        l = r;
        r = t;
    }
    return (l << o->half) | r;
}

/* Cycle walking: the network permutes [0, 4^half), which holds fewer than 4n values, so the walk
 * from a position below n meets a value below n after fewer than 4 steps on average, and maps
 * [0, n) onto itself one to one. */
static int64_t order_at(const epoch_order *o, int64_t pos)
{
    uint64_t x = (uint64_t)pos;
    do x = feistel(o, x);
    while (x >= (uint64_t)o->n);
    return (int64_t)x;
}

int64_t hs_trainset_order(uint64_t seed, int64_t n, int64_t g)
{
    require(n >= 1 && n <= HS_TRAINSET_MAX && g >= 0, "training set position out of range");
    epoch_order o;
    order_init(&o, seed, n, g / n);
    return order_at(&o, g % n);
}

void hs_trainset_example(const hs_task_params *p, uint64_t seed, int64_t i, int level, hs_batch *b,
                         int ex)
{
    require(hs_task_check(p, NULL) == HS_OK, "task parameters refused by hs_task_check");
    require(b->T == hs_task_seq_len(p) && b->vocab == p->vocab && ex >= 0 && ex < b->B,
            "batch does not fit the task");
    require(p->train_examples >= 1 && i >= 0 && i < p->train_examples,
            "training example index outside 0..task.train_examples-1");
    hs_rng r;
    hs_rng_seed(&r, seed, EXAMPLE_STREAM(i));
    if (p->kind == HS_TASK_HOPK) { /* k is part of the example, drawn from its stream first */
        int k = p->min_hops + (int)hs_rng_below(&r, (uint32_t)(p->hops - p->min_hops + 1));
        hs_hopk_example(p, &r, k, ex, b);
        return;
    }
    int32_t k;
    /* mixed draws the hop count from the example's own stream, so it is part of the example */
    if (!hs_curriculum_batch_hops(p, level, &r, &k, 1)) k = p->hops;
    require(k >= 1 && k <= p->hops, "query hop count outside 1..task.hops");
    sample_example(p, &r, k, ex, b);
}

/* ---- the curriculum ---- */

int hs_curriculum_first_level(const hs_task_params *p)
{
    return p->curriculum == HS_CURRICULUM_EXPLICIT ? 1 : p->hops;
}

int hs_curriculum_next_level(const hs_task_params *p, int level, const float *hop_acc)
{
    if (p->curriculum == HS_CURRICULUM_EXPLICIT && level < p->hops &&
        hop_acc[level] >= HS_CURRICULUM_STEP_UP)
        return level + 1;
    return level;
}

int hs_curriculum_eval_hops(const hs_task_params *p, int i)
{
    if (p->kind == HS_TASK_HOPK) return p->min_hops + i % (p->hops - p->min_hops + 1);
    if (p->curriculum == HS_CURRICULUM_MIXED || p->curriculum == HS_CURRICULUM_EXPLICIT)
        return 1 + i % p->hops;
    return p->hops;
}

const int32_t *hs_curriculum_batch_hops(const hs_task_params *p, int level, hs_rng *rng,
                                        int32_t *hops, int B)
{
    if (p->curriculum == HS_CURRICULUM_MIXED) {
        for (int i = 0; i < B; i++) hops[i] = 1 + (int32_t)hs_rng_below(rng, (uint32_t)p->hops);
        return hops;
    }
    if (p->curriculum == HS_CURRICULUM_EXPLICIT) {
        for (int i = 0; i < B; i++) hops[i] = level;
        return hops;
    }
    return NULL;
}

void hs_trainset_sample(const hs_task_params *p, uint64_t seed, int64_t first, int level,
                        hs_batch *b)
{
    const int64_t n = p->train_examples;
    require(n >= 1 && first >= 0, "hs_trainset_sample needs task.train_examples >= 1");
    epoch_order o;
    order_init(&o, seed, n, first / n);
    for (int ex = 0; ex < b->B; ex++) {
        const int64_t g = first + ex;
        if (g / n != o.epoch) order_init(&o, seed, n, g / n);
        hs_trainset_example(p, seed, order_at(&o, g % n), level, b, ex);
    }
}

int64_t hs_trainset_epochs(int64_t n, int batch, int64_t steps)
{
    return n > 0 && batch > 0 && steps > 0 ? steps * batch / n : 0;
}

uint64_t hs_task_example_hash(const hs_batch *b, int ex)
{
    /* A sum of mixed positions ignores their order; the query is mixed in apart, so that an
     * edge and the query holding the same ids do not cancel or swap. Ids are < 2^20 (vocab is
     * capped at 10^6), relations < 2^6: the packing is one to one. */
    const size_t o = (size_t)ex * b->T;
    uint64_t sum = 0;
    for (int t = 0; t < b->T - 1; t++)
        sum += mix(((uint64_t)b->parent[o + t] | (uint64_t)b->child[o + t] << 20 |
                    (uint64_t)b->rel[o + t] << 40) ^
                   (b->ordered ? mix((uint64_t)t + 1) : 0));
    const size_t q = o + (size_t)b->T - 1;
    const uint64_t query = (uint64_t)b->parent[q] | (uint64_t)b->child[q] << 20 |
                           (uint64_t)b->rel[q] << 40 | UINT64_C(1) << 50;
    return mix(sum ^ mix(query));
}

typedef struct {
    uint64_t hash;
    int ex;
} hashed;

static int hashed_cmp(const void *a, const void *b)
{
    const uint64_t x = ((const hashed *)a)->hash, y = ((const hashed *)b)->hash;
    return x < y ? -1 : x > y;
}

enum { EVAL_REDRAW_ROUNDS = 64 };

hs_status hs_task_sample_eval(const hs_task_params *p, uint64_t seed, int64_t visits, hs_rng *rng,
                              const int32_t *query_hops, hs_batch *b, hs_err *err)
{
    hs_task_sample(p, rng, query_hops, b);
    const int64_t n = p->train_examples;
    if (n == 0 || visits <= 0) return HS_OK;
    /* Why this way: the training set is never held (it may be far larger than memory would
     * like), so the few evaluation examples are hashed instead, and the reachable training
     * examples are regenerated once and looked up among them. Only collisions are redrawn,
     * and only redrawn examples are checked again: one scan in practice, as a collision needs
     * a task with very few distinct examples. Partitioning the streams instead would keep the
     * draws apart but not the examples: two streams can draw the same example. */
    const int64_t reach = visits < n ? visits : n;
    const int E = b->B, D = p->hops;
    hashed *pend = calloc((size_t)E, sizeof *pend);
    uint8_t *bad = calloc((size_t)E, 1);
    uint8_t *levels = calloc((size_t)D + 1, 1);
    hs_batch one;
    hs_status st = hs_batch_alloc(&one, 1, b->T, b->vocab, err);
    if (!st && (!pend || !bad || !levels))
        st = hs_fail(err, HS_ENOMEM, "out of memory drawing a disjoint evaluation set");
    int n_pend = E;
    for (int ex = 0; ex < E; ex++) pend[ex].ex = ex;
    for (int round = 0; !st && n_pend > 0; round++) {
        if (round == EVAL_REDRAW_ROUNDS) {
            st = hs_fail(err, HS_EINPUT,
                         "task.train_examples=%d: %d evaluation examples still equal training "
                         "examples after %d redraws, so the task has too few distinct examples "
                         "to keep any out of the training set; raise task.vocab, task.hops or "
                         "task.chains, or lower task.train_examples",
                         p->train_examples, n_pend, EVAL_REDRAW_ROUNDS);
            break;
        }
        memset(levels, 0, (size_t)D + 1);
        for (int e = 0; e < n_pend; e++) {
            pend[e].hash = hs_task_example_hash(b, pend[e].ex);
            levels[b->query_hops[pend[e].ex]] = 1;
        }
        qsort(pend, (size_t)n_pend, sizeof *pend, hashed_cmp);
        /* The first `reach` positions of the stream: epoch 0's order when they are fewer than
         * N, every example otherwise (in index order; the set is what matters). */
        epoch_order o;
        order_init(&o, seed, n, 0);
        for (int64_t g = 0; g < reach; g++) {
            const int64_t i = reach < n ? order_at(&o, g) : g;
            /* Explicit: a training example is seen at every level; compare at each level the
             * pending evaluation examples ask. Otherwise its hop count is its own. */
            for (int k = 1; k <= D; k++) {
                if (p->curriculum == HS_CURRICULUM_EXPLICIT ? !levels[k] : k > 1) continue;
                hs_trainset_example(p, seed, i, k, &one, 0);
                const hashed key = {.hash = hs_task_example_hash(&one, 0)};
                const hashed *hit = bsearch(&key, pend, (size_t)n_pend, sizeof *pend, hashed_cmp);
                if (!hit) continue;
                while (hit > pend && hit[-1].hash == key.hash) hit--;
                for (; hit < pend + n_pend && hit->hash == key.hash; hit++) bad[hit->ex] = 1;
            }
        }
        int m = 0;
        for (int e = 0; e < n_pend; e++)
            if (bad[pend[e].ex]) pend[m++].ex = pend[e].ex;
        n_pend = m;
        /* Redraw in index order, so the result does not depend on the hash order above. */
        for (int ex = 0; ex < E; ex++)
            if (bad[ex]) {
                sample_any(p, rng, b->query_hops[ex], ex, b);
                bad[ex] = 0;
            }
    }
    free(pend);
    free(bad);
    free(levels);
    hs_batch_free(&one);
    return st;
}
