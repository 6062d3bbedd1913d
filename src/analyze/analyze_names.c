/* analyze_names.c — how the analysis is named and looked up by what shows it (analyze_names.h). */
#include "hopsweep/analyze_names.h"

#include <math.h>
#include <stdio.h>

void hs_analysis_family_name(const hs_analysis *a, int f, char *buf, size_t n)
{
    const hs_family *fam = &a->families[f];
    if (a->n_settings > 1)
        snprintf(buf, n, "%s [%d]", hs_curriculum_name(fam->curriculum), fam->setting + 1);
    else
        snprintf(buf, n, "%s", hs_curriculum_name(fam->curriculum));
}

void hs_analysis_cell_name(const hs_analysis *a, const hs_cell *c, char *buf, size_t n)
{
    char fam[64];
    hs_analysis_family_name(a, c->family, fam, sizeof fam);
    snprintf(buf, n, "%s D=%d L=%d", fam, c->hops, c->layers);
}

const hs_group *hs_analysis_find_group(const hs_analysis *a, int family, int hops)
{
    const hs_family *f = &a->families[family];
    for (size_t g = f->first_group; g < f->first_group + f->n_groups; g++)
        if (a->groups[g].hops == hops) return &a->groups[g];
    return NULL;
}

const hs_cell *hs_analysis_find_cell(const hs_analysis *a, int family, int hops, int layers)
{
    const hs_group *g = hs_analysis_find_group(a, family, hops);
    if (!g) return NULL;
    for (size_t c = g->first_cell; c < g->first_cell + g->n_cells; c++)
        if (a->cells[c].layers == layers) return &a->cells[c];
    return NULL;
}

void hs_analysis_steps_text(double v, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else if (v == floor(v))
        snprintf(buf, n, "%.0f", v);
    else
        snprintf(buf, n, "%.1f", v);
}

const char *hs_cell_verdict_name(hs_cell_verdict v)
{
    switch (v) {
    case HS_CELL_SOLVED: return "solved";
    case HS_CELL_UNSOLVED: return "unsolved";
    case HS_CELL_UNDECIDED: return "undecided";
    default: return "empty";
    }
}

const char *hs_tmin_kind_name(hs_tmin_kind k)
{
    return k == HS_TMIN_FOUND ? "found" : k == HS_TMIN_ABOVE ? "above_tested" : "unknown";
}

void hs_group_tmin_text(const hs_group *g, char *buf, size_t n)
{
    const char *mark = g->agree == 0 ? "!" : "";
    if (g->kind == HS_TMIN_FOUND)
        snprintf(buf, n, "%d%s", g->t_min, mark);
    else if (g->kind == HS_TMIN_ABOVE)
        snprintf(buf, n, ">%d%s", g->t_min, mark);
    else
        snprintf(buf, n, "?%s", mark);
}

void hs_results_roles_text(const hs_results *r, const int *roles, int n, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && len + 1 < size; i++) {
        int w = snprintf(buf + len, size - len, "%s%s", i ? " " : "", r->roles[roles[i]].name);
        if (w < 0) break;
        len += (size_t)w;
    }
}
