#include "inspect/stats.h"

#include "act/inst.h"
#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <string.h>

static size_t max_width(const tn_net *net)
{
    size_t w = 1;
    for (int i = 0; i < net->n_layers; i++)
        w = net->layers[i].width > w ? net->layers[i].width : w;
    return w;
}

/* Dead units are defined per unit: not for row-wise activations (softmax). */
static int per_unit(const tn_layer *L)
{
    return L->act && !(L->act->m->flags & TN_ACT_ROWWISE);
}

int tn__layer_stats(const tn_net *net, const tn_dataset *d, const tn_scaling *scale,
                    size_t bs, tn_layer_stats *out, tn_error *err)
{
    int rc = tn__dataset_check(net, d, err);
    tn_run *run = NULL;
    if (rc || (rc = tn__run_new(net, bs, 0, 0, &run, err)))
        return rc;
    size_t W = max_width(net), nl = (size_t)net->n_layers;
    float *ones = tn__floats_alloc(bs * W), *dx = tn__floats_alloc(bs * W);
    float *dlearn = tn__floats_alloc(W + 1);
    double *s1 = tn__calloc(nl, sizeof *s1), *s2 = tn__calloc(nl, sizeof *s2);
    unsigned char **alive = tn__calloc(nl, sizeof *alive);
    if (!ones || !dx || !dlearn || !s1 || !s2 || !alive)
        rc = tn__err(err, TN_ENOMEM, "out of memory");
    for (size_t l = 0; rc == TN_OK && l < nl; l++)
        if (!(alive[l] = tn__calloc(net->layers[l].width, 1)))
            rc = tn__err(err, TN_ENOMEM, "out of memory");
    for (size_t i = 0; rc == TN_OK && i < bs * W; i++)
        ones[i] = 1.0f;
    for (size_t first = 0; rc == TN_OK && first < d->rows; first += bs) {
        size_t B = d->rows - first < bs ? d->rows - first : bs;
        for (int k = 0; k < d->n_inputs; k++)
            memcpy(run->out[k], d->x[k] + first * d->width[k], B * d->width[k] * sizeof(float));
        if (scale && scale->kind != TN_SCALING_NONE && !d->scaled)
            tn__scaling_apply_rows(scale, run->out[scale->input], B, d->width[scale->input]);
        tn__run_forward(run, B);
        for (size_t l = 0; l < nl; l++) {
            const tn_layer *L = &net->layers[l];
            const float *y = run->out[L->node]; /* (B, width) */
            for (size_t i = 0; i < B * L->width; i++) {
                s1[l] += y[i];
                s2[l] += (double)y[i] * y[i];
            }
            if (!per_unit(L))
                continue;
            /* f'(z) with dy = 1: a unit is alive once some row has a non-zero derivative. */
            tn__act_inst_backward(L->act, net->P + tn__layer_act_offset(L), dlearn, 0,
                                  &run->noise, tn__run_pre(run, (int)l), y, ones, dx, B,
                                  L->width);
            for (size_t i = 0; i < B * L->width; i++)
                if (dx[i] != 0.0f)
                    alive[l][i % L->width] = 1;
        }
    }
    for (size_t l = 0; rc == TN_OK && l < nl; l++) {
        const tn_layer *L = &net->layers[l];
        double n = (double)d->rows * (double)L->width;
        out[l].mean = s1[l] / n;
        out[l].var = fmax(s2[l] / n - out[l].mean * out[l].mean, 0.0);
        out[l].dead = NAN;
        if (per_unit(L)) {
            size_t nd = 0;
            for (size_t j = 0; j < L->width; j++)
                nd += !alive[l][j];
            out[l].dead = (double)nd / (double)L->width;
        }
    }
    for (size_t l = 0; alive && l < nl; l++)
        tn__free(alive[l]);
    tn__free(alive);
    tn__free(s1);
    tn__free(s2);
    tn__floats_free(ones);
    tn__floats_free(dx);
    tn__floats_free(dlearn);
    tn__run_free(run);
    return rc;
}

double tn__layer_grad_norm(const tn_run *run, int l)
{
    const tn_layer *L = &run->net->layers[l];
    if (L->n_tensors == 0)
        return NAN;
    const tn_tensor_info *t = &L->tensors[0];
    const float *g = run->G + L->param_off + t->offset;
    double ss = 0;
    for (size_t i = 0; i < t->rows * t->cols; i++)
        ss += (double)g[i] * g[i];
    return sqrt(ss);
}
