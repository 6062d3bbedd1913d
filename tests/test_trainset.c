/* test_trainset.c — a fixed training set (task.train_examples, task.h): examples drawn from
 * (seed, index) alone, a keyed order per epoch that visits every example exactly once, an
 * evaluation set that never equals a training example, and a training run that resumes in the
 * middle of an epoch exactly as if it had not stopped. With task.train_examples = 0 nothing
 * changes: the evaluation set is hs_task_sample's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <string.h>

#include "hopsweep/config.h"
#include "hopsweep/task.h"
#include "hopsweep/train.h"

static void alloc_for(hs_batch *b, const hs_task_params *p, int B)
{
    hs_err err;
    assert_int_equal(hs_task_check(p, &err), HS_OK);
    assert_int_equal(hs_batch_alloc(b, B, hs_task_seq_len(p), p->vocab, &err), HS_OK);
}

/* Example ex of a equals example ey of b position by position, in every array. */
static int same_example(const hs_batch *a, int ex, const hs_batch *b, int ey)
{
    const size_t T = (size_t)a->T, o = ex * T, q = ey * T;
    return a->T == b->T && !memcmp(a->parent + o, b->parent + q, T * 4) &&
           !memcmp(a->child + o, b->child + q, T * 4) && !memcmp(a->rel + o, b->rel + q, T * 4) &&
           !memcmp(a->target + o, b->target + q, T * 4) && !memcmp(a->hop + o, b->hop + q, T * 4) &&
           !memcmp(a->supervised + o, b->supervised + q, T) &&
           a->query_hops[ex] == b->query_hops[ey];
}

/* The model's input of an example as a set: its edges' (parent, child, relation) sorted, then
 * the query's. Written without hs_task_example_hash, so that it checks that hash's claims. */
static void input_set(const hs_batch *b, int ex, int64_t *out)
{
    const size_t o = (size_t)ex * b->T;
    int n = b->T - 1;
    for (int t = 0; t < n; t++)
        out[t] =
            (int64_t)b->parent[o + t] * 4000000000 + (int64_t)b->child[o + t] * 64 + b->rel[o + t];
    for (int i = 1; i < n; i++) /* insertion sort: T is small */
        for (int j = i; j > 0 && out[j - 1] > out[j]; j--) {
            int64_t t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    out[n] = (int64_t)b->parent[o + n] * 4000000000 + (int64_t)b->child[o + n] * 64 + b->rel[o + n];
}

/* ---------------------------------------------------------------------------------------------
 * The order of an epoch */

/* Every example exactly once per epoch, for sizes around the Feistel network's powers of 4. */
static void test_every_example_once_per_epoch(void **state)
{
    (void)state;
    static const int64_t sizes[] = {1, 2, 3, 4, 5, 15, 16, 17, 63, 64, 65, 100, 1000, 4097, 16385};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int64_t n = sizes[s];
        int *seen = calloc((size_t)n, sizeof *seen);
        for (int64_t e = 0; e < 3; e++) {
            for (int64_t pos = 0; pos < n; pos++) {
                int64_t i = hs_trainset_order(7, n, e * n + pos);
                assert_true(i >= 0 && i < n);
                assert_int_equal(seen[i], e); /* not yet visited in this epoch */
                seen[i]++;
            }
        }
        free(seen);
    }
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The largest set the config accepts: no position repeats an index among many positions. */
static void test_largest_set_has_distinct_positions(void **state)
{
    (void)state;
    enum { M = 10000 };
    const int64_t n = HS_TRAINSET_MAX;
    int64_t *v = malloc(sizeof *v * M);
    for (int64_t g = 0; g < M; g++) {
        v[g] = hs_trainset_order(3, n, n + g * 104729); /* epoch 1, spread positions */
        assert_true(v[g] >= 0 && v[g] < n);
    }
    qsort(v, M, sizeof *v, cmp64);
    for (int g = 1; g < M; g++) assert_true(v[g] != v[g - 1]);
    free(v);
}

/* A new order every epoch and every seed, the same for the same (seed, epoch). */
static void test_orders_differ_between_epochs(void **state)
{
    (void)state;
    const int64_t n = 1000;
    for (int64_t e = 0; e < 4; e++) {
        int same_next = 0, same_seed = 0, in_place = 0;
        for (int64_t pos = 0; pos < n; pos++) {
            int64_t i = hs_trainset_order(11, n, e * n + pos);
            assert_int_equal(i, hs_trainset_order(11, n, e * n + pos));
            same_next += i == hs_trainset_order(11, n, (e + 1) * n + pos);
            same_seed += i == hs_trainset_order(12, n, e * n + pos);
            in_place += i == pos;
        }
        /* Two independent random orders agree at about one position (Poisson(1)); 10 or more
         * happen with probability ~1e-7. */
        assert_true(same_next < 10);
        assert_true(same_seed < 10);
        assert_true(in_place < 10);
    }
}

/* Each epoch's order spreads: the first tenth of an epoch holds examples from all over [0, n). */
static void test_order_is_shuffled(void **state)
{
    (void)state;
    const int64_t n = 10000;
    int bins[10] = {0};
    for (int64_t pos = 0; pos < n / 10; pos++) bins[hs_trainset_order(5, n, pos) * 10 / n]++;
    for (int k = 0; k < 10; k++) assert_true(bins[k] > 60 && bins[k] < 140); /* mean 100 */
}

/* ---------------------------------------------------------------------------------------------
 * The examples */

/* A batch at data-stream position `first` holds, slot by slot, the examples the order names,
 * each exactly as hs_trainset_example draws it alone: where it sits changes nothing. */
static void test_examples_follow_from_seed_and_index(void **state)
{
    (void)state;
    static const hs_task_params sets[] = {
        {4, 3, 15, HS_CURRICULUM_IMPLICIT, HS_TASK_RETRIEVAL, 0, 50, 0, 0, 0},
        {4, 3, 16, HS_CURRICULUM_MIXED, HS_TASK_RETRIEVAL, 0, 7, 0, 0, 0},
        {3, 2, 9, HS_CURRICULUM_EXPLICIT, HS_TASK_RETRIEVAL, 0, 20, 0, 0, 0},
        {3, 2, 8, HS_CURRICULUM_NONE, HS_TASK_CONDITIONAL, 2, 33, 0, 0, 0},
    };
    enum { B = 16 };
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        const hs_task_params *p = &sets[s];
        hs_batch b, again, one;
        alloc_for(&b, p, B);
        alloc_for(&again, p, B);
        alloc_for(&one, p, 1);
        for (int64_t first = 0; first < 5 * B; first += B) { /* crosses epoch boundaries */
            int level = 1 + (int)(first / B) % p->hops;
            hs_trainset_sample(p, 42, first, level, &b);
            hs_trainset_sample(p, 42, first, level, &again);
            for (int ex = 0; ex < B; ex++) {
                assert_true(same_example(&b, ex, &again, ex));
                int64_t i = hs_trainset_order(42, p->train_examples, first + ex);
                hs_trainset_example(p, 42, i, level, &one, 0);
                assert_true(same_example(&b, ex, &one, 0));
                int k = b.query_hops[ex];
                if (p->curriculum == HS_CURRICULUM_EXPLICIT)
                    assert_int_equal(k, level);
                else if (p->curriculum == HS_CURRICULUM_MIXED)
                    assert_true(k >= 1 && k <= p->hops);
                else
                    assert_int_equal(k, p->hops);
            }
        }
        /* A different seed, a different training set. */
        hs_trainset_example(p, 43, 0, 1, &one, 0);
        hs_trainset_example(p, 42, 0, 1, &b, 0);
        assert_false(same_example(&b, 0, &one, 0));
        hs_batch_free(&b);
        hs_batch_free(&again);
        hs_batch_free(&one);
    }
}

/* A set of N holds N examples that are (almost all) different, and examples repeat only when the
 * data stream comes round again: positions g and g + N name the same example at most at one
 * position per epoch pair, and the set of examples seen per epoch is the same. */
static void test_epochs_revisit_the_same_set(void **state)
{
    (void)state;
    const hs_task_params p = {4, 3, 64, HS_CURRICULUM_IMPLICIT, HS_TASK_RETRIEVAL, 0, 96, 0, 0, 0};
    enum { B = 32 };
    hs_batch b;
    alloc_for(&b, &p, B);
    uint64_t epoch_hash[2][96];
    for (int e = 0; e < 2; e++) {
        for (int s = 0; s < 3; s++) { /* 3 batches of 32 = one epoch */
            hs_trainset_sample(&p, 9, (int64_t)e * 96 + s * B, p.hops, &b);
            for (int ex = 0; ex < B; ex++) epoch_hash[e][s * B + ex] = hs_task_example_hash(&b, ex);
        }
        qsort(epoch_hash[e], 96, sizeof(uint64_t), cmp64);
        for (int i = 1; i < 96; i++) assert_true(epoch_hash[e][i] != epoch_hash[e][i - 1]);
    }
    assert_memory_equal(epoch_hash[0], epoch_hash[1], sizeof epoch_hash[0]);
    hs_batch_free(&b);
    assert_int_equal(hs_trainset_epochs(96, 32, 3), 1);
    assert_int_equal(hs_trainset_epochs(96, 32, 2), 0);
    assert_int_equal(hs_trainset_epochs(100, 16, 40), 6);
    assert_int_equal(hs_trainset_epochs(1, 65536, 100000000), 6553600000000);
    assert_int_equal(hs_trainset_epochs(0, 16, 40), 0);
}

/* The hash sees a set: edge order does not change it, any change of an id does. */
static void test_example_hash(void **state)
{
    (void)state;
    const hs_task_params p = {3, 2, 12, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0};
    hs_batch b;
    alloc_for(&b, &p, 2);
    hs_rng r;
    hs_rng_seed(&r, 1, HS_STREAM_DATA);
    hs_task_sample(&p, &r, NULL, &b);
    const int T = b.T;
    memcpy(b.parent + T, b.parent, sizeof(int32_t) * T);
    memcpy(b.child + T, b.child, sizeof(int32_t) * T);
    memcpy(b.rel + T, b.rel, sizeof(int32_t) * T);
    uint64_t h = hs_task_example_hash(&b, 0);
    assert_true(h == hs_task_example_hash(&b, 1));
    for (int t = 0; t + 1 < T - 1; t++) { /* swap two edges of the copy: same set */
        int32_t x = b.parent[T + t], y = b.child[T + t];
        b.parent[T + t] = b.parent[T + t + 1], b.child[T + t] = b.child[T + t + 1];
        b.parent[T + t + 1] = x, b.child[T + t + 1] = y;
    }
    assert_true(h == hs_task_example_hash(&b, 1));
    b.parent[T + T - 1] ^= 1; /* another question */
    assert_true(h != hs_task_example_hash(&b, 1));
    b.parent[T + T - 1] ^= 1;
    b.child[T] = b.child[T] == 11 ? 10 : 11; /* another edge */
    assert_true(h != hs_task_example_hash(&b, 1));
    hs_batch_free(&b);
}

/* ---------------------------------------------------------------------------------------------
 * The evaluation set */

/* No evaluation example equals, as a set, any training example, in a task small enough that
 * the same evaluation stream drawn without the check does collide; every curriculum. */
static void test_eval_disjoint_from_training(void **state)
{
    (void)state;
    static const hs_task_params sets[] = {
        /* 12 distinct examples in all; 5 of them in training */
        {1, 1, 4, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 5, 0, 0, 0},
        /* a few thousand distinct examples, 600 of them in training */
        {2, 2, 6, HS_CURRICULUM_IMPLICIT, HS_TASK_RETRIEVAL, 0, 600, 0, 0, 0},
        {2, 1, 5, HS_CURRICULUM_MIXED, HS_TASK_RETRIEVAL, 0, 12, 0, 0, 0},
        {2, 1, 5, HS_CURRICULUM_EXPLICIT, HS_TASK_RETRIEVAL, 0, 12, 0, 0, 0},
    };
    enum { E = 64 };
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        const hs_task_params *p = &sets[s];
        const int64_t n = p->train_examples;
        int32_t qh[E];
        bool varied =
            p->curriculum == HS_CURRICULUM_MIXED || p->curriculum == HS_CURRICULUM_EXPLICIT;
        for (int i = 0; i < E; i++) qh[i] = varied ? 1 + i % p->hops : p->hops;
        hs_batch ev, plain, one;
        alloc_for(&ev, p, E);
        alloc_for(&plain, p, E);
        alloc_for(&one, p, 1);
        hs_rng r, r0;
        hs_rng_seed(&r, 5, HS_STREAM_EVAL);
        hs_rng_seed(&r0, 5, HS_STREAM_EVAL);
        hs_err err;
        assert_int_equal(hs_task_sample_eval(p, 5, 1000000, &r, qh, &ev, &err), HS_OK);
        hs_task_sample(p, &r0, qh, &plain);
        int64_t a[64], c[64];
        int collisions_without = 0;
        for (int64_t i = 0; i < n; i++)
            for (int k = 1; k <= p->hops; k++) {
                if (p->curriculum != HS_CURRICULUM_EXPLICIT && k > 1) break;
                hs_trainset_example(p, 5, i, k, &one, 0);
                input_set(&one, 0, a);
                for (int ex = 0; ex < E; ex++) {
                    input_set(&ev, ex, c);
                    if (!memcmp(a, c, sizeof(int64_t) * (size_t)one.T))
                        fail_msg("set %zu: evaluation example %d equals training example %lld", s,
                                 ex, (long long)i);
                    input_set(&plain, ex, c);
                    collisions_without += !memcmp(a, c, sizeof(int64_t) * (size_t)one.T);
                }
            }
        assert_true(collisions_without > 0); /* the check had work to do */
        /* The hop counts asked stay those requested. */
        for (int ex = 0; ex < E; ex++) assert_int_equal(ev.query_hops[ex], qh[ex]);
        hs_batch_free(&ev);
        hs_batch_free(&plain);
        hs_batch_free(&one);
    }
}

/* Only the examples training can reach are left out: with fewer visits than N, the first
 * positions of epoch 0. Here 3 visits of a set of 5 leave out exactly those 3 (and the
 * evaluation set may hold the other 2). */
static void test_eval_leaves_out_only_reachable(void **state)
{
    (void)state;
    const hs_task_params p = {1, 1, 4, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 5, 0, 0, 0};
    enum { E = 200 };
    hs_batch ev, one;
    alloc_for(&ev, &p, E);
    alloc_for(&one, &p, 1);
    hs_rng r;
    hs_rng_seed(&r, 8, HS_STREAM_EVAL);
    hs_err err;
    assert_int_equal(hs_task_sample_eval(&p, 8, 3, &r, NULL, &ev, &err), HS_OK);
    for (int64_t i = 0; i < 5; i++) {
        hs_trainset_example(&p, 8, i, 1, &one, 0);
        bool reached = false;
        for (int64_t g = 0; g < 3; g++) reached |= hs_trainset_order(8, 5, g) == i;
        int64_t a[2], c[2];
        input_set(&one, 0, a);
        int hits = 0;
        for (int ex = 0; ex < E; ex++) {
            input_set(&ev, ex, c);
            hits += !memcmp(a, c, sizeof a);
        }
        if (reached) assert_int_equal(hits, 0);
    }
    hs_batch_free(&ev);
    hs_batch_free(&one);
}

/* A training set that covers every possible example leaves nothing to evaluate on: refused with
 * one line that says what to change. */
static void test_eval_impossible_is_refused(void **state)
{
    (void)state;
    const hs_task_params p = {1, 1, 2, HS_CURRICULUM_NONE, HS_TASK_RETRIEVAL, 0, 64, 0, 0, 0};
    hs_batch ev;
    alloc_for(&ev, &p, 8);
    hs_rng r;
    hs_rng_seed(&r, 0, HS_STREAM_EVAL);
    hs_err err;
    assert_int_equal(hs_task_sample_eval(&p, 0, 1000, &r, NULL, &ev, &err), HS_EINPUT);
    assert_non_null(strstr(err.msg, "task.train_examples=64"));
    assert_non_null(strstr(err.msg, "raise task.vocab"));
    assert_null(strchr(err.msg, '\n'));
    hs_batch_free(&ev);
}

/* task.train_examples = 0: the evaluation set is exactly hs_task_sample's, whatever the visits. */
static void test_fresh_examples_unchanged(void **state)
{
    (void)state;
    const hs_task_params p = {1, 1, 4, HS_CURRICULUM_IMPLICIT, HS_TASK_RETRIEVAL, 0, 0, 0, 0, 0};
    hs_batch a, b;
    alloc_for(&a, &p, 32);
    alloc_for(&b, &p, 32);
    hs_rng r1, r2;
    hs_rng_seed(&r1, 4, HS_STREAM_EVAL);
    hs_rng_seed(&r2, 4, HS_STREAM_EVAL);
    hs_err err;
    assert_int_equal(hs_task_sample_eval(&p, 4, 1000000, &r1, NULL, &a, &err), HS_OK);
    hs_task_sample(&p, &r2, NULL, &b);
    for (int ex = 0; ex < 32; ex++) assert_true(same_example(&a, ex, &b, ex));
    assert_memory_equal(r1.s, r2.s, sizeof r1.s); /* not one draw more */
    hs_batch_free(&a);
    hs_batch_free(&b);
}

/* The key: 0 by default and out of the job id there; range checked; a job id changes with it. */
static void test_config_key(void **state)
{
    (void)state;
    hs_config c, d;
    hs_config_default(&c);
    hs_config_default(&d);
    assert_int_equal(c.task.train_examples, 0);
    hs_err err;
    assert_int_equal(hs_config_set(&c, "task.train_examples", "-1", &err), HS_EINPUT);
    assert_non_null(strstr(err.msg, "task.train_examples"));
    assert_int_equal(hs_config_set(&c, "task.train_examples", "2147483648", &err), HS_EINPUT);
    assert_int_equal(hs_config_set(&c, "task.train_examples", "262144", &err), HS_OK);
    assert_int_equal(c.task.train_examples, 262144);
    assert_int_equal(hs_config_validate(&c, &err), HS_OK);
    char ic[17], id[17];
    hs_config_id(&c, ic);
    hs_config_id(&d, id);
    assert_string_not_equal(ic, id);
    assert_int_equal(hs_config_set(&c, "task.train_examples", "0", &err), HS_OK);
    hs_config_id(&c, ic);
    assert_string_equal(ic, id);
}

/* ---------------------------------------------------------------------------------------------
 * Training on a fixed set */

static hs_config small_job(int n)
{
    hs_config c;
    hs_config_default(&c);
    hs_err err;
    const char *kv[] = {"task.hops=2",        "task.chains=2",
                        "task.vocab=12",      "model.layers=1",
                        "model.d_model=16",   "model.mlp=1",
                        "train.batch=16",     "train.steps=24",
                        "train.eval_every=6", "train.eval_examples=32",
                        "train.warmup=5"};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        assert_int_equal(hs_config_override(&c, kv[i], &err), HS_OK);
    c.task.train_examples = n;
    assert_int_equal(hs_config_validate(&c, &err), HS_OK);
    return c;
}

static bool stop_at(int step, void *user) { return step == *(int *)user; }

static char *run(const hs_config *c, int stop, const void *resume, size_t resume_len,
                 hs_train_result *res)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    hs_resume_view v = {0};
    hs_err rerr = {0};
    if (resume) assert_int_equal(hs_resume_read(c, resume, resume_len, false, &v, &rerr), HS_OK);
    hs_train_opts o = {.metrics = f, .resume = resume ? &v.s : NULL};
    if (stop > 0) {
        o.on_step = stop_at;
        o.user = &stop;
    }
    hs_err err;
    assert_int_equal(hs_train_run(c, &o, res, &err), HS_OK);
    hs_resume_view_free(&v);
    fclose(f);
    return text;
}

/* Stopped at step 9 (144 examples in: the middle of the second epoch of 100) and resumed, a job
 * writes the same metrics and ends with the same results as one that never stopped. */
static void test_resume_mid_epoch(void **state)
{
    (void)state;
    hs_config c = small_job(100);
    hs_train_result whole, first, rest;
    char *m_whole = run(&c, 0, NULL, 0, &whole);
    char *m_first = run(&c, 9, NULL, 0, &first);
    assert_true(first.interrupted);
    assert_int_equal(first.steps, 9);
    char *m_rest = run(&c, 0, first.resume, first.resume_len, &rest);
    size_t n1 = strlen(m_first);
    assert_memory_equal(m_whole, m_first, n1);
    assert_string_equal(m_whole + n1, m_rest);
    assert_int_equal(rest.steps, whole.steps);
    assert_memory_equal(&rest.final_loss, &whole.final_loss, sizeof whole.final_loss);
    assert_memory_equal(rest.final_hop_acc, whole.final_hop_acc, sizeof(float) * 3);
    assert_memory_equal(rest.hop_steps, whole.hop_steps, sizeof(int) * 3);

    /* And the fixed set is what the job trained on: fresh examples give other numbers. */
    hs_config fresh = small_job(0);
    hs_train_result f;
    char *m_fresh = run(&fresh, 0, NULL, 0, &f);
    assert_string_not_equal(m_fresh, m_whole);
    free(m_whole);
    free(m_first);
    free(m_rest);
    free(m_fresh);
    hs_train_result_free(&whole);
    hs_train_result_free(&first);
    hs_train_result_free(&rest);
    hs_train_result_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_example_once_per_epoch),
        cmocka_unit_test(test_largest_set_has_distinct_positions),
        cmocka_unit_test(test_orders_differ_between_epochs),
        cmocka_unit_test(test_order_is_shuffled),
        cmocka_unit_test(test_examples_follow_from_seed_and_index),
        cmocka_unit_test(test_epochs_revisit_the_same_set),
        cmocka_unit_test(test_example_hash),
        cmocka_unit_test(test_eval_disjoint_from_training),
        cmocka_unit_test(test_eval_leaves_out_only_reachable),
        cmocka_unit_test(test_eval_impossible_is_refused),
        cmocka_unit_test(test_fresh_examples_unchanged),
        cmocka_unit_test(test_config_key),
        cmocka_unit_test(test_resume_mid_epoch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
