/* ref_dump.c — one forward and backward pass of hopsweep's model, written out for check.py.
 *
 * Usage: ref_dump DIR [key=value ...]
 * Builds the model of the job config (defaults + overrides), initialises it from train.seed,
 * perturbs every parameter by 0.1·N(0,1) (so that biases and LayerNorm gains, which start at 0
 * and 1, are exercised too), samples one batch of train.batch examples, and writes
 *   DIR/model.safetensors  the parameters, __metadata__.config = the job config as JSON
 *   DIR/batch.safetensors  I32 parent, child, rel, target, supervised [B][T]; F32 logits [B][T][V],
 *                          F32 loss [1]
 *   DIR/grads.safetensors  d(loss)/d(parameter), one tensor per parameter, same names
 * check.py DIR then runs the PyTorch reference on the same batch and compares (DESIGN §5).
 * Exit 0 on success, 2 on a bad argument or config, 1 on any other failure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hopsweep/checkpoint.h"
#include "hopsweep/config.h"
#include "hopsweep/error.h"
#include "hopsweep/model.h"
#include "hopsweep/rng.h"
#include "hopsweep/safetensors.h"
#include "hopsweep/task.h"
#include "hopsweep/train.h"
#include "hopsweep/train_plan.h"

#define PERTURB 0.1f

static int fail(const hs_err *err)
{
    fprintf(stderr, "ref_dump: %s\n", err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: ref_dump DIR [key=value ...]\n"
                        "  writes DIR/{model,batch,grads}.safetensors for check.py\n");
        return 2;
    }
    const char *dir = argv[1];
    hs_err err;
    hs_err_clear(&err);

    hs_config cfg;
    hs_config_default(&cfg);
    for (int i = 2; i < argc; i++) {
        if (hs_config_override(&cfg, argv[i], &err) != HS_OK) {
            fprintf(stderr, "ref_dump: %s\n", err.msg);
            return 2;
        }
    }
    if (hs_config_validate(&cfg, &err) != HS_OK) {
        fprintf(stderr, "ref_dump: %s\n", err.msg);
        return 2;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "ref_dump: cannot create directory %s: %s\n", dir, strerror(errno));
        return 1;
    }

    const hs_model_shape shape = hs_train_plan_shape(&cfg);
    const int B = shape.max_batch, T = shape.seq_len, V = shape.vocab;

    hs_model m;
    memset(&m, 0, sizeof m);
    if (hs_model_init(&m, &shape, &err) != HS_OK) {
        fprintf(stderr, "ref_dump: %s\n", err.msg);
        return 1;
    }
    hs_rng rng;
    hs_rng_seed(&rng, cfg.train.seed, HS_STREAM_INIT);
    hs_model_init_weights(&m, &rng);
    for (size_t i = 0; i < m.n_params; i++) m.params[i] += PERTURB * hs_rng_normal(&rng);

    hs_batch b;
    memset(&b, 0, sizeof b);
    if (hs_batch_alloc(&b, B, T, V, &err) != HS_OK) {
        fprintf(stderr, "ref_dump: %s\n", err.msg);
        hs_model_free(&m);
        return 1;
    }
    hs_rng data;
    hs_rng_seed(&data, cfg.train.seed, HS_STREAM_DATA);
    hs_task_sample(&cfg.task, &data, NULL, &b);

    hs_model_zero_grad(&m);
    float loss = hs_model_forward(&m, B, b.parent, b.child, b.rel, b.target, b.supervised);
    hs_model_backward(&m);

    int rc = 0;
    const size_t BT = (size_t)B * T;
    int32_t *sup = malloc(BT * sizeof *sup);
    char path[4096];
    if (!sup) {
        fprintf(stderr, "ref_dump: out of memory\n");
        rc = 1;
        goto done;
    }
    for (size_t i = 0; i < BT; i++) sup[i] = b.supervised[i];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    FILE *f = fopen(path, "wb");
    if (!f || hs_checkpoint_write(&m, m.params, &cfg, f, &err) || fclose(f)) rc = fail(&err);
    snprintf(path, sizeof path, "%s/grads.safetensors", dir);
    f = rc ? NULL : fopen(path, "wb");
    if (!rc && (!f || hs_checkpoint_write(&m, m.grads, &cfg, f, &err) || fclose(f)))
        rc = fail(&err);
    const hs_st_entry be[7] = {
        {"parent", HS_ST_I32, 2, {B, T, 0}, b.parent},
        {"child", HS_ST_I32, 2, {B, T, 0}, b.child},
        {"rel", HS_ST_I32, 2, {B, T, 0}, b.rel},
        {"target", HS_ST_I32, 2, {B, T, 0}, b.target},
        {"supervised", HS_ST_I32, 2, {B, T, 0}, sup},
        {"logits", HS_ST_F32, 3, {B, T, m.n_out}, m.logits},
        {"loss", HS_ST_F32, 1, {1, 0, 0}, &loss},
    };
    snprintf(path, sizeof path, "%s/batch.safetensors", dir);
    f = rc ? NULL : fopen(path, "wb");
    if (!rc && (!f || hs_st_write(f, be, 7, NULL, &err) || fclose(f))) rc = fail(&err);
    if (rc == 0)
        printf("ref_dump: %s: %d tensors, B=%d T=%d V=%d, %d supervised, loss %.7g\n", dir,
               m.n_tensors, B, T, V, m.n_supervised, (double)loss);

done:
    free(sup);
    hs_batch_free(&b);
    hs_model_free(&m);
    return rc;
}
