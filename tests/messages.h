/* messages.h — the two checks every test of an error message makes: it names what it should
 * (assert_has), and it is one line (assert_one_line), as the CLI prints it. Header-only. */
#ifndef HOPSWEEP_TESTS_MESSAGES_H
#define HOPSWEEP_TESTS_MESSAGES_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

/* Fails unless `msg` contains `needle`; prints the message so a failure shows what was said. */
#define assert_has(msg, needle)                                                                 \
    do {                                                                                        \
        if (!strstr((msg), (needle))) fail_msg("message \"%s\" lacks \"%s\"", (msg), (needle)); \
    } while (0)

/* Fails unless msg is one non-empty line. */
static inline void assert_one_line(const char *msg)
{
    assert_true(msg[0] != '\0');
    if (strchr(msg, '\n')) fail_msg("message spans lines: \"%s\"", msg);
}

#endif
