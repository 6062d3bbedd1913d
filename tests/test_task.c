/* test_task.c — the retrieval task sampler, plain and conditional, and its parameter checks
 * (DESIGN §1.1, docs/conditional.md, task.h).
 *
 * check_example() states every structural property an example must have; the tests run it over
 * many seeds and parameter sets, then check what one example cannot show: determinism, the
 * shuffle of positions, uniform node ids, and the messages of refused parameters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <string.h>

#include "hopsweep/task.h"

#define COND HS_TASK_CONDITIONAL
static const hs_task_params param_sets[] = {
    {1, 1, 2, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
    {1, 1, 2, HS_CURRICULUM_IMPLICIT, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
    {1, 5, 10, HS_CURRICULUM_MIXED, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
    {2, 1, 4, HS_CURRICULUM_MIXED, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
    {4, 3, 15, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
    {4, 3, 15, HS_CURRICULUM_IMPLICIT, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
    {4, 3, 16, HS_CURRICULUM_MIXED, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
    {4, 3, 16, HS_CURRICULUM_EXPLICIT, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
    {13, 2, 100, HS_CURRICULUM_IMPLICIT, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
    {7, 4, 1000, HS_CURRICULUM_MIXED, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
    {40, 3, 200, HS_CURRICULUM_EXPLICIT, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
    {5, 1, 6, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
    /* conditional: every curriculum, one relation up to many, vocab at and above its minimum */
    {1, 1, 2, HS_CURRICULUM_NONE, COND, 2, 0, 0, 0, 0},
    {1, 1, 2, HS_CURRICULUM_IMPLICIT, COND, 1, 0, 0, 0, 0},
    {3, 2, 8, HS_CURRICULUM_IMPLICIT, COND, 2, 0, 0, 0, 0},
    {4, 3, 15, HS_CURRICULUM_NONE, COND, 3, 0, 0, 0, 0},
    {4, 3, 16, HS_CURRICULUM_MIXED, COND, 2, 0, 0, 0, 0},
    {4, 3, 16, HS_CURRICULUM_EXPLICIT, COND, 4, 0, 0, 0, 0},
    {5, 1, 6, HS_CURRICULUM_IMPLICIT, COND, 5, 0, 0, 0, 0},
    {13, 2, 100, HS_CURRICULUM_IMPLICIT, COND, 3, 0, 0, 0, 0},
    {2, 2, 64, HS_CURRICULUM_MIXED, COND, 64, 0, 0, 0, 0},
};
enum { N_PARAM_SETS = sizeof param_sets / sizeof param_sets[0] };

static int chain_len(const hs_task_params *p, int k, int c)
{
    return c == 0 ? k : c < p->chains ? p->hops : p->hops - k;
}

/* Follows relation r from node x to its root, in the edges of example o; returns the root and
 * the number of hops in *hops (-1 and a failed assertion if the walk does not end). */
static int32_t walk_to_root(const hs_batch *b, size_t o, int32_t r, int32_t x, int *hops)
{
    *hops = 0;
    for (;;) {
        int up = -1;
        for (int t = 0; t < b->T - 1; t++)
            if (b->rel[o + t] == r && b->child[o + t] == x) {
                assert_int_equal(up, -1); /* at most one parent per relation: a forest */
                up = t;
            }
        if (up < 0) return x;
        x = b->parent[o + up];
        if (++*hops > b->T) fail_msg("relation %d has a cycle", r);
    }
}

/* Asserts every property of example ex, whose query asks k hops. Chains are checked twice:
 * through the (chain, index) labels the probes use, and by walking the edges as a reader of
 * the sequence would, which is what makes targets and hop labels right. */
static void check_example(const hs_task_params *p, const hs_batch *b, int ex, int k)
{
    const int D = p->hops, C = p->chains, V = p->vocab, T = b->T, R = hs_task_relations(p);
    const int n_chains = R * (C + 1); /* chain ids j*(C+1) + c */
    assert_int_equal(T, R * C * D + 1);
    assert_int_equal(b->query_hops[ex], k);
    const size_t o = (size_t)ex * T;
    const size_t q = o + (size_t)T - 1;
    const int asked = b->rel[q];
    assert_true(asked >= 0 && asked < R);

    /* (chain, index) -> position: every edge of every chain exactly once, nothing else. */
    int *pos_of = malloc(sizeof *pos_of * (size_t)n_chains * (D + 2));
    for (int i = 0; i < n_chains * (D + 2); i++) pos_of[i] = -1;
    for (int t = 0; t < T - 1; t++) {
        const int id = b->chain[o + t], i = b->index[o + t];
        assert_true(id >= 0 && id < n_chains);
        assert_true(i >= 1 && i <= chain_len(p, k, id % (C + 1)));
        assert_int_equal(pos_of[id * (D + 2) + i], -1);
        pos_of[id * (D + 2) + i] = t;
        assert_int_equal(b->rel[o + t], (asked + id / (C + 1)) % R);
        assert_true(b->child[o + t] >= 0 && b->child[o + t] < V);
        assert_int_equal(b->hop[o + t], i - 1);
        assert_int_equal(b->supervised[o + t], p->curriculum == HS_CURRICULUM_IMPLICIT);
        /* the target is the root along the edge's own relation, hop[t] + 1 edges up */
        int hops;
        assert_int_equal(walk_to_root(b, o, b->rel[o + t], b->parent[o + t], &hops),
                         b->target[o + t]);
        assert_int_equal(hops, b->hop[o + t]);
    }

    /* Per relation, each chain is a path from its root and no node id appears in two places;
     * every relation covers the same nodes (count[v] = R for each node used). */
    char *seen = calloc((size_t)V, 1);
    int *count = calloc((size_t)V, sizeof *count);
    int n_nodes = -1;
    for (int j = 0; j < R; j++) {
        memset(seen, 0, (size_t)V);
        int here = 0;
        for (int c = 0; c <= C; c++) {
            const int len = chain_len(p, k, c), id = j * (C + 1) + c;
            if (len == 0) continue;
            const int32_t root = b->parent[o + pos_of[id * (D + 2) + 1]];
            assert_true(root >= 0 && root < V);
            assert_false(seen[root]);
            seen[root] = 1;
            count[root]++;
            here++;
            for (int i = 1; i <= len; i++) {
                const int t = pos_of[id * (D + 2) + i];
                assert_true(t >= 0);
                if (i > 1)
                    assert_int_equal(b->parent[o + t], b->child[o + pos_of[id * (D + 2) + i - 1]]);
                assert_int_equal(b->target[o + t], root);
                assert_false(seen[b->child[o + t]]);
                seen[b->child[o + t]] = 1;
                count[b->child[o + t]]++;
                here++;
            }
        }
        if (n_nodes < 0) n_nodes = here;
        assert_int_equal(here, n_nodes);
    }
    for (int v = 0; v < V; v++) assert_true(count[v] == 0 || count[v] == R);
    assert_true(n_nodes <= V);

    /* The query, last: the edge (x_k -> marker V) of chain 0, which belongs to the asked
     * relation; its answer is k hops up that relation. */
    assert_int_equal(b->child[q], V);
    assert_int_equal(b->parent[q], b->child[o + pos_of[0 * (D + 2) + k]]);
    assert_int_equal(b->target[q], b->parent[o + pos_of[0 * (D + 2) + 1]]);
    int hops;
    assert_int_equal(walk_to_root(b, o, asked, b->parent[q], &hops), b->target[q]);
    assert_int_equal(hops, k);
    assert_int_equal(b->hop[q], k);
    assert_int_equal(b->chain[q], 0);
    assert_int_equal(b->index[q], k + 1);
    assert_int_equal(b->supervised[q], 1);
    free(count);
    free(seen);
    free(pos_of);
}

/* The query hop counts a trainer would pass: NULL for none/implicit, uniform for mixed, one
 * level for explicit. */
static const int32_t *pick_query_hops(const hs_task_params *p, hs_rng *r, int level, int32_t *buf,
                                      int B)
{
    if (p->curriculum == HS_CURRICULUM_MIXED)
        for (int i = 0; i < B; i++) buf[i] = 1 + (int32_t)hs_rng_below(r, (uint32_t)p->hops);
    else if (p->curriculum == HS_CURRICULUM_EXPLICIT)
        for (int i = 0; i < B; i++) buf[i] = level;
    else
        return NULL;
    return buf;
}

static void alloc_for(hs_batch *b, const hs_task_params *p, int B)
{
    hs_err err;
    assert_int_equal(hs_task_check(p, &err), HS_OK);
    assert_int_equal(hs_batch_alloc(b, B, hs_task_seq_len(p), p->vocab, &err), HS_OK);
}

static void test_examples_have_every_property(void **state)
{
    (void)state;
    enum { B = 16, SEEDS = 40 };
    int32_t hops_buf[B];
    for (int s = 0; s < N_PARAM_SETS; s++) {
        const hs_task_params *p = &param_sets[s];
        hs_batch b;
        alloc_for(&b, p, B);
        for (int seed = 0; seed < SEEDS; seed++) {
            hs_rng data, pick;
            hs_rng_seed(&data, (uint64_t)seed, HS_STREAM_DATA);
            hs_rng_seed(&pick, (uint64_t)seed, HS_STREAM_EVAL);
            const int32_t *qh = pick_query_hops(p, &pick, 1 + seed % p->hops, hops_buf, B);
            hs_task_sample(p, &data, qh, &b);
            for (int ex = 0; ex < B; ex++) check_example(p, &b, ex, qh ? qh[ex] : p->hops);
        }
        hs_batch_free(&b);
    }
}

static void test_filler_chain_keeps_length(void **state)
{
    (void)state;
    const hs_task_params p = {4, 3, 16, HS_CURRICULUM_MIXED, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0};
    const int32_t ks[] = {1, 2, 3, 4};
    hs_batch b;
    alloc_for(&b, &p, 4);
    hs_rng r;
    hs_rng_seed(&r, 1, HS_STREAM_DATA);
    hs_task_sample(&p, &r, ks, &b);
    for (int ex = 0; ex < 4; ex++) {
        int per_chain[5] = {0};
        for (int t = 0; t < b.T - 1; t++) per_chain[b.chain[ex * b.T + t]]++;
        assert_int_equal(per_chain[0], ks[ex]);
        assert_int_equal(per_chain[1], 4);
        assert_int_equal(per_chain[2], 4);
        assert_int_equal(per_chain[3], 4 - ks[ex]); /* the filler, id C = 3 */
        check_example(&p, &b, ex, ks[ex]);
    }
    hs_batch_free(&b);
}

static void test_supervision_follows_curriculum(void **state)
{
    (void)state;
    for (int c = HS_CURRICULUM_NONE; c <= HS_CURRICULUM_EXPLICIT; c++) {
        const hs_task_params p = {3, 2, 9, (hs_curriculum)c, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0};
        hs_batch b;
        alloc_for(&b, &p, 8);
        hs_rng r;
        hs_rng_seed(&r, 2, HS_STREAM_DATA);
        hs_task_sample(&p, &r, NULL, &b);
        for (int ex = 0; ex < 8; ex++) {
            int n = 0;
            for (int t = 0; t < b.T; t++) n += b.supervised[ex * b.T + t];
            assert_int_equal(n, c == HS_CURRICULUM_IMPLICIT ? b.T : 1);
            assert_int_equal(b.supervised[ex * b.T + b.T - 1], 1);
        }
        hs_batch_free(&b);
    }
}

static int batches_equal(const hs_batch *a, const hs_batch *b)
{
    const size_t n = (size_t)a->B * a->T * sizeof(int32_t);
    return !memcmp(a->parent, b->parent, n) && !memcmp(a->child, b->child, n) &&
           !memcmp(a->rel, b->rel, n) && !memcmp(a->target, b->target, n) &&
           !memcmp(a->hop, b->hop, n) && !memcmp(a->chain, b->chain, n) &&
           !memcmp(a->index, b->index, n) &&
           !memcmp(a->supervised, b->supervised, n / sizeof(int32_t)) &&
           !memcmp(a->query_hops, b->query_hops, (size_t)a->B * sizeof(int32_t));
}

static void sample_seeded(const hs_task_params *p, uint64_t seed, const int32_t *qh, hs_batch *b)
{
    hs_rng r;
    hs_rng_seed(&r, seed, HS_STREAM_DATA);
    hs_task_sample(p, &r, qh, b);
}

static void test_same_seed_same_batch(void **state)
{
    (void)state;
    const hs_task_params p = {4, 3, 40, HS_CURRICULUM_MIXED, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0};
    const int32_t ks[8] = {1, 4, 2, 3, 4, 1, 2, 3};
    hs_batch a, b;
    alloc_for(&a, &p, 8);
    alloc_for(&b, &p, 8);
    sample_seeded(&p, 77, ks, &a);
    /* Earlier examples leave scratch in some state; the result must not depend on it. */
    for (int v = 0; v < p.vocab; v++) b.scratch[v] = p.vocab - 1 - v;
    sample_seeded(&p, 77, ks, &b);
    assert_true(batches_equal(&a, &b));

    /* The query hops may be read from the batch's own array, which the sampler overwrites. */
    memcpy(b.query_hops, ks, sizeof ks);
    sample_seeded(&p, 77, b.query_hops, &b);
    assert_true(batches_equal(&a, &b));

    sample_seeded(&p, 78, ks, &b);
    assert_false(batches_equal(&a, &b));
    assert_false(memcmp(a.parent, b.parent, (size_t)a.B * a.T * sizeof(int32_t)) == 0);
    hs_batch_free(&a);
    hs_batch_free(&b);
}

static void test_edge_positions_are_shuffled(void **state)
{
    (void)state;
    /* Over many examples every (chain, index) lands on every edge position about equally often:
     * chi-square with 11 degrees of freedom, mean 11, P(> 45) ~ 4e-6. */
    enum { D = 4, C = 3, EDGES = C * D, B = 3000 };
    const hs_task_params p = {D, C, 15, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0};
    hs_batch b;
    alloc_for(&b, &p, B);
    sample_seeded(&p, 5, NULL, &b);
    static long count[C][D + 1][EDGES];
    for (int ex = 0; ex < B; ex++)
        for (int t = 0; t < EDGES; t++) count[b.chain[ex * b.T + t]][b.index[ex * b.T + t]][t]++;
    for (int c = 0; c < C; c++) {
        for (int i = 1; i <= D; i++) {
            const double expected = (double)B / EDGES;
            double chi2 = 0;
            for (int t = 0; t < EDGES; t++) {
                const double seen_here = (double)count[c][i][t];
                assert_true(seen_here > 0);
                chi2 += (seen_here - expected) * (seen_here - expected) / expected;
            }
            assert_true(chi2 < 45.0);
        }
    }
    hs_batch_free(&b);
}

static void test_node_ids_are_uniform(void **state)
{
    (void)state;
    /* The asked chain's root (the answer) must not favour any id, or a model could learn the
     * bias instead of the task: chi-square, 19 degrees of freedom, P(> 60) ~ 4e-6. */
    enum { V = 20, B = 4000 };
    const hs_task_params p = {2, 2, V, HS_CURRICULUM_IMPLICIT, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0};
    hs_batch b;
    alloc_for(&b, &p, B);
    sample_seeded(&p, 6, NULL, &b);
    long count[V] = {0};
    for (int ex = 0; ex < B; ex++) count[b.target[ex * b.T + b.T - 1]]++;
    const double expected = (double)B / V;
    double chi2 = 0;
    for (int v = 0; v < V; v++)
        chi2 += ((double)count[v] - expected) * ((double)count[v] - expected) / expected;
    assert_true(chi2 < 60.0);
    hs_batch_free(&b);
}

static void test_sizes(void **state)
{
    (void)state;
    const hs_task_params none = {4, 3, 0, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0};
    const hs_task_params implicit = {4, 3, 0, HS_CURRICULUM_IMPLICIT, HS_TASK_RETRIEVAL, 0, 0,
                                     0, 0, 0};
    const hs_task_params mixed = {4, 3, 0, HS_CURRICULUM_MIXED, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0};
    const hs_task_params explicit1 = {1, 3, 0, HS_CURRICULUM_EXPLICIT, HS_TASK_RETRIEVAL, 0, 0,
                                      0, 0, 0};
    const hs_task_params huge = {
        2000000000, 2000000000, 0, HS_CURRICULUM_MIXED, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0};
    assert_int_equal(hs_task_seq_len(&none), 13);
    assert_int_equal(hs_task_min_vocab(&none), 15);
    assert_int_equal(hs_task_min_vocab(&implicit), 15);
    assert_int_equal(hs_task_min_vocab(&mixed), 16);
    assert_int_equal(hs_task_min_vocab(&explicit1), 6); /* hops 1: never a filler chain */
    assert_int_equal(hs_task_seq_len(&huge), 2147483647);
    assert_int_equal(hs_task_min_vocab(&huge), 2147483647);
    /* conditional: R times the edges over the same nodes */
    const hs_task_params cond = {4, 3, 0, HS_CURRICULUM_IMPLICIT, COND, 3, 0, 0, 0, 0};
    const hs_task_params cond_mixed = {4, 3, 0, HS_CURRICULUM_MIXED, COND, 2, 0, 0, 0, 0};
    hs_task_params plain_r = none;
    plain_r.relations = 5; /* read only for conditional tasks */
    assert_int_equal(hs_task_seq_len(&cond), 37);
    assert_int_equal(hs_task_relations(&cond), 3);
    assert_int_equal(hs_task_min_vocab(&cond), 15);
    assert_int_equal(hs_task_min_vocab(&cond_mixed), 16);
    assert_int_equal(hs_task_seq_len(&plain_r), 13);
    assert_int_equal(hs_task_relations(&plain_r), 1);
}

/* A conditional task with one relation draws exactly what plain retrieval draws: the plain
 * examples (and every result measured on them) did not change when the variant was added. */
static void test_one_relation_is_plain_retrieval(void **state)
{
    (void)state;
    const hs_task_params plain = {4, 3, 20, HS_CURRICULUM_MIXED, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0};
    hs_task_params cond = plain;
    cond.kind = COND;
    cond.relations = 1;
    const int32_t ks[6] = {4, 1, 2, 3, 4, 2};
    hs_batch a, b;
    alloc_for(&a, &plain, 6);
    alloc_for(&b, &cond, 6);
    hs_rng ra, rb;
    hs_rng_seed(&ra, 11, HS_STREAM_DATA);
    hs_rng_seed(&rb, 11, HS_STREAM_DATA);
    hs_task_sample(&plain, &ra, ks, &a);
    hs_task_sample(&cond, &rb, ks, &b);
    assert_true(batches_equal(&a, &b));
    assert_int_equal(hs_rng_next(&ra),
                     hs_rng_next(&rb)); /* and the stream stands at the same draw */
    for (int i = 0; i < a.B * a.T; i++) assert_int_equal(a.rel[i], 0);
    hs_batch_free(&a);
    hs_batch_free(&b);
}

/* The asked relation is uniform, and the relation matters: following another relation from the
 * asked node mostly ends at another root, so a model that ignores emb.rel cannot solve it. */
static void test_conditional_relation_matters(void **state)
{
    (void)state;
    enum { R = 4, B = 4000 };
    const hs_task_params p = {3, 2, 40, HS_CURRICULUM_NONE, COND, R, 0, 0, 0, 0};
    hs_batch b;
    alloc_for(&b, &p, B);
    sample_seeded(&p, 9, NULL, &b);
    long asked[R] = {0}, differs = 0, others = 0;
    for (int ex = 0; ex < B; ex++) {
        const size_t o = (size_t)ex * b.T, q = o + (size_t)b.T - 1;
        asked[b.rel[q]]++;
        for (int r = 0; r < R; r++) {
            if (r == b.rel[q]) continue;
            int hops;
            differs += walk_to_root(&b, o, r, b.parent[q], &hops) != b.target[q];
            others++;
        }
    }
    /* chi-square, 3 degrees of freedom, P(> 25) ~ 2e-5 */
    double chi2 = 0;
    for (int r = 0; r < R; r++)
        chi2 += ((double)asked[r] - B / R) * ((double)asked[r] - B / R) / (B / R);
    assert_true(chi2 < 25.0);
    /* Another relation ends at the same root only when the answer is also a root there and
     * the walk happens to reach it: 0.89 end elsewhere with these sizes (8 nodes, 2 roots);
     * a sampler that reused one order for every relation would give 0. */
    assert_true((double)differs / others > 0.8);
    hs_batch_free(&b);
}

static void test_batch_alloc_and_free(void **state)
{
    (void)state;
    hs_batch b;
    hs_err err;
    hs_err_clear(&err);
    assert_int_equal(hs_batch_alloc(&b, 3, 5, 7, &err), HS_OK);
    assert_int_equal(b.B, 3);
    assert_int_equal(b.T, 5);
    assert_int_equal(b.vocab, 7);
    assert_non_null(b.scratch);
    for (int i = 0; i < 15; i++)
        assert_int_equal(b.parent[i] | b.child[i] | b.target[i] | b.hop[i] | b.chain[i] |
                             b.index[i] | b.supervised[i],
                         0);
    hs_batch_free(&b);
    assert_null(b.parent);
    assert_int_equal(b.B, 0);
    hs_batch_free(&b); /* twice, and on a zeroed struct: both fine */

    assert_int_equal(hs_batch_alloc(&b, 0, 5, 7, &err), HS_EINPUT);
    assert_int_equal(err.code, HS_EINPUT);
    assert_non_null(strstr(err.msg, ">= 1"));
    assert_null(b.parent);
    hs_batch_free(&b);
}

/* One refused parameter set: the message must name the key and carry the fix. */
typedef struct refusal {
    hs_task_params p;
    const char *key;
    const char *fix;
} refusal;

static const refusal refusals[] = {
    {{0, 3, 100, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
     "task.hops=0",
     "task.hops >= 1"},
    {{-2, 3, 100, HS_CURRICULUM_IMPLICIT, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
     "task.hops=-2",
     "task.hops >= 1"},
    {{4, 0, 100, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
     "task.chains=0",
     "task.chains >= 1"},
    {{4, -1, 100, HS_CURRICULUM_MIXED, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
     "task.chains=-1",
     "task.chains >= 1"},
    {{4, 3, 10, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
     "task.vocab=10",
     "task.vocab >= 15"},
    {{4, 3, 14, HS_CURRICULUM_IMPLICIT, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
     "task.vocab=14",
     "task.vocab >= 15"},
    {{4, 3, 15, HS_CURRICULUM_MIXED, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
     "task.vocab=15",
     "task.vocab >= 16"},
    {{4, 3, 15, HS_CURRICULUM_EXPLICIT, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
     "task.vocab=15",
     "task.vocab >= 16"},
    {{1, 1, 0, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
     "task.vocab=0",
     "task.vocab >= 2"},
    {{1, 1, -5, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
     "task.vocab=-5",
     "task.vocab >= 2"},
    {{4, 3, 100, (hs_curriculum)4, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
     "task.curriculum=4",
     "none, implicit, mixed or explicit"},
    {{4, 3, 100, (hs_curriculum)-1, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
     "task.curriculum=-1",
     "none, implicit, mixed or explicit"},
    {{1000, 1001, 2000000, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
     "task.hops=1000",
     "lower task.hops or task.chains"},
    {{999999, 1, 2000000, HS_CURRICULUM_MIXED, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
     "task.chains=1",
     "<= 1000000"},
    {{2147483647, 2147483647, 5, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
     "task.chains=2147483647",
     "<= 1000000"},
    {{4, 3, 1000001, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
     "task.vocab=1000001",
     "task.vocab <= 1000000"},
    {{4, 3, 100, HS_CURRICULUM_NONE, (hs_task_kind)3, 2, 0, 0, 0, 0},
     "task.kind=3",
     "retrieval, conditional or hopk"},
    {{4, 3, 100, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, -1, 0, 0, 0},
     "task.train_examples=-1",
     "training set size >= 1"},
    {{4, 3, 100, HS_CURRICULUM_NONE, COND, 0, 0, 0, 0, 0},
     "task.relations=0",
     "1 <= task.relations <= 64"},
    {{4, 3, 100, HS_CURRICULUM_NONE, COND, 65, 0, 0, 0, 0},
     "task.relations=65",
     "1 <= task.relations <= 64"},
    {{4, 3, 14, HS_CURRICULUM_IMPLICIT, COND, 2, 0, 0, 0, 0}, "task.vocab=14", "task.vocab >= 15"},
    {{1000, 20, 30000, HS_CURRICULUM_NONE, COND, 64, 0, 0, 0, 0},
     "task.relations=64",
     "lower task.hops, task.chains or task.relations"},
};
enum { N_REFUSALS = sizeof refusals / sizeof refusals[0] };

static void test_refusal(void **state)
{
    const refusal *r = *state;
    hs_err err;
    hs_err_clear(&err);
    assert_int_equal(hs_task_check(&r->p, &err), HS_EINPUT);
    assert_int_equal(err.code, HS_EINPUT);
    print_message("%s\n", err.msg);
    assert_non_null(strstr(err.msg, r->key));
    assert_non_null(strstr(err.msg, r->fix));
    assert_null(strchr(err.msg, '\n'));
}

static void test_accepts_boundaries(void **state)
{
    (void)state;
    static const hs_task_params ok[] = {
        {1, 1, 2, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
        {1, 1, 2, HS_CURRICULUM_MIXED, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
        {4, 3, 15, HS_CURRICULUM_IMPLICIT, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
        {4, 3, 16, HS_CURRICULUM_EXPLICIT, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
        {999999, 1, 1000000, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
        {4, 3, 1000000, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        hs_err err;
        hs_err_clear(&err);
        assert_int_equal(hs_task_check(&ok[i], &err), HS_OK);
        assert_int_equal(err.code, HS_OK);
    }
    assert_int_equal(hs_task_check(&ok[0], NULL), HS_OK);
    assert_int_equal(hs_task_check(&refusals[0].p, NULL), HS_EINPUT);
}

int main(void)
{
    enum { N_FIXED = 9 };
    struct CMUnitTest tests[N_FIXED + N_REFUSALS] = {
        cmocka_unit_test(test_examples_have_every_property),
        cmocka_unit_test(test_filler_chain_keeps_length),
        cmocka_unit_test(test_supervision_follows_curriculum),
        cmocka_unit_test(test_same_seed_same_batch),
        cmocka_unit_test(test_edge_positions_are_shuffled),
        cmocka_unit_test(test_node_ids_are_uniform),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_one_relation_is_plain_retrieval),
        cmocka_unit_test(test_conditional_relation_matters),
        cmocka_unit_test(test_batch_alloc_and_free),
        cmocka_unit_test(test_accepts_boundaries),
    };
    /* One named test per refusal, so a failure says which parameters it was about. */
    static char names[N_REFUSALS][80];
    for (size_t i = 0; i < N_REFUSALS; i++) {
        snprintf(names[i], sizeof names[i], "test_refusal(%s)", refusals[i].key);
        struct CMUnitTest t = cmocka_unit_test_prestate(test_refusal, (void *)&refusals[i]);
        t.name = names[i];
        tests[N_FIXED + i] = t;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
