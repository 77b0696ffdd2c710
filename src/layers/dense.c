/* Dense layer: y = f(x W + b).
 * Parameters: W (in x units), b (units), then the activation's learnable values.
 * Work per sample: z (units, pre-activation) then dz (units). */
#include "act/inst.h"
#include "layers/init.h"
#include "core/alloc.h"
#include "core/blas.h"
#include "graph/graph.h"

#include <stdio.h>
#include <string.h>

typedef struct dense {
    size_t in, units;
    int init;        /* enum tn_init */
    int bias;        /* 0: no bias vector */
    tn_act_inst act;
} dense;

static const char *const dense_keys[] = {"units", "activation", "init", "bias", NULL};

static int dense_configure(tn_layer *L, tn_jr *r, const cJSON *obj, const tn_net *net)
{
    dense *d = tn__calloc(1, sizeof *d);
    if (!d)
        return tn__jr_oom(r, NULL);
    L->state = d;
    d->in = net->nodes[L->in[0]].width;
    long long units;
    int rc = tn__jr_int(r, obj, "units", 1, 0, 1, TN_MAX_WIDTH, &units);
    if (rc)
        return rc;
    d->units = (size_t)units;
    if ((rc = tn__act_inst_parse(r, obj, "activation", "identity", d->units, &d->act)))
        return rc;
    const char *def_init = d->act.m->default_init ? d->act.m->default_init : "glorot_uniform";
    int def_index = tn__init_find(def_init);
    if (def_index < 0) /* a custom module's field: registration cannot see layers' names */
        return tn__jr_fail(r, "activation", "activation \"%s\" asks for default init \"%s\", "
                           "which is not an init name", d->act.m->name, def_init);
    int init_index;
    if ((rc = tn__jr_enum(r, obj, "init", 0, def_index, tn__init_names, &init_index)))
        return rc;
    d->init = tn__init_canonical(init_index);
    if ((rc = tn__jr_bool(r, obj, "bias", 0, 1, &d->bias)))
        return rc;

    size_t nw = d->in * d->units;  /* both <= 2^24, so no overflow in size_t (64-bit) */
    L->width = d->units;
    L->n_params = nw + (d->bias ? d->units : 0) + d->act.n_learn;
    L->work = 2 * d->units;
    L->n_tensors = 0;
    tn_tensor_info *t = L->tensors;
    t[L->n_tensors++] = (tn_tensor_info){"W", d->in, d->units, 0};
    if (d->bias)
        t[L->n_tensors++] = (tn_tensor_info){"b", 1, d->units, nw};
    if (d->act.n_learn)
        t[L->n_tensors++] = (tn_tensor_info){"act", 1, d->act.n_learn, L->n_params - d->act.n_learn};
    return TN_OK;
}

static void dense_init_params(const tn_layer *L, float *p, tn_rng *rng)
{
    const dense *d = L->state;
    tn__init_fill(d->init, p, d->in * d->units, d->in, d->units, rng);
    if (d->bias)
        memset(p + d->in * d->units, 0, d->units * sizeof *p);
    tn__act_inst_init(&d->act, p + L->n_params - d->act.n_learn);
}

static void dense_forward(const tn_layer *L, tn_run *run, size_t B)
{
    const dense *d = L->state;
    const float *x = run->out[L->in[0]];     /* (B, in) */
    const float *W = tn__layer_params(L, run); /* (in, units) */
    float *z = tn__layer_work(L, run); /* (B, units) */
    float *y = run->out[L->node];            /* (B, units) */
    size_t U = d->units;
    if (d->bias) {
        const float *b = W + d->in * U;      /* (units) */
        for (size_t i = 0; i < B; i++)
            memcpy(z + i * U, b, U * sizeof *z);
    }
    tn__sgemm(0, 0, B, U, d->in, 1.0f, x, d->in, W, U, d->bias ? 1.0f : 0.0f, z, U);
    tn__act_inst_forward(&d->act, W + L->n_params - d->act.n_learn, run, z, y, B, U);
}

static void dense_backward(const tn_layer *L, tn_run *run, size_t B)
{
    const dense *d = L->state;
    size_t U = d->units, I = d->in;
    const float *x = run->out[L->in[0]];       /* (B, in) */
    const float *W = tn__layer_params(L, run); /* (in, units) */
    float *dW = tn__layer_grads(L, run);       /* (in, units) */
    float *z = tn__layer_work(L, run); /* (B, units) */
    float *dz = z + run->max_batch * U;        /* (B, units) */
    float *dx = run->dout[L->in[0]];           /* (B, in) or NULL for an input node */
    size_t learn_off = L->n_params - d->act.n_learn;
    if (!(run->fused_output && L->node == run->net->output))
        tn__act_inst_backward(&d->act, W + learn_off, dW + learn_off, run, z, run->out[L->node],
                              run->dout[L->node], dz, B, U);
    tn__sgemm(1, 0, I, U, B, 1.0f, x, I, dz, U, 1.0f, dW, U);      /* dW += x^T dz */
    if (d->bias) {
        float *db = dW + I * U;
        for (size_t i = 0; i < B; i++)
            for (size_t j = 0; j < U; j++)
                db[j] += dz[i * U + j];
    }
    if (dx)
        tn__sgemm(0, 1, B, I, U, 1.0f, dz, U, W, U, 1.0f, dx, I);  /* dx += dz W^T */
}

static int dense_describe(const tn_layer *L, cJSON *obj)
{
    const dense *d = L->state;
    if (!cJSON_AddNumberToObject(obj, "units", (double)d->units) ||
        tn__act_inst_describe(&d->act, obj, "activation") != TN_OK ||
        !cJSON_AddStringToObject(obj, "init", tn__init_names[d->init]) ||
        !cJSON_AddBoolToObject(obj, "bias", d->bias))
        return TN_ENOMEM;
    return TN_OK;
}

static void dense_summary(const tn_layer *L, char *buf, size_t n)
{
    const dense *d = L->state;
    tn__act_inst_summary(&d->act, buf, n);
}

static const tn_act_inst *dense_activation(const tn_layer *L)
{
    return &((const dense *)L->state)->act;
}

static void dense_destroy(tn_layer *L) { tn__free(L->state); }

const tn_layer_ops tn__dense_ops = {
    .type = "dense",
    .keys = dense_keys,
    .min_inputs = 1,
    .max_inputs = 1,
    .configure = dense_configure,
    .init_params = dense_init_params,
    .forward = dense_forward,
    .backward = dense_backward,
    .describe = dense_describe,
    .summary = dense_summary,
    .activation = dense_activation,
    .destroy = dense_destroy,
};
