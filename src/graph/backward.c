/* The backward pass, in reverse layer order: each layer's activation derivative (unless
 * the loss computed it, fused), then the layer's own backward. Apart from run.c so a
 * predict-only program links no backward pass. */
#include "graph/graph.h"

#include "act/inst.h"

#include <string.h>

void tn__run_zero_grad(tn_run *run)
{
    if (run->training)
        memset(run->G, 0, run->grad_floats * sizeof *run->G);
}

void tn__run_backward(tn_run *run, size_t batch)
{
    const tn_net *net = run->net;
    for (int l = net->n_layers - 1; l >= 0; l--) {
        const tn_layer *L = &net->layers[l];
        /* dz = f'(z) dy, unless the loss computed it with the activation (fused). */
        if (L->act && !(run->fused_output && l == net->n_layers - 1)) {
            size_t off = tn__layer_act_offset(L);
            tn__act_inst_backward(L->act, net->P + off, run->G + off, run->training,
                                  &run->noise, run->pre[l], run->out[L->node],
                                  run->dout[L->node], run->dpre[l], batch, L->width);
        }
        L->ops->backward(L, &run->io[l], batch);
    }
}
