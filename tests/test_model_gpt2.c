/* test_model_gpt2.c — the model options the peer's GPT-2 needs (model.h): learned positions,
 * dropout and the identity readout, each checked by finite differences on tiny models (dropout
 * with its masks held fixed across the differences), and the rules around them: evaluation
 * passes never drop, p = 0 drops nothing, a training pass drops about p of the values, and the
 * tensor table gains emb.pos and loses out.w, out.b as DESIGN §3 documents. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hopsweep/model.h"
#include "hopsweep/ops_gpt2.h"
#include "fd_fixture.h"

#define EPS 1e-2f
#define TOL 5e-3

enum { B = 2, T = 5, V = 6 };

typedef struct {
    int32_t parent[B * T], child[B * T], rel[B * T], target[B * T];
    uint8_t sup[B * T];
} toy_batch;

static void toy(toy_batch *b, hs_rng *rng)
{
    for (int i = 0; i < B * T; i++) {
        b->parent[i] = (int32_t)hs_rng_below(rng, V);
        b->child[i] = (int32_t)hs_rng_below(rng, V + 1);
        b->rel[i] = 0;
        b->target[i] = (int32_t)hs_rng_below(rng, V);
        b->sup[i] = (uint8_t)(hs_rng_below(rng, 3) != 0);
    }
}

static hs_model_shape shape(int mlp, bool layernorm, hs_positions pos, float p, hs_readout ro)
{
    return (hs_model_shape){.vocab = V,
                            .d_model = 8,
                            .heads = 2,
                            .layers = 2,
                            .mlp = mlp,
                            .layernorm = layernorm,
                            .causal = true,
                            .seq_len = T,
                            .max_batch = 3,
                            .positions = pos,
                            .dropout = p,
                            .readout = ro};
}

/* A forward pass; with dropout, a training pass whose masks are the same every call. */
static double loss_of(hs_model *m, const void *batch)
{
    const toy_batch *b = batch;
    hs_rng drop;
    hs_rng_seed(&drop, 99, 5);
    m->drop_rng = m->shape.dropout > 0.0f ? &drop : NULL;
    double loss = hs_model_forward(m, B, b->parent, b->child, b->rel, b->target, b->sup);
    m->drop_rng = NULL;
    return loss;
}

static void gradcheck(hs_model_shape s)
{
    hs_model m;
    hs_err err;
    assert_int_equal(hs_model_init(&m, &s, &err), HS_OK);
    hs_rng rng;
    hs_rng_seed(&rng, 7, 0);
    for (size_t i = 0; i < m.n_params; i++) m.params[i] = 0.5f * hs_rng_normal(&rng);
    toy_batch b;
    toy(&b, &rng);
    hs_model_zero_grad(&m);
    loss_of(&m, &b);
    assert_int_equal(m.dropped, s.dropout > 0.0f);
    hs_model_backward(&m);
    /* every other parameter: a tenth of a second per check at these sizes, and every tensor
     * still has several entries checked */
    fd_result r = fd_check(&m, loss_of, &b, 2, EPS);
    if (r.rel > TOL)
        fail_msg("mlp %d ln %d positions %d dropout %g readout %d: worst relative error %.3g in %s",
                 s.mlp, s.layernorm, s.positions, s.dropout, s.readout, r.rel, r.where);
    const hs_tensor *pos = hs_model_find_tensor(&m, "emb.pos");
    if (s.positions == HS_POSITIONS_LEARNED) {
        assert_non_null(pos);
        double sum = 0.0;
        for (size_t i = 0; i < pos->numel; i++) sum += fabs(m.grads[pos->offset + i]);
        assert_true(sum > 0.0);
    }
    hs_model_free(&m);
}

static void test_grad_positions(void **state)
{
    (void)state;
    gradcheck(shape(0, false, HS_POSITIONS_LEARNED, 0.0f, HS_READOUT_LINEAR));
}

static void test_grad_identity_readout(void **state)
{
    (void)state;
    gradcheck(shape(0, false, HS_POSITIONS_NONE, 0.0f, HS_READOUT_IDENTITY));
}

static void test_grad_dropout(void **state)
{
    (void)state;
    gradcheck(shape(0, true, HS_POSITIONS_NONE, 0.3f, HS_READOUT_LINEAR));
    /* all three, as the peer's model has them (with LayerNorm and the MLP) */
    gradcheck(shape(2, true, HS_POSITIONS_LEARNED, 0.1f, HS_READOUT_IDENTITY));
}

/* Evaluation passes never drop; a training pass at p = 0 is an evaluation pass; at p > 0 it
 * changes the loss and drops about p of the attention weights. */
static void test_dropout_training_only(void **state)
{
    (void)state;
    hs_model_shape s0 = shape(2, true, HS_POSITIONS_LEARNED, 0.0f, HS_READOUT_IDENTITY);
    hs_model_shape s1 = shape(2, true, HS_POSITIONS_LEARNED, 0.5f, HS_READOUT_IDENTITY);
    hs_model m0, m1;
    hs_err err;
    assert_int_equal(hs_model_init(&m0, &s0, &err), HS_OK);
    assert_int_equal(hs_model_init(&m1, &s1, &err), HS_OK);
    assert_int_equal(m0.n_params, m1.n_params);
    hs_rng rng;
    hs_rng_seed(&rng, 3, 0);
    hs_model_init_weights(&m0, &rng);
    memcpy(m1.params, m0.params, m0.n_params * sizeof(float));
    toy_batch b;
    toy(&b, &rng);
    float e0 = hs_model_forward(&m0, B, b.parent, b.child, b.rel, b.target, b.sup);
    float e1 = hs_model_forward(&m1, B, b.parent, b.child, b.rel, b.target, b.sup);
    assert_false(m1.dropped);
    assert_memory_equal(&e0, &e1, sizeof e0);
    assert_memory_equal(m0.probs, m1.probs, (size_t)B * T * m0.n_out * sizeof(float));
    assert_float_equal(loss_of(&m0, &b), e0, 0.0);
    assert_false(m0.dropped);
    double t1 = loss_of(&m1, &b);
    assert_true(m1.dropped);
    assert_true(fabs(t1 - e1) > 1e-6);
    /* a mask: 0 or 1/(1-p), about p of them 0 */
    float mask[4000];
    size_t zeros = 0;
    hs_dropout_mask(mask, 4000, 0.25f, &rng);
    for (size_t i = 0; i < 4000; i++) {
        assert_true(mask[i] == 0.0f || fabsf(mask[i] - 4.0f / 3.0f) < 1e-6f);
        zeros += mask[i] == 0.0f;
    }
    assert_true(zeros > 900 && zeros < 1100);
    hs_model_free(&m0);
    hs_model_free(&m1);
}

static void test_tensor_table(void **state)
{
    (void)state;
    hs_model_shape s = shape(2, true, HS_POSITIONS_LEARNED, 0.1f, HS_READOUT_IDENTITY);
    hs_model m;
    hs_err err;
    assert_int_equal(hs_model_init(&m, &s, &err), HS_OK);
    const hs_tensor *pos = hs_model_find_tensor(&m, "emb.pos");
    assert_non_null(pos);
    assert_int_equal(pos->ndim, 2);
    assert_int_equal(pos->shape[0], T);
    assert_int_equal(pos->shape[1], 8);
    assert_true(pos->decay);
    assert_null(hs_model_find_tensor(&m, "out.w"));
    assert_null(hs_model_find_tensor(&m, "out.b"));
    assert_int_equal(m.n_out, 8);
    hs_model_free(&m);
    s = shape(2, true, HS_POSITIONS_NONE, 0.0f, HS_READOUT_LINEAR);
    assert_int_equal(hs_model_init(&m, &s, &err), HS_OK);
    assert_null(hs_model_find_tensor(&m, "emb.pos"));
    assert_non_null(hs_model_find_tensor(&m, "out.w"));
    assert_null(m.drop);
    hs_model_free(&m);
    /* refused: identity with d_model < vocab, dropout 1 */
    s = shape(2, true, HS_POSITIONS_NONE, 0.0f, HS_READOUT_IDENTITY);
    s.vocab = 9;
    assert_int_equal(hs_model_init(&m, &s, &err), HS_EINPUT);
    s = shape(2, true, HS_POSITIONS_NONE, 1.0f, HS_READOUT_LINEAR);
    assert_int_equal(hs_model_init(&m, &s, &err), HS_EINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grad_positions), cmocka_unit_test(test_grad_identity_readout),
        cmocka_unit_test(test_grad_dropout),   cmocka_unit_test(test_dropout_training_only),
        cmocka_unit_test(test_tensor_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
