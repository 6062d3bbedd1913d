/* sweep_fixture.h — what the sweep tests (test_sweep.c, test_sweep_bounds.c) share: sweep files
 * written to a fresh temporary directory, loading them expecting success or one clear line at
 * file:line:column, and reading a job's value back. Header-only, every helper static inline. */
#ifndef HOPSWEEP_TESTS_SWEEP_FIXTURE_H
#define HOPSWEEP_TESTS_SWEEP_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "messages.h"

#include "hopsweep/config.h"
#include "hopsweep/sweep.h"

/* ---------------------------------------------------------------------------------------------
 * Helpers */

/* A file in its own temporary directory. */
typedef struct fixture {
    char dir[64];
    char path[128];
} fixture;

static inline void fx_write(fixture *f, const char *name, const char *text)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/hs_test_sweep_XXXXXX",
             tmp && strlen(tmp) < 32 ? tmp : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
    FILE *fp = fopen(f->path, "wb");
    assert_non_null(fp);
    size_t len = strlen(text);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static inline void fx_remove(const fixture *f)
{
    unlink(f->path);
    rmdir(f->dir);
}

/* Loads text as sweep file "name" plus overrides, expecting success. */
static inline void load_ok(hs_sweep *s, const char *name, const char *text, int n_ov,
                           char *const *ov)
{
    fixture f;
    fx_write(&f, name, text);
    hs_err e;
    hs_err_clear(&e);
    hs_status st = hs_sweep_load(s, f.path, n_ov, ov, &e);
    fx_remove(&f);
    if (st) fail_msg("load failed (%d): %s", (int)st, e.msg);
}

static inline void assert_empty(const hs_sweep *s)
{
    assert_null(s->name);
    assert_null(s->output);
    assert_null(s->axes);
    assert_null(s->jobs);
    assert_null(s->yaml);
    assert_int_equal(s->n_axes, 0);
    assert_int_equal(s->n_jobs, 0);
}

/* Loads text (file "s.yaml") with overrides expecting `code`; the message must be one line,
 * start with "path:line:col: " when line > 0 (or with `prefix` when not NULL), and contain
 * needle. The sweep must be left empty. */
static inline void expect_fails_ov(const char *text, int n_ov, char *const *ov, hs_status code,
                                   int line, int col, const char *prefix, const char *needle)
{
    fixture f;
    fx_write(&f, "s.yaml", text);
    hs_sweep s;
    memset(&s, 0x5a, sizeof s); /* garbage in: load must not rely on it */
    hs_err e;
    hs_err_clear(&e);
    hs_status st = hs_sweep_load(&s, f.path, n_ov, ov, &e);
    fx_remove(&f); /* before any check can fail; f.path stays for the message test */
    if (st != code) fail_msg("expected status %d, got %d: %s", (int)code, (int)st, e.msg);
    assert_int_equal(e.code, code);
    assert_one_line(e.msg);
    char where[192];
    if (line > 0)
        snprintf(where, sizeof where, "%s:%d:%d: ", f.path, line, col);
    else
        snprintf(where, sizeof where, "%s", prefix ? prefix : "");
    if (strncmp(e.msg, where, strlen(where)))
        fail_msg("message \"%s\" does not start with \"%s\"", e.msg, where);
    assert_has(e.msg, needle);
    assert_empty(&s);
    hs_sweep_free(&s); /* harmless on an empty sweep */
}

static inline void expect_fails(const char *text, int line, int col, const char *needle)
{
    expect_fails_ov(text, 0, NULL, HS_EINPUT, line, col, NULL, needle);
}

static const char *value_of(const hs_config *c, const char *key, char *buf, size_t n)
{
    int i = hs_config_key_index(key);
    assert_true(i >= 0);
    hs_config_format(c, (size_t)i, buf, n);
    return buf;
}

static inline int cmp_id(const void *a, const void *b) { return strcmp(a, b); }

#endif
