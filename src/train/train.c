/* train.c — one training job: the trainer (hs_trainer: init, step, evaluate, save and load)
 * and hs_train_run, the loop over it that writes metrics.csv, the attention log and the
 * checkpoint and reports emergence (emergence.h).
 *
 * Everything the loop touches (model, optimizer, training batch, evaluation set, metric
 * history) is allocated before the first step. */
#include "hopsweep/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hopsweep/checkpoint.h"
#include "hopsweep/train_plan.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* ---- the trainer ---- */

/* Hands out consecutive 8-aligned slices of one block; with base == NULL it only counts. */
typedef struct {
    char *base;
    size_t used;
} carver;

static void *carve(carver *c, size_t n, size_t size)
{
    c->used = (c->used + 7) & ~(size_t)7;
    void *p = c->base ? c->base + c->used : NULL;
    c->used += n * size;
    return p;
}

static size_t layout(hs_trainer *t, char *base)
{
    const hs_config *cfg = t->cfg;
    size_t D1 = (size_t)t->hops + 1, ME = (size_t)t->max_evals, NH = (size_t)t->n_heads;
    carver c = {base, 0};
    t->train_hops = carve(&c, (size_t)cfg->train.batch, sizeof *t->train_hops);
    t->eval_hops = carve(&c, (size_t)cfg->train.eval_examples, sizeof *t->eval_hops);
    t->hop_acc = carve(&c, D1, sizeof *t->hop_acc);
    t->hop_correct = carve(&c, D1, sizeof *t->hop_correct);
    t->hop_total = carve(&c, D1, sizeof *t->hop_total);
    t->att = carve(&c, (size_t)cfg->model.layers, sizeof *t->att);
    t->roles = carve(&c, NH, sizeof *t->roles);
    t->history = carve(&c, ME * D1, sizeof *t->history);
    t->eval_steps = carve(&c, ME, sizeof *t->eval_steps);
    t->role_bins = carve(&c, ME * NH, sizeof *t->role_bins);
    t->role_scores = carve(&c, ME * NH, sizeof *t->role_scores);
    return c.used;
}

void hs_trainer_free(hs_trainer *t)
{
    hs_model_free(&t->model);
    hs_adamw_free(&t->opt);
    hs_batch_free(&t->train);
    hs_batch_free(&t->eval);
    hs_batch_free(&t->per_k);
    hs_probe_free(&t->probe);
    if (t->logging) hs_attnlog_writer_free(&t->log);
    free(t->block);
    memset(t, 0, sizeof *t);
}

static hs_status trainer_build(hs_trainer *t, const hs_config *cfg, hs_err *err)
{
    int T = hs_task_seq_len(&cfg->task), E = cfg->train.eval_examples, B = cfg->train.batch;
    int L = cfg->model.layers;
    hs_model_shape shape = hs_train_plan_shape(cfg);
    hs_status st = hs_model_init(&t->model, &shape, err);
    /* Plan the products of the other batch sizes now: the evaluation's last chunk, the probes. */
    if (!st && E % B) st = hs_model_prepare(&t->model, E % B, err);
    if (!st && cfg->log.attention_every > 0 && cfg->log.probe_examples < B)
        st = hs_model_prepare(&t->model, cfg->log.probe_examples, err);
    if (!st) st = hs_adamw_init(&t->opt, t->model.n_params, err);
    if (!st) st = hs_batch_alloc(&t->train, B, T, cfg->task.vocab, err);
    if (!st) st = hs_batch_alloc(&t->eval, E, T, cfg->task.vocab, err);
    if (!st && cfg->task.kind == HS_TASK_HOPK)
        st = hs_batch_alloc(&t->per_k, E, T, cfg->task.vocab, err);
    if (!st) st = hs_probe_init(&t->probe, L, cfg->model.heads, t->hops, err);
    if (st) return st;
    t->block = calloc(1, layout(t, NULL));
    if (!t->block) return hs_fail(err, HS_ENOMEM, "out of memory setting up the training job");
    layout(t, t->block);
    for (int l = 0; l < L; l++) t->att[l] = hs_model_attention(&t->model, l);
    if (cfg->log.attention_every > 0) {
        hs_attnlog_shape ls = {.layers = L,
                               .heads = cfg->model.heads,
                               .examples = cfg->log.probe_examples,
                               .T = T,
                               .dtype = cfg->log.attention_dtype};
        if ((st = hs_attnlog_writer_init(&t->log, &ls, err))) return st;
        t->logging = true;
    }

    hs_rng init_rng, eval_rng;
    hs_rng_seed(&init_rng, cfg->train.seed, HS_STREAM_INIT);
    hs_rng_seed(&eval_rng, cfg->train.seed, HS_STREAM_EVAL);
    hs_rng_seed(&t->data_rng, cfg->train.seed, HS_STREAM_DATA);
    hs_model_init_weights(&t->model, &init_rng);

    for (int i = 0; i < E; i++) t->eval_hops[i] = hs_curriculum_eval_hops(&cfg->task, i);
    /* With a fixed training set the evaluation set leaves out every example training can reach. */
    return hs_task_sample_eval(&cfg->task, cfg->train.seed, (int64_t)cfg->train.steps * B,
                               &eval_rng, t->eval_hops, &t->eval, err);
}

hs_status hs_trainer_init(hs_trainer *t, const hs_config *cfg, hs_err *err)
{
    memset(t, 0, sizeof *t);
    t->cfg = cfg;
    t->hops = cfg->task.hops;
    t->n_heads = cfg->model.layers * cfg->model.heads;
    t->max_evals = cfg->train.steps / cfg->train.eval_every + 2;
    t->level = hs_curriculum_first_level(&cfg->task);
    t->logged = -1;
    hs_status st = trainer_build(t, cfg, err);
    if (st) hs_trainer_free(t);
    return st;
}

/* The model's answer at one position: the first largest logit. */
static int argmax(const float *logit, int V)
{
    int best = 0;
    for (int v = 1; v < V; v++)
        if (logit[v] > logit[best]) best = v;
    return best;
}

void hs_trainer_evaluate(hs_trainer *t, hs_eval *ev)
{
    hs_model *m = &t->model;
    const hs_batch *e = &t->eval;
    int T = e->T, V = m->n_out, B = m->shape.max_batch, D = t->hops;
    *ev = (hs_eval){.step = t->step,
                    .lr = t->lr,
                    .level = t->level,
                    .train_loss = t->loss_n ? (float)(t->loss_sum / t->loss_n) : NAN};
    t->eval_steps[t->n_evals] = t->step;
    double loss_sum = 0.0;
    hs_probe_reset(&t->probe);
    long n_sup = 0, q_correct = 0, q_total = 0;
    memset(t->hop_correct, 0, sizeof(long) * (D + 1));
    memset(t->hop_total, 0, sizeof(long) * (D + 1));
    /* forward passes over the evaluation set in chunks of the training batch size */
    for (int first = 0; first < e->B; first += B) {
        int n = e->B - first < B ? e->B - first : B;
        size_t off = (size_t)first * T;
        float loss = hs_model_forward(m, n, e->parent + off, e->child + off, e->rel + off,
                                      e->target + off, e->supervised + off);
        loss_sum += (double)loss * m->n_supervised;
        n_sup += m->n_supervised;
        hs_probe_add(&t->probe, t->att, n, T, e->chain + off, e->index + off);
        for (int p = 0; p < n * T; p++) {
            bool correct = argmax(m->logits + (size_t)p * V, V) == e->target[off + p];
            if (e->scored[off + p]) {
                t->hop_correct[e->hop[off + p]] += correct;
                t->hop_total[e->hop[off + p]]++;
            }
            if (p % T == T - 1 && e->hop[off + p] == D) { /* the query, asking all D hops */
                q_correct += correct;
                q_total++;
            }
        }
    }
    for (int k = 0; k <= D; k++)
        t->hop_acc[k] = t->hop_total[k] ? (float)t->hop_correct[k] / t->hop_total[k] : NAN;
    ev->eval_loss = n_sup ? (float)(loss_sum / n_sup) : NAN;
    ev->query_acc = q_total ? (float)q_correct / q_total : NAN;
    if (t->cfg->task.kind == HS_TASK_HOPK) /* no query: the accuracy at the largest k */
        ev->query_acc = t->hop_acc[D];
    ev->hop_acc = t->hop_acc;
    memcpy(t->history + (size_t)t->n_evals * (D + 1), t->hop_acc, sizeof(float) * (D + 1));
    hs_probe_roles(&t->probe, t->roles);
    for (int h = 0; h < t->n_heads; h++) {
        t->role_bins[(size_t)t->n_evals * t->n_heads + h] = t->roles[h].bin;
        t->role_scores[(size_t)t->n_evals * t->n_heads + h] = t->roles[h].score;
    }
    t->n_evals++;
    t->final_loss = ev->eval_loss;
    t->final_query_acc = ev->query_acc;
    t->loss_sum = 0.0;
    t->loss_n = 0;
    t->level = hs_curriculum_next_level(&t->cfg->task, t->level, ev->hop_acc);
}

hs_status hs_trainer_log_attention(hs_trainer *t, hs_err *err)
{
    const hs_batch *e = &t->eval;
    hs_model_forward(&t->model, t->log.shape.examples, e->parent, e->child, e->rel, NULL, NULL);
    hs_status st = hs_attnlog_append(&t->log, t->step, t->att, e->chain, e->index, err);
    if (!st) t->logged = t->step;
    return st;
}

static void sample_train_batch(hs_trainer *t)
{
    const hs_config *cfg = t->cfg;
    int B = cfg->train.batch;
    if (cfg->task.train_examples) { /* a fixed set: the step alone says where in it we are */
        hs_trainset_sample(&cfg->task, cfg->train.seed, (int64_t)t->step * B, t->level, &t->train);
        return;
    }
    const int32_t *hops =
        hs_curriculum_batch_hops(&cfg->task, t->level, &t->data_rng, t->train_hops, B);
    hs_task_sample(&cfg->task, &t->data_rng, hops, &t->train);
}

hs_status hs_trainer_step(hs_trainer *t, hs_err *err)
{
    const hs_config *cfg = t->cfg;
    hs_model *m = &t->model;
    sample_train_batch(t);
    hs_model_zero_grad(m);
    hs_rng drop_rng;
    hs_rng_seed(&drop_rng, cfg->train.seed, HS_STREAM_DROPOUT + (uint64_t)t->step);
    m->drop_rng = &drop_rng; /* a training pass: dropout, when the model has it */
    float loss = hs_model_forward(m, t->train.B, t->train.parent, t->train.child, t->train.rel,
                                  t->train.target, t->train.supervised);
    m->drop_rng = NULL;
    if (!isfinite(loss))
        return hs_fail(
            err, HS_ENUMERIC,
            "training loss became %s at step %d; lower train.lr (now %g) or raise train.warmup",
            isnan(loss) ? "NaN" : "infinite", t->step, cfg->train.lr);
    hs_model_backward(m);
    hs_clip_grad_norm(m->grads, m->n_params, (float)cfg->train.clip);
    t->lr = hs_lr_at(hs_train_plan_schedule(cfg), t->step);
    hs_adamw_step(&t->opt, m, t->lr, (float)cfg->train.weight_decay);
    t->loss_sum += loss;
    t->loss_n++;
    t->step++;
    return HS_OK;
}

/* ---- saving and loading the trainer's state (resume.h) ---- */

static hs_resume_state state_of(const hs_trainer *t)
{
    hs_resume_state s = {.step = t->step,
                         .level = t->level,
                         .loss_n = t->loss_n,
                         .logged = t->logged,
                         .n_evals = t->n_evals,
                         .loss_sum = t->loss_sum,
                         .lr = t->lr,
                         .final_loss = t->final_loss,
                         .final_query_acc = t->final_query_acc,
                         .adam_t = t->opt.t,
                         .n_params = t->model.n_params,
                         .hops = t->hops,
                         .n_heads = t->n_heads,
                         .params = t->model.params,
                         .adam_m = t->opt.m,
                         .adam_v = t->opt.v,
                         .history = t->history,
                         .eval_steps = t->eval_steps,
                         .role_bins = t->role_bins,
                         .role_scores = t->role_scores};
    memcpy(s.rng, t->data_rng.s, sizeof s.rng);
    return s;
}

hs_status hs_trainer_save(const hs_trainer *t, char **bytes, size_t *n, hs_err *err)
{
    hs_resume_state s = state_of(t);
    return hs_resume_write(t->cfg, &s, bytes, n, err);
}

hs_status hs_trainer_load(hs_trainer *t, const hs_resume_state *s, hs_err *err)
{
    if (s->n_params != t->model.n_params || s->hops != t->hops || s->n_heads != t->n_heads)
        return hs_fail(err, HS_EINTERNAL,
                       "a resume state of %zu parameters, %d hops and %d heads given to a model "
                       "of %zu, %d and %d",
                       s->n_params, s->hops, s->n_heads, t->model.n_params, t->hops, t->n_heads);
    size_t P = t->model.n_params, E = (size_t)s->n_evals, NH = (size_t)t->n_heads,
           D1 = (size_t)t->hops + 1;
    memcpy(t->model.params, s->params, P * sizeof(float));
    memcpy(t->opt.m, s->adam_m, P * sizeof(float));
    memcpy(t->opt.v, s->adam_v, P * sizeof(float));
    memcpy(t->history, s->history, E * D1 * sizeof(float));
    memcpy(t->eval_steps, s->eval_steps, E * sizeof(int32_t));
    memcpy(t->role_bins, s->role_bins, E * NH * sizeof(int32_t));
    memcpy(t->role_scores, s->role_scores, E * NH * sizeof(float));
    /* the last evaluation's roles and accuracies are its history's last row */
    for (size_t k = 0; k < NH; k++)
        t->roles[k] = (hs_head_role){.layer = (int)k / t->cfg->model.heads + 1,
                                     .head = (int)k % t->cfg->model.heads,
                                     .bin = t->role_bins[(E - 1) * NH + k],
                                     .score = t->role_scores[(E - 1) * NH + k]};
    memcpy(t->hop_acc, t->history + (E - 1) * D1, D1 * sizeof(float));
    t->n_evals = s->n_evals;
    t->step = s->step, t->level = s->level, t->loss_n = s->loss_n, t->logged = s->logged;
    t->loss_sum = s->loss_sum;
    t->lr = s->lr, t->final_loss = s->final_loss, t->final_query_acc = s->final_query_acc;
    memcpy(t->data_rng.s, s->rng, sizeof s->rng);
    t->opt.t = (long)s->adam_t;
    return HS_OK;
}

/* ---- the job ---- */

/* hopk's final measure, the peer's: for each k, train.eval_examples fresh sequences of that k
 * (kept out of a fixed training set as the evaluation set is), error = the fraction of letter
 * targets whose argmax is wrong. Evaluation passes: no dropout. */
static hs_status per_k_errors(hs_trainer *t, float *k_error, hs_err *err)
{
    const hs_config *cfg = t->cfg;
    hs_model *m = &t->model;
    hs_batch *e = &t->per_k;
    const int T = e->T, V = m->n_out, B = m->shape.max_batch;
    hs_rng rng;
    hs_rng_seed(&rng, cfg->train.seed, HS_STREAM_PER_K);
    for (int k = 0; k <= t->hops; k++) {
        k_error[k] = NAN;
        if (k < cfg->task.min_hops) continue;
        for (int i = 0; i < e->B; i++) e->query_hops[i] = k;
        hs_status st = hs_task_sample_eval(&cfg->task, cfg->train.seed,
                                           (int64_t)cfg->train.steps * cfg->train.batch, &rng,
                                           e->query_hops, e, err);
        if (st) return st;
        long wrong = 0, total = 0;
        for (int first = 0; first < e->B; first += B) {
            int n = e->B - first < B ? e->B - first : B;
            size_t off = (size_t)first * T;
            hs_model_forward(m, n, e->parent + off, e->child + off, e->rel + off, NULL, NULL);
            for (int p = 0; p < n * T; p++) {
                if (!e->scored[off + p]) continue;
                wrong += argmax(m->logits + (size_t)p * V, V) != e->target[off + p];
                total++;
            }
        }
        k_error[k] = total ? (float)wrong / total : NAN;
    }
    return HS_OK;
}

/* Emergence of every hop label and head, from the trainer's history. */
static hs_status report_emergence(const hs_trainer *t, hs_train_result *res, hs_err *err)
{
    const hs_config *cfg = t->cfg;
    int D = t->hops, NH = t->n_heads;
    memcpy(res->final_hop_acc, t->hop_acc, sizeof(float) * (D + 1));
    for (int k = 0; k <= D; k++) {
        int e = hs_first_sustained(t->history + k, t->n_evals, D + 1, (float)cfg->emergence.tau_acc,
                                   cfg->emergence.patience);
        res->hop_steps[k] = e < 0 ? -1 : t->eval_steps[e];
    }
    res->n_heads = NH;
    res->heads = calloc((size_t)NH, sizeof *res->heads);
    res->head_steps = calloc((size_t)NH, sizeof *res->head_steps);
    res->order = calloc((size_t)NH, sizeof *res->order);
    if (!res->heads || !res->head_steps || !res->order)
        return hs_fail(err, HS_ENOMEM, "out of memory recording head emergence");
    res->n_order =
        hs_emergence_heads(t->role_bins, t->role_scores, t->eval_steps, t->n_evals, t->roles, NH,
                           (float)cfg->emergence.tau_head, cfg->emergence.patience, res->heads,
                           res->head_steps, res->order);
    return HS_OK;
}

hs_status hs_train_run(const hs_config *cfg, const hs_train_opts *opts, hs_train_result *res,
                       hs_err *err)
{
    FILE *metrics = opts->metrics;
    memset(res, 0, sizeof *res);
    double t0 = now_s();
    int D = cfg->task.hops;
    res->hops = D;
    res->final_hop_acc = calloc((size_t)D + 1, sizeof *res->final_hop_acc);
    if (cfg->task.kind == HS_TASK_HOPK)
        res->final_k_error = calloc((size_t)D + 1, sizeof *res->final_k_error);
    res->hop_steps = calloc((size_t)D + 1, sizeof *res->hop_steps);
    if (!res->final_hop_acc || !res->hop_steps ||
        (cfg->task.kind == HS_TASK_HOPK && !res->final_k_error)) {
        hs_train_result_free(res);
        return hs_fail(err, HS_ENOMEM, "out of memory setting up the training job");
    }
    for (int k = 0; res->final_k_error && k <= D; k++) res->final_k_error[k] = NAN;
    hs_trainer t;
    hs_err e = {0}; /* why the job failed, if it does */
    hs_status st = hs_trainer_init(&t, cfg, &e);
    if (!st && opts->resume && (st = hs_trainer_load(&t, opts->resume, &e))) hs_trainer_free(&t);
    if (st) return hs_train_result_refused(res, cfg, &e, err);
    if (metrics && !opts->resume)
        hs_metrics_header(metrics, D, cfg->model.layers, cfg->model.heads);
    snprintf(res->engine, sizeof res->engine, "%s", hs_model_engine(&t.model));

    for (;;) {
        bool last = t.step >= cfg->train.steps;
        if (t.logging && (t.step % cfg->log.attention_every == 0 || last) &&
            (st = hs_trainer_log_attention(&t, &e)))
            break;
        if (t.step % cfg->train.eval_every == 0 || last) {
            hs_eval ev;
            hs_trainer_evaluate(&t, &ev);
            if (metrics) hs_metrics_row(metrics, &ev, D, t.roles, t.n_heads);
            if (opts->on_eval) opts->on_eval(&ev, &t.model, opts->user);
            if (!last &&
                hs_emergence_early_stop(t.history, t.n_evals, D, (float)cfg->train.early_stop,
                                        cfg->emergence.patience)) {
                res->early_stopped = true;
                break;
            }
        }
        if (last) break;
        if (hs_trainer_step(&t, &res->err)) break; /* diverged: the job failed */
        if (opts->on_step && opts->on_step(t.step, opts->user)) {
            res->interrupted = true;
            snprintf(res->err.msg, sizeof res->err.msg, "interrupted at step %d of %d", t.step,
                     cfg->train.steps);
            break;
        }
    }
    res->steps = t.step;
    res->final_loss = t.final_loss;
    res->final_query_acc = t.final_query_acc;
    if (!st) st = report_emergence(&t, res, &e);
    if (!st && res->final_k_error && res->err.code == HS_OK && !res->interrupted)
        st = per_k_errors(&t, res->final_k_error, &e);
    if (!st && res->interrupted) st = hs_trainer_save(&t, &res->resume, &res->resume_len, &e);
    /* the log ends with the model as it ended, also when it stopped early */
    bool finished = res->err.code == HS_OK && !res->interrupted;
    if (!st && t.logging && t.logged != t.step && finished) st = hs_trainer_log_attention(&t, &e);
    if (!st && t.logging) hs_attnlog_take(&t.log, &res->attention, &res->attention_len);
    if (!st && opts->checkpoint && finished)
        st = hs_checkpoint_save(&t.model, cfg, opts->checkpoint, &e);
    res->wall_s = now_s() - t0;
    hs_trainer_free(&t);
    /* a log, state or checkpoint that could not be written: the job failed, with no files */
    return st ? hs_train_result_refused(res, cfg, &e, err) : HS_OK;
}

hs_status hs_train_result_refused(hs_train_result *res, const hs_config *cfg, const hs_err *why,
                                  hs_err *err)
{
    hs_train_result_free(res);
    int D = cfg->task.hops;
    res->err = *why;
    res->refused = true;
    res->hops = D;
    res->final_hop_acc = malloc(sizeof(float) * ((size_t)D + 1));
    res->hop_steps = malloc(sizeof(int) * ((size_t)D + 1));
    if (!res->final_hop_acc || !res->hop_steps) {
        hs_train_result_free(res);
        return hs_fail(err, HS_ENOMEM, "out of memory recording a failed job");
    }
    for (int k = 0; k <= D; k++) res->final_hop_acc[k] = NAN, res->hop_steps[k] = -1;
    if (cfg->task.kind == HS_TASK_HOPK) { /* measured nothing: every k null */
        res->final_k_error = malloc(sizeof(float) * ((size_t)D + 1));
        if (!res->final_k_error) {
            hs_train_result_free(res);
            return hs_fail(err, HS_ENOMEM, "out of memory recording a failed job");
        }
        for (int k = 0; k <= D; k++) res->final_k_error[k] = NAN;
    }
    res->final_loss = res->final_query_acc = NAN;
    return HS_OK;
}

void hs_train_result_free(hs_train_result *res)
{
    free(res->final_hop_acc);
    free(res->final_k_error);
    free(res->hop_steps);
    free(res->heads);
    free(res->head_steps);
    free(res->order);
    free(res->attention);
    free(res->resume);
    memset(res, 0, sizeof *res);
}
