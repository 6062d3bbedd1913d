/* test_prompts_score.c — unit tests of prompts_score.c: reading responses by each rule and its
 * counter-examples (letters, exact text, last mention with overlapping choices, unparsed, plain
 * mode), the Wilson interval against closed forms, a hand-made prompt set and answer file scored
 * in memory with every number worked out by hand, and every way a prompt set is refused. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "messages.h"

#include "hopsweep/prompts_score.h"

#define assert_near(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) < (tol))

static const double Z = 1.959963984540054;

/* ---------------------------------------------------------------------------------------------
 * Reading one response */

/* Expects the response to pick option `want` (-1: none) by `rule`. */
static void check_pick(const char *response, const char *const *options, int n, bool letters,
                       int want, hs_answer_rule rule)
{
    int pick = -7;
    hs_answer_rule got = (hs_answer_rule)-1;
    hs_err e = {0};
    assert_int_equal(hs_answer_pick(response, options, n, letters, &pick, &got, &e), HS_OK);
    if (pick != want || got != rule)
        fail_msg("\"%s\": picked %d by rule %d, wanted %d by rule %d", response, pick, got, want,
                 rule);
}

static const char *const NUMBERS[] = {"417", "233", "98", "650"};

static void letters(void **state)
{
    const char *const *c = NUMBERS;
    check_pick("B", c, 4, true, 1, HS_RULE_LETTER);
    check_pick("b", c, 4, true, 1, HS_RULE_LETTER);
    check_pick("  d\n", c, 4, true, 3, HS_RULE_LETTER);
    check_pick("(C)", c, 4, true, 2, HS_RULE_LETTER);
    check_pick("[a]", c, 4, true, 0, HS_RULE_LETTER);
    check_pick("A.", c, 4, true, 0, HS_RULE_LETTER);
    check_pick("B)", c, 4, true, 1, HS_RULE_LETTER);
    check_pick("c:", c, 4, true, 2, HS_RULE_LETTER);
    /* A letter before text wins over the text, even when the text names another choice. */
    check_pick("B. 417", c, 4, true, 1, HS_RULE_LETTER);
    check_pick("(B) 417", c, 4, true, 1, HS_RULE_LETTER);
    check_pick("B) 417", c, 4, true, 1, HS_RULE_LETTER);
    check_pick("B: 417", c, 4, true, 1, HS_RULE_LETTER);
    check_pick("[D]\tbecause 650", c, 4, true, 3, HS_RULE_LETTER);
    /* Markdown and lead-ins go first, repeatedly, in any case. */
    check_pick("**B**", c, 4, true, 1, HS_RULE_LETTER);
    check_pick("`C`", c, 4, true, 2, HS_RULE_LETTER);
    check_pick("Final Answer: B", c, 4, true, 1, HS_RULE_LETTER);
    check_pick("**Final answer:** answer: (D)", c, 4, true, 3, HS_RULE_LETTER);
    check_pick("The correct answer is C.", c, 4, true, 2, HS_RULE_LETTER);
    check_pick("THE ANSWER IS: a", c, 4, true, 0, HS_RULE_LETTER);
    check_pick("answer is [b]", c, 4, true, 1, HS_RULE_LETTER);
    /* Letters past the choices, and letters with no space before the text, are no letters. */
    check_pick("E", c, 4, true, -1, HS_RULE_NONE);
    check_pick("(E) 417", c, 4, true, 0, HS_RULE_MENTION);
    check_pick("B.417", c, 4, true, 0, HS_RULE_MENTION);
    check_pick("BB", c, 4, true, -1, HS_RULE_NONE);
    /* No letters in plain mode. */
    check_pick("B", c, 4, false, -1, HS_RULE_NONE);
    /* Two choices: C is past them. */
    check_pick("C", c, 2, true, -1, HS_RULE_NONE);
    check_pick("b", c, 2, true, 1, HS_RULE_LETTER);
}

static const char *const ROOMS[] = {"kitchen", "attic", "loft", "shed"};

static void articles_are_not_letters(void **state)
{
    const char *const *c = ROOMS;
    check_pick("A shed", c, 4, true, 3, HS_RULE_MENTION);
    check_pick("a loft", c, 4, true, 2, HS_RULE_MENTION);
    check_pick("B kitchen", c, 4, true, 0, HS_RULE_MENTION);
    check_pick("A kitchen, I think", c, 4, true, 0, HS_RULE_MENTION);
    check_pick("A", c, 4, true, 0, HS_RULE_LETTER); /* alone it is a letter */
}

static void exact_text(void **state)
{
    const char *const c[] = {"the red box", "box", "Kitchen", "attic"};
    check_pick("kitchen", c, 4, true, 2, HS_RULE_TEXT);
    check_pick("\"Kitchen\".", c, 4, true, 2, HS_RULE_TEXT);
    check_pick("'attic'", c, 4, true, 3, HS_RULE_TEXT);
    check_pick("The attic!", c, 4, true, 3, HS_RULE_TEXT);
    check_pick("\"the attic.\"", c, 4, true, 3, HS_RULE_TEXT);
    check_pick("Answer: RED BOX", c, 4, true, 0, HS_RULE_TEXT); /* "the " goes on both sides */
    /* Whitespace runs collapse, which a mention would not match. */
    check_pick("the red \t box", c, 4, true, 0, HS_RULE_TEXT);
    check_pick("red\nbox.", c, 4, true, 0, HS_RULE_TEXT);
    /* Quotes only go in pairs. */
    check_pick("\"attic", c, 4, true, 3, HS_RULE_MENTION);
}

static void last_mention(void **state)
{
    const char *const boxes[] = {"box", "red box", "shed", "kitchen"};
    /* "box" and "red box" end together: the longer wins. */
    check_pick("It is in the red box.", boxes, 4, true, 1, HS_RULE_MENTION);
    check_pick("The box, no, the red box", boxes, 4, true, 1, HS_RULE_MENTION);
    check_pick("The red box, no, the box", boxes, 4, true, 0, HS_RULE_MENTION);
    check_pick("Not the shed but the KITCHEN", boxes, 4, true, 3, HS_RULE_MENTION);
    check_pick("kitchen, then the shed, so", boxes, 4, true, 2, HS_RULE_MENTION);
    check_pick("boxes", boxes, 4, true, -1, HS_RULE_NONE);
    check_pick("sheds and kitchens", boxes, 4, true, -1, HS_RULE_NONE);

    const char *const calls[] = {"load_config", "load_config_file", "parse_header", "send_node"};
    check_pick("It ends in load_config_file.", calls, 4, true, 1, HS_RULE_MENTION);
    check_pick("load_config_file calls load_config", calls, 4, true, 0, HS_RULE_MENTION);
    check_pick("load_configs", calls, 4, true, -1, HS_RULE_NONE);
    check_pick("`parse_header()`", calls, 4, true, 2, HS_RULE_MENTION);

    const char *const *n = NUMBERS;
    check_pick("4170", n, 4, true, -1, HS_RULE_NONE);
    check_pick("x417 and 98", n, 4, true, 2, HS_RULE_MENTION);
    check_pick("417.", n, 4, true, 0, HS_RULE_TEXT);
    check_pick("BD = QX = 650", n, 4, true, 3, HS_RULE_MENTION);
}

static void unparsed(void **state)
{
    const char *const *c = ROOMS;
    check_pick("I cannot tell.", c, 4, true, -1, HS_RULE_NONE);
    check_pick("", c, 4, true, -1, HS_RULE_NONE);
    check_pick(" \n\t", c, 4, true, -1, HS_RULE_NONE);
    check_pick("**", c, 4, true, -1, HS_RULE_NONE);
    check_pick("The answer is", c, 4, true, -1, HS_RULE_NONE);
    check_pick("the", c, 4, true, -1, HS_RULE_NONE);
}

static void plain(void **state)
{
    const char *const chain[] = {"BD", "QX", "417"};
    check_pick("417", chain, 3, false, 2, HS_RULE_TEXT);
    check_pick("Answer: qx", chain, 3, false, 1, HS_RULE_TEXT);
    check_pick("The value of BD is 417.", chain, 3, false, 2, HS_RULE_MENTION);
    check_pick("417, by way of QX", chain, 3, false, 1, HS_RULE_MENTION);
    check_pick("A", chain, 3, false, -1, HS_RULE_NONE);
    check_pick("unknown", chain, 3, false, -1, HS_RULE_NONE);
}

/* ---------------------------------------------------------------------------------------------
 * The Wilson interval */

/* Independently: the bounds are the roots of (1 + z²/n) p² - (2 k/n + z²/n) p + (k/n)² = 0. */
static void wilson_roots(double k, double n, double *lo, double *hi)
{
    double a = 1 + Z * Z / n, b = -(2 * k / n + Z * Z / n), c = (k / n) * (k / n);
    double d = sqrt(b * b - 4 * a * c);
    *lo = (-b - d) / (2 * a);
    *hi = (-b + d) / (2 * a);
}

static void wilson(void **state)
{
    double lo, hi, rlo, rhi;
    hs_wilson_interval(8, 10, &lo, &hi);
    assert_near(lo, 0.4902, 5e-5);
    assert_near(hi, 0.9433, 5e-5);
    static const size_t cases[][2] = {{8, 10}, {1, 2}, {5, 9}, {37, 50}, {1, 1000}, {999, 1000}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hs_wilson_interval(cases[i][0], cases[i][1], &lo, &hi);
        wilson_roots((double)cases[i][0], (double)cases[i][1], &rlo, &rhi);
        assert_near(lo, rlo, 1e-12);
        assert_near(hi, rhi, 1e-12);
        assert_true(lo < (double)cases[i][0] / (double)cases[i][1]);
        assert_true(hi > (double)cases[i][0] / (double)cases[i][1]);
    }
    /* k = 0: [0, z²/(n+z²)]; k = n: [n/(n+z²), 1], exactly at the ends. */
    for (size_t n = 1; n <= 1000; n *= 10) {
        hs_wilson_interval(0, n, &lo, &hi);
        assert_true(lo == 0);
        assert_near(hi, Z * Z / ((double)n + Z * Z), 1e-12);
        hs_wilson_interval(n, n, &lo, &hi);
        assert_true(hi == 1);
        assert_near(lo, (double)n / ((double)n + Z * Z), 1e-12);
    }
}

/* ---------------------------------------------------------------------------------------------
 * A whole set */

/* Groups, in the order they must come out: calls/2, locations/2, variables/2, variables/3.
 * The file lists them mixed. */
static const char PROMPTS[] =
    "{\"id\":\"v4\",\"formulation\":\"variables\",\"hops\":3,\"distractors\":3,\"prompt\":\"..."
    "\",\"choices\":[\"417\",\"233\",\"98\",\"650\"],\"answer\":\"98\",\"answer_index\":2,"
    "\"chain\":[\"AB\",\"CD\",\"EF\",\"98\"]}\n"
    "{\"id\":\"v1\",\"formulation\":\"variables\",\"hops\":2,\"distractors\":3,\"prompt\":\"...\","
    "\"choices\":[\"417\",\"233\",\"98\",\"650\"],\"answer\":\"233\",\"answer_index\":1,"
    "\"chain\":[\"AB\",\"CD\",\"233\"]}\n"
    "\n"
    "{\"id\":\"l1\",\"formulation\":\"locations\",\"hops\":2,\"distractors\":1,\"choices\":null,"
    "\"answer\":\"attic\",\"answer_index\":null,\"chain\":[\"key\",\"red box\",\"attic\"]}\n"
    "{\"id\":\"v2\",\"formulation\":\"variables\",\"hops\":2,\"distractors\":3,\"prompt\":7,"
    "\"choices\":[\"417\",\"233\",\"98\",\"650\"],\"answer\":\"417\",\"answer_index\":0,"
    "\"chain\":[\"GH\",\"IJ\",\"417\"]}\n"
    "{\"id\":\"c1\",\"formulation\":\"calls\",\"hops\":2,\"distractors\":0,\"prompt\":\"...\","
    "\"choices\":[\"load_config\",\"load_config_file\"],\"answer\":\"load_config_file\","
    "\"answer_index\":1,\"chain\":[\"main\",\"run\",\"load_config_file\"]}\n"
    "{\"id\":\"v3\",\"formulation\":\"variables\",\"hops\":2,\"distractors\":3,\"prompt\":\"...\","
    "\"choices\":[\"417\",\"233\",\"98\",\"650\"],\"answer\":\"650\",\"answer_index\":3,"
    "\"chain\":[\"KL\",\"MN\",\"650\"]}\n"
    "{\"id\":\"l2\",\"formulation\":\"locations\",\"hops\":2,\"distractors\":3,\"choices\":null,"
    "\"answer\":\"kitchen\",\"answer_index\":null,\"chain\":[\"coin\",\"red box\",\"kitchen\"]}\n"
    "{\"id\":\"v5\",\"formulation\":\"variables\",\"hops\":3,\"distractors\":3,\"prompt\":\"...\","
    "\"choices\":[\"417\",\"233\",\"98\",\"650\"],\"answer\":\"650\",\"answer_index\":3,"
    "\"chain\":[\"AB\",\"CD\",\"EF\",\"650\"]}\n"
    "{\"id\":\"c2\",\"formulation\":\"calls\",\"hops\":2,\"distractors\":2,\"prompt\":\"...\","
    "\"choices\":[\"3\",\"5\",\"7\"],\"answer\":\"5\",\"answer_index\":1,"
    "\"chain\":[\"a\",\"b\",\"5\"]}";

static const char ANSWERS[] =
    /* 1: v1 right, by letter; the second answer on line 10 does not replace it */
    "{\"id\":\"v1\",\"answer\":\"B\",\"model\":\"m\"}\n"
    /* 2: v2 wrong: 233 is mentioned last */
    "{\"id\":\"v2\",\"answer\":\"The answer is 233\"}\n"
    /* 3: v4 unparsed */
    "{\"id\":\"v4\",\"answer\":\"I don't know\"}\n"
    /* 4: v5 right, by text */
    "{\"id\":\"v5\",\"answer\":\"650.\"}\n"
    /* 5: l1 right (plain): the answer is mentioned last */
    "{\"id\":\"l1\",\"answer\":\"The key is in the attic.\"}\n"
    /* 6: l2 wrong (plain): a chain entity that is not the answer */
    "{\"id\":\"l2\",\"answer\":\"red box\"}\n"
    /* 7: c1 right, by "response" */
    "{\"id\":\"c1\",\"response\":\"load_config_file\"}\n"
    /* 8: c2 right: a number is taken as its text; "answer": null defers to "response" */
    "{\"id\":\"c2\",\"answer\":null,\"response\":5}\n"
    /* 9: blank, skipped silently */
    "   \n"
    /* 10..20: malformed; none answers v3, which stays missing */
    "{\"id\":\"v1\",\"answer\":\"C\"}\n"
    "{\"id\": \"v3\", \"answer\": \"D\"]\n"
    "[\"v3\", \"D\"]\n"
    "{\"answer\":\"D\"}\n"
    "{\"id\":3,\"answer\":\"D\"}\n"
    "{\"id\":\"v3\"}\n"
    "{\"id\":\"v3\",\"answer\":null}\n"
    "{\"id\":\"zz\",\"answer\":\"D\"}\n"
    "{\"id\":\"v3\",\"answer\":\"D\"} {\"id\":\"v3\",\"answer\":\"D\"}\n"
    "{\"id\":\"v3\",\"answer\":[\"D\"]}\n"
    "{\"id\":\"v3\",\"ans";

static void check_stats(const hs_score_stats *st, size_t n, size_t answered, size_t correct,
                        size_t missing, size_t unparsed, double chance)
{
    assert_int_equal(st->n, n);
    assert_int_equal(st->answered, answered);
    assert_int_equal(st->correct, correct);
    assert_int_equal(st->missing, missing);
    assert_int_equal(st->unparsed, unparsed);
    assert_near(st->accuracy, (double)correct / (double)n, 1e-12);
    assert_near(st->chance, chance, 1e-12);
    double lo, hi;
    wilson_roots((double)correct, (double)n, &lo, &hi);
    assert_near(st->ci_low, lo, 1e-9);
    assert_near(st->ci_high, hi, 1e-9);
}

static const hs_score_prompt *prompt_of(const hs_score *s, const char *id)
{
    for (size_t i = 0; i < s->n_prompts; i++)
        if (!strcmp(s->prompts[i].id, id)) return &s->prompts[i];
    fail_msg("no prompt %s", id);
    return NULL;
}

static void whole_set(void **state)
{
    hs_score s;
    hs_err e = {0};
    hs_score_init(&s);
    assert_int_equal(hs_score_add_prompts(&s, PROMPTS, sizeof PROMPTS - 1, "P", &e), HS_OK);
    assert_int_equal(s.n_prompts, 9);
    assert_int_equal(hs_score_add_answers(&s, ANSWERS, sizeof ANSWERS - 1, &e), HS_OK);
    assert_int_equal(hs_score_finish(&s, &e), HS_OK);

    assert_int_equal(s.n_groups, 4);
    static const char *const forms[] = {"calls", "locations", "variables", "variables"};
    static const int hops[] = {2, 2, 2, 3};
    for (size_t g = 0; g < 4; g++) {
        assert_string_equal(s.groups[g].formulation, forms[g]);
        assert_int_equal(s.groups[g].hops, hops[g]);
    }
    check_stats(&s.groups[0].stats, 2, 2, 2, 0, 0, (1.0 / 2 + 1.0 / 3) / 2);
    check_stats(&s.groups[1].stats, 2, 2, 1, 0, 0, (1.0 / 2 + 1.0 / 4) / 2);
    check_stats(&s.groups[2].stats, 3, 2, 1, 1, 0, 0.25);
    check_stats(&s.groups[3].stats, 2, 2, 1, 0, 1, 0.25);
    check_stats(&s.all, 9, 8, 5, 1, 1, (1.0 / 2 + 1.0 / 3 + 1.0 / 2 + 1.0 / 4 + 5 * 0.25) / 9);

    assert_int_equal(prompt_of(&s, "v1")->outcome, HS_ANSWER_CORRECT);
    assert_int_equal(prompt_of(&s, "v1")->answer_line, 1);
    assert_int_equal(prompt_of(&s, "v2")->outcome, HS_ANSWER_WRONG);
    assert_int_equal(prompt_of(&s, "v3")->outcome, HS_ANSWER_MISSING);
    assert_int_equal(prompt_of(&s, "v3")->answer_line, 0);
    assert_int_equal(prompt_of(&s, "v4")->outcome, HS_ANSWER_UNPARSED);
    assert_int_equal(prompt_of(&s, "l2")->outcome, HS_ANSWER_WRONG);
    assert_int_equal(prompt_of(&s, "c2")->outcome, HS_ANSWER_CORRECT);
    assert_int_equal(prompt_of(&s, "c2")->line, 10); /* after a blank line */

    /* Eleven malformed lines; the first ten kept, in order, with their reasons. */
    assert_int_equal(s.answer_lines, 19);
    assert_int_equal(s.malformed, 11);
    static const char *const why[] = {
        "a second answer for \"v1\" (the first, on line 1, counts)",
        "not valid JSON",
        "not a JSON object",
        "no string \"id\"",
        "no string \"id\"",
        "no \"answer\" (or \"response\")",
        "no \"answer\" (or \"response\")",
        "\"id\" \"zz\" is not in the prompt set",
        "text after the JSON object",
        "the answer is not text",
    };
    for (size_t i = 0; i < HS_SCORE_REPORTED; i++) {
        assert_int_equal(s.bad[i].line, 10 + i);
        assert_string_equal(s.bad[i].why, why[i]);
    }
    hs_score_free(&s);
}

static void no_answers(void **state)
{
    /* An empty answer file: every prompt missing, every accuracy 0, nothing malformed. */
    hs_score s;
    hs_err e = {0};
    hs_score_init(&s);
    assert_int_equal(hs_score_add_prompts(&s, PROMPTS, sizeof PROMPTS - 1, "P", &e), HS_OK);
    assert_int_equal(hs_score_add_answers(&s, "", 0, &e), HS_OK);
    assert_int_equal(hs_score_finish(&s, &e), HS_OK);
    check_stats(&s.all, 9, 0, 0, 9, 0, (1.0 / 2 + 1.0 / 3 + 1.0 / 2 + 1.0 / 4 + 5 * 0.25) / 9);
    assert_int_equal(s.malformed, 0);
    hs_score_free(&s);
}

/* ---------------------------------------------------------------------------------------------
 * Prompt sets refused */

static const char GOOD[] =
    "{\"id\":\"a\",\"formulation\":\"variables\",\"hops\":1,\"distractors\":0,\"choices\":"
    "[\"1\",\"2\"],\"answer\":\"2\",\"answer_index\":1,\"chain\":[\"X\",\"2\"]}";

/* text must be refused with HS_EINPUT and a message holding want. */
static void refused(const char *text, const char *want)
{
    hs_score s;
    hs_err e = {0};
    hs_score_init(&s);
    hs_status st = hs_score_add_prompts(&s, text, strlen(text), "P.jsonl", &e);
    if (st != HS_EINPUT) fail_msg("accepted: %s", text);
    assert_has(e.msg, want);
    assert_null(strchr(e.msg, '\n'));
    hs_score_free(&s);
}

/* GOOD with one key's value replaced (or the key dropped, when value is NULL), on line 2 after
 * a blank line. */
static void refused_with(const char *key, const char *value, const char *want)
{
    char text[1024], pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(GOOD, pattern);
    assert_non_null(at);
    const char *after = at + strlen(pattern);
    int depth = 0; /* the value ends at a comma or brace outside brackets */
    while (*after && !(depth == 0 && (*after == ',' || *after == '}'))) {
        depth += *after == '[';
        depth -= *after == ']';
        after++;
    }
    int head = (int)(at - GOOD);
    if (value)
        snprintf(text, sizeof text, "\n%.*s%s%s%s", head, GOOD, pattern, value, after);
    else if (at[-1] == '{') /* the first key: drop the comma after it */
        snprintf(text, sizeof text, "\n%.*s%s", head, GOOD, after + 1);
    else /* drop the comma before it */
        snprintf(text, sizeof text, "\n%.*s%s", head - 1, GOOD, after);
    char want_line[256];
    snprintf(want_line, sizeof want_line, "P.jsonl:2: %s", want);
    refused(text, want_line);
}

static void bad_prompt_sets(void **state)
{
    /* The good line itself passes, with or without its prompt, and a plain one too. */
    hs_score s;
    hs_err e = {0};
    hs_score_init(&s);
    assert_int_equal(hs_score_add_prompts(&s, GOOD, strlen(GOOD), "P", &e), HS_OK);
    const char plain[] = "{\"id\":\"b\",\"formulation\":\"future\",\"hops\":1,\"distractors\":0,"
                         "\"choices\":null,\"answer\":\"2\",\"answer_index\":null,\"chain\":"
                         "[\"X\",\"2\"],\"prompt\":{\"parts\":[1]}}\n";
    assert_int_equal(hs_score_add_prompts(&s, plain, strlen(plain), "P", &e), HS_OK);
    assert_int_equal(s.n_prompts, 2);
    assert_int_equal(s.prompts[1].n_choices, 0);
    assert_int_equal(s.prompts[1].answer_index, -1);
    hs_score_free(&s);

    refused("", "P.jsonl: no prompts");
    refused("\n  \n\n", "P.jsonl: no prompts");
    refused("{\"id\": ", "P.jsonl:1: not valid JSON; regenerate the prompt set");
    refused("[1, 2]", "P.jsonl:1: not a JSON object");
    refused_with("id", NULL, "no string \"id\"");
    refused_with("id", "7", "no string \"id\"");
    refused_with("id", "\"\"", "no string \"id\"");
    refused_with("formulation", "\"\"", "no \"formulation\"");
    refused_with("formulation", NULL, "no \"formulation\"");
    refused_with("hops", "0", "\"hops\" is not an integer >= 1");
    refused_with("hops", "1.5", "\"hops\" is not an integer >= 1");
    refused_with("hops", "\"2\"", "\"hops\" is not an integer >= 1");
    refused_with("distractors", "-1", "\"distractors\" is not an integer >= 0");
    refused_with("distractors", NULL, "\"distractors\" is not an integer >= 0");
    refused_with("choices", "[\"2\"]", "\"choices\" is not an array of 2 to 26 strings");
    refused_with("choices",
                 "[\"2\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\",\"l\",\"m\","
                 "\"n\",\"o\",\"p\",\"q\",\"r\",\"s\",\"t\",\"u\",\"v\",\"w\",\"x\",\"y\",\"z\","
                 "\"aa\"]",
                 "\"choices\" is not an array of 2 to 26 strings");
    refused_with("choices", "\"2\"", "\"choices\" is not an array");
    refused_with("choices", NULL, "no \"choices\"");
    refused_with("choices", "[1,2]", "\"choices\" holds something other than strings");
    refused_with("choices", "[\"2\",\"\"]", "\"choices\" holds an empty name");
    refused_with("choices", "[\"2\",\"The 2.\"]", "choices \"2\" and \"The 2.\" read the same");
    refused_with("choices", "[\"1\",\"3\"]", "\"answer\" is not one of \"choices\"");
    refused_with("answer", "2", "\"answer\" is not a string");
    refused_with("answer", NULL, "\"answer\" is not a string");
    refused_with("answer_index", "0", "\"answer_index\" does not point at \"answer\"");
    refused_with("answer_index", "2", "\"answer_index\" does not point at \"answer\"");
    refused_with("answer_index", "null", "\"answer_index\" does not point at \"answer\"");
    refused_with("answer_index", NULL, "no \"answer_index\"");
    refused_with("chain", "[\"X\",\"1\"]", "the last entity of \"chain\" is not \"answer\"");
    refused_with("chain", "[]", "no \"chain\"");
    refused_with("chain", NULL, "no \"chain\"");
    refused_with("chain", "[\"X\",2]", "\"chain\" holds something other than strings");
    /* Plain mode: answer_index must be null too. */
    refused("{\"id\":\"b\",\"formulation\":\"f\",\"hops\":1,\"distractors\":0,\"choices\":null,"
            "\"answer\":\"2\",\"answer_index\":0,\"chain\":[\"X\",\"2\"]}",
            "P.jsonl:1: \"answer_index\" is not null though \"choices\" is");
    /* A repeated id names the line of the first. */
    char twice[2 * sizeof GOOD + 8];
    snprintf(twice, sizeof twice, "%s\n\n%s\n", GOOD, GOOD);
    refused(twice, "P.jsonl:3: \"id\" \"a\" is already on line 1; ids must be unique");
}

static void missing_files(void **state)
{
    hs_score s;
    hs_err e = {0};
    hs_score_init(&s);
    assert_int_equal(hs_score_load_prompts(&s, "/nonexistent/p.jsonl", &e), HS_EINPUT);
    assert_has(e.msg, "/nonexistent/p.jsonl");
    assert_int_equal(hs_score_load_answers(&s, "/nonexistent/a.jsonl", &e), HS_EINPUT);
    assert_has(e.msg, "/nonexistent/a.jsonl");
    assert_int_equal(hs_score_finish(&s, &e), HS_EINPUT); /* nothing to score */
    hs_score_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(letters),       cmocka_unit_test(articles_are_not_letters),
        cmocka_unit_test(exact_text),    cmocka_unit_test(last_mention),
        cmocka_unit_test(unparsed),      cmocka_unit_test(plain),
        cmocka_unit_test(wilson),        cmocka_unit_test(whole_set),
        cmocka_unit_test(no_answers),    cmocka_unit_test(bad_prompt_sets),
        cmocka_unit_test(missing_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
