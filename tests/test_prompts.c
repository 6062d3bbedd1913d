/* test_prompts.c — prompt sets (prompts.h): names and limits of the formulations, prompts that
 * depend only on their options and index, and draws without a bias a model could exploit (where
 * the answer sits among the choices, which relation a conditional prompt asks about). Solving
 * every prompt from its text is tests/cli/prompts.sh's job, with an independent parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hopsweep/prompts.h"

static hs_prompt_opts opts(hs_prompt_formulation f, int hops, int distractors, int n)
{
    return (hs_prompt_opts){.formulation = f, .hops = hops, .distractors = distractors, .n = n};
}

static char *prompt(const hs_prompt_opts *o, int i)
{
    char *json = NULL;
    hs_err err = {0};
    assert_int_equal(hs_prompt_json(o, i, &json, &err), HS_OK);
    assert_non_null(json);
    return json;
}

/* The integer after "key": in a prompt's JSON (the writer puts no spaces around ':'). */
static int int_field(const char *json, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(json, pat);
    assert_non_null(p);
    return atoi(p + strlen(pat));
}

static void test_formulation_names_round_trip(void **state)
{
    (void)state;
    for (int i = 0; i < HS_PROMPT_FORMULATIONS; i++) {
        hs_prompt_formulation f;
        hs_err err = {0};
        assert_int_equal(hs_prompt_formulation_parse(hs_prompt_formulation_name(i), &f, &err),
                         HS_OK);
        assert_int_equal(f, i);
    }
    hs_prompt_formulation f;
    hs_err err = {0};
    assert_int_equal(hs_prompt_formulation_parse("Variables", &f, &err), HS_EINPUT);
    assert_non_null(strstr(err.msg, "\"Variables\""));
    assert_non_null(strstr(err.msg, "conditional"));
    assert_null(hs_prompt_formulation_name(HS_PROMPT_FORMULATIONS));
}

static void test_limits_name_the_option_to_lower(void **state)
{
    (void)state;
    hs_err err = {0};
    hs_prompt_opts o = opts(HS_PROMPT_LOCATIONS, 2, 20, 1);
    assert_int_equal(hs_prompts_check(&o, &err), HS_OK);
    o.distractors = 21; /* 22 rooms in the prompt and 3 more for the choices: 24 exist */
    assert_int_equal(hs_prompts_check(&o, &err), HS_EINPUT);
    assert_non_null(strstr(err.msg, "room"));
    assert_non_null(strstr(err.msg, "--distractors 20 or fewer"));

    o = opts(HS_PROMPT_CALLS, 100, 10, 1); /* 11·101 + 3 functions, 600 exist */
    assert_int_equal(hs_prompts_check(&o, &err), HS_EINPUT);
    assert_non_null(strstr(err.msg, "1114"));
    assert_non_null(strstr(err.msg, "--distractors 4 or fewer"));

    o = opts(HS_PROMPT_CALLS, 600, 0, 1); /* too long even alone */
    assert_int_equal(hs_prompts_check(&o, &err), HS_EINPUT);
    assert_non_null(strstr(err.msg, "fewer --hops"));

    hs_prompt_opts bad[] = {opts(HS_PROMPT_VARIABLES, 0, 0, 1),
                            opts(HS_PROMPT_VARIABLES, 1001, 0, 1),
                            opts(HS_PROMPT_VARIABLES, 2, -1, 1), opts(HS_PROMPT_VARIABLES, 2, 0, 0),
                            opts(HS_PROMPT_FORMULATIONS, 2, 0, 1)};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(hs_prompts_check(&bad[i], &err), HS_EINPUT);
    char *json = NULL;
    assert_int_equal(hs_prompt_json(&bad[0], 0, &json, &err), HS_EINPUT);
    assert_null(json);
}

static void test_a_prompt_depends_on_its_options_and_index_only(void **state)
{
    (void)state;
    for (int f = 0; f < HS_PROMPT_FORMULATIONS; f++) {
        hs_prompt_opts o = opts(f, 3, 2, 6);
        o.seed = 42;
        char *text;
        size_t len;
        hs_err err = {0};
        assert_int_equal(hs_prompts_jsonl(&o, &text, &len, &err), HS_OK);
        assert_int_equal(strlen(text), len);
        /* Line i of the set is prompt i alone, drawn again. */
        const char *line = text;
        for (int i = 0; i < o.n; i++) {
            char *one = prompt(&o, i);
            size_t n = strlen(one);
            assert_memory_equal(line, one, n);
            assert_int_equal(line[n], '\n');
            line += n + 1;
            hs_prompt_opts other = o;
            other.seed = 43;
            char *reseeded = prompt(&other, i);
            assert_string_not_equal(one, reseeded);
            if (i) {
                char *previous = prompt(&o, i - 1);
                assert_string_not_equal(strchr(one, ','), strchr(previous, ',')); /* past the id */
                free(previous);
            }
            free(reseeded);
            free(one);
        }
        assert_int_equal(line - text, (long)len);
        free(text);
    }
}

static void test_answer_position_is_uniform(void **state)
{
    (void)state;
    /* A harness that always answers "A" must score at chance: 800 prompts, 200 expected per
     * position, sd 12.2; 150..250 is four sd. */
    int count[HS_PROMPT_CHOICES] = {0};
    for (int f = 0; f < HS_PROMPT_FORMULATIONS; f++) {
        hs_prompt_opts o = opts(f, 2, 3, 160);
        for (int i = 0; i < o.n; i++) {
            char *json = prompt(&o, i);
            int a = int_field(json, "answer_index");
            assert_in_range(a, 0, HS_PROMPT_CHOICES - 1);
            count[a]++;
            free(json);
        }
    }
    for (int c = 0; c < HS_PROMPT_CHOICES; c++) assert_in_range(count[c], 150, 250);
}

static void test_conditional_asks_both_relations(void **state)
{
    (void)state;
    /* 400 prompts, 200 wizards expected, sd 10; 160..240 is four sd. */
    hs_prompt_opts o = opts(HS_PROMPT_CONDITIONAL, 2, 1, 400);
    int wizards = 0;
    for (int i = 0; i < o.n; i++) {
        char *json = prompt(&o, i);
        wizards += strstr(json, " is a wizard.") != NULL;
        assert_true(strstr(json, " is a wizard.") || strstr(json, " is a muggle."));
        free(json);
    }
    assert_in_range(wizards, 160, 240);
}

static void test_plain_prompts_have_no_choices(void **state)
{
    (void)state;
    hs_prompt_opts o = opts(HS_PROMPT_VARIABLES, 2, 1, 1);
    o.plain = true;
    char *json = prompt(&o, 0);
    assert_non_null(strstr(json, "\"choices\":null"));
    assert_non_null(strstr(json, "\"answer_index\":null"));
    assert_non_null(strstr(json, "Answer with the number only."));
    assert_null(strstr(json, "\\nA. "));
    free(json);
}

static void test_variable_names_lengthen_for_large_prompts(void **state)
{
    (void)state;
    /* The queried variable is the chain's first entity: two letters up to 200 variables, then
     * three, so that 400 two-letter names never run short. */
    struct {
        int hops, distractors;
        size_t letters;
    } cases[] = {{10, 19, 2}, {10, 20, 3}, {200, 0, 2}, {201, 0, 3}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        hs_prompt_opts o = opts(HS_PROMPT_VARIABLES, cases[c].hops, cases[c].distractors, 1);
        /* Not through prompt(): gcc 12 takes strstr's result for a pointer to prompt()'s local
         * once inlined, and -Werror=dangling-pointer stops the build. */
        char *json = NULL;
        hs_err err = {0};
        assert_int_equal(hs_prompt_json(&o, 0, &json, &err), HS_OK);
        const char *key = strstr(json, "\"chain\":[\"");
        size_t letters = key ? strcspn(key + strlen("\"chain\":[\""), "\"") : 0;
        free(json);
        assert_int_equal(letters, cases[c].letters);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formulation_names_round_trip),
        cmocka_unit_test(test_limits_name_the_option_to_lower),
        cmocka_unit_test(test_a_prompt_depends_on_its_options_and_index_only),
        cmocka_unit_test(test_answer_position_is_uniform),
        cmocka_unit_test(test_conditional_asks_both_relations),
        cmocka_unit_test(test_plain_prompts_have_no_choices),
        cmocka_unit_test(test_variable_names_lengthen_for_large_prompts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
