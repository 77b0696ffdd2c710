/* What every loss shares: reading it from JSON, the checks against the network and the
 * data, and accuracy and confusion counts for classification losses. */
#include "loss/loss.h"

#include "core/alloc.h"
#include "core/error.h"

#include <stdio.h>
#include <string.h>

static int unknown_loss(tn_jr *r, const char *key, const char *name)
{
    const char **names = tn__loss_ops_names();
    if (!names)
        return tn__jr_oom(r, key);
    const char *hint = tn__jr_suggest(name, names);
    char list[512];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; names[i] && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s\"%s\"", i ? ", " : "",
                                 names[i]);
    tn__free(names); /* hint points into a module, not into names */
    if (hint)
        return tn__jr_fail(r, key, "expected one of %s, got \"%s\" (did you mean \"%s\"?)",
                           list, name, hint);
    return tn__jr_fail(r, key, "expected one of %s, got \"%s\"", list, name);
}

int tn__loss_parse(tn_jr *r, const cJSON *obj, const char *key, tn_loss *out)
{
    memset(out, 0, sizeof *out);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsObject(v)) {
        /* A name: the enum reader gives the usual messages (missing, not a string, ...). */
        const char **names = tn__loss_ops_names();
        if (!names)
            return tn__jr_oom(r, key);
        int index, rc = tn__jr_enum(r, obj, key, 1, 0, names, &index);
        tn__free(names);
        if (rc)
            return rc;
        out->ops = tn__loss_ops_at((size_t)index);
        for (int i = 0; i < out->ops->n_params; i++)
            out->param[i] = out->ops->params[i].def;
        return TN_OK;
    }
    size_t mark = tn__jr_push_key(r, key);
    const char *name;
    int rc = tn__jr_str(r, v, "type", 1, NULL, &name);
    if (rc == TN_OK && !(out->ops = tn__loss_ops_find(name)))
        rc = unknown_loss(r, "type", name);
    if (rc == TN_OK) {
        const char *allowed[TN_LOSS_MAX_PARAMS + 2] = {"type"};
        for (int i = 0; i < out->ops->n_params; i++)
            allowed[i + 1] = out->ops->params[i].name;
        allowed[out->ops->n_params + 1] = NULL;
        rc = tn__jr_check_keys(r, v, allowed);
    }
    for (int i = 0; rc == TN_OK && i < out->ops->n_params; i++) {
        const tn_loss_param *p = &out->ops->params[i];
        rc = tn__jr_num_open_lo(r, v, p->name, 0, p->def, p->lo, p->hi, &out->param[i]);
    }
    tn__jr_pop(r, mark);
    return rc;
}

int tn__loss_from_record(const char *file, const cJSON *v, tn_loss *out, tn_error *err)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddItemReferenceToObject(o, "loss", (cJSON *)v)) {
        cJSON_Delete(o);
        return tn__err(err, TN_ENOMEM, "out of memory");
    }
    tn_jr r;
    tn__jr_init(&r, file, err);
    int rc = tn__loss_parse(&r, o, "loss", out);
    cJSON_Delete(o);
    if (rc == TN_ECONFIG) {
        rc = TN_EFORMAT;
        if (err)
            err->code = rc;
    }
    return rc;
}

int tn__loss_describe(const tn_loss *l, cJSON *obj, const char *key)
{
    const char *keys[TN_LOSS_MAX_PARAMS];
    for (int i = 0; i < l->ops->n_params; i++)
        keys[i] = l->ops->params[i].name;
    return tn__json_add_module(obj, key, l->ops->name, l->ops->n_params, keys, l->param);
}

cJSON *tn__loss_json(const tn_loss *l)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *v = o && tn__loss_describe(l, o, "loss") == TN_OK
                   ? cJSON_DetachItemFromObjectCaseSensitive(o, "loss") : NULL;
    cJSON_Delete(o);
    return v;
}

int tn__loss_fuses(const tn_loss *l, const tn_activation *act)
{
    return act && l->ops->fused_with == act;
}

int tn__loss_check_output(const tn_loss *l, const tn_activation *act, tn_error *err)
{
    return l->ops->check_output ? l->ops->check_output(l, act, err) : TN_OK;
}

int tn__loss_check_targets(const tn_loss *l, size_t out_width, size_t target_width,
                           tn_error *err)
{
    int classes = l->ops->target == TN_TARGET_CLASS;
    if (target_width == out_width || (classes && target_width == 1 && out_width > 1))
        return TN_OK;
    if (classes)
        return tn__err(err, TN_ESHAPE, "%s needs one target column (the class index) or %zu "
                       "(one per class), got %zu", l->ops->name, out_width, target_width);
    return tn__err(err, TN_ESHAPE, "the network has %zu output%s but %zu target column%s",
                   out_width, out_width == 1 ? "" : "s", target_width,
                   target_width == 1 ? "" : "s");
}

tn_target_rule tn__loss_target_rule(const tn_loss *l, size_t out_width)
{
    tn_target_rule rule = {l->ops->target, out_width, l->ops->name};
    return rule;
}

int tn__loss_has_accuracy(const tn_loss *l) { return (l->ops->flags & TN_LOSS_ACCURACY) != 0; }

static size_t argmax(const float *v, size_t n)
{
    size_t best = 0;
    for (size_t k = 1; k < n; k++)
        best = v[k] > v[best] ? k : best;
    return best;
}

void tn__loss_confusion_add(const float *y, size_t W, const float *t, size_t tw, size_t B,
                            size_t *cm)
{
    for (size_t i = 0; i < B; i++) {
        size_t truth = tw == 1 ? (size_t)t[i] : argmax(t + i * tw, tw);
        cm[truth * W + argmax(y + i * W, W)]++;
    }
}

size_t tn__loss_correct(const tn_loss *l, const float *y, size_t W, const float *t, size_t tw,
                        size_t B)
{
    size_t correct = 0;
    for (size_t i = 0; i < B; i++) {
        if (!(l->ops->flags & TN_LOSS_ARGMAX) || W == 1) {
            size_t ok = 1;
            for (size_t k = 0; k < W; k++)
                ok &= (y[i * W + k] >= 0.5f) == (t[i * tw + k] >= 0.5f);
            correct += ok;
            continue;
        }
        size_t truth = tw == 1 ? (size_t)t[i] : argmax(t + i * tw, tw);
        correct += argmax(y + i * W, W) == truth;
    }
    return correct;
}
