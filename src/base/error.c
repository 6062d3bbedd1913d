/* error.c — filling an hs_err. */
#include "hopsweep/error.h"

#include <stdarg.h>
#include <stdio.h>

hs_status hs_fail(hs_err *err, hs_status code, const char *fmt, ...)
{
    if (err) {
        err->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void hs_err_clear(hs_err *err)
{
    if (err) {
        err->code = HS_OK;
        err->msg[0] = '\0';
    }
}
