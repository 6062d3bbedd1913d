/* train_plan.c — what a config implies for training (train_plan.h): shape, parameter count,
 * schedule and cost, each from the config alone. */
#include "hopsweep/train_plan.h"

hs_model_shape hs_train_plan_shape(const hs_config *cfg)
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
        .positions = cfg->model.positions,
        .dropout = (float)cfg->model.dropout,
        .readout = cfg->model.readout,
    };
}

size_t hs_train_plan_params(const hs_config *cfg)
{
    hs_model_shape s = hs_train_plan_shape(cfg);
    return hs_model_param_count(&s);
}

hs_lr_schedule hs_train_plan_schedule(const hs_config *cfg)
{
    return (hs_lr_schedule){.lr = cfg->train.lr,
                            .warmup = cfg->train.warmup,
                            .steps = cfg->train.steps,
                            .kind = cfg->train.schedule == HS_SCHEDULE_COSINE   ? HS_LR_COSINE
                                    : cfg->train.schedule == HS_SCHEDULE_LINEAR ? HS_LR_LINEAR
                                                                                : HS_LR_CONSTANT};
}

double hs_train_plan_cost(const hs_config *cfg)
{
    hs_model_shape s = hs_train_plan_shape(cfg);
    double step = hs_model_step_flops(&s, cfg->train.batch);
    /* an evaluation is a forward pass (a third of a step) over eval_examples */
    double eval = hs_model_step_flops(&s, cfg->train.eval_examples) / 3.0;
    double evals = cfg->train.steps / cfg->train.eval_every + 1;
    if (cfg->task.kind == HS_TASK_HOPK) /* the final evaluation: eval_examples per k */
        evals += cfg->task.hops - cfg->task.min_hops + 1;
    return step * cfg->train.steps + eval * evals + 1.0;
}
