/* table.c — the typed table and its text, Markdown, CSV and JSON renderers (table.h). */
#include "hopsweep/table.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/escape.h"
#include "hopsweep/csv.h"

static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s) vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

void hs_table_init(hs_table *t, const char *name, int cols)
{
    memset(t, 0, sizeof *t);
    t->name = name;
    t->cols = cols;
    t->head = calloc((size_t)cols, sizeof *t->head);
    if (!t->head) t->nomem = true;
}

void hs_table_free(hs_table *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->v[i].str);
    if (t->head)
        for (int i = 0; i < t->cols; i++) free(t->head[i]);
    free(t->head);
    free(t->v);
    free(t->title);
    free(t->note);
    memset(t, 0, sizeof *t);
}

/* Replaces *slot with the formatted text. */
static void set_text(hs_table *t, char **slot, const char *fmt, va_list ap)
{
    free(*slot);
    *slot = vformat(fmt, ap);
    if (!*slot) t->nomem = true;
}

void hs_table_head(hs_table *t, int col, const char *fmt, ...)
{
    if (t->nomem) return;
    va_list ap;
    va_start(ap, fmt);
    set_text(t, &t->head[col], fmt, ap);
    va_end(ap);
}

void hs_table_heads(hs_table *t, const char *const *names)
{
    for (int i = 0; i < t->cols; i++) hs_table_head(t, i, "%s", names[i]);
}

void hs_table_title(hs_table *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_text(t, &t->title, fmt, ap);
    va_end(ap);
}

void hs_table_note(hs_table *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_text(t, &t->note, fmt, ap);
    va_end(ap);
}

static hs_tvalue *next(hs_table *t)
{
    if (t->nomem) return NULL;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        hs_tvalue *v = realloc(t->v, cap * sizeof *v);
        if (!v) {
            t->nomem = true;
            return NULL;
        }
        t->v = v;
        t->cap = cap;
    }
    hs_tvalue *v = &t->v[t->n++];
    memset(v, 0, sizeof *v);
    return v;
}

void hs_table_str(hs_table *t, const char *fmt, ...)
{
    hs_tvalue *v = next(t);
    if (!v) return;
    va_list ap;
    va_start(ap, fmt);
    v->kind = HS_TV_STR;
    v->str = vformat(fmt, ap);
    va_end(ap);
    if (!v->str) t->nomem = true, v->kind = HS_TV_NULL;
}

void hs_table_int(hs_table *t, long long x)
{
    hs_tvalue *v = next(t);
    if (v) v->kind = HS_TV_INT, v->num = (double)x;
}

void hs_table_num(hs_table *t, double x)
{
    hs_tvalue *v = next(t);
    if (v) v->kind = isnan(x) ? HS_TV_NULL : HS_TV_NUM, v->num = x;
}

void hs_table_bool(hs_table *t, int b)
{
    hs_tvalue *v = next(t);
    if (v) v->kind = b < 0 ? HS_TV_NULL : HS_TV_BOOL, v->num = b > 0;
}

void hs_table_null(hs_table *t) { next(t); }

void hs_table_words(hs_table *t, const char *words)
{
    hs_tvalue *v = next(t);
    if (!v) return;
    if (!(v->str = strdup(words))) {
        t->nomem = true;
        return;
    }
    v->kind = HS_TV_WORDS;
}

void hs_table_float(hs_table *t, float x)
{
    hs_tvalue *v = next(t);
    if (v) v->kind = HS_TV_FLOAT, v->num = x;
}

/* The text of a value for text, Markdown and CSV. */
static const char *value_text(const hs_tvalue *v, char *buf, size_t n)
{
    switch (v->kind) {
    case HS_TV_STR:
    case HS_TV_WORDS: return v->str;
    case HS_TV_INT: snprintf(buf, n, "%.0f", v->num); return buf;
    case HS_TV_NUM: snprintf(buf, n, "%.6g", v->num); return buf;
    case HS_TV_BOOL: return v->num ? "true" : "false";
    case HS_TV_FLOAT:
        for (int prec = 1; prec <= 9; prec++) { /* 9 digits always read back as the float */
            snprintf(buf, n, "%.*g", prec, v->num);
            if (strtof(buf, NULL) == (float)v->num) break;
        }
        return buf;
    default: return "";
    }
}

static const char *head_text(const hs_table *t, int c) { return t->head[c] ? t->head[c] : ""; }

/* The text of cell k (k < cols: the heading) as a table for people shows it: unsafe characters
 * as visible escapes (escape.h), and in Markdown a | (it would end the cell) and a < (it would
 * start HTML) escaped too. Caller frees; NULL when out of memory. */
static char *shown_cell(const hs_table *t, size_t k, bool markdown)
{
    char buf[64];
    int c = (int)(k % (size_t)t->cols);
    const char *s = k < (size_t)t->cols ? head_text(t, c)
                                        : value_text(&t->v[k - (size_t)t->cols], buf, sizeof buf);
    char *e = hs_escape_dup(s);
    if (!e || !markdown || !e[strcspn(e, "|<>&")]) return e;
    size_t n = 1;
    for (const char *p = e; *p; p++)
        n += *p == '|' ? 2 : *p == '&' ? 5 : *p == '<' || *p == '>' ? 4 : 1;
    char *m = malloc(n), *o = m;
    if (m)
        for (const char *p = e; *p; p++) {
            const char *rep = *p == '|' ? "\\|" : *p == '<' ? "&lt;" : NULL;
            if (rep) {
                o += strlen(strcpy(o, rep));
            } else {
                *o++ = *p;
            }
        }
    if (m) *o = '\0';
    free(e);
    return m;
}

void hs_table_text(FILE *f, const hs_table *t, bool markdown)
{
    size_t rows = hs_table_rows(t), cells = (rows + 1) * (size_t)t->cols;
    size_t *w = calloc((size_t)t->cols, sizeof *w);
    char **text = calloc(cells ? cells : 1, sizeof *text);
    bool ok = w && text;
    for (size_t k = 0; ok && k < cells; k++) ok = (text[k] = shown_cell(t, k, markdown)) != NULL;
    if (!ok) {
        fputs("(table lost: out of memory)\n", f);
        goto out;
    }
    for (size_t k = 0; k < cells; k++) {
        size_t l = strlen(text[k]), c = k % (size_t)t->cols;
        if (l > w[c]) w[c] = l;
    }
    unsigned left = t->left;
    for (size_t r = 0; r < rows; r++) /* a first column holding words is a column of labels */
        if (t->v[r * (size_t)t->cols].kind == HS_TV_STR) left |= 1u;
    if (t->title) {
        hs_term_printf(f, markdown ? "### %s\n" : "%s\n", t->title);
        if (markdown) fputc('\n', f);
    }
    for (size_t r = 0; r <= rows; r++) {
        if (markdown) fputs("|", f);
        for (int c = 0; c < t->cols; c++) {
            const char *s = text[r * (size_t)t->cols + (size_t)c];
            int width = (int)w[c];
            if (markdown) {
                fprintf(f, " %s%*s |", s, width - (int)strlen(s), "");
            } else {
                bool l = c < 32 && (left >> c & 1u);
                /* The last column is not padded on the right: no trailing spaces. */
                fprintf(f, l ? "%s%-*s" : "%s%*s", c ? "  " : "", l && c == t->cols - 1 ? 0 : width,
                        s);
            }
        }
        fputc('\n', f);
        if (markdown && r == 0) {
            fputs("|", f);
            for (int c = 0; c < t->cols; c++)
                fputs(c < 32 && (left >> c & 1u) ? ":---|" : "---:|", f);
            fputc('\n', f);
        }
    }
    if (t->note) {
        if (markdown) fputc('\n', f);
        hs_term_printf(f, "%s\n", t->note);
    }
out:
    for (size_t k = 0; text && k < cells; k++) free(text[k]);
    free(text);
    free(w);
}

void hs_table_csv(FILE *f, const hs_table *t)
{
    char buf[64];
    if (t->name) fprintf(f, "# %s\n", t->name);
    for (int c = 0; c < t->cols; c++) {
        if (c) fputc(',', f);
        hs_csv_field(f, head_text(t, c));
    }
    fputc('\n', f);
    for (size_t i = 0; i < t->n; i++) {
        hs_csv_field(f, value_text(&t->v[i], buf, sizeof buf));
        fputc((i + 1) % (size_t)t->cols ? ',' : '\n', f);
    }
}

static void json_value(hs_json *j, const hs_tvalue *v)
{
    switch (v->kind) {
    case HS_TV_STR: hs_json_string(j, v->str); break;
    case HS_TV_INT: hs_json_int(j, (int64_t)v->num); break;
    case HS_TV_NUM: hs_json_double(j, v->num); break;
    case HS_TV_BOOL: hs_json_bool(j, v->num != 0); break;
    case HS_TV_FLOAT: hs_json_float(j, (float)v->num); break;
    case HS_TV_WORDS: {
        hs_json_array_begin(j);
        const char *p = v->str;
        char word[128];
        while (*p) {
            size_t len = strcspn(p, " ");
            if (len >= sizeof word) len = sizeof word - 1;
            memcpy(word, p, len);
            word[len] = '\0';
            hs_json_string(j, word);
            p += strcspn(p, " ");
            p += *p == ' ';
        }
        hs_json_array_end(j);
        break;
    }
    default: hs_json_null(j); break;
    }
}

void hs_table_json_row(hs_json *j, const hs_table *t, size_t row)
{
    for (int c = 0; c < t->cols; c++) {
        hs_json_key(j, head_text(t, c));
        json_value(j, &t->v[row * (size_t)t->cols + (size_t)c]);
    }
}

void hs_table_json(hs_json *j, const hs_table *t)
{
    hs_json_key(j, t->name ? t->name : "");
    hs_json_array_begin(j);
    for (size_t r = 0; r < hs_table_rows(t); r++) {
        hs_json_object_begin(j);
        hs_table_json_row(j, t, r);
        hs_json_object_end(j);
    }
    hs_json_array_end(j);
}
