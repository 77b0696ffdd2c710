/* Layer normalisation (Ba et al. 2016), as torch.nn.LayerNorm(width) with
 * elementwise_affine: per row, xhat = (x - mean) / sqrt(var + eps) over the features, with
 * the biased variance (divided by width), then y = gain * xhat + bias.
 * Parameters: gain (width, initialised to 1), then bias (width, initialised to 0).
 * Work per sample: xhat (width), then rstd = 1 / sqrt(var + eps) (1), kept for backward.
 * No activation: follow it with a layer that has one. */
#include "core/alloc.h"
#include "layers/layer.h"
#include "core/registry.h"

#include <math.h>
#include <stdio.h>

typedef struct layer_norm {
    double eps;   /* kept as read so describe() writes back the same number */
} layer_norm;

static const char *const layer_norm_keys[] = {"eps", NULL};
static const tn__keydoc layer_norm_docs[] = {
    {"eps", "added to the variance before the square root, in (0, 1] (default 1e-5)"},
    {NULL, NULL}};

static int layer_norm_configure(tn_layer *L, tn_jr *r, const cJSON *obj,
                                const tn_node *const *in)
{
    layer_norm *n = tn__calloc(1, sizeof *n);
    if (!n)
        return tn__jr_oom(r, NULL);
    L->state = n;
    /* eps > 0 keeps a constant row finite; above 1 it would swamp unit-variance rows. */
    int rc = tn__jr_num_open_lo(r, obj, "eps", 0, 1e-5, 0.0, 1.0, &n->eps);
    if (rc)
        return rc;
    size_t W = in[0]->width;
    L->width = W;
    L->n_params = 2 * W;
    L->work = W + 1;  /* W <= 2^24: no overflow */
    L->n_tensors = 2;
    L->tensors[0] = (tn_tensor_info){"gain", 1, W, 0};
    L->tensors[1] = (tn_tensor_info){"bias", 1, W, W};
    return TN_OK;
}

/* The identity transform, as PyTorch starts; deterministic, so no draws from rng. */
static void layer_norm_init_params(const tn_layer *L, float *p, tn_rng *rng)
{
    (void)rng;
    size_t W = L->width;
    for (size_t j = 0; j < W; j++) {
        p[j] = 1.0f;
        p[W + j] = 0.0f;
    }
}

static void layer_norm_forward(const tn_layer *L, const tn_layer_io *io, size_t B)
{
    const layer_norm *n = L->state;
    size_t W = L->width, S = L->work;
    const float *x = io->x[0];            /* (B, W) */
    const float *gain = io->P;            /* (W) */
    const float *bias = gain + W;         /* (W) */
    float *y = io->y;                     /* (B, W) */
    for (size_t i = 0; i < B; i++) {
        const float *xi = x + i * W;      /* (W) */
        float *xhat = io->work + i * S;   /* (W) */
        float *rstd = xhat + W;           /* (1) */
        float *yi = y + i * W;            /* (W) */
        /* Two passes in double: sum(x^2) - n mean^2 would cancel for rows far from 0. */
        double mean = 0.0, var = 0.0;
        for (size_t j = 0; j < W; j++)
            mean += xi[j];
        mean /= (double)W;
        for (size_t j = 0; j < W; j++) {
            double c = xi[j] - mean;
            var += c * c;
        }
        var /= (double)W;
        double rs = 1.0 / sqrt(var + n->eps);
        *rstd = (float)rs;
        for (size_t j = 0; j < W; j++) {
            xhat[j] = (float)((xi[j] - mean) * rs);
            yi[j] = gain[j] * xhat[j] + bias[j];
        }
    }
}

#if TN__TRAINING_CODE
/* With g = dy * gain (dL/dxhat), the mean and variance depending on every feature of the
 * row give dx = rstd * (g - mean(g) - xhat * mean(g * xhat)). */
static void layer_norm_backward(const tn_layer *L, const tn_layer_io *io, size_t B)
{
    size_t W = L->width, S = L->work;
    const float *gain = io->P;            /* (W) */
    float *dgain = io->G;                 /* (W) */
    float *dbias = dgain + W;             /* (W) */
    const float *dy = io->dy;             /* (B, W) */
    float *dx = io->dx[0];                /* (B, W) or NULL for an input node */
    for (size_t i = 0; i < B; i++) {
        const float *dyi = dy + i * W;    /* (W) */
        const float *xhat = io->work + i * S; /* (W) */
        float rstd = xhat[W];             /* (1) */
        double m1 = 0.0, m2 = 0.0;        /* mean(g), mean(g * xhat) */
        for (size_t j = 0; j < W; j++) {
            float g = dyi[j] * gain[j];
            dgain[j] += dyi[j] * xhat[j];
            dbias[j] += dyi[j];
            m1 += g;
            m2 += (double)g * xhat[j];
        }
        if (!dx)
            continue;
        float mg = (float)(m1 / (double)W), mgx = (float)(m2 / (double)W);
        float *dxi = dx + i * W;          /* (W) */
        for (size_t j = 0; j < W; j++)
            dxi[j] += rstd * (dyi[j] * gain[j] - mg - xhat[j] * mgx);
    }
}

static int layer_norm_describe(const tn_layer *L, cJSON *obj)
{
    const layer_norm *n = L->state;
    return cJSON_AddNumberToObject(obj, "eps", n->eps) ? TN_OK : TN_ENOMEM;
}
#endif

static void layer_norm_summary(const tn_layer *L, char *buf, size_t n)
{
    const layer_norm *s = L->state;
    snprintf(buf, n, "eps=%g", s->eps);
}

double tn__layer_norm_eps(const tn_layer *L)
{
    return ((const layer_norm *)L->state)->eps;
}

static void layer_norm_destroy(tn_layer *L) { tn__free(L->state); }

const tn_layer_ops tn__layer_norm_ops = {
    .type = "layer_norm",
    .keys = layer_norm_keys,
    .doc = "layer normalisation (torch.nn.LayerNorm) over each row's features, with a learnable "
           "gain and bias",
    .key_docs = layer_norm_docs,
    .min_inputs = 1,
    .max_inputs = 1,
    .configure = layer_norm_configure,
    .init_params = layer_norm_init_params,
    .forward = layer_norm_forward,
    .backward = TN__TRAINING(layer_norm_backward),
    .describe = TN__TRAINING(layer_norm_describe),
    .summary = layer_norm_summary,
    .destroy = layer_norm_destroy,
};
