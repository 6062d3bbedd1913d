/* test_task.c — the retrieval task sampler and its parameter checks (DESIGN §1.1, task.h).
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

static const hs_task_params param_sets[] = {
    {1, 1, 2, HS_CURRICULUM_NONE},      {1, 1, 2, HS_CURRICULUM_IMPLICIT},
    {1, 5, 10, HS_CURRICULUM_MIXED},    {2, 1, 4, HS_CURRICULUM_MIXED},
    {4, 3, 15, HS_CURRICULUM_NONE},     {4, 3, 15, HS_CURRICULUM_IMPLICIT},
    {4, 3, 16, HS_CURRICULUM_MIXED},    {4, 3, 16, HS_CURRICULUM_EXPLICIT},
    {13, 2, 100, HS_CURRICULUM_IMPLICIT}, {7, 4, 1000, HS_CURRICULUM_MIXED},
    {40, 3, 200, HS_CURRICULUM_EXPLICIT}, {5, 1, 6, HS_CURRICULUM_NONE},
};
enum { N_PARAM_SETS = sizeof param_sets / sizeof param_sets[0] };

static int chain_len(const hs_task_params *p, int k, int c)
{
    return c == 0 ? k : c < p->chains ? p->hops : p->hops - k;
}

/* Asserts every property of example ex, whose query asks k hops. */
static void check_example(const hs_task_params *p, const hs_batch *b, int ex, int k)
{
    const int D = p->hops, C = p->chains, V = p->vocab, T = b->T;
    assert_int_equal(T, C * D + 1);
    assert_int_equal(b->query_hops[ex], k);
    const size_t o = (size_t)ex * T;

    /* (chain, index) -> position: every edge of every chain exactly once, nothing else. */
    int *pos_of = malloc(sizeof *pos_of * (size_t)(C + 1) * (D + 2));
    for (int i = 0; i < (C + 1) * (D + 2); i++)
        pos_of[i] = -1;
    for (int t = 0; t < T - 1; t++) {
        const int c = b->chain[o + t], i = b->index[o + t];
        assert_true(c >= 0 && c <= C);
        assert_true(i >= 1 && i <= chain_len(p, k, c));
        assert_int_equal(pos_of[c * (D + 2) + i], -1);
        pos_of[c * (D + 2) + i] = t;
        assert_true(b->child[o + t] >= 0 && b->child[o + t] < V);
        assert_int_equal(b->hop[o + t], i - 1);
        assert_int_equal(b->supervised[o + t], p->curriculum == HS_CURRICULUM_IMPLICIT);
    }

    /* Each chain is a path from its root, and no node id appears in two places. */
    char *seen = calloc((size_t)V, 1);
    int n_nodes = 0;
    for (int c = 0; c <= C; c++) {
        const int len = chain_len(p, k, c);
        if (len == 0)
            continue;
        const int32_t root = b->parent[o + pos_of[c * (D + 2) + 1]];
        assert_true(root >= 0 && root < V);
        assert_false(seen[root]);
        seen[root] = 1;
        n_nodes++;
        for (int i = 1; i <= len; i++) {
            const int t = pos_of[c * (D + 2) + i];
            assert_true(t >= 0);
            if (i > 1)
                assert_int_equal(b->parent[o + t], b->child[o + pos_of[c * (D + 2) + i - 1]]);
            assert_int_equal(b->target[o + t], root);
            assert_false(seen[b->child[o + t]]);
            seen[b->child[o + t]] = 1;
            n_nodes++;
        }
    }
    assert_true(n_nodes <= V);

    /* The query, last: the edge (x_k -> marker V) of chain 0. */
    const size_t q = o + (size_t)T - 1;
    assert_int_equal(b->child[q], V);
    assert_int_equal(b->parent[q], b->child[o + pos_of[0 * (D + 2) + k]]);
    assert_int_equal(b->target[q], b->parent[o + pos_of[0 * (D + 2) + 1]]);
    assert_int_equal(b->hop[q], k);
    assert_int_equal(b->chain[q], 0);
    assert_int_equal(b->index[q], k + 1);
    assert_int_equal(b->supervised[q], 1);
    free(seen);
    free(pos_of);
}

/* The query hop counts a trainer would pass: NULL for none/implicit, uniform for mixed, one
 * level for explicit. */
static const int32_t *pick_query_hops(const hs_task_params *p, hs_rng *r, int level, int32_t *buf,
                                      int B)
{
    if (p->curriculum == HS_CURRICULUM_MIXED)
        for (int i = 0; i < B; i++)
            buf[i] = 1 + (int32_t)hs_rng_below(r, (uint32_t)p->hops);
    else if (p->curriculum == HS_CURRICULUM_EXPLICIT)
        for (int i = 0; i < B; i++)
            buf[i] = level;
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
            for (int ex = 0; ex < B; ex++)
                check_example(p, &b, ex, qh ? qh[ex] : p->hops);
        }
        hs_batch_free(&b);
    }
}

static void test_filler_chain_keeps_length(void **state)
{
    (void)state;
    const hs_task_params p = {4, 3, 16, HS_CURRICULUM_MIXED};
    const int32_t ks[] = {1, 2, 3, 4};
    hs_batch b;
    alloc_for(&b, &p, 4);
    hs_rng r;
    hs_rng_seed(&r, 1, HS_STREAM_DATA);
    hs_task_sample(&p, &r, ks, &b);
    for (int ex = 0; ex < 4; ex++) {
        int per_chain[5] = {0};
        for (int t = 0; t < b.T - 1; t++)
            per_chain[b.chain[ex * b.T + t]]++;
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
        const hs_task_params p = {3, 2, 9, (hs_curriculum)c};
        hs_batch b;
        alloc_for(&b, &p, 8);
        hs_rng r;
        hs_rng_seed(&r, 2, HS_STREAM_DATA);
        hs_task_sample(&p, &r, NULL, &b);
        for (int ex = 0; ex < 8; ex++) {
            int n = 0;
            for (int t = 0; t < b.T; t++)
                n += b.supervised[ex * b.T + t];
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
           !memcmp(a->target, b->target, n) && !memcmp(a->hop, b->hop, n) &&
           !memcmp(a->chain, b->chain, n) && !memcmp(a->index, b->index, n) &&
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
    const hs_task_params p = {4, 3, 40, HS_CURRICULUM_MIXED};
    const int32_t ks[8] = {1, 4, 2, 3, 4, 1, 2, 3};
    hs_batch a, b;
    alloc_for(&a, &p, 8);
    alloc_for(&b, &p, 8);
    sample_seeded(&p, 77, ks, &a);
    /* Earlier examples leave scratch in some state; the result must not depend on it. */
    for (int v = 0; v < p.vocab; v++)
        b.scratch[v] = p.vocab - 1 - v;
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
    const hs_task_params p = {D, C, 15, HS_CURRICULUM_NONE};
    hs_batch b;
    alloc_for(&b, &p, B);
    sample_seeded(&p, 5, NULL, &b);
    static long count[C][D + 1][EDGES];
    for (int ex = 0; ex < B; ex++)
        for (int t = 0; t < EDGES; t++)
            count[b.chain[ex * b.T + t]][b.index[ex * b.T + t]][t]++;
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
    const hs_task_params p = {2, 2, V, HS_CURRICULUM_IMPLICIT};
    hs_batch b;
    alloc_for(&b, &p, B);
    sample_seeded(&p, 6, NULL, &b);
    long count[V] = {0};
    for (int ex = 0; ex < B; ex++)
        count[b.target[ex * b.T + b.T - 1]]++;
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
    const hs_task_params none = {4, 3, 0, HS_CURRICULUM_NONE};
    const hs_task_params implicit = {4, 3, 0, HS_CURRICULUM_IMPLICIT};
    const hs_task_params mixed = {4, 3, 0, HS_CURRICULUM_MIXED};
    const hs_task_params explicit1 = {1, 3, 0, HS_CURRICULUM_EXPLICIT};
    const hs_task_params huge = {2000000000, 2000000000, 0, HS_CURRICULUM_MIXED};
    assert_int_equal(hs_task_seq_len(&none), 13);
    assert_int_equal(hs_task_min_vocab(&none), 15);
    assert_int_equal(hs_task_min_vocab(&implicit), 15);
    assert_int_equal(hs_task_min_vocab(&mixed), 16);
    assert_int_equal(hs_task_min_vocab(&explicit1), 6); /* hops 1: never a filler chain */
    assert_int_equal(hs_task_seq_len(&huge), 2147483647);
    assert_int_equal(hs_task_min_vocab(&huge), 2147483647);
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
    {{0, 3, 100, HS_CURRICULUM_NONE}, "task.hops=0", "task.hops >= 1"},
    {{-2, 3, 100, HS_CURRICULUM_IMPLICIT}, "task.hops=-2", "task.hops >= 1"},
    {{4, 0, 100, HS_CURRICULUM_NONE}, "task.chains=0", "task.chains >= 1"},
    {{4, -1, 100, HS_CURRICULUM_MIXED}, "task.chains=-1", "task.chains >= 1"},
    {{4, 3, 10, HS_CURRICULUM_NONE}, "task.vocab=10", "task.vocab >= 15"},
    {{4, 3, 14, HS_CURRICULUM_IMPLICIT}, "task.vocab=14", "task.vocab >= 15"},
    {{4, 3, 15, HS_CURRICULUM_MIXED}, "task.vocab=15", "task.vocab >= 16"},
    {{4, 3, 15, HS_CURRICULUM_EXPLICIT}, "task.vocab=15", "task.vocab >= 16"},
    {{1, 1, 0, HS_CURRICULUM_NONE}, "task.vocab=0", "task.vocab >= 2"},
    {{1, 1, -5, HS_CURRICULUM_NONE}, "task.vocab=-5", "task.vocab >= 2"},
    {{4, 3, 100, (hs_curriculum)4}, "task.curriculum=4", "none, implicit, mixed or explicit"},
    {{4, 3, 100, (hs_curriculum)-1}, "task.curriculum=-1", "none, implicit, mixed or explicit"},
    {{1000, 1001, 2000000, HS_CURRICULUM_NONE}, "task.hops=1000", "lower task.hops or task.chains"},
    {{999999, 1, 2000000, HS_CURRICULUM_MIXED}, "task.chains=1", "<= 1000000"},
    {{2147483647, 2147483647, 5, HS_CURRICULUM_NONE}, "task.chains=2147483647", "<= 1000000"},
    {{4, 3, 1000001, HS_CURRICULUM_NONE}, "task.vocab=1000001", "task.vocab <= 1000000"},
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
        {1, 1, 2, HS_CURRICULUM_NONE},
        {1, 1, 2, HS_CURRICULUM_MIXED},
        {4, 3, 15, HS_CURRICULUM_IMPLICIT},
        {4, 3, 16, HS_CURRICULUM_EXPLICIT},
        {999999, 1, 1000000, HS_CURRICULUM_NONE},
        {4, 3, 1000000, HS_CURRICULUM_NONE},
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
