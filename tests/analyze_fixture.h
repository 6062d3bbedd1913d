/* analyze_fixture.h — synthetic result stores for the analysis tests (test_analyze.c,
 * test_results.c): record lines shaped by hand as older writers left them (no heads, no
 * hop_steps, a bare config), each under the real id of its config (hs_config_id: the reader
 * refuses any other, finding F11), and helpers to analyse them and find groups and cells. The
 * writer's own records are read back in test_record.c. */
#ifndef HOPSWEEP_TEST_ANALYZE_FIXTURE_H
#define HOPSWEEP_TEST_ANALYZE_FIXTURE_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "messages.h"

#include "hopsweep/analyze.h"

#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

/* ---------------------------------------------------------------------------------------------
 * Synthetic stores from record lines */

/* The id of the config these overrides give ("task.hops=2 model.layers=1", space-separated). */
static inline const char *cfg_id(char out[17], const char *overrides)
{
    hs_config c;
    hs_config_default(&c);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", overrides);
    for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
        hs_err e = {0};
        if (hs_config_override(&c, tok, &e)) fail_msg("%s", e.msg);
    }
    hs_config_id(&c, out);
    return out;
}

/* The text with every "@overrides@" replaced by cfg_id(overrides) (caller frees). */
static inline char *with_ids(const char *text)
{
    size_t n = strlen(text);
    char *out = malloc(8 * n + 1), *o = out; /* "@@" (2 bytes) becomes 16 */
    assert_non_null(out);
    for (const char *p = text; *p;) {
        const char *end = *p == '@' ? strchr(p + 1, '@') : NULL;
        if (!end) {
            *o++ = *p++;
            continue;
        }
        char keys[256], id[17];
        snprintf(keys, sizeof keys, "%.*s", (int)(end - p - 1), p + 1);
        memcpy(o, cfg_id(id, keys), 16);
        o += 16;
        p = end + 1;
    }
    *o = '\0';
    return out;
}

/* A record line: hop_steps is emergence.hop_steps (e.g. "[0,100,null]", or NULL to leave it
 * out), em the emergence members after it (e.g. ",\"heads\":[...],\"order\":[...]", or "");
 * status "done", "failed" or "interrupted"; qacc < 0 writes null. */
static inline char *record(char *buf, size_t n, const char *cur, int hops, int layers, int seed,
                           const char *status, double qacc, const char *hop_steps, const char *em)
{
    char acc[32], id[17], keys[160];
    snprintf(keys, sizeof keys,
             "model.layers=%d task.hops=%d task.curriculum=%s task.chains=2 train.seed=%d", layers,
             hops, cur, seed);
    cfg_id(id, keys);
    if (qacc < 0)
        snprintf(acc, sizeof acc, "null");
    else
        snprintf(acc, sizeof acc, "%g", qacc);
    snprintf(buf, n,
             "{\"id\":\"%s\",\"sweep\":\"t\",\"config\":{\"model\":{\"layers\":%d},\"task\":"
             "{\"hops\":%d,\"curriculum\":\"%s\",\"chains\":2},\"train\":{\"seed\":%d}},"
             "\"status\":\"%s\",\"error\":null,\"steps\":1000,\"final\":{\"loss\":0.1,"
             "\"query_acc\":%s,\"hop_acc\":null},\"emergence\":{%s%s%s},\"files\":{\"metrics\":"
             "null}}\n",
             id, layers, hops, cur, seed, status, acc, hop_steps ? "\"hop_steps\":" : "",
             hop_steps ? hop_steps : "", hop_steps || em[0] != ',' ? em : em + 1);
    return buf;
}

typedef struct store_text {
    char *text;
    size_t len, cap;
} store_text;

/* Appends one line (with its newline) to the store's text. */
static inline void st_append(store_text *s, const char *line)
{
    size_t l = strlen(line);
    if (s->len + l + 1 > s->cap) {
        s->cap = (s->len + l + 1) * 2;
        s->text = realloc(s->text, s->cap);
        assert_non_null(s->text);
    }
    memcpy(s->text + s->len, line, l + 1);
    s->len += l;
}

static inline void st_add(store_text *s, const char *cur, int hops, int layers, int seed,
                          const char *status, double qacc, const char *hop_steps, const char *em)
{
    char line[4096];
    st_append(s, record(line, sizeof line, cur, hops, layers, seed, status, qacc, hop_steps, em));
}

static inline void analyze_text(const char *text, size_t len, const hs_analyze_opts *o,
                                hs_results *r, hs_analysis *a)
{
    hs_err e = {0};
    hs_results_init(r);
    if (hs_results_add_text(r, text, len, &e)) fail_msg("%s", e.msg);
    hs_analyze_opts d;
    hs_analyze_opts_default(&d);
    if (hs_analyze(r, o ? o : &d, a, &e)) fail_msg("%s", e.msg);
}

static inline const hs_group *group_of(const hs_analysis *a, const char *cur, int hops)
{
    for (size_t g = 0; g < a->n_groups; g++)
        if (a->groups[g].hops == hops &&
            !strcmp(hs_curriculum_name(a->families[a->groups[g].family].curriculum), cur))
            return &a->groups[g];
    fail_msg("no group %s hops %d", cur, hops);
    return NULL;
}

static inline const hs_cell *cell_of(const hs_analysis *a, const char *cur, int hops, int layers)
{
    const hs_group *g = group_of(a, cur, hops);
    for (size_t c = g->first_cell; c < g->first_cell + g->n_cells; c++)
        if (a->cells[c].layers == layers) return &a->cells[c];
    fail_msg("no cell %s hops %d layers %d", cur, hops, layers);
    return NULL;
}

#endif
