/* The backward pass, in reverse layer order: each layer's activation derivative (unless
 * the loss computed it, fused), then the layer's own backward. Apart from run.c so a
 * predict-only program links no backward pass. */
#include "graph/graph.h"

#include "act/inst.h"
#include "core/pool.h"

#include <string.h>

static void zero_range(void *arg, size_t lo, size_t hi)
{
    memset((float *)arg + lo, 0, (hi - lo) * sizeof(float));
}

void tn__run_zero_grad(tn_run *run)
{
    if (run->training) /* across the training threads, if any (core/pool.h) */
        tn__pool_for(run->grad_floats, 2 * TN__POOL_GRAIN, 16, zero_range, run->G); /* memset */
}

typedef struct act_bwd_job {
    const tn_act_inst *a;
    const float *learn, *x, *y, *dy;
    float *dx;
    size_t cols;
    int training;
} act_bwd_job;

static void act_bwd_rows(void *arg, size_t lo, size_t hi)
{
    const act_bwd_job *j = arg;
    size_t o = lo * j->cols;
    tn__act_inst_backward(j->a, j->learn, NULL, j->training, NULL, j->x + o, j->y + o, j->dy + o,
                          j->dx + o, hi - lo, j->cols);
}

void tn__run_backward(tn_run *run, size_t batch)
{
    const tn_net *net = run->net;
    for (int l = net->n_layers - 1; l >= 0; l--) {
        const tn_layer *L = &net->layers[l];
        /* dz = f'(z) dy, unless the loss computed it with the activation (fused). */
        if (L->act && !(run->fused_output && l == net->n_layers - 1)) {
            size_t off = tn__layer_act_offset(L);
            if (tn__pool_width() > 1 && tn__act_splits(L->act, run->training)) {
                act_bwd_job j = {L->act, net->P + off, run->pre[l], run->out[L->node],
                                 run->dout[L->node], run->dpre[l], L->width, run->training};
                tn__pool_for(batch, tn__act_split_rows(L->width), 1, act_bwd_rows, &j);
            } else {
                tn__act_inst_backward(L->act, net->P + off, run->G + off, run->training,
                                      &run->noise, run->pre[l], run->out[L->node],
                                      run->dout[L->node], run->dpre[l], batch, L->width);
            }
        }
        L->ops->backward(L, &run->io[l], batch);
    }
}
