/* csv.c — CSV field quoting (csv.h). */
#include "hopsweep/csv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/escape.h"

/* Whether a spreadsheet would take s as a formula: it starts with = or @ (or a tab or CR), or
 * with + or - and is not a number. */
static bool formula_like(const char *s)
{
    if (s[0] == '=' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') return true;
    if (s[0] != '+' && s[0] != '-') return false;
    char *end;
    strtod(s, &end);
    return end == s || *end;
}

void hs_csv_field(FILE *f, const char *s)
{
    bool unsafe = hs_escape_needed(s);
    char *e = unsafe ? hs_escape_dup(s) : NULL;
    const char *t = e ? e : unsafe ? "(out of memory)" : s;
    bool guard = formula_like(t);
    if (!t[strcspn(t, ",\"\n\r")] && t[0] != ' ' && (!*t || t[strlen(t) - 1] != ' ') && !guard) {
        fputs(t, f);
        free(e);
        return;
    }
    fputc('"', f);
    if (guard) fputc('\'', f); /* shown as text, never evaluated */
    for (const char *p = t; *p; p++) {
        if (*p == '"') fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
    free(e);
}
