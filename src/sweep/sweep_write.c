/* sweep_write.c — the sweep as run, written as YAML (hs_sweep.yaml, the store's sweep.yaml):
 * name:, output:, base: with every job key (the config's own YAML form, hs_config_write_yaml),
 * grid: and exclude: in canonical values, so that loading it gives the same jobs and ids. */
#include "sweep_loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A string as a YAML scalar: plain when it is a simple word or path that no YAML reader takes
 * for anything but a string, else a JSON string (which is also YAML). */
static void put_string(FILE *f, const char *s)
{
    static const char *const special[] = {"true", "false", "yes", "no",   "on",
                                          "off",  "y",     "n",   "null", NULL};
    bool plain = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_';
    for (const char *p = s; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                strchr("_-./", *p);
    for (int i = 0; special[i] && plain; i++) {
        size_t k = 0;
        while (s[k] && special[i][k] && (s[k] | 0x20) == special[i][k]) k++;
        plain = !(s[k] == '\0' && special[i][k] == '\0');
    }
    if (plain) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

hs_status sweep_write_yaml(loader *L)
{
    const hs_sweep *s = L->s;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return sweep_out_of_memory(L);
    fprintf(f, "# The sweep as hopsweep ran it: base: holds every job key, so this file gives the\n"
               "# same jobs, with the same ids, to `hopsweep run` and `hopsweep expand`.\n");
    fprintf(f, "name: ");
    put_string(f, s->name);
    fprintf(f, "\noutput: ");
    put_string(f, s->output);
    fprintf(f, "\nbase:\n");
    hs_config_write_yaml(&s->base, "  ", f); /* a write error shows in ferror below */
    if (s->n_axes) fprintf(f, "grid:\n");
    for (int a = 0; a < s->n_axes; a++) {
        fprintf(f, "  %s: [", hs_config_key_name((size_t)s->axes[a].key));
        for (int i = 0; i < s->axes[a].n; i++)
            fprintf(f, "%s%s", i ? ", " : "", s->axes[a].values[i]);
        fprintf(f, "]\n");
    }
    if (L->n_entries) fprintf(f, "exclude:\n");
    for (int i = 0; i < L->n_entries; i++) {
        const entry *e = &L->entries[i];
        fprintf(f, "  - {");
        for (int j = 0; j < e->n; j++) {
            fprintf(f, "%s%s: %s", j ? ", " : "", hs_config_key_name((size_t)e->m[j].key),
                    e->m[j].n > 1 ? "[" : "");
            for (int k = 0; k < e->m[j].n; k++)
                fprintf(f, "%s%s", k ? ", " : "", e->m[j].values[k]);
            fprintf(f, "%s", e->m[j].n > 1 ? "]" : "");
        }
        fprintf(f, "}\n");
    }
    bool bad = ferror(f) != 0;
    if (fclose(f) || bad) {
        free(text);
        return sweep_out_of_memory(L);
    }
    L->s->yaml = text;
    return HS_OK;
}
