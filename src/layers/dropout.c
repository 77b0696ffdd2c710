/* Dropout layer (inverted): in training y = x * m with m = (u >= rate) / (1 - rate),
 * u ~ U[0, 1) from the run's noise stream, so inference needs no rescaling: y = x.
 * No parameters. Work per sample: the mask m (width), kept for backward. */
#include "core/alloc.h"
#include "layers/layer.h"
#include "core/pool.h"
#include "core/registry.h"

#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct dropout {
    double rate;   /* kept as read so describe() writes back the same number */
    float scale;   /* 1 / (1 - rate) */
} dropout;

static const char *const dropout_keys[] = {"rate", NULL};
static const tn__keydoc dropout_docs[] = {
    {"rate", "the probability of zeroing an input, in [0, 1) (required)"},
    {NULL, NULL}};

static int dropout_configure(tn_layer *L, tn_jr *r, const cJSON *obj, const tn_node *const *in)
{
    dropout *d = tn__calloc(1, sizeof *d);
    if (!d)
        return tn__jr_oom(r, NULL);
    L->state = d;
    /* jr_num only knows closed ranges; read any number and say the half-open one. */
    int rc = tn__jr_num(r, obj, "rate", 1, 0.0, -DBL_MAX, DBL_MAX, &d->rate);
    if (rc)
        return rc;
    if (!(d->rate >= 0.0 && d->rate < 1.0))
        return tn__jr_fail(r, "rate", "expected a number in [0, 1), got %g", d->rate);
    d->scale = (float)(1.0 / (1.0 - d->rate));
    L->width = in[0]->width;
    L->n_params = 0;
    L->work = L->width;
    L->n_tensors = 0;
    return TN_OK;
}

typedef struct mask_job {
    tn_rng noise;        /* the stream at the first element */
    const float *x;
    float *y, *m;
    float rate, scale;
} mask_job;

/* Elements [lo, hi): the draws of tn__rng_uniform, a block at a time (tn__rng_fill_u32),
 * then the mask and the product in loops that vectorize: the same masks as one draw per
 * element. */
static void mask_part(void *arg, size_t lo, size_t hi)
{
    const mask_job *j = arg;
    tn_rng r = j->noise;
    tn__rng_advance(&r, lo);
    float rate = j->rate, scale = j->scale;
    uint32_t u[256];
    for (size_t i0 = lo; i0 < hi; i0 += 256) {
        size_t k = hi - i0 < 256 ? hi - i0 : 256;
        tn__rng_fill_u32(&r, u, k);
        float *restrict mk = j->m + i0;
        for (size_t i = 0; i < k; i++) /* (float)(u >> 8) * 2^-24, as tn__rng_uniform */
            mk[i] = (float)(int32_t)(u[i] >> 8) * (1.0f / 16777216.0f) >= rate ? scale : 0.0f;
    }
    const float *restrict x = j->x + lo;
    const float *restrict m = j->m + lo;
    float *restrict y = j->y + lo;
    for (size_t i = 0; i < hi - lo; i++) /* vectorizes */
        y[i] = x[i] * m[i];
}

static void dropout_forward(const tn_layer *L, const tn_layer_io *io, size_t B)
{
    const dropout *d = L->state;
    size_t n = B * L->width;
    const float *x = io->x[0];           /* (B, width) */
    float *y = io->y;                    /* (B, width) */
    if (!io->training) {
        memcpy(y, x, n * sizeof *y);
        return;
    }
    float *m = io->work;                 /* (B, width) mask: 0 or scale */
    float rate = (float)d->rate, scale = d->scale;
    if (io->noise_skip)                  /* the rows of other processes come first ... */
        tn__rng_advance(io->noise, (uint64_t)io->noise_skip[0] * L->width);
    /* Across the training threads each part jumps a copy of the stream to its first
     * element (tn__rng_advance): the same draws, so the same mask, as one thread. */
    mask_job j = {*io->noise, x, y, m, rate, scale};
    tn__pool_for(n, TN__POOL_GRAIN / 4, 16, mask_part, &j); /* draws: ~0.7 ns an element */
    tn__rng_advance(io->noise, n);
    if (io->noise_skip)                  /* ... and after */
        tn__rng_advance(io->noise, (uint64_t)io->noise_skip[1] * L->width);
}

#if TN__TRAINING_CODE
/* dx += dy * mask over [lo, hi) (x holds dy, y dx). */
static void mask_grad_part(void *arg, size_t lo, size_t hi)
{
    const mask_job *j = arg;
    const float *restrict dy = j->x + lo;
    const float *restrict m = j->m + lo;
    float *restrict dx = j->y + lo;
    for (size_t i = 0; i < hi - lo; i++)
        dx[i] += dy[i] * m[i];
}

static void dropout_backward(const tn_layer *L, const tn_layer_io *io, size_t B)
{
    float *dx = io->dx[0];                  /* (B, width) or NULL for an input node */
    if (!dx)
        return;
    mask_job j = {{0, 0}, io->dy, dx, io->work, 0, 0};
    tn__pool_for(B * L->width, TN__POOL_GRAIN, 16, mask_grad_part, &j);
}

static int dropout_describe(const tn_layer *L, cJSON *obj)
{
    const dropout *d = L->state;
    return cJSON_AddNumberToObject(obj, "rate", d->rate) ? TN_OK : TN_ENOMEM;
}
#endif

static void dropout_summary(const tn_layer *L, char *buf, size_t n)
{
    const dropout *d = L->state;
    snprintf(buf, n, "rate=%g", d->rate);
}

static void dropout_destroy(tn_layer *L) { tn__free(L->state); }

const tn_layer_ops tn__dropout_ops = {
    .type = "dropout",
    .keys = dropout_keys,
    .doc = "zeroes each input with probability rate in training and scales the rest by 1 / (1 - "
           "rate); the identity in inference",
    .key_docs = dropout_docs,
    .min_inputs = 1,
    .max_inputs = 1,
    .flags = TN_LAYER_PASS_THROUGH,
    .configure = dropout_configure,
    .forward = dropout_forward,
    .backward = TN__TRAINING(dropout_backward),
    .describe = TN__TRAINING(dropout_describe),
    .summary = dropout_summary,
    .destroy = dropout_destroy,
};
