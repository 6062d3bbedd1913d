/* escape.h — showing text that came from a store, a file or argv on a terminal without letting
 * it act. Control characters (C0, DEL, C1), the bidirectional controls that reorder what a line
 * shows (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) and the line and paragraph
 * separators U+2028, U+2029 become visible escapes (\n, \r, \t, \x1b, \u202e), as does every
 * byte that is not part of valid UTF-8 (\xff); everything else is written as it is. So an ESC,
 * OSC or CSI sequence, a carriage return or a newline inside a record, a file name or an
 * argument can neither drive the terminal nor start a forged line. The other sinks (the
 * report's HTML in report_svg.h, CSV in csv.h, Markdown tables in table.h) use the same rule
 * through hs_escape_step, each adding its own quoting. */
#ifndef HOPSWEEP_ESCAPE_H
#define HOPSWEEP_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The longest escape hs_escape_step writes, with its NUL. */
#define HS_ESCAPE_MAX 8

/* Looks at the character starting at s (not at its terminating NUL): returns how many bytes it
 * takes (1 to 4) and writes into out its visible escape when it is one of those above, else
 * "" (the bytes are safe to write as they are). */
size_t hs_escape_step(const char *s, char out[HS_ESCAPE_MAX]);

/* Whether s holds anything hs_escape_step would escape. */
bool hs_escape_needed(const char *s);

/* Writes s (NULL writes nothing) with every unsafe character as its escape. */
void hs_term_fputs(FILE *f, const char *s);

/* Writes the formatted text as hs_term_fputs does, except for one newline at its very end,
 * which stays a newline: one message, one line, whatever its arguments hold. */
void hs_term_printf(FILE *f, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* s escaped into a new string (caller frees); NULL when out of memory. */
char *hs_escape_dup(const char *s);

#endif
