/* metrics.c — metrics.csv (format in metrics.h): the trainer's writer and the analysis's
 * reader, so the columns are named in one file. */
#include "hopsweep/metrics.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/fileio.h"

/* The columns every row starts with, in order: step, then the floats, then level. */
static const char *const FIXED[] = {"step", "lr", "train_loss", "eval_loss", "query_acc", "level"};
enum { COL_STEP, COL_LR, COL_TRAIN_LOSS, COL_EVAL_LOSS, COL_QUERY_ACC, COL_LEVEL, N_FIXED };

/* ---------------------------------------------------------------------------------------------
 * Writing */

static void csv_float(FILE *f, float v)
{
    if (isnan(v))
        fputc(',', f);
    else
        fprintf(f, ",%.6g", v);
}

void hs_metrics_header(FILE *f, int hops, int layers, int heads)
{
    for (int c = 0; c < N_FIXED; c++) fprintf(f, "%s%s", c ? "," : "", FIXED[c]);
    for (int k = 0; k <= hops; k++) fprintf(f, ",hop_%d", k);
    for (int l = 1; l <= layers; l++)
        for (int h = 0; h < heads; h++) fprintf(f, ",L%dH%d_role,L%dH%d_score", l, h, l, h);
    fputc('\n', f);
}

void hs_metrics_row(FILE *f, const hs_eval *ev, int hops, const hs_head_role *roles, int n_heads)
{
    fprintf(f, "%d", ev->step);
    csv_float(f, ev->lr);
    csv_float(f, ev->train_loss);
    csv_float(f, ev->eval_loss);
    csv_float(f, ev->query_acc);
    fprintf(f, ",%d", ev->level);
    for (int k = 0; k <= hops; k++) csv_float(f, ev->hop_acc[k]);
    char role[32];
    for (int h = 0; h < n_heads; h++) {
        hs_probe_role_name(roles[h].layer, roles[h].bin, role, sizeof role);
        fprintf(f, ",%s", role);
        csv_float(f, roles[h].score);
    }
    fputc('\n', f);
}

/* ---------------------------------------------------------------------------------------------
 * Reading */

void hs_metrics_free(hs_metrics *m)
{
    free(m->step);
    free(m->lr);
    free(m->train_loss);
    free(m->eval_loss);
    free(m->query_acc);
    free(m->level);
    free(m->hop_acc);
    free(m->head_name);
    for (int i = 0; i < m->n_role_names; i++) free(m->role_names[i]);
    free(m->role_names);
    free(m->head_role);
    free(m->head_score);
    memset(m, 0, sizeof *m);
}

/* Splits one CSV line (no quoting: hopsweep writes none) into at most max fields. */
static int split_fields(char *line, char **fields, int max)
{
    int n = 0;
    for (char *p = line;;) {
        if (n < max) fields[n] = p;
        n++;
        char *comma = strchr(p, ',');
        if (!comma) break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

/* What the reader learned from the header: where each column is, and room to split a line. */
typedef struct csv_layout {
    const char *path; /* for messages */
    char **fields;    /* [max_fields]: one split line */
    int max_fields;
    int nf;           /* the header's fields; a row has at least as many */
    int col[N_FIXED]; /* column of each fixed name, -1 when the header lacks it */
    int *col_of_hop;  /* [hops+1] */
    int *col_of_head; /* [heads]: its _role column, the _score column follows */
} csv_layout;

/* Finds the fixed, hop and head columns of the split header into lay and m (hops, heads).
 * False when memory runs out. */
static bool read_header(hs_metrics *m, csv_layout *lay)
{
    char **fields = lay->fields;
    int nf = lay->nf, hops = -1;
    for (int c = 0; c < N_FIXED; c++) lay->col[c] = -1;
    lay->col_of_hop = malloc(sizeof *lay->col_of_hop * (size_t)(nf + 1));
    lay->col_of_head = malloc(sizeof *lay->col_of_head * (size_t)(nf + 1));
    if (!lay->col_of_hop || !lay->col_of_head) return false;
    for (int i = 0; i < nf; i++) {
        char *end;
        for (int c = 0; c < N_FIXED; c++)
            if (lay->col[c] < 0 && !strcmp(fields[i], FIXED[c])) lay->col[c] = i;
        if (strncmp(fields[i], "hop_", 4) || fields[i][4] < '0' || fields[i][4] > '9') continue;
        long k = strtol(fields[i] + 4, &end, 10);
        if (*end || k != hops + 1 || k >= nf) continue; /* hop columns come in order */
        lay->col_of_hop[++hops] = i;
    }
    m->hops = hops;
    /* Head columns come in pairs, L<l>H<h>_role then L<l>H<h>_score. */
    for (int i = 0; i + 1 < nf; i++) {
        size_t n = strlen(fields[i]);
        if (fields[i][0] != 'L' || n < 6 || n - 5 >= sizeof *m->head_name ||
            strcmp(fields[i] + n - 5, "_role") || strncmp(fields[i + 1], fields[i], n - 5) ||
            strcmp(fields[i + 1] + n - 5, "_score"))
            continue;
        lay->col_of_head[m->heads++] = i;
    }
    return true;
}

/* Room for `rows` rows of every column the header has, and the heads' names. */
static bool alloc_rows(hs_metrics *m, const csv_layout *lay, int rows)
{
    size_t n = (size_t)rows + 1;
    m->step = malloc(sizeof *m->step * n);
    m->hop_acc = malloc(sizeof *m->hop_acc * n * (size_t)(m->hops + 1));
    m->lr = malloc(sizeof *m->lr * n);
    m->train_loss = malloc(sizeof *m->train_loss * n);
    m->eval_loss = malloc(sizeof *m->eval_loss * n);
    m->query_acc = malloc(sizeof *m->query_acc * n);
    m->level = malloc(sizeof *m->level * n);
    if (!m->step || !m->hop_acc || !m->lr || !m->train_loss || !m->eval_loss || !m->query_acc ||
        !m->level)
        return false;
    if (!m->heads) return true;
    size_t cells = n * (size_t)m->heads;
    m->head_name = malloc(sizeof *m->head_name * (size_t)m->heads);
    m->head_role = malloc(sizeof *m->head_role * cells);
    m->head_score = malloc(sizeof *m->head_score * cells);
    m->role_names = malloc(sizeof *m->role_names * cells);
    if (!m->head_name || !m->head_role || !m->head_score || !m->role_names) return false;
    for (int h = 0; h < m->heads; h++) {
        const char *f = lay->fields[lay->col_of_head[h]];
        snprintf(m->head_name[h], sizeof *m->head_name, "%.*s", (int)(strlen(f) - 5), f);
    }
    return true;
}

/* A float field: NaN when empty; false when it is not a number. */
static bool parse_float(const char *f, float *v)
{
    char *end;
    *v = NAN;
    if (!*f) return true;
    *v = strtof(f, &end);
    return !*end;
}

/* The head columns of the split row lineno into row m->rows. */
static hs_status parse_heads(hs_metrics *m, const csv_layout *lay, int lineno, hs_err *err)
{
    for (int h = 0; h < m->heads; h++) {
        const char *role = lay->fields[lay->col_of_head[h]];
        const char *score = lay->fields[lay->col_of_head[h] + 1];
        size_t cell = (size_t)m->rows * (size_t)m->heads + (size_t)h;
        int ri = -1;
        for (int i = 0; *role && i < m->n_role_names && ri < 0; i++)
            if (!strcmp(m->role_names[i], role)) ri = i;
        if (*role && ri < 0) {
            if (!(m->role_names[m->n_role_names] = strdup(role)))
                return hs_fail(err, HS_ENOMEM, "out of memory reading %s", lay->path);
            ri = m->n_role_names++;
        }
        m->head_role[cell] = ri;
        if (!parse_float(score, &m->head_score[cell]))
            return hs_fail(err, HS_EINPUT, "%s:%d: %s_score \"%s\" is not a number", lay->path,
                           lineno, m->head_name[h], score);
    }
    return HS_OK;
}

/* One data row (line lineno, without its newline) into row m->rows. */
static hs_status parse_row(hs_metrics *m, const csv_layout *lay, char *line, int lineno,
                           hs_err *err)
{
    char **fields = lay->fields, *end;
    const char *path = lay->path;
    const int *col = lay->col;
    int k = split_fields(line, fields, lay->max_fields);
    long step = strtol(fields[col[COL_STEP]], &end, 10);
    if (k < lay->nf || *end || end == fields[col[COL_STEP]] || step < 0 || step > INT32_MAX)
        return hs_fail(err, HS_EINPUT, "%s:%d: a row with %s; the file is damaged", path, lineno,
                       k < lay->nf ? "too few fields" : "a bad step");
    m->step[m->rows] = (int)step;
    float *floats[N_FIXED] = {[COL_LR] = m->lr,
                              [COL_TRAIN_LOSS] = m->train_loss,
                              [COL_EVAL_LOSS] = m->eval_loss,
                              [COL_QUERY_ACC] = m->query_acc};
    for (int c = COL_LR; c <= COL_QUERY_ACC; c++) {
        const char *f = col[c] < 0 ? "" : fields[col[c]];
        if (!parse_float(f, &floats[c][m->rows]))
            return hs_fail(err, HS_EINPUT, "%s:%d: %s \"%s\" is not a number", path, lineno,
                           FIXED[c], f);
    }
    m->level[m->rows] = -1;
    if (col[COL_LEVEL] >= 0 && *fields[col[COL_LEVEL]]) {
        const char *f = fields[col[COL_LEVEL]];
        long level = strtol(f, &end, 10);
        if (*end || level < 0 || level > INT32_MAX)
            return hs_fail(err, HS_EINPUT, "%s:%d: level \"%s\" is not a count", path, lineno, f);
        m->level[m->rows] = (int)level;
    }
    for (int h = 0; h <= m->hops; h++) {
        const char *f = fields[lay->col_of_hop[h]];
        if (!parse_float(f, &m->hop_acc[(size_t)m->rows * (size_t)(m->hops + 1) + (size_t)h]))
            return hs_fail(err, HS_EINPUT, "%s:%d: hop_%d \"%s\" is not a number", path, lineno, h,
                           f);
    }
    return parse_heads(m, lay, lineno, err);
}

/* Ends a data row at its newline, without a CR before it or at the end of the text; returns
 * where the newline was (the next row starts after it), NULL for the last row. */
static char *end_line(char *line)
{
    char *next = strchr(line, '\n');
    if (next) *next = '\0';
    size_t l = strlen(line);
    if (l && line[l - 1] == '\r') line[l - 1] = '\0';
    return next;
}

hs_status hs_metrics_parse(hs_metrics *m, const char *text, size_t len, const char *path,
                           hs_err *err)
{
    memset(m, 0, sizeof *m);
    csv_layout lay = {.path = path, .max_fields = 1};
    hs_status st = HS_OK;
    char *buf = malloc(len + 1);
    if (!buf) goto nomem;
    memcpy(buf, text, len);
    buf[len] = '\0';
    int rows = 0;
    for (size_t i = 0; i < len; i++) {
        rows += buf[i] == '\n';
        lay.max_fields += buf[i] == ',';
    }
    lay.fields = malloc(sizeof *lay.fields * (size_t)lay.max_fields);
    if (!lay.fields) goto nomem;
    char *next = strchr(buf, '\n'); /* the header: a CR is cut only before its newline */
    if (next) *next = '\0';
    if (next && next > buf && next[-1] == '\r') next[-1] = '\0';
    lay.nf = split_fields(buf, lay.fields, lay.max_fields);
    if (!read_header(m, &lay)) goto nomem;
    if (lay.col[COL_STEP] < 0 || m->hops < 0) {
        st = hs_fail(err, HS_EINPUT,
                     "%s:1: no step and hop_0.. columns in the header; not a hopsweep metrics.csv",
                     path);
        goto out;
    }
    if (!alloc_rows(m, &lay, rows)) goto nomem;
    for (int lineno = 2; next && !st; lineno++) {
        char *line = next + 1;
        next = end_line(line);
        if (!*line) continue;
        if (!next) { /* a last row without its newline: still being written, or cut off */
            m->cut_row = lineno;
            break;
        }
        st = parse_row(m, &lay, line, lineno, err);
        if (!st) m->rows++;
    }
    goto out;
nomem:
    st = hs_fail(err, HS_ENOMEM, "out of memory reading %s", path);
out:
    free(buf);
    free(lay.fields);
    free(lay.col_of_hop);
    free(lay.col_of_head);
    if (st) hs_metrics_free(m);
    return st;
}

hs_status hs_metrics_load(hs_metrics *m, const char *path, hs_err *err)
{
    char *data = NULL;
    size_t n = 0;
    memset(m, 0, sizeof *m);
    hs_status st = hs_read_file(path, (size_t)1 << 30, &data, &n, err);
    if (!st) st = hs_metrics_parse(m, data, n, path, err);
    free(data);
    return st;
}
