/* report.h — `hopsweep report`: one self-contained HTML page of a result store (inline CSS,
 * inline SVG figures, one small inline script that sorts the job table; nothing fetched), drawn
 * from what analyze.h computes and sweep_state.h counts, so the page and `hopsweep analyze` never
 * disagree. report.c writes the page and its sweep-wide sections; report_keys.c the key effects;
 * report_job.c one job's section (its metrics.csv curves and head roles, and its attention log's
 * first and last frame); report_jobs.c the job table, its filter and the comparison of jobs'
 * curves. */
#ifndef HOPSWEEP_REPORT_H
#define HOPSWEEP_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "hopsweep/analyze.h"
#include "hopsweep/error.h"
#include "hopsweep/sweep_state.h"

typedef struct hs_report_opts {
    double tau, fraction; /* as hs_analyze_opts */
    int max_jobs;         /* jobs that get a section of their own (the table lists every job) */
    int max_cells;        /* configurations whose emergence figures are drawn */
    int max_curves;       /* jobs whose curves the page carries for the comparison */
} hs_report_opts;

#define HS_REPORT_MAX_JOBS   50
#define HS_REPORT_MAX_CELLS  40
#define HS_REPORT_MAX_CURVES 500
/* Past this many bytes of page, no further job section is written (a note says so). */
#define HS_REPORT_MAX_BYTES (16 << 20)

void hs_report_opts_default(hs_report_opts *o);

/* Writes the page of the store at dir to f. HS_EINPUT when dir is not a store (analyze.h's
 * message), HS_ENOMEM; a job whose files are missing or damaged gets a note in its section. */
hs_status hs_report_write(FILE *f, const char *dir, const hs_report_opts *o, hs_err *err);

/* What a section writer needs. */
typedef struct hs_report_ctx {
    FILE *f;
    const char *store;
    const hs_store_view *v; /* the store, to read each job's files from */
    const hs_results *r;
    const hs_analysis *a;
    const hs_sweep_state *s;
    const hs_report_opts *o;
} hs_report_ctx;

/* The section <section id="key-effects">: what each varied config key does to solving
 * (report_keys.c, from key_effects.h). */
void hs_report_key_effects(const hs_report_ctx *x);

/* The bytes of STORE/jobs/<id>/name (their count in *n), read through the store's view (never
 * through a link, only a regular file, at most limit bytes), else NULL and why (caller frees). */
char *hs_report_job_file(const hs_report_ctx *x, const char *id, const char *name, size_t limit,
                         size_t *n, char *why, size_t why_n);

/* The section <section id="job-ID"> of run index i (report_job.c). */
void hs_report_job(const hs_report_ctx *x, size_t i);

/* The sections of runs order[0..n), until the page passes HS_REPORT_MAX_BYTES; then a note
 * says how many were left out. */
void hs_report_job_sections(const hs_report_ctx *x, const size_t *order, size_t n);

/* The figures of a job section from its files' bytes (NULL: the file is not there): per-hop
 * accuracy and head roles from metrics.csv, attention maps from attn.zst. Whatever the bytes
 * hold, the output has a fixed budget (report_job.c) and every string in it is escaped; a
 * damaged file is a note. (The page's job sections and the report's fuzz target.) */
void hs_report_job_figures(const hs_report_ctx *x, const hs_run_record *run, const char *metrics,
                           size_t metrics_len, const char *attn, size_t attn_len);
/* report_jobs.c: the table of every job (the first n_detail of the analysis order have a
 * section of their own), its filter by config key, and the comparison that overlays the curves
 * of the jobs ticked in it (query accuracy, losses, per-hop accuracy, learning rate; running
 * jobs' curves so far), with every job's metrics.csv curves as data in the page. */
void hs_report_jobs(const hs_report_ctx *x, size_t n_detail);
/* A short section for every job without a full one (beyond --max-jobs, or running and not yet
 * recorded), so every id in the table links somewhere. */
void hs_report_job_briefs(const hs_report_ctx *x, size_t n_detail);
/* The page's script for the filter and the comparison (put after the table). */
extern const char hs_report_jobs_script[];

#endif
