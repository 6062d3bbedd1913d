/* resume.c — resume.bin (resume.h): the state of an interrupted job as one safetensors file,
 * written and read back here only, and every check that makes a read state trustworthy. */
#include "hopsweep/resume.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/attnlog.h"
#include "hopsweep/json.h"
#include "hopsweep/optim.h"
#include "hopsweep/probe.h"
#include "hopsweep/task.h"
#include "hopsweep/train_plan.h"

#define CHECKSUM_KEY "\"checksum\":\""

/* The first occurrence of the checksum key in b[0..n), or NULL (memmem is not POSIX). */
static const char *find_key(const char *b, size_t n)
{
    const size_t k = strlen(CHECKSUM_KEY);
    for (size_t i = 0; i + k <= n; i++)
        if (b[i] == '"' && !memcmp(b + i, CHECKSUM_KEY, k)) return b + i;
    return NULL;
}

uint64_t hs_fnv1a64(uint64_t h, const void *bytes, size_t n)
{
    const unsigned char *p = bytes;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull; /* the FNV-1a 64 prime */
    }
    return h;
}

/* The file's checksum with its own 16 digits (at digits[0..16)) counted as '0's. */
static uint64_t file_sum(const char *b, size_t n, size_t digits)
{
    uint64_t h = hs_fnv1a64(HS_FNV1A64_INIT, b, digits);
    h = hs_fnv1a64(h, "0000000000000000", 16);
    return hs_fnv1a64(h, b + digits + 16, n - digits - 16);
}

/* Writes the file and sets its checksum (meta's "checksum" holds 16 '0's as a placeholder). */
static hs_status write_file(const hs_st_entry *e, int ne, const hs_st_meta *meta, int nm,
                            char **bytes, size_t *n, hs_err *err)
{
    *bytes = NULL;
    FILE *f = open_memstream(bytes, n);
    hs_status st = f ? hs_st_write_meta(f, e, ne, meta, nm, err)
                     : hs_fail(err, HS_ENOMEM, "out of memory saving the training state");
    if (f && fclose(f) && !st)
        st = hs_fail(err, HS_ENOMEM, "out of memory saving the training state");
    const char *at = !st ? find_key(*bytes, *n) : NULL;
    if (!st && !at) st = hs_fail(err, HS_EINTERNAL, "resume state written without its checksum");
    if (st) {
        free(*bytes);
        *bytes = NULL;
        return st;
    }
    size_t digits = (size_t)(at - *bytes) + strlen(CHECKSUM_KEY);
    char hex[17];
    snprintf(hex, sizeof hex, "%016" PRIx64, file_sum(*bytes, *n, digits));
    memcpy(*bytes + digits, hex, 16);
    return HS_OK;
}

hs_status hs_resume_write(const hs_config *cfg, const hs_resume_state *s, char **bytes, size_t *n,
                          hs_err *err)
{
    const int64_t E = s->n_evals, P = (int64_t)s->n_params;
    hs_st_entry e[9] = {
        {"params", HS_ST_F32, 1, {P}, s->params},
        {"adam.m", HS_ST_F32, 1, {P}, s->adam_m},
        {"adam.v", HS_ST_F32, 1, {P}, s->adam_v},
        {"history", HS_ST_F32, 2, {E, s->hops + 1}, s->history},
        {"eval_steps", HS_ST_I32, 1, {E}, s->eval_steps},
        {"role_bins", HS_ST_I32, 2, {E, s->n_heads}, s->role_bins},
        {"role_scores", HS_ST_F32, 2, {E, s->n_heads}, s->role_scores},
    };
    int ne = 7;
    /* the byte tensors last: every 4-byte tensor before them stays aligned */
    if (s->metrics)
        e[ne++] = (hs_st_entry){"metrics", HS_ST_U8, 1, {(int64_t)s->metrics_len}, s->metrics};
    if (s->attention)
        e[ne++] =
            (hs_st_entry){"attention", HS_ST_U8, 1, {(int64_t)s->attention_len}, s->attention};

    char id[17], v[12][48];
    hs_config_id(cfg, id);
    hs_json j;
    hs_json_init(&j);
    hs_config_json(&j, cfg);
    char *config = hs_json_take(&j);
    if (!config) return hs_fail(err, HS_ENOMEM, "out of memory saving the training state");
    snprintf(v[0], sizeof v[0], "%d", s->step);
    snprintf(v[1], sizeof v[1], "%d", s->level);
    snprintf(v[2], sizeof v[2], "%d", s->loss_n);
    snprintf(v[3], sizeof v[3], "%d", s->logged);
    snprintf(v[4], sizeof v[4], "%.17g", s->loss_sum);
    snprintf(v[5], sizeof v[5], "%.9g", (double)s->lr);
    snprintf(v[6], sizeof v[6], "%.9g", (double)s->final_loss);
    snprintf(v[7], sizeof v[7], "%.9g", (double)s->final_query_acc);
    snprintf(v[8], sizeof v[8], "%" PRId64, s->adam_t);
    char rng[4 * 17];
    snprintf(rng, sizeof rng, "%016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64, s->rng[0],
             s->rng[1], s->rng[2], s->rng[3]);
    hs_st_meta meta[] = {
        {"format", HS_RESUME_FORMAT},
        {"version", HS_RESUME_VERSION},
        {"config_id", id},
        {"config", config},
        {"step", v[0]},
        {"level", v[1]},
        {"loss_n", v[2]},
        {"logged", v[3]},
        {"loss_sum", v[4]},
        {"lr", v[5]},
        {"final_loss", v[6]},
        {"final_query_acc", v[7]},
        {"rng", rng},
        {"adam_t", v[8]},
        {"checksum", "0000000000000000"},
    };
    hs_status st = write_file(e, ne, meta, (int)(sizeof meta / sizeof *meta), bytes, n, err);
    free(config);
    return st;
}

hs_status hs_resume_join(const void *state, size_t state_len, const char *metrics,
                         size_t metrics_len, const char *attention, size_t attention_len,
                         char **bytes, size_t *n, hs_err *err)
{
    hs_st_file f;
    hs_status st = hs_st_read(&f, state, state_len, "trainer state", err);
    if (st) return st;
    hs_st_entry e[HS_ST_MAX_ENTRIES + 2];
    hs_st_meta meta[HS_ST_MAX_ENTRIES];
    int ne = 0, nm = 0;
    for (int i = 0; i < f.n; i++)
        if (strcmp(f.entries[i].name, "metrics") && strcmp(f.entries[i].name, "attention"))
            e[ne++] = f.entries[i];
    e[ne++] = (hs_st_entry){"metrics", HS_ST_U8, 1, {(int64_t)metrics_len}, metrics};
    if (attention)
        e[ne++] = (hs_st_entry){"attention", HS_ST_U8, 1, {(int64_t)attention_len}, attention};
    for (int i = 0; i < f.n_meta; i++)
        if (strcmp(f.meta[i].key, "checksum")) meta[nm++] = f.meta[i];
    meta[nm++] = (hs_st_meta){"checksum", "0000000000000000"};
    st = write_file(e, ne, meta, nm, bytes, n, err);
    hs_st_file_free(&f);
    return st;
}

/* ---- reading ---- */

/* A metadata string as a whole int / int64 / double / float, or -1. */
static int meta_long(const hs_st_file *f, const char *key, long long lo, long long hi, long long *v)
{
    const char *s = hs_st_meta_get(f, key);
    char *end;
    if (!s || !*s) return -1;
    long long x = strtoll(s, &end, 10);
    if (*end || x < lo || x > hi) return -1;
    *v = x;
    return 0;
}

static int meta_double(const hs_st_file *f, const char *key, double *v)
{
    const char *s = hs_st_meta_get(f, key);
    char *end;
    if (!s || !*s) return -1;
    *v = strtod(s, &end);
    return *end ? -1 : 0;
}

/* The tensor of that name with exactly this dtype and shape (a [0]-row tensor included). */
static const void *tensor(const hs_st_file *f, const char *name, hs_st_dtype dt, int ndim,
                          int64_t d0, int64_t d1)
{
    const hs_st_entry *e = hs_st_find(f, name);
    if (!e || e->dtype != dt || e->ndim != ndim || e->shape[0] != d0 ||
        (ndim == 2 && e->shape[1] != d1))
        return NULL;
    return e->data;
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
        return hs_fail(err, HS_EINPUT, "resume state of job %s: its metrics.csv text has no header",
                       id);
    int line = 0;
    for (size_t i = 0; i < n; line++) {
        long commas = 0;
        size_t b = i;
        for (; t[i] != '\n'; i++) {
            unsigned char c = (unsigned char)t[i];
            if (c < 0x20 || c > 0x7e)
                return hs_fail(err, HS_EINPUT,
                               "resume state of job %s: metrics.csv byte %zu is not text", id, i);
            commas += c == ',';
        }
        if (commas != cols - 1)
            return hs_fail(
                err, HS_EINPUT,
                "resume state of job %s: metrics.csv line %d has %ld columns, expected %ld", id,
                line + 1, commas + 1, cols);
        if (line > 0) {
            char want[24];
            int w = snprintf(want, sizeof want, "%ld,", (long)(line - 1) * ee);
            if (line > rows || i - b < (size_t)w || memcmp(t + b, want, (size_t)w))
                return hs_fail(
                    err, HS_EINPUT,
                    "resume state of job %s: metrics.csv line %d is not the evaluation at step %ld",
                    id, line + 1, (long)(line - 1) * ee);
        }
        i++;
    }
    if (line != rows + 1)
        return hs_fail(err, HS_EINPUT,
                       "resume state of job %s: metrics.csv has %d rows, expected %d", id, line - 1,
                       rows);
    return HS_OK;
}

/* The saved attention log: complete frames of this config's shape at steps 0, attention_every,
 * ... before `step`. */
static hs_status check_attention(const hs_config *cfg, const char *b, size_t n, int step,
                                 const char *id, hs_err *err)
{
    int ae = cfg->log.attention_every;
    hs_attnlog_reader r;
    hs_err e = {0};
    if (hs_attnlog_open_bytes(&r, b, n, "saved attention log", &e))
        return hs_fail(err, HS_EINPUT, "resume state of job %s: %s", id, e.msg);
    int frames = (step - 1) / ae + 1;
    hs_attnlog_shape want = {.layers = cfg->model.layers,
                             .heads = cfg->model.heads,
                             .examples = cfg->log.probe_examples,
                             .T = hs_task_seq_len(&cfg->task),
                             .dtype = cfg->log.attention_dtype};
    hs_status st = HS_OK;
    if (r.notice[0])
        st = hs_fail(err, HS_EINPUT, "resume state of job %s: %s", id, r.notice);
    else if (r.n_frames != frames)
        st = hs_fail(err, HS_EINPUT, "resume state of job %s: %d attention frames, expected %d", id,
                     r.n_frames, frames);
    else if (r.shape.layers != want.layers || r.shape.heads != want.heads ||
             r.shape.examples != want.examples || r.shape.T != want.T ||
             r.shape.dtype != want.dtype)
        st = hs_fail(err, HS_EINPUT, "resume state of job %s: attention frames of another shape",
                     id);
    for (int i = 0; !st && i < r.n_frames; i++)
        if (r.frames[i].step != i * ae)
            st = hs_fail(err, HS_EINPUT,
                         "resume state of job %s: attention frame %d at step %d, expected %d", id,
                         i, r.frames[i].step, i * ae);
    hs_attnlog_close(&r);
    return st;
}

/* The checks below fail with one line naming the job (id). */
#define BAD(...) hs_fail(err, HS_EINPUT, "resume state of job %s: " __VA_ARGS__)

/* The loop's scalars: present, numbers, and what the loop had after that step. */
static hs_status read_scalars(const hs_config *cfg, const hs_st_file *f, hs_resume_state *s,
                              const char *id, hs_err *err)
{
    const int S = cfg->train.steps, ee = cfg->train.eval_every;
    long long step, level, loss_n, logged, adam_t;
    if (meta_long(f, "step", 1, S, &step)) return BAD("step outside 1..%d", id, S);
    /* An interrupted run stops after a step: 1..steps done, evaluations at 0, ee, ... below it. */
    const int last = (int)step - 1;
    if (meta_long(f, "level", INT32_MIN, INT32_MAX, &level) ||
        meta_long(f, "loss_n", INT32_MIN, INT32_MAX, &loss_n) ||
        meta_long(f, "logged", INT32_MIN, INT32_MAX, &logged) ||
        meta_long(f, "adam_t", INT64_MIN, INT64_MAX, &adam_t) ||
        meta_double(f, "loss_sum", &s->loss_sum))
        return BAD("a scalar of the loop is missing or not a number", id);
    double lr, fl, fq;
    if (meta_double(f, "lr", &lr) || meta_double(f, "final_loss", &fl) ||
        meta_double(f, "final_query_acc", &fq))
        return BAD("a scalar of the loop is missing or not a number", id);
    s->step = (int)step, s->level = (int)level, s->loss_n = (int)loss_n, s->logged = (int)logged;
    s->adam_t = adam_t, s->lr = (float)lr, s->final_loss = (float)fl,
    s->final_query_acc = (float)fq;
    const char *rng = hs_st_meta_get(f, "rng");
    int used = 0;
    if (!rng || strlen(rng) != 67 ||
        sscanf(rng, "%16" SCNx64 " %16" SCNx64 " %16" SCNx64 " %16" SCNx64 "%n", &s->rng[0],
               &s->rng[1], &s->rng[2], &s->rng[3], &used) != 4 ||
        used != 67)
        return BAD("its data stream state is not 4 words of 16 hex digits", id);
    if (s->loss_n != last % ee + 1)
        return BAD("%d losses since the last evaluation, expected %d", id, s->loss_n,
                   last % ee + 1);
    int want_logged = cfg->log.attention_every > 0
                          ? last / cfg->log.attention_every * cfg->log.attention_every
                          : -1;
    if (s->logged != want_logged)
        return BAD("last attention log at step %d, expected %d", id, s->logged, want_logged);
    if (s->adam_t != s->step)
        return BAD("optimizer step %lld, expected %d", id, (long long)s->adam_t, s->step);
    float want_lr = hs_lr_at(hs_train_plan_schedule(cfg), last);
    if (memcmp(&s->lr, &want_lr, sizeof want_lr))
        return BAD("learning rate %g, expected %g at step %d", id, lr, want_lr, last);
    if (!isfinite(s->loss_sum) || s->loss_sum < 0.0)
        return BAD("training loss sum %g", id, s->loss_sum);
    if (!(isnan(s->final_loss) || (isfinite(s->final_loss) && s->final_loss >= 0.0f)) ||
        !(isnan(s->final_query_acc) || (s->final_query_acc >= 0.0f && s->final_query_acc <= 1.0f)))
        return BAD("final loss %g or accuracy %g out of range", id, fl, fq);
    if (!(s->rng[0] | s->rng[1] | s->rng[2] | s->rng[3]))
        return BAD("data stream state is all zero", id);
    return HS_OK;
}

/* The tensors: each of its size for P parameters and the evaluations before s->step, no
 * other, and the parameters and moments finite (second moments not negative). */
static hs_status read_tensors(const hs_config *cfg, const hs_st_file *f, size_t P,
                              hs_resume_state *s, const char *id, hs_err *err)
{
    const int D = cfg->task.hops, NH = cfg->model.layers * cfg->model.heads;
    const int E = (s->step - 1) / cfg->train.eval_every + 1;
    s->n_params = P, s->hops = D, s->n_heads = NH, s->n_evals = E;
    s->params = tensor(f, "params", HS_ST_F32, 1, (int64_t)P, 0);
    s->adam_m = tensor(f, "adam.m", HS_ST_F32, 1, (int64_t)P, 0);
    s->adam_v = tensor(f, "adam.v", HS_ST_F32, 1, (int64_t)P, 0);
    if (!s->params || !s->adam_m || !s->adam_v)
        return BAD("params, adam.m or adam.v is missing or not F32 [%zu] (the model's parameters)",
                   id, P);
    s->history = tensor(f, "history", HS_ST_F32, 2, E, D + 1);
    s->eval_steps = tensor(f, "eval_steps", HS_ST_I32, 1, E, 0);
    s->role_bins = tensor(f, "role_bins", HS_ST_I32, 2, E, NH);
    s->role_scores = tensor(f, "role_scores", HS_ST_F32, 2, E, NH);
    if (!s->history || !s->eval_steps || !s->role_bins || !s->role_scores)
        return BAD(
            "its history, eval_steps, role_bins or role_scores does not hold %d evaluations (at "
            "step %d) of %d hops and %d heads",
            id, E, s->step, D, NH);
    static const char *const known[] = {"params",      "adam.m",     "adam.v",
                                        "history",     "eval_steps", "role_bins",
                                        "role_scores", "metrics",    "attention"};
    for (int i = 0; i < f->n; i++) {
        size_t k = 0;
        while (k < 9 && strcmp(f->entries[i].name, known[k])) k++;
        if (k == 9)
            return BAD("it holds a tensor \"%.64s\" that no job saves", id, f->entries[i].name);
    }
    for (size_t i = 0; i < 3 * P; i++) {
        float v = i < P ? s->params[i] : i < 2 * P ? s->adam_m[i - P] : s->adam_v[i - 2 * P];
        if (!isfinite(v) || (i >= 2 * P && v < 0.0f))
            return BAD("%s %zu is %g", id,
                       i < P       ? "parameter"
                       : i < 2 * P ? "first moment"
                                   : "second moment",
                       i % P, v);
    }
    return HS_OK;
}

/* The evaluation history: accuracies and head roles in range, evaluations at 0, ee, ..., and
 * the curriculum level the loop reached by replaying it under the curriculum's rule (task.h). */
static hs_status check_history(const hs_config *cfg, const hs_resume_state *s, const char *id,
                               hs_err *err)
{
    const int D = s->hops, NH = s->n_heads, E = s->n_evals, ee = cfg->train.eval_every;
    int lv = hs_curriculum_first_level(&cfg->task);
    for (int e = 0; e < E; e++) {
        const float *row = s->history + (size_t)e * (D + 1);
        for (int k = 0; k <= D; k++)
            if (!(isnan(row[k]) || (row[k] >= 0.0f && row[k] <= 1.0f)))
                return BAD("accuracy of hop %d at evaluation %d is %g", id, k, e, row[k]);
        lv = hs_curriculum_next_level(&cfg->task, lv, row);
        if (s->eval_steps[e] != e * ee)
            return BAD("evaluation %d at step %d, expected %d", id, e, s->eval_steps[e], e * ee);
        for (int k = 0; k < NH; k++) {
            int bin = s->role_bins[(size_t)e * NH + k];
            float score = s->role_scores[(size_t)e * NH + k];
            bool ok_bin = bin == HS_PROBE_SELF || bin == HS_PROBE_OTHER || bin == HS_PROBE_QUERY ||
                          (bin != 0 && bin >= -D && bin <= D);
            if (!ok_bin || !(isnan(score) || (score >= 0.0f && score <= 1.0f)))
                return BAD("head %d at evaluation %d has bin %d, score %g", id, k, e, bin, score);
        }
    }
    if (s->level != lv) return BAD("curriculum level %d, its history gives %d", id, s->level, lv);
    return HS_OK;
}

/* The job's files so far (metrics.csv, the attention log): required of a whole job's state,
 * checked against the config and the step when present. */
static hs_status read_files(const hs_config *cfg, const hs_st_file *f, bool whole_job,
                            hs_resume_state *s, const char *id, hs_err *err)
{
    const hs_st_entry *m = hs_st_find(f, "metrics"), *a = hs_st_find(f, "attention");
    if ((m && (m->dtype != HS_ST_U8 || m->ndim != 1)) ||
        (a && (a->dtype != HS_ST_U8 || a->ndim != 1)))
        return BAD("metrics or attention is not U8 [bytes]", id);
    if (whole_job && !m) return BAD("it holds no metrics.csv text", id);
    if (whole_job && (cfg->log.attention_every > 0) != (a != NULL))
        return BAD("it %s an attention log, and the job %s one", id, a ? "holds" : "lacks",
                   a ? "writes none" : "writes");
    hs_status st = HS_OK;
    if (m) {
        s->metrics = m->data, s->metrics_len = (size_t)m->shape[0];
        st = check_metrics(cfg, s->metrics, s->metrics_len, s->step, id, err);
    }
    if (!st && a) {
        s->attention = a->data, s->attention_len = (size_t)a->shape[0];
        st = cfg->log.attention_every > 0
                 ? check_attention(cfg, s->attention, s->attention_len, s->step, id, err)
                 : BAD("it holds an attention log the job does not write", id);
    }
    return st;
}
#undef BAD

/* Every scalar and array of a read file against cfg's job (P parameters). */
static hs_status check_state(const hs_config *cfg, const hs_st_file *f, size_t P, bool whole_job,
                             hs_resume_state *s, const char *id, hs_err *err)
{
    hs_status st = read_scalars(cfg, f, s, id, err);
    if (!st) st = read_tensors(cfg, f, P, s, id, err);
    if (!st) st = check_history(cfg, s, id, err);
    if (!st) st = read_files(cfg, f, whole_job, s, id, err);
    return st;
}

hs_status hs_resume_read(const hs_config *cfg, const void *bytes, size_t n, bool whole_job,
                         hs_resume_view *v, hs_err *err)
{
    memset(v, 0, sizeof *v);
    char id[17];
    hs_config_id(cfg, id);
    if (n >= 8 && !memcmp(bytes, "HSJOBRS", 7))
        return hs_fail(err, HS_EINPUT,
                       "resume state of job %s is in the binary format of hopsweep before "
                       "resume.bin became safetensors (%.8s), which this build does not read",
                       id, (const char *)bytes);
    const size_t n_params = hs_train_plan_params(cfg);
    char what[64];
    snprintf(what, sizeof what, "resume state of job %s", id);
    if ((uintptr_t)bytes % 8) { /* the tensors are read in place: give them an aligned copy */
        if (!(v->copy = malloc(n ? n : 1)))
            return hs_fail(err, HS_ENOMEM, "%s: out of memory reading it", what);
        memcpy(v->copy, bytes, n);
        bytes = v->copy;
    }
    hs_status st = hs_st_read(&v->file, bytes, n, what, err);
    if (st) {
        hs_resume_view_free(v);
        return st;
    }
    const hs_st_file *f = &v->file;
    const char *fmt = hs_st_meta_get(f, "format"), *ver = hs_st_meta_get(f, "version");
    const char *cid = hs_st_meta_get(f, "config_id"), *sum = hs_st_meta_get(f, "checksum");
    const char *at = find_key(f->header, f->header_len);
    if (!fmt || strcmp(fmt, HS_RESUME_FORMAT))
        st = hs_fail(err, HS_EINPUT,
                     "%s: not a hopsweep resume state (format is not \"" HS_RESUME_FORMAT "\")",
                     what);
    else if (!ver || strcmp(ver, HS_RESUME_VERSION))
        st = hs_fail(err, HS_EINPUT, "%s: version %.16s, this build reads " HS_RESUME_VERSION, what,
                     ver ? ver : "none");
    else if (!sum || strlen(sum) != 16 || strspn(sum, "0123456789abcdef") != 16 || !at ||
             find_key(at + 1, f->header_len - (size_t)(at + 1 - f->header)))
        st = hs_fail(err, HS_EINPUT, "%s: no checksum", what);
    if (!st) {
        char hex[17];
        size_t digits = (size_t)(at - (const char *)bytes) + strlen(CHECKSUM_KEY);
        snprintf(hex, sizeof hex, "%016" PRIx64, file_sum(bytes, n, digits));
        if (memcmp(hex, sum, 16))
            st = hs_fail(err, HS_EINPUT, "%s: damaged (checksum mismatch)", what);
    }
    if (!st && (!cid || strcmp(cid, id)))
        st = hs_fail(err, HS_EINPUT, "resume state is not one of job %s", id);
    if (!st) st = check_state(cfg, f, n_params, whole_job, &v->s, id, err);
    if (st) hs_resume_view_free(v);
    return st;
}

void hs_resume_view_free(hs_resume_view *v)
{
    hs_st_file_free(&v->file);
    free(v->copy);
    memset(v, 0, sizeof *v);
}
