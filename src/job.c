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

/* resume.bin: "HSJOBRS2", then the byte counts of the training state, the metrics.csv text so
 * far and the attention log so far (u64 each), then those bytes, then the FNV-1a 64 hash of
 * everything before it (u64), so that any flipped bit is found before the state is trusted.
 * The log's frames are independent zstd frames, so the resumed run's frames simply follow
 * them. "HSJOBRS1" (hopsweep before the checksum) is the same without the hash; it is still
 * read, with every check below except the hash. */
#define RESUME_MAGIC "HSJOBRS2"
#define RESUME_MAGIC_V1 "HSJOBRS1"
#define RESUME_HEAD 32

typedef struct {
    const char *part[3];
    uint64_t len[3];
} resume_parts;

uint64_t hs_fnv1a64(const void *bytes, size_t n)
{
    const unsigned char *p = bytes;
    uint64_t h = 0xcbf29ce484222325ull; /* the FNV-1a 64 offset basis and prime */
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static hs_status split_resume(const void *bytes, size_t n, resume_parts *r, hs_err *err)
{
    const char *p = bytes;
    if (n < RESUME_HEAD || (memcmp(p, RESUME_MAGIC, 8) && memcmp(p, RESUME_MAGIC_V1, 8)))
        return hs_fail(err, HS_EINPUT, "not a hopsweep resume state");
    bool v1 = !memcmp(p, RESUME_MAGIC_V1, 8);
    size_t body = n;
    if (!v1) {
        if (n < RESUME_HEAD + 8) return hs_fail(err, HS_EINPUT, "resume state cut short");
        body = n - 8;
        uint64_t sum;
        memcpy(&sum, p + body, 8);
        if (sum != hs_fnv1a64(p, body))
            return hs_fail(err, HS_EINPUT, "resume state damaged (checksum mismatch)");
    }
    uint64_t total = RESUME_HEAD;
    for (int k = 0; k < 3; k++) {
        memcpy(&r->len[k], p + 8 + 8 * k, 8);
        if (r->len[k] > body - total) return hs_fail(err, HS_EINPUT, "resume state cut short");
        r->part[k] = p + total;
        total += r->len[k];
    }
    if (total != body) return hs_fail(err, HS_EINPUT, "resume state overlong");
    return HS_OK;
}

static char *join_resume(const char *train, size_t tn, const char *metrics, size_t mn,
                         const char *attn, size_t an, size_t *n)
{
    uint64_t len[3] = {tn, mn, an};
    size_t body = RESUME_HEAD + tn + mn + an;
    *n = body + 8;
    char *b = malloc(*n);
    if (!b) return NULL;
    memcpy(b, RESUME_MAGIC, 8);
    memcpy(b + 8, len, sizeof len);
    if (tn) memcpy(b + RESUME_HEAD, train, tn);
    if (mn) memcpy(b + RESUME_HEAD + tn, metrics, mn);
    if (an) memcpy(b + RESUME_HEAD + tn + mn, attn, an);
    uint64_t sum = hs_fnv1a64(b, body);
    memcpy(b + body, &sum, 8);
    return b;
}

/* The saved metrics.csv text: its header's columns for this config, then exactly one row per
 * evaluation before `step`, at steps 0, eval_every, ..., each with the header's columns, in
 * printable ASCII. */
static hs_status check_metrics(const hs_config *cfg, const char *t, size_t n, int step,
                               const char *id, hs_err *err)
{
    const long cols = 6 + (cfg->task.hops + 1) + 2L * cfg->model.layers * cfg->model.heads;
    const int ee = cfg->train.eval_every, rows = (step - 1) / ee + 1;
    static const char head[] = "step,lr,train_loss,eval_loss,query_acc,level,";
    if (n < sizeof head - 1 || memcmp(t, head, sizeof head - 1) || t[n - 1] != '\n')
        return hs_fail(err, HS_EINPUT, "resume state of job %s: its metrics.csv text has no header", id);
    int line = 0;
    for (size_t i = 0; i < n; line++) {
        long commas = 0;
        size_t b = i;
        for (; t[i] != '\n'; i++) {
            unsigned char c = (unsigned char)t[i];
            if (c < 0x20 || c > 0x7e)
                return hs_fail(err, HS_EINPUT, "resume state of job %s: metrics.csv byte %zu is not text", id, i);
            commas += c == ',';
        }
        if (commas != cols - 1)
            return hs_fail(err, HS_EINPUT, "resume state of job %s: metrics.csv line %d has %ld columns, expected %ld",
                           id, line + 1, commas + 1, cols);
        if (line > 0) {
            char want[24];
            int w = snprintf(want, sizeof want, "%ld,", (long)(line - 1) * ee);
            if (line > rows || i - b < (size_t)w || memcmp(t + b, want, (size_t)w))
                return hs_fail(err, HS_EINPUT, "resume state of job %s: metrics.csv line %d is not the evaluation at step %ld",
                               id, line + 1, (long)(line - 1) * ee);
        }
        i++;
    }
    if (line != rows + 1)
        return hs_fail(err, HS_EINPUT, "resume state of job %s: metrics.csv has %d rows, expected %d", id, line - 1, rows);
    return HS_OK;
}

/* The saved attention log: complete frames of this config's shape at steps 0, attention_every,
 * ... before `step`; nothing when the job logs no attention. */
static hs_status check_attention(const hs_config *cfg, const char *b, size_t n, int step,
                                 const char *id, hs_err *err)
{
    int ae = cfg->log.attention_every;
    if (ae <= 0) {
        if (n) return hs_fail(err, HS_EINPUT, "resume state of job %s holds an attention log the job does not write", id);
        return HS_OK;
    }
    hs_attnlog_reader r;
    hs_err e = {0};
    if (hs_attnlog_open_bytes(&r, b, n, "saved attention log", &e))
        return hs_fail(err, HS_EINPUT, "resume state of job %s: %s", id, e.msg);
    int frames = (step - 1) / ae + 1;
    hs_attnlog_shape want = {.layers = cfg->model.layers, .heads = cfg->model.heads,
                             .examples = cfg->log.probe_examples, .T = hs_task_seq_len(&cfg->task),
                             .dtype = cfg->log.attention_dtype};
    hs_status st = HS_OK;
    if (r.notice[0])
        st = hs_fail(err, HS_EINPUT, "resume state of job %s: %s", id, r.notice);
    else if (r.n_frames != frames)
        st = hs_fail(err, HS_EINPUT, "resume state of job %s: %d attention frames, expected %d", id, r.n_frames, frames);
    else if (r.shape.layers != want.layers || r.shape.heads != want.heads ||
             r.shape.examples != want.examples || r.shape.T != want.T || r.shape.dtype != want.dtype)
        st = hs_fail(err, HS_EINPUT, "resume state of job %s: attention frames of another shape", id);
    for (int i = 0; !st && i < r.n_frames; i++)
        if (r.frames[i].step != i * ae)
            st = hs_fail(err, HS_EINPUT, "resume state of job %s: attention frame %d at step %d, expected %d", id, i,
                         r.frames[i].step, i * ae);
    hs_attnlog_close(&r);
    return st;
}

static hs_status check_resume(const hs_config *cfg, const void *bytes, size_t n, resume_parts *r,
                              hs_err *err)
{
    char id[17];
    hs_config_id(cfg, id);
    int step = 0;
    hs_status st = split_resume(bytes, n, r, err);
    if (!st) st = hs_train_resume_check(cfg, r->part[0], r->len[0], &step, err);
    if (!st) st = check_metrics(cfg, r->part[1], r->len[1], step, id, err);
    if (!st) st = check_attention(cfg, r->part[2], r->len[2], step, id, err);
    return st;
}

hs_status hs_job_resume_check(const hs_config *cfg, const void *bytes, size_t n, hs_err *err)
{
    resume_parts r;
    return check_resume(cfg, bytes, n, &r, err);
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
    hs_err rerr = {0};
    if (o->resume && check_resume(cfg, o->resume, o->resume_len, &prior, &rerr)) {
        /* not this job's state after all: start it afresh, as the caller's check would have */
        snprintf(out->notice, sizeof out->notice, "resume state unusable (%s); started afresh", rerr.msg);
        memset(&prior, 0, sizeof prior);
    } else if (o->resume) {
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
    out->status = res.status != HS_OK ? HS_RUN_FAILED
                  : res.interrupted   ? HS_RUN_INTERRUPTED
                                      : HS_RUN_DONE;
    if (out->status != HS_RUN_DONE) snprintf(out->error, sizeof out->error, "%s", res.error);
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
