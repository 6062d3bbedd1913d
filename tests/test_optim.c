/* test_optim.c — the learning-rate schedule, gradient clipping and one AdamW update against a
 * hand computation, and the bf16 shadow it leaves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hopsweep/ops.h"
#include "hopsweep/optim.h"
#include "hopsweep/train.h"

static void test_schedule(void **state)
{
    hs_lr_schedule s = {.lr = 1e-3, .warmup = 10, .steps = 110, .kind = HS_LR_COSINE};
    assert_float_equal(hs_lr_at(s, 0), 1e-4, 1e-9); /* warm-up is linear from lr/warmup */
    assert_float_equal(hs_lr_at(s, 4), 5e-4, 1e-9);
    assert_float_equal(hs_lr_at(s, 10), 1e-3, 1e-9); /* the peak right after warm-up */
    assert_float_equal(hs_lr_at(s, 60), 5e-4, 1e-8); /* half-way through the decay */
    assert_true(hs_lr_at(s, 109) < 1e-6);            /* and close to 0 at the end */
    s.kind = HS_LR_CONSTANT;
    assert_float_equal(hs_lr_at(s, 100), 1e-3, 1e-9);
    s.warmup = 0;
    assert_float_equal(hs_lr_at(s, 0), 1e-3, 1e-9);
}

static void test_clip(void **state)
{
    float g[4] = {3, 4, 0, 0};
    assert_float_equal(hs_clip_grad_norm(g, 4, 0.0f), 5.0f, 1e-6); /* 0 = off */
    assert_float_equal(g[0], 3.0f, 0);
    assert_float_equal(hs_clip_grad_norm(g, 4, 10.0f), 5.0f, 1e-6); /* below the limit */
    assert_float_equal(g[1], 4.0f, 0);
    assert_float_equal(hs_clip_grad_norm(g, 4, 1.0f), 5.0f, 1e-6);
    assert_float_equal(g[0], 0.6f, 1e-6);
    assert_float_equal(g[1], 0.8f, 1e-6);
}

/* One AdamW step: a matrix (decayed) and a bias (not decayed) against the formulas. */
static void test_adamw(void **state)
{
    hs_model_shape s = {.vocab = 3,
                        .d_model = 2,
                        .heads = 1,
                        .layers = 1,
                        .mlp = 0,
                        .layernorm = false,
                        .seq_len = 2,
                        .max_batch = 1};
    hs_model m;
    assert_int_equal(hs_model_init(&m, &s, NULL), HS_OK);
    hs_adamw opt;
    assert_int_equal(hs_adamw_init(&opt, m.n_params, NULL), HS_OK);
    for (size_t i = 0; i < m.n_params; i++) {
        m.params[i] = 1.0f;
        m.grads[i] = 0.5f;
    }
    float lr = 0.1f, wd = 0.2f;
    hs_adamw_step(&opt, &m, lr, wd);
    /* first step: m̂ = g, v̂ = g², so the update is lr·g/(|g| + eps) = lr */
    const hs_tensor *w = hs_model_find_tensor(&m, "out.w"), *b = hs_model_find_tensor(&m, "out.b");
    assert_float_equal(m.params[w->offset], 1.0f * (1 - lr * wd) - lr, 1e-6);
    assert_float_equal(m.params[b->offset], 1.0f - lr, 1e-6);
    hs_adamw_free(&opt);
    hs_model_free(&m);
}

/* At bf16 the step leaves the weights' shadow rounded from the updated weights, over more than
 * one of its chunks, so that the next forward may skip its own rounding pass; that forward
 * takes the shadow as current once only. */
static void test_adamw_shadow(void **state)
{
    if (!hs_gemm_bf16_supported(NULL)) skip();
    hs_model_shape s = {.vocab = 64,
                        .d_model = 64,
                        .heads = 2,
                        .layers = 1,
                        .mlp = 4,
                        .layernorm = true,
                        .seq_len = 4,
                        .max_batch = 1,
                        .precision = HS_PRECISION_BF16};
    hs_model m;
    assert_int_equal(hs_model_init(&m, &s, NULL), HS_OK);
    assert_true(m.n_params > 3 * 4096);
    hs_adamw opt;
    assert_int_equal(hs_adamw_init(&opt, m.n_params, NULL), HS_OK);
    for (size_t i = 0; i < m.n_params; i++) {
        m.params[i] = 0.01f * (float)(i % 97) - 0.3f;
        m.grads[i] = 0.001f * (float)(i % 89) - 0.04f;
    }
    assert_false(m.params_h_current);
    hs_adamw_step(&opt, &m, 0.01f, 0.1f);
    assert_true(m.params_h_current);
    hs_bf16 *want = calloc(m.n_params, sizeof *want);
    hs_bf16_from_f32(want, m.params, m.n_params);
    assert_memory_equal(m.params_h, want, m.n_params * sizeof *want);
    int32_t ids[4] = {1, 2, 3, 4};
    hs_model_forward(&m, 1, ids, ids, NULL, NULL, NULL);
    assert_false(m.params_h_current);
    free(want);
    hs_adamw_free(&opt);
    hs_model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule),
        cmocka_unit_test(test_clip),
        cmocka_unit_test(test_adamw),
        cmocka_unit_test(test_adamw_shadow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
