/* What every optimizer shares: reading it from JSON, its state, gradient clipping. */
#include "optim/optim.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <string.h>

const tn__keydoc tn__optim_common_docs[] = {
    {"lr", "the learning rate (step size), in (0, 10]"},
    {"weight_decay", "L2 penalty added to the gradient (decoupled from it in adamw), in [0, 1]"},
    {"clip_norm", "clip the global gradient norm to this before the step; 0: no clipping, "
                  "in [0, 1e6] (default 0)"},
    {NULL, NULL}};

void tn__optim_defaults(tn_optim_cfg *c, const tn_optim_ops *ops)
{
    memset(c, 0, sizeof *c);
    c->ops = ops;
    c->lr = ops->lr;
    c->weight_decay = ops->weight_decay;
    for (int i = 0; i < ops->n_params; i++)
        c->p[i] = ops->params[i].def;
}

static int parse_param(tn_jr *r, const cJSON *obj, const tn_optim_param *p, double *v)
{
    int b, rc;
    switch (p->kind) {
    case TN_PARAM_OPEN_LO:
        return tn__jr_num_open_lo(r, obj, p->name, 0, p->def, p->lo, p->hi, v);
    case TN_PARAM_BOOL:
        rc = tn__jr_bool(r, obj, p->name, 0, p->def != 0, &b);
        *v = b;
        return rc;
    default:
        return tn__jr_num(r, obj, p->name, 0, p->def, p->lo, p->hi, v);
    }
}

/* names: the registered optimizers, for the enum reader. */
static int optim_parse(tn_jr *r, const cJSON *root, const char *key, const char *const *names,
                       tn_optim_cfg *o)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    int kind, rc;
    if (!v || cJSON_IsString(v)) {
        int adam = 0;
        while (names[adam] && strcmp(names[adam], "adam") != 0)
            adam++;
        if ((rc = tn__jr_enum(r, root, key, 0, adam, names, &kind)))
            return rc;
        tn__optim_defaults(o, tn__optim_ops_at((size_t)kind));
        return TN_OK;
    }
    const cJSON *obj;
    if ((rc = tn__jr_object(r, root, key, 1, &obj)))
        return rc;
    size_t mark = tn__jr_push_key(r, key);
    if ((rc = tn__jr_enum(r, obj, "type", 1, 0, names, &kind)) == TN_OK) {
        const tn_optim_ops *ops = tn__optim_ops_at((size_t)kind);
        tn__optim_defaults(o, ops);
        /* Allowed keys in the order the documentation lists them. */
        const char *allowed[TN_OPTIM_MAX_PARAMS + 5] = {"type", "lr"};
        int k = 2;
        for (int i = 0; i < ops->n_params; i++)
            allowed[k++] = ops->params[i].name;
        allowed[k++] = "weight_decay";
        allowed[k++] = "clip_norm";
        allowed[k] = NULL;
        rc = tn__jr_check_keys(r, obj, allowed);
    }
    if (rc == TN_OK)
        rc = tn__jr_num_open_lo(r, obj, "lr", 0, o->lr, 0, 10, &o->lr);
    if (rc == TN_OK)
        rc = tn__jr_num(r, obj, "weight_decay", 0, o->weight_decay, 0, 1, &o->weight_decay);
    if (rc == TN_OK)
        rc = tn__jr_num(r, obj, "clip_norm", 0, 0, 0, 1e6, &o->clip_norm);
    for (int i = 0; rc == TN_OK && i < o->ops->n_params; i++)
        rc = parse_param(r, obj, &o->ops->params[i], &o->p[i]);
    if (rc == TN_OK && o->ops->check)
        rc = o->ops->check(r, o);
    tn__jr_pop(r, mark);
    return rc;
}

int tn__optim_parse(tn_jr *r, const cJSON *root, const char *key, tn_optim_cfg *o)
{
    const char **names = tn__optim_ops_names();
    if (!names)
        return tn__jr_oom(r, key);
    int rc = optim_parse(r, root, key, names, o);
    tn__free(names);
    return rc;
}

int tn__optim_new(const tn_optim_cfg *c, size_t n, tn_optim **out, tn_error *err)
{
    *out = NULL;
    tn_optim *o = tn__calloc(1, sizeof *o);
    if (!o)
        return tn__err(err, TN_ENOMEM, "out of memory");
    o->cfg = *c;
    o->n = n;
    int blocks = c->ops->n_state ? c->ops->n_state(c) : 0;
    for (int i = 0; i < blocks; i++)
        if (!(o->state[i] = tn__floats_alloc(n))) {
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
    for (int i = 0; i < TN_OPTIM_MAX_STATE; i++)
        tn__floats_free(o->state[i]);
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

int tn__optim_lazy_rows(const tn_optim_cfg *c)
{
    return c->ops->lazy_rows && c->ops->lazy_rows(c);
}

void tn__optim_step(tn_optim *o, float *P, float *G)
{
    o->t++;
    if (o->cfg.clip_norm > 0)
        clip(G, o->n, o->cfg.clip_norm);
    o->cfg.ops->step(o, P, G);
}
