/* adam and adamw (torch.optim.Adam, torch.optim.AdamW): bias-corrected first and second
 * moments; weight decay added to the gradient (adam) or decoupled (adamw).
 *
 * The loops run over restrict pointers with every constant hoisted, so GCC vectorizes them
 * (sqrtf without errno: see CMakeLists.txt); arithmetic and order are those of the plain
 * per-element form, so the results keep their bits.
 *
 * "lazy": true updates the rows of embedding tables only where the batch has ids (the
 * trainer lists them in o->tables). Dense Adam would also move every other row that was
 * ever used (its decaying moments keep stepping it); lazy Adam does not, which is why it is
 * an explicit choice and not the default. Rows never used have zero moments and gradient,
 * where dense Adam leaves them unchanged too. */
#include "optim/optim.h"

#include "core/pool.h"
#include "core/simd.h"

#include <math.h>

enum { ADAM_BETA1, ADAM_BETA2, ADAM_EPS, ADAM_LAZY };

static int adam_n_state(const tn_optim_cfg *c)
{
    (void)c;
    return 2;
}

static int adam_lazy_rows(const tn_optim_cfg *c) { return c->p[ADAM_LAZY] != 0; }

/* The step's constants, computed once per step. */
typedef struct adam_k {
    float b1, b2, c1, c2, eps, step, inv_sqrt_bc2, wd, shrink;
} adam_k;

static adam_k adam_constants(const tn_optim *o)
{
    const tn_optim_cfg *c = &o->cfg;
    double beta1 = c->p[ADAM_BETA1], beta2 = c->p[ADAM_BETA2];
    double bc1 = 1.0 - pow(beta1, (double)o->t), bc2 = 1.0 - pow(beta2, (double)o->t);
    adam_k k;
    k.b1 = (float)beta1, k.b2 = (float)beta2, k.eps = (float)c->p[ADAM_EPS];
    k.c1 = 1.0f - k.b1, k.c2 = 1.0f - k.b2;
    k.step = (float)(c->lr / bc1), k.inv_sqrt_bc2 = (float)(1.0 / sqrt(bc2));
    k.wd = (float)c->weight_decay, k.shrink = (float)(1.0 - c->lr * c->weight_decay);
    return k;
}

/* Elements [0, n) of P, G and the moments m, v. Each element's arithmetic depends on that
 * element only, so a step split into ranges has the bits of one loop over all. */
TN__CLONES static void adam_range(const adam_k *k, float *restrict P, const float *restrict G,
                                  float *restrict m, float *restrict v, size_t n, int decoupled)
{
    const float b1 = k->b1, b2 = k->b2, c1 = k->c1, c2 = k->c2, eps = k->eps;
    const float step = k->step, inv_sqrt_bc2 = k->inv_sqrt_bc2, wd = k->wd, shrink = k->shrink;
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

/* Dense: every element. Lazy (PyTorch's SparseAdam, TensorFlow's LazyAdam): in the row-sparse
 * tables only the rows the batch used; their moments and weight decay wait for the next
 * batch that uses them, so results differ from dense Adam once a row is skipped while its
 * moments are non-zero. Elements outside the tables are updated as by dense Adam. */
typedef struct adam_job {
    const adam_k *k;
    float *P, *m, *v;
    const float *G;
    int decoupled;
} adam_job;

static void adam_part(void *arg, size_t lo, size_t hi)
{
    const adam_job *j = arg;
    adam_range(j->k, j->P + lo, j->G + lo, j->m + lo, j->v + lo, hi - lo, j->decoupled);
}

static void adam_update(tn_optim *o, float *P, const float *G, int decoupled)
{
    const adam_k k = adam_constants(o);
    float *m = o->state[0], *v = o->state[1]; /* first and second moments */
    if (!adam_lazy_rows(&o->cfg) || !o->tables) {
        /* Dense: ranges across the training threads (core/pool.h), the same bits. */
        adam_job j = {&k, P, m, v, G, decoupled};
        tn__pool_for(o->n, TN__POOL_GRAIN, 16, adam_part, &j);
        return;
    }
    size_t at = 0; /* the next element not yet updated or skipped */
    for (int t = 0; t < o->n_tables; t++) {
        const tn_optim_rows *T = &o->tables[t];
        adam_range(&k, P + at, G + at, m + at, v + at, T->offset - at, decoupled);
        for (size_t r = 0; r < T->n_touched; r++) {
            size_t e = T->offset + (size_t)T->rows[r] * T->dim;
            adam_range(&k, P + e, G + e, m + e, v + e, T->dim, decoupled);
        }
        at = T->offset + T->n_rows * T->dim;
    }
    adam_range(&k, P + at, G + at, m + at, v + at, o->n - at, decoupled);
}

static void adam_step(tn_optim *o, float *P, const float *G) { adam_update(o, P, G, 0); }
static void adamw_step(tn_optim *o, float *P, const float *G) { adam_update(o, P, G, 1); }

#define ADAM_PARAMS                                                                        \
    .n_params = 4,                                                                         \
    .params = {{"beta1", TN_PARAM_CLOSED, 0.9, 0, 0.999999,                                \
                "the decay of the running mean of the gradients"},                         \
               {"beta2", TN_PARAM_CLOSED, 0.999, 0, 0.999999999,                           \
                "the decay of the running mean of the squared gradients"},                 \
               {"eps", TN_PARAM_OPEN_LO, 1e-8, 0, 1, "added to the RMS before dividing"},     \
               {"lazy", TN_PARAM_BOOL, 0, 0, 1,                                            \
                "update only the embedding rows a batch uses (PyTorch's SparseAdam): "     \
                "faster with large vocabularies; other results than dense Adam"}},         \
    .n_state = adam_n_state,                                                               \
    .lazy_rows = adam_lazy_rows

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
