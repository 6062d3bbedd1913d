/* report_svg.h — the drawing kit of `hopsweep report`: HTML escaping, colour scales, and a plot
 * frame (data ranges mapped onto an inline <svg> with axes and ticks). Only drawing: every number
 * drawn comes from analyze.h. */
#ifndef HOPSWEEP_REPORT_SVG_H
#define HOPSWEEP_REPORT_SVG_H

#include <stdbool.h>
#include <stdio.h>

/* Writes s for HTML text and attribute values (SVG included): & < > " ' as entities, control
 * and bidi characters as visible escapes (escape.h); NULL writes nothing. Every string from a
 * store, a file or argv goes into the page through it. */
void hs_html_text(FILE *f, const char *s);

/* A sequential colour for v in [0, 1] (light yellow to dark blue), "#rrggbb"; grey for NaN. */
void hs_color_scale(double v, char out[8]);
/* The colour of a head role ("L2:-3", "L1:self"): fixed by its kind and offset (forward blue,
 * backward orange-red, a shade per |offset|; self green, other grey, query purple), so the
 * roles of one layer differ and a role looks the same on every page. */
void hs_color_role(const char *role, char out[8]);
/* The i-th colour of the same categorical palette (hop labels). */
const char *hs_color_index(int i);
/* Black or white, whichever reads on a background of hs_color_scale(v). */
const char *hs_color_ink(double v);

typedef struct hs_svg_plot {
    FILE *f;
    double x0, x1, y0, y1; /* data ranges (x0 < x1, y0 < y1) */
    int w, h;              /* pixels */
    int ml, mr, mt, mb;    /* margins */
} hs_svg_plot;

/* Opens an <svg> of w x h pixels plotting [x0,x1] x [y0,y1]; label is its accessible name. */
void hs_svg_begin(hs_svg_plot *p, FILE *f, int w, int h, double x0, double x1, double y0, double y1,
                  const char *label);
double hs_svg_x(const hs_svg_plot *p, double x);
double hs_svg_y(const hs_svg_plot *p, double y);
/* Frame, ticks (whole numbers only when integer), tick labels and axis labels. */
void hs_svg_axes(hs_svg_plot *p, const char *xlabel, const char *ylabel, bool int_x, bool int_y);
void hs_svg_end(hs_svg_plot *p);

#endif
