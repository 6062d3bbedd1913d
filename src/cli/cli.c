/* cli.c — exit codes, printing a failure, and the strict argument parsers shared by every
 * command (cli.h). */
#include "hopsweep/cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hs_exit_code(hs_status st)
{
    switch (st) {
    case HS_OK: return HS_EXIT_OK;
    case HS_EINPUT: return HS_EXIT_BAD_INPUT;
    case HS_ENUMERIC: return HS_EXIT_JOB_FAILED;
    default: return HS_EXIT_IO;
    }
}

int hs_exit_code_loading(hs_status st)
{
    return st == HS_EIO ? HS_EXIT_BAD_INPUT : hs_exit_code(st);
}

int hs_cli_fail(const char *cmd, const hs_err *err)
{
    fprintf(stderr, "hopsweep %s: %s\n", cmd, err->msg);
    return hs_exit_code(err->code);
}

int hs_cli_fail_loading(const char *cmd, const hs_err *err)
{
    fprintf(stderr, "hopsweep %s: %s\n", cmd, err->msg);
    return hs_exit_code_loading(err->code);
}

bool hs_cli_has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return true;
    return false;
}

void hs_cli_put_shell_word(FILE *f, const char *s, bool always_quote)
{
    static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                "_-.,=/:+@%";
    /* a leading '=' is zsh's path expansion, a leading '-' harmless */
    if (!always_quote && *s && *s != '=' && !s[strspn(s, plain)]) {
        fputs(s, f);
        return;
    }
    if (hs_cli_has_control(s)) {
        fputs("$'", f);
        for (; *s; s++) {
            unsigned char c = (unsigned char)*s;
            if (c < 0x20 || c == 0x7f)
                fprintf(f, "\\x%02x", c);
            else if (c == '\\' || c == '\'')
                fprintf(f, "\\%c", c);
            else
                fputc(c, f);
        }
        fputc('\'', f);
        return;
    }
    fputc('\'',
          f); /* inside single quotes nothing is special; a quote closes, is escaped, reopens */
    for (const char *q; (q = strchr(s, '\'')); s = q + 1) {
        fwrite(s, 1, (size_t)(q - s), f);
        fputs("'\\''", f);
    }
    fputs(s, f);
    fputc('\'', f);
}

hs_status hs_cli_bad_input(hs_err *err, const char *fmt, ...)
{
    if (!err) return HS_EINPUT;
    char raw[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    size_t n = 0;
    for (const char *s = raw; *s && n + 5 < sizeof raw; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\n' || c == '\t') {
            n += (size_t)snprintf(err->msg + n, 3, "\\%c", c == '\n' ? 'n' : 't');
        } else if (c < 0x20 || c == 0x7f) {
            n += (size_t)snprintf(err->msg + n, 5, "\\x%02x", c);
        } else {
            err->msg[n++] = (char)c;
        }
    }
    err->msg[n] = '\0';
    err->code = HS_EINPUT;
    return HS_EINPUT;
}

bool hs_cli_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return true;
    return false;
}

/* Optional '-' (when allowed), then 1 to 18 decimal digits and nothing else: strtol alone
 * would take " 4", "+4" and stop quietly at "4.5"; 18 digits cannot overflow a long. */
static bool is_decimal(const char *s, bool minus)
{
    if (minus && *s == '-') s++;
    size_t d = strspn(s, "0123456789");
    return d > 0 && d <= 18 && !s[d];
}

hs_status hs_cli_parse_long(const char *s, long lo, long hi, const char *what, long *out,
                            hs_err *err)
{
    long v = is_decimal(s, lo < 0) ? strtol(s, NULL, 10) : 0;
    if (!is_decimal(s, lo < 0) || v < lo || v > hi)
        return hs_cli_bad_input(err, "%s \"%.64s\" is not a whole number in %ld..%ld", what, s, lo,
                                hi);
    *out = v;
    return HS_OK;
}

hs_status hs_cli_parse_int(const char *s, int lo, int hi, const char *what, int *out, hs_err *err)
{
    long v = 0;
    hs_status st = hs_cli_parse_long(s, lo, hi, what, &v, err);
    if (!st) *out = (int)v;
    return st;
}

hs_status hs_cli_parse_double(const char *s, double lo, bool lo_open, double hi, const char *what,
                              double *out, hs_err *err)
{
    /* decimal only: no spaces, hex, inf or nan, which strtod would all take */
    char *end = NULL;
    errno = 0;
    double v = *s && !s[strspn(s, "0123456789.eE+-")] ? strtod(s, &end) : NAN;
    if (!end || end == s || *end || errno || !isfinite(v) || v < lo || (lo_open && v == lo) ||
        v > hi)
        return hs_cli_bad_input(err, "%s \"%.64s\" is not a number in %s%g, %g]", what, s,
                                lo_open ? "(" : "[", lo, hi);
    *out = v;
    return HS_OK;
}

hs_status hs_cli_parse_shard(const char *s, const char *what, long *k, long *n, hs_err *err)
{
    const char *slash = strchr(s, '/');
    char first[24];
    size_t len = slash ? (size_t)(slash - s) : 0;
    if (slash && len < sizeof first) {
        memcpy(first, s, len);
        first[len] = '\0';
    }
    long kk = -1, nn = 0;
    if (slash && len < sizeof first && is_decimal(first, false) && is_decimal(slash + 1, false)) {
        kk = strtol(first, NULL, 10);
        nn = strtol(slash + 1, NULL, 10);
    }
    if (nn < 1 || nn > 1000000 || kk < 0 || kk >= nn)
        return hs_cli_bad_input(err, "%s \"%.64s\" must be K/N with 0 <= K < N <= 1000000", what,
                                s);
    *k = kk;
    *n = nn;
    return HS_OK;
}

hs_status hs_cli_parse_threads(const char *s, int *out, hs_err *err)
{
    return hs_cli_parse_int(s, 1, 1024, "--threads", out, err);
}
