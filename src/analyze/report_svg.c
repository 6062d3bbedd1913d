/* report_svg.c — escaping, colours and plot frames for the inline figures of `hopsweep report`. */
#include "hopsweep/report_svg.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/escape.h"

void hs_html_text(FILE *f, const char *s)
{
    char e[HS_ESCAPE_MAX];
    while (s && *s) {
        size_t n = hs_escape_step(s, e);
        if (e[0]) { /* a control or bidi character: shown, never acting (escape.h) */
            fputs(e, f);
        } else {
            switch (*s) {
            case '&': fputs("&amp;", f); break;
            case '<': fputs("&lt;", f); break;
            case '>': fputs("&gt;", f); break;
            case '"': fputs("&quot;", f); break;
            case '\'': fputs("&#39;", f); break;
            default: fwrite(s, 1, n, f);
            }
        }
        s += n;
    }
}

void hs_color_scale(double v, char out[8])
{
    if (isnan(v)) {
        strcpy(out, "#dddddd");
        return;
    }
    v = v < 0 ? 0 : v > 1 ? 1 : v;
    /* Three stops, interpolated: light yellow, teal, dark blue. */
    static const double stops[3][3] = {{255, 250, 205}, {65, 182, 196}, {8, 48, 107}};
    int i = v < 0.5 ? 0 : 1;
    double t = v < 0.5 ? v * 2 : (v - 0.5) * 2;
    int c[3];
    for (int k = 0; k < 3; k++)
        c[k] = (int)lround(stops[i][k] + t * (stops[i + 1][k] - stops[i][k]));
    snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

const char *hs_color_ink(double v) { return !isnan(v) && v > 0.55 ? "#fff" : "#000"; }

static const char *const PALETTE[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                      "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                      "#bcbd22", "#17becf", "#393b79", "#637939"};
#define N_PALETTE (sizeof PALETTE / sizeof PALETTE[0])

const char *hs_color_index(int i) { return PALETTE[(size_t)(i < 0 ? -i : i) % N_PALETTE]; }

/* Role colours: a hue per kind of role (forward offsets blue, backward orange-red, self green,
 * other grey, query purple), the shade stepping with |offset|, so two roles of one layer never
 * share a colour and a role has the same colour on every page. */
void hs_color_role(const char *role, char out[8])
{
    static const char *const FIXED[] = {"#2ca02c", "#7f7f7f", "#9467bd", "#000000"};
    const char *colon = role ? strchr(role, ':') : NULL;
    const char *kind = colon ? colon + 1 : "";
    char *end;
    long d = strtol(kind, &end, 10);
    if (!colon || end == kind || *end || d == 0) {
        int k = !strcmp(kind, "self")    ? 0
                : !strcmp(kind, "other") ? 1
                : !strcmp(kind, "query") ? 2
                                         : 3;
        snprintf(out, 8, "%s", FIXED[k]);
        return;
    }
    long m = d < 0 ? -d : d;
    /* hue 215 (forward) or 20 (backward), turning 37 degrees per 5 offsets; lightness 28..68% */
    double hue = (d > 0 ? 215.0 : 20.0) + 37.0 * (double)((m - 1) / 5 % 4);
    double light = 0.28 + 0.10 * (double)((m - 1) % 5), sat = 0.75;
    double c = (1 - fabs(2 * light - 1)) * sat, hp = fmod(hue, 360.0) / 60.0;
    double xx = c * (1 - fabs(fmod(hp, 2.0) - 1)), rgb[3] = {0, 0, 0};
    int sector = (int)hp;
    const int at[6][2] = {{0, 1}, {1, 0}, {1, 2}, {2, 1}, {2, 0}, {0, 2}}; /* (c, x) slots */
    rgb[at[sector][0]] = c;
    rgb[at[sector][1]] = xx;
    double mm = light - c / 2;
    snprintf(out, 8, "#%02x%02x%02x", (int)lround(255 * (rgb[0] + mm)),
             (int)lround(255 * (rgb[1] + mm)), (int)lround(255 * (rgb[2] + mm)));
}

void hs_svg_begin(hs_svg_plot *p, FILE *f, int w, int h, double x0, double x1, double y0, double y1,
                  const char *label)
{
    *p = (hs_svg_plot){.f = f,
                       .x0 = x0,
                       .x1 = x1 > x0 ? x1 : x0 + 1,
                       .y0 = y0,
                       .y1 = y1 > y0 ? y1 : y0 + 1,
                       .w = w,
                       .h = h,
                       .ml = 52,
                       .mr = 12,
                       .mt = 10,
                       .mb = 40};
    fprintf(f,
            "<svg class=\"fig\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
            "aria-label=\"",
            w, h, w, h);
    hs_html_text(f, label);
    fputs("\">", f);
}

double hs_svg_x(const hs_svg_plot *p, double x)
{
    return p->ml + (x - p->x0) / (p->x1 - p->x0) * (p->w - p->ml - p->mr);
}

double hs_svg_y(const hs_svg_plot *p, double y)
{
    return p->h - p->mb - (y - p->y0) / (p->y1 - p->y0) * (p->h - p->mt - p->mb);
}

/* A tick step of 1, 2 or 5 times a power of ten giving about five ticks. */
static double tick_step(double range, bool integer)
{
    double raw = range / 5, mag = pow(10, floor(log10(raw))), s = mag;
    if (raw / mag > 5)
        s = 10 * mag;
    else if (raw / mag > 2)
        s = 5 * mag;
    else if (raw / mag > 1)
        s = 2 * mag;
    return integer && s < 1 ? 1 : s;
}

static void ticks(hs_svg_plot *p, bool x_axis, bool integer)
{
    double lo = x_axis ? p->x0 : p->y0, hi = x_axis ? p->x1 : p->y1;
    double s = tick_step(hi - lo, integer);
    for (double t = ceil(lo / s - 1e-9) * s; t <= hi + 1e-9 * s; t += s) {
        double v = fabs(t) < 1e-12 * s ? 0 : t;
        if (x_axis) {
            double x = hs_svg_x(p, v);
            fprintf(p->f,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"tk\"/>"
                    "<text x=\"%.1f\" y=\"%d\" class=\"tl\" text-anchor=\"middle\">%g</text>",
                    x, p->h - p->mb, x, p->h - p->mb + 4, x, p->h - p->mb + 15, v);
        } else {
            double y = hs_svg_y(p, v);
            fprintf(p->f,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"tk\"/>"
                    "<text x=\"%d\" y=\"%.1f\" class=\"tl\" text-anchor=\"end\">%g</text>",
                    p->ml - 4, y, p->ml, y, p->ml - 6, y + 3.5, v);
        }
    }
}

void hs_svg_axes(hs_svg_plot *p, const char *xlabel, const char *ylabel, bool int_x, bool int_y)
{
    fprintf(p->f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"frame\"/>", p->ml,
            p->mt, p->w - p->ml - p->mr, p->h - p->mt - p->mb);
    ticks(p, true, int_x);
    ticks(p, false, int_y);
    fprintf(p->f, "<text x=\"%.1f\" y=\"%d\" class=\"al\" text-anchor=\"middle\">",
            (p->ml + p->w - p->mr) / 2.0, p->h - 6);
    hs_html_text(p->f, xlabel);
    fprintf(p->f,
            "</text><text transform=\"translate(13 %.1f) rotate(-90)\" class=\"al\" "
            "text-anchor=\"middle\">",
            (p->mt + p->h - p->mb) / 2.0);
    hs_html_text(p->f, ylabel);
    fputs("</text>", p->f);
}

void hs_svg_end(hs_svg_plot *p) { fputs("</svg>\n", p->f); }
