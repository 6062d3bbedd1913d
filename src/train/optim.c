/* optim.c — AdamW, the learning-rate schedule and gradient clipping. */
#include "hopsweep/optim.h"

#include "hopsweep/ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

hs_status hs_adamw_init(hs_adamw *opt, size_t n_params, hs_err *err)
{
    memset(opt, 0, sizeof *opt);
    opt->m = calloc(n_params, sizeof(float));
    opt->v = calloc(n_params, sizeof(float));
    if (!opt->m || !opt->v) {
        hs_adamw_free(opt);
        return hs_fail(err, HS_ENOMEM, "out of memory for the optimizer state (%zu parameters)",
                       n_params);
    }
    opt->n = n_params;
    opt->beta1 = 0.9f;
    opt->beta2 = 0.999f;
    opt->eps = 1e-8f;
    return HS_OK;
}

void hs_adamw_free(hs_adamw *opt)
{
    free(opt->m);
    free(opt->v);
    memset(opt, 0, sizeof *opt);
}

/* The update of n parameters. One version for every CPU, unlike ops.c's loops: it is bound by
 * memory (four streams in, three out), not by its arithmetic. */
static void adamw_update(float *p, const float *g, float *m, float *v, size_t n, float b1, float b2,
                         float eps, float c1, float c2, float lr, float decay)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        p[i] = p[i] * decay - lr * (m[i] * c1) / (sqrtf(v[i] * c2) + eps);
    }
}

void hs_adamw_step(hs_adamw *opt, hs_model *model, float lr, float weight_decay)
{
    /* At bf16 the updated weights are rounded to their shadow chunk by chunk while still in
     * cache, instead of by a pass of their own at the next forward. */
    enum { CHUNK = 4096 };
    opt->t++;
    float b1 = opt->beta1, b2 = opt->beta2, eps = opt->eps;
    float c1 = 1.0f / (1.0f - powf(b1, (float)opt->t));
    float c2 = 1.0f / (1.0f - powf(b2, (float)opt->t));
    for (int k = 0; k < model->n_tensors; k++) {
        const hs_tensor *t = &model->tensors[k];
        float decay = t->decay ? 1.0f - lr * weight_decay : 1.0f;
        for (size_t at = t->offset, end = t->offset + t->numel; at < end; at += CHUNK) {
            size_t n = end - at < CHUNK ? end - at : CHUNK;
            adamw_update(model->params + at, model->grads + at, opt->m + at, opt->v + at, n, b1, b2,
                         eps, c1, c2, lr, decay);
            if (model->params_h) hs_bf16_from_f32(model->params_h + at, model->params + at, n);
        }
    }
    model->params_h_current = model->params_h != NULL;
}

float hs_lr_at(hs_lr_schedule s, int step)
{
    double lr = s.lr;
    int warmup = s.warmup;
    if (step < warmup) return (float)(lr * (step + 1) / warmup);
    if (s.kind == HS_LR_CONSTANT) return (float)lr;
    int span = s.steps - warmup;
    if (span <= 0) return (float)lr;
    double progress = (double)(step - warmup) / span;
    if (s.kind == HS_LR_LINEAR) return (float)(lr * (1.0 - progress));
    return (float)(lr * 0.5 * (1.0 + cos(3.14159265358979323846 * progress)));
}

float hs_clip_grad_norm(float *grads, size_t n, float max_norm)
{
    double ss = 0.0;
    for (size_t i = 0; i < n; i++) ss += (double)grads[i] * grads[i];
    float norm = (float)sqrt(ss);
    if (max_norm > 0.0f && norm > max_norm) {
        float scale = max_norm / (norm + 1e-6f);
        for (size_t i = 0; i < n; i++) grads[i] *= scale;
    }
    return norm;
}
