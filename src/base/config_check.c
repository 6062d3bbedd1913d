/* config_check.c — the rules a config must meet beyond each key's own range: the task's
 * parameters (hs_task_check, with the sizes they imply: sequence length, relations, smallest
 * vocabulary) and the cross-key checks of hs_config_validate. The task parameters are part of the
 * config's vocabulary (config.h), so their rules live here and the task module only samples. */
#include "hopsweep/config.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
 * The task's parameters */

/* Far beyond any trainable size, and small enough that every product below fits an int. */
enum { TASK_SIZE_CAP = 1000000 };

static bool has_filler_chain(const hs_task_params *p)
{
    return (p->curriculum == HS_CURRICULUM_MIXED || p->curriculum == HS_CURRICULUM_EXPLICIT) &&
           p->hops >= 2;
}

static int64_t min_vocab64(const hs_task_params *p)
{
    if (p->kind == HS_TASK_HOPK) return (int64_t)p->letters + 2 + (int64_t)p->hops + 1;
    return (int64_t)p->chains * ((int64_t)p->hops + 1) + (has_filler_chain(p) ? 1 : 0);
}

static int saturate(int64_t v) { return v > INT_MAX ? INT_MAX : (int)v; }

int hs_task_relations(const hs_task_params *p)
{
    return p->kind == HS_TASK_CONDITIONAL ? p->relations : 1;
}

static int64_t seq_len64(const hs_task_params *p)
{
    if (p->kind == HS_TASK_HOPK) return (int64_t)p->length + 1;
    return (int64_t)hs_task_relations(p) * p->chains * p->hops + 1;
}

int hs_task_seq_len(const hs_task_params *p) { return saturate(seq_len64(p)); }

int hs_task_min_vocab(const hs_task_params *p) { return saturate(min_vocab64(p)); }

hs_status hs_task_check(const hs_task_params *p, hs_err *err)
{
    if (p->hops < 1)
        return hs_fail(err, HS_EINPUT, "task.hops=%d is out of range: needs task.hops >= 1",
                       p->hops);
    if (p->chains < 1)
        return hs_fail(err, HS_EINPUT, "task.chains=%d is out of range: needs task.chains >= 1",
                       p->chains);
    if ((unsigned)p->curriculum > HS_CURRICULUM_EXPLICIT)
        return hs_fail(err, HS_EINPUT,
                       "task.curriculum=%d is not a curriculum: "
                       "use none, implicit, mixed or explicit",
                       (int)p->curriculum);
    if ((unsigned)p->kind > HS_TASK_HOPK)
        return hs_fail(err, HS_EINPUT,
                       "task.kind=%d is not a task kind: use retrieval, conditional or hopk",
                       (int)p->kind);
    if (p->kind == HS_TASK_HOPK && (p->min_hops < 0 || p->min_hops > p->hops))
        return hs_fail(err, HS_EINPUT,
                       "task.min_hops=%d is out of range for task.hops=%d: needs 0 <= "
                       "task.min_hops <= task.hops",
                       p->min_hops, p->hops);
    if (p->kind == HS_TASK_HOPK && (p->letters < 2 || p->length < 1 || p->length > TASK_SIZE_CAP))
        return hs_fail(err, HS_EINPUT,
                       "task.letters=%d, task.length=%d: hopk needs task.letters >= 2 (no letter "
                       "repeats its neighbour) and 1 <= task.length <= %d",
                       p->letters, p->length, TASK_SIZE_CAP);
    if (p->kind == HS_TASK_HOPK && p->hops > TASK_SIZE_CAP)
        return hs_fail(err, HS_EINPUT, "task.hops=%d is too large for hopk: needs <= %d", p->hops,
                       TASK_SIZE_CAP);
    if (p->kind == HS_TASK_CONDITIONAL &&
        (p->relations < 1 || p->relations > HS_TASK_MAX_RELATIONS))
        return hs_fail(err, HS_EINPUT,
                       "task.relations=%d is out of range: needs 1 <= task.relations <= %d",
                       p->relations, HS_TASK_MAX_RELATIONS);
    const int64_t seq_len = seq_len64(p);
    const int64_t need = min_vocab64(p);
    if ((seq_len > TASK_SIZE_CAP || need > TASK_SIZE_CAP) && p->kind == HS_TASK_CONDITIONAL)
        return hs_fail(err, HS_EINPUT,
                       "task.hops=%d, task.chains=%d, task.relations=%d need %lld positions and "
                       "%lld node ids: lower task.hops, task.chains or task.relations so both "
                       "stay <= %d",
                       p->hops, p->chains, p->relations, (long long)seq_len, (long long)need,
                       TASK_SIZE_CAP);
    if (seq_len > TASK_SIZE_CAP || need > TASK_SIZE_CAP)
        return hs_fail(err, HS_EINPUT,
                       "task.hops=%d, task.chains=%d need %lld positions and %lld node ids: "
                       "lower task.hops or task.chains so both stay <= %d",
                       p->hops, p->chains, (long long)seq_len, (long long)need, TASK_SIZE_CAP);
    if (p->vocab < need && p->kind == HS_TASK_HOPK)
        return hs_fail(err, HS_EINPUT,
                       "task.vocab=%d is too small for hopk with task.letters=%d, task.hops=%d: "
                       "needs task.vocab >= %lld (letters, \"does not exist\", blank, k tokens)",
                       p->vocab, p->letters, p->hops, (long long)need);
    if (p->vocab < need)
        return hs_fail(err, HS_EINPUT,
                       "task.vocab=%d is too small for task.hops=%d, task.chains=%d "
                       "(curriculum %s): needs task.vocab >= %lld",
                       p->vocab, p->hops, p->chains, hs_curriculum_name(p->curriculum),
                       (long long)need);
    if (p->vocab > TASK_SIZE_CAP)
        return hs_fail(err, HS_EINPUT, "task.vocab=%d is too large: needs task.vocab <= %d",
                       p->vocab, TASK_SIZE_CAP);
    if (p->train_examples < 0)
        return hs_fail(err, HS_EINPUT,
                       "task.train_examples=%d is out of range: needs 0 (fresh examples) or a "
                       "training set size >= 1",
                       p->train_examples);
    return HS_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Cross-key checks */

/* Keys of one task kind set on a job of another: refused, so that no job carries a setting
 * that does nothing (and two ids name the same job). */
static hs_status check_applies(const hs_config *c, const hs_config *def, hs_err *err)
{
    const hs_task_params *t = &c->task, *d = &def->task;
    if (t->kind == HS_TASK_HOPK) {
        const char *key = t->chains != d->chains           ? "task.chains"
                          : t->curriculum != d->curriculum ? "task.curriculum"
                          : t->relations != d->relations   ? "task.relations"
                                                           : NULL;
        if (key)
            return hs_fail(err, HS_EINPUT,
                           "%s does not apply to task.kind=hopk (its sequences are task.length "
                           "letters of task.letters, k in task.min_hops..task.hops): leave %s at "
                           "its default",
                           key, key);
        return HS_OK;
    }
    const char *key = t->min_hops != d->min_hops ? "task.min_hops"
                      : t->letters != d->letters ? "task.letters"
                      : t->length != d->length   ? "task.length"
                                                 : NULL;
    if (key)
        return hs_fail(err, HS_EINPUT,
                       "%s applies only to task.kind=hopk: set task.kind=hopk or leave %s at its "
                       "default",
                       key, key);
    return HS_OK;
}

/* Largest element count of any one tensor: other modules index activations with int, and a
 * tensor this big (8 GiB of f32) is out of reach of the machines these sweeps run on anyway. */
#define MAX_ELEMS 2147483647.0

hs_status hs_config_validate(const hs_config *c, hs_err *err)
{
    const hs_task_params *t = &c->task;
    /* hs_task_check also refuses sizes whose products would overflow an int. */
    hs_status st = hs_task_check(t, err);
    if (st) return st;
    hs_config defaults;
    hs_config_default(&defaults);
    /* Plain retrieval has one relation; a second value would be a second id for the same job. */
    if (t->kind == HS_TASK_RETRIEVAL && t->relations != defaults.task.relations)
        return hs_fail(err, HS_EINPUT,
                       "task.relations=%d applies only to task.kind=conditional: set "
                       "task.kind=conditional or leave task.relations at %d",
                       t->relations, defaults.task.relations);

    if ((st = check_applies(c, &defaults, err))) return st;

    const int d = c->model.d_model, h = c->model.heads;
    if (h <= 0 || d % h) {
        /* Nearest fixes: the next multiple of heads for d_model, the largest divisor of d_model
         * not above heads for heads (1 always divides). */
        int up = h > 0 ? (d / h + 1) * h : d;
        int hd = h > 0 ? h : 1;
        while (d % hd) hd--;
        if (h > 0 && up <= 4096)
            return hs_fail(err, HS_EINPUT,
                           "model.d_model=%d must be a multiple of model.heads=%d; try "
                           "model.d_model=%d or model.heads=%d",
                           d, h, up, hd);
        return hs_fail(err, HS_EINPUT,
                       "model.d_model=%d must be a multiple of model.heads=%d; try model.heads=%d",
                       d, h, hd);
    }

    if (c->log.probe_examples > c->train.eval_examples)
        return hs_fail(err, HS_EINPUT,
                       "log.probe_examples=%d exceeds train.eval_examples=%d: probes are drawn "
                       "from the evaluation set; lower log.probe_examples or raise "
                       "train.eval_examples",
                       c->log.probe_examples, c->train.eval_examples);
    /* the logged examples go through the model in one forward pass of at most a batch */
    if (c->log.attention_every > 0 && c->log.probe_examples > c->train.batch)
        return hs_fail(err, HS_EINPUT,
                       "log.probe_examples=%d exceeds train.batch=%d: the logged examples run "
                       "through the model as one batch; lower log.probe_examples",
                       c->log.probe_examples, c->train.batch);
    if (c->log.attention_every > 0 && c->log.probe_examples == 0)
        return hs_fail(err, HS_EINPUT,
                       "log.attention_every=%d logs the attention of log.probe_examples=0 "
                       "examples; set log.probe_examples >= 1 or log.attention_every=0",
                       c->log.attention_every);

    if (!(c->model.dropout < 1.0))
        return hs_fail(err, HS_EINPUT,
                       "model.dropout=%g drops every value: needs 0 <= model.dropout < 1 (0 = off)",
                       c->model.dropout);
    if (c->model.readout == HS_READOUT_IDENTITY && d < t->vocab)
        return hs_fail(err, HS_EINPUT,
                       "model.readout=identity makes the %d entries of the final LayerNorm the "
                       "logits, fewer than task.vocab=%d: raise model.d_model to >= %d or use "
                       "model.readout=linear",
                       d, t->vocab, t->vocab);

    /* Tensor sizes, in double so the products themselves cannot overflow. */
    const double T = hs_task_seq_len(t);
    const double B = c->train.batch, E = c->train.eval_examples;
    const double V = c->model.readout == HS_READOUT_IDENTITY ? d : t->vocab;
    struct {
        const char *what;
        double n;
        const char *fix;
    } sizes[] = {
        {"the output logits (train.batch x T x task.vocab)", B * T * V,
         "lower train.batch, task.vocab, task.hops or task.chains"},
        {"one layer's attention weights (train.batch x model.heads x T x T)", B * h * T * T,
         "lower train.batch, model.heads, task.hops or task.chains"},
        {"one layer's MLP activations (train.batch x T x model.mlp x model.d_model)",
         B * T * (c->model.mlp > 0 ? c->model.mlp : 1) * d,
         "lower train.batch, model.mlp, model.d_model, task.hops or task.chains"},
        {"the embeddings (task.vocab x model.d_model)", ((double)t->vocab + 1) * d,
         "lower task.vocab or model.d_model"},
        {"the evaluation logits (train.eval_examples x T x task.vocab)", E * T * V,
         "lower train.eval_examples, task.vocab, task.hops or task.chains"},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (sizes[i].n > MAX_ELEMS)
            return hs_fail(err, HS_EINPUT,
                           "%s would hold %.3g values with T=%.0f positions (limit %.0f); %s",
                           sizes[i].what, sizes[i].n, T, MAX_ELEMS, sizes[i].fix);
    return HS_OK;
}
