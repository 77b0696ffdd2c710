/* sgd: plain, with momentum, or Nesterov momentum (torch.optim.SGD, dampening 0).
 *
 * The update loops run over restrict pointers with every constant hoisted and every
 * loop-invariant choice made outside the loop, so GCC vectorizes them. The arithmetic,
 * its order and its float precision are the same as the plain per-element form (no FMA:
 * -ffp-contract=off), so the results keep their bits. */
#include "optim/optim.h"

#include "core/simd.h"

enum { SGD_MOMENTUM, SGD_NESTEROV };

static int sgd_check(tn_jr *r, const tn_optim_cfg *c)
{
    if (c->p[SGD_NESTEROV] != 0 && c->p[SGD_MOMENTUM] == 0)
        return tn__jr_fail(r, "nesterov", "nesterov needs a momentum above 0");
    return TN_OK;
}

static int sgd_n_state(const tn_optim_cfg *c) { return c->p[SGD_MOMENTUM] > 0; }

TN__CLONES static void sgd_step(tn_optim *o, float *restrict P, const float *restrict G)
{
    const tn_optim_cfg *c = &o->cfg;
    const float lr = (float)c->lr, mu = (float)c->p[SGD_MOMENTUM], wd = (float)c->weight_decay;
    const int nesterov = c->p[SGD_NESTEROV] != 0;
    const size_t n = o->n;
    float *restrict m = o->state[0]; /* momentum buffer, or NULL */
    if (!m) {
        for (size_t i = 0; i < n; i++) {
            float g = G[i] + wd * P[i];
            P[i] -= lr * g;
        }
    } else if (o->t == 1) { /* PyTorch: the first step sets the buffer to g. */
        for (size_t i = 0; i < n; i++) {
            float g = G[i] + wd * P[i];
            m[i] = g;
            P[i] -= lr * (nesterov ? g + mu * g : g);
        }
    } else if (nesterov) {
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

const tn_optim_ops tn__optim_sgd = {
    .name = "sgd",
    .doc = "stochastic gradient descent (torch.optim.SGD), with optional momentum",
    .lr = 0.01,
    .n_params = 2,
    .params = {{"momentum", TN_PARAM_CLOSED, 0, 0, 0.999999, "the momentum factor; 0: none"},
               {"nesterov", TN_PARAM_BOOL, 0, 0, 1, "Nesterov momentum (needs momentum > 0)"}},
    .check = sgd_check,
    .n_state = sgd_n_state,
    .step = sgd_step,
};
