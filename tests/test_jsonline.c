/* test_jsonline.c — unit tests of jsonline.c: what one line loads as (an object, blank, or
 * refused with its reason), and the node accessors on JSON's kinds of values. */
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
    if (why) assert_string_equal(got_why, why);
    else assert_null(got_why);
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
        cmocka_unit_test(accessors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
