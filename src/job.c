/* job.c — one training job from config to in-memory outputs: record, metrics.csv, checkpoint. */
#include "hopsweep/job.h"

#include <math.h>
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
    out->steps = res.steps;
    out->wall_s = res.wall_s;
    out->final_query_acc = res.final_query_acc;

    char mpath[256], apath[256];
    hs_record_meta meta = {.sweep = o->sweep, .host = o->host, .rank = o->rank,
                           .metrics = out->metrics ? file_path(o->files_dir, HS_JOB_METRICS, mpath, sizeof mpath) : NULL,
                           .model = out->model ? file_path(o->files_dir, HS_JOB_MODEL, apath, sizeof apath) : NULL};
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
