/* analyze_cmd.c — the `hopsweep analyze` command: parses its flags, loads the store and runs the
 * analysis (analyze.c), then formats the result. Each table is built once as rows of typed
 * values and rendered as aligned text, Markdown, CSV or one JSON object; the terminal and
 * Markdown get matrices (layers × hops, role × role), CSV and JSON get one row per observation,
 * which is what scripts want. --plots writes each figure's data as a .dat file and runs the
 * matching gnuplot script of analysis/. */
#include "hopsweep/analyze_cmd.h"
#include "hopsweep/cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/analyze.h"
#include "hopsweep/csv.h"
#include "hopsweep/fileio.h"
#include "hopsweep/gnuplot.h"
#include "hopsweep/json.h"


static const char USAGE[] =
    "usage: hopsweep analyze RESULTS [--tau X] [--fraction F] [--csv | --json | --markdown]\n"
    "                        [--table NAME] [--plots DIR [--run ID]]\n"
    "\n"
    "Reads the result store RESULTS (a sweep's output directory, finished or still running;\n"
    "its lock is not taken) and prints: (1) the minimum number of layers that solves each hops\n"
    "value, per curriculum, beside the theory's ceil(log3(2D+1)); (2) the accuracy matrix layers\n"
    "x hops; (3) the curricula compared; (4) how heads and hop counts emerge across seeds.\n"
    "Runs are grouped by every config key but model.layers and train.seed. Failed runs count as\n"
    "seeds that did not solve; interrupted runs are left out until rerun.\n"
    "\n"
    "  --tau X        a run solves when its final query accuracy >= X (default 0.95)\n"
    "  --fraction F   a depth solves when at least F of its seeds solve (default: more than half)\n"
    "  --csv          tables as CSV, one row per observation, each after a \"# NAME\" line\n"
    "  --json         everything as one JSON object, one array of rows per table\n"
    "  --markdown     tables as Markdown\n"
    "  --table NAME   print only that table: min_layers, accuracy, curricula, emergence, roles,\n"
    "                 precedence\n"
    "  --plots DIR    also draw the figures into DIR as PNG and SVG (with their .dat data) with\n"
    "                 gnuplot: minimum layers vs hops, accuracy heatmaps, per-hop accuracy over\n"
    "                 training, emergence timeline, precedence heatmap\n"
    "  --run ID       the run whose training is drawn (default: a solved run with the most hops,\n"
    "                 then fewest layers, lowest seed); the emergence figures show its\n"
    "                 configuration when it has head data\n"
    "\n"
    "The gnuplot scripts are found in HOPSWEEP_ANALYSIS_DIR, else in analysis/ beside the\n"
    "directory of the hopsweep executable.\n";

static const char *const TABLES[] = {"min_layers", "accuracy", "curricula",
                                     "emergence",  "roles",    "precedence"};

typedef enum { FMT_TEXT, FMT_CSV, FMT_JSON, FMT_MARKDOWN } out_format;

typedef struct args {
    const char *store, *table, *plots, *run;
    out_format fmt;
    hs_analyze_opts opts;
} args;

/* ---------------------------------------------------------------------------------------------
 * Tables of typed values */

typedef enum { V_NULL, V_STR, V_INT, V_NUM, V_BOOL, V_ROLES } vkind;

typedef struct value {
    vkind kind;
    double num; /* V_INT, V_NUM, V_BOOL */
    char *str;  /* V_STR; V_ROLES: role names separated by single spaces */
} value;

typedef struct table {
    const char *name; /* what --table selects; the CSV "# name" line; the JSON key */
    char *title;      /* heading in text and Markdown, or NULL */
    char *note;       /* a line under the table in text and Markdown, or NULL */
    int cols;
    unsigned left;    /* bit c: column c is left-aligned in text (default: numbers right,
                         a first column of labels left) */
    char **head;      /* [cols] */
    value *v;         /* row-major [rows][cols] */
    size_t n, cap;
    bool nomem;
} table;

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

#if defined(__GNUC__)
#define PRINTF_LIKE(a, b) __attribute__((format(printf, a, b)))
#else
#define PRINTF_LIKE(a, b)
#endif

static void tb_init(table *t, const char *name, int cols)
{
    memset(t, 0, sizeof *t);
    t->name = name;
    t->cols = cols;
    t->head = calloc((size_t)cols, sizeof *t->head);
    if (!t->head) t->nomem = true;
}

PRINTF_LIKE(3, 4) static void tb_head(table *t, int col, const char *fmt, ...)
{
    if (t->nomem) return;
    va_list ap;
    va_start(ap, fmt);
    free(t->head[col]);
    t->head[col] = vformat(fmt, ap);
    va_end(ap);
    if (!t->head[col]) t->nomem = true;
}

/* Sets every header at once from a NULL-free list of cols names. */
static void tb_heads(table *t, const char *const *names)
{
    for (int i = 0; i < t->cols; i++) tb_head(t, i, "%s", names[i]);
}

PRINTF_LIKE(2, 3) static void tb_title(table *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    free(t->title);
    t->title = vformat(fmt, ap);
    va_end(ap);
    if (!t->title) t->nomem = true;
}

PRINTF_LIKE(2, 3) static void tb_note(table *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    free(t->note);
    t->note = vformat(fmt, ap);
    va_end(ap);
    if (!t->note) t->nomem = true;
}

static value *tb_next(table *t)
{
    if (t->nomem) return NULL;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        value *v = realloc(t->v, cap * sizeof *v);
        if (!v) {
            t->nomem = true;
            return NULL;
        }
        t->v = v;
        t->cap = cap;
    }
    value *v = &t->v[t->n++];
    memset(v, 0, sizeof *v);
    return v;
}

PRINTF_LIKE(2, 3) static void tb_str(table *t, const char *fmt, ...)
{
    value *v = tb_next(t);
    if (!v) return;
    va_list ap;
    va_start(ap, fmt);
    v->kind = V_STR;
    v->str = vformat(fmt, ap);
    va_end(ap);
    if (!v->str) t->nomem = true, v->kind = V_NULL;
}

static void tb_int(table *t, long long x)
{
    value *v = tb_next(t);
    if (v) v->kind = V_INT, v->num = (double)x;
}

/* A number; NaN becomes null (empty in CSV). */
static void tb_num(table *t, double x)
{
    value *v = tb_next(t);
    if (v) v->kind = isnan(x) ? V_NULL : V_NUM, v->num = x;
}

static void tb_bool(table *t, int b) /* b < 0: null */
{
    value *v = tb_next(t);
    if (v) v->kind = b < 0 ? V_NULL : V_BOOL, v->num = b > 0;
}

static void tb_null(table *t)
{
    tb_next(t);
}

/* Role names joined by spaces into buf (cut to fit). */
static void roles_text(const hs_results *r, const int *roles, int n, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && len + 1 < size; i++) {
        int w = snprintf(buf + len, size - len, "%s%s", i ? " " : "", r->roles[roles[i]].name);
        if (w < 0) break;
        len += (size_t)w;
    }
}

static void tb_roles(table *t, const hs_results *r, const int *roles, int n)
{
    size_t size = 1;
    for (int i = 0; i < n; i++) size += strlen(r->roles[roles[i]].name) + 1;
    value *v = tb_next(t);
    if (!v) return;
    v->str = malloc(size);
    if (!v->str) {
        t->nomem = true;
        return;
    }
    roles_text(r, roles, n, v->str, size);
    v->kind = V_ROLES;
}

static void tb_free(table *t)
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

/* The text of a value for text, Markdown and CSV. */
static const char *value_text(const value *v, char *buf, size_t n)
{
    switch (v->kind) {
    case V_STR:
    case V_ROLES: return v->str;
    case V_INT: snprintf(buf, n, "%.0f", v->num); return buf;
    case V_NUM: snprintf(buf, n, "%.6g", v->num); return buf;
    case V_BOOL: return v->num ? "true" : "false";
    default: return "";
    }
}

/* ---------------------------------------------------------------------------------------------
 * Rendering */

typedef struct out {
    out_format fmt;
    const char *only; /* --table, or NULL for all */
    FILE *f;
    hs_json json;
    bool printed;     /* a table was printed already (CSV: separate with a blank line) */
    bool nomem;
} out;

static void render_text(FILE *f, const table *t, bool markdown)
{
    size_t rows = t->n / (size_t)t->cols;
    size_t *w = calloc((size_t)t->cols, sizeof *w);
    if (!w) return;
    char buf[64];
    for (int c = 0; c < t->cols; c++) {
        w[c] = strlen(t->head[c] ? t->head[c] : "");
        for (size_t r = 0; r < rows; r++) {
            size_t l = strlen(value_text(&t->v[r * (size_t)t->cols + (size_t)c], buf, sizeof buf));
            if (l > w[c]) w[c] = l;
        }
    }
    unsigned left = t->left;
    for (size_t r = 0; r < rows; r++) /* a first column holding words is a column of labels */
        if (t->v[r * (size_t)t->cols].kind == V_STR) left |= 1u;
    if (t->title) fprintf(f, markdown ? "### %s\n\n" : "%s\n", t->title);
    for (size_t r = 0; r <= rows; r++) {
        if (markdown) fputs("|", f);
        for (int c = 0; c < t->cols; c++) {
            const char *s = r == 0 ? (t->head[c] ? t->head[c] : "")
                                   : value_text(&t->v[(r - 1) * (size_t)t->cols + (size_t)c], buf,
                                                sizeof buf);
            int width = (int)w[c];
            if (markdown) {
                fputc(' ', f);
                for (const char *p = s; *p; p++) { /* a | would end the cell */
                    if (*p == '|') fputc('\\', f);
                    fputc(*p, f);
                }
                fprintf(f, "%*s |", width - (int)strlen(s), "");
            } else {
                bool l = c < 32 && (left >> c & 1u);
                /* The last column is not padded on the right: no trailing spaces. */
                fprintf(f, l ? "%s%-*s" : "%s%*s", c ? "  " : "",
                        l && c == t->cols - 1 ? 0 : width, s);
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
    if (t->note) fprintf(f, markdown ? "\n%s\n" : "%s\n", t->note);
    fputc('\n', f);
    free(w);
}

static void render_csv(FILE *f, const table *t)
{
    char buf[64];
    fprintf(f, "# %s\n", t->name);
    for (int c = 0; c < t->cols; c++) {
        if (c) fputc(',', f);
        hs_csv_field(f, t->head[c] ? t->head[c] : "");
    }
    fputc('\n', f);
    for (size_t i = 0; i < t->n; i++) {
        hs_csv_field(f, value_text(&t->v[i], buf, sizeof buf));
        fputc((i + 1) % (size_t)t->cols ? ',' : '\n', f);
    }
}

static void render_json(hs_json *j, const table *t)
{
    hs_json_key(j, t->name);
    hs_json_array_begin(j);
    for (size_t i = 0; i < t->n; i++) {
        int c = (int)(i % (size_t)t->cols);
        if (c == 0) hs_json_object_begin(j);
        const value *v = &t->v[i];
        hs_json_key(j, t->head[c] ? t->head[c] : "");
        switch (v->kind) {
        case V_STR: hs_json_string(j, v->str); break;
        case V_INT: hs_json_int(j, (int64_t)v->num); break;
        case V_NUM: hs_json_double(j, v->num); break;
        case V_BOOL: hs_json_bool(j, v->num != 0); break;
        case V_ROLES: {
            hs_json_array_begin(j);
            const char *p = v->str;
            char role[128];
            while (*p) {
                size_t len = strcspn(p, " ");
                if (len >= sizeof role) len = sizeof role - 1;
                memcpy(role, p, len);
                role[len] = '\0';
                hs_json_string(j, role);
                p += strcspn(p, " ");
                p += *p == ' ';
            }
            hs_json_array_end(j);
            break;
        }
        default: hs_json_null(j); break;
        }
        if (c == t->cols - 1) hs_json_object_end(j);
    }
    hs_json_array_end(j);
}

/* Prints (or, for JSON, adds) the table unless --table asks for another one, then frees it. */
static void emit(out *o, table *t)
{
    if (t->nomem) o->nomem = true;
    if (!t->nomem && (!o->only || !strcmp(o->only, t->name))) {
        switch (o->fmt) {
        case FMT_TEXT: render_text(o->f, t, false); break;
        case FMT_MARKDOWN: render_text(o->f, t, true); break;
        case FMT_CSV:
            if (o->printed) fputc('\n', o->f);
            render_csv(o->f, t);
            break;
        case FMT_JSON: render_json(&o->json, t); break;
        }
        o->printed = true;
    }
    tb_free(t);
}

/* ---------------------------------------------------------------------------------------------
 * What the tables say */

typedef struct ctx {
    const hs_results *r;
    const hs_analysis *a;
    out *o;
} ctx;

/* "implicit", or "implicit [2]" when several settings are in the store. */
static void family_name(const ctx *x, int f, char *buf, size_t n)
{
    const hs_family *fam = &x->a->families[f];
    if (x->a->n_settings > 1)
        snprintf(buf, n, "%s [%d]", hs_curriculum_name(fam->curriculum), fam->setting + 1);
    else
        snprintf(buf, n, "%s", hs_curriculum_name(fam->curriculum));
}

static void fmt_steps(double v, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else if (v == floor(v))
        snprintf(buf, n, "%.0f", v);
    else
        snprintf(buf, n, "%.1f", v);
}

static const char *verdict_name(hs_cell_verdict v)
{
    switch (v) {
    case HS_CELL_SOLVED: return "solved";
    case HS_CELL_UNSOLVED: return "unsolved";
    case HS_CELL_UNDECIDED: return "undecided";
    default: return "empty";
    }
}

static const char *tmin_kind_name(hs_tmin_kind k)
{
    return k == HS_TMIN_FOUND ? "found" : k == HS_TMIN_ABOVE ? "above_tested" : "unknown";
}

/* ">3", "?", "2", with "!" where it disagrees with the theory. */
static void tmin_text(const hs_group *g, char *buf, size_t n)
{
    const char *mark = g->agree == 0 ? "!" : "";
    if (g->kind == HS_TMIN_FOUND)
        snprintf(buf, n, "%d%s", g->t_min, mark);
    else if (g->kind == HS_TMIN_ABOVE)
        snprintf(buf, n, ">%d%s", g->t_min, mark);
    else
        snprintf(buf, n, "?%s", mark);
}

static const hs_group *find_group(const hs_analysis *a, int family, int hops)
{
    const hs_family *f = &a->families[family];
    for (size_t g = f->first_group; g < f->first_group + f->n_groups; g++)
        if (a->groups[g].hops == hops) return &a->groups[g];
    return NULL;
}

static const hs_cell *find_cell(const hs_analysis *a, int family, int hops, int layers)
{
    const hs_group *g = find_group(a, family, hops);
    if (!g) return NULL;
    for (size_t c = g->first_cell; c < g->first_cell + g->n_cells; c++)
        if (a->cells[c].layers == layers) return &a->cells[c];
    return NULL;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}

/* The first columns of every tidy row about a family (and a cell). */
static void tidy_family_cols(const ctx *x, table *t, int f)
{
    const hs_family *fam = &x->a->families[f];
    tb_int(t, fam->setting + 1);
    tb_str(t, "%s", hs_curriculum_name(fam->curriculum));
    tb_str(t, "%s", fam->label);
}

/* (1) Minimum layers. */
static void table_min_layers(ctx *x)
{
    const hs_analysis *a = x->a;
    table t;
    if (x->o->fmt == FMT_CSV || x->o->fmt == FMT_JSON) {
        static const char *const h[] = {"setting", "curriculum", "config", "hops",   "theory",
                                        "t_min",   "t_min_kind", "agree",  "text"};
        tb_init(&t, "min_layers", 9);
        tb_heads(&t, h);
        for (size_t g = 0; g < a->n_groups; g++) {
            const hs_group *gr = &a->groups[g];
            char text[32];
            tidy_family_cols(x, &t, gr->family);
            tb_int(&t, gr->hops);
            tb_int(&t, gr->theory);
            if (gr->kind == HS_TMIN_UNKNOWN)
                tb_null(&t);
            else
                tb_int(&t, gr->t_min);
            tb_str(&t, "%s", tmin_kind_name(gr->kind));
            tb_bool(&t, gr->agree);
            tmin_text(gr, text, sizeof text);
            tb_str(&t, "%s", text);
        }
        emit(x->o, &t);
        return;
    }
    /* Rows: every hops value in the store; columns: the theory, then one per family. */
    int *hops = malloc(sizeof *hops * (a->n_groups + 1)), nh = 0;
    if (!hops) {
        x->o->nomem = true;
        return;
    }
    for (size_t g = 0; g < a->n_groups; g++) hops[nh++] = a->groups[g].hops;
    qsort(hops, (size_t)nh, sizeof *hops, cmp_int);
    int k = 0;
    for (int i = 0; i < nh; i++)
        if (!k || hops[k - 1] != hops[i]) hops[k++] = hops[i];
    nh = k;
    tb_init(&t, "min_layers", 2 + a->n_families);
    tb_head(&t, 0, "hops");
    tb_head(&t, 1, "theory");
    char name[64];
    for (int f = 0; f < a->n_families; f++) {
        family_name(x, f, name, sizeof name);
        tb_head(&t, 2 + f, "%s", name);
    }
    tb_title(&t, "Minimum layers that solve each hops value (theory: ceil(log3(2D+1)))");
    tb_note(&t, "t_min: the fewest tested layers that solve; >L: no tested depth up to L solves; "
                "?: a depth below has no finished seed yet or is undecided; !: disagrees with the "
                "theory");
    for (int i = 0; i < nh; i++) {
        tb_int(&t, hops[i]);
        tb_int(&t, hs_theory_min_layers(hops[i]));
        for (int f = 0; f < a->n_families; f++) {
            const hs_group *g = find_group(a, f, hops[i]);
            char text[32];
            if (g)
                tmin_text(g, text, sizeof text);
            else
                snprintf(text, sizeof text, "-");
            tb_str(&t, "%s", text);
        }
    }
    free(hops);
    emit(x->o, &t);
}

/* (2) Accuracy matrices. */
static void table_accuracy(ctx *x)
{
    const hs_analysis *a = x->a;
    table t;
    if (x->o->fmt == FMT_CSV || x->o->fmt == FMT_JSON) {
        static const char *const h[] = {"setting", "curriculum", "config",      "hops",
                                        "layers",  "seeds",      "expected",    "done",
                                        "failed",  "interrupted", "solved",     "mean_query_acc",
                                        "verdict"};
        tb_init(&t, "accuracy", 13);
        tb_heads(&t, h);
        for (size_t i = 0; i < a->n_cells; i++) {
            const hs_cell *c = &a->cells[i];
            tidy_family_cols(x, &t, c->family);
            tb_int(&t, c->hops);
            tb_int(&t, c->layers);
            tb_int(&t, c->done + c->failed);
            tb_int(&t, c->expected);
            tb_int(&t, c->done);
            tb_int(&t, c->failed);
            tb_int(&t, c->interrupted);
            tb_int(&t, c->solved);
            tb_num(&t, c->mean_acc);
            tb_str(&t, "%s", verdict_name(c->verdict));
        }
        emit(x->o, &t);
        return;
    }
    for (int f = 0; f < a->n_families; f++) {
        const hs_family *fam = &a->families[f];
        char name[64];
        family_name(x, f, name, sizeof name);
        tb_init(&t, "accuracy", 1 + fam->n_hops);
        tb_head(&t, 0, "layers \\ hops");
        for (int h = 0; h < fam->n_hops; h++) tb_head(&t, 1 + h, "%d", fam->hops_values[h]);
        tb_title(&t, "Accuracy, curriculum %s: solved seeds/seeds, mean final query accuracy",
                 name);
        bool pending = false;
        for (int l = 0; l < fam->n_layers; l++) {
            tb_int(&t, fam->layers_values[l]);
            for (int h = 0; h < fam->n_hops; h++) {
                const hs_cell *c = find_cell(a, f, fam->hops_values[h], fam->layers_values[l]);
                if (!c) {
                    tb_str(&t, "-");
                    continue;
                }
                int seeds = c->done + c->failed;
                bool waits = c->expected > seeds;
                pending |= waits;
                char acc[16];
                if (isnan(c->mean_acc))
                    snprintf(acc, sizeof acc, "-");
                else
                    snprintf(acc, sizeof acc, "%.2f", c->mean_acc);
                tb_str(&t, "%d/%d%s %s", c->solved, seeds, waits ? "+" : "", acc);
            }
        }
        if (pending)
            tb_note(&t, "+: some seeds of the configuration have no finished run yet");
        emit(x->o, &t);
    }
}

typedef struct lh {
    int layers, hops;
} lh;

static int cmp_lh(const void *p, const void *q)
{
    const lh *a = p, *b = q;
    if (a->layers != b->layers) return a->layers < b->layers ? -1 : 1;
    return a->hops < b->hops ? -1 : a->hops > b->hops;
}

static const char STEPS_NOTE[] =
    "steps to solve: emergence.hop_steps[D] of the runs that solve, the first evaluation from "
    "which the query's hop D stays >= emergence.tau_acc for `patience` evaluations";

/* (3) Curricula compared. */
static void table_curricula(ctx *x)
{
    const hs_analysis *a = x->a;
    table t;
    if (x->o->fmt == FMT_CSV || x->o->fmt == FMT_JSON) {
        static const char *const h[] = {"setting", "curriculum",   "config",
                                        "layers",  "hops",         "seeds",
                                        "solved",  "success_rate", "median_steps_to_solve",
                                        "steps_n", "solved_without_steps"};
        tb_init(&t, "curricula", 11);
        tb_heads(&t, h);
        for (size_t i = 0; i < a->n_cells; i++) {
            const hs_cell *c = &a->cells[i];
            int seeds = c->done + c->failed;
            tidy_family_cols(x, &t, c->family);
            tb_int(&t, c->layers);
            tb_int(&t, c->hops);
            tb_int(&t, seeds);
            tb_int(&t, c->solved);
            tb_num(&t, seeds ? (double)c->solved / seeds : NAN);
            tb_num(&t, c->median_steps);
            tb_int(&t, c->n_steps);
            tb_int(&t, c->unsolved_steps);
        }
        emit(x->o, &t);
        return;
    }
    for (int s = 0; s < a->n_settings; s++) {
        int f0 = -1, nf = 0;
        for (int f = 0; f < a->n_families; f++)
            if (a->families[f].setting == s) f0 = f0 < 0 ? f : f0, nf++;
        size_t np = 0;
        for (int f = f0; f < f0 + nf; f++)
            for (size_t g = a->families[f].first_group;
                 g < a->families[f].first_group + a->families[f].n_groups; g++)
                np += a->groups[g].n_cells;
        lh *pairs = malloc(sizeof *pairs * (np + 1));
        if (!pairs) {
            x->o->nomem = true;
            return;
        }
        np = 0;
        for (size_t c = 0; c < a->n_cells; c++)
            if (a->cells[c].family >= f0 && a->cells[c].family < f0 + nf)
                pairs[np++] = (lh){a->cells[c].layers, a->cells[c].hops};
        qsort(pairs, np, sizeof *pairs, cmp_lh);
        tb_init(&t, "curricula", 2 + 2 * nf);
        tb_head(&t, 0, "layers");
        tb_head(&t, 1, "hops");
        for (int f = 0; f < nf; f++) {
            const char *cur = hs_curriculum_name(a->families[f0 + f].curriculum);
            tb_head(&t, 2 + 2 * f, "%s solved", cur);
            tb_head(&t, 3 + 2 * f, "%s steps", cur);
        }
        if (a->n_settings > 1)
            tb_title(&t, "Curricula compared [%d]: success rate (solved/seeds), median steps to "
                         "solve",
                     s + 1);
        else
            tb_title(&t, "Curricula compared: success rate (solved/seeds), median steps to solve");
        tb_note(&t, "%s", STEPS_NOTE);
        for (size_t i = 0; i < np; i++) {
            if (i && !cmp_lh(&pairs[i], &pairs[i - 1])) continue;
            tb_int(&t, pairs[i].layers);
            tb_int(&t, pairs[i].hops);
            for (int f = f0; f < f0 + nf; f++) {
                const hs_cell *c = find_cell(a, f, pairs[i].hops, pairs[i].layers);
                int seeds = c ? c->done + c->failed : 0;
                if (!seeds) {
                    tb_str(&t, "-");
                    tb_str(&t, "-");
                    continue;
                }
                char steps[32];
                fmt_steps(c->median_steps, steps, sizeof steps);
                tb_str(&t, "%.2f (%d/%d)", (double)c->solved / seeds, c->solved, seeds);
                tb_str(&t, "%s", steps);
            }
        }
        free(pairs);
        emit(x->o, &t);
    }
}

/* "implicit D=4 L=2" (with the setting number when there are several). */
static void cell_name(const ctx *x, const hs_cell *c, char *buf, size_t n)
{
    char fam[64];
    family_name(x, c->family, fam, sizeof fam);
    snprintf(buf, n, "%s D=%d L=%d", fam, c->hops, c->layers);
}

/* (4) Emergence: a summary per cell, each role's timing, and precedence. */
static void table_emergence(ctx *x)
{
    const hs_analysis *a = x->a;
    const hs_results *r = x->r;
    bool tidy = x->o->fmt == FMT_CSV || x->o->fmt == FMT_JSON;
    table t;
    if (tidy) {
        static const char *const h[] = {"setting",      "curriculum",      "config",
                                        "hops",         "layers",          "runs_with_heads",
                                        "modal_order",  "modal_runs",      "distinct_orders",
                                        "modal_ties",   "kendall_w",       "kendall_w_undefined",
                                        "hops_monotone", "hops_monotone_of"};
        tb_init(&t, "emergence", 14);
        tb_heads(&t, h);
    } else {
        static const char *const h[] = {"configuration", "runs", "modal order (runs)", "orders",
                                        "Kendall W",     "monotone hops"};
        tb_init(&t, "emergence", 6);
        tb_heads(&t, h);
        t.left = 1u | 1u << 2;
        tb_title(&t, "Emergence across seeds (done runs)");
        tb_note(&t, "runs: done runs with head emergence data; W: Kendall's W of role ranks "
                    "(never-emerged roles tie last); monotone hops: runs whose hop k emerges no "
                    "later than hop k+1 (never = last), of the runs with 2+ measured hops");
    }
    for (size_t i = 0; i < a->n_cells; i++) {
        const hs_cell *c = &a->cells[i];
        const hs_emergence *em = &c->em;
        if (!c->done) continue;
        char order[512];
        roles_text(r, em->modal, em->n_modal, order, sizeof order);
        if (tidy) {
            tidy_family_cols(x, &t, c->family);
            tb_int(&t, c->hops);
            tb_int(&t, c->layers);
            tb_int(&t, em->runs);
            if (em->runs)
                tb_roles(&t, r, em->modal, em->n_modal);
            else
                tb_null(&t);
            tb_int(&t, em->modal_runs);
            tb_int(&t, em->orders);
            tb_int(&t, em->modal_ties);
            tb_num(&t, em->w);
            if (em->w_why)
                tb_str(&t, "%s", em->w_why);
            else
                tb_null(&t);
            tb_int(&t, em->mono);
            tb_int(&t, em->mono_of);
            continue;
        }
        char name[96];
        cell_name(x, c, name, sizeof name);
        tb_str(&t, "%s", name);
        tb_int(&t, em->runs);
        if (!em->runs)
            tb_str(&t, "no head data");
        else
            tb_str(&t, "%s (%d/%d%s)", em->n_modal ? order : "none emerged", em->modal_runs,
                   em->runs, em->modal_ties ? ", tied" : "");
        if (em->runs)
            tb_int(&t, em->orders);
        else
            tb_str(&t, "-");
        if (em->w_why && em->runs)
            tb_str(&t, "- (%s)", em->w_why);
        else if (em->runs)
            tb_str(&t, "%.3f", em->w);
        else
            tb_str(&t, "-");
        if (em->mono_of)
            tb_str(&t, "%d/%d", em->mono, em->mono_of);
        else
            tb_str(&t, "-");
    }
    if (!tidy && !a->with_heads)
        tb_title(&t, "Emergence across seeds (done runs): no run records head emergence "
                     "(emergence.order; older records lack it)");
    emit(x->o, &t);

    /* Each role's emergence step. */
    if (tidy) {
        static const char *const h[] = {"setting", "curriculum", "config", "hops",  "layers",
                                        "role",    "emerged",    "never",  "timed", "median",
                                        "q1",      "q3",         "ci95_lo", "ci95_hi"};
        tb_init(&t, "roles", 14);
        tb_heads(&t, h);
    }
    for (size_t i = 0; i < a->n_cells; i++) {
        const hs_cell *c = &a->cells[i];
        const hs_emergence *em = &c->em;
        if (!em->n_roles) continue;
        if (!tidy) {
            static const char *const h[] = {"role", "emerged", "never", "median step", "IQR",
                                            "95% CI of median"};
            char name[96];
            cell_name(x, c, name, sizeof name);
            tb_init(&t, "roles", 6);
            tb_heads(&t, h);
            tb_title(&t, "Head emergence, %s: %d run%s with head data", name, em->runs,
                     em->runs == 1 ? "" : "s");
            tb_note(&t, "emerged/never: runs; step statistics over the runs where the role "
                        "emerged; CI: percentile bootstrap, %d resamples",
                    a->opts.resamples);
        }
        for (int k = 0; k < em->n_roles; k++) {
            const hs_role_stat *rs = &em->roles[k];
            if (tidy) {
                tidy_family_cols(x, &t, c->family);
                tb_int(&t, c->hops);
                tb_int(&t, c->layers);
            }
            tb_str(&t, "%s", r->roles[rs->role].name);
            tb_int(&t, rs->emerged);
            tb_int(&t, rs->never);
            if (tidy) {
                tb_int(&t, rs->timed);
                tb_num(&t, rs->median);
                tb_num(&t, rs->q1);
                tb_num(&t, rs->q3);
                tb_num(&t, rs->ci_lo);
                tb_num(&t, rs->ci_hi);
                continue;
            }
            char m[32], q1[32], q3[32], lo[32], hi[32];
            fmt_steps(rs->median, m, sizeof m);
            fmt_steps(rs->q1, q1, sizeof q1);
            fmt_steps(rs->q3, q3, sizeof q3);
            fmt_steps(rs->ci_lo, lo, sizeof lo);
            fmt_steps(rs->ci_hi, hi, sizeof hi);
            tb_str(&t, "%s", m);
            if (rs->timed)
                tb_str(&t, "%s-%s", q1, q3);
            else
                tb_str(&t, "-");
            if (rs->timed)
                tb_str(&t, "[%s, %s]", lo, hi);
            else
                tb_str(&t, "-");
        }
        if (!tidy) emit(x->o, &t);
    }
    if (tidy) emit(x->o, &t);

    /* Precedence. */
    if (tidy) {
        static const char *const h[] = {"setting", "curriculum", "config", "hops",   "layers",
                                        "a",       "b",          "p_a_before_b", "a_first",
                                        "both",    "only_a",     "only_b"};
        tb_init(&t, "precedence", 12);
        tb_heads(&t, h);
    }
    for (size_t i = 0; i < a->n_cells; i++) {
        const hs_cell *c = &a->cells[i];
        const hs_emergence *em = &c->em;
        int n = em->n_roles;
        if (n < 2) continue;
        if (!tidy) {
            char name[96];
            cell_name(x, c, name, sizeof name);
            tb_init(&t, "precedence", 1 + n);
            tb_head(&t, 0, "P(row before column)");
            for (int k = 0; k < n; k++) tb_head(&t, 1 + k, "%s", r->roles[em->roles[k].role].name);
            tb_title(&t, "Precedence, %s", name);
            tb_note(&t, "over the runs where either role emerged; a tie counts half; a role that "
                        "emerged comes before one that never did");
        }
        for (int p = 0; p < n; p++) {
            if (!tidy) tb_str(&t, "%s", r->roles[em->roles[p].role].name);
            for (int q = 0; q < n; q++) {
                const hs_precedence *pr = &em->prec[(size_t)p * (size_t)n + (size_t)q];
                if (!tidy) {
                    if (isnan(pr->p))
                        tb_str(&t, "-");
                    else
                        tb_str(&t, "%.2f", pr->p);
                    continue;
                }
                if (p == q) continue;
                tidy_family_cols(x, &t, c->family);
                tb_int(&t, c->hops);
                tb_int(&t, c->layers);
                tb_str(&t, "%s", r->roles[em->roles[p].role].name);
                tb_str(&t, "%s", r->roles[em->roles[q].role].name);
                tb_num(&t, pr->p);
                tb_num(&t, pr->before);
                tb_int(&t, pr->both);
                tb_int(&t, pr->only_a);
                tb_int(&t, pr->only_b);
            }
        }
        if (!tidy) emit(x->o, &t);
    }
    if (tidy) emit(x->o, &t);
}

/* The lines above the tables (text, Markdown) or the fields before them (JSON). */
static void print_header(ctx *x, const char *store)
{
    const hs_analysis *a = x->a;
    out *o = x->o;
    char rule[96];
    if (a->opts.fraction > 0)
        snprintf(rule, sizeof rule, "at least %g of its seeds", a->opts.fraction);
    else
        snprintf(rule, sizeof rule, "more than half of its seeds");
    if (o->fmt == FMT_JSON) {
        hs_json *j = &o->json;
        hs_json_key(j, "store");
        hs_json_string(j, store);
        hs_json_key(j, "runs");
        hs_json_int(j, (int64_t)a->n_runs);
        hs_json_key(j, "done");
        hs_json_int(j, a->done);
        hs_json_key(j, "failed");
        hs_json_int(j, a->failed);
        hs_json_key(j, "interrupted");
        hs_json_int(j, a->interrupted);
        hs_json_key(j, "runs_with_heads");
        hs_json_int(j, a->with_heads);
        hs_json_key(j, "tau");
        hs_json_double(j, a->opts.tau);
        hs_json_key(j, "fraction");
        if (a->opts.fraction > 0)
            hs_json_double(j, a->opts.fraction);
        else
            hs_json_null(j);
        hs_json_key(j, "solved_rule");
        hs_json_string(j, rule);
        hs_json_key(j, "steps_to_solve");
        hs_json_string(j, STEPS_NOTE);
        hs_json_key(j, "bootstrap_resamples");
        hs_json_int(j, a->opts.resamples);
        hs_json_key(j, "settings");
        hs_json_array_begin(j);
        for (int f = 0; f < a->n_families; f++)
            if (!f || a->families[f].setting != a->families[f - 1].setting) {
                hs_json_object_begin(j);
                hs_json_key(j, "setting");
                hs_json_int(j, a->families[f].setting + 1);
                hs_json_key(j, "config");
                hs_json_string(j, a->families[f].label);
                hs_json_object_end(j);
            }
        hs_json_array_end(j);
        return;
    }
    if (o->fmt == FMT_CSV || o->only) return;
    bool md = o->fmt == FMT_MARKDOWN;
    if (md) fprintf(o->f, "## hopsweep analyze %s\n\n", store);
    fprintf(o->f, "store %s: %zu runs: %d done, %d failed (count as not solved), %d interrupted "
                  "(left out until rerun)%s\n",
            store, a->n_runs, a->done, a->failed, a->interrupted, md ? "  " : "");
    fprintf(o->f, "solved: final query accuracy >= %g in %s (a configuration's seeds: every "
                  "train.seed of its records)\n",
            a->opts.tau, rule);
    if (a->n_settings > 1) {
        fprintf(o->f, "%sconfigurations that differ in more than layers, hops, curriculum and "
                      "seed:\n",
                md ? "\n" : "");
        for (int f = 0; f < a->n_families; f++)
            if (!f || a->families[f].setting != a->families[f - 1].setting)
                fprintf(o->f, "%s[%d] %s\n", md ? "- " : "  ", a->families[f].setting + 1,
                        a->families[f].label);
    }
    fputc('\n', o->f);
}

/* ---------------------------------------------------------------------------------------------
 * Figures */

/* A buffer that gathers one .dat file before it is written atomically. */
typedef struct dat {
    char *buf;
    size_t len;
    FILE *f;
} dat;

static bool dat_open(dat *d)
{
    memset(d, 0, sizeof *d);
    d->f = open_memstream(&d->buf, &d->len);
    return d->f != NULL;
}

static hs_status dat_write(dat *d, const char *dir, const char *name, hs_err *err)
{
    hs_status st = HS_OK;
    if (fclose(d->f)) st = hs_fail(err, HS_ENOMEM, "out of memory writing %s", name);
    d->f = NULL;
    char *path = st ? NULL : hs_path_join(dir, name);
    if (!st && !path) st = hs_fail(err, HS_ENOMEM, "out of memory writing %s", name);
    if (!st) st = hs_write_atomic(path, d->buf, d->len, err);
    free(path);
    free(d->buf);
    d->buf = NULL;
    return st;
}

/* A string for gnuplot's single quotes (a quote is doubled). */
static void gp_quote(char *buf, size_t n, const char *s)
{
    size_t k = 0;
    if (n < 3) return;
    buf[k++] = '\'';
    for (; *s && k + 3 < n; s++) {
        if (*s == '\'') buf[k++] = '\'';
        buf[k++] = *s;
    }
    buf[k++] = '\'';
    buf[k] = '\0';
}

/* A string for a data file's double quotes (gnuplot reads no escapes there: drop quotes). */
static void dat_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++)
        if (*s != '"') fputc(*s, f);
    fputc('"', f);
}

typedef struct plotter {
    const char *dir; /* --plots */
    int figures;
} plotter;

/* Runs the script of analysis/ on DIR/DAT: it writes OUT.png and OUT.svg. What gnuplot prints
 * (warnings about series with no points, such as a hop never measured) is shown only when it
 * fails; and never on stdout, which may be carrying --json. */
static hs_status run_gnuplot(plotter *p, const char *script, const char *dat_name,
                             const char *out_name, const char *extra, hs_err *err)
{
    char datafile[4200], outfile[4200], q1[8500], q2[8500];
    snprintf(datafile, sizeof datafile, "%s/%s", p->dir, dat_name);
    snprintf(outfile, sizeof outfile, "%s/%s", p->dir, out_name);
    gp_quote(q1, sizeof q1, datafile);
    gp_quote(q2, sizeof q2, outfile);
    size_t vlen = strlen(q1) + strlen(q2) + (extra ? strlen(extra) : 0) + 64;
    char *vars = malloc(vlen);
    if (!vars) return hs_fail(err, HS_ENOMEM, "out of memory running gnuplot");
    snprintf(vars, vlen, "datafile=%s; outfile=%s%s%s", q1, q2, extra ? "; " : "",
             extra ? extra : "");
    char *spath = NULL;
    hs_status st = hs_gnuplot_script(script, &spath, err);
    if (!st) st = hs_gnuplot_run(spath, vars, err);
    if (st == HS_EIO) { /* its messages are above; say where the data is to rerun it by hand */
        char why[sizeof err->msg];
        memcpy(why, err->msg, sizeof why);
        hs_fail(err, st, "%s (its messages are above); the data is in %s", why, datafile);
    }
    free(spath);
    free(vars);
    if (!st) p->figures++;
    return st;
}

static hs_status plot_min_layers(ctx *x, plotter *p, hs_err *err)
{
    const hs_analysis *a = x->a;
    dat d;
    if (!dat_open(&d)) return hs_fail(err, HS_ENOMEM, "out of memory writing minlayers.dat");
    int max_hops = 1;
    for (size_t g = 0; g < a->n_groups; g++)
        if (a->groups[g].hops > max_hops) max_hops = a->groups[g].hops;
    fprintf(d.f, "# minimum layers vs hops (hopsweep analyze). Block 0: the theory's staircase "
                 "ceil(log3(2D+1)),\n# each value from hops D - 0.5 on, for `with steps`; then "
                 "one block per curriculum: hops,\n# t_min (NaN unless found), the largest "
                 "tested depth + 0.3 where no tested depth solves\n# (NaN otherwise). Each block "
                 "starts with its title.\n");
    fprintf(d.f, "\"theory\"\n");
    for (int h = 1; h <= max_hops; h++) fprintf(d.f, "%.1f %d\n", h - 0.5, hs_theory_min_layers(h));
    fprintf(d.f, "%.1f %d\n", max_hops + 0.5, hs_theory_min_layers(max_hops));
    for (int f = 0; f < a->n_families; f++) {
        char name[64];
        family_name(x, f, name, sizeof name);
        fprintf(d.f, "\n\n");
        dat_string(d.f, name);
        fputc('\n', d.f);
        const hs_family *fam = &a->families[f];
        for (size_t g = fam->first_group; g < fam->first_group + fam->n_groups; g++) {
            const hs_group *gr = &a->groups[g];
            fprintf(d.f, "%d ", gr->hops);
            if (gr->kind == HS_TMIN_FOUND)
                fprintf(d.f, "%d NaN\n", gr->t_min);
            else if (gr->kind == HS_TMIN_ABOVE)
                fprintf(d.f, "NaN %.1f\n", gr->t_min + 0.3);
            else
                fprintf(d.f, "NaN NaN\n");
        }
    }
    hs_status st = dat_write(&d, p->dir, "minlayers.dat", err);
    if (!st) st = run_gnuplot(p, "minlayers.gp", "minlayers.dat", "minlayers", NULL, err);
    return st;
}

static hs_status plot_accuracy(ctx *x, plotter *p, hs_err *err)
{
    const hs_analysis *a = x->a;
    for (int f = 0; f < a->n_families; f++) {
        const hs_family *fam = &a->families[f];
        char name[64], base[96], file[128], title[256], extra[640];
        family_name(x, f, name, sizeof name);
        snprintf(base, sizeof base, "accuracy-%d-%s", f + 1, hs_curriculum_name(fam->curriculum));
        snprintf(file, sizeof file, "%s.dat", base);
        dat d;
        if (!dat_open(&d)) return hs_fail(err, HS_ENOMEM, "out of memory writing %s", file);
        fprintf(d.f, "# accuracy heatmap, curriculum %s (hopsweep analyze)\n# column row hops "
                     "layers mean_query_acc solved seeds label\n",
                name);
        for (int l = 0; l < fam->n_layers; l++)
            for (int h = 0; h < fam->n_hops; h++) {
                const hs_cell *c = find_cell(a, f, fam->hops_values[h], fam->layers_values[l]);
                int seeds = c ? c->done + c->failed : 0;
                fprintf(d.f, "%d %d %d %d ", h, l, fam->hops_values[h], fam->layers_values[l]);
                if (!c || !seeds) {
                    fprintf(d.f, "NaN 0 0 \"\"\n");
                    continue;
                }
                if (isnan(c->mean_acc))
                    fprintf(d.f, "NaN %d %d \"%d/%d\"\n", c->solved, seeds, c->solved, seeds);
                else
                    fprintf(d.f, "%.4f %d %d \"%d/%d %.2f\"\n", c->mean_acc, c->solved, seeds,
                            c->solved, seeds, c->mean_acc);
            }
        hs_status st = dat_write(&d, p->dir, file, err);
        if (st) return st;
        snprintf(title, sizeof title, "mean final query accuracy (solved seeds/seeds), curriculum "
                                      "%s%s%s",
                 name, fam->label[0] ? ", " : "", fam->label);
        char q[600];
        gp_quote(q, sizeof q, title);
        snprintf(extra, sizeof extra, "title=%s", q);
        st = run_gnuplot(p, "accuracy.gp", file, base, extra, err);
        if (st) return st;
    }
    return HS_OK;
}

/* The default run to draw: a solved done run with the most hops, then fewest layers, lowest
 * seed, smallest id; -1 when no run solves. */
static long default_run(const ctx *x)
{
    long best = -1;
    for (size_t i = 0; i < x->r->n; i++) {
        const hs_run_record *run = &x->r->runs[i];
        if (run->status != HS_RUN_DONE || !(run->query_acc >= x->a->opts.tau)) continue;
        if (best >= 0) {
            const hs_run_record *b = &x->r->runs[best];
            const hs_config *c = &run->config, *bc = &b->config;
            if (c->task.hops != bc->task.hops) {
                if (c->task.hops < bc->task.hops) continue;
            } else if (c->model.layers != bc->model.layers) {
                if (c->model.layers > bc->model.layers) continue;
            } else if (c->train.seed != bc->train.seed) {
                if (c->train.seed > bc->train.seed) continue;
            } else if (strcmp(run->id, b->id) > 0) {
                continue;
            }
        }
        best = (long)i;
    }
    return best;
}

static hs_status plot_training(ctx *x, plotter *p, long run_index, const char *store,
                               bool explicit_run, hs_err *err)
{
    const hs_run_record *run = &x->r->runs[run_index];
    char rel[96], *path;
    if (run->metrics)
        path = hs_path_join(store, run->metrics);
    else {
        snprintf(rel, sizeof rel, "jobs/%s/metrics.csv", run->id);
        path = hs_path_join(store, rel);
    }
    if (!path) return hs_fail(err, HS_ENOMEM, "out of memory reading metrics");
    hs_metrics m;
    hs_err e = {0};
    hs_status st = hs_metrics_load(&m, path, &e);
    if (st) {
        free(path);
        if (st == HS_ENOMEM || explicit_run) return hs_fail(err, st == HS_ENOMEM ? st : HS_EINPUT,
                                                            "run %s: %s", run->id, e.msg);
        fprintf(stderr, "hopsweep analyze: no training figure: run %s: %s\n", run->id, e.msg);
        return HS_OK;
    }
    free(path);
    dat d;
    if (!dat_open(&d)) {
        hs_metrics_free(&m);
        return hs_fail(err, HS_ENOMEM, "out of memory writing training.dat");
    }
    fprintf(d.f, "# per-hop accuracy over training of run %s (hopsweep analyze).\n# One block "
                 "per hop label k: step, accuracy, and the accuracy again at the step where\n# "
                 "hop k emerged (NaN elsewhere). The last block: head emergence, step and role.\n",
            run->id);
    for (int k = 0; k <= m.hops; k++) {
        fprintf(d.f, "%s\"hop %d\"\n", k ? "\n\n" : "", k);
        int emerged = k < run->n_hop_steps ? run->hop_steps[k] : -1;
        for (int i = 0; i < m.rows; i++) {
            float v = m.hop_acc[(size_t)i * (size_t)(m.hops + 1) + (size_t)k];
            fprintf(d.f, "%d ", m.step[i]);
            if (isnan(v))
                fprintf(d.f, "NaN NaN\n");
            else if (m.step[i] == emerged)
                fprintf(d.f, "%.6g %.6g\n", v, v);
            else
                fprintf(d.f, "%.6g NaN\n", v);
        }
    }
    fprintf(d.f, "\n\n\"heads\"\n");
    int heads = 0;
    /* Roles that emerged at the same step share one label (the order is by step). */
    for (int j = 0; j < run->n_emerged; j++) {
        int step = run->emerged_step[j];
        if (step < 0) continue;
        if (!heads || step != run->emerged_step[j - 1])
            fprintf(d.f, "%s%d \"", heads ? "\"\n" : "", step);
        else
            fputc(' ', d.f);
        for (const char *c = x->r->roles[run->emerged[j]].name; *c; c++)
            if (*c != '"') fputc(*c, d.f); /* as dat_string: no quotes inside quotes */
        heads++;
    }
    if (heads) fprintf(d.f, "\"\n");
    if (!heads) fprintf(d.f, "NaN \"\"\n"); /* gnuplot needs a row to keep the block */
    hs_metrics_free(&m);
    st = dat_write(&d, p->dir, "training.dat", err);
    if (st) return st;
    const hs_config *c = &run->config;
    char title[256], q[600], extra[700];
    snprintf(title, sizeof title, "run %s: %s, %d hops, %d layers, seed %llu", run->id,
             hs_curriculum_name(c->task.curriculum), c->task.hops, c->model.layers,
             (unsigned long long)c->train.seed);
    gp_quote(q, sizeof q, title);
    snprintf(extra, sizeof extra, "title=%s; tau=%g", q, c->emergence.tau_acc);
    return run_gnuplot(p, "training.gp", "training.dat", "training", extra, err);
}

static hs_status plot_emergence(ctx *x, plotter *p, long run_index, hs_err *err)
{
    const hs_analysis *a = x->a;
    const hs_results *r = x->r;
    /* The chosen run's cell when it has head data, else the cell with the most such runs. */
    long ci = run_index >= 0 ? hs_analysis_cell_of(a, (size_t)run_index) : -1;
    if (ci < 0 || a->cells[ci].em.n_roles == 0) {
        ci = -1;
        for (size_t i = 0; i < a->n_cells; i++)
            if (a->cells[i].em.n_roles && (ci < 0 || a->cells[i].em.runs > a->cells[ci].em.runs))
                ci = (long)i;
    }
    if (ci < 0) {
        fprintf(stderr, "hopsweep analyze: no emergence timeline or precedence figure: no run "
                        "records head emergence\n");
        return HS_OK;
    }
    const hs_cell *c = &a->cells[ci];
    const hs_emergence *em = &c->em;
    char name[96], title[300], q[700], extra[800];
    cell_name(x, c, name, sizeof name);
    dat d;
    if (!dat_open(&d)) return hs_fail(err, HS_ENOMEM, "out of memory writing timeline.dat");
    fprintf(d.f, "# head emergence timeline, %s (hopsweep analyze)\n# row median q1 q3 ci95_lo "
                 "ci95_hi role emerged never (steps NaN when never timed)\n",
            name);
    for (int k = 0; k < em->n_roles; k++) {
        const hs_role_stat *rs = &em->roles[k];
        fprintf(d.f, "%d %.6g %.6g %.6g %.6g %.6g ", k, rs->median, rs->q1, rs->q3, rs->ci_lo,
                rs->ci_hi);
        dat_string(d.f, r->roles[rs->role].name);
        fprintf(d.f, " %d %d\n", rs->emerged, rs->never);
    }
    hs_status st = dat_write(&d, p->dir, "timeline.dat", err);
    if (st) return st;
    snprintf(title, sizeof title, "head emergence, %s: median step, IQR (box), bootstrap 95%% CI "
                                  "(line); %d runs",
             name, em->runs);
    gp_quote(q, sizeof q, title);
    snprintf(extra, sizeof extra, "title=%s", q);
    st = run_gnuplot(p, "timeline.gp", "timeline.dat", "timeline", extra, err);
    if (st || em->n_roles < 2) return st;

    if (!dat_open(&d)) return hs_fail(err, HS_ENOMEM, "out of memory writing precedence.dat");
    fprintf(d.f, "# precedence P(row role before column role), %s (hopsweep analyze)\n# column "
                 "row p label column_role row_role\n",
            name);
    int n = em->n_roles;
    for (int row = 0; row < n; row++)
        for (int col = 0; col < n; col++) {
            const hs_precedence *pr = &em->prec[(size_t)row * (size_t)n + (size_t)col];
            fprintf(d.f, "%d %d ", col, n - 1 - row);
            if (isnan(pr->p))
                fprintf(d.f, "NaN \"\" ");
            else
                fprintf(d.f, "%.4f \"%.2f\" ", pr->p, pr->p);
            dat_string(d.f, r->roles[em->roles[col].role].name);
            fputc(' ', d.f);
            dat_string(d.f, r->roles[em->roles[row].role].name);
            fputc('\n', d.f);
        }
    st = dat_write(&d, p->dir, "precedence.dat", err);
    if (st) return st;
    snprintf(title, sizeof title, "P(row role emerges before column role), %s; %d runs", name,
             em->runs);
    gp_quote(q, sizeof q, title);
    snprintf(extra, sizeof extra, "title=%s", q);
    return run_gnuplot(p, "precedence.gp", "precedence.dat", "precedence", extra, err);
}

/* ---------------------------------------------------------------------------------------------
 * The command */

static bool parse_unit(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return !errno && end != s && !*end && *v > 0 && *v <= 1;
}

/* Returns -1 after printing the problem, 1 for --help, 0 otherwise. */
static int parse_args(int argc, char **argv, args *a)
{
    memset(a, 0, sizeof *a);
    hs_analyze_opts_default(&a->opts);
    int formats = 0;
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        bool has_value = i + 1 < argc;
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) return 1;
        if (!strcmp(s, "--tau") && has_value) {
            if (!parse_unit(argv[++i], &a->opts.tau)) {
                fprintf(stderr, "hopsweep analyze: --tau \"%s\" must be an accuracy in (0, 1]\n",
                        argv[i]);
                return -1;
            }
        } else if (!strcmp(s, "--fraction") && has_value) {
            if (!parse_unit(argv[++i], &a->opts.fraction)) {
                fprintf(stderr,
                        "hopsweep analyze: --fraction \"%s\" must be a fraction in (0, 1]\n",
                        argv[i]);
                return -1;
            }
        } else if (!strcmp(s, "--csv") || !strcmp(s, "--json") || !strcmp(s, "--markdown")) {
            a->fmt = s[2] == 'c' ? FMT_CSV : s[2] == 'j' ? FMT_JSON : FMT_MARKDOWN;
            formats++;
        } else if (!strcmp(s, "--table") && has_value) {
            a->table = argv[++i];
            bool known = false;
            for (size_t k = 0; k < sizeof TABLES / sizeof TABLES[0]; k++)
                known |= !strcmp(a->table, TABLES[k]);
            if (!known) {
                fprintf(stderr, "hopsweep analyze: --table \"%s\" is not a table; choose "
                                "min_layers, accuracy, curricula, emergence, roles or precedence\n",
                        a->table);
                return -1;
            }
        } else if (!strcmp(s, "--plots") && has_value) {
            a->plots = argv[++i];
        } else if (!strcmp(s, "--run") && has_value) {
            a->run = argv[++i];
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "hopsweep analyze: unknown option or missing value: %s; see hopsweep "
                            "analyze --help\n",
                    s);
            return -1;
        } else if (a->store) {
            fprintf(stderr, "hopsweep analyze: two stores (%s, %s); give one\n", a->store, s);
            return -1;
        } else {
            a->store = s;
        }
    }
    if (formats > 1) {
        fprintf(stderr, "hopsweep analyze: give one of --csv, --json, --markdown\n");
        return -1;
    }
    if (!a->store) {
        fprintf(stderr, "hopsweep analyze: no store; usage: hopsweep analyze RESULTS [options]\n");
        return -1;
    }
    if (a->run && !a->plots) {
        fprintf(stderr, "hopsweep analyze: --run %s chooses the run to draw; add --plots DIR\n",
                a->run);
        return -1;
    }
    return 0;
}

static int draw(ctx *x, const args *ar)
{
    hs_err err = {0};
    plotter p = {.dir = ar->plots};
    long run_index = ar->run ? hs_results_find(x->r, ar->run) : -1; /* checked before printing */
    if (!hs_gnuplot_available()) {
        fprintf(stderr, "hopsweep analyze: gnuplot is not installed (not on PATH), so no "
                        "figures were drawn; install it (apt-get install gnuplot-nox) or leave "
                        "out --plots\n");
        return HS_EXIT_BAD_INPUT;
    }
    char *script = NULL; /* found before anything is written */
    hs_status st = hs_gnuplot_script("minlayers.gp", &script, &err);
    free(script);
    if (!st) st = hs_mkdirs(ar->plots, &err);
    if (!st) st = plot_min_layers(x, &p, &err);
    if (!st) st = plot_accuracy(x, &p, &err);
    if (!st) {
        bool explicit_run = run_index >= 0;
        if (!explicit_run) run_index = default_run(x);
        if (run_index >= 0)
            st = plot_training(x, &p, run_index, ar->store, explicit_run, &err);
        else
            fprintf(stderr, "hopsweep analyze: no training figure: no run solves (query accuracy "
                            ">= %g); choose one with --run ID\n",
                    x->a->opts.tau);
    }
    if (!st) st = plot_emergence(x, &p, run_index, &err);
    if (st) {
        fprintf(stderr, "hopsweep analyze: %s\n", err.msg);
        return hs_exit_code(st);
    }
    fprintf(stderr, "hopsweep analyze: drew %d figure%s into %s (PNG and SVG, data in .dat)\n",
            p.figures, p.figures == 1 ? "" : "s", ar->plots);
    return HS_EXIT_OK;
}

int hs_cmd_analyze(int argc, char **argv)
{
    args ar;
    int pr = parse_args(argc, argv, &ar);
    if (pr > 0) {
        fputs(USAGE, stdout);
        return HS_EXIT_OK;
    }
    if (pr < 0) return HS_EXIT_BAD_INPUT;

    hs_results r;
    hs_results_init(&r);
    hs_analysis a;
    memset(&a, 0, sizeof a);
    hs_err err = {0};
    int rc = HS_EXIT_OK;
    hs_status st = hs_results_load(&r, ar.store, &err);
    if (st) {
        fprintf(stderr, "hopsweep analyze: %s\n", err.msg);
        rc = hs_exit_code_loading(st); /* a store that cannot be read is the user's to fix, as in run */
        goto out;
    }
    st = hs_analyze(&r, &ar.opts, &a, &err);
    if (st) {
        fprintf(stderr, "hopsweep analyze: %s\n", err.msg);
        rc = hs_exit_code(st);
        goto out;
    }
    if (!a.done && !a.failed) {
        fprintf(stderr, "hopsweep analyze: %s: no finished runs yet (%zu record%s, none done or "
                        "failed); run the sweep, or wait for its first job\n",
                ar.store, a.n_runs, a.n_runs == 1 ? "" : "s");
        rc = HS_EXIT_BAD_INPUT;
        goto out;
    }
    if (ar.run && hs_results_find(&r, ar.run) < 0) {
        fprintf(stderr, "hopsweep analyze: --run %s: no such run in %s/runs.jsonl; give a job id "
                        "from it\n",
                ar.run, ar.store);
        rc = HS_EXIT_BAD_INPUT;
        goto out;
    }
    char notice[1024], *runs_path = hs_path_join(ar.store, "runs.jsonl");
    hs_results_notice(&r, runs_path ? runs_path : ar.store, notice, sizeof notice);
    free(runs_path);
    if (notice[0]) fprintf(stderr, "hopsweep analyze: note: %s\n", notice);

    out o = {.fmt = ar.fmt, .only = ar.table, .f = stdout};
    hs_json_init(&o.json);
    ctx x = {.r = &r, .a = &a, .o = &o};
    if (o.fmt == FMT_JSON) hs_json_object_begin(&o.json);
    print_header(&x, ar.store);
    table_min_layers(&x);
    table_accuracy(&x);
    table_curricula(&x);
    table_emergence(&x);
    if (o.fmt == FMT_JSON) {
        hs_json_object_end(&o.json);
        char *text = hs_json_take(&o.json);
        if (text) printf("%s\n", text);
        else o.nomem = true;
        free(text);
    }
    hs_json_free(&o.json);
    if (o.nomem) {
        fprintf(stderr, "hopsweep analyze: out of memory formatting the tables\n");
        rc = HS_EXIT_IO;
        goto out;
    }
    if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, "hopsweep analyze: cannot write the tables: %s\n", strerror(errno));
        rc = HS_EXIT_IO;
        goto out;
    }
    if (ar.plots) rc = draw(&x, &ar);
out:
    hs_analysis_free(&a);
    hs_results_free(&r);
    return rc;
}
