/* train.c — the training loop of one job, its evaluations and metrics.csv.
 *
 * Everything the loop touches (model, optimizer, training batch, evaluation set, metric
 * history) is allocated before the first step. */
#include "hopsweep/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hopsweep/attnlog.h"
#include "hopsweep/checkpoint.h"
#include "hopsweep/optim.h"
#include "hopsweep/task.h"

/* Explicit curriculum: move to the next query hop count once this accuracy is reached. */
#define EXPLICIT_STEP_UP 0.95f

typedef struct {
    const hs_config *cfg;
    hs_model model;
    hs_adamw opt;
    hs_batch train, eval;
    int32_t *train_hops, *eval_hops; /* per-example query hop counts */
    hs_rng data_rng;
    int hops;
    /* per evaluation: hop accuracies (hops+1 each) */
    float *history;
    int n_evals, max_evals;
    float *hop_acc;
    long *hop_correct, *hop_total;
    /* head probes: per head, its role (bin) and score at every evaluation, [head][max_evals] */
    hs_probe probe;
    const float **att;   /* [layers] the model's attention probabilities */
    hs_head_role *roles; /* [heads] of the last evaluation */
    int *role_bins;
    float *role_scores;
    hs_attnlog_writer log;
    bool logging;
    /* the loop's own state, kept here so that an interrupted run can be saved and resumed */
    int step, level, loss_n, logged;
    double loss_sum;          /* training loss since the last evaluation */
    float lr, final_loss, final_query_acc;
    int *eval_steps;          /* [max_evals] step of each evaluation */
} job;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void job_free(job *j)
{
    hs_model_free(&j->model);
    hs_adamw_free(&j->opt);
    hs_batch_free(&j->train);
    hs_batch_free(&j->eval);
    free(j->train_hops);
    free(j->eval_hops);
    free(j->history);
    free(j->hop_acc);
    free(j->hop_correct);
    free(j->hop_total);
    hs_probe_free(&j->probe);
    free(j->att);
    free(j->roles);
    free(j->role_bins);
    free(j->role_scores);
    free(j->eval_steps);
    if (j->logging) hs_attnlog_writer_free(&j->log);
}

hs_model_shape hs_train_shape(const hs_config *cfg)
{
    return (hs_model_shape){
        .vocab = cfg->task.vocab,
        .d_model = cfg->model.d_model,
        .heads = cfg->model.heads,
        .layers = cfg->model.layers,
        .mlp = cfg->model.mlp,
        .relations = cfg->task.kind == HS_TASK_CONDITIONAL ? cfg->task.relations : 0,
        .layernorm = cfg->model.layernorm,
        .causal = cfg->model.attention == HS_ATTENTION_CAUSAL,
        .seq_len = hs_task_seq_len(&cfg->task),
        .max_batch = cfg->train.batch,
        .precision = cfg->train.precision,
    };
}

static hs_status job_init(job *j, const hs_config *cfg, hs_err *err)
{
    memset(j, 0, sizeof *j);
    j->cfg = cfg;
    j->hops = cfg->task.hops;
    int T = hs_task_seq_len(&cfg->task), E = cfg->train.eval_examples, B = cfg->train.batch;
    hs_model_shape shape = hs_train_shape(cfg);
    hs_status st = hs_model_init(&j->model, &shape, err);
    /* Plan the products of the other batch sizes now: the evaluation's last chunk, the probes. */
    if (!st && E % B) st = hs_model_prepare(&j->model, E % B, err);
    if (!st && cfg->log.attention_every > 0 && cfg->log.probe_examples < B)
        st = hs_model_prepare(&j->model, cfg->log.probe_examples, err);
    if (!st) st = hs_adamw_init(&j->opt, j->model.n_params, err);
    if (!st) st = hs_batch_alloc(&j->train, B, T, cfg->task.vocab, err);
    if (!st) st = hs_batch_alloc(&j->eval, E, T, cfg->task.vocab, err);
    if (st) return st;
    j->max_evals = cfg->train.steps / cfg->train.eval_every + 2;
    j->train_hops = calloc((size_t)B, sizeof *j->train_hops);
    j->eval_hops = calloc((size_t)E, sizeof *j->eval_hops);
    j->history = calloc((size_t)j->max_evals * (j->hops + 1), sizeof *j->history);
    j->hop_acc = calloc((size_t)j->hops + 1, sizeof *j->hop_acc);
    j->hop_correct = calloc((size_t)j->hops + 1, sizeof *j->hop_correct);
    j->hop_total = calloc((size_t)j->hops + 1, sizeof *j->hop_total);
    if (!j->train_hops || !j->eval_hops || !j->history || !j->hop_acc || !j->hop_correct ||
        !j->hop_total)
        return hs_fail(err, HS_ENOMEM, "out of memory setting up the training job");
    int L = cfg->model.layers, NH = L * cfg->model.heads;
    if ((st = hs_probe_init(&j->probe, L, cfg->model.heads, j->hops, err))) return st;
    j->att = calloc((size_t)L, sizeof *j->att);
    j->roles = calloc((size_t)NH, sizeof *j->roles);
    j->role_bins = calloc((size_t)NH * j->max_evals, sizeof *j->role_bins);
    j->role_scores = calloc((size_t)NH * j->max_evals, sizeof *j->role_scores);
    j->eval_steps = calloc((size_t)j->max_evals, sizeof *j->eval_steps);
    if (!j->att || !j->roles || !j->role_bins || !j->role_scores || !j->eval_steps)
        return hs_fail(err, HS_ENOMEM, "out of memory setting up the head probes");
    j->level = cfg->task.curriculum == HS_CURRICULUM_EXPLICIT ? 1 : j->hops;
    j->logged = -1;
    for (int l = 0; l < L; l++) j->att[l] = hs_model_attention(&j->model, l);
    if (cfg->log.attention_every > 0) {
        hs_attnlog_shape ls = {.layers = L, .heads = cfg->model.heads,
                               .examples = cfg->log.probe_examples, .T = T,
                               .dtype = cfg->log.attention_dtype};
        if ((st = hs_attnlog_writer_init(&j->log, &ls, err))) return st;
        j->logging = true;
    }

    hs_rng init_rng, eval_rng;
    hs_rng_seed(&init_rng, cfg->train.seed, HS_STREAM_INIT);
    hs_rng_seed(&eval_rng, cfg->train.seed, HS_STREAM_EVAL);
    hs_rng_seed(&j->data_rng, cfg->train.seed, HS_STREAM_DATA);
    hs_model_init_weights(&j->model, &init_rng);

    /* Curricula that vary the query's hops are evaluated on every hop count in turn, so that
     * each hop's accuracy is measured; the others on the full problem. */
    bool varied = cfg->task.curriculum == HS_CURRICULUM_MIXED ||
                  cfg->task.curriculum == HS_CURRICULUM_EXPLICIT;
    for (int i = 0; i < E; i++) j->eval_hops[i] = varied ? 1 + i % j->hops : j->hops;
    /* With a fixed training set the evaluation set leaves out every example training can reach. */
    return hs_task_sample_eval(&cfg->task, cfg->train.seed, (int64_t)cfg->train.steps * B,
                               &eval_rng, j->eval_hops, &j->eval, err);
}

/* Forward passes over the evaluation set in chunks of the training batch size. */
static void evaluate(job *j, hs_eval *ev)
{
    hs_model *m = &j->model;
    const hs_batch *e = &j->eval;
    int T = e->T, V = m->shape.vocab, B = m->shape.max_batch, D = j->hops;
    double loss_sum = 0.0;
    hs_probe_reset(&j->probe);
    long n_sup = 0, q_correct = 0, q_total = 0;
    memset(j->hop_correct, 0, sizeof(long) * (D + 1));
    memset(j->hop_total, 0, sizeof(long) * (D + 1));
    for (int first = 0; first < e->B; first += B) {
        int n = e->B - first < B ? e->B - first : B;
        size_t off = (size_t)first * T;
        float loss = hs_model_forward(m, n, e->parent + off, e->child + off, e->rel + off, e->target + off,
                                      e->supervised + off);
        loss_sum += (double)loss * m->n_supervised;
        n_sup += m->n_supervised;
        hs_probe_add(&j->probe, j->att, n, T, e->chain + off, e->index + off);
        for (int p = 0; p < n * T; p++) {
            const float *logit = m->logits + (size_t)p * V;
            int best = 0;
            for (int v = 1; v < V; v++)
                if (logit[v] > logit[best]) best = v;
            bool correct = best == e->target[off + p];
            if (e->supervised[off + p]) {
                j->hop_correct[e->hop[off + p]] += correct;
                j->hop_total[e->hop[off + p]]++;
            }
            if (p % T == T - 1 && e->hop[off + p] == D) { /* the query, asking all D hops */
                q_correct += correct;
                q_total++;
            }
        }
    }
    for (int k = 0; k <= D; k++)
        j->hop_acc[k] = j->hop_total[k] ? (float)j->hop_correct[k] / j->hop_total[k] : NAN;
    ev->eval_loss = n_sup ? (float)(loss_sum / n_sup) : NAN;
    ev->query_acc = q_total ? (float)q_correct / q_total : NAN;
    ev->hop_acc = j->hop_acc;
    memcpy(j->history + (size_t)j->n_evals * (D + 1), j->hop_acc, sizeof(float) * (D + 1));
    hs_probe_roles(&j->probe, j->roles);
    for (int h = 0; h < j->probe.layers * j->probe.heads; h++) {
        j->role_bins[(size_t)h * j->max_evals + j->n_evals] = j->roles[h].bin;
        j->role_scores[(size_t)h * j->max_evals + j->n_evals] = j->roles[h].score;
    }
    j->n_evals++;
}

/* Logs the attention maps of the first log.probe_examples examples of the evaluation set. */
static hs_status log_attention(job *j, int step, hs_err *err)
{
    const hs_batch *e = &j->eval;
    int n = j->log.shape.examples;
    hs_model_forward(&j->model, n, e->parent, e->child, e->rel, NULL, NULL);
    return hs_attnlog_append(&j->log, step, j->att, e->chain, e->index, err);
}

static void csv_float(FILE *f, float v)
{
    if (isnan(v))
        fputc(',', f);
    else
        fprintf(f, ",%.6g", v);
}

static void metrics_header(FILE *f, const job *j)
{
    fprintf(f, "step,lr,train_loss,eval_loss,query_acc,level");
    for (int k = 0; k <= j->hops; k++) fprintf(f, ",hop_%d", k);
    for (int l = 1; l <= j->probe.layers; l++)
        for (int h = 0; h < j->probe.heads; h++) fprintf(f, ",L%dH%d_role,L%dH%d_score", l, h, l, h);
    fputc('\n', f);
}

static void metrics_row(FILE *f, const hs_eval *ev, const job *j)
{
    int hops = j->hops;
    fprintf(f, "%d", ev->step);
    csv_float(f, ev->lr);
    csv_float(f, ev->train_loss);
    csv_float(f, ev->eval_loss);
    csv_float(f, ev->query_acc);
    fprintf(f, ",%d", ev->level);
    for (int k = 0; k <= hops; k++) csv_float(f, ev->hop_acc[k]);
    char role[32];
    for (int h = 0; h < j->probe.layers * j->probe.heads; h++) {
        hs_probe_role_name(j->roles[h].layer, j->roles[h].bin, role, sizeof role);
        fprintf(f, ",%s", role);
        csv_float(f, j->roles[h].score);
    }
    fputc('\n', f);
}

int hs_first_sustained(const float *values, int n, int stride, float tau, int patience)
{
    int run = 0; /* consecutive evaluations >= tau ending at i */
    for (int i = 0; i < n; i++) {
        float v = values[(size_t)i * stride];
        run = v >= tau ? run + 1 : 0;
        if (run >= patience) return i - run + 1;
    }
    return run > 0 ? n - run : -1;
}

/* Every hop label that the evaluation measures has stayed >= threshold for `patience` evals. */
static bool should_stop(const job *j, float threshold, int patience)
{
    if (threshold <= 0.0f || j->n_evals < patience) return false;
    int D = j->hops;
    for (int k = 0; k <= D; k++) {
        for (int e = j->n_evals - patience; e < j->n_evals; e++) {
            float a = j->history[(size_t)e * (D + 1) + k];
            if (isnan(a)) continue;
            if (a < threshold) return false;
        }
    }
    return true;
}

/* Each head's emergence step, its role and score then (or at the end), and the run's order. */
static hs_status head_emergence(const job *j, const int *eval_steps, hs_train_result *res,
                                hs_err *err)
{
    int NH = j->probe.layers * j->probe.heads, n = j->n_evals;
    res->n_heads = NH;
    res->heads = calloc((size_t)NH, sizeof *res->heads);
    res->head_steps = calloc((size_t)NH, sizeof *res->head_steps);
    res->order = calloc((size_t)NH, sizeof *res->order);
    if (!res->heads || !res->head_steps || !res->order)
        return hs_fail(err, HS_ENOMEM, "out of memory recording head emergence");
    for (int h = 0; h < NH; h++) {
        const int *bins = j->role_bins + (size_t)h * j->max_evals;
        const float *scores = j->role_scores + (size_t)h * j->max_evals;
        int e = n ? hs_probe_emergence(bins, scores, n, (float)j->cfg->emergence.tau_head,
                                       j->cfg->emergence.patience)
                  : -1;
        int at = e >= 0 ? e : n - 1;
        res->heads[h] = j->roles[h];
        if (at >= 0) {
            res->heads[h].bin = bins[at];
            res->heads[h].score = scores[at];
        }
        res->head_steps[h] = e >= 0 ? eval_steps[e] : -1;
    }
    res->n_order = hs_probe_order(res->heads, res->head_steps, NH, res->order);
    return HS_OK;
}

static void sample_train_batch(job *j, int level)
{
    const hs_config *cfg = j->cfg;
    int B = cfg->train.batch;
    if (cfg->task.train_examples) { /* a fixed set: the step alone says where in it we are */
        hs_trainset_sample(&cfg->task, cfg->train.seed, (int64_t)j->step * B, level, &j->train);
        return;
    }
    const int32_t *hops = NULL;
    if (cfg->task.curriculum == HS_CURRICULUM_MIXED) {
        for (int i = 0; i < B; i++) j->train_hops[i] = 1 + (int32_t)hs_rng_below(&j->data_rng, (uint32_t)j->hops);
        hops = j->train_hops;
    } else if (cfg->task.curriculum == HS_CURRICULUM_EXPLICIT) {
        for (int i = 0; i < B; i++) j->train_hops[i] = level;
        hops = j->train_hops;
    }
    hs_task_sample(&cfg->task, &j->data_rng, hops, &j->train);
}

/* ---- resume state: everything the loop needs to continue an interrupted run exactly ----
 *
 * Internal to hopsweep (job.c wraps it with the job's metrics and attention log so far):
 * "HSTRAIN1", the config id, the sizes it was written for, then the loop's scalars, the data
 * stream, AdamW's step count, parameters and moments, and the evaluation history. Everything
 * else (evaluation set, model shape) follows from the config. */

#define RESUME_MAGIC "HSTRAIN1"

typedef struct {
    char magic[8];
    char id[16];
    uint64_t n_params;
    int32_t hops, n_heads, n_evals, max_evals;
    int32_t step, level, loss_n, logged;
    double loss_sum;
    float lr, final_loss, final_query_acc;
    int32_t pad;
    uint64_t rng[4];
    int64_t adam_t;
} resume_head;

static hs_status save_state(const job *j, char **out, size_t *n, hs_err *err)
{
    const hs_config *cfg = j->cfg;
    resume_head h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, RESUME_MAGIC, 8);
    char id[17];
    hs_config_id(cfg, id);
    memcpy(h.id, id, 16);
    h.n_params = j->model.n_params;
    h.hops = j->hops;
    h.n_heads = j->probe.layers * j->probe.heads;
    h.n_evals = j->n_evals;
    h.max_evals = j->max_evals;
    h.step = j->step, h.level = j->level, h.loss_n = j->loss_n, h.logged = j->logged;
    h.loss_sum = j->loss_sum;
    h.lr = j->lr, h.final_loss = j->final_loss, h.final_query_acc = j->final_query_acc;
    memcpy(h.rng, j->data_rng.s, sizeof h.rng);
    h.adam_t = j->opt.t;
    FILE *f = open_memstream(out, n);
    if (!f) return hs_fail(err, HS_ENOMEM, "out of memory saving the training state");
    size_t P = j->model.n_params, E = (size_t)j->n_evals, NH = (size_t)h.n_heads;
    fwrite(&h, sizeof h, 1, f);
    fwrite(j->model.params, sizeof(float), P, f);
    fwrite(j->opt.m, sizeof(float), P, f);
    fwrite(j->opt.v, sizeof(float), P, f);
    fwrite(j->history, sizeof(float), E * (j->hops + 1), f);
    fwrite(j->eval_steps, sizeof(int), E, f);
    for (size_t k = 0; k < NH; k++) {
        fwrite(j->role_bins + k * j->max_evals, sizeof(int), E, f);
        fwrite(j->role_scores + k * j->max_evals, sizeof(float), E, f);
    }
    fwrite(j->roles, sizeof *j->roles, NH, f);
    bool bad = ferror(f) != 0;
    if (fclose(f)) bad = true;
    if (bad) {
        free(*out);
        *out = NULL;
        return hs_fail(err, HS_ENOMEM, "out of memory saving the training state");
    }
    return HS_OK;
}

/* Every field of a saved state checked against cfg's job (P = its parameter count), as strictly
 * as the attention log checks its frames: sizes and counts must be the ones this config gives,
 * the step, level, evaluation steps, loss count, learning rate and AdamW step the ones the loop
 * would have had at that step, every number finite and in its range. So a state that passes
 * cannot crash the loop or send it anywhere an uninterrupted run would not go; a flipped bit
 * in the numbers themselves is for the checksum of the file around it (job.c). */
static hs_status check_state(const hs_config *cfg, size_t P, const char *data, size_t n,
                             resume_head *hp, hs_err *err)
{
    resume_head h;
    char id[17];
    hs_config_id(cfg, id);
    if (n < sizeof h) return hs_fail(err, HS_EINPUT, "resume state too short (%zu bytes)", n);
    memcpy(&h, data, sizeof h);
    if (memcmp(h.magic, RESUME_MAGIC, 8) || memcmp(h.id, id, 16))
        return hs_fail(err, HS_EINPUT, "resume state is not one of job %s", id);
    const int D = cfg->task.hops, S = cfg->train.steps, ee = cfg->train.eval_every;
    const int NH = cfg->model.layers * cfg->model.heads;
    const int max_evals = S / ee + 2;
#define BAD(...) hs_fail(err, HS_EINPUT, "resume state of job %s: " __VA_ARGS__)
    if (h.n_params != P) return BAD("%llu parameters, the model has %zu", id, (unsigned long long)h.n_params, P);
    if (h.hops != D || h.n_heads != NH || h.max_evals != max_evals)
        return BAD("sizes hops %d, heads %d, evaluations %d; the config gives %d, %d, %d", id,
                   h.hops, h.n_heads, h.max_evals, D, NH, max_evals);
    /* An interrupted run stops after a step: 1..steps done, evaluations at 0, ee, ... below it. */
    if (h.step < 1 || h.step > S) return BAD("step %d outside 1..%d", id, h.step, S);
    const int last = h.step - 1, want_evals = last / ee + 1;
    if (h.n_evals != want_evals)
        return BAD("%d evaluations at step %d, expected %d", id, h.n_evals, h.step, want_evals);
    if (h.loss_n != last % ee + 1)
        return BAD("%d losses since the last evaluation, expected %d", id, h.loss_n, last % ee + 1);
    int want_logged = cfg->log.attention_every > 0 ? last / cfg->log.attention_every * cfg->log.attention_every : -1;
    if (h.logged != want_logged) return BAD("last attention log at step %d, expected %d", id, h.logged, want_logged);
    if (h.adam_t != h.step) return BAD("optimizer step %lld, expected %d", id, (long long)h.adam_t, h.step);
    float lr = hs_lr_at(cfg, last);
    if (memcmp(&h.lr, &lr, sizeof lr)) return BAD("learning rate %g, expected %g at step %d", id, h.lr, lr, last);
    if (!isfinite(h.loss_sum) || h.loss_sum < 0.0) return BAD("training loss sum %g", id, h.loss_sum);
    if (!(isnan(h.final_loss) || (isfinite(h.final_loss) && h.final_loss >= 0.0f)) ||
        !(isnan(h.final_query_acc) || (h.final_query_acc >= 0.0f && h.final_query_acc <= 1.0f)))
        return BAD("final loss %g or accuracy %g out of range", id, h.final_loss, h.final_query_acc);
    if (!(h.rng[0] | h.rng[1] | h.rng[2] | h.rng[3])) return BAD("data stream state is all zero", id);
    size_t E = (size_t)h.n_evals;
    size_t want = sizeof h + 3 * P * sizeof(float) + E * ((size_t)D + 1) * sizeof(float) +
                  E * sizeof(int) + (size_t)NH * E * (sizeof(int) + sizeof(float)) +
                  (size_t)NH * sizeof(hs_head_role);
    if (n != want) return BAD("%zu bytes, its sizes give %zu", id, n, want);
    const char *p = data + sizeof h;
    for (size_t i = 0; i < 3 * P; i++) {
        float v;
        memcpy(&v, p + 4 * i, 4);
        if (!isfinite(v) || (i >= 2 * P && v < 0.0f))
            return BAD("%s %zu is %g", id, i < P ? "parameter" : i < 2 * P ? "first moment" : "second moment", i % P, v);
    }
    p += 3 * P * sizeof(float);
    /* The history replays the explicit curriculum: its level must be the one the loop reached. */
    const bool explicit_curr = cfg->task.curriculum == HS_CURRICULUM_EXPLICIT;
    int level = explicit_curr ? 1 : D;
    for (size_t e = 0; e < E; e++) {
        for (int k = 0; k <= D; k++) {
            float a;
            memcpy(&a, p + 4 * (e * (D + 1) + k), 4);
            if (!(isnan(a) || (a >= 0.0f && a <= 1.0f)))
                return BAD("accuracy of hop %d at evaluation %zu is %g", id, k, e, a);
        }
        float a;
        memcpy(&a, p + 4 * (e * (D + 1) + level), 4);
        if (explicit_curr && level < D && a >= EXPLICIT_STEP_UP) level++;
    }
    if (h.level != level) return BAD("curriculum level %d, its history gives %d", id, h.level, level);
    p += E * (D + 1) * sizeof(float);
    for (size_t e = 0; e < E; e++) {
        int s;
        memcpy(&s, p + 4 * e, 4);
        if ((size_t)s != e * (size_t)ee) return BAD("evaluation %zu at step %d, expected %zu", id, e, s, e * ee);
    }
    p += E * sizeof(int);
    const char *rolep = p + (size_t)NH * E * (sizeof(int) + sizeof(float));
    for (int k = 0; k < NH; k++) {
        const char *bins = p + (size_t)k * E * 8, *scores = bins + E * 4;
        int bin = 0;
        float score = 0.0f;
        for (size_t e = 0; e < E; e++) {
            memcpy(&bin, bins + 4 * e, 4);
            memcpy(&score, scores + 4 * e, 4);
            bool ok_bin = bin == HS_PROBE_SELF || bin == HS_PROBE_OTHER || bin == HS_PROBE_QUERY ||
                          (bin != 0 && bin >= -D && bin <= D);
            if (!ok_bin || !(isnan(score) || (score >= 0.0f && score <= 1.0f)))
                return BAD("head %d at evaluation %zu has bin %d, score %g", id, k, e, bin, score);
        }
        hs_head_role r;
        memcpy(&r, rolep + (size_t)k * sizeof r, sizeof r);
        if (r.layer != k / cfg->model.heads + 1 || r.head != k % cfg->model.heads || r.bin != bin ||
            memcmp(&r.score, &score, sizeof score))
            return BAD("head %d's last role does not match its history", id, k);
    }
#undef BAD
    if (hp) *hp = h;
    return HS_OK;
}

/* Reads a state saved by save_state for this job's config; HS_EINPUT when it is not one. */
static hs_status load_state(job *j, const char *data, size_t n, hs_err *err)
{
    resume_head h;
    size_t P = j->model.n_params, NH = (size_t)j->probe.layers * j->probe.heads;
    hs_status st = check_state(j->cfg, P, data, n, &h, err);
    if (st) return st;
    size_t E = (size_t)h.n_evals;
    const char *p = data + sizeof h;
#define TAKE(dst, bytes) (memcpy((dst), p, (bytes)), p += (bytes))
    TAKE(j->model.params, P * sizeof(float));
    TAKE(j->opt.m, P * sizeof(float));
    TAKE(j->opt.v, P * sizeof(float));
    TAKE(j->history, E * (j->hops + 1) * sizeof(float));
    TAKE(j->eval_steps, E * sizeof(int));
    for (size_t k = 0; k < NH; k++) {
        TAKE(j->role_bins + k * j->max_evals, E * sizeof(int));
        TAKE(j->role_scores + k * j->max_evals, E * sizeof(float));
    }
    TAKE(j->roles, NH * sizeof(hs_head_role));
#undef TAKE
    j->n_evals = h.n_evals;
    if (E) memcpy(j->hop_acc, j->history + (E - 1) * (j->hops + 1), sizeof(float) * (j->hops + 1));
    j->step = h.step, j->level = h.level, j->loss_n = h.loss_n, j->logged = h.logged;
    j->loss_sum = h.loss_sum;
    j->lr = h.lr, j->final_loss = h.final_loss, j->final_query_acc = h.final_query_acc;
    memcpy(j->data_rng.s, h.rng, sizeof h.rng);
    j->opt.t = h.adam_t;
    return HS_OK;
}

hs_status hs_train_resume_check(const hs_config *cfg, const void *state, size_t n, int *step,
                                hs_err *err)
{
    /* The parameter count is the model's: build it at batch 1 (a few activations) to learn it. */
    hs_model_shape shape = hs_train_shape(cfg);
    shape.max_batch = 1;
    hs_model m;
    hs_status st = hs_model_init(&m, &shape, err);
    if (st) return st;
    size_t P = m.n_params;
    hs_model_free(&m);
    resume_head h;
    if ((st = check_state(cfg, P, state, n, &h, err))) return st;
    if (step) *step = h.step;
    return HS_OK;
}

hs_status hs_train_run(const hs_config *cfg, const hs_train_opts *opts, hs_train_result *res,
                       hs_err *err)
{
    FILE *metrics = opts->metrics;
    memset(res, 0, sizeof *res);
    double t0 = now_s();
    job j;
    hs_status st = job_init(&j, cfg, err);
    int D = cfg->task.hops;
    res->hops = D;
    res->final_hop_acc = calloc((size_t)D + 1, sizeof *res->final_hop_acc);
    res->hop_steps = calloc((size_t)D + 1, sizeof *res->hop_steps);
    if (!st && (!res->final_hop_acc || !res->hop_steps))
        st = hs_fail(err, HS_ENOMEM, "out of memory setting up the training job");
    if (!st && opts->resume) st = load_state(&j, opts->resume, opts->resume_len, err);
    if (st) {
        job_free(&j);
        return st;
    }
    if (metrics && !opts->resume) metrics_header(metrics, &j);
    snprintf(res->engine, sizeof res->engine, "%s", hs_model_engine(&j.model));

    bool explicit_curr = cfg->task.curriculum == HS_CURRICULUM_EXPLICIT;
    hs_model *m = &j.model;
    for (;;) {
        int step = j.step;
        bool last = step >= cfg->train.steps;
        if (j.logging && (step % cfg->log.attention_every == 0 || last)) {
            if ((st = log_attention(&j, step, err))) break;
            j.logged = step;
        }
        if (step % cfg->train.eval_every == 0 || last) {
            hs_eval ev = {.step = step, .lr = j.lr, .level = j.level,
                          .train_loss = j.loss_n ? (float)(j.loss_sum / j.loss_n) : NAN};
            j.eval_steps[j.n_evals] = step;
            evaluate(&j, &ev);
            if (metrics) metrics_row(metrics, &ev, &j);
            if (opts->on_eval) opts->on_eval(&ev, m, opts->user);
            j.final_loss = ev.eval_loss;
            j.final_query_acc = ev.query_acc;
            j.loss_sum = 0.0;
            j.loss_n = 0;
            if (explicit_curr && j.level < D && ev.hop_acc[j.level] >= EXPLICIT_STEP_UP) j.level++;
            if (!last && should_stop(&j, (float)cfg->train.early_stop, cfg->emergence.patience)) {
                res->early_stopped = true;
                break;
            }
        }
        if (last) break;

        sample_train_batch(&j, j.level);
        hs_model_zero_grad(m);
        float loss = hs_model_forward(m, j.train.B, j.train.parent, j.train.child, j.train.rel, j.train.target,
                                      j.train.supervised);
        if (!isfinite(loss)) {
            res->status = HS_ENUMERIC;
            snprintf(res->error, sizeof res->error,
                     "training loss became %s at step %d; lower train.lr (now %g) or raise train.warmup",
                     isnan(loss) ? "NaN" : "infinite", step, cfg->train.lr);
            break;
        }
        hs_model_backward(m);
        hs_clip_grad_norm(m->grads, m->n_params, (float)cfg->train.clip);
        j.lr = hs_lr_at(cfg, step);
        hs_adamw_step(&j.opt, m, j.lr, (float)cfg->train.weight_decay);
        j.loss_sum += loss;
        j.loss_n++;
        j.step++;
        if (opts->on_step && opts->on_step(j.step, opts->user)) {
            res->interrupted = true;
            snprintf(res->error, sizeof res->error, "interrupted at step %d of %d", j.step,
                     cfg->train.steps);
            break;
        }
    }
    int step = j.step;
    res->steps = step;
    res->final_loss = j.final_loss;
    res->final_query_acc = j.final_query_acc;
    memcpy(res->final_hop_acc, j.hop_acc, sizeof(float) * (D + 1));
    for (int k = 0; k <= D; k++) {
        int e = hs_first_sustained(j.history + k, j.n_evals, D + 1, (float)cfg->emergence.tau_acc,
                                   cfg->emergence.patience);
        res->hop_steps[k] = e < 0 ? -1 : j.eval_steps[e];
    }
    if (!st) st = head_emergence(&j, j.eval_steps, res, err);
    if (!st && res->interrupted) st = save_state(&j, &res->resume, &res->resume_len, err);
    /* the log ends with the model as it ended, also when it stopped early */
    if (!st && j.logging && j.logged != step && res->status == HS_OK && !res->interrupted)
        st = log_attention(&j, step, err);
    if (!st && j.logging) hs_attnlog_take(&j.log, &res->attention, &res->attention_len);
    if (!st && opts->checkpoint && res->status == HS_OK && !res->interrupted)
        st = hs_checkpoint_save(m, cfg, opts->checkpoint, err);
    res->wall_s = now_s() - t0;
    job_free(&j);
    return st;
}

void hs_train_result_free(hs_train_result *res)
{
    free(res->final_hop_acc);
    free(res->hop_steps);
    free(res->heads);
    free(res->head_steps);
    free(res->order);
    free(res->attention);
    free(res->resume);
    memset(res, 0, sizeof *res);
}
