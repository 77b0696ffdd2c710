#include "net/optim.h"

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

static void sgd_step(tn_optim *o, float *P, const float *G)
{
    const tn_optim_cfg *c = &o->cfg;
    float lr = (float)c->lr, mu = (float)c->momentum, wd = (float)c->weight_decay;
    for (size_t i = 0; i < o->n; i++) {
        float g = G[i] + wd * P[i];
        if (o->m) {
            /* PyTorch: the first step sets the buffer to g. */
            float v = o->t == 1 ? g : mu * o->m[i] + g;
            o->m[i] = v;
            g = c->nesterov ? g + mu * v : v;
        }
        P[i] -= lr * g;
    }
}

static void adam_step(tn_optim *o, float *P, const float *G)
{
    const tn_optim_cfg *c = &o->cfg;
    double bc1 = 1.0 - pow(c->beta1, (double)o->t), bc2 = 1.0 - pow(c->beta2, (double)o->t);
    float b1 = (float)c->beta1, b2 = (float)c->beta2, eps = (float)c->eps;
    float step = (float)(c->lr / bc1), inv_sqrt_bc2 = (float)(1.0 / sqrt(bc2));
    int decoupled = c->kind == TN_OPTIM_ADAMW;
    float wd = (float)c->weight_decay, shrink = (float)(1.0 - c->lr * c->weight_decay);
    for (size_t i = 0; i < o->n; i++) {
        float g = decoupled ? G[i] : G[i] + wd * P[i];
        if (decoupled)
            P[i] *= shrink;
        o->m[i] = b1 * o->m[i] + (1.0f - b1) * g;
        o->v[i] = b2 * o->v[i] + (1.0f - b2) * g * g;
        P[i] -= step * o->m[i] / (sqrtf(o->v[i]) * inv_sqrt_bc2 + eps);
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
