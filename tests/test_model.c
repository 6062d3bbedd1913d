/* test_model.c — the whole model: finite-difference gradient checks on tiny configurations
 * (attention-only, MLP, causal, bidirectional, without LayerNorm, with a relation table), the
 * parameter table against
 * DESIGN §3's names and shapes, and the attention maps left for probes. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hopsweep/model.h"
#include "fd_fixture.h"

#define EPS 1e-2f
#define TOL 5e-3

typedef struct {
    int B, T, V;
    int32_t parent[32], child[32], rel[32], target[32];
    uint8_t sup[32];
} toy_batch;

/* R = 0: no relations (rel stays all 0, as a plain retrieval batch has it). */
static void toy(toy_batch *b, hs_rng *rng, int B, int T, int V, int R)
{
    b->B = B, b->T = T, b->V = V;
    for (int i = 0; i < B * T; i++) {
        b->parent[i] = (int32_t)hs_rng_below(rng, (uint32_t)V);
        b->child[i] = (int32_t)hs_rng_below(rng, (uint32_t)V + 1);
        b->rel[i] = R ? (int32_t)hs_rng_below(rng, (uint32_t)R) : 0;
        b->target[i] = (int32_t)hs_rng_below(rng, (uint32_t)V);
        b->sup[i] = (uint8_t)(hs_rng_below(rng, 3) != 0);
    }
}

static double forward_loss(hs_model *m, const void *batch)
{
    const toy_batch *b = batch;
    return hs_model_forward(m, b->B, b->parent, b->child, b->rel, b->target, b->sup);
}

static void gradcheck(int layers, int heads, int mlp, bool layernorm, bool causal, int relations)
{
    hs_model_shape s = {.vocab = 6,
                        .d_model = 8,
                        .heads = heads,
                        .layers = layers,
                        .mlp = mlp,
                        .relations = relations,
                        .layernorm = layernorm,
                        .causal = causal,
                        .seq_len = 5,
                        .max_batch = 3};
    hs_model m;
    hs_err err;
    assert_int_equal(hs_model_init(&m, &s, &err), HS_OK);
    hs_rng rng;
    hs_rng_seed(&rng, 7, 0);
    /* large weights and non-trivial biases and gains so every path carries gradient */
    for (size_t i = 0; i < m.n_params; i++) m.params[i] = 0.5f * hs_rng_normal(&rng);
    toy_batch b;
    toy(&b, &rng, 2, s.seq_len, s.vocab, relations);

    hs_model_zero_grad(&m);
    hs_model_forward(&m, b.B, b.parent, b.child, b.rel, b.target, b.sup);
    hs_model_backward(&m);

    fd_result r = fd_check(&m, forward_loss, &b, 1, EPS);
    if (r.rel > TOL)
        fail_msg("layers %d heads %d mlp %d ln %d causal %d relations %d: worst relative error "
                 "%.3g in %s",
                 layers, heads, mlp, layernorm, causal, relations, r.rel, r.where);
    /* every tensor receives some gradient (only the unused rows of the embeddings may not) */
    for (int t = 0; t < m.n_tensors; t++) {
        double sum = 0.0;
        for (size_t i = 0; i < m.tensors[t].numel; i++)
            sum += fabs(m.grads[m.tensors[t].offset + i]);
        if (sum == 0.0) fail_msg("%s has no gradient", m.tensors[t].name);
    }
    hs_model_free(&m);
}

static void test_grad_mlp(void **state) { gradcheck(2, 2, 2, true, false, 0); }
static void test_grad_attention_only(void **state) { gradcheck(2, 2, 0, true, false, 0); }
static void test_grad_causal(void **state) { gradcheck(2, 2, 2, true, true, 0); }
static void test_grad_causal_attention_only(void **state) { gradcheck(1, 1, 0, true, true, 0); }
static void test_grad_no_layernorm(void **state) { gradcheck(2, 2, 2, false, false, 0); }
static void test_grad_no_layernorm_attention_only(void **state)
{
    gradcheck(3, 4, 0, false, false, 0);
}
/* The conditional task's emb.rel: its gradient is checked like every other tensor's, and the
 * "every tensor receives gradient" check covers each of its rows being used by the toy batch. */
static void test_grad_relations(void **state) { gradcheck(2, 2, 2, true, false, 3); }
static void test_grad_relations_attention_only(void **state)
{
    gradcheck(1, 2, 0, false, false, 2);
}

static void test_tensor_table(void **state)
{
    hs_model_shape s = {.vocab = 10,
                        .d_model = 16,
                        .heads = 4,
                        .layers = 2,
                        .mlp = 3,
                        .layernorm = true,
                        .seq_len = 7,
                        .max_batch = 2};
    hs_model m;
    assert_int_equal(hs_model_init(&m, &s, NULL), HS_OK);
    struct {
        const char *name;
        int ndim, r, c;
    } want[] = {
        {"emb.par", 2, 10, 16},         {"emb.chi", 2, 11, 16},
        {"blocks.0.ln1.w", 1, 16, 0},   {"blocks.1.attn.wq", 2, 16, 16},
        {"blocks.1.attn.bv", 1, 16, 0}, {"blocks.0.attn.wo", 2, 16, 16},
        {"blocks.0.mlp.w1", 2, 48, 16}, {"blocks.0.mlp.w2", 2, 16, 48},
        {"blocks.1.ln2.b", 1, 16, 0},   {"lnf.w", 1, 16, 0},
        {"out.w", 2, 10, 16},           {"out.b", 1, 10, 0},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const hs_tensor *t = hs_model_find_tensor(&m, want[i].name);
        if (!t) fail_msg("missing tensor %s", want[i].name);
        assert_int_equal(t->ndim, want[i].ndim);
        assert_int_equal(t->shape[0], want[i].r);
        if (want[i].ndim == 2) assert_int_equal(t->shape[1], want[i].c);
    }
    /* the tensors tile the parameter buffer exactly */
    size_t next = 0;
    for (int t = 0; t < m.n_tensors; t++) {
        assert_int_equal(m.tensors[t].offset, next);
        next += m.tensors[t].numel;
    }
    assert_int_equal(next, m.n_params);
    /* wq|wk|wv form one [3d][d] block, as the fused QKV product needs */
    assert_int_equal(hs_model_find_tensor(&m, "blocks.0.attn.wk")->offset,
                     hs_model_find_tensor(&m, "blocks.0.attn.wq")->offset + 256);
    assert_null(hs_model_find_tensor(&m, "blocks.2.attn.wq"));
    hs_model_free(&m);

    s.layernorm = false;
    s.mlp = 0;
    assert_int_equal(hs_model_init(&m, &s, NULL), HS_OK);
    assert_null(hs_model_find_tensor(&m, "lnf.w"));
    assert_null(hs_model_find_tensor(&m, "blocks.0.ln1.w"));
    assert_null(hs_model_find_tensor(&m, "blocks.0.mlp.w1"));
    assert_non_null(hs_model_find_tensor(&m, "blocks.1.attn.wo"));
    hs_model_free(&m);

    /* Relations add emb.rel [R][d] right after emb.chi and nothing else. */
    size_t plain = 0;
    assert_int_equal(hs_model_init(&m, &s, NULL), HS_OK);
    plain = m.n_params;
    hs_model_free(&m);
    s.relations = 3;
    assert_int_equal(hs_model_init(&m, &s, NULL), HS_OK);
    const hs_tensor *rel = hs_model_find_tensor(&m, "emb.rel");
    assert_non_null(rel);
    assert_int_equal(rel->shape[0], 3);
    assert_int_equal(rel->shape[1], 16);
    assert_true(rel->decay);
    assert_int_equal(rel->offset, hs_model_find_tensor(&m, "emb.chi")->offset + 11 * 16);
    assert_int_equal(m.n_params, plain + 3 * 16);
    assert_ptr_equal(m.p.emb_rel, m.params + rel->offset);
    hs_model_free(&m);
}

/* p starts on a 64-byte boundary, and so does its twin in a bf16 shadow of the same offsets. */
static void assert_block(const float *base, const float *p)
{
    if (!p) return;
    assert_int_equal((uintptr_t)base % 64, 0);
    assert_int_equal((size_t)(p - base) % 32, 0);
}

/* Every product operand starts on a 64-byte boundary: the buffers, every activation slice, and
 * (d_model a multiple of 32) every parameter tensor; T = 10 makes unrounded slices fall off. */
static void test_operands_aligned(void **state)
{
    (void)state;
    hs_model_shape s = {.vocab = 20,
                        .d_model = 64,
                        .heads = 2,
                        .layers = 2,
                        .mlp = 4,
                        .layernorm = true,
                        .seq_len = 10,
                        .max_batch = 3};
    hs_model m;
    assert_int_equal(hs_model_init(&m, &s, NULL), HS_OK);
    for (int t = 0; t < m.n_tensors; t++) {
        assert_block(m.params, m.params + m.tensors[t].offset);
        assert_block(m.grads, m.grads + m.tensors[t].offset);
    }
    for (int l = 0; l < s.layers; l++) {
        const hs_layer_acts *a = &m.la[l];
        const float *slices[] = {a->x,        a->ln1,  a->ln1_mean, a->ln1_rstd, a->qkv,
                                 a->att,      a->atty, a->x_mid,    a->ln2,      a->ln2_mean,
                                 a->ln2_rstd, a->pre,  a->gelu,     a->x_out};
        for (size_t i = 0; i < sizeof slices / sizeof slices[0]; i++)
            assert_block(m.acts, slices[i]);
    }
    assert_block(m.acts, m.qkv_rows);
    assert_block(m.acts, m.heads);
    assert_block(m.acts, m.lnf);
    assert_block(m.acts, m.logits);
    assert_block(m.acts, m.probs);
    assert_int_equal((uintptr_t)m.scratch % 64, 0);
    hs_model_free(&m);
}

static void test_bad_shape(void **state)
{
    hs_model_shape s = {
        .vocab = 10, .d_model = 10, .heads = 4, .layers = 1, .seq_len = 3, .max_batch = 1};
    hs_model m;
    hs_err err;
    assert_int_equal(hs_model_init(&m, &s, &err), HS_EINPUT);
    assert_non_null(strstr(err.msg, "multiple of heads"));
}

/* The attention maps of the last forward stay readable, one [B][H][T][T] block per layer. */
static void test_attention_kept(void **state)
{
    hs_model_shape s = {.vocab = 6,
                        .d_model = 8,
                        .heads = 2,
                        .layers = 2,
                        .mlp = 1,
                        .layernorm = true,
                        .seq_len = 5,
                        .max_batch = 3};
    hs_model m;
    assert_int_equal(hs_model_init(&m, &s, NULL), HS_OK);
    hs_rng rng;
    hs_rng_seed(&rng, 3, 0);
    hs_model_init_weights(&m, &rng);
    toy_batch b;
    toy(&b, &rng, 3, 5, 6, 0);
    hs_model_forward(&m, 3, b.parent, b.child, NULL, b.target, b.sup);
    for (int l = 0; l < 2; l++) {
        const float *a = hs_model_attention(&m, l);
        for (int row = 0; row < 3 * 2 * 5; row++) {
            double sum = 0.0;
            for (int j = 0; j < 5; j++) sum += a[row * 5 + j];
            assert_float_equal(sum, 1.0, 1e-5);
        }
    }
    hs_model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grad_mlp),
        cmocka_unit_test(test_grad_attention_only),
        cmocka_unit_test(test_grad_causal),
        cmocka_unit_test(test_grad_causal_attention_only),
        cmocka_unit_test(test_grad_no_layernorm),
        cmocka_unit_test(test_grad_no_layernorm_attention_only),
        cmocka_unit_test(test_grad_relations),
        cmocka_unit_test(test_grad_relations_attention_only),
        cmocka_unit_test(test_tensor_table),
        cmocka_unit_test(test_operands_aligned),
        cmocka_unit_test(test_bad_shape),
        cmocka_unit_test(test_attention_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
