/* report.c — the HTML page of `hopsweep report` and its sweep-wide sections: the sweep (counts,
 * core-hours, hosts, engines, when), minimum layers against hops beside the theory, accuracy
 * heatmaps, curricula compared, emergence per configuration, and the table of every job. Every
 * number is read from hs_analysis (analyze.h) or hs_sweep_state (sweep_state.h); nothing here
 * computes a statistic. The page loads nothing: styles, figures and the sorting script are
 * inline. */
#include "hopsweep/report.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hopsweep/analyze_hopk.h"
#include "hopsweep/analyze_names.h"
#include "hopsweep/fileio.h"
#include "hopsweep/report_svg.h"
#include "hopsweep/store_layout.h"

static const char CSS[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:0 16px;"
    "color:#222}h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ccc;margin-top:2em}"
    "h3{font-size:15px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;"
    "padding:2px 6px;text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}"
    "th.sort{cursor:pointer}.note{color:#555;font-size:12px}.empty{font-size:18px;padding:2em;"
    "background:#fff6e0;border:1px solid #e0c080}.fig{margin:4px 8px 4px 0;vertical-align:top}"
    ".frame{fill:none;stroke:#888}.tk{stroke:#888}.tl{font-size:10px}.al{font-size:11px}"
    ".st-failed{color:#b00}.st-interrupted{color:#a60}.st-none{color:#888}"
    "section.job{border-top:1px dashed #bbb;margin-top:1.5em}figure.fig{display:inline-block;"
    "margin:4px 8px 4px 0}ul.legend{list-style:none;padding:0;font-size:12px}ul.legend span{"
    "display:inline-block;width:10px;height:10px;margin-right:6px}";

/* Sorts the job table by a clicked header: numbers by data-v, text otherwise. */
static const char SCRIPT[] =
    "document.querySelectorAll('table.sortable').forEach(function(t){"
    "t.querySelectorAll('th').forEach(function(th,c){th.classList.add('sort');"
    "th.addEventListener('click',function(){var b=t.tBodies[0],rows=Array.from(b.rows),"
    "up=th.dataset.dir!=='up';th.dataset.dir=up?'up':'down';rows.sort(function(x,y){"
    "var p=x.cells[c],q=y.cells[c],u=p.dataset.v,v=q.dataset.v,r;"
    "if(u!==undefined&&v!==undefined)r=parseFloat(u)-parseFloat(v);"
    "else r=p.textContent.localeCompare(q.textContent);return up?r:-r;});"
    "rows.forEach(function(r){b.appendChild(r);});});});});";

void hs_report_opts_default(hs_report_opts *o)
{
    hs_analyze_opts a;
    hs_analyze_opts_default(&a);
    *o = (hs_report_opts){.tau = a.tau,
                          .fraction = a.fraction,
                          .max_jobs = HS_REPORT_MAX_JOBS,
                          .max_cells = HS_REPORT_MAX_CELLS,
                          .max_curves = HS_REPORT_MAX_CURVES};
}

static void num_or_dash(FILE *f, double v, const char *fmt)
{
    if (isnan(v))
        fputs("-", f);
    else
        fprintf(f, fmt, v);
}

/* A family named by what sets it apart: its curriculum and, when the store has several
 * settings, the keys that differ ("implicit, train.lr=0.001"), never a bare number. */
static void family_text(const hs_analysis *a, int fi, char *buf, size_t n)
{
    const hs_family *fam = &a->families[fi];
    if (a->n_settings > 1 && fam->label && fam->label[0])
        snprintf(buf, n, "%s, %s", hs_curriculum_name(fam->curriculum), fam->label);
    else
        hs_analysis_family_name(a, fi, buf, n);
}

static const hs_cell *find_cell(const hs_analysis *a, const hs_group *g, int layers)
{
    for (size_t c = g->first_cell; c < g->first_cell + g->n_cells; c++)
        if (a->cells[c].layers == layers) return &a->cells[c];
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * The sweep */

/* Distinct values of a record string (host, engine) with their counts, "a (3), b (1)". */
static void list_values(FILE *f, const hs_results *r, bool engine)
{
    size_t shown = 0;
    for (size_t i = 0; i < r->n && shown < 20; i++) {
        const char *v = engine ? r->runs[i].engine : r->runs[i].host;
        if (!v) continue;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++) {
            const char *w = engine ? r->runs[k].engine : r->runs[k].host;
            seen = w && !strcmp(v, w);
        }
        if (seen) continue;
        size_t count = 0;
        for (size_t k = i; k < r->n; k++) {
            const char *w = engine ? r->runs[k].engine : r->runs[k].host;
            count += w && !strcmp(v, w);
        }
        fputs(shown++ ? ", " : "", f);
        hs_html_text(f, v);
        fprintf(f, " (%zu)", count);
    }
    if (!shown) fputs("not recorded", f);
}

static void when(FILE *f, time_t t)
{
    char buf[64];
    struct tm tm;
    if (t && gmtime_r(&t, &tm) && strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm))
        fputs(buf, f);
    else
        fputs("unknown", f);
}

static void section_sweep(const hs_report_ctx *x, const char *notice)
{
    const hs_sweep_state *s = x->s;
    FILE *f = x->f;
    fputs("<section id=\"sweep\"><h2>The sweep</h2><table id=\"sweep-counts\">", f);
    fputs("<tr><th class=\"l\">store</th><td class=\"l\">", f);
    hs_html_text(f, x->store);
    fputs("</td></tr><tr><th class=\"l\">jobs</th><td class=\"l\">", f);
    int left = s->never_started + s->interrupted + s->running + s->stale;
    if (s->has_sweep)
        fprintf(f,
                "<span data-k=\"total\">%zu</span> in all: <span data-k=\"done\">%d</span> done, "
                "<span data-k=\"failed\">%d</span> failed, <span data-k=\"interrupted\">%d"
                "</span> interrupted, <span data-k=\"running\">%d</span> running, <span "
                "data-k=\"stale\">%d</span> stale, <span data-k=\"never\">%d</span> never started "
                "(<span data-k=\"left\">%d</span> left to run)",
                s->total, s->done, s->failed, s->interrupted, s->running, s->stale,
                s->never_started, left);
    else
        fprintf(f,
                "%zu records: <span data-k=\"done\">%d</span> done, <span data-k=\"failed\">%d"
                "</span> failed, <span data-k=\"interrupted\">%d</span> interrupted "
                "(jobs never started unknown: ",
                x->r->n, s->done, s->failed, s->interrupted);
    if (!s->has_sweep) {
        hs_html_text(f, s->sweep_why);
        fputs(")", f);
    }
    if (s->outside) fprintf(f, "; %d records of jobs sweep.yaml does not list", s->outside);
    fprintf(f,
            "</td></tr><tr><th class=\"l\">compute</th><td class=\"l\">%.2f core-hours "
            "(%.0f s of wall time over %d records, one core each)</td></tr>",
            s->wall_s / 3600, s->wall_s, s->timed);
    fputs("<tr><th class=\"l\">hosts</th><td class=\"l\">", f);
    list_values(f, x->r, false);
    fputs("</td></tr><tr><th class=\"l\">engines</th><td class=\"l\">", f);
    list_values(f, x->r, true);
    if (s->n_builds) { /* a row only when records name their build, so old stores look the same */
        char b[2048];
        hs_sweep_state_builds(s, b, sizeof b);
        fputs("</td></tr><tr><th class=\"l\">builds</th><td class=\"l\">", f);
        hs_html_text(f, b);
    }
    fputs("</td></tr><tr><th class=\"l\">when</th><td class=\"l\">sweep.yaml written ", f);
    when(f, s->started);
    fputs(", last record ", f);
    when(f, s->updated);
    fputs("</td></tr></table>", f);
    /* A bar of the jobs by state. */
    double total = (double)s->total; /* records, running jobs and (with sweep.yaml) the rest */
    if (total > 0) {
        const int parts[5] = {s->done, s->failed, s->interrupted, s->running + s->stale,
                              s->never_started};
        static const char *const colors[5] = {"#2ca02c", "#d62728", "#ff7f0e", "#1f77b4",
                                              "#cccccc"};
        static const char *const names[5] = {"done", "failed", "interrupted", "running or stale",
                                             "never started"};
        fputs("<svg class=\"fig\" width=\"600\" height=\"34\" viewBox=\"0 0 600 34\" role=\"img\" "
              "aria-label=\"jobs by state\">",
              f);
        double at = 0;
        for (int k = 0; k < 5; k++) {
            double w = parts[k] / total * 600;
            if (w <= 0) continue;
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"18\" fill=\"%s\"><title>"
                    "%s: %d</title></rect>",
                    at, w, colors[k], names[k], parts[k]);
            at += w;
        }
        fputs("<text x=\"0\" y=\"31\" class=\"tl\">green done, red failed, orange interrupted, "
              "blue running or stale, grey never started</text></svg>",
              f);
    }
    if (notice[0]) {
        fputs("<p class=\"note\">", f);
        hs_html_text(f, notice);
        fputs("</p>", f);
    }
    fputs("</section>\n", f);
}

/* ---------------------------------------------------------------------------------------------
 * Minimum layers */

static void tmin_text(const hs_group *g, char *buf, size_t n)
{
    const char *mark = g->agree == 0 ? "!" : "";
    if (g->kind == HS_TMIN_FOUND)
        snprintf(buf, n, "%d%s", g->t_min, mark);
    else if (g->kind == HS_TMIN_ABOVE)
        snprintf(buf, n, "&gt;%d%s", g->t_min, mark);
    else
        snprintf(buf, n, "?%s", mark);
}

static void section_min_layers(const hs_report_ctx *x)
{
    const hs_analysis *a = x->a;
    FILE *f = x->f;
    int hmax = 1, lmax = 1;
    for (size_t g = 0; g < a->n_groups; g++) {
        if (a->groups[g].hops > hmax) hmax = a->groups[g].hops;
        if (a->groups[g].theory > lmax) lmax = a->groups[g].theory;
        if (a->groups[g].t_min > lmax) lmax = a->groups[g].t_min;
    }
    fputs("<section id=\"min-layers-section\"><h2>Minimum layers against hops</h2>", f);
    hs_svg_plot p;
    hs_svg_begin(&p, f, 520, 300, 0.5, hmax + 0.5, 0, lmax + 1, "minimum layers against hops");
    hs_svg_axes(&p, "hops D", "layers", true, true);
    /* The theory's staircase: ceil(log3(2D+1)) between half-integers of D. */
    fputs("<path fill=\"none\" stroke=\"#000\" stroke-dasharray=\"4 3\" d=\"", f);
    for (int d = 1; d <= hmax; d++) {
        double y = hs_svg_y(&p, hs_theory_min_layers(d));
        fprintf(f, "%s%.1f %.1fH%.1f", d == 1 ? "M" : "L", hs_svg_x(&p, d - 0.5), y,
                hs_svg_x(&p, d + 0.5));
    }
    fputs("\"><title>theory: ceil(log3(2D+1))</title></path>", f);
    for (int fi = 0; fi < a->n_families; fi++) {
        char name[512];
        family_text(a, fi, name, sizeof name);
        const char *col = hs_color_index(fi);
        double dx = (fi - (a->n_families - 1) / 2.0) * 0.12;
        const hs_family *fam = &a->families[fi];
        for (size_t g = fam->first_group; g < fam->first_group + fam->n_groups; g++) {
            const hs_group *gr = &a->groups[g];
            if (gr->kind == HS_TMIN_UNKNOWN) continue;
            double cx = hs_svg_x(&p, gr->hops + dx), cy = hs_svg_y(&p, gr->t_min);
            if (gr->kind == HS_TMIN_FOUND)
                fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\">", cx, cy, col);
            else /* above the largest tested depth: an open triangle pointing up */
                fprintf(f,
                        "<path d=\"M%.1f %.1fl6 10h-12z\" fill=\"#fff\" stroke=\"%s\" "
                        "stroke-width=\"2\">",
                        cx, cy - 16, col);
            fprintf(f, "<title>%s, D=%d: t_min %s%d</title>%s", name, gr->hops,
                    gr->kind == HS_TMIN_ABOVE ? "above " : "", gr->t_min,
                    gr->kind == HS_TMIN_FOUND ? "</circle>" : "</path>");
        }
    }
    hs_svg_end(&p);
    /* the legend in HTML beside the figure: a label as long as it needs, never cut by the SVG */
    fputs("<ul class=\"legend\">", f);
    for (int fi = 0; fi < a->n_families; fi++) {
        char name[512];
        family_text(a, fi, name, sizeof name);
        fprintf(f, "<li><span style=\"background:%s\"></span>", hs_color_index(fi));
        hs_html_text(f, name);
        fputs("</li>", f);
    }
    fputs("</ul>", f);
    fputs("<p class=\"note\">Dashed: the theory's fewest layers, ceil(log3(2D+1)). Dot: the "
          "fewest tested layers that solve; open triangle: no tested depth solves (drawn at the "
          "largest). Table: t_min (solved seeds / seeds at that depth); &gt;L: no depth up to L "
          "solves; ?: a depth below has no finished seed yet or is undecided; !: disagrees with "
          "the theory.</p>",
          f);
    fputs("<table id=\"min-layers\"><thead><tr><th>hops</th><th>theory</th>", f);
    for (int fi = 0; fi < a->n_families; fi++) {
        char name[512];
        family_text(a, fi, name, sizeof name);
        fputs("<th>", f);
        hs_html_text(f, name);
        fputs("</th>", f);
    }
    fputs("</tr></thead><tbody>", f);
    for (int d = 1; d <= hmax; d++) {
        bool any = false;
        for (int fi = 0; fi < a->n_families; fi++) any |= hs_analysis_find_group(a, fi, d) != NULL;
        if (!any) continue;
        fprintf(f, "<tr><td>%d</td><td>%d</td>", d, hs_theory_min_layers(d));
        for (int fi = 0; fi < a->n_families; fi++) {
            const hs_group *g = hs_analysis_find_group(a, fi, d);
            if (!g) {
                fputs("<td>-</td>", f);
                continue;
            }
            char text[32];
            tmin_text(g, text, sizeof text);
            fprintf(f,
                    "<td data-setting=\"%d\" data-curriculum=\"%s\" data-hops=\"%d\" "
                    "data-kind=\"%s\" data-tmin=\"",
                    a->families[fi].setting + 1, hs_curriculum_name(a->families[fi].curriculum), d,
                    g->kind == HS_TMIN_FOUND   ? "found"
                    : g->kind == HS_TMIN_ABOVE ? "above_tested"
                                               : "unknown");
            if (g->kind == HS_TMIN_UNKNOWN)
                fputs("null", f);
            else
                fprintf(f, "%d", g->t_min);
            fprintf(f, "\">%s", text);
            const hs_cell *c = g->kind == HS_TMIN_FOUND ? find_cell(a, g, g->t_min) : NULL;
            if (c) fprintf(f, " (%d/%d)", c->solved, c->done + c->failed);
            fputs("</td>", f);
        }
        fputs("</tr>", f);
    }
    fputs("</tbody></table></section>\n", f);
}

/* ---------------------------------------------------------------------------------------------
 * Accuracy heatmaps and curricula */

static void section_accuracy(const hs_report_ctx *x)
{
    const hs_analysis *a = x->a;
    FILE *f = x->f;
    fputs("<section id=\"accuracy\"><h2>Accuracy heatmaps</h2><p class=\"note\">Each cell: mean "
          "final query accuracy of the done runs (colour), solved seeds / finished seeds (+: "
          "seeds still to come).</p>",
          f);
    for (int fi = 0; fi < a->n_families; fi++) {
        const hs_family *fam = &a->families[fi];
        char name[512];
        family_text(a, fi, name, sizeof name);
        int cw = 56, ch = 30, ml = 60, mt = 34;
        int w = ml + cw * fam->n_hops + 10, h = mt + ch * fam->n_layers + 36;
        /* the title above the figure in HTML: as long as it needs, never cut by the SVG */
        fputs("<figure class=\"fig\"><figcaption class=\"al\">", f);
        hs_html_text(f, name);
        fprintf(f,
                "</figcaption><svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                "role=\"img\" aria-label=\"accuracy heatmap ",
                w, h, w, h);
        hs_html_text(f, name);
        fputs("\">", f);
        for (int hi = 0; hi < fam->n_hops; hi++) {
            fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"tl\" text-anchor=\"middle\">%d</text>",
                    ml + cw * hi + cw / 2, mt - 6, fam->hops_values[hi]);
            const hs_group *g = hs_analysis_find_group(a, fi, fam->hops_values[hi]);
            for (int li = 0; li < fam->n_layers; li++) {
                int row = fam->n_layers - 1 - li; /* most layers on top */
                const hs_cell *c = g ? find_cell(a, g, fam->layers_values[li]) : NULL;
                int px = ml + cw * hi, py = mt + ch * row;
                if (!c) continue;
                char col[8];
                hs_color_scale(c->mean_acc, col);
                int seeds = c->done + c->failed;
                fprintf(f,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
                        "stroke=\"#fff\"><title>D=%d L=%d: %s, mean accuracy ",
                        px, py, cw, ch, col, c->hops, c->layers,
                        c->verdict == HS_CELL_SOLVED     ? "solved"
                        : c->verdict == HS_CELL_UNSOLVED ? "unsolved"
                        : c->verdict == HS_CELL_EMPTY    ? "empty"
                                                         : "undecided");
                num_or_dash(f, c->mean_acc, "%.3f");
                fprintf(f,
                        "</title></rect><text x=\"%d\" y=\"%d\" class=\"tl\" "
                        "text-anchor=\"middle\" fill=\"%s\">%d/%d%s ",
                        px + cw / 2, py + ch / 2 + 4, hs_color_ink(c->mean_acc), c->solved, seeds,
                        c->expected > seeds ? "+" : "");
                num_or_dash(f, c->mean_acc, "%.2f");
                fputs("</text>", f);
            }
        }
        for (int li = 0; li < fam->n_layers; li++)
            fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"tl\" text-anchor=\"end\">L=%d</text>",
                    ml - 6, mt + ch * (fam->n_layers - 1 - li) + ch / 2 + 4,
                    fam->layers_values[li]);
        fprintf(f,
                "<text x=\"%d\" y=\"%d\" class=\"al\" text-anchor=\"middle\">hops</text></svg>"
                "</figure>",
                ml + cw * fam->n_hops / 2, h - 8);
    }
    fputs("</section>\n", f);

    fputs("<section id=\"curricula\"><h2>Curricula compared</h2><p class=\"note\">Success rate "
          "(solved / finished seeds) and the median steps to solve: emergence.hop_steps[D] of the "
          "runs that solve.</p>",
          f);
    for (int s = 0; s < a->n_settings; s++) {
        fputs("<table>", f);
        for (int fi = 0; a->n_settings > 1 && fi < a->n_families; fi++)
            if (a->families[fi].setting == s) { /* the setting's keys, in full */
                fputs("<caption class=\"l\">", f);
                hs_html_text(f, a->families[fi].label);
                fputs("</caption>", f);
                break;
            }
        fputs("<thead><tr><th>layers</th><th>hops</th>", f);
        for (int fi = 0; fi < a->n_families; fi++)
            if (a->families[fi].setting == s)
                fprintf(f, "<th>%s solved</th><th>%s steps</th>",
                        hs_curriculum_name(a->families[fi].curriculum),
                        hs_curriculum_name(a->families[fi].curriculum));
        fputs("</tr></thead><tbody>", f);
        /* Rows: every (layers, hops) of the setting, in the order the cells come (by family,
         * hops, layers), each once. */
        for (size_t i = 0; i < a->n_cells; i++) {
            const hs_cell *ci = &a->cells[i];
            if (a->families[ci->family].setting != s) continue;
            bool dup = false;
            for (size_t k = 0; k < i && !dup; k++)
                dup = a->families[a->cells[k].family].setting == s &&
                      a->cells[k].layers == ci->layers && a->cells[k].hops == ci->hops;
            if (dup) continue;
            fprintf(f, "<tr><td>%d</td><td>%d</td>", ci->layers, ci->hops);
            for (int fi = 0; fi < a->n_families; fi++) {
                if (a->families[fi].setting != s) continue;
                const hs_group *g = hs_analysis_find_group(a, fi, ci->hops);
                const hs_cell *c = g ? find_cell(a, g, ci->layers) : NULL;
                int seeds = c ? c->done + c->failed : 0;
                if (!seeds) {
                    fputs("<td>-</td><td>-</td>", f);
                    continue;
                }
                fprintf(f, "<td>%.2f (%d/%d)</td><td>", (double)c->solved / seeds, c->solved,
                        seeds);
                num_or_dash(f, c->median_steps, "%.0f");
                fputs("</td>", f);
            }
            fputs("</tr>", f);
        }
        fputs("</tbody></table>", f);
    }
    fputs("</section>\n", f);
}

/* ---------------------------------------------------------------------------------------------
 * Emergence */

static void roles_text(FILE *f, const hs_results *r, const int *roles, int n)
{
    for (int i = 0; i < n; i++) {
        fputs(i ? " " : "", f);
        hs_html_text(f, r->roles[roles[i]].name);
    }
}

static void cell_figures(const hs_report_ctx *x, const hs_cell *c, const char *name)
{
    FILE *f = x->f;
    const hs_emergence *em = &c->em;
    const hs_results *r = x->r;
    double smax = 1;
    for (int k = 0; k < em->n_roles; k++)
        if (em->roles[k].timed && em->roles[k].ci_hi > smax) smax = em->roles[k].ci_hi;
    for (int k = 0; k < em->n_roles; k++)
        if (em->roles[k].timed && em->roles[k].q3 > smax) smax = em->roles[k].q3;
    char label[600];
    snprintf(label, sizeof label, "emergence timeline %s", name);
    hs_svg_plot p;
    int h = 60 + 22 * em->n_roles;
    hs_svg_begin(&p, f, 460, h, 0, smax * 1.05, -0.5, em->n_roles - 0.5, label);
    p.ml = 70;
    hs_svg_axes(&p, "emergence step", "", false, true);
    for (int k = 0; k < em->n_roles; k++) {
        const hs_role_stat *rs = &em->roles[k];
        double y = hs_svg_y(&p, em->n_roles - 1 - k);
        const char *role = r->roles[rs->role].name;
        fprintf(f,
                "<rect x=\"0\" y=\"%.1f\" width=\"%d\" height=\"12\" fill=\"#fff\"/>"
                "<text x=\"%d\" y=\"%.1f\" class=\"tl\" text-anchor=\"end\">",
                y - 8, p.ml - 1, p.ml - 6, y + 3.5);
        hs_html_text(f, role);
        fputs("</text>", f);
        if (!rs->timed) continue;
        char col[8];
        hs_color_role(role, col);
        fprintf(f,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"10\" fill=\"%s\" "
                "fill-opacity=\"0.35\" stroke=\"%s\"/><circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
                "fill=\"%s\"><title>",
                hs_svg_x(&p, rs->ci_lo), hs_svg_x(&p, rs->ci_hi), y, y, col, hs_svg_x(&p, rs->q1),
                y - 5, hs_svg_x(&p, rs->q3) - hs_svg_x(&p, rs->q1), col, col,
                hs_svg_x(&p, rs->median), y, col);
        hs_html_text(f, role);
        fprintf(f,
                ": median %.0f, IQR %.0f-%.0f, 95%% CI %.0f-%.0f; emerged in %d, never in %d"
                "</title></circle>",
                rs->median, rs->q1, rs->q3, rs->ci_lo, rs->ci_hi, rs->emerged, rs->never);
    }
    hs_svg_end(&p);
    int n = em->n_roles;
    if (n < 2) return;
    int cs = 34, ml = 70, mt = 70, w = ml + cs * n + 10, hh = mt + cs * n + 10;
    fprintf(f,
            "<svg class=\"fig\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
            "aria-label=\"precedence ",
            w, hh, w, hh);
    hs_html_text(f, name);
    fputs("\">", f);
    for (int q = 0; q < n; q++) {
        fprintf(f, "<text transform=\"translate(%d %d) rotate(-60)\" class=\"tl\">",
                ml + cs * q + cs / 2, mt - 4);
        hs_html_text(f, r->roles[em->roles[q].role].name);
        fprintf(f, "</text><text x=\"%d\" y=\"%d\" class=\"tl\" text-anchor=\"end\">", ml - 4,
                mt + cs * q + cs / 2 + 4);
        hs_html_text(f, r->roles[em->roles[q].role].name);
        fputs("</text>", f);
    }
    for (int pr = 0; pr < n; pr++)
        for (int q = 0; q < n; q++) {
            const hs_precedence *pc = &em->prec[(size_t)pr * (size_t)n + (size_t)q];
            char col[8];
            hs_color_scale(pc->p, col);
            fprintf(f,
                    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
                    "stroke=\"#fff\"/>",
                    ml + cs * q, mt + cs * pr, cs, cs, col);
            if (!isnan(pc->p))
                fprintf(f,
                        "<text x=\"%d\" y=\"%d\" class=\"tl\" text-anchor=\"middle\" "
                        "fill=\"%s\">%.2f</text>",
                        ml + cs * q + cs / 2, mt + cs * pr + cs / 2 + 4, hs_color_ink(pc->p),
                        pc->p);
        }
    hs_svg_end(&(hs_svg_plot){.f = f});
}

static void section_emergence(const hs_report_ctx *x)
{
    const hs_analysis *a = x->a;
    const hs_results *r = x->r;
    FILE *f = x->f;
    fputs("<section id=\"emergence\"><h2>Emergence per configuration</h2>", f);
    if (!a->with_heads) {
        fputs("<p>No done run records head emergence (emergence.order).</p></section>\n", f);
        return;
    }
    fputs("<p class=\"note\">Over the done runs with head data. Modal order: the most frequent "
          "emergence order (runs with it). W: Kendall's W of the role ranks across runs. Monotone "
          "hops: runs whose hop k emerges no later than hop k+1. Timeline: median step (dot), IQR "
          "(box), bootstrap 95% CI of the median (line). Precedence: P(row role emerges before "
          "column role).</p><table><thead><tr><th class=\"l\">configuration</th><th>runs</th>"
          "<th class=\"l\">modal order (runs)</th><th>orders</th><th>Kendall W</th>"
          "<th>monotone hops</th></tr></thead><tbody>",
          f);
    int figures = 0;
    for (size_t i = 0; i < a->n_cells; i++) {
        const hs_cell *c = &a->cells[i];
        const hs_emergence *em = &c->em;
        if (!c->done || !em->runs) continue;
        char fam[512];
        family_text(a, c->family, fam, sizeof fam);
        /* Only configurations whose figures are drawn below link to them. */
        bool linked = em->n_roles && figures++ < x->o->max_cells;
        fputs("<tr><td class=\"l\">", f);
        if (linked) fprintf(f, "<a href=\"#cell-%zu\">", i);
        hs_html_text(f, fam);
        fprintf(f, " D=%d L=%d%s</td>", c->hops, c->layers, linked ? "</a>" : "");
        fprintf(f, "<td>%d</td><td class=\"l\">", em->runs);
        if (em->n_modal)
            roles_text(f, r, em->modal, em->n_modal);
        else
            fputs("none emerged", f);
        fprintf(f, " (%d/%d%s)</td><td>%d</td><td>", em->modal_runs, em->runs,
                em->modal_ties ? ", tied" : "", em->orders);
        if (em->w_why)
            fprintf(f, "- (%s)", em->w_why);
        else
            fprintf(f, "%.3f", em->w);
        fputs("</td><td>", f);
        if (em->mono_of)
            fprintf(f, "%d/%d", em->mono, em->mono_of);
        else
            fputs("-", f);
        fputs("</td></tr>", f);
    }
    fputs("</tbody></table>", f);
    int drawn = 0;
    for (size_t i = 0; i < a->n_cells; i++) {
        const hs_cell *c = &a->cells[i];
        if (!c->done || !c->em.runs || !c->em.n_roles) continue;
        if (drawn++ >= x->o->max_cells) {
            fprintf(f,
                    "<p class=\"note\">Figures of the other configurations left out "
                    "(--max-cells %d).</p>",
                    x->o->max_cells);
            break;
        }
        char fam[512], name[560];
        family_text(a, c->family, fam, sizeof fam);
        snprintf(name, sizeof name, "%s D=%d L=%d", fam, c->hops, c->layers);
        fprintf(f, "<div id=\"cell-%zu\"><h3>", i);
        hs_html_text(f, name);
        fprintf(f, " (%d runs with head data)</h3>", c->em.runs);
        cell_figures(x, c, name);
        fputs("</div>", f);
    }
    fputs("</section>\n", f);
}

/* ---------------------------------------------------------------------------------------------
 * The page */

static void page_head(FILE *f, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\"><title>",
          f);
    hs_html_text(f, title);
    fprintf(f, "</title><style>%s</style></head><body><h1>", CSS);
    hs_html_text(f, title);
    fputs("</h1>\n", f);
}

hs_status hs_report_write(FILE *f, const char *dir, const hs_report_opts *o, hs_err *err)
{
    hs_results r;
    hs_results_init(&r);
    hs_analysis a;
    memset(&a, 0, sizeof a);
    hs_sweep_state s;
    memset(&s, 0, sizeof s);
    hs_store_view v;
    hs_status st = hs_store_view_open(&v, dir, err);
    if (st) return st;
    st = hs_results_load_view(&r, &v, err);
    if (!st) st = hs_sweep_state_load(&s, &v, &r, err);
    if (!st && r.n) {
        hs_analyze_opts ao;
        hs_analyze_opts_default(&ao);
        ao.tau = o->tau;
        ao.fraction = o->fraction;
        st = hs_analyze(&r, &ao, &a, err);
    }
    if (st) goto out;
    char notice[1024], title[300], *runs_path = hs_path_join(dir, HS_STORE_RUNS);
    hs_results_notice(&r, runs_path ? runs_path : dir, notice, sizeof notice);
    free(runs_path);
    snprintf(title, sizeof title, "hopsweep report: %s", s.has_sweep ? s.sweep.name : dir);
    hs_report_ctx x = {.f = f, .store = dir, .v = &v, .r = &r, .a = &a, .s = &s, .o = o};
    page_head(f, title);
    fputs("<nav class=\"note\"><a href=\"#sweep\">sweep</a> · <a href=\"#min-layers-section\">"
          "minimum layers</a> · <a href=\"#accuracy\">accuracy</a> · <a href=\"#curricula\">"
          "curricula</a> · <a href=\"#key-effects\">key effects</a> · <a href=\"#emergence\">"
          "emergence</a> · <a href=\"#jobs\">jobs</a> · <a href=\"#compare\">compare</a>"
          "</nav>\n",
          f);
    section_sweep(&x, notice);
    if (!r.n) {
        fputs("<p class=\"empty\" id=\"empty\">No job has finished yet: runs.jsonl holds no "
              "readable record",
              f);
        if (s.has_sweep) fprintf(f, " of the %zu jobs of this sweep", s.sweep.n_jobs);
        fputs(". Run the report again once jobs finish (it reads a store while the sweep still "
              "writes it).</p>\n",
              f);
    } else {
        section_min_layers(&x);
        section_accuracy(&x);
        hs_report_key_effects(&x);
        hs_report_k_errors(f, &r, &a);
        section_emergence(&x);
    }
    size_t n_detail = a.n_runs < (size_t)o->max_jobs ? a.n_runs : (size_t)o->max_jobs;
    hs_report_jobs(&x, n_detail);
    if (n_detail) fputs("<h2 id=\"job-sections\">Jobs one by one</h2>\n", f);
    hs_report_job_sections(&x, a.order, n_detail);
    hs_report_job_briefs(&x, n_detail);
    fputs("<p class=\"note\">Written by hopsweep report from ", f);
    hs_html_text(f, dir);
    fprintf(f, ". Self-contained: nothing is fetched.</p><script>%s%s</script></body></html>\n",
            SCRIPT, hs_report_jobs_script);
out:
    hs_store_view_close(&v);
    if (r.n) hs_analysis_free(&a);
    hs_sweep_state_free(&s);
    hs_results_free(&r);
    return st;
}
