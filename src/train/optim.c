#include "train/optim.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>

const char *const tn__optim_names[] = {"sgd", "adam", "adamw", NULL};

void tn__optim_defaults(tn_optim_cfg *c, int kind)
{
    *c = (tn_optim_cfg){.kind = kind, .lr = kind == TN_OPTIM_SGD ? 0.01 : 0.001,
                        .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8,
                        .weight_decay = kind == TN_OPTIM_ADAMW ? 0.01 : 0.0};
}

int tn__optim_new(const tn_optim_cfg *c, size_t n, tn_optim **out, tn_error *err)
{
    *out = NULL;
    tn_optim *o = tn__calloc(1, sizeof *o);
    if (!o)
        return tn__err(err, TN_ENOMEM, "out of memory");
    o->cfg = *c;
    o->n = n;
    int need_m = c->kind != TN_OPTIM_SGD || c->momentum > 0, need_v = c->kind != TN_OPTIM_SGD;
    if ((need_m && !(o->m = tn__floats_alloc(n))) || (need_v && !(o->v = tn__floats_alloc(n)))) {
        tn__optim_free(o);
        return tn__err(err, TN_ENOMEM, "out of memory for the optimizer state");
    }
    *out = o;
    return TN_OK;
}

void tn__optim_free(tn_optim *o)
{
    if (!o)
        return;
    tn__floats_free(o->m);
    tn__floats_free(o->v);
    tn__free(o);
}

static void clip(float *G, size_t n, double max_norm)
{
    double sq = 0;
    for (size_t i = 0; i < n; i++)
        sq += (double)G[i] * G[i];
    double norm = sqrt(sq);
    if (norm > max_norm) {
        float s = (float)(max_norm / (norm + 1e-6));
        for (size_t i = 0; i < n; i++)
            G[i] *= s;
    }
}

/* The update loops run over restrict pointers with every constant hoisted and every
 * loop-invariant choice made outside the loop, so GCC vectorizes them. The arithmetic,
 * its order and its float precision are the same as the plain per-element form (no FMA:
 * -ffp-contract=off), so the results keep their bits. */
static void sgd_step(tn_optim *o, float *restrict P, const float *restrict G)
{
    const tn_optim_cfg *c = &o->cfg;
    const float lr = (float)c->lr, mu = (float)c->momentum, wd = (float)c->weight_decay;
    const size_t n = o->n;
    float *restrict m = o->m; /* momentum buffer, or NULL */
    if (!m) {
        for (size_t i = 0; i < n; i++) {
            float g = G[i] + wd * P[i];
            P[i] -= lr * g;
        }
    } else if (o->t == 1) { /* PyTorch: the first step sets the buffer to g. */
        for (size_t i = 0; i < n; i++) {
            float g = G[i] + wd * P[i];
            m[i] = g;
            P[i] -= lr * (c->nesterov ? g + mu * g : g);
        }
    } else if (c->nesterov) {
        for (size_t i = 0; i < n; i++) {
            float g = G[i] + wd * P[i];
            float v = mu * m[i] + g;
            m[i] = v;
            P[i] -= lr * (g + mu * v);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            float g = G[i] + wd * P[i];
            float v = mu * m[i] + g;
            m[i] = v;
            P[i] -= lr * v;
        }
    }
}

static void adam_step(tn_optim *o, float *restrict P, const float *restrict G)
{
    const tn_optim_cfg *c = &o->cfg;
    double bc1 = 1.0 - pow(c->beta1, (double)o->t), bc2 = 1.0 - pow(c->beta2, (double)o->t);
    const float b1 = (float)c->beta1, b2 = (float)c->beta2, eps = (float)c->eps;
    const float c1 = 1.0f - b1, c2 = 1.0f - b2;
    const float step = (float)(c->lr / bc1), inv_sqrt_bc2 = (float)(1.0 / sqrt(bc2));
    const float wd = (float)c->weight_decay, shrink = (float)(1.0 - c->lr * c->weight_decay);
    const size_t n = o->n;
    float *restrict m = o->m, *restrict v = o->v; /* first and second moments */
    if (c->kind == TN_OPTIM_ADAMW) {              /* decoupled weight decay */
        for (size_t i = 0; i < n; i++) {
            float g = G[i];
            float p = P[i] * shrink;
            float mi = b1 * m[i] + c1 * g, vi = b2 * v[i] + c2 * g * g;
            m[i] = mi;
            v[i] = vi;
            P[i] = p - step * mi / (sqrtf(vi) * inv_sqrt_bc2 + eps);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            float g = G[i] + wd * P[i];
            float mi = b1 * m[i] + c1 * g, vi = b2 * v[i] + c2 * g * g;
            m[i] = mi;
            v[i] = vi;
            P[i] -= step * mi / (sqrtf(vi) * inv_sqrt_bc2 + eps);
        }
    }
}

void tn__optim_step(tn_optim *o, float *P, float *G)
{
    o->t++;
    if (o->cfg.clip_norm > 0)
        clip(G, o->n, o->cfg.clip_norm);
    if (o->cfg.kind == TN_OPTIM_SGD)
        sgd_step(o, P, G);
    else
        adam_step(o, P, G);
}
