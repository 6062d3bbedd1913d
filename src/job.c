/* job.c — one training job from config to in-memory outputs: record, metrics.csv, checkpoint. */
#include "hopsweep/job.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/record.h"

const char *hs_job_status_name(hs_job_status s)
{
    switch (s) {
    case HS_JOB_DONE: return "done";
    case HS_JOB_FAILED: return "failed";
    default: return "interrupted";
    }
}

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

/* resume.bin: "HSJOBRS1", then the byte counts of the training state, the metrics.csv text so
 * far and the attention log so far (u64 each), then those bytes. The log's frames are
 * independent zstd frames, so the resumed run's frames simply follow them. */
#define RESUME_MAGIC "HSJOBRS1"

typedef struct {
    const char *part[3];
    uint64_t len[3];
} resume_parts;

static hs_status split_resume(const void *bytes, size_t n, resume_parts *r, hs_err *err)
{
    const char *p = bytes;
    if (n < 32 || memcmp(p, RESUME_MAGIC, 8))
        return hs_fail(err, HS_EINPUT, "not a hopsweep resume state");
    uint64_t total = 32;
    for (int k = 0; k < 3; k++) {
        memcpy(&r->len[k], p + 8 + 8 * k, 8);
        if (r->len[k] > n) return hs_fail(err, HS_EINPUT, "resume state cut short");
        r->part[k] = p + total;
        total += r->len[k];
    }
    if (total != n) return hs_fail(err, HS_EINPUT, "resume state cut short or overlong");
    return HS_OK;
}

static char *join_resume(const char *train, size_t tn, const char *metrics, size_t mn,
                         const char *attn, size_t an, size_t *n)
{
    uint64_t len[3] = {tn, mn, an};
    *n = 32 + tn + mn + an;
    char *b = malloc(*n);
    if (!b) return NULL;
    memcpy(b, RESUME_MAGIC, 8);
    memcpy(b + 8, len, sizeof len);
    if (tn) memcpy(b + 32, train, tn);
    if (mn) memcpy(b + 32 + tn, metrics, mn);
    if (an) memcpy(b + 32 + tn + mn, attn, an);
    return b;
}

hs_status hs_job_resume_check(const hs_config *cfg, const void *bytes, size_t n, hs_err *err)
{
    resume_parts r;
    hs_status st = split_resume(bytes, n, &r, err);
    return st ? st : hs_train_resume_check(cfg, r.part[0], r.len[0], err);
}

hs_status hs_job_run(const hs_config *cfg, const hs_job_opts *o, hs_job_output *out, hs_err *err)
{
    memset(out, 0, sizeof *out);
    hs_config_id(cfg, out->id);
    FILE *metrics = open_memstream(&out->metrics, &out->metrics_len);
    FILE *model = cfg->log.checkpoint ? open_memstream(&out->model, &out->model_len) : NULL;
    if (!metrics || (cfg->log.checkpoint && !model)) {
        if (metrics) fclose(metrics);
        if (model) fclose(model);
        hs_job_output_free(out);
        return hs_fail(err, HS_ENOMEM, "job %s: out of memory for its output", out->id);
    }
    hs_train_opts topts = {.on_eval = o->on_eval, .on_step = o->on_step, .user = o->user,
                           .metrics = metrics, .checkpoint = model};
    resume_parts prior = {0};
    if (o->resume) {
        hs_status st = split_resume(o->resume, o->resume_len, &prior, err);
        if (st) {
            fclose(metrics);
            if (model) fclose(model);
            hs_job_output_free(out);
            return st;
        }
        topts.resume = prior.part[0];
        topts.resume_len = prior.len[0];
        fwrite(prior.part[1], 1, prior.len[1], metrics); /* the rows before the interruption */
    }
    hs_train_result res;
    hs_err terr = {0};
    hs_status st = hs_train_run(cfg, &topts, &res, &terr);
    int bad_streams = close_stream(metrics, &out->metrics, &out->metrics_len) |
                      close_stream(model, &out->model, &out->model_len);
    if (st || bad_streams) {
        /* The trainer refused the job (no memory for its model, a stream failed): a failed
         * job with a reason, and a record with no results. */
        if (!st) st = hs_fail(&terr, HS_ENOMEM, "out of memory buffering the job's files");
        hs_train_result_free(&res);
        res = (hs_train_result){.status = st, .hops = cfg->task.hops};
        res.final_hop_acc = malloc(sizeof(float) * (cfg->task.hops + 1));
        res.hop_steps = malloc(sizeof(int) * (cfg->task.hops + 1));
        if (!res.final_hop_acc || !res.hop_steps) {
            hs_train_result_free(&res);
            hs_job_output_free(out);
            return hs_fail(err, HS_ENOMEM, "out of memory recording a failed job");
        }
        for (int k = 0; k <= cfg->task.hops; k++) res.final_hop_acc[k] = NAN, res.hop_steps[k] = -1;
        res.final_loss = res.final_query_acc = NAN;
        snprintf(res.error, sizeof res.error, "%s", terr.msg);
        free(out->metrics), out->metrics = NULL, out->metrics_len = 0;
        free(out->model), out->model = NULL, out->model_len = 0;
    }
    out->status = res.status != HS_OK ? HS_JOB_FAILED
                  : res.interrupted   ? HS_JOB_INTERRUPTED
                                      : HS_JOB_DONE;
    if (out->status != HS_JOB_DONE) snprintf(out->error, sizeof out->error, "%s", res.error);
    out->attention = res.attention; /* the log's bytes travel on unchanged */
    out->attention_len = res.attention_len;
    res.attention = NULL;
    if (prior.len[2]) { /* the frames logged before the interruption come first */
        char *all = malloc(prior.len[2] + out->attention_len + 1);
        if (!all) {
            hs_train_result_free(&res);
            hs_job_output_free(out);
            return hs_fail(err, HS_ENOMEM, "out of memory joining an attention log");
        }
        memcpy(all, prior.part[2], prior.len[2]);
        if (out->attention_len) memcpy(all + prior.len[2], out->attention, out->attention_len);
        free(out->attention);
        out->attention = all;
        out->attention_len += prior.len[2];
    }
    if (res.resume) {
        out->resume = join_resume(res.resume, res.resume_len, out->metrics, out->metrics_len,
                                  out->attention, out->attention_len, &out->resume_len);
        if (!out->resume) {
            hs_train_result_free(&res);
            hs_job_output_free(out);
            return hs_fail(err, HS_ENOMEM, "out of memory saving an interrupted job");
        }
    }
    out->steps = res.steps;
    out->wall_s = res.wall_s;
    out->final_query_acc = res.final_query_acc;

    char mpath[256], apath[256], cpath[256];
    hs_record_meta meta = {
        .sweep = o->sweep, .host = o->host, .rank = o->rank,
        .metrics = out->metrics ? file_path(o->files_dir, HS_JOB_METRICS, mpath, sizeof mpath) : NULL,
        .attention = out->attention ? file_path(o->files_dir, HS_JOB_ATTENTION, apath, sizeof apath) : NULL,
        .model = out->model ? file_path(o->files_dir, HS_JOB_MODEL, cpath, sizeof cpath) : NULL};
    hs_json j;
    hs_json_init(&j);
    hs_record_json(&j, cfg, &res, &meta);
    hs_train_result_free(&res);
    out->record = hs_json_take(&j);
    if (!out->record) {
        hs_job_output_free(out);
        return hs_fail(err, HS_ENOMEM, "out of memory writing a job record");
    }
    out->record_len = strlen(out->record);
    return HS_OK;
}
