/* report_jobs.c — the jobs of `hopsweep report` side by side: the table of every job (finished,
 * running, never started) with a filter by any config key, a short section for each job
 * without a full one, and the comparison that overlays the curves of the ticked jobs. Every
 * job's metrics.csv (a running job's rows so far) goes into the page as JSON data; the page's
 * script draws the overlay from it, so the page stays one offline file. The state can come with
 * the address: report.html#filter=train.seed=0&compare=ID,ID. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/json.h"
#include "hopsweep/metrics.h"
#include "hopsweep/report.h"
#include "hopsweep/report_svg.h"
#include "hopsweep/runs_table.h"
#include "hopsweep/store_layout.h"

#define CURVE_POINTS 400 /* at most this many evaluations per job go into the page */

const char hs_report_jobs_script[] =
    "(function(){var T=document.getElementById('job-table');if(!T)return;"
    "var F=document.getElementById('job-filter'),D=JSON.parse(document.getElementById('curves')"
    ".textContent),P=['#1f77b4','#ff7f0e','#2ca02c','#d62728','#9467bd','#8c564b','#e377c2',"
    "'#7f7f7f','#bcbd22','#17becf'];"
    "function rows(){return Array.from(T.tBodies[0].rows);}"
    "function esc(s){return String(s).replace(/[&<>\"']/g,function(c){return '&#'+c.charCodeAt(0)"
    "+';';});}"
    "function filter(){var q=F.value.trim().split(/\\s+/).filter(Boolean),n=0;rows().forEach("
    "function(r){var c=' '+(r.dataset.cfg||'')+' '+(T.dataset.common||'')+' "
    "',t=r.textContent.toLowerCase(),ok=q.every("
    "function(w){return w.indexOf('=')>0?c.indexOf(' '+w+' ')>=0:t.indexOf(w.toLowerCase())>=0;})"
    ";r.hidden=!ok;n+=ok?1:0;});document.getElementById('filter-count').textContent=n+' of '+"
    "rows().length+' jobs shown';}"
    "function plot(id,sel,get,fixed){var g=document.getElementById(id),W=520,H=230,ml=56,mr=10,"
    "mt=10,mb=30,xm=1,ym=fixed||0,s='';sel.forEach(function(j){var d=D[j];d.step.forEach("
    "function(x){if(x>xm)xm=x;});if(!fixed)get(d).forEach(function(e){e.y.forEach(function(v){"
    "if(v!==null&&v>ym)ym=v;});});});if(!ym)ym=1;"
    "function X(x){return(ml+(W-ml-mr)*x/xm).toFixed(1);}function Y(y){return(mt+(H-mt-mb)*"
    "(1-y/ym)).toFixed(1);}"
    "s+='<rect class=\"frame\" x=\"'+ml+'\" y=\"'+mt+'\" width=\"'+(W-ml-mr)+'\" height=\"'+"
    "(H-mt-mb)+'\"/><text class=\"tl\" x=\"'+ml+'\" y=\"'+(H-14)+'\">0</text><text class=\"tl\""
    " text-anchor=\"end\" x=\"'+(W-mr)+'\" y=\"'+(H-14)+'\">step '+xm+'</text><text class=\"tl\""
    " text-anchor=\"end\" x=\"'+(ml-4)+'\" y=\"'+(mt+8)+'\">'+(+ym.toPrecision(3))+'</text>"
    "<text class=\"tl\" text-anchor=\"end\" x=\"'+(ml-4)+'\" y=\"'+(H-mb)+'\">0</text>';"
    "sel.forEach(function(j,i){var d=D[j];get(d).forEach(function(e){var p='',pen=false;"
    "e.y.forEach(function(v,k){if(v===null){pen=false;return;}p+=(pen?'L':'M')+X(d.step[k])+' '"
    "+Y(v);pen=true;});if(p)s+='<path fill=\"none\" stroke-width=\"1.5\" data-job=\"'+esc(j)+"
    "'\" stroke=\"'+P[i%P.length]+'\"'+(e.dash?' stroke-dasharray=\"4 3\"':'')+(e.op?"
    "' stroke-opacity=\"'+e.op+'\"':'')+' d=\"'+p+'\"><title>'+esc(j+' '+e.t)+'</title></path>';"
    "});});g.innerHTML=s;}"
    "function draw(){var sel=rows().map(function(r){return r.querySelector('input.cmp');}).filter("
    "function(b){return b&&b.checked&&D[b.value];}).map(function(b){return b.value;});"
    "document.getElementById('cmp-none').hidden=sel.length>0;"
    "document.getElementById('cmp-legend').innerHTML=sel.map(function(j,i){var r=document."
    "getElementById('row-'+j);return '<li><span style=\"background:'+P[i%P.length]+'\"></span>'"
    "+esc(j)+' '+esc(r?r.cells[2].textContent:'')+'</li>';}).join('');"
    "plot('cmp-q',sel,function(d){return[{y:d.q,t:'query accuracy'}];},1);"
    "plot('cmp-loss',sel,function(d){return[{y:d.el,t:'evaluation loss'},{y:d.tl,dash:1,"
    "t:'training loss'}];});"
    "plot('cmp-hop',sel,function(d){return d.hop.map(function(y,k){return{y:y,t:'hop '+k,"
    "op:(0.3+0.7*(k+1)/d.hop.length).toFixed(2)};});},1);"
    "plot('cmp-lr',sel,function(d){return[{y:d.lr,t:'learning rate'}];});}"
    "var h={};location.hash.slice(1).split('&').forEach(function(kv){var i=kv.indexOf('=');"
    "if(i>0)h[kv.slice(0,i)]=decodeURIComponent(kv.slice(i+1));});if(h.filter)F.value=h.filter;"
    "if(h.compare)h.compare.split(',').forEach(function(j){var b=document.querySelector("
    "'input.cmp[value=\"'+j.replace(/[^0-9a-f]/g,'')+'\"]');if(b)b.checked=true;});"
    "F.addEventListener('input',filter);T.addEventListener('change',draw);filter();draw();"
    "if(h.compare)document.getElementById('compare').scrollIntoView();})();";

/* The keys that vary between the jobs of the table (a row's data-cfg holds those; the table's
 * data-common the others, once), so the filter knows every key without repeating the constant
 * ones on every row. */
static bool *varying_keys(const hs_report_ctx *x)
{
    const hs_sweep_state *s = x->s;
    size_t n = s->sweep.n_jobs;
    bool *varies = malloc(sizeof *varies * (hs_config_key_count() + 1));
    const hs_config **more = malloc(sizeof *more * (n + 1));
    if (varies && more) {
        for (size_t j = 0; j < n; j++) more[j] = &s->sweep.jobs[j].cfg;
        hs_runs_varying_keys(x->r, more, n, varies);
    }
    free(more);
    return varies;
}

/* attr="key=value ..." of the keys whose varies[] is want (values are canonical: no spaces). */
static void config_attr(FILE *f, const char *attr, const hs_config *c, const bool *varies,
                        bool want)
{
    char v[256];
    bool first = true;
    if (!varies) return;
    fprintf(f, " %s=\"", attr);
    for (size_t k = 0; k < hs_config_key_count(); k++) {
        if (varies[k] != want) continue;
        hs_config_format(c, k, v, sizeof v);
        fprintf(f, "%s%s=", first ? "" : " ", hs_config_key_name(k));
        hs_html_text(f, v);
        first = false;
    }
    fputc('"', f);
}

/* Running or stale, when the job has a heartbeat (sweep_state.h); NULL otherwise. */
static const char *live_state(const hs_sweep_state *s, const char *id)
{
    long k = hs_sweep_state_beat_of(s, id);
    return k < 0 ? NULL : s->beat_stale[k] ? "stale" : "running";
}

/* cmp: the page carries the job's curves, so it can be ticked for the comparison. */
static void row_start(FILE *f, const char *id, const hs_config *cfg, const bool *varies, bool cmp)
{
    fprintf(f, "<tr id=\"row-%s\"", id);
    if (cfg) config_attr(f, "data-cfg", cfg, varies, true);
    fputs("><td>", f);
    if (cmp)
        fprintf(f, "<input type=\"checkbox\" class=\"cmp\" value=\"%s\" aria-label=\"compare %s\">",
                id, id);
    fprintf(f, "</td><td class=\"l\"><a href=\"#job-%s\">%s</a></td><td class=\"l\">", id, id);
}

static void num_cell(FILE *f, double v, const char *fmt)
{
    fprintf(f, "<td data-v=\"%g\">", isnan(v) ? -1 : v);
    if (!isnan(v)) fprintf(f, fmt, v);
    fputs("</td>", f);
}

static void record_row(const hs_report_ctx *x, size_t i, const bool *varies, bool cmp)
{
    const hs_run_record *run = &x->r->runs[i];
    FILE *f = x->f;
    char label[256];
    hs_sweep_state_label(x->s, x->r, i, label, sizeof label);
    const char *live = live_state(x->s, run->id);
    const char *status = live ? live : hs_run_status_name(run->status);
    row_start(f, run->id, &run->config, varies, cmp);
    hs_html_text(f, label);
    fprintf(f, "</td><td class=\"l st-%s\">%s</td><td class=\"l\">", status, status);
    hs_html_text(f, run->error);
    fprintf(f, "</td><td data-v=\"%d\">", run->steps);
    if (run->steps >= 0) fprintf(f, "%d", run->steps);
    fputs("</td>", f);
    num_cell(f, run->query_acc, "%.3f");
    num_cell(f, run->wall_s, "%.1f");
    fputs("<td class=\"l\">", f);
    hs_html_text(f, run->host);
    fputs("</td></tr>\n", f);
}

/* The config of a sweep job by id, NULL when sweep.yaml does not list it. */
static const hs_config *sweep_config(const hs_sweep_state *s, const char *id, size_t *j)
{
    for (*j = 0; *j < s->sweep.n_jobs; (*j)++)
        if (!strcmp(s->sweep.jobs[*j].id, id)) return &s->sweep.jobs[*j].cfg;
    return NULL;
}

/* A running job without a record yet: its heartbeat says where it is. */
static void beat_row(const hs_report_ctx *x, size_t k, const bool *varies)
{
    const hs_live_beat *b = &x->s->beats[k];
    FILE *f = x->f;
    char label[256];
    size_t j;
    hs_sweep_state_beat_label(x->s, x->r, k, label, sizeof label);
    const char *state = x->s->beat_stale[k] ? "stale" : "running";
    row_start(f, b->id, sweep_config(x->s, b->id, &j), varies, true);
    hs_html_text(f, label);
    fprintf(f, "</td><td class=\"l st-%s\">%s</td><td></td><td data-v=\"%d\">%d</td>", state, state,
            b->step, b->step);
    num_cell(f, b->has_eval ? b->query_acc : NAN, "%.3f");
    fputs("<td data-v=\"-1\"></td><td class=\"l\">", f);
    hs_html_text(f, b->host);
    fputs("</td></tr>\n", f);
}

/* A value of a curve: 4 significant digits are more than a 520-pixel figure shows. */
static void curve_value(hs_json *j, float v)
{
    char text[32];
    if (!isfinite(v)) {
        hs_json_null(j);
        return;
    }
    snprintf(text, sizeof text, "%.4g", (double)v);
    hs_json_raw(j, text);
}

/* A job's curves as {"step":[..],"q":[..],"el":[..],"tl":[..],"lr":[..],"hop":[[..],..]}. */
static void curves_json(hs_json *j, const hs_metrics *m)
{
    int every = m->rows > CURVE_POINTS ? (m->rows + CURVE_POINTS - 1) / CURVE_POINTS : 1;
    const char *keys[] = {"q", "el", "tl", "lr"};
    const float *cols[] = {m->query_acc, m->eval_loss, m->train_loss, m->lr};
    hs_json_object_begin(j);
    hs_json_key(j, "step");
    hs_json_array_begin(j);
    for (int i = 0; i < m->rows; i++)
        if (i % every == 0 || i == m->rows - 1) hs_json_int(j, m->step[i]);
    hs_json_array_end(j);
    for (int c = 0; c < 4; c++) {
        hs_json_key(j, keys[c]);
        hs_json_array_begin(j);
        for (int i = 0; i < m->rows; i++)
            if (i % every == 0 || i == m->rows - 1) curve_value(j, cols[c][i]);
        hs_json_array_end(j);
    }
    hs_json_key(j, "hop");
    hs_json_array_begin(j);
    for (int k = 0; k <= m->hops; k++) {
        hs_json_array_begin(j);
        for (int i = 0; i < m->rows; i++)
            if (i % every == 0 || i == m->rows - 1)
                curve_value(j, m->hop_acc[(size_t)i * (size_t)(m->hops + 1) + (size_t)k]);
        hs_json_array_end(j);
    }
    hs_json_array_end(j);
    hs_json_object_end(j);
}

static void add_curves(const hs_report_ctx *x, hs_json *j, const char *id)
{
    char why[256];
    size_t n = 0;
    /* 1 GiB: what hs_metrics_load takes */
    char *text = hs_report_job_file(x, id, HS_JOB_METRICS, (size_t)1 << 30, &n, why, sizeof why);
    hs_metrics m;
    hs_err e = {0};
    if (text && !hs_metrics_parse(&m, text, n, HS_JOB_METRICS, &e)) {
        hs_json_key(j, id);
        curves_json(j, &m);
        hs_metrics_free(&m);
    }
    free(text);
}

/* Ids and numbers only, so nothing in it can end the <script> element. */
static void curves_data(const hs_report_ctx *x)
{
    hs_json j;
    hs_json_init(&j);
    hs_json_object_begin(&j);
    for (size_t k = 0; k < x->a->n_runs && k < (size_t)x->o->max_curves; k++)
        add_curves(x, &j, x->r->runs[x->a->order[k]].id);
    for (size_t k = 0; k < x->s->n_beats; k++)
        if (hs_results_find(x->r, x->s->beats[k].id) < 0) add_curves(x, &j, x->s->beats[k].id);
    hs_json_object_end(&j);
    char *text = hs_json_ok(&j) ? hs_json_take(&j) : NULL;
    hs_json_free(&j);
    fprintf(x->f, "<script type=\"application/json\" id=\"curves\">%s</script>\n",
            text ? text : "{}");
    free(text);
}

static void section_compare(const hs_report_ctx *x)
{
    FILE *f = x->f;
    fputs("<section id=\"compare\"><h2>Compare jobs</h2><p class=\"note\">The curves of the jobs "
          "ticked in the table, one colour per job (a running job's so far). The address can "
          "carry them: report.html#compare=ID,ID&amp;filter=key=value.</p><p id=\"cmp-none\">"
          "No job ticked: tick some in the table above.</p><ul class=\"legend\" "
          "id=\"cmp-legend\"></ul>",
          f);
    const char *figs[][2] = {{"cmp-q", "query accuracy"},
                             {"cmp-loss", "loss (evaluation solid, training dashed)"},
                             {"cmp-hop", "per-hop accuracy (darker: more hops)"},
                             {"cmp-lr", "learning rate"}};
    for (size_t k = 0; k < 4; k++)
        fprintf(f,
                "<figure class=\"fig\"><figcaption class=\"al\">%s</figcaption><svg id=\"%s\" "
                "width=\"520\" height=\"230\" viewBox=\"0 0 520 230\" role=\"img\" "
                "aria-label=\"%s of the ticked jobs\"></svg></figure>",
                figs[k][1], figs[k][0], figs[k][1]);
    fputs("</section>\n", f);
    curves_data(x);
}

void hs_report_jobs(const hs_report_ctx *x, size_t n_detail)
{
    const hs_analysis *a = x->a;
    const hs_sweep_state *s = x->s;
    FILE *f = x->f;
    fprintf(f,
            "<section id=\"jobs\"><h2>Every job</h2><p class=\"note\">Click a column to sort. "
            "Every id links to its job's section (%zu in full, --max-jobs %d; the others in "
            "short). Filter by any config key (task.hops=4 train.seed=1) or any text; tick jobs "
            "to compare their curves below (the first %d in this order can be, --max-curves, "
            "and running ones).</p><p><input id=\"job-filter\" type=\"search\" "
            "size=\"50\" placeholder=\"task.hops=4 train.seed=1\" aria-label=\"filter the jobs\"> "
            "<span id=\"filter-count\" class=\"note\"></span></p>"
            "<table id=\"job-table\" class=\"sortable\"",
            n_detail, x->o->max_jobs, x->o->max_curves);
    bool *varies = varying_keys(x);
    const hs_config *any = x->r->n           ? &x->r->runs[0].config
                           : s->sweep.n_jobs ? &s->sweep.jobs[0].cfg
                                             : NULL;
    if (any) config_attr(f, "data-common", any, varies, false);
    fputs("><thead><tr><th>compare</th><th class=\"l\">id</th><th class=\"l\">configuration</th>"
          "<th class=\"l\">status</th><th class=\"l\">error</th><th>steps</th><th>final query "
          "acc</th><th>wall s</th><th class=\"l\">host</th></tr></thead><tbody>\n",
          f);
    for (size_t k = 0; k < a->n_runs; k++)
        record_row(x, a->order[k], varies, k < (size_t)x->o->max_curves);
    for (size_t k = 0; k < s->n_beats; k++)
        if (hs_results_find(x->r, s->beats[k].id) < 0) beat_row(x, k, varies);
    char label[256];
    for (size_t j = 0; j < s->sweep.n_jobs; j++) {
        if (s->job_run[j] >= 0 || hs_sweep_state_beat_of(s, s->sweep.jobs[j].id) >= 0) continue;
        hs_sweep_job_label(&s->sweep, j, label, sizeof label);
        fprintf(f, "<tr id=\"row-%s\"", s->sweep.jobs[j].id);
        config_attr(f, "data-cfg", &s->sweep.jobs[j].cfg, varies, true);
        fprintf(f, "><td></td><td class=\"l\">%s</td><td class=\"l\">", s->sweep.jobs[j].id);
        hs_html_text(f, label);
        fputs("</td><td class=\"l st-none\">not started</td><td></td><td data-v=\"-1\"></td>"
              "<td data-v=\"-1\"></td><td data-v=\"-1\"></td><td></td></tr>\n",
              f);
    }
    fputs("</tbody></table></section>\n", f);
    free(varies);
    section_compare(x);
}

static void brief(FILE *f, const char *id, const char *label, const char *status, int steps,
                  double query_acc)
{
    fprintf(f, "<section class=\"job brief\" id=\"job-%s\"><h3>Job %s: ", id, id);
    hs_html_text(f, label);
    fprintf(f, "</h3><p>%s", status);
    if (steps >= 0) fprintf(f, ", %d steps", steps);
    if (!isnan(query_acc)) fprintf(f, ", query accuracy %.3f", query_acc);
    fputs(".</p></section>\n", f);
}

void hs_report_job_briefs(const hs_report_ctx *x, size_t n_detail)
{
    const hs_analysis *a = x->a;
    const hs_sweep_state *s = x->s;
    char label[256];
    bool any = n_detail < a->n_runs || s->n_beats;
    if (any)
        fputs(
            "<h2 id=\"job-briefs\">Jobs in short</h2><p class=\"note\">Their curves: tick them "
            "in <a href=\"#jobs\">the table</a> for <a href=\"#compare\">the comparison</a>.</p>\n",
            x->f);
    for (size_t k = n_detail; k < a->n_runs; k++) {
        const hs_run_record *run = &x->r->runs[a->order[k]];
        const char *live = live_state(s, run->id);
        hs_sweep_state_label(s, x->r, a->order[k], label, sizeof label);
        brief(x->f, run->id, label, live ? live : hs_run_status_name(run->status), run->steps,
              run->query_acc);
    }
    for (size_t k = 0; k < s->n_beats; k++) {
        const hs_live_beat *b = &s->beats[k];
        if (hs_results_find(x->r, b->id) >= 0) continue;
        hs_sweep_state_beat_label(s, x->r, k, label, sizeof label);
        brief(x->f, b->id, label, s->beat_stale[k] ? "stale" : "running", b->step,
              b->has_eval ? b->query_acc : NAN);
    }
}
