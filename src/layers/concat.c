/* Concat layer: y = [x1 | x2 | ...] along the features, in the order of "inputs".
 * No parameters, no work buffer, no keys of its own. */
#include "graph/graph.h"

#include <stdio.h>
#include <string.h>

#define CONCAT_MAX_INPUTS 64

static const char *const concat_keys[] = {NULL};

static int concat_configure(tn_layer *L, tn_jr *r, const cJSON *obj, const tn_net *net)
{
    (void)obj;
    size_t width = 0;
    for (int j = 0; j < L->n_in; j++) {
        const tn_node *in = &net->nodes[L->in[j]];
        /* graph.c refuses index inputs only for single-input layers. */
        if (in->kind == TN_NODE_INDEX_INPUT)
            return tn__jr_fail(r, NULL, "input \"%s\" holds integer ids; only an embedding "
                                        "layer can read it", in->name);
        width += in->width;
    }
    if (width > TN_MAX_WIDTH)
        return tn__jr_fail(r, NULL, "output width %zu is more than %u features", width,
                           (unsigned)TN_MAX_WIDTH);
    L->width = width;
    L->n_params = 0;
    L->work = 0;
    L->n_tensors = 0;
    return TN_OK;
}

static void concat_forward(const tn_layer *L, tn_run *run, size_t B)
{
    const tn_node *nodes = run->net->nodes;
    float *y = run->out[L->node];                 /* (B, width) */
    size_t W = L->width, off = 0;
    for (int j = 0; j < L->n_in; j++) {
        const float *x = run->out[L->in[j]];      /* (B, w_j) */
        size_t w = nodes[L->in[j]].width;
        for (size_t i = 0; i < B; i++)
            memcpy(y + i * W + off, x + i * w, w * sizeof *y);
        off += w;
    }
}

static void concat_backward(const tn_layer *L, tn_run *run, size_t B)
{
    const tn_node *nodes = run->net->nodes;
    const float *dy = run->dout[L->node];         /* (B, width) */
    size_t W = L->width, off = 0;
    for (int j = 0; j < L->n_in; j++) {
        float *dx = run->dout[L->in[j]];          /* (B, w_j) or NULL for an input node */
        size_t w = nodes[L->in[j]].width;
        if (dx)
            for (size_t i = 0; i < B; i++)
                for (size_t k = 0; k < w; k++)
                    dx[i * w + k] += dy[i * W + off + k];
        off += w;
    }
}

static int concat_describe(const tn_layer *L, cJSON *obj)
{
    (void)L, (void)obj;
    return TN_OK;
}

static void concat_summary(const tn_layer *L, char *buf, size_t n)
{
    snprintf(buf, n, "%d inputs", L->n_in);
}

const tn_layer_ops tn__concat_ops = {
    .type = "concat",
    .keys = concat_keys,
    .min_inputs = 2,
    .max_inputs = CONCAT_MAX_INPUTS,
    .configure = concat_configure,
    .init_params = NULL,
    .forward = concat_forward,
    .backward = concat_backward,
    .describe = concat_describe,
    .summary = concat_summary,
    .activation = NULL,
    .destroy = NULL,
};
