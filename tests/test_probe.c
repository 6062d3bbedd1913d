/* test_probe.c — head probes (probe.h, DESIGN §1.2): roles of heads whose attention is forced
 * to known offsets (written directly, and through a real model with hand-set weights), the
 * averaging rule of each bin, inconsistent input and the role names. Emergence, which reads the
 * probes' history, is test_emergence.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "hopsweep/model.h"
#include "hopsweep/probe.h"
#include "hopsweep/rng.h"
#include "hopsweep/task.h"

/* ---- attention written directly ----------------------------------------------------------- */

/* What a forced head does with one row. */
typedef enum {
    AT_OFFSET,    /* all weight on the position of the row's chain at index i+delta, else self */
    AT_SELF,      /* all weight on itself */
    AT_OTHER,     /* spread evenly over positions of other chains, the query excluded */
    AT_QUERY,     /* rows of other chains: all on the query; chain 0 and the query: self */
    AT_QUERY_ALL, /* all weight on the query, from every row */
    AT_UNIFORM,   /* 1/T everywhere */
} rule_kind;

typedef struct {
    rule_kind kind;
    int delta;
} rule;

/* Position of (c, i) in example row arrays ch/ix of length T, -1 when absent. */
static int find_pos(const int32_t *ch, const int32_t *ix, int T, int c, int i)
{
    for (int j = 0; j < T; j++)
        if (ch[j] == c && ix[j] == i) return j;
    return -1;
}

static void fill_row(float *row, rule r, const int32_t *ch, const int32_t *ix, int T, int t)
{
    const int q = T - 1;
    memset(row, 0, sizeof *row * (size_t)T);
    switch (r.kind) {
    case AT_OFFSET: {
        int j = find_pos(ch, ix, T, ch[t], ix[t] + r.delta);
        row[j >= 0 ? j : t] = 1.0f;
        break;
    }
    case AT_SELF: row[t] = 1.0f; break;
    case AT_QUERY: row[ch[t] != 0 ? q : t] = 1.0f; break;
    case AT_QUERY_ALL: row[q] = 1.0f; break;
    case AT_UNIFORM:
        for (int j = 0; j < T; j++) row[j] = 1.0f / (float)T;
        break;
    case AT_OTHER: {
        int n = 0;
        for (int j = 0; j < T; j++) n += ch[j] != ch[t] && j != q;
        assert_true(n > 0);
        for (int j = 0; j < T; j++)
            if (ch[j] != ch[t] && j != q) row[j] = 1.0f / (float)n;
        break;
    }
    }
}

/* att[l] = [B][H][T][T] following rules[l*H + h] for every example of b. */
static float **forced_attention(const hs_batch *b, int L, int H, const rule *rules)
{
    const int T = b->T;
    float **att = calloc((size_t)L, sizeof *att);
    assert_non_null(att);
    for (int l = 0; l < L; l++) {
        att[l] = calloc((size_t)b->B * H * T * T, sizeof **att);
        assert_non_null(att[l]);
        for (int ex = 0; ex < b->B; ex++)
            for (int h = 0; h < H; h++)
                for (int t = 0; t < T; t++)
                    fill_row(att[l] + (((size_t)ex * H + h) * T + t) * T, rules[l * H + h],
                             b->chain + (size_t)ex * T, b->index + (size_t)ex * T, T, t);
    }
    return att;
}

static void free_attention(float **att, int L)
{
    for (int l = 0; l < L; l++) free(att[l]);
    free(att);
}

static void sample(hs_batch *b, const hs_task_params *tp, int B, const int32_t *hops, uint64_t seed)
{
    assert_int_equal(hs_batch_alloc(b, B, hs_task_seq_len(tp), tp->vocab, NULL), HS_OK);
    hs_rng rng;
    hs_rng_seed(&rng, seed, HS_STREAM_DATA);
    hs_task_sample(tp, &rng, hops, b);
}

static void assert_role(const hs_head_role *r, int layer, int head, const char *name, double score)
{
    char buf[32];
    hs_probe_role_name(r->layer, r->bin, buf, sizeof buf);
    assert_int_equal(r->layer, layer);
    assert_int_equal(r->head, head);
    assert_string_equal(buf, name);
    assert_float_equal(r->score, score, 1e-6);
}

enum { L2 = 2, H4 = 4, H5 = 5 };
static const rule forced_rules[L2 * H5] = {
    {AT_OFFSET, -1}, {AT_OFFSET, +1}, {AT_SELF, 0},  {AT_OTHER, 0},   {AT_QUERY_ALL, 0},
    {AT_OFFSET, -3}, {AT_OFFSET, +3}, {AT_QUERY, 0}, {AT_UNIFORM, 0}, {AT_OFFSET, +2},
};

/* Every query asks D = 4 hops, C = 3 chains: T = 13, each example alike, so every average is
 * a known fraction. */
static void test_forced_roles(void **state)
{
    const hs_task_params tp = {
        .hops = 4, .chains = 3, .vocab = 15, .curriculum = HS_CURRICULUM_NONE};
    hs_batch b;
    sample(&b, &tp, 8, NULL, 11);
    float **att = forced_attention(&b, L2, H5, forced_rules);
    hs_probe p;
    assert_int_equal(hs_probe_init(&p, L2, H5, tp.hops, NULL), HS_OK);
    assert_int_equal(p.n_bins, 2 * 4 + 3);
    hs_probe_add(&p, (const float *const *)att, b.B, b.T, b.chain, b.index);
    hs_head_role roles[L2 * H5];
    hs_probe_roles(&p, roles);

    assert_role(&roles[0], 1, 0, "L1:-1", 1.0);
    assert_role(&roles[1], 1, 1, "L1:+1", 1.0);
    assert_role(&roles[2], 1, 2, "L1:self", 1.0);
    /* 8 other-chain positions per row, 1/8 on each: "other" is a mean per position */
    assert_role(&roles[3], 1, 3, "L1:other", 1.0 / 8.0);
    assert_role(&roles[5], 2, 0, "L2:-3", 1.0);
    assert_role(&roles[6], 2, 1, "L2:+3", 1.0);
    /* the 8 edges of chains 1 and 2 put all on the query, chain 0's 4 edges count 0 there */
    assert_role(&roles[7], 2, 2, "L2:query", 8.0 / 12.0);
    /* uniform: 1/13 on every position, so "other" (a mean per position) is no larger than
     * any offset and the tie goes to the lowest bin — a head that attends to nothing in
     * particular gets a low score whatever its role, instead of a high one for "other" */
    assert_float_equal(roles[8].score, 1.0 / 13.0, 1e-6);
    assert_float_equal(hs_probe_value(&p, 1, 3, HS_PROBE_OTHER), 1.0 / 13.0, 1e-6);
    assert_role(&roles[9], 2, 4, "L2:+2", 1.0);

    /* -1 head: the 3 first edges have no -1 and attend themselves; 12 positions besides the
     * query average self. Averaging -1 over all 13 rows would give 10/13, not 1. */
    assert_float_equal(hs_probe_value(&p, 0, 0, HS_PROBE_SELF), 3.0 / 12.0, 1e-9);
    assert_float_equal(hs_probe_value(&p, 0, 0, +1), 0.0, 0.0);
    /* +1 head: the last edges of chains 1, 2 attend themselves; chain 0's last edge attends
     * the query (+1), and the query (no +1) attends itself but is not averaged into self */
    assert_float_equal(hs_probe_value(&p, 0, 1, HS_PROBE_SELF), 2.0 / 12.0, 1e-9);
    assert_float_equal(hs_probe_value(&p, 0, 1, HS_PROBE_QUERY), 0.0, 0.0);
    /* query head: chain 0's rows attend themselves, 4 of the 12 */
    assert_float_equal(hs_probe_value(&p, 1, 2, HS_PROBE_SELF), 4.0 / 12.0, 1e-9);
    assert_float_equal(hs_probe_value(&p, 1, 2, +1), 0.0, 0.0);
    /* every row on the query: chain 0's edge i lands at offset 5-i. Offset +4 exists only for
     * chain 0's first edge, which attends the query, so +4 scores 1 and beats the query bin
     * (8/12): averaging over existing offsets favours the rare long ones. +1 exists for 10
     * rows (4 of chain 0, 3 of each other chain), +3 for 4 (2 of chain 0, 1 of each other). */
    assert_role(&roles[4], 1, 4, "L1:+4", 1.0);
    assert_float_equal(hs_probe_value(&p, 0, 4, HS_PROBE_QUERY), 8.0 / 12.0, 1e-9);
    assert_float_equal(hs_probe_value(&p, 0, 4, +1), 1.0 / 10.0, 1e-9);
    assert_float_equal(hs_probe_value(&p, 0, 4, +3), 1.0 / 4.0, 1e-9);
    assert_float_equal(hs_probe_value(&p, 0, 4, HS_PROBE_SELF), 0.0, 0.0);
    /* uniform: any offset is 1/13, and the query bin has 1/13 from 8 of 12 rows */
    assert_float_equal(hs_probe_value(&p, 1, 3, -4), 1.0 / 13.0, 1e-6);
    assert_float_equal(hs_probe_value(&p, 1, 3, +2), 1.0 / 13.0, 1e-6);
    assert_float_equal(hs_probe_value(&p, 1, 3, HS_PROBE_SELF), 1.0 / 13.0, 1e-6);
    assert_float_equal(hs_probe_value(&p, 1, 3, HS_PROBE_QUERY), 8.0 / 12.0 / 13.0, 1e-6);
    /* other head: the other-chain mass is all there is */
    assert_float_equal(hs_probe_value(&p, 0, 3, HS_PROBE_SELF), 0.0, 0.0);
    assert_float_equal(hs_probe_value(&p, 0, 3, -1), 0.0, 0.0);

    hs_probe_free(&p);
    free_attention(att, L2);
    hs_batch_free(&b);
}

/* Conditional retrieval, 2 relations: offsets run along each position's own relation, and the
 * other relation's edges, on the same nodes, are "other". D = 4, C = 3: T = 25, and every row
 * has 20 positions of other chains besides the query. */
static void test_forced_roles_conditional(void **state)
{
    const hs_task_params tp = {.hops = 4,
                               .chains = 3,
                               .vocab = 15,
                               .curriculum = HS_CURRICULUM_NONE,
                               .kind = HS_TASK_CONDITIONAL,
                               .relations = 2};
    hs_batch b;
    sample(&b, &tp, 8, NULL, 13);
    assert_int_equal(b.T, 25);
    float **att = forced_attention(&b, L2, H5, forced_rules);
    hs_probe p;
    assert_int_equal(hs_probe_init(&p, L2, H5, tp.hops, NULL), HS_OK);
    hs_probe_add(&p, (const float *const *)att, b.B, b.T, b.chain, b.index);
    hs_head_role roles[L2 * H5];
    hs_probe_roles(&p, roles);
    assert_role(&roles[0], 1, 0, "L1:-1", 1.0);
    assert_role(&roles[1], 1, 1, "L1:+1", 1.0);
    assert_role(&roles[2], 1, 2, "L1:self", 1.0);
    assert_role(&roles[3], 1, 3, "L1:other", 1.0 / 20.0);
    assert_role(&roles[5], 2, 0, "L2:-3", 1.0);
    assert_role(&roles[6], 2, 1, "L2:+3", 1.0);
    /* the 20 edges outside chain 0 put all on the query, chain 0's 4 edges count 0 there */
    assert_role(&roles[7], 2, 2, "L2:query", 20.0 / 24.0);
    assert_role(&roles[9], 2, 4, "L2:+2", 1.0);
    hs_probe_free(&p);
    free_attention(att, L2);
    hs_batch_free(&b);
}

/* The mixed curriculum: query hops 1..4, a filler chain takes the rest. Existence comes from
 * each example's own arrays, so the forced heads still score exactly 1. */
static void test_forced_roles_mixed(void **state)
{
    const hs_task_params tp = {
        .hops = 4, .chains = 3, .vocab = 16, .curriculum = HS_CURRICULUM_MIXED};
    enum { B = 12 };
    int32_t hops[B];
    for (int i = 0; i < B; i++) hops[i] = 1 + i % 4;
    hs_batch b;
    sample(&b, &tp, B, hops, 5);
    float **att = forced_attention(&b, L2, H5, forced_rules);
    hs_probe p;
    assert_int_equal(hs_probe_init(&p, L2, H5, tp.hops, NULL), HS_OK);
    hs_probe_add(&p, (const float *const *)att, b.B, b.T, b.chain, b.index);
    hs_head_role roles[L2 * H5];
    hs_probe_roles(&p, roles);
    assert_role(&roles[0], 1, 0, "L1:-1", 1.0);
    assert_role(&roles[1], 1, 1, "L1:+1", 1.0);
    assert_role(&roles[2], 1, 2, "L1:self", 1.0);
    /* other: rows split one unit over differing numbers of other-chain positions */
    assert_int_equal(roles[3].bin, HS_PROBE_OTHER);
    assert_true(roles[3].score > 0.05f && roles[3].score < 0.5f);
    assert_role(&roles[5], 2, 0, "L2:-3", 1.0);
    assert_role(&roles[6], 2, 1, "L2:+3", 1.0);
    assert_role(&roles[9], 2, 4, "L2:+2", 1.0);
    /* -1 head: one first edge per chain with edges (chain 0, chains 1-2, the filler when k < 4) */
    double firsts = 0, rows = 0;
    for (int i = 0; i < B; i++) {
        firsts += 3 + (hops[i] < 4);
        rows += b.T - 1;
    }
    assert_float_equal(hs_probe_value(&p, 0, 0, HS_PROBE_SELF), firsts / rows, 1e-9);
    hs_probe_free(&p);
    free_attention(att, L2);
    hs_batch_free(&b);
}

/* Several hs_probe_add calls are one evaluation; reset starts the next. */
static void test_batches_add_up(void **state)
{
    const hs_task_params tp = {
        .hops = 4, .chains = 3, .vocab = 16, .curriculum = HS_CURRICULUM_MIXED};
    enum { B = 8 };
    int32_t hops[B];
    for (int i = 0; i < B; i++) hops[i] = 1 + i % 4;
    hs_batch b;
    sample(&b, &tp, B, hops, 9);
    const rule rules[L2 * H4] = {
        {AT_UNIFORM, 0}, {AT_OFFSET, -2}, {AT_OTHER, 0}, {AT_QUERY, 0},
        {AT_OFFSET, +2}, {AT_UNIFORM, 0}, {AT_SELF, 0},  {AT_OFFSET, -4},
    };
    float **att = forced_attention(&b, L2, H4, rules);
    hs_probe whole, split;
    assert_int_equal(hs_probe_init(&whole, L2, H4, tp.hops, NULL), HS_OK);
    assert_int_equal(hs_probe_init(&split, L2, H4, tp.hops, NULL), HS_OK);
    hs_probe_add(&whole, (const float *const *)att, B, b.T, b.chain, b.index);

    /* the second half starts 3 examples in: att of a B-example layout, read as 5 examples */
    const size_t T = (size_t)b.T, first = 3;
    float *tail[L2];
    for (int l = 0; l < L2; l++) tail[l] = att[l] + first * H4 * T * T;
    for (int round = 0; round < 2; round++) {
        hs_probe_reset(&split);
        hs_probe_add(&split, (const float *const *)att, (int)first, b.T, b.chain, b.index);
        hs_probe_add(&split, (const float *const *)tail, B - (int)first, b.T, b.chain + first * T,
                     b.index + first * T);
        for (int l = 0; l < L2; l++)
            for (int h = 0; h < H4; h++)
                for (int bin = -5; bin <= 5; bin++) {
                    int bb = bin == -5  ? HS_PROBE_SELF
                             : bin == 0 ? HS_PROBE_OTHER
                             : bin == 5 ? HS_PROBE_QUERY
                                        : bin;
                    assert_float_equal(hs_probe_value(&split, l, h, bb),
                                       hs_probe_value(&whole, l, h, bb), 1e-12);
                }
    }
    hs_head_role roles[L2 * H4];
    hs_probe_roles(&split, roles);
    assert_role(&roles[1], 1, 1, "L1:-2", 1.0);
    assert_role(&roles[4], 2, 0, "L2:+2", 1.0);
    /* -4 exists only for the query of a 4-hop example; every other row attends itself, so
     * self is 1 too and the tie goes to the offset, the lower bin */
    assert_role(&roles[7], 2, 3, "L2:-4", 1.0);
    assert_float_equal(hs_probe_value(&split, 1, 3, HS_PROBE_SELF), 1.0, 0.0);

    /* after a reset with nothing added, every bin is 0 */
    hs_probe_reset(&split);
    assert_float_equal(hs_probe_value(&split, 0, 0, -1), 0.0, 0.0);
    hs_probe_roles(&split, roles);
    assert_role(&roles[0], 1, 0, "L1:-4", 0.0);

    hs_probe_free(&whole);
    hs_probe_free(&split);
    free_attention(att, L2);
    hs_batch_free(&b);
}

/* Garbage chain and index arrays: nothing is written out of bounds (ASan watches), and every
 * value stays a mean of weights in [0, 1]. */
static void test_inconsistent_input(void **state)
{
    enum { B = 6, T = 9, H = 2, D = 3 };
    int32_t chain[B * T], index[B * T];
    const int32_t wild[] = {INT_MIN, -7, -1, 0, 1, 2, 3, 4, 5, 9, INT_MAX};
    hs_rng rng;
    hs_rng_seed(&rng, 3, HS_STREAM_DATA);
    for (int i = 0; i < B * T; i++) {
        chain[i] = (int32_t)hs_rng_below(&rng, 4) - 1;
        index[i] = wild[hs_rng_below(&rng, sizeof wild / sizeof wild[0])];
    }
    float *a = malloc(sizeof *a * B * H * T * T);
    assert_non_null(a);
    for (int i = 0; i < B * H * T * T; i++) a[i] = hs_rng_uniform(&rng) / T;
    const float *att[1] = {a};
    hs_probe p;
    assert_int_equal(hs_probe_init(&p, 1, H, D, NULL), HS_OK);
    hs_probe_add(&p, att, B, T, chain, index);
    for (int h = 0; h < H; h++)
        for (int bin = -D; bin <= D; bin++) {
            if (bin == 0) continue;
            double v = hs_probe_value(&p, 0, h, bin);
            assert_true(v >= 0.0 && v <= 1.0);
        }
    hs_head_role roles[H];
    hs_probe_roles(&p, roles);
    for (int h = 0; h < H; h++) {
        assert_true(roles[h].score >= 0.0f && roles[h].score <= 1.0f);
        assert_false(isnan(hs_probe_value(&p, 0, h, roles[h].bin)));
    }
    /* degenerate calls change nothing */
    hs_probe_add(&p, att, 0, T, chain, index);
    hs_probe_add(&p, NULL, B, T, chain, index);
    hs_probe_free(&p);
    free(a);
}

static void test_init_and_values(void **state)
{
    hs_probe p;
    hs_err err;
    assert_int_equal(hs_probe_init(&p, 0, 2, 3, &err), HS_EINPUT);
    assert_non_null(strstr(err.msg, "0 layers"));
    assert_null(p.mass);
    assert_int_equal(hs_probe_init(&p, 2, 2, 0, &err), HS_EINPUT);
    assert_int_equal(hs_probe_init(&p, 2, 2, INT_MAX, &err), HS_EINPUT);
    assert_non_null(strstr(err.msg, "too large"));
    hs_probe_free(&p); /* zeroed: safe */

    assert_int_equal(hs_probe_init(&p, 2, 3, 2, NULL), HS_OK);
    assert_int_equal(p.n_bins, 7);
    assert_true(isnan(hs_probe_value(&p, 2, 0, -1)));
    assert_true(isnan(hs_probe_value(&p, -1, 0, -1)));
    assert_true(isnan(hs_probe_value(&p, 0, 3, -1)));
    assert_true(isnan(hs_probe_value(&p, 0, 0, 0)));
    assert_true(isnan(hs_probe_value(&p, 0, 0, -3)));
    assert_true(isnan(hs_probe_value(&p, 0, 0, 3)));
    assert_true(isnan(hs_probe_value(&p, 0, 0, -999)));
    assert_float_equal(hs_probe_value(&p, 1, 2, +2), 0.0, 0.0);
    assert_float_equal(hs_probe_value(&p, 1, 2, HS_PROBE_QUERY), 0.0, 0.0);
    hs_probe_free(&p);
    hs_probe_free(&p);
}

static void test_role_names(void **state)
{
    char buf[32];
    hs_probe_role_name(2, -3, buf, sizeof buf);
    assert_string_equal(buf, "L2:-3");
    hs_probe_role_name(1, 1, buf, sizeof buf);
    assert_string_equal(buf, "L1:+1");
    hs_probe_role_name(4, 27, buf, sizeof buf);
    assert_string_equal(buf, "L4:+27");
    hs_probe_role_name(1, HS_PROBE_SELF, buf, sizeof buf);
    assert_string_equal(buf, "L1:self");
    hs_probe_role_name(3, HS_PROBE_OTHER, buf, sizeof buf);
    assert_string_equal(buf, "L3:other");
    hs_probe_role_name(12, HS_PROBE_QUERY, buf, sizeof buf);
    assert_string_equal(buf, "L12:query");
    char small[4] = "xyz";
    hs_probe_role_name(2, HS_PROBE_OTHER, small, sizeof small);
    assert_string_equal(small, "L2:");
    hs_probe_role_name(2, HS_PROBE_OTHER, small, 0); /* no room: untouched */
    assert_string_equal(small, "L2:");
}

/* ---- attention through the real model ----------------------------------------------------- */

static void set_w(hs_model *m, const char *name, int row, int col, float v)
{
    const hs_tensor *t = hs_model_find_tensor(m, name);
    assert_non_null(t);
    assert_true(row < t->shape[0] && (t->ndim == 1 || col < t->shape[1]));
    m->params[t->offset + (size_t)row * (t->ndim == 2 ? t->shape[1] : 1) + col] = v;
}

/* One layer, no LayerNorm, two heads of d_head 8 over d_model 16. Node v is one-hot: dims 0..7
 * carry the parent, 8..15 the child (the query's marker row of emb.chi stays 0). Head 0 asks
 * with its parent and keys by child: score s/sqrt(8) where a position's parent is the other's
 * child — the edge one back along the chain (-1). Head 1 swaps the two: +1. Other scores are
 * 0, so with s = 40 a match outweighs each of the 6 others by e^14. */
static void test_real_model_roles(void **state)
{
    enum { V = 8, D = 3, C = 2, DM = 16, DH = 8 };
    const hs_task_params tp = {
        .hops = D, .chains = C, .vocab = V, .curriculum = HS_CURRICULUM_NONE};
    const int T = hs_task_seq_len(&tp);
    hs_batch b;
    sample(&b, &tp, 16, NULL, 21);
    hs_model_shape s = {.vocab = V,
                        .d_model = DM,
                        .heads = 2,
                        .layers = 1,
                        .mlp = 0,
                        .layernorm = false,
                        .causal = false,
                        .seq_len = T,
                        .max_batch = b.B};
    hs_model m;
    assert_int_equal(hs_model_init(&m, &s, NULL), HS_OK);
    assert_null(hs_model_find_tensor(&m, "blocks.0.ln1.w")); /* scores read x directly */
    const float scale = 40.0f;
    for (int v = 0; v < V; v++) {
        set_w(&m, "emb.par", v, v, 1.0f);
        set_w(&m, "emb.chi", v, DH + v, 1.0f);
    }
    for (int r = 0; r < DH; r++) {
        set_w(&m, "blocks.0.attn.wq", r, r, scale);           /* head 0: query = parent */
        set_w(&m, "blocks.0.attn.wk", r, DH + r, 1.0f);       /*         key = child */
        set_w(&m, "blocks.0.attn.wq", DH + r, DH + r, scale); /* head 1: query = child */
        set_w(&m, "blocks.0.attn.wk", DH + r, r, 1.0f);       /*         key = parent */
    }
    hs_model_forward(&m, b.B, b.parent, b.child, b.rel, NULL, NULL);

    /* sanity of the construction: edge 2 of chain 1 in example 0 looks at edge 1 */
    const float *a0 = hs_model_attention(&m, 0);
    int t2 = find_pos(b.chain, b.index, T, 1, 2), t1 = find_pos(b.chain, b.index, T, 1, 1);
    assert_true(a0[(size_t)t2 * T + t1] > 0.99f);

    hs_probe p;
    assert_int_equal(hs_probe_init(&p, 1, 2, D, NULL), HS_OK);
    const float *att[1] = {a0};
    hs_probe_add(&p, att, b.B, T, b.chain, b.index);
    hs_head_role roles[2];
    hs_probe_roles(&p, roles);
    char name[32];
    hs_probe_role_name(roles[0].layer, roles[0].bin, name, sizeof name);
    assert_string_equal(name, "L1:-1");
    assert_true(roles[0].score > 0.9f);
    hs_probe_role_name(roles[1].layer, roles[1].bin, name, sizeof name);
    assert_string_equal(name, "L1:+1");
    assert_true(roles[1].score > 0.9f);
    assert_true(roles[0].score > 0.999f && roles[1].score > 0.999f);
    /* Rows without a match score 0 everywhere and spread 1/7 over all positions. Of the 5 rows
     * with a +1, the first edges of chains 0 and 1 are such rows for head 0: 2/35; of the 5
     * with a -1, the query and chain 1's last edge are for head 1: 2/35. */
    assert_float_equal(hs_probe_value(&p, 0, 0, +1), 2.0 / 35.0, 1e-4);
    assert_float_equal(hs_probe_value(&p, 0, 1, -1), 2.0 / 35.0, 1e-4);
    hs_probe_free(&p);
    hs_model_free(&m);
    hs_batch_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forced_roles),
        cmocka_unit_test(test_forced_roles_mixed),
        cmocka_unit_test(test_forced_roles_conditional),
        cmocka_unit_test(test_batches_add_up),
        cmocka_unit_test(test_inconsistent_input),
        cmocka_unit_test(test_init_and_values),
        cmocka_unit_test(test_role_names),
        cmocka_unit_test(test_real_model_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
