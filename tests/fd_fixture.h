/* fd_fixture.h — the central-difference gradient check the model tests share: the worst error
 * of a model's backward gradients against finite differences of its loss, relative to the
 * largest gradient, and the tensor where it lies. */
#ifndef HOPSWEEP_TEST_FD_FIXTURE_H
#define HOPSWEEP_TEST_FD_FIXTURE_H

#include <math.h>
#include <stddef.h>

#include "hopsweep/model.h"

typedef double (*fd_loss_fn)(hs_model *m, const void *batch);

typedef struct {
    double rel;        /* worst |finite difference - gradient| over the largest |gradient| */
    const char *where; /* the tensor of the worst parameter */
} fd_result;

/* m's gradients must be those of loss(m, batch) at its current parameters; every stride-th
 * parameter is moved by +-eps and put back. */
static fd_result fd_check(hs_model *m, fd_loss_fn loss, const void *batch, size_t stride, float eps)
{
    double gmax = 0.0, worst = 0.0;
    size_t worst_i = 0;
    for (size_t i = 0; i < m->n_params; i++) gmax = fmax(gmax, fabs(m->grads[i]));
    for (size_t i = 0; i < m->n_params; i += stride) {
        float keep = m->params[i];
        m->params[i] = keep + eps;
        double fp = loss(m, batch);
        m->params[i] = keep - eps;
        double fm = loss(m, batch);
        m->params[i] = keep;
        double e = fabs((fp - fm) / (2.0 * eps) - m->grads[i]);
        if (e > worst) worst = e, worst_i = i;
    }
    fd_result r = {worst / gmax, "?"};
    for (int t = 0; t < m->n_tensors; t++)
        if (worst_i >= m->tensors[t].offset && worst_i < m->tensors[t].offset + m->tensors[t].numel)
            r.where = m->tensors[t].name;
    return r;
}

#endif
