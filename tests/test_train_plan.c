/* test_train_plan.c — unit tests of train_plan.h: the parameter count worked out from a config
 * is the built model's for every option that changes the tensor table (task kind, positions,
 * readout, layer norm, MLP, depth), the shape is the one the trainer builds, and the cost is the
 * FLOP estimate a sweep has always ordered its queue by. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hopsweep/config.h"
#include "hopsweep/model.h"
#include "hopsweep/train_plan.h"

/* A small valid config: the defaults scaled down, then the given overrides. */
static hs_config config_of(const char *const *kv, int n)
{
    static const char *const base[] = {
        "model.d_model=16", "model.heads=2",       "model.layers=2",         "train.batch=4",
        "train.steps=40",   "train.eval_every=10", "train.eval_examples=24", "train.warmup=5"};
    hs_config c;
    hs_err err = {0};
    hs_config_default(&c);
    for (size_t i = 0; i < sizeof base / sizeof *base; i++)
        assert_int_equal(hs_config_override(&c, base[i], &err), HS_OK);
    for (int i = 0; i < n; i++) assert_int_equal(hs_config_override(&c, kv[i], &err), HS_OK);
    if (hs_config_validate(&c, &err)) fail_msg("%s", err.msg);
    return c;
}

/* The sweep's cost estimate as the coordinator computed it before the plan owned it. */
static double cost_before(const hs_config *cfg)
{
    hs_model_shape s = hs_train_plan_shape(cfg);
    double step = hs_model_step_flops(&s, cfg->train.batch);
    double eval = hs_model_step_flops(&s, cfg->train.eval_examples) / 3.0;
    double evals = cfg->train.steps / cfg->train.eval_every + 1;
    if (cfg->task.kind == HS_TASK_HOPK) evals += cfg->task.hops - cfg->task.min_hops + 1;
    return step * cfg->train.steps + eval * evals + 1.0;
}

#define CASE(...)                                                             \
    {                                                                         \
        (const char *const[]){__VA_ARGS__},                                   \
            sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *) \
    }

static const struct {
    const char *const *kv;
    size_t n;
} cases[] = {
    CASE("train.seed=0"),
    CASE("model.positions=learned"),
    CASE("model.readout=identity", "model.d_model=64"),
    CASE("model.layernorm=false"),
    CASE("model.mlp=0"),
    CASE("model.mlp=0", "model.layernorm=false", "model.layers=1"),
    CASE("model.layers=3", "model.heads=4", "model.attention=causal"),
    CASE("task.kind=conditional", "task.relations=3"),
    CASE("task.kind=conditional", "task.relations=2", "model.positions=learned"),
    CASE("task.kind=hopk", "task.letters=4", "task.length=10", "task.min_hops=1",
         "model.positions=learned", "model.attention=causal"),
    CASE("task.kind=hopk", "task.letters=3", "task.length=12", "model.readout=identity",
         "model.d_model=64", "model.positions=learned"),
    CASE("task.curriculum=explicit", "model.dropout=0.1", "train.schedule=linear"),
};

static void test_params_are_the_built_models(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hs_config c = config_of(cases[i].kv, (int)cases[i].n);
        hs_model_shape s = hs_train_plan_shape(&c);
        hs_model m;
        hs_err err = {0};
        assert_int_equal(hs_model_init(&m, &s, &err), HS_OK);
        if (hs_train_plan_params(&c) != m.n_params)
            fail_msg("case %zu (%s): the plan counts %zu parameters, the model has %zu", i,
                     cases[i].kv[0], hs_train_plan_params(&c), m.n_params);
        hs_model_free(&m);
    }
}

static void test_shape_follows_the_config(void **state)
{
    (void)state;
    const char *const kv[] = {"task.kind=conditional",   "task.relations=3",
                              "model.positions=learned", "model.readout=identity",
                              "model.d_model=64",        "model.attention=causal"};
    hs_config c = config_of(kv, 6);
    hs_model_shape s = hs_train_plan_shape(&c);
    assert_int_equal(s.vocab, c.task.vocab);
    assert_int_equal(s.d_model, 64);
    assert_int_equal(s.relations, 3);
    assert_int_equal(s.seq_len, hs_task_seq_len(&c.task));
    assert_int_equal(s.max_batch, c.train.batch);
    assert_true(s.causal);
    assert_int_equal(s.positions, HS_POSITIONS_LEARNED);
    assert_int_equal(s.readout, HS_READOUT_IDENTITY);
    /* relations only come with the conditional task */
    hs_config r = config_of(kv + 2, 4);
    assert_int_equal(hs_train_plan_shape(&r).relations, 0);
}

static void test_schedule_and_cost(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hs_config c = config_of(cases[i].kv, (int)cases[i].n);
        double want = cost_before(&c), got = hs_train_plan_cost(&c);
        assert_memory_equal(&got, &want, sizeof want);
        hs_lr_schedule s = hs_train_plan_schedule(&c);
        assert_true(s.lr == c.train.lr);
        assert_int_equal(s.warmup, c.train.warmup);
        assert_int_equal(s.steps, c.train.steps);
        assert_int_equal(s.kind, c.train.schedule == HS_SCHEDULE_LINEAR   ? HS_LR_LINEAR
                                 : c.train.schedule == HS_SCHEDULE_COSINE ? HS_LR_COSINE
                                                                          : HS_LR_CONSTANT);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params_are_the_built_models),
        cmocka_unit_test(test_shape_follows_the_config),
        cmocka_unit_test(test_schedule_and_cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
