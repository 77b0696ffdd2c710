/* Dense layer: z = x W + b, and the graph applies the activation: y = f(z).
 * Parameters: W (in x units), b (units), then the activation's learnable values. */
#include "layers/init.h"
#include "layers/layer.h"
#include "core/registry.h"
#include "core/alloc.h"
#include "core/copy.h"
#include "core/blas.h"
#include "core/pool.h"

#include <stdio.h>
#include <string.h>

typedef struct dense {
    size_t in, units;
    int init;        /* enum tn_init */
    int bias;        /* 0: no bias vector */
    tn_act_inst act;
} dense;

static const char *const dense_keys[] = {"units", "activation", "init", "bias", NULL};
static const tn__keydoc dense_docs[] = {
    {"units", "output features, a positive integer (required)"},
    {"activation", "applied to x W + b: a name, or {\"type\": NAME, parameters...}; default none "
                  "(the identity)"},
    {"init", "weight init: glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform, "
            "lecun_normal or zeros (xavier_* and kaiming_* are aliases); default: he_uniform for "
            "the relu family, lecun_normal for selu, glorot_uniform otherwise"},
    {"bias", "whether the layer adds a learnable bias b (default true)"},
    {NULL, NULL}};

static int dense_configure(tn_layer *L, tn_jr *r, const cJSON *obj, const tn_node *const *in)
{
    dense *d = tn__calloc(1, sizeof *d);
    if (!d)
        return tn__jr_oom(r, NULL);
    L->state = d;
    d->in = in[0]->width;
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
    L->work = 0;
    L->act = &d->act;
    L->act_off = L->n_params - d->act.n_learn;
    L->n_tensors = 0;
    tn_tensor_info *t = L->tensors;
    t[L->n_tensors++] = (tn_tensor_info){"W", d->in, d->units, 0};
    if (d->bias)
        t[L->n_tensors++] = (tn_tensor_info){"b", 1, d->units, nw};
    if (d->act.n_learn)
        t[L->n_tensors++] = (tn_tensor_info){"act", 1, d->act.n_learn, L->act_off};
    return TN_OK;
}

static void dense_init_params(const tn_layer *L, float *p, tn_rng *rng)
{
    const dense *d = L->state;
    tn__init_fill(d->init, p, d->in * d->units, d->in, d->units, rng);
    if (d->bias)
        memset(p + d->in * d->units, 0, d->units * sizeof *p);
    tn__act_inst_init(&d->act, p + L->act_off);
}

typedef struct bias_job {
    float *z;
    const float *b, *dz;
    float *db;
    size_t U, B;
} bias_job;

static void bias_rows(void *arg, size_t lo, size_t hi)
{
    const bias_job *j = arg;
    for (size_t i = lo; i < hi; i++)
        tn__copy_floats(j->z + i * j->U, j->b, j->U);
}

static void dense_forward(const tn_layer *L, const tn_layer_io *io, size_t B)
{
    const dense *d = L->state;
    const float *x = io->x[0];  /* (B, in) */
    const float *W = io->P;     /* (in, units) */
    float *z = io->y;           /* (B, units) */
    size_t U = d->units;
    if (d->bias) {
        bias_job j = {z, W + d->in * U, NULL, NULL, U, B}; /* b: (units) */
        tn__pool_for(B, TN__POOL_GRAIN / U + 1, 1, bias_rows, &j);
    }
    tn__sgemm(0, 0, B, U, d->in, 1.0f, x, d->in, W, U, d->bias ? 1.0f : 0.0f, z, U);
}

#if TN__TRAINING_CODE
static void bias_grad_cols(void *arg, size_t lo, size_t hi)
{
    const bias_job *j = arg;
    for (size_t i = 0; i < j->B; i++)
        for (size_t c = lo; c < hi; c++)
            j->db[c] += j->dz[i * j->U + c];
}

static void dense_backward(const tn_layer *L, const tn_layer_io *io, size_t B)
{
    const dense *d = L->state;
    size_t U = d->units, I = d->in;
    const float *x = io->x[0];  /* (B, in) */
    const float *W = io->P;     /* (in, units) */
    float *dW = io->G;          /* (in, units) */
    const float *dz = io->dy;   /* (B, units) */
    float *dx = io->dx[0];      /* (B, in) or NULL for an input node */
    tn__sgemm(1, 0, I, U, B, 1.0f, x, I, dz, U, 1.0f, dW, U);      /* dW += x^T dz */
    if (d->bias) { /* by columns: each column's sum over the rows keeps its order */
        bias_job j = {NULL, NULL, dz, dW + I * U, U, B};
        tn__pool_for(U, TN__POOL_GRAIN / B + 1, 16, bias_grad_cols, &j);
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
#endif

static void dense_summary(const tn_layer *L, char *buf, size_t n)
{
    const dense *d = L->state;
    tn__act_inst_summary(&d->act, buf, n);
}

static void dense_destroy(tn_layer *L) { tn__free(L->state); }

const tn_layer_ops tn__dense_ops = {
    .type = "dense",
    .keys = dense_keys,
    .doc = "a fully connected layer: y = f(x W + b)",
    .key_docs = dense_docs,
    .min_inputs = 1,
    .max_inputs = 1,
    .configure = dense_configure,
    .init_params = dense_init_params,
    .forward = dense_forward,
    .backward = TN__TRAINING(dense_backward),
    .describe = TN__TRAINING(dense_describe),
    .summary = dense_summary,
    .destroy = dense_destroy,
};
