/* error.h — error codes and the context that carries a message with them.
 *
 * Every fallible hopsweep function returns an hs_status and, when it fails, leaves a one-line
 * message in the caller's hs_err (what, where, what to do), as zstd and libyaml do with their
 * contexts. No global error state. */
#ifndef HOPSWEEP_ERROR_H
#define HOPSWEEP_ERROR_H

#include <stddef.h>

/* The codes are negative so that none reads as a process exit status: a command turns one into
 * its exit code with hs_exit_code (cli.h), the one mapping. */
typedef enum {
    HS_OK = 0,
    HS_EINPUT = -1,   /* bad user input: config, YAML, arguments */
    HS_EIO = -2,      /* a file could not be read or written */
    HS_ENUMERIC = -3, /* training diverged: NaN or inf loss */
    HS_ENOMEM = -4,
    HS_EINTERNAL = -5,
} hs_status;

typedef struct hs_err {
    hs_status code;
    char msg[512];
} hs_err;

/* Records code and a printf-style message in err (if err is not NULL); returns code. */
hs_status hs_fail(hs_err *err, hs_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

void hs_err_clear(hs_err *err);

#endif
