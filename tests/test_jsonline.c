/* test_jsonline.c — unit tests of jsonline.c: what one line loads as (an object, blank, or
 * refused with its reason), that only strict JSON loads (no YAML flow syntax, anchors, tags,
 * comments, single quotes, bare words), and the node accessors on JSON's kinds of values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hopsweep/jsonline.h"

static void expect_load(const char *line, hs_jl_status want, const char *why)
{
    yaml_document_t doc;
    const char *got_why = "unset";
    hs_jl_status st = hs_jl_load_object(line, strlen(line), &doc, &got_why);
    if (st != want) fail_msg("\"%s\": status %d, wanted %d", line, st, want);
    if (st == HS_JL_OK) {
        assert_int_equal(yaml_document_get_root_node(&doc)->type, YAML_MAPPING_NODE);
        yaml_document_delete(&doc);
    }
    if (why)
        assert_string_equal(got_why, why);
    else
        assert_null(got_why);
}

/* Refused, with some reason. */
static void expect_bad(const char *line)
{
    yaml_document_t doc;
    const char *why = NULL;
    hs_jl_status st = hs_jl_load_object(line, strlen(line), &doc, &why);
    if (st != HS_JL_BAD) fail_msg("\"%s\": status %d, wanted HS_JL_BAD", line, st);
    assert_non_null(why);
}

static void loading(void **state)
{
    expect_load("{\"a\":1}", HS_JL_OK, NULL);
    expect_load("  {\"a\": [1, {\"b\": null}]}\r", HS_JL_OK, NULL);
    expect_load("{}", HS_JL_OK, NULL);
    expect_load("", HS_JL_BLANK, NULL);
    expect_load(" \t\r", HS_JL_BLANK, NULL);
    expect_load("{\"a\":", HS_JL_BAD, "not valid JSON");
    expect_load("{\"a\":1]", HS_JL_BAD, "not valid JSON");
    expect_load("oops", HS_JL_BAD, "not valid JSON");
    expect_load("'single'", HS_JL_BAD, "not valid JSON");
    expect_load("# a comment", HS_JL_BAD, "not valid JSON");
    expect_load("[1, 2]", HS_JL_BAD, "not a JSON object");
    expect_load("\"text\"", HS_JL_BAD, "not a JSON object");
    expect_load("-2.5e3", HS_JL_BAD, "not a JSON object");
    expect_load("null", HS_JL_BAD, "not a JSON object");
    expect_load("{\"a\":1} {\"b\":2}", HS_JL_BAD, "text after the JSON object");
    expect_load("{\"a\":1}{\"b\":2}", HS_JL_BAD, "text after the JSON object");
    expect_load("{\"a\":1} x", HS_JL_BAD, "text after the JSON object");
    expect_load("{\"a\": \"\xc3\x28\"}", HS_JL_BAD, "not valid JSON"); /* not UTF-8 */
}

/* What YAML would take but JSON does not: every one is refused, and the F12 line is among them. */
static void strict_json(void **state)
{
    static const char *const yaml_only[] = {
        "{id: 0123456789abcdef, status: interrupted}", /* the forged store line of F12 */
        "{\"id\": &x \"a\", \"answer\": *x}",          /* anchors and aliases */
        "{\"a\": !!str 1}",                            /* a tag */
        "{'a': 1}",
        "{\"a\": 'b'}",
        "{\"a\": b}", /* a bare word */
        "{\"a\": yes}",
        "{\"a\": ~}",
        "{\"a\": }",
        "{\"a\"}",
        "{\"a\": 1,}", /* trailing comma */
        "{\"a\": [1, 2,]}",
        "{\"a\": 01}", /* leading zero */
        "{\"a\": .5}",
        "{\"a\": 1.}",
        "{\"a\": +1}",
        "{\"a\": 0x10}",
        "{\"a\": 1e}",
        "{\"a\": .inf}",
        "{\"a\": truex}",
        "{\"a\": 1 # comment\n}",
        "{\"a\": \"tab\there\"}", /* a raw control character */
        "{\"a\": \"\\x41\"}",     /* YAML's escapes, not JSON's */
        "{\"a\": \"\\U0001F600\"}",
        "{\"a\": \"\\ud83d\"}", /* a lone surrogate */
        "{\"a\": \"\\u12\"}",
        "{? \"a\" : 1}", /* complex key */
        "{\"a\": 1, \"b\": {\"c\": [1, {\"d\": [}]}}",
        "{\"a\": \"\xc0\xaf\"}",     /* overlong UTF-8 */
        "{\"a\": \"\xed\xa0\x80\"}", /* a surrogate in UTF-8 */
        "{1: 2}",                    /* keys are strings */
    };
    for (size_t i = 0; i < sizeof yaml_only / sizeof yaml_only[0]; i++) expect_bad(yaml_only[i]);
    expect_load("{\"a\": \"\\u0000\"}", HS_JL_BAD, "a \\u0000 escape (NUL) in a string");

    /* JSON that YAML reads differently or not at all still loads, with JSON's meaning */
    const char line[] =
        "{\"k\"\t:\t[\"\\/\\ud83d\\ude00\\u00e9\", -0, 1E+2, 2.5e-3, true, false, null, "
        "{}, []], \"del\": \"a\x7f\", \"#\": \"- x: y\"}";
    yaml_document_t doc;
    const char *why;
    assert_int_equal(hs_jl_load_object(line, strlen(line), &doc, &why), HS_JL_OK);
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    const yaml_node_t *k = hs_jl_map_get(&doc, root, "k");
    assert_int_equal(hs_jl_seq_len(k), 9);
    assert_string_equal(hs_jl_scalar_text(hs_jl_seq_at(&doc, k, 0)), "/\xf0\x9f\x98\x80\xc3\xa9");
    double x;
    assert_true(hs_jl_scalar_double(hs_jl_seq_at(&doc, k, 2), &x) && x == 100);
    assert_true(hs_jl_is_null(hs_jl_seq_at(&doc, k, 6)));
    assert_string_equal(hs_jl_scalar_text(hs_jl_map_get(&doc, root, "del")), "a\x7f");
    assert_string_equal(hs_jl_scalar_text(hs_jl_map_get(&doc, root, "#")), "- x: y");
    yaml_document_delete(&doc);

    /* nesting: 64 levels load, 65 are refused (and 10^5 do not hang) */
    char deep[200001];
    for (int depth = 63; depth <= 64; depth++) {
        size_t n = 0;
        deep[n++] = '{';
        for (int i = 0; i < depth; i++) n += (size_t)sprintf(deep + n, "\"a\":{");
        n += (size_t)sprintf(deep + n, "\"b\":1");
        for (int i = 0; i <= depth; i++) deep[n++] = '}';
        deep[n] = '\0';
        expect_load(deep, depth == 63 ? HS_JL_OK : HS_JL_BAD,
                    depth == 63 ? NULL : "JSON nested more than 64 deep");
    }
    for (int i = 0; i < 100000; i++) deep[i] = '[';
    deep[100000] = '\0';
    expect_load(deep, HS_JL_BAD, "JSON nested more than 64 deep");
}

static void accessors(void **state)
{
    const char line[] = "{\"s\":\"417\",\"n\":417,\"f\":-0.5,\"big\":1e10,\"inf\":1e999,"
                        "\"null\":null,\"snull\":\"null\",\"t\":true,\"list\":[\"x\",2],"
                        "\"obj\":{\"k\":1}}";
    yaml_document_t doc;
    const char *why;
    assert_int_equal(hs_jl_load_object(line, strlen(line), &doc, &why), HS_JL_OK);
    yaml_document_t *d = &doc;
    const yaml_node_t *root = yaml_document_get_root_node(d);
    const yaml_node_t *s = hs_jl_map_get(d, root, "s"), *n = hs_jl_map_get(d, root, "n");
    int i;
    double x;
    assert_string_equal(hs_jl_scalar_text(s), "417");
    assert_true(hs_jl_is_string(s));
    assert_false(hs_jl_scalar_int(s, &i)); /* a string is no number */
    assert_false(hs_jl_is_string(n));
    assert_true(hs_jl_scalar_int(n, &i));
    assert_int_equal(i, 417);
    assert_true(hs_jl_scalar_is(n, "417"));
    assert_true(hs_jl_scalar_double(hs_jl_map_get(d, root, "f"), &x));
    assert_true(x == -0.5);
    assert_false(hs_jl_scalar_int(hs_jl_map_get(d, root, "f"), &i));
    assert_false(hs_jl_scalar_int(hs_jl_map_get(d, root, "big"), &i));
    assert_false(hs_jl_scalar_double(hs_jl_map_get(d, root, "inf"), &x));
    assert_true(hs_jl_is_null(hs_jl_map_get(d, root, "null")));
    assert_true(hs_jl_is_null(hs_jl_map_get(d, root, "absent")));
    assert_false(hs_jl_is_null(hs_jl_map_get(d, root, "snull")));
    assert_false(hs_jl_is_string(hs_jl_map_get(d, root, "t")));
    const yaml_node_t *list = hs_jl_map_get(d, root, "list"), *obj = hs_jl_map_get(d, root, "obj");
    assert_int_equal(hs_jl_seq_len(list), 2);
    assert_string_equal(hs_jl_scalar_text(hs_jl_seq_at(d, list, 0)), "x");
    assert_int_equal(hs_jl_seq_len(obj), 0); /* not a sequence */
    assert_null(hs_jl_scalar_text(obj));
    assert_true(hs_jl_scalar_is(hs_jl_map_get(d, obj, "k"), "1"));
    assert_null(hs_jl_map_get(d, list, "k")); /* not a mapping */
    yaml_document_delete(&doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loading),
        cmocka_unit_test(strict_json),
        cmocka_unit_test(accessors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
