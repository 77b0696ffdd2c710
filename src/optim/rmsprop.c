/* rmsprop (torch.optim.RMSprop): divides the gradient by a running root mean square of
 * its recent magnitudes; optionally centered (by the running mean gradient) and with
 * momentum:
 *   g = G + wd P;  v = alpha v + (1 - alpha) g^2;  [centered: a = alpha a + (1 - alpha) g]
 *   d = sqrt(v [- a^2]) + eps;  momentum: b = mu b + g / d, P -= lr b;  else P -= lr g / d */
#include "optim/optim.h"

#include "core/simd.h"

#include <math.h>

enum { RMS_ALPHA, RMS_EPS, RMS_MOMENTUM, RMS_CENTERED };

/* State blocks: square average, then the mean gradient (centered), then momentum. */
static int rmsprop_n_state(const tn_optim_cfg *c)
{
    return 1 + (c->p[RMS_CENTERED] != 0) + (c->p[RMS_MOMENTUM] > 0);
}

TN__CLONES static void rmsprop_step(tn_optim *o, float *restrict P, const float *restrict G)
{
    const tn_optim_cfg *c = &o->cfg;
    const float lr = (float)c->lr, wd = (float)c->weight_decay, eps = (float)c->p[RMS_EPS];
    /* 1 - alpha in double, then rounded (as torch does): 1.0f - (float)alpha loses the
     * digits of alpha that float cannot hold, and is 0 for alpha above 1 - 3e-8. */
    const float a = (float)c->p[RMS_ALPHA], a1 = (float)(1.0 - c->p[RMS_ALPHA]);
    const float mu = (float)c->p[RMS_MOMENTUM];
    const int centered = c->p[RMS_CENTERED] != 0;
    const size_t n = o->n;
    float *restrict v = o->state[0];
    float *restrict gavg = centered ? o->state[1] : NULL;
    float *restrict buf = mu > 0 ? o->state[1 + centered] : NULL;
    if (!gavg && !buf) { /* the usual form: one vectorizable loop */
        for (size_t i = 0; i < n; i++) {
            float g = G[i] + wd * P[i];
            float vi = a * v[i] + a1 * g * g;
            v[i] = vi;
            P[i] -= lr * g / (sqrtf(vi) + eps);
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        float g = G[i] + wd * P[i];
        float vi = a * v[i] + a1 * g * g;
        v[i] = vi;
        float sq = vi;
        if (gavg) {
            float m = a * gavg[i] + a1 * g;
            gavg[i] = m;
            sq = vi - m * m;
        }
        float d = sqrtf(sq) + eps;
        if (buf) {
            float b = mu * buf[i] + g / d;
            buf[i] = b;
            P[i] -= lr * b;
        } else {
            P[i] -= lr * g / d;
        }
    }
}

const tn_optim_ops tn__optim_rmsprop = {
    .name = "rmsprop",
    .doc = "RMSprop (torch.optim.RMSprop): steps scaled by a running RMS of the gradients",
    .lr = 0.01,
    .n_params = 4,
    .params = {{"alpha", TN_PARAM_CLOSED, 0.99, 0, 0.999999999,
                "the decay of the running mean of squared gradients"},
               {"eps", TN_PARAM_OPEN_LO, 1e-8, 0, 1, "added to the RMS before dividing"},
               {"momentum", TN_PARAM_CLOSED, 0, 0, 0.999999, "momentum of the scaled steps"},
               {"centered", TN_PARAM_BOOL, 0, 0, 1,
                "divide by the centred RMS (the gradients' variance estimate)"}},
    .n_state = rmsprop_n_state,
    .step = rmsprop_step,
};
