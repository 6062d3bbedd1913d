/* job.c — one training job from config to in-memory outputs: record, metrics.csv, checkpoint. */
#include "hopsweep/job.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/attnlog.h"
#include "hopsweep/record.h"
#include "hopsweep/resume.h"
#include "hopsweep/task.h"

void hs_job_output_free(hs_job_output *out)
{
    free(out->resume);
    free(out->record);
    free(out->metrics);
    free(out->attention);
    free(out->model);
    memset(out, 0, sizeof *out);
}

/* Closes a memory stream; the buffer stays (or is freed and cleared if the stream failed). */
static int close_stream(FILE *f, char **buf, size_t *len)
{
    if (!f) return 0;
    int bad = ferror(f) != 0;
    if (fclose(f)) bad = 1;
    if (bad) {
        free(*buf);
        *buf = NULL;
        *len = 0;
    }
    return bad;
}

static char *file_path(const char *dir, const char *name, char *buf, size_t n)
{
    if (dir)
        snprintf(buf, n, "%s/%s", dir, name);
    else
        snprintf(buf, n, "%s", name);
    return buf;
}

/* The trainer's callbacks, passed on to the caller's, with metrics.csv so far for on_metrics. */
typedef struct job_hooks {
    const hs_job_opts *o;
    FILE *metrics;
    char *const *csv;
    const size_t *len;
} job_hooks;

static void hook_eval(const hs_eval *ev, const hs_model *model, void *user)
{
    const job_hooks *h = user;
    if (h->o->on_eval) h->o->on_eval(ev, model, h->o->user);
    /* open_memstream's buffer and size are current after a flush */
    if (h->o->on_metrics && !fflush(h->metrics))
        h->o->on_metrics(*h->csv, *h->len, ev, h->o->live_user);
}

static bool hook_step(int step, void *user)
{
    const job_hooks *h = user;
    return h->o->on_step && h->o->on_step(step, h->o->user);
}

/* Opens the memory streams metrics.csv and the checkpoint are written to. */
static hs_status open_streams(const hs_config *cfg, hs_job_output *out, FILE **metrics,
                              FILE **model, hs_err *err)
{
    *metrics = open_memstream(&out->metrics, &out->metrics_len);
    *model = cfg->log.checkpoint ? open_memstream(&out->model, &out->model_len) : NULL;
    if (*metrics && (!cfg->log.checkpoint || *model)) return HS_OK;
    if (*metrics) fclose(*metrics);
    if (*model) fclose(*model);
    hs_job_output_free(out);
    return hs_fail(err, HS_ENOMEM, "job %s: out of memory for its output", out->id);
}

/* The attention log: the frames logged before an interruption (prior), then the run's. */
static hs_status take_attention(hs_job_output *out, hs_train_result *res,
                                const hs_resume_state *prior, hs_err *err)
{
    out->attention = res->attention; /* the log's bytes travel on unchanged */
    out->attention_len = res->attention_len;
    res->attention = NULL;
    size_t prior_len = prior ? prior->attention_len : 0;
    if (!prior_len) return HS_OK;
    char *all = malloc(prior_len + out->attention_len + 1);
    if (!all) return hs_fail(err, HS_ENOMEM, "out of memory joining an attention log");
    memcpy(all, prior->attention, prior_len);
    if (out->attention_len) memcpy(all + prior_len, out->attention, out->attention_len);
    free(out->attention);
    out->attention = all;
    out->attention_len += prior_len;
    return HS_OK;
}

/* An interrupted job's resume.bin: the trainer's state with the job's files so far. */
static hs_status save_interrupted(const hs_config *cfg, const hs_train_result *res,
                                  hs_job_output *out, hs_err *err)
{
    hs_err jerr = {0};
    if (hs_resume_join(res->resume, res->resume_len, out->metrics ? out->metrics : "",
                       out->metrics_len,
                       cfg->log.attention_every > 0 ? (out->attention ? out->attention : "") : NULL,
                       out->attention_len, &out->resume, &out->resume_len, &jerr))
        return hs_fail(err, jerr.code, "saving an interrupted job: %s", jerr.msg);
    return HS_OK;
}

/* The job record, naming the files the job wrote. */
static hs_status write_record(const hs_config *cfg, const hs_job_opts *o,
                              const hs_train_result *res, hs_job_output *out, hs_err *err)
{
    char mpath[256], apath[256], cpath[256];
    hs_record_meta meta = {
        .sweep = o->sweep,
        .host = o->host,
        .rank = o->rank,
        .metrics =
            out->metrics ? file_path(o->files_dir, HS_JOB_METRICS, mpath, sizeof mpath) : NULL,
        .attention =
            out->attention ? file_path(o->files_dir, HS_JOB_ATTENTION, apath, sizeof apath) : NULL,
        .model = out->model ? file_path(o->files_dir, HS_JOB_MODEL, cpath, sizeof cpath) : NULL,
        .sizes = {out->metrics ? (long long)out->metrics_len : -1,
                  out->attention ? (long long)out->attention_len : -1,
                  out->model ? (long long)out->model_len : -1}};
    hs_json j;
    hs_json_init(&j);
    hs_record_json(&j, cfg, res, &meta);
    out->record = hs_json_take(&j);
    if (!out->record) return hs_fail(err, HS_ENOMEM, "out of memory writing a job record");
    out->record_len = strlen(out->record);
    return HS_OK;
}

/* Runs the trainer with its output in memory streams; a stream that failed makes the job a
 * refused one. */
static hs_status train_into(const hs_config *cfg, const hs_job_opts *o, hs_job_output *out,
                            hs_train_result *res, hs_err *err)
{
    FILE *metrics, *model;
    hs_status st = open_streams(cfg, out, &metrics, &model, err);
    if (st) return st;
    job_hooks hooks = {.o = o, .metrics = metrics, .csv = &out->metrics, .len = &out->metrics_len};
    hs_train_opts topts = {.on_eval = hook_eval,
                           .on_step = hook_step,
                           .user = &hooks,
                           .metrics = metrics,
                           .checkpoint = model,
                           .resume = o->resume};
    if (o->resume) /* the rows before the interruption */
        fwrite(o->resume->metrics, 1, o->resume->metrics_len, metrics);
    st = hs_train_run(cfg, &topts, res, err);
    int bad_streams = close_stream(metrics, &out->metrics, &out->metrics_len) |
                      close_stream(model, &out->model, &out->model_len);
    if (!st && bad_streams && !res->refused) {
        hs_err why;
        hs_fail(&why, HS_ENOMEM, "out of memory buffering the job's files");
        st = hs_train_result_refused(res, cfg, &why, err);
    }
    if (st) hs_job_output_free(out);
    return st;
}

hs_status hs_job_run(const hs_config *cfg, const hs_job_opts *o, hs_job_output *out, hs_err *err)
{
    memset(out, 0, sizeof *out);
    hs_config_id(cfg, out->id);
    hs_train_result res;
    hs_status st = train_into(cfg, o, out, &res, err);
    if (st) return st;
    if (res.refused) { /* a failed job with a reason, and a record with no results or files */
        free(out->metrics), out->metrics = NULL, out->metrics_len = 0;
        free(out->model), out->model = NULL, out->model_len = 0;
    }
    out->status = res.err.code != HS_OK ? HS_RUN_FAILED
                  : res.interrupted     ? HS_RUN_INTERRUPTED
                                        : HS_RUN_DONE;
    if (out->status != HS_RUN_DONE) out->err = res.err;
    out->steps = res.steps;
    out->wall_s = res.wall_s;
    out->final_query_acc = res.final_query_acc;
    st = take_attention(out, &res, o->resume, err);
    if (!st && res.resume) st = save_interrupted(cfg, &res, out, err);
    if (!st) st = write_record(cfg, o, &res, out, err);
    hs_train_result_free(&res);
    if (st) hs_job_output_free(out);
    return st;
}

hs_status hs_job_lost(const hs_config *cfg, const hs_job_opts *o, const char *why,
                      hs_job_output *out, hs_err *err)
{
    memset(out, 0, sizeof *out);
    hs_config_id(cfg, out->id);
    hs_train_result res = {0};
    hs_err reason = {.code = HS_OK};
    snprintf(reason.msg, sizeof reason.msg, "%s", why);
    if (hs_train_result_refused(&res, cfg, &reason, err)) return err->code;
    res.interrupted = true; /* no files and no state: a rerun starts it afresh */
    out->status = HS_RUN_INTERRUPTED;
    out->err = reason;
    hs_record_meta meta = {.sweep = o->sweep, .host = o->host, .rank = o->rank};
    hs_json j;
    hs_json_init(&j);
    hs_record_json(&j, cfg, &res, &meta);
    hs_train_result_free(&res);
    out->record = hs_json_take(&j);
    if (!out->record) return hs_fail(err, HS_ENOMEM, "out of memory writing a job record");
    out->record_len = strlen(out->record);
    return HS_OK;
}

/* ---- the output as bytes, between ranks ---- */

typedef struct {
    char id[17];
    int32_t status, steps;
    float query_acc;
    double wall_s;
    uint64_t len[5]; /* record, metrics, attention, model, resume */
    hs_err err;
} packed_head;

hs_status hs_job_output_pack(const hs_job_output *out, char **bytes, size_t *n, hs_err *err)
{
    packed_head h = {.status = (int32_t)out->status,
                     .steps = out->steps,
                     .query_acc = out->final_query_acc,
                     .wall_s = out->wall_s,
                     .len = {out->record_len, out->metrics ? out->metrics_len : 0,
                             out->attention ? out->attention_len : 0,
                             out->model ? out->model_len : 0, out->resume ? out->resume_len : 0}};
    memcpy(h.id, out->id, sizeof h.id);
    h.err = out->err;
    *n = sizeof h + h.len[0] + h.len[1] + h.len[2] + h.len[3] + h.len[4];
    char *buf = *bytes = malloc(*n);
    if (!buf) return hs_fail(err, HS_ENOMEM, "out of memory packing job %s", out->id);
    memcpy(buf, &h, sizeof h);
    const char *src[5] = {out->record, out->metrics, out->attention, out->model, out->resume};
    char *p = buf + sizeof h;
    for (int k = 0; k < 5; k++) {
        if (h.len[k]) memcpy(p, src[k], h.len[k]);
        p += h.len[k];
    }
    return HS_OK;
}

hs_status hs_job_output_unpack(const void *bytes, size_t n, hs_job_output *out, hs_err *err)
{
    packed_head h;
    memset(out, 0, sizeof *out);
    if (n < sizeof h)
        return hs_fail(err, HS_EINTERNAL, "a job output of %zu bytes is cut short", n);
    memcpy(&h, bytes, sizeof h);
    uint64_t total = sizeof h;
    for (int k = 0; k < 5; k++) {
        if (h.len[k] > n - total) return hs_fail(err, HS_EINTERNAL, "a job output is cut short");
        total += h.len[k];
    }
    if (total != n || h.status < 0 || h.status > 2)
        return hs_fail(err, HS_EINTERNAL, "a malformed job output (%zu bytes)", n);
    memcpy(out->id, h.id, sizeof out->id);
    out->id[16] = '\0';
    out->status = (hs_run_status)h.status;
    out->err = h.err;
    out->err.msg[sizeof out->err.msg - 1] = '\0';
    out->steps = h.steps;
    out->wall_s = h.wall_s;
    out->final_query_acc = h.query_acc;
    char **dst[5] = {&out->record, &out->metrics, &out->attention, &out->model, &out->resume};
    size_t *len[5] = {&out->record_len, &out->metrics_len, &out->attention_len, &out->model_len,
                      &out->resume_len};
    const char *p = (const char *)bytes + sizeof h;
    for (int k = 0; k < 5; k++) {
        *len[k] = h.len[k];
        if (k == 0 || h.len[k]) { /* the record is always there, the files only when written */
            *dst[k] = malloc(h.len[k] + 1);
            if (!*dst[k]) {
                hs_job_output_free(out);
                return hs_fail(err, HS_ENOMEM, "out of memory unpacking a job output");
            }
            memcpy(*dst[k], p, h.len[k]);
            (*dst[k])[h.len[k]] = '\0';
        }
        p += h.len[k];
    }
    return HS_OK;
}
