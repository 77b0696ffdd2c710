/* adam and adamw (torch.optim.Adam, torch.optim.AdamW): bias-corrected first and second
 * moments; weight decay added to the gradient (adam) or decoupled (adamw).
 *
 * The loops run over restrict pointers with every constant hoisted, so GCC vectorizes them
 * (sqrtf without errno: see CMakeLists.txt); arithmetic and order are those of the plain
 * per-element form, so the results keep their bits. */
#include "optim/optim.h"

#include <math.h>

enum { ADAM_BETA1, ADAM_BETA2, ADAM_EPS };

static int adam_n_state(const tn_optim_cfg *c)
{
    (void)c;
    return 2;
}

static void adam_update(tn_optim *o, float *restrict P, const float *restrict G, int decoupled)
{
    const tn_optim_cfg *c = &o->cfg;
    double beta1 = c->p[ADAM_BETA1], beta2 = c->p[ADAM_BETA2];
    double bc1 = 1.0 - pow(beta1, (double)o->t), bc2 = 1.0 - pow(beta2, (double)o->t);
    const float b1 = (float)beta1, b2 = (float)beta2, eps = (float)c->p[ADAM_EPS];
    const float c1 = 1.0f - b1, c2 = 1.0f - b2;
    const float step = (float)(c->lr / bc1), inv_sqrt_bc2 = (float)(1.0 / sqrt(bc2));
    const float wd = (float)c->weight_decay, shrink = (float)(1.0 - c->lr * c->weight_decay);
    const size_t n = o->n;
    float *restrict m = o->state[0], *restrict v = o->state[1]; /* first and second moments */
    if (decoupled) {
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

static void adam_step(tn_optim *o, float *P, const float *G) { adam_update(o, P, G, 0); }
static void adamw_step(tn_optim *o, float *P, const float *G) { adam_update(o, P, G, 1); }

#define ADAM_PARAMS                                                                        \
    .n_params = 3,                                                                         \
    .params = {{"beta1", TN_PARAM_CLOSED, 0.9, 0, 0.999999,                                \
                "the decay of the running mean of the gradients"},                         \
               {"beta2", TN_PARAM_CLOSED, 0.999, 0, 0.999999999,                           \
                "the decay of the running mean of the squared gradients"},                 \
               {"eps", TN_PARAM_OPEN_LO, 1e-8, 0, 1, "added to the RMS before dividing"}}, \
    .n_state = adam_n_state

const tn_optim_ops tn__optim_adam = {
    .name = "adam",
    .doc = "Adam (torch.optim.Adam): bias-corrected running moments of the gradients",
    .lr = 0.001,
    ADAM_PARAMS,
    .step = adam_step,
};

const tn_optim_ops tn__optim_adamw = {
    .name = "adamw",
    .doc = "AdamW (torch.optim.AdamW): Adam with decoupled weight decay",
    .lr = 0.001,
    .weight_decay = 0.01,
    ADAM_PARAMS,
    .step = adamw_step,
};
