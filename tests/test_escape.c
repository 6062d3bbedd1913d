/* test_escape.c — the escaping rule of escape.h and the sinks built on it: the terminal, CSV
 * (csv.h), Markdown and text tables (table.h) and the report's HTML (report_svg.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hopsweep/csv.h"
#include "hopsweep/escape.h"
#include "hopsweep/report_svg.h"
#include "hopsweep/table.h"

/* What f(s) writes, in a new string. */
static char *written(void (*f)(FILE *, const char *), const char *s)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&buf, &n);
    assert_non_null(m);
    f(m, s);
    fclose(m);
    return buf;
}

static void check(void (*f)(FILE *, const char *), const char *in, const char *want)
{
    char *got = written(f, in);
    assert_string_equal(got, want);
    free(got);
}

static void test_terminal(void **state)
{
    (void)state;
    check(hs_term_fputs, "plain é ü 漢 ok", "plain é ü 漢 ok"); /* UTF-8 text stays */
    check(hs_term_fputs,
          "a\x1b]0;T\x07"
          "b",
          "a\\x1b]0;T\\x07b");
    check(hs_term_fputs, "x\r\ny\tz\x7f", "x\\r\\ny\\tz\\x7f");
    check(hs_term_fputs,
          "\xc2\x9b"
          "31m",
          "\\u009b31m"); /* C1 CSI */
    check(hs_term_fputs,
          "\xe2\x80\xae"
          "abc",
          "\\u202eabc"); /* RIGHT-TO-LEFT OVERRIDE */
    check(hs_term_fputs,
          "\xe2\x81\xa6"
          "i",
          "\\u2066i");                                       /* LEFT-TO-RIGHT ISOLATE */
    check(hs_term_fputs, "\xe2\x80\xa8", "\\u2028");         /* LINE SEPARATOR */
    check(hs_term_fputs, "\xff\xc0\xaf", "\\xff\\xc0\\xaf"); /* invalid, overlong */
    check(hs_term_fputs, "\xed\xa0\x80", "\\xed\\xa0\\x80"); /* a surrogate */
    check(hs_term_fputs, "\xe2\x80", "\\xe2\\x80");          /* cut short */
    assert_false(hs_escape_needed("café"));
    assert_true(hs_escape_needed("caf\xe2\x80\xae"
                                 "e"));
    char *d = hs_escape_dup("a\nb");
    assert_string_equal(d, "a\\nb");
    free(d);
}

static void printf_one_line(FILE *f, const char *s) { hs_term_printf(f, "note: %s\n", s); }

static void test_term_printf(void **state)
{
    (void)state;
    check(printf_one_line, "x\nforged: line", "note: x\\nforged: line\n");
}

static void test_csv(void **state)
{
    (void)state;
    check(hs_csv_field, "plain", "plain");
    check(hs_csv_field, "-0.5", "-0.5");
    check(hs_csv_field, "-inf", "-inf");
    check(hs_csv_field, "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"");
    check(hs_csv_field, "@SUM(A1)", "\"'@SUM(A1)\"");
    check(hs_csv_field, "-x", "\"'-x\"");
    check(hs_csv_field, "a\nb,c", "\"a\\nb,c\"");
    check(hs_csv_field, "\x1b[2J", "\\x1b[2J");
}

static void test_html(void **state)
{
    (void)state;
    check(hs_html_text, "<svg onload='x'>&\"", "&lt;svg onload=&#39;x&#39;&gt;&amp;&quot;");
    check(hs_html_text,
          "\xe2\x80\xae"
          "L1H0\n",
          "\\u202eL1H0\\n");
}

static void test_table(void **state)
{
    (void)state;
    hs_table t;
    hs_table_init(&t, "t", 2);
    hs_table_head(&t, 0, "role");
    hs_table_head(&t, 1, "n");
    hs_table_str(&t, "%s", "a\n|<b>|x");
    hs_table_float(&t, 1.5f);
    assert_true(hs_table_ok(&t));
    for (int md = 0; md < 2; md++) {
        char *buf = NULL;
        size_t n = 0;
        FILE *m = open_memstream(&buf, &n);
        hs_table_text(m, &t, md);
        fclose(m);
        /* header, (rule,) one row: no line of its own from the \n */
        int lines = 0;
        for (char *p = buf; *p; p++) lines += *p == '\n';
        assert_int_equal(lines, md ? 3 : 2);
        assert_non_null(strstr(buf, md ? "a\\n\\|&lt;b>\\|x" : "a\\n|<b>|x"));
        free(buf);
    }
    hs_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_terminal), cmocka_unit_test(test_term_printf),
        cmocka_unit_test(test_csv),      cmocka_unit_test(test_html),
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
