/* checkpoint.c — parameters (or gradients) to safetensors through the parameter table. */
#include "hopsweep/checkpoint.h"

#include <stdlib.h>

#include "hopsweep/json.h"
#include "hopsweep/safetensors.h"

hs_status hs_checkpoint_write(const hs_model *m, const float *data, const hs_config *cfg, FILE *f,
                              hs_err *err)
{
    hs_st_entry *e = calloc((size_t)m->n_tensors, sizeof *e);
    hs_json j;
    hs_json_init(&j);
    hs_config_json(&j, cfg);
    char *config = hs_json_take(&j);
    if (!e || !config) {
        free(e);
        free(config);
        return hs_fail(err, HS_ENOMEM, "out of memory writing a checkpoint");
    }
    for (int i = 0; i < m->n_tensors; i++) {
        const hs_tensor *t = &m->tensors[i];
        e[i] = (hs_st_entry){.name = t->name,
                             .dtype = HS_ST_F32,
                             .ndim = t->ndim,
                             .shape = {t->shape[0], t->shape[1]},
                             .data = data + t->offset};
    }
    hs_status st = hs_st_write(f, e, m->n_tensors, config, err);
    free(e);
    free(config);
    return st;
}

hs_status hs_checkpoint_save(const hs_model *m, const hs_config *cfg, FILE *f, hs_err *err)
{
    return hs_checkpoint_write(m, m->params, cfg, f, err);
}
