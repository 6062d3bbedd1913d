/* test_config_check.c — unit tests of config_check.c: the cross-key rules of hs_config_validate
 * (task sizes through hs_task_check, relations only for the conditional task, heads dividing
 * d_model, probe and evaluation sizes, tensor sizes), each refusal one line that names the keys
 * and what would work. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hopsweep/config.h"

#include "config_fixture.h"

/* ---------------------------------------------------------------------------------------------
 * Bad input: cross-key validation */

static void test_bad_task_sizes(void **state)
{
    (void)state;
    hs_config c;
    hs_config_default(&c);
    hs_err e;
    assert_int_equal(hs_config_override(&c, "task.hops=10", &e), HS_OK);
    assert_int_equal(hs_config_override(&c, "task.chains=10", &e), HS_OK);
    assert_int_equal(hs_config_override(&c, "task.vocab=20", &e), HS_OK);
    assert_int_equal(hs_config_validate(&c, &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, "task.vocab=20");

    hs_config_default(&c);
    c.task.hops = 2000000000;
    c.task.chains = 3;
    assert_int_equal(hs_config_validate(&c, &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, "task.hops=2000000000");
}

/* task.relations means something only for the conditional task; a plain job refuses it. */
static void test_bad_relations_without_conditional(void **state)
{
    (void)state;
    hs_config c;
    hs_config_default(&c);
    hs_err e;
    assert_int_equal(hs_config_override(&c, "task.relations=3", &e), HS_OK);
    assert_int_equal(hs_config_validate(&c, &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, "task.relations=3 applies only to task.kind=conditional");
    assert_int_equal(hs_config_override(&c, "task.kind=conditional", &e), HS_OK);
    assert_int_equal(hs_config_validate(&c, &e), HS_OK);
    assert_int_equal(hs_config_override(&c, "task.relations=65", &e), HS_EINPUT);
    assert_has(e.msg, "task.relations");
    assert_int_equal(hs_config_override(&c, "task.kind=conditionl", &e), HS_EINPUT);
    assert_has(e.msg, "retrieval|conditional");
    /* a conditional job with R relations needs R times the edges: the vocab check still holds */
    assert_int_equal(hs_config_override(&c, "task.vocab=14", &e), HS_OK);
    assert_int_equal(hs_config_override(&c, "task.chains=3", &e), HS_OK);
    assert_int_equal(hs_config_validate(&c, &e), HS_EINPUT);
    assert_has(e.msg, "task.vocab=14");
}

static void test_bad_heads_divide_d_model(void **state)
{
    (void)state;
    hs_config c;
    hs_config_default(&c);
    hs_err e;
    assert_int_equal(hs_config_override(&c, "model.d_model=30", &e), HS_OK);
    assert_int_equal(hs_config_override(&c, "model.heads=4", &e), HS_OK);
    assert_int_equal(hs_config_validate(&c, &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, "model.d_model=30 must be a multiple of model.heads=4");
    assert_has(e.msg, "try model.d_model=32 or model.heads=3");
    c.model.d_model = 4095;
    c.model.heads = 64;
    assert_int_equal(hs_config_validate(&c, &e), HS_EINPUT);
    assert_has(e.msg, "try model.d_model=4096 or model.heads=63");
    c.model.heads = 10; /* the next multiple, 4100, is past model.d_model's limit */
    assert_int_equal(hs_config_validate(&c, &e), HS_EINPUT);
    assert_has(e.msg, "model.d_model=4095 must be a multiple of model.heads=10; try model.heads=9");
    c.model.d_model = 4096;
    c.model.heads = 64;
    assert_int_equal(hs_config_validate(&c, &e), HS_OK);
}

static void test_bad_probe_and_eval_sizes(void **state)
{
    (void)state;
    hs_config c;
    hs_config_default(&c);
    hs_err e;
    assert_int_equal(hs_config_override(&c, "log.probe_examples=100", &e), HS_OK);
    assert_int_equal(hs_config_override(&c, "train.eval_examples=50", &e), HS_OK);
    assert_int_equal(hs_config_validate(&c, &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, "log.probe_examples=100 exceeds train.eval_examples=50");

    hs_config_default(&c);
    c.log.attention_every = 10;
    c.log.probe_examples = 0;
    assert_int_equal(hs_config_validate(&c, &e), HS_EINPUT);
    assert_has(e.msg, "log.attention_every=10");

    /* warmup beyond steps is allowed (the schedule simply never finishes warming up) */
    hs_config_default(&c);
    c.train.warmup = 10 * c.train.steps;
    assert_int_equal(hs_config_validate(&c, &e), HS_OK);
}

static void test_bad_tensor_too_large(void **state)
{
    (void)state;
    hs_config c;
    hs_config_default(&c);
    hs_err e;
    c.task.hops = 1000;
    c.task.chains = 100; /* T = 100001 */
    c.task.vocab = 200000;
    assert_int_equal(hs_config_validate(&c, &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, "T=100001");
    assert_has(e.msg, "train.batch");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_task_sizes),
        cmocka_unit_test(test_bad_relations_without_conditional),
        cmocka_unit_test(test_bad_heads_divide_d_model),
        cmocka_unit_test(test_bad_probe_and_eval_sizes),
        cmocka_unit_test(test_bad_tensor_too_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
