/* analyze_plot.c — the figures of `hopsweep analyze --plots` (analyze_plot.h): each figure's
 * .dat file, built in memory and written atomically, then its gnuplot script run on it. What
 * gnuplot prints never reaches stdout, which may be carrying --json. */
#include "hopsweep/analyze_plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hopsweep/analyze_names.h"
#include "hopsweep/fileio.h"
#include "hopsweep/gnuplot.h"
#include "hopsweep/metrics.h"
#include "hopsweep/store_layout.h"

#define PREFIX "hopsweep analyze: "

typedef struct plotter {
    const hs_results *r;
    const hs_analysis *a;
    const char *dir; /* --plots */
    int figures;
} plotter;

/* ---------------------------------------------------------------------------------------------
 * Data files and gnuplot runs */

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

/* A string for a data file's double quotes (gnuplot reads no escapes there: drop quotes). */
static void dat_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++)
        if (*s != '"') fputc(*s, f);
    fputc('"', f);
}

/* Runs the script of analysis/ on DIR/DAT: it writes OUT.png and OUT.svg. The script gets
 * datafile and outfile, then title (when not NULL) and the assignments in more (when not
 * NULL). What gnuplot prints (warnings about series with no points, such as a hop never
 * measured) is shown only when it fails. */
static hs_status run_gnuplot(plotter *p, const char *script, const char *dat_name,
                             const char *out_name, const char *title, const char *more, hs_err *err)
{
    char datafile[4200], outfile[4200];
    snprintf(datafile, sizeof datafile, "%s/%s", p->dir, dat_name);
    snprintf(outfile, sizeof outfile, "%s/%s", p->dir, out_name);
    char *vars = NULL;
    size_t vlen = 0;
    FILE *f = open_memstream(&vars, &vlen);
    if (!f) return hs_fail(err, HS_ENOMEM, "out of memory running gnuplot");
    fputs("datafile=", f);
    hs_gnuplot_quote(f, datafile);
    fputs("; outfile=", f);
    hs_gnuplot_quote(f, outfile);
    if (title) {
        fputs("; title=", f);
        hs_gnuplot_quote(f, title);
    }
    if (more) fprintf(f, "; %s", more);
    bool bad = ferror(f) != 0;
    if (fclose(f) || bad) {
        free(vars);
        return hs_fail(err, HS_ENOMEM, "out of memory running gnuplot");
    }
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

/* ---------------------------------------------------------------------------------------------
 * Minimum layers and accuracy */

static hs_status plot_min_layers(plotter *p, hs_err *err)
{
    const hs_analysis *a = p->a;
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
        hs_analysis_family_name(a, f, name, sizeof name);
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
    if (!st) st = run_gnuplot(p, "minlayers.gp", "minlayers.dat", "minlayers", NULL, NULL, err);
    return st;
}

static hs_status plot_accuracy(plotter *p, hs_err *err)
{
    const hs_analysis *a = p->a;
    for (int f = 0; f < a->n_families; f++) {
        const hs_family *fam = &a->families[f];
        char name[64], base[96], file[128], title[256];
        hs_analysis_family_name(a, f, name, sizeof name);
        snprintf(base, sizeof base, "accuracy-%d-%s", f + 1, hs_curriculum_name(fam->curriculum));
        snprintf(file, sizeof file, "%s.dat", base);
        dat d;
        if (!dat_open(&d)) return hs_fail(err, HS_ENOMEM, "out of memory writing %s", file);
        fprintf(d.f,
                "# accuracy heatmap, curriculum %s (hopsweep analyze)\n# column row hops "
                "layers mean_query_acc solved seeds label\n",
                name);
        for (int l = 0; l < fam->n_layers; l++)
            for (int h = 0; h < fam->n_hops; h++) {
                const hs_cell *c =
                    hs_analysis_find_cell(a, f, fam->hops_values[h], fam->layers_values[l]);
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
        snprintf(title, sizeof title,
                 "mean final query accuracy (solved seeds/seeds), curriculum "
                 "%s%s%s",
                 name, fam->label[0] ? ", " : "", fam->label);
        st = run_gnuplot(p, "accuracy.gp", file, base, title, NULL, err);
        if (st) return st;
    }
    return HS_OK;
}

/* ---------------------------------------------------------------------------------------------
 * One run's training */

/* The default run to draw: a solved done run with the most hops, then fewest layers, lowest
 * seed, smallest id; -1 when no run solves. */
static long default_run(const plotter *p)
{
    long best = -1;
    for (size_t i = 0; i < p->r->n; i++) {
        const hs_run_record *run = &p->r->runs[i];
        if (run->status != HS_RUN_DONE || !(run->query_acc >= p->a->opts.tau)) continue;
        if (best >= 0) {
            const hs_run_record *b = &p->r->runs[best];
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

/* Reads the run's STORE/jobs/<id>/metrics.csv through directory descriptors that follow no link.
 * *refused: the record or the store is at fault (a path outside the job's folder, a link or a
 * wrong type in the way), which is never a mere missing figure. */
static hs_status load_metrics(const char *store, const hs_run_record *run, hs_metrics *m,
                              bool *refused, hs_err *err)
{
    char rel[96];
    hs_job_path(rel, sizeof rel, NULL, run->id, HS_JOB_METRICS, NULL);
    *refused = false;
    memset(m, 0, sizeof *m);
    if (run->metrics && strcmp(run->metrics, rel)) {
        *refused = true;
        return hs_fail(err, HS_EINPUT,
                       "its record names \"%.200s\" as its metrics, which is not %s inside its "
                       "own folder; refusing to read it (the record is forged or damaged)",
                       run->metrics, rel);
    }
    char *path = hs_path_join(store, rel);
    if (!path) return hs_fail(err, HS_ENOMEM, "out of memory reading metrics");
    char *data = NULL;
    size_t n = 0;
    hs_store_view v;
    hs_status st = hs_store_view_open(&v, store, err);
    if (!st)
        st = hs_store_view_read_job(&v, run->id, HS_JOB_METRICS, (size_t)1 << 30, &data, &n, err);
    if (st == HS_EINPUT) *refused = true;
    if (!st && !data) st = hs_fail(err, HS_EIO, "%s: cannot open: %s", path, strerror(ENOENT));
    if (!st) st = hs_metrics_parse(m, data, n, path, err);
    free(data);
    hs_store_view_close(&v);
    free(path);
    return st;
}

/* The training.dat of run: a block per hop label, then the heads' emergence steps. */
static void training_dat(const plotter *p, const hs_run_record *run, const hs_metrics *m, FILE *f)
{
    fprintf(f,
            "# per-hop accuracy over training of run %s (hopsweep analyze).\n# One block "
            "per hop label k: step, accuracy, and the accuracy again at the step where\n# "
            "hop k emerged (NaN elsewhere). The last block: head emergence, step and role.\n",
            run->id);
    for (int k = 0; k <= m->hops; k++) {
        fprintf(f, "%s\"hop %d\"\n", k ? "\n\n" : "", k);
        int emerged = k < run->n_hop_steps ? run->hop_steps[k] : -1;
        for (int i = 0; i < m->rows; i++) {
            float v = m->hop_acc[(size_t)i * (size_t)(m->hops + 1) + (size_t)k];
            fprintf(f, "%d ", m->step[i]);
            if (isnan(v))
                fprintf(f, "NaN NaN\n");
            else if (m->step[i] == emerged)
                fprintf(f, "%.6g %.6g\n", v, v);
            else
                fprintf(f, "%.6g NaN\n", v);
        }
    }
    fprintf(f, "\n\n\"heads\"\n");
    int heads = 0;
    /* Roles that emerged at the same step share one label (the order is by step). */
    for (int j = 0; j < run->n_emerged; j++) {
        int step = run->emerged_step[j];
        if (step < 0) continue;
        if (!heads || step != run->emerged_step[j - 1])
            fprintf(f, "%s%d \"", heads ? "\"\n" : "", step);
        else
            fputc(' ', f);
        for (const char *c = p->r->roles[run->emerged[j]].name; *c; c++)
            if (*c != '"') fputc(*c, f); /* as dat_string: no quotes inside quotes */
        heads++;
    }
    if (heads) fprintf(f, "\"\n");
    if (!heads) fprintf(f, "NaN \"\"\n"); /* gnuplot needs a row to keep the block */
}

/* The training figure of one run, as NAME.dat/.png/.svg. */
static hs_status plot_training(plotter *p, long run_index, const char *store, bool explicit_run,
                               const char *name, hs_err *err)
{
    const hs_run_record *run = &p->r->runs[run_index];
    hs_metrics m;
    hs_err e = {0};
    bool refused;
    hs_status st = load_metrics(store, run, &m, &refused, &e);
    if (st) {
        if (st == HS_ENOMEM || explicit_run || refused)
            return hs_fail(err, st == HS_ENOMEM ? st : HS_EINPUT, "run %s: %s", run->id, e.msg);
        fprintf(stderr, PREFIX "no training figure: run %s: %s\n", run->id, e.msg);
        return HS_OK;
    }
    if (m.cut_row) /* said, not silently dropped: the file may have been cut (CR04) */
        fprintf(stderr,
                PREFIX "run %s: metrics.csv line %d has no newline (still being written, or cut "
                       "off); the training figure leaves it out\n",
                run->id, m.cut_row);
    dat d;
    if (!dat_open(&d)) {
        hs_metrics_free(&m);
        return hs_fail(err, HS_ENOMEM, "out of memory writing %s.dat", name);
    }
    training_dat(p, run, &m, d.f);
    hs_metrics_free(&m);
    char dat_name[64];
    snprintf(dat_name, sizeof dat_name, "%s.dat", name);
    st = dat_write(&d, p->dir, dat_name, err);
    if (st) return st;
    const hs_config *c = &run->config;
    char title[256], more[64];
    snprintf(title, sizeof title, "run %s: %s, %d hops, %d layers, seed %llu", run->id,
             hs_curriculum_name(c->task.curriculum), c->task.hops, c->model.layers,
             (unsigned long long)c->train.seed);
    snprintf(more, sizeof more, "tau=%g", c->emergence.tau_acc);
    return run_gnuplot(p, "training.gp", dat_name, name, title, more, err);
}

/* ---------------------------------------------------------------------------------------------
 * Emergence timeline and precedence */

static hs_status plot_precedence(plotter *p, const hs_emergence *em, const char *name, hs_err *err)
{
    dat d;
    if (!dat_open(&d)) return hs_fail(err, HS_ENOMEM, "out of memory writing precedence.dat");
    fprintf(d.f,
            "# precedence P(row role before column role), %s (hopsweep analyze)\n# column "
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
            dat_string(d.f, p->r->roles[em->roles[col].role].name);
            fputc(' ', d.f);
            dat_string(d.f, p->r->roles[em->roles[row].role].name);
            fputc('\n', d.f);
        }
    hs_status st = dat_write(&d, p->dir, "precedence.dat", err);
    if (st) return st;
    char title[300];
    snprintf(title, sizeof title, "P(row role emerges before column role), %s; %d runs", name,
             em->runs);
    return run_gnuplot(p, "precedence.gp", "precedence.dat", "precedence", title, NULL, err);
}

static hs_status plot_emergence(plotter *p, long run_index, hs_err *err)
{
    const hs_analysis *a = p->a;
    /* The chosen run's cell when it has head data, else the cell with the most such runs. */
    long ci = run_index >= 0 ? hs_analysis_cell_of(a, (size_t)run_index) : -1;
    if (ci < 0 || a->cells[ci].em.n_roles == 0) {
        ci = -1;
        for (size_t i = 0; i < a->n_cells; i++)
            if (a->cells[i].em.n_roles && (ci < 0 || a->cells[i].em.runs > a->cells[ci].em.runs))
                ci = (long)i;
    }
    if (ci < 0) {
        fprintf(stderr, PREFIX "no emergence timeline or precedence figure: no run records head "
                               "emergence\n");
        return HS_OK;
    }
    const hs_cell *c = &a->cells[ci];
    const hs_emergence *em = &c->em;
    char name[96], title[300];
    hs_analysis_cell_name(a, c, name, sizeof name);
    dat d;
    if (!dat_open(&d)) return hs_fail(err, HS_ENOMEM, "out of memory writing timeline.dat");
    fprintf(d.f,
            "# head emergence timeline, %s (hopsweep analyze)\n# row median q1 q3 ci95_lo "
            "ci95_hi role emerged never (steps NaN when never timed)\n",
            name);
    for (int k = 0; k < em->n_roles; k++) {
        const hs_role_stat *rs = &em->roles[k];
        fprintf(d.f, "%d %.6g %.6g %.6g %.6g %.6g ", k, rs->median, rs->q1, rs->q3, rs->ci_lo,
                rs->ci_hi);
        dat_string(d.f, p->r->roles[rs->role].name);
        fprintf(d.f, " %d %d\n", rs->emerged, rs->never);
    }
    hs_status st = dat_write(&d, p->dir, "timeline.dat", err);
    if (st) return st;
    snprintf(title, sizeof title,
             "head emergence, %s: median step, IQR (box), bootstrap 95%% CI "
             "(line); %d runs",
             name, em->runs);
    st = run_gnuplot(p, "timeline.gp", "timeline.dat", "timeline", title, NULL, err);
    if (st || em->n_roles < 2) return st;
    return plot_precedence(p, em, name, err);
}

/* ---------------------------------------------------------------------------------------------
 * All of them */

hs_status hs_analyze_plot(const hs_results *r, const hs_analysis *a, const char *store,
                          const char *dir, const char *const *runs, size_t n_runs, int *figures,
                          hs_err *err)
{
    plotter p = {.r = r, .a = a, .dir = dir};
    *figures = 0;
    long run_index = n_runs ? hs_results_find(r, runs[0]) : -1;
    if (!hs_gnuplot_available())
        return hs_fail(err, HS_EINPUT,
                       "gnuplot is not installed (not on PATH), so no figures were drawn; "
                       "install it (apt-get install gnuplot-nox) or leave out --plots");
    char *script = NULL; /* found before anything is written */
    hs_status st = hs_gnuplot_script("minlayers.gp", &script, err);
    free(script);
    if (!st) st = hs_mkdirs(dir, err);
    if (!st) st = plot_min_layers(&p, err);
    if (!st) st = plot_accuracy(&p, err);
    for (size_t k = 0; !st && k < n_runs; k++) { /* one figure each; training.png for one */
        char name[64];
        snprintf(name, sizeof name, n_runs > 1 ? "training-%.16s" : "training", runs[k]);
        long i = hs_results_find(r, runs[k]);
        if (i < 0) return hs_fail(err, HS_EINPUT, "run %s is not in the store", runs[k]);
        st = plot_training(&p, i, store, true, name, err);
    }
    if (!st && !n_runs) {
        run_index = default_run(&p);
        if (run_index >= 0)
            st = plot_training(&p, run_index, store, false, "training", err);
        else
            fprintf(stderr,
                    PREFIX "no training figure: no run solves (query accuracy >= %g); "
                           "choose one with --run ID\n",
                    a->opts.tau);
    }
    if (!st) st = plot_emergence(&p, run_index, err);
    *figures = p.figures;
    return st;
}
