/* escape.c — visible escapes for unsafe characters (escape.h). */
#include "hopsweep/escape.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The code point of the valid UTF-8 sequence at s and its length, or 0 bytes when invalid
 * (overlong, a surrogate, beyond U+10FFFF, cut short). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    unsigned c = s[0];
    size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    if (!n || c >= 0xf8) return 0;
    uint32_t v = c & (0x7fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        v = v << 6 | (s[i] & 0x3fu);
    }
    static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < least[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
    *cp = v;
    return n;
}

static bool unsafe_cp(uint32_t v)
{
    return (v >= 0x80 && v <= 0x9f) || v == 0x061c || v == 0x200e || v == 0x200f ||
           (v >= 0x2028 && v <= 0x202e) || (v >= 0x2066 && v <= 0x2069);
}

size_t hs_escape_step(const char *s, char out[HS_ESCAPE_MAX])
{
    const unsigned char c = (unsigned char)*s;
    out[0] = '\0';
    if (c >= 0x20 && c < 0x7f) return 1;
    if (c < 0x80) {
        const char *named = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
        if (named)
            strcpy(out, named);
        else
            snprintf(out, HS_ESCAPE_MAX, "\\x%02x", c);
        return 1;
    }
    uint32_t v;
    size_t n = utf8_decode((const unsigned char *)s, &v);
    if (!n) {
        snprintf(out, HS_ESCAPE_MAX, "\\x%02x", c);
        return 1;
    }
    if (unsafe_cp(v)) snprintf(out, HS_ESCAPE_MAX, "\\u%04x", (unsigned)v);
    return n;
}

bool hs_escape_needed(const char *s)
{
    char e[HS_ESCAPE_MAX];
    while (s && *s) {
        s += hs_escape_step(s, e);
        if (e[0]) return true;
    }
    return false;
}

void hs_term_fputs(FILE *f, const char *s)
{
    char e[HS_ESCAPE_MAX];
    while (s && *s) {
        size_t n = hs_escape_step(s, e);
        if (e[0])
            fputs(e, f);
        else
            fwrite(s, 1, n, f);
        s += n;
    }
}

void hs_term_printf(FILE *f, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    char small[512], *text = small;
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof small) {
        text = malloc((size_t)n + 1);
        if (text) vsnprintf(text, (size_t)n + 1, fmt, ap2);
    }
    va_end(ap2);
    if (n < 0 || !text) {
        fputs("(message lost: out of memory)\n", f);
        return;
    }
    bool newline = n > 0 && text[n - 1] == '\n';
    if (newline) text[n - 1] = '\0';
    hs_term_fputs(f, text);
    if (newline) fputc('\n', f);
    if (text != small) free(text);
}

char *hs_escape_dup(const char *s)
{
    size_t len = 1;
    char e[HS_ESCAPE_MAX];
    for (const char *p = s; *p;) {
        size_t n = hs_escape_step(p, e);
        len += e[0] ? strlen(e) : n;
        p += n;
    }
    char *out = malloc(len), *o = out;
    if (!out) return NULL;
    for (const char *p = s; *p;) {
        size_t n = hs_escape_step(p, e);
        size_t k = e[0] ? strlen(e) : n;
        memcpy(o, e[0] ? e : p, k);
        o += k;
        p += n;
    }
    *o = '\0';
    return out;
}
