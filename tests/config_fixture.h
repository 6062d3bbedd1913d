/* config_fixture.h — what the config tests share: message assertions and loading a YAML job
 * file from text. static inline, so a test that uses only some of it compiles warning-free. */
#ifndef HOPSWEEP_TESTS_CONFIG_FIXTURE_H
#define HOPSWEEP_TESTS_CONFIG_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "messages.h"

#include "hopsweep/config.h"

/* Writes `len` bytes to a new temporary file; its name goes to path[64]. */
static inline void write_tmp(char path[64], const char *text, size_t len)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, 64, "%s/hs_test_config_XXXXXX", dir && strlen(dir) < 32 ? dir : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
}

/* Loads `text` as a YAML job file on top of c; the file's name stays in path for messages. */
static inline hs_status load_text(hs_config *c, const char *text, hs_err *e, char path[64])
{
    write_tmp(path, text, strlen(text));
    hs_status st = hs_config_load_yaml(c, path, e);
    unlink(path);
    return st;
}

#endif
