/* test_hopk.c — task.kind=hopk (task.h, task_hopk.c) against a naive reimplementation of the
 * peer's find and hop_k on many random sequences: every target, the "does not exist" counts per
 * k (with 4 letters and 98 of them: 98, 94, 91, 88, ... 49 defined answers at k = 0..16), the
 * chain id and index of every position, the scored mask; determinism from the seed, k uniform in
 * min_hops..hops, and a fixed training set (task.train_examples) with a disjoint evaluation set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "hopsweep/analyze_hopk.h"
#include "hopsweep/config.h"
#include "hopsweep/task.h"

/* The peer's setting: 4 letters, 98 of them, k in 0..16, vocab 30 as their embedding table. */
static hs_task_params peer(void)
{
    hs_config c;
    hs_config_default(&c);
    c.task.kind = HS_TASK_HOPK;
    c.task.hops = 16;
    c.task.vocab = 30;
    return c.task;
}

static void alloc_for(hs_batch *b, const hs_task_params *p, int B)
{
    hs_err err;
    assert_int_equal(hs_task_check(p, &err), HS_OK);
    assert_int_equal(hs_batch_alloc(b, B, hs_task_seq_len(p), p->vocab, &err), HS_OK);
}

/* The peer's find, literally: the position after the last earlier occurrence, -1 if none. */
static int naive_find(const int *x, int i)
{
    for (int j = i - 1; j >= 0; j--)
        if (x[j] == x[i]) return j + 1;
    return -1;
}

/* hop_k(i): the letter at find^k(i), or -1 for "does not exist". */
static int naive_hop(const int *x, int i, int k)
{
    for (int s = 0; s < k; s++) {
        i = naive_find(x, i);
        if (i < 0) return -1;
    }
    return x[i];
}

/* Checks example ex against the naive definitions; returns its number of defined answers. */
static int check_example(const hs_task_params *p, const hs_batch *b, int ex)
{
    const int n = p->length, L = p->letters, T = b->T;
    const size_t o = (size_t)ex * T;
    const int k = b->query_hops[ex];
    int x[1024];
    assert_true(n <= 1024);
    for (int i = 0; i < n; i++) {
        x[i] = b->parent[o + 1 + i];
        assert_true(x[i] >= 0 && x[i] < L);
        if (i) assert_int_not_equal(x[i], x[i - 1]); /* no immediate repeats */
    }
    assert_int_equal(b->parent[o], hs_hopk_k_token(p, k));
    assert_int_equal(b->target[o], hs_hopk_blank_token(p));
    assert_int_equal(b->scored[o], 0);
    assert_int_equal(b->chain[o], L);
    int defined = 0, roots = 0, root_id[1024];
    for (int i = 0; i < n; i++) {
        const size_t t = o + 1 + i;
        const int want = naive_hop(x, i, k);
        assert_int_equal(b->target[t], want < 0 ? hs_hopk_none_token(p) : want);
        assert_int_equal(b->scored[t], want >= 0);
        assert_int_equal(b->supervised[t], 1);
        assert_int_equal(b->hop[t], k);
        assert_int_equal(b->child[t], b->vocab);
        defined += want >= 0;
        /* chain: walk find to the root; ids number roots by position; index = depth + 1 */
        int r = i, depth = 0;
        for (int f; (f = naive_find(x, r)) >= 0; depth++) r = f;
        if (r == i) root_id[i] = roots++;
        assert_int_equal(b->chain[t], root_id[r]);
        assert_int_equal(b->index[t], depth + 1);
    }
    assert_true(roots <= L);
    return defined;
}

static void test_answers_match_naive(void **state)
{
    (void)state;
    hs_task_params p = peer();
    enum { B = 64, ROUNDS = 16 };
    hs_batch b;
    alloc_for(&b, &p, B);
    hs_rng r;
    hs_rng_seed(&r, 7, HS_STREAM_DATA);
    int32_t ks[B];
    long peer_counts = 0, sequences = 0;
    for (int round = 0; round < ROUNDS; round++) {
        /* every k in turn, so that each k meets many sequences */
        for (int i = 0; i < B; i++) ks[i] = (round * B + i) % (p.hops + 1);
        hs_task_sample(&p, &r, ks, &b);
        for (int ex = 0; ex < B; ex++) {
            int defined = check_example(&p, &b, ex);
            const int k = ks[ex];
            assert_int_equal(b.query_hops[ex], k);
            /* the defined answers follow from the chains: each holds max(0, len - k) of them */
            int len[8] = {0};
            for (int t = 1; t < b.T; t++) len[b.chain[(size_t)ex * b.T + t]]++;
            int from_chains = 0;
            for (int c = 0; c < p.letters; c++) from_chains += len[c] > k ? len[c] - k : 0;
            assert_int_equal(defined, from_chains);
            /* the counts: 98, 94, 91, 88, ..., 49 (position 0's chain has one member) */
            peer_counts += defined == (k == 0 ? 98 : 97 - 3 * k);
            sequences++;
        }
    }
    /* a sequence misses them only when one of its 3 long chains has <= k members (about 1 in
     * 5,000 at k = 16) */
    assert_true(peer_counts >= sequences * 99 / 100);
    hs_batch_free(&b);
}

static void test_other_alphabets_and_min_hops(void **state)
{
    (void)state;
    static const int settings[][4] = {{2, 20, 0, 5}, {3, 50, 2, 9}, {6, 200, 0, 3}, {4, 1, 0, 2}};
    for (size_t s = 0; s < sizeof settings / sizeof settings[0]; s++) {
        hs_task_params p = peer();
        p.letters = settings[s][0], p.length = settings[s][1];
        p.min_hops = settings[s][2], p.hops = settings[s][3];
        p.vocab = hs_task_min_vocab(&p);
        hs_batch b;
        alloc_for(&b, &p, 200);
        hs_rng r;
        hs_rng_seed(&r, 3 + s, HS_STREAM_DATA);
        hs_task_sample(&p, &r, NULL, &b);
        int seen[32] = {0};
        for (int ex = 0; ex < b.B; ex++) {
            check_example(&p, &b, ex);
            const int k = b.query_hops[ex];
            assert_true(k >= p.min_hops && k <= p.hops);
            seen[k] = 1;
        }
        for (int k = p.min_hops; k <= p.hops; k++) assert_int_equal(seen[k], 1);
        hs_batch_free(&b);
    }
}

static void test_deterministic_from_seed(void **state)
{
    (void)state;
    hs_task_params p = peer();
    hs_batch a, b;
    alloc_for(&a, &p, 8);
    alloc_for(&b, &p, 8);
    hs_rng ra, rb;
    hs_rng_seed(&ra, 11, HS_STREAM_DATA);
    hs_rng_seed(&rb, 11, HS_STREAM_DATA);
    hs_task_sample(&p, &ra, NULL, &a);
    hs_task_sample(&p, &rb, NULL, &b);
    const size_t n = (size_t)a.B * a.T;
    assert_memory_equal(a.parent, b.parent, n * sizeof *a.parent);
    assert_memory_equal(a.target, b.target, n * sizeof *a.target);
    hs_rng_seed(&rb, 12, HS_STREAM_DATA);
    hs_task_sample(&p, &rb, NULL, &b);
    assert_memory_not_equal(a.parent, b.parent, n * sizeof *a.parent);
    hs_batch_free(&a);
    hs_batch_free(&b);
}

/* A fixed set of 992 (the peer's 1k): example i is the same wherever it is drawn, the data
 * stream visits it in the keyed order, and the evaluation set avoids every one of them. */
static void test_train_examples(void **state)
{
    (void)state;
    hs_task_params p = peer();
    p.train_examples = 992;
    hs_batch one, batch, eval;
    alloc_for(&one, &p, 1);
    alloc_for(&batch, &p, 32);
    alloc_for(&eval, &p, 170);
    hs_trainset_sample(&p, 5, 32 * 40, 1, &batch);
    for (int ex = 0; ex < batch.B; ex++) {
        check_example(&p, &batch, ex);
        int64_t i = hs_trainset_order(5, 992, 32 * 40 + ex);
        hs_trainset_example(&p, 5, i, 1, &one, 0);
        assert_memory_equal(one.parent, batch.parent + (size_t)ex * batch.T,
                            (size_t)batch.T * sizeof *one.parent);
        assert_memory_equal(one.target, batch.target + (size_t)ex * batch.T,
                            (size_t)batch.T * sizeof *one.target);
    }
    /* epoch 2 is another order of the same 992 */
    hs_trainset_sample(&p, 5, 992 * 2, 1, &batch);
    hs_trainset_example(&p, 5, hs_trainset_order(5, 992, 992 * 2), 1, &one, 0);
    assert_memory_equal(one.parent, batch.parent, (size_t)batch.T * sizeof *one.parent);

    hs_rng r;
    hs_rng_seed(&r, 5, HS_STREAM_EVAL);
    int32_t ks[170];
    for (int i = 0; i < 170; i++) ks[i] = i % 17;
    hs_err err;
    assert_int_equal(hs_task_sample_eval(&p, 5, 100000, &r, ks, &eval, &err), HS_OK);
    for (int ex = 0; ex < eval.B; ex++) {
        assert_int_equal(eval.query_hops[ex], ex % 17);
        const uint64_t h = hs_task_example_hash(&eval, ex);
        for (int64_t i = 0; i < 992; i++) {
            hs_trainset_example(&p, 5, i, 1, &one, 0);
            assert_true(hs_task_example_hash(&one, 0) != h);
        }
    }
    /* the hash of a sequence depends on the order of its letters */
    hs_trainset_example(&p, 5, 0, 1, &one, 0);
    const uint64_t h0 = hs_task_example_hash(&one, 0);
    int32_t tmp = one.parent[1];
    one.parent[1] = one.parent[3];
    one.parent[3] = tmp;
    assert_true(hs_task_example_hash(&one, 0) != h0);
    hs_batch_free(&one);
    hs_batch_free(&batch);
    hs_batch_free(&eval);
}

/* The reach `analyze` reports: the largest k with every k' <= k (from min_hops) under the bound. */
static void test_reach(void **state)
{
    (void)state;
    const double e[] = {0.0, 0.002, 0.009, 0.03, 0.004, 0.2};
    assert_int_equal(hs_k_reach(e, 6, 0, 0.01), 2); /* k = 4 is under again, but k = 3 is not */
    assert_int_equal(hs_k_reach(e, 6, 0, 0.05), 4);
    assert_int_equal(hs_k_reach(e, 6, 0, 1.0), 5);
    assert_int_equal(hs_k_reach(e, 6, 3, 0.01), -1); /* the smallest k is not under */
    assert_int_equal(hs_k_reach(e, 6, 4, 0.01), 4);
    const double n[] = {0.0, NAN, 0.0};
    assert_int_equal(hs_k_reach(n, 3, 0, 0.01), 0); /* not measured is not under */
    assert_int_equal(hs_k_reach(e, 0, 0, 0.01), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers_match_naive),
        cmocka_unit_test(test_other_alphabets_and_min_hops),
        cmocka_unit_test(test_deterministic_from_seed),
        cmocka_unit_test(test_train_examples),
        cmocka_unit_test(test_reach),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
