/* train_plan.h — what a job's config implies for training, worked out from the config alone
 * (no model is built): the model's shape and parameter count, the learning-rate schedule, and
 * the cost estimate a sweep orders its queue by. The trainer builds exactly this model, the
 * resume check sizes a saved state by it, and the coordinator's runner weighs jobs with it. */
#ifndef HOPSWEEP_TRAIN_PLAN_H
#define HOPSWEEP_TRAIN_PLAN_H

#include <stddef.h>

#include "hopsweep/config.h"
#include "hopsweep/model.h"
#include "hopsweep/optim.h"

/* The model a job trains: sizes from the config, sequence length from the task,
 * max_batch = train.batch. */
hs_model_shape hs_train_plan_shape(const hs_config *cfg);

/* The parameters of that model (hs_model.n_params once built). */
size_t hs_train_plan_params(const hs_config *cfg);

/* The learning-rate schedule of cfg, as the optimizer takes it. */
hs_lr_schedule hs_train_plan_schedule(const hs_config *cfg);

/* Estimated cost of the job in FLOPs (its training steps and evaluations): how a sweep orders
 * its queue, longest first. */
double hs_train_plan_cost(const hs_config *cfg);

#endif
