/* csv.c — CSV field quoting (csv.h). */
#include "hopsweep/csv.h"

#include <string.h>

void hs_csv_field(FILE *f, const char *s)
{
    if (!s[strcspn(s, ",\"\n\r")] && s[0] != ' ' && (!*s || s[strlen(s) - 1] != ' ')) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"') fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}
