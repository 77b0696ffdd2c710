/* Maxout layer (Goodfellow et al. 2013): z = x W + b, y_j = max_k z_{j,k}.
 * Column j * pieces + k of W holds piece k of unit j, so a unit's pieces are adjacent.
 * Parameters: W (in x units*pieces), then b (units*pieces).
 * Work per sample: z (units*pieces), dz (units*pieces), then the winning piece of each
 * unit (units, as floats). Ties go to the first piece. */
#include "layers/init.h"
#include "core/alloc.h"
#include "core/blas.h"
#include "layers/layer.h"
#include "core/registry.h"

#include <stdio.h>
#include <string.h>

#define MAXOUT_MAX_PIECES 64

typedef struct maxout {
    size_t in, units, pieces;
    int init;        /* enum tn_init */
} maxout;

static const char *const maxout_keys[] = {"units", "pieces", "init", NULL};
static const tn__keydoc maxout_docs[] = {
    {"units", "output features, a positive integer (required)"},
    {"pieces", "linear pieces per unit, in [2, 64] (required)"},
    {"init", "weight init: glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform, "
            "lecun_normal or zeros (xavier_* and kaiming_* are aliases) (default glorot_uniform)"},
    {NULL, NULL}};

static int maxout_configure(tn_layer *L, tn_jr *r, const cJSON *obj, const tn_node *const *in)
{
    maxout *m = tn__calloc(1, sizeof *m);
    if (!m)
        return tn__jr_oom(r, NULL);
    L->state = m;
    m->in = in[0]->width;
    long long units, pieces;
    int init_index, rc;
    if ((rc = tn__jr_int(r, obj, "units", 1, 0, 1, TN_MAX_WIDTH, &units)) ||
        (rc = tn__jr_int(r, obj, "pieces", 1, 0, 2, MAXOUT_MAX_PIECES, &pieces)) ||
        (rc = tn__jr_enum(r, obj, "init", 0, TN_INIT_GLOROT_UNIFORM, tn__init_names,
                          &init_index)))
        return rc;
    m->units = (size_t)units;
    m->pieces = (size_t)pieces;
    m->init = tn__init_canonical(init_index);
    size_t K = m->units * m->pieces;
    if (K > TN_MAX_WIDTH)
        return tn__jr_fail(r, NULL, "units * pieces = %zu is more than %u", K,
                           (unsigned)TN_MAX_WIDTH);
    L->width = m->units;
    L->n_params = m->in * K + K; /* in, K <= 2^24: no overflow in a 64-bit size_t */
    L->work = 2 * K + m->units;
    L->n_tensors = 2;
    L->tensors[0] = (tn_tensor_info){"W", m->in, K, 0};
    L->tensors[1] = (tn_tensor_info){"b", 1, K, m->in * K};
    return TN_OK;
}

static void maxout_init_params(const tn_layer *L, float *p, tn_rng *rng)
{
    const maxout *m = L->state;
    size_t K = m->units * m->pieces;
    /* Each piece is a dense in -> units map: scale as a dense layer of that width. */
    tn__init_fill(m->init, p, m->in * K, m->in, m->units, rng);
    memset(p + m->in * K, 0, K * sizeof *p);
}

static void maxout_forward(const tn_layer *L, const tn_layer_io *io, size_t B)
{
    const maxout *m = L->state;
    size_t U = m->units, P = m->pieces, K = U * P;
    const float *x = io->x[0];                 /* (B, in) */
    const float *W = io->P;                    /* (in, K) */
    const float *b = W + m->in * K;            /* (K) */
    float *z = io->work;                       /* (B, K) */
    float *arg = z + 2 * io->max_batch * K;    /* (B, units) winning piece */
    float *y = io->y;                          /* (B, units) */
    for (size_t i = 0; i < B; i++)
        memcpy(z + i * K, b, K * sizeof *z);
    tn__sgemm(0, 0, B, K, m->in, 1.0f, x, m->in, W, K, 1.0f, z, K);
    for (size_t i = 0; i < B * U; i++) {
        const float *zj = z + i * P;          /* row i / U, unit i % U: contiguous pieces */
        size_t best = 0;
        for (size_t k = 1; k < P; k++)
            if (zj[k] > zj[best])
                best = k;
        y[i] = zj[best];
        arg[i] = (float)best;
    }
}

#if TN__TRAINING_CODE
static void maxout_backward(const tn_layer *L, const tn_layer_io *io, size_t B)
{
    const maxout *m = L->state;
    size_t U = m->units, P = m->pieces, K = U * P, I = m->in;
    const float *x = io->x[0];                 /* (B, in) */
    const float *W = io->P;                    /* (in, K) */
    float *dW = io->G;                         /* (in, K) */
    float *db = dW + I * K;                    /* (K) */
    float *z = io->work;
    float *dz = z + io->max_batch * K;         /* (B, K) */
    const float *arg = z + 2 * io->max_batch * K; /* (B, units) */
    const float *dy = io->dy;                  /* (B, units) */
    float *dx = io->dx[0];                     /* (B, in) or NULL for an input node */
    /* Only the winning piece of each unit passes the gradient. */
    memset(dz, 0, B * K * sizeof *dz);
    for (size_t i = 0; i < B * U; i++)
        dz[i * P + (size_t)arg[i]] = dy[i];
    tn__sgemm(1, 0, I, K, B, 1.0f, x, I, dz, K, 1.0f, dW, K);      /* dW += x^T dz */
    for (size_t i = 0; i < B; i++)
        for (size_t j = 0; j < K; j++)
            db[j] += dz[i * K + j];
    if (dx)
        tn__sgemm(0, 1, B, I, K, 1.0f, dz, K, W, K, 1.0f, dx, I);  /* dx += dz W^T */
}

static int maxout_describe(const tn_layer *L, cJSON *obj)
{
    const maxout *m = L->state;
    if (!cJSON_AddNumberToObject(obj, "units", (double)m->units) ||
        !cJSON_AddNumberToObject(obj, "pieces", (double)m->pieces) ||
        !cJSON_AddStringToObject(obj, "init", tn__init_names[m->init]))
        return TN_ENOMEM;
    return TN_OK;
}
#endif

static void maxout_summary(const tn_layer *L, char *buf, size_t n)
{
    const maxout *m = L->state;
    snprintf(buf, n, "%zu pieces", m->pieces);
}

static void maxout_destroy(tn_layer *L) { tn__free(L->state); }

const tn_layer_ops tn__maxout_ops = {
    .type = "maxout",
    .keys = maxout_keys,
    .doc = "maxout (Goodfellow et al. 2013): y_j = max over the pieces k of (x W + b)_jk",
    .key_docs = maxout_docs,
    .min_inputs = 1,
    .max_inputs = 1,
    .configure = maxout_configure,
    .init_params = maxout_init_params,
    .forward = maxout_forward,
    .backward = TN__TRAINING(maxout_backward),
    .describe = TN__TRAINING(maxout_describe),
    .summary = maxout_summary,
    .destroy = maxout_destroy,
};
