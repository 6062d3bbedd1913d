/* sweep_values.c — the sweep loader's plumbing: messages that say where a value came from (a
 * file position or a command-line argument), and the lists of canonical values behind grid axes
 * and exclude entries, each with an open-addressing hash index so that a repeat is found without
 * scanning (a grid axis may hold 10^6 values). */
#include "sweep_loader.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/yamlfile.h"

/* ---------------------------------------------------------------------------------------------
 * Messages */

hs_status sweep_fail_at(const loader *L, origin o, const char *fmt, ...)
{
    char inner[sizeof L->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(inner, sizeof inner, fmt, ap);
    va_end(ap);
    if (o.arg) {
        const char *t = L->overrides[o.arg - 1];
        char q[HS_QUOTED_MAX];
        hs_quote(t, strlen(t), '`', q, sizeof q);
        return hs_fail(L->err, HS_EINPUT, "command line argument %d (%s): %s", o.arg, q, inner);
    }
    if (o.line) return hs_fail(L->err, HS_EINPUT, "%s:%zu:%zu: %s", L->path, o.line, o.col, inner);
    return hs_fail(L->err, HS_EINPUT, "%s: %s", L->path ? L->path : "command line", inner);
}

hs_status sweep_out_of_memory(const loader *L)
{
    return hs_fail(L->err, HS_ENOMEM, "%s: out of memory loading the sweep",
                   L->path ? L->path : "command line");
}

/* ---------------------------------------------------------------------------------------------
 * Value lists and axes */

static size_t text_hash(const char *t)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (; *t; t++) h = (h ^ (unsigned char)*t) * 0x100000001b3ull;
    return (size_t)h;
}

/* The slot of text in x: where it is, or the empty slot where it would go. */
static size_t strindex_slot(const strindex *x, char *const *v, const char *t)
{
    size_t i = text_hash(t) & (x->cap - 1);
    while (x->slot[i] && strcmp(v[x->slot[i] - 1], t)) i = (i + 1) & (x->cap - 1);
    return i;
}

/* Index of text in v (indexed by x), -1 if none. */
int sweep_strindex_find(const strindex *x, char *const *v, const char *t)
{
    if (!x->cap) return -1;
    size_t i = strindex_slot(x, v, t);
    return x->slot[i] ? x->slot[i] - 1 : -1;
}

/* Indexes v[0..n) afresh with room for `room` values (a later value repeating an earlier one
 * keeps the earlier's index). */
bool sweep_strindex_build(strindex *x, char *const *v, int n, size_t room)
{
    size_t cap = 16;
    while (cap < 2 * room) cap *= 2;
    int *slot = calloc(cap, sizeof *slot);
    if (!slot) return false;
    free(x->slot);
    *x = (strindex){.slot = slot, .cap = cap};
    for (int i = 0; i < n; i++) {
        size_t k = strindex_slot(x, v, v[i]);
        if (!x->slot[k]) x->slot[k] = i + 1;
    }
    return true;
}

void sweep_strindex_free(strindex *x)
{
    free(x->slot);
    memset(x, 0, sizeof *x);
}

void sweep_free_values(char **v, int n)
{
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

void sweep_vlist_free(vlist *l)
{
    sweep_free_values(l->v, l->n);
    free(l->at);
    sweep_strindex_free(&l->ix);
    memset(l, 0, sizeof *l);
}

bool sweep_vlist_add(vlist *l, const char *text, origin at)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 8;
        char **v = realloc(l->v, (size_t)cap * sizeof *v);
        if (!v) return false;
        l->v = v;
        origin *o = realloc(l->at, (size_t)cap * sizeof *o);
        if (!o) return false;
        l->at = o;
        l->cap = cap;
    }
    char *copy = strdup(text);
    if (!copy) return false;
    l->v[l->n] = copy;
    l->at[l->n++] = at;
    if (2 * (size_t)l->n > l->ix.cap) /* grow: index everything again, amortised O(1) */
        return sweep_strindex_build(&l->ix, l->v, l->n, 2 * (size_t)l->n);
    size_t k = strindex_slot(&l->ix, l->v, copy);
    if (!l->ix.slot[k]) l->ix.slot[k] = l->n;
    return true;
}

/* Index in l of the value whose canonical text is v, -1 if none. */
int sweep_vlist_find(const vlist *l, const char *v) { return sweep_strindex_find(&l->ix, l->v, v); }

int sweep_axis_find(const hs_sweep *s, int key)
{
    for (int a = 0; a < s->n_axes; a++)
        if (s->axes[a].key == key) return a;
    return -1;
}

/* Makes l the axis of key at position `at` (replacing the axis there, or appended when at is
 * n_axes). l's arrays move into the sweep; l is left empty either way. */
hs_status sweep_axis_put(loader *L, int at, int key, vlist *l)
{
    hs_sweep *s = L->s;
    if (at < s->n_axes) {
        sweep_free_values(s->axes[at].values, s->axes[at].n);
        free(L->from[at]);
    } else {
        hs_sweep_axis *axes = realloc(s->axes, (size_t)(s->n_axes + 1) * sizeof *axes);
        if (axes) s->axes = axes;
        origin **from = axes ? realloc(L->from, (size_t)(s->n_axes + 1) * sizeof *from) : NULL;
        if (!from) {
            sweep_vlist_free(l);
            return sweep_out_of_memory(L);
        }
        L->from = from;
        s->n_axes++;
    }
    s->axes[at] = (hs_sweep_axis){.key = key, .n = l->n, .values = l->v};
    L->from[at] = l->at;
    sweep_strindex_free(&l->ix);
    memset(l, 0, sizeof *l);
    return HS_OK;
}

void sweep_axis_remove(loader *L, int a)
{
    hs_sweep *s = L->s;
    sweep_free_values(s->axes[a].values, s->axes[a].n);
    free(L->from[a]);
    memmove(s->axes + a, s->axes + a + 1, (size_t)(s->n_axes - a - 1) * sizeof *s->axes);
    memmove(L->from + a, L->from + a + 1, (size_t)(s->n_axes - a - 1) * sizeof *L->from);
    s->n_axes--;
}
