/* train.c — the training loop of one job, its evaluations and metrics.csv.
 *
 * Everything the loop touches (model, optimizer, training batch, evaluation set, metric
 * history) is allocated before the first step. */
#include "hopsweep/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
}

hs_model_shape hs_train_shape(const hs_config *cfg)
{
    return (hs_model_shape){
        .vocab = cfg->task.vocab,
        .d_model = cfg->model.d_model,
        .heads = cfg->model.heads,
        .layers = cfg->model.layers,
        .mlp = cfg->model.mlp,
        .layernorm = cfg->model.layernorm,
        .causal = cfg->model.attention == HS_ATTENTION_CAUSAL,
        .seq_len = hs_task_seq_len(&cfg->task),
        .max_batch = cfg->train.batch,
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
    hs_task_sample(&cfg->task, &eval_rng, j->eval_hops, &j->eval);
    return HS_OK;
}

/* Forward passes over the evaluation set in chunks of the training batch size. */
static void evaluate(job *j, hs_eval *ev)
{
    hs_model *m = &j->model;
    const hs_batch *e = &j->eval;
    int T = e->T, V = m->shape.vocab, B = m->shape.max_batch, D = j->hops;
    double loss_sum = 0.0;
    long n_sup = 0, q_correct = 0, q_total = 0;
    memset(j->hop_correct, 0, sizeof(long) * (D + 1));
    memset(j->hop_total, 0, sizeof(long) * (D + 1));
    for (int first = 0; first < e->B; first += B) {
        int n = e->B - first < B ? e->B - first : B;
        size_t off = (size_t)first * T;
        float loss = hs_model_forward(m, n, e->parent + off, e->child + off, e->target + off,
                                      e->supervised + off);
        loss_sum += (double)loss * m->n_supervised;
        n_sup += m->n_supervised;
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
    j->n_evals++;
}

static void csv_float(FILE *f, float v)
{
    if (isnan(v))
        fputc(',', f);
    else
        fprintf(f, ",%.6g", v);
}

static void metrics_header(FILE *f, int hops)
{
    fprintf(f, "step,lr,train_loss,eval_loss,query_acc,level");
    for (int k = 0; k <= hops; k++) fprintf(f, ",hop_%d", k);
    fputc('\n', f);
}

static void metrics_row(FILE *f, const hs_eval *ev, int hops)
{
    fprintf(f, "%d", ev->step);
    csv_float(f, ev->lr);
    csv_float(f, ev->train_loss);
    csv_float(f, ev->eval_loss);
    csv_float(f, ev->query_acc);
    fprintf(f, ",%d", ev->level);
    for (int k = 0; k <= hops; k++) csv_float(f, ev->hop_acc[k]);
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

static void sample_train_batch(job *j, int level)
{
    const hs_config *cfg = j->cfg;
    int B = cfg->train.batch;
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
    int *eval_steps = calloc((size_t)(cfg->train.steps / cfg->train.eval_every + 2), sizeof(int));
    if (!st && (!res->final_hop_acc || !res->hop_steps || !eval_steps))
        st = hs_fail(err, HS_ENOMEM, "out of memory setting up the training job");
    if (st) {
        free(eval_steps);
        job_free(&j);
        return st;
    }
    if (metrics) metrics_header(metrics, D);

    bool explicit_curr = cfg->task.curriculum == HS_CURRICULUM_EXPLICIT;
    int level = explicit_curr ? 1 : D;
    double loss_sum = 0.0;
    int loss_n = 0, step = 0;
    float lr = 0.0f;
    hs_model *m = &j.model;
    for (;;) {
        bool last = step >= cfg->train.steps;
        if (step % cfg->train.eval_every == 0 || last) {
            hs_eval ev = {.step = step, .lr = lr, .level = level,
                          .train_loss = loss_n ? (float)(loss_sum / loss_n) : NAN};
            eval_steps[j.n_evals] = step;
            evaluate(&j, &ev);
            if (metrics) metrics_row(metrics, &ev, D);
            if (opts->on_eval) opts->on_eval(&ev, m, opts->user);
            res->final_loss = ev.eval_loss;
            res->final_query_acc = ev.query_acc;
            loss_sum = 0.0;
            loss_n = 0;
            if (explicit_curr && level < D && ev.hop_acc[level] >= EXPLICIT_STEP_UP) level++;
            if (!last && should_stop(&j, (float)cfg->train.early_stop, cfg->emergence.patience)) {
                res->early_stopped = true;
                break;
            }
        }
        if (last) break;

        sample_train_batch(&j, level);
        hs_model_zero_grad(m);
        float loss = hs_model_forward(m, j.train.B, j.train.parent, j.train.child, j.train.target,
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
        lr = hs_lr_at(cfg, step);
        hs_adamw_step(&j.opt, m, lr, (float)cfg->train.weight_decay);
        loss_sum += loss;
        loss_n++;
        step++;
        if (opts->on_step && opts->on_step(step, opts->user)) {
            res->interrupted = true;
            snprintf(res->error, sizeof res->error, "interrupted at step %d of %d", step,
                     cfg->train.steps);
            break;
        }
    }
    res->steps = step;
    memcpy(res->final_hop_acc, j.hop_acc, sizeof(float) * (D + 1));
    for (int k = 0; k <= D; k++) {
        int e = hs_first_sustained(j.history + k, j.n_evals, D + 1, (float)cfg->emergence.tau_acc,
                                   cfg->emergence.patience);
        res->hop_steps[k] = e < 0 ? -1 : eval_steps[e];
    }
    if (opts->checkpoint && res->status == HS_OK && !res->interrupted)
        st = hs_checkpoint_save(m, cfg, opts->checkpoint, err);
    res->wall_s = now_s() - t0;
    free(eval_steps);
    job_free(&j);
    return st;
}

void hs_train_result_free(hs_train_result *res)
{
    free(res->final_hop_acc);
    free(res->hop_steps);
    memset(res, 0, sizeof *res);
}
