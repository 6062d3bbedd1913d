/* checkpoint.h — a model's parameters as model.safetensors (DESIGN §3): tensors named as in
 * the parameter table, __metadata__.config = the job config as JSON. */
#ifndef HOPSWEEP_CHECKPOINT_H
#define HOPSWEEP_CHECKPOINT_H

#include <stdio.h>

#include "hopsweep/config.h"
#include "hopsweep/model.h"

/* Writes from `data` (m->params or m->grads) with the parameter table's names and shapes. */
hs_status hs_checkpoint_write(const hs_model *m, const float *data, const hs_config *cfg, FILE *f,
                              hs_err *err);
/* The parameters. */
hs_status hs_checkpoint_save(const hs_model *m, const hs_config *cfg, FILE *f, hs_err *err);

#endif
