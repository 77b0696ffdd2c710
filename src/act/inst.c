#include "act/inst.h"

#include "core/pool.h"
#include "core/registry.h"

#include <float.h>
#include <stdio.h>
#include <string.h>

const char *tn_activation_suggest(const char *name)
{
    const char *names[160];
    size_t n = tn_activation_count();
    if (n > 159)
        n = 159;
    for (size_t i = 0; i < n; i++)
        names[i] = tn_activation_at(i)->name;
    names[n] = NULL;
    return tn__jr_suggest(name, names);
}

static int unknown_activation(tn_jr *r, const char *key, const char *name)
{
    const char *hint = tn_activation_suggest(name);
    if (hint)
        return tn__jr_fail(r, key, "unknown activation \"%s\" (did you mean \"%s\"?)", name, hint);
    return tn__jr_fail(r, key, "unknown activation \"%s\" (`tinynet activations` lists them)",
                       name);
}

static int parse_params(tn_jr *r, const cJSON *spec, tn_act_inst *out)
{
    const tn_activation *m = out->m;
    const char *allowed[TN_ACT_MAX_PARAMS + 2] = {"type"};
    for (int i = 0; i < m->n_params; i++)
        allowed[i + 1] = m->params[i].name;
    allowed[m->n_params + 1] = NULL;
    int rc = tn__jr_check_keys(r, spec, allowed);
    for (int i = 0; rc == TN_OK && i < m->n_params; i++) {
        const tn_act_param *p = &m->params[i];
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(spec, p->name);
        char got[64];
        double v = p->def;
        if (p->kind == TN_ACT_PARAM_BOOL) {
            /* true/false, or the 0/1 that model headers written as numbers hold */
            if (cJSON_IsBool(item))
                v = cJSON_IsTrue(item);
            else if (item && !(cJSON_IsNumber(item) &&
                               (item->valuedouble == 0 || item->valuedouble == 1)))
                rc = tn__jr_fail(r, p->name, "expected true or false, got %s",
                                 tn__jr_describe(item, got, sizeof got));
            else if (item)
                v = item->valuedouble;
        } else if (item && (rc = tn__jr_num(r, spec, p->name, 0, p->def, -FLT_MAX, FLT_MAX,
                                            &v)) == TN_OK &&
                   !((float)v >= p->min && (float)v <= p->max)) {
            /* Compared as the float it becomes: a documented 0.001 is the float 0.001f. */
            rc = tn__jr_fail(r, p->name, "expected a number in [%g, %g], got %s",
                             (double)p->min, (double)p->max,
                             tn__jr_describe(item, got, sizeof got));
        }
        out->hyper[i] = (float)v;
    }
    const char *why = rc == TN_OK && m->check ? m->check(out->hyper) : NULL;
    if (why)
        rc = tn__jr_fail(r, NULL, "%s", why);
    return rc;
}

int tn__act_inst_parse(tn_jr *r, const cJSON *obj, const char *key, const char *def,
                       size_t cols, tn_act_inst *out)
{
    memset(out, 0, sizeof *out);
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, key);
    const char *name = def;
    int rc = TN_OK;
    if (cJSON_IsString(spec)) {
        name = spec->valuestring;
    } else if (cJSON_IsObject(spec)) {
        size_t mark = tn__jr_push_key(r, key);
        rc = tn__jr_str(r, spec, "type", 1, NULL, &name);
        tn__jr_pop(r, mark);
        if (rc)
            return rc;
    } else if (spec) {
        char got[64];
        return tn__jr_fail(r, key, "expected an activation name or object, got %s",
                           tn__jr_describe(spec, got, sizeof got));
    }
    out->m = tn_activation_find(name);
    if (!out->m) {
        if (!cJSON_IsObject(spec))
            return unknown_activation(r, key, name);
        size_t mark = tn__jr_push_key(r, key);
        rc = unknown_activation(r, "type", name);
        tn__jr_pop(r, mark);
        return rc;
    }
    for (int i = 0; i < out->m->n_params; i++)
        out->hyper[i] = out->m->params[i].def;
    if (cJSON_IsObject(spec)) {
        size_t mark = tn__jr_push_key(r, key);
        rc = parse_params(r, spec, out);
        tn__jr_pop(r, mark);
    }
    if (rc == TN_OK && out->m->n_learnable)
        out->n_learn = out->m->n_learnable(out->hyper, cols);
    return rc;
}

#if TN__TRAINING_CODE
int tn__act_inst_describe(const tn_act_inst *a, cJSON *obj, const char *key)
{
    const char *keys[TN_ACT_MAX_PARAMS];
    double values[TN_ACT_MAX_PARAMS];
    for (int i = 0; i < a->m->n_params; i++) {
        keys[i] = a->m->params[i].name;
        values[i] = a->hyper[i];
    }
    return tn__json_add_module(obj, key, a->m->name, a->m->n_params, keys, values);
}
#endif

void tn__act_inst_init(const tn_act_inst *a, float *learn)
{
    if (a->n_learn)
        a->m->init_learnable(a->hyper, learn, a->n_learn);
}

static tn_act_ctx make_ctx(const tn_act_inst *a, const float *learn, int training, tn_rng *rng)
{
    tn_act_ctx c = {a->hyper, a->n_learn ? learn : NULL, a->n_learn, training, rng};
    return c;
}

void tn__act_inst_forward(const tn_act_inst *a, const float *learn, int training, tn_rng *rng,
                          const float *x, float *y, size_t rows, size_t cols)
{
    tn_act_ctx c = make_ctx(a, learn, training, rng);
    a->m->forward(&c, x, y, rows, cols);
}

#if TN__TRAINING_CODE
void tn__act_inst_backward(const tn_act_inst *a, const float *learn, float *dlearn, int training,
                           tn_rng *rng, const float *x, const float *y, const float *dy,
                           float *dx, size_t rows, size_t cols)
{
    tn_act_ctx c = make_ctx(a, learn, training, rng);
    a->m->backward(&c, x, y, dy, dx, a->n_learn ? dlearn : NULL, rows, cols);
}
#endif

int tn__act_splits(const tn_act_inst *a, int training)
{
    return tn__act_builtin(a->m) && a->n_learn == 0 && !(training && (a->m->flags & TN_ACT_RANDOM));
}

size_t tn__act_split_rows(size_t cols)
{
    return cols >= TN__POOL_GRAIN ? 1 : TN__POOL_GRAIN / cols;
}

void tn__act_inst_summary(const tn_act_inst *a, char *buf, size_t n)
{
    size_t used = (size_t)snprintf(buf, n, "%s", a->m->name);
    for (int i = 0; i < a->m->n_params && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s=%g", i ? ", " : "(",
                                 a->m->params[i].name, (double)a->hyper[i]);
    if (a->m->n_params && used < n)
        snprintf(buf + used, n - used, ")");
}
