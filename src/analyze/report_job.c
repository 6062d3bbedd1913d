/* report_job.c — one job's section of `hopsweep report`: what its record says, its per-hop
 * accuracy over training with the step each hop emerged (metrics.csv through hs_metrics_load),
 * every head's role over training (the probes' columns of the same file), and, when it logged
 * attention, the maps of the first and last logged step (attn.zst through attnlog.h). A job's
 * files are read from jobs/<id>/ only (never from a path a record names) and only when they
 * are regular files; a missing or damaged file becomes a note, never an error of the page. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/attnlog.h"
#include "hopsweep/fileio.h"
#include "hopsweep/metrics.h"
#include "hopsweep/report.h"
#include "hopsweep/report_svg.h"
#include "hopsweep/store_layout.h"

char *hs_report_job_file(const hs_report_ctx *x, const char *id, const char *name, size_t limit,
                         size_t *n, char *why, size_t why_n)
{
    char *data = NULL;
    hs_err e = {0};
    if (hs_store_view_read_job(x->v, id, name, limit, &data, n, &e))
        snprintf(why, why_n, "%s; not read", e.msg);
    else if (!data)
        snprintf(why, why_n, HS_STORE_JOBS "/%s/%s: not there", id, name);
    return data;
}

static void note(FILE *f, const char *text)
{
    fputs("<p class=\"note\">", f);
    hs_html_text(f, text);
    fputs("</p>", f);
}

/* The figures' budget whatever metrics.csv holds: at most this many evaluations drawn along the
 * step axis (every k-th beyond it, the last always), hops, heads and legend entries. */
#define FIG_MAX_COLUMNS 500
#define FIG_MAX_SERIES  16
#define FIG_MAX_HEADS   64
#define FIG_MAX_LEGEND  36

/* The row drawn after row i: stride rows on, the last row always drawn. */
static int next_row(int i, int stride, int rows)
{
    int n = i + stride;
    return n >= rows && i < rows - 1 ? rows - 1 : n;
}

/* Per-hop accuracy over training, a dot where each hop emerged. */
static void accuracy_figure(const hs_report_ctx *x, const hs_run_record *run, const hs_metrics *m)
{
    FILE *f = x->f;
    int smax = m->rows ? m->step[m->rows - 1] : 1;
    hs_svg_plot p;
    hs_svg_plot *pp = &p;
    char label[96];
    snprintf(label, sizeof label, "per-hop accuracy of %s", run->id);
    hs_svg_begin(pp, f, 520, 280, 0, smax > 0 ? smax : 1, 0, 1, label);
    pp->mr = 70;
    hs_svg_axes(pp, "step", "accuracy", true, false);
    double tau = run->config.emergence.tau_acc;
    fprintf(f,
            "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" "
            "stroke-dasharray=\"2 3\"/>",
            pp->ml, pp->w - pp->mr, hs_svg_y(pp, tau), hs_svg_y(pp, tau));
    int H = m->hops + 1, stride = (m->rows + FIG_MAX_COLUMNS - 1) / FIG_MAX_COLUMNS;
    for (int k = 0; k <= m->hops && k < FIG_MAX_SERIES; k++) {
        const char *col = hs_color_index(k);
        bool pen = false, any = false;
        for (int i = 0; i < m->rows; i = next_row(i, stride, m->rows)) {
            float v = m->hop_acc[(size_t)i * (size_t)H + (size_t)k];
            if (isnan(v)) {
                pen = false;
                continue;
            }
            if (!any)
                fprintf(f, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" d=\"", col);
            fprintf(f, "%s%.1f %.1f", pen ? "L" : "M", hs_svg_x(pp, m->step[i]), hs_svg_y(pp, v));
            pen = any = true;
        }
        if (!any) continue;
        fprintf(f, "\"><title>hop %d</title></path>", k);
        int e = k < run->n_hop_steps ? run->hop_steps[k] : -1;
        for (int i = 0; e >= 0 && i < m->rows; i++) {
            float v = m->hop_acc[(size_t)i * (size_t)H + (size_t)k];
            if (m->step[i] != e || isnan(v)) continue;
            fprintf(f,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"#000\">"
                    "<title>hop %d emerged at step %d</title></circle>",
                    hs_svg_x(pp, e), hs_svg_y(pp, v), col, k, e);
        }
        fprintf(f,
                "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"3\" fill=\"%s\"/><text x=\"%d\" "
                "y=\"%d\" class=\"tl\">hop %d%s</text>",
                pp->w - pp->mr + 6, pp->mt + 6 + 13 * k, col, pp->w - pp->mr + 20,
                pp->mt + 10 + 13 * k, k, e >= 0 ? " ●" : "");
    }
    hs_svg_end(pp);
}

/* Every head's role at every evaluation: a cell coloured by role, as opaque as its score. */
static void roles_figure(const hs_report_ctx *x, const hs_run_record *run, const hs_metrics *m)
{
    FILE *f = x->f;
    const hs_results *r = x->r;
    if (!m->heads || !m->rows) return;
    int heads = m->heads < FIG_MAX_HEADS ? m->heads : FIG_MAX_HEADS;
    int roles = m->n_role_names < FIG_MAX_LEGEND ? m->n_role_names : FIG_MAX_LEGEND;
    int stride = (m->rows + FIG_MAX_COLUMNS - 1) / FIG_MAX_COLUMNS;
    int ml = 48, mt = 8, rowh = 14, w = 520, legend = 16 * ((roles + 5) / 6);
    double cw = (double)(w - ml - 10) / m->rows;
    int h = mt + rowh * heads + 36 + legend;
    fprintf(f,
            "<svg class=\"fig\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
            "aria-label=\"head roles of %s\">",
            w, h, w, h, run->id);
    for (int hd = 0; hd < heads; hd++) {
        int y = mt + rowh * hd;
        fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"tl\" text-anchor=\"end\">", ml - 4, y + 10);
        hs_html_text(f, m->head_name[hd]);
        fputs("</text>", f);
        for (int i = 0; i < m->rows; i = next_row(i, stride, m->rows)) {
            size_t cell = (size_t)i * (size_t)m->heads + (size_t)hd;
            int role = m->head_role[cell];
            if (role < 0) continue;
            float sc = m->head_score[cell];
            char col[8];
            hs_color_role(m->role_names[role], col);
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\" "
                    "fill-opacity=\"%.2f\"><title>",
                    ml + cw * i, y, cw * stride + 0.05, rowh - 2, col,
                    isnan(sc) ? 1.0
                              : 0.15 + 0.85 * (sc < 0   ? 0
                                               : sc > 1 ? 1
                                                        : sc));
            hs_html_text(f, m->head_name[hd]);
            fprintf(f, " step %d: ", m->step[i]);
            hs_html_text(f, m->role_names[role]);
            fprintf(f, " %.2f</title></rect>", isnan(sc) ? 0.0 : sc);
        }
    }
    /* Where each role emerged (the record's emergence.heads steps). */
    int smax = m->step[m->rows - 1] > 0 ? m->step[m->rows - 1] : 1;
    int y1 = mt + rowh * heads;
    for (int j = 0; j < run->n_emerged; j++) {
        if (run->emerged_step[j] < 0) continue;
        double xe = ml + (w - ml - 10) * (double)run->emerged_step[j] / smax;
        fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#000\"><title>", xe,
                xe, mt, y1 + 4);
        hs_html_text(f, r->roles[run->emerged[j]].name);
        fprintf(f, " emerged at step %d</title></line>", run->emerged_step[j]);
    }
    fprintf(f,
            "<text x=\"%d\" y=\"%d\" class=\"tl\">step %d</text><text x=\"%d\" y=\"%d\" "
            "class=\"tl\" text-anchor=\"end\">step %d</text>",
            ml, y1 + 14, m->step[0], w - 10, y1 + 14, m->step[m->rows - 1]);
    for (int k = 0; k < roles; k++) {
        int lx = ml + 78 * (k % 6), ly = y1 + 22 + 16 * (k / 6);
        char col[8];
        hs_color_role(m->role_names[k], col);
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\" data-role=\"",
                lx, ly, col);
        hs_html_text(f, m->role_names[k]);
        fprintf(f, "\"/><text x=\"%d\" y=\"%d\" class=\"tl\">", lx + 13, ly + 9);
        hs_html_text(f, m->role_names[k]);
        fputs("</text>", f);
    }
    hs_svg_end(&(hs_svg_plot){.f = f});
}

typedef struct pos {
    int32_t chain, index, t;
} pos;

static int cmp_pos(const void *pa, const void *pb)
{
    const pos *a = pa, *b = pb;
    if (a->chain != b->chain) return a->chain < b->chain ? -1 : 1;
    if (a->index != b->index) return a->index < b->index ? -1 : 1;
    return a->t < b->t ? -1 : a->t > b->t;
}

/* The page's budget for one frame: at most this many maps (layer x head) and this many cells
 * over all of them. A larger frame is drawn from a downsampled grid (each cell the mean of a
 * block of positions), so a small log that declares a huge T cannot make a huge page. */
#define ATTN_MAX_MAPS  16
#define ATTN_MAX_CELLS 2304
#define ATTN_MAX_LINES 64 /* chain boundaries drawn per map */

/* Example 0's maps of one frame, one small grid per layer and head, positions sorted along
 * their chains (chain 0, the asked one, first; the query ends it). */
static void attention_frame(FILE *f, const hs_attnlog_frame *fr)
{
    const hs_attnlog_shape *s = &fr->shape;
    int T = s->T;
    int maps = s->layers * s->heads < ATTN_MAX_MAPS ? s->layers * s->heads : ATTN_MAX_MAPS;
    int G = T; /* cells per side */
    while ((long)G * G * maps > ATTN_MAX_CELLS) G--;
    pos *order = malloc(sizeof *order * (size_t)T);
    double *cell = malloc(sizeof *cell * (size_t)G * (size_t)G);
    if (!order || !cell) {
        free(order), free(cell);
        return;
    }
    for (int t = 0; t < T; t++) order[t] = (pos){fr->chain[t], fr->index[t], t};
    qsort(order, (size_t)T, sizeof *order, cmp_pos);
    int chains = 1;
    for (int i = 1; i < T; i++) chains += order[i].chain != order[i - 1].chain;
    int px = T * 10 < 120 ? 120 : T * 10 > 220 ? 220 : T * 10;
    fprintf(f, "<div class=\"attn\"><h4>step %d</h4>", fr->step);
    if (maps < s->layers * s->heads || G < T) {
        fputs("<p class=\"note\">", f);
        if (maps < s->layers * s->heads)
            fprintf(f, "The first %d of %d maps (layer x head). ", maps, s->layers * s->heads);
        if (G < T)
            fprintf(f,
                    "Each map drawn at %dx%d, each cell the mean of a block of its %d positions. ",
                    G, G, T);
        fputs("<code>hopsweep attn</code> shows every weight.</p>", f);
    }
    for (int m = 0; m < maps; m++) {
        int l = m / s->heads, h = m % s->heads;
        const float *w = fr->weights + (((size_t)l * s->heads + (size_t)h) * (size_t)s->examples) *
                                           (size_t)T * (size_t)T;
        for (int bi = 0; bi < G; bi++)
            for (int bj = 0; bj < G; bj++) {
                int i0 = (int)((long)bi * T / G), i1 = (int)((long)(bi + 1) * T / G);
                int j0 = (int)((long)bj * T / G), j1 = (int)((long)(bj + 1) * T / G);
                double sum = 0;
                for (int i = i0; i < i1; i++)
                    for (int j = j0; j < j1; j++) {
                        float v = w[(size_t)order[i].t * (size_t)T + (size_t)order[j].t];
                        sum += v >= 0 ? v : 0; /* NaN and negatives draw as nothing */
                    }
                cell[(size_t)bi * G + bj] = sum / ((double)(i1 - i0) * (j1 - j0));
            }
        double top = 0.16 * G; /* room for the label, in grid units */
        fprintf(f,
                "<svg class=\"fig\" width=\"%d\" height=\"%.0f\" viewBox=\"-0.2 %.2f %.1f "
                "%.2f\" role=\"img\" aria-label=\"attention step %d layer %d head %d\">"
                "<text x=\"0\" y=\"%.2f\" font-size=\"%.2f\">L%dH%d</text>"
                "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"none\" "
                "stroke=\"#888\" stroke-width=\"0.05\"/><g fill=\"#08306b\">",
                px, px * (G + top + 0.2) / (G + 0.4), -top, G + 0.4, G + top + 0.2, fr->step, l + 1,
                h, -0.04 * G, 0.1 * G, l + 1, h, G, G);
        for (int i = 0; i < G; i++)
            for (int j = 0; j < G; j++) {
                double v = cell[(size_t)i * G + j];
                if (!((float)v >= 0.01f)) continue; /* near-zero weights stay white: small */
                fprintf(f,
                        "<rect x=\"%d\" y=\"%d\" width=\"1\" height=\"1\" "
                        "fill-opacity=\"%.2f\"/>",
                        j, i, v > 1 ? 1.0 : v);
            }
        fputs("</g>", f);
        for (int i = 1; chains <= ATTN_MAX_LINES && i < T; i++) /* chain boundaries */
            if (order[i].chain != order[i - 1].chain) {
                if (G == T)
                    fprintf(f,
                            "<path d=\"M0 %dH%dM%d 0V%d\" stroke=\"#d62728\" "
                            "stroke-width=\"0.06\"/>",
                            i, T, i, T);
                else
                    fprintf(f,
                            "<path d=\"M0 %.2fH%dM%.2f 0V%d\" stroke=\"#d62728\" "
                            "stroke-width=\"0.06\"/>",
                            (double)i * G / T, G, (double)i * G / T, G);
            }
        fputs("</svg>", f);
    }
    fputs("</div>", f);
    free(cell);
    free(order);
}

static void attention_figures(FILE *f, const hs_run_record *run, const char *data, size_t n)
{
    char rel[64];
    hs_job_path(rel, sizeof rel, NULL, run->id, HS_JOB_ATTENTION, NULL);
    hs_attnlog_reader rd;
    hs_err e = {0};
    if (hs_attnlog_open_bytes(&rd, data, n, rel, &e)) {
        note(f, e.msg);
        return;
    }
    fprintf(f,
            "<h4>Attention of probe example 0 (%d logged steps; rows attend to columns, "
            "positions sorted by chain and chain index, the asked chain first and the query "
            "last in it; red lines separate chains)</h4>",
            rd.n_frames);
    if (rd.notice[0]) note(f, rd.notice);
    int picks[2] = {0, rd.n_frames - 1};
    for (int k = 0; k < (rd.n_frames > 1 ? 2 : rd.n_frames); k++) {
        hs_attnlog_frame fr;
        if (hs_attnlog_read(&rd, picks[k], &fr, &e)) {
            note(f, e.msg);
            continue;
        }
        attention_frame(f, &fr);
        hs_attnlog_frame_free(&fr);
    }
    hs_attnlog_close(&rd);
}

void hs_report_job_figures(const hs_report_ctx *x, const hs_run_record *run, const char *metrics,
                           size_t metrics_len, const char *attn, size_t attn_len)
{
    if (metrics) {
        char rel[64];
        hs_job_path(rel, sizeof rel, NULL, run->id, HS_JOB_METRICS, NULL);
        hs_metrics m;
        hs_err e = {0};
        if (hs_metrics_parse(&m, metrics, metrics_len, rel, &e)) {
            note(x->f, e.msg);
        } else {
            accuracy_figure(x, run, &m);
            roles_figure(x, run, &m);
            hs_metrics_free(&m);
        }
    }
    if (attn) attention_figures(x->f, run, attn, attn_len);
}

void hs_report_job(const hs_report_ctx *x, size_t i)
{
    const hs_run_record *run = &x->r->runs[i];
    FILE *f = x->f;
    char label[256], why[600];
    hs_sweep_state_label(x->s, x->r, i, label, sizeof label);
    fprintf(f, "<section class=\"job\" id=\"job-%s\"><h3>Job %s: ", run->id, run->id);
    hs_html_text(f, label);
    fprintf(f, "</h3><p>%s", hs_run_status_name(run->status));
    if (run->steps >= 0) fprintf(f, " after %d steps", run->steps);
    if (!isnan(run->query_acc)) fprintf(f, ", final query accuracy %.3f", run->query_acc);
    if (!isnan(run->wall_s)) fprintf(f, ", %.1f s", run->wall_s);
    if (run->host) {
        fputs(" on ", f);
        hs_html_text(f, run->host);
    }
    if (run->error) {
        fputs(". Error: <span class=\"st-failed\">", f);
        hs_html_text(f, run->error);
        fputs("</span>", f);
    }
    fputs(". <a href=\"#jobs\">back to the table</a></p>", f);
    size_t mn = 0, an = 0;
    /* 1 GiB: what hs_metrics_load takes; 2 GiB: what the attention log reader takes */
    char *metrics =
        hs_report_job_file(x, run->id, HS_JOB_METRICS, (size_t)1 << 30, &mn, why, sizeof why);
    if (!metrics) note(f, why);
    hs_report_job_figures(x, run, metrics, mn, NULL, 0);
    char *attn =
        hs_report_job_file(x, run->id, HS_JOB_ATTENTION, (size_t)1 << 31, &an, why, sizeof why);
    if (!attn && run->attention) note(f, why);
    hs_report_job_figures(x, run, NULL, 0, attn, an);
    free(metrics);
    free(attn);
    fputs("</section>\n", f);
}

void hs_report_job_sections(const hs_report_ctx *x, const size_t *order, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        /* The page stays one a browser opens, whatever --max-jobs asks: sections stop once it
         * is past its budget (each section has a bounded size of its own). */
        long at = ftell(x->f);
        if (at > HS_REPORT_MAX_BYTES) {
            fprintf(
                x->f,
                "<p class=\"note\" id=\"sections-cut\">The last %zu job sections are left "
                "out: the page has reached %d MB. The job table lists every job; <code>hopsweep "
                "analyze</code> and <code>hopsweep attn</code> show the rest.</p>\n",
                n - k, HS_REPORT_MAX_BYTES >> 20);
            return;
        }
        hs_report_job(x, order[k]);
    }
}
