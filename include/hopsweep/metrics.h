/* metrics.h — metrics.csv, the per-evaluation table of one job (DESIGN §3): the one place that
 * names its columns, writes them (the trainer) and reads them back (analyze, report).
 *
 *   step,lr,train_loss,eval_loss,query_acc,level,hop_0,...,hop_D[,L1H0_role,L1H0_score,...]
 *
 * One row per evaluation. step and level are integers; every other number is printed "%.6g",
 * and a NaN (a value not measured: train_loss at step 0, a hop label the evaluation set lacks)
 * is an empty field. The head columns come in pairs per head, layer-major (layers from 1,
 * heads from 0), when the job probes heads: the head's role ("L2:-3", "L1:self", ...) and its
 * score. No quoting: no field holds a comma. Lines end in \n. */
#ifndef HOPSWEEP_METRICS_H
#define HOPSWEEP_METRICS_H

#include <stdio.h>

#include "hopsweep/error.h"
#include "hopsweep/probe.h"

/* What one evaluation measured, as one row holds it; arrays are indexed by hop label 0..hops.
 * The trainer fills it (train.h); a row is written from it. */
typedef struct hs_eval {
    int step;             /* training steps completed */
    float lr;             /* learning rate of the last step */
    float train_loss;     /* mean training loss since the previous evaluation (NaN at step 0) */
    float eval_loss;      /* mean loss over the evaluation set's supervised positions */
    float query_acc;      /* accuracy on queries that ask the full `hops` */
    const float *hop_acc; /* [hops+1]; NaN where the evaluation set has no such position */
    int level;            /* explicit curriculum: current query hops; otherwise hops */
} hs_eval;

/* ---------------------------------------------------------------------------------------------
 * Writing (train.c): the header once, then one row per evaluation. */

/* The header of a job with hop labels 0..hops and a head probe of layers x heads (0 x 0: none). */
void hs_metrics_header(FILE *f, int hops, int layers, int heads);

/* One row: the evaluation ev (its hop_acc has hops+1 entries) and the role of each of the
 * n_heads probed heads (layer-major, as hs_probe_roles gives them; n_heads = layers x heads of
 * the header, 0 for none). */
void hs_metrics_row(FILE *f, const hs_eval *ev, int hops, const hs_head_role *roles, int n_heads);

/* ---------------------------------------------------------------------------------------------
 * Reading (the analysis's per-hop accuracy and head-role figures): any header with step and
 * hop_0 .. hop_D in order; other columns are ignored, so files of older writers still read. */

typedef struct hs_metrics {
    int rows, hops; /* hop columns hop_0 .. hop_<hops> */
    int *step;      /* [rows] */
    /* [rows] each; NaN (level -1) where empty or the column is missing (an older file) */
    float *lr, *train_loss, *eval_loss, *query_acc;
    int *level;
    float *hop_acc; /* [rows][hops+1]; NaN where empty */
    /* The head probes' columns L<l>H<h>_role, L<l>H<h>_score (for head-role timelines); 0 heads
     * when the file has none. */
    int heads;
    char (*head_name)[16]; /* [heads] "L1H0" */
    int n_role_names;
    char **role_names; /* distinct roles met, in order of first appearance */
    int *head_role;    /* [rows][heads] index into role_names, -1 where empty */
    float *head_score; /* [rows][heads]; NaN where empty */
    int cut_row;       /* line number of a last row without its newline (still being written,
                          or cut off), which is left out; 0 when there is none */
} hs_metrics;

/* Parses the text of a metrics.csv (path for messages). HS_EINPUT names the file and line of
 * what is wrong: no header with step and hop_0.., a row with too few fields or a bad number. */
hs_status hs_metrics_parse(hs_metrics *m, const char *text, size_t len, const char *path,
                           hs_err *err);
hs_status hs_metrics_load(hs_metrics *m, const char *path, hs_err *err);
void hs_metrics_free(hs_metrics *m);

#endif
