/* The config reference of train.h: each module's one-line description and each of its
 * keys', with defaults and ranges taken from the modules' own parameter tables, so the
 * generated documentation (`tinynet help config`) says what the code does. */
#include "api/api.h"

#include "graph/graph.h"
#include "layers/layer.h"
#include "optim/optim.h"
#include "train/config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *tn_extension_doc(int kind, size_t i)
{
    if (i >= tn_extension_count(kind))
        return NULL;
    switch (kind) {
    case TN_EXT_ACTIVATION: return tn_activation_at(i)->formula;
    case TN_EXT_LAYER: return tn__layer_ops_at(i)->doc;
    case TN_EXT_LOSS: return tn__loss_ops_at(i)->doc;
    case TN_EXT_OPTIMIZER: return tn__optim_ops_at(i)->doc;
    default: return tn__data_format_at(i)->doc;
    }
}

static int put(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int put(char *buf, size_t n, const char *fmt, ...)
{
    if (buf && n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, n, fmt, ap);
        va_end(ap);
    }
    return TN_OK;
}

static int missing(char *buf, size_t n)
{
    if (buf && n)
        buf[0] = '\0';
    return TN_ENOTFOUND;
}

/* A parameter with a description, a default and a range [lo, hi] or (lo, hi]. digits:
 * enough for the parameter's type (a float's 0.3333333, a double's 0.999999999), so a
 * bound is never rounded onto a value it excludes. */
static int param_doc(char *buf, size_t n, const char *doc, double def, double lo, double hi,
                     int open_lo, int digits)
{
    if (!doc || !doc[0])
        return missing(buf, n);
    return put(buf, n, "%s (default %.*g, in %c%.*g, %.*g])", doc, digits, def,
               open_lo ? '(' : '[', digits, lo, digits, hi);
}

static int optim_key_doc(const tn_optim_ops *o, const char *key, char *buf, size_t n)
{
    for (int k = 0; k < o->n_params; k++) {
        const tn_optim_param *p = &o->params[k];
        if (strcmp(p->name, key) != 0)
            continue;
        if (!p->doc || !p->doc[0])
            return missing(buf, n);
        if (p->kind == TN_PARAM_BOOL)
            return put(buf, n, "%s (default %s)", p->doc, p->def != 0 ? "true" : "false");
        return param_doc(buf, n, p->doc, p->def, p->lo, p->hi, p->kind == TN_PARAM_OPEN_LO, 10);
    }
    /* The keys every optimizer takes; lr and weight_decay have per-optimizer defaults. */
    const char *doc = tn__keydoc_find(tn__optim_common_docs, key);
    if (!doc)
        return missing(buf, n);
    if (strcmp(key, "lr") == 0)
        return put(buf, n, "%s (default %g)", doc, o->lr);
    if (strcmp(key, "weight_decay") == 0)
        return put(buf, n, "%s (default %g)", doc, o->weight_decay);
    return put(buf, n, "%s", doc);
}

int tn_extension_key_doc(int kind, size_t i, const char *key, char *buf, size_t n)
{
    if (!key || i >= tn_extension_count(kind))
        return missing(buf, n);
    if (kind == TN_EXT_ACTIVATION) {
        const tn_activation *a = tn_activation_at(i);
        for (int k = 0; k < a->n_params; k++)
            if (strcmp(a->params[k].name, key) == 0)
                return param_doc(buf, n, a->params[k].doc, a->params[k].def, a->params[k].min,
                                 a->params[k].max, 0, 7);
        return missing(buf, n);
    }
    if (kind == TN_EXT_LOSS) {
        const tn_loss_ops *l = tn__loss_ops_at(i);
        for (int k = 0; k < l->n_params; k++)
            if (strcmp(l->params[k].name, key) == 0)
                return param_doc(buf, n, l->params[k].doc, l->params[k].def, l->params[k].lo,
                                 l->params[k].hi, 1, 10);
        return missing(buf, n);
    }
    if (kind == TN_EXT_OPTIMIZER)
        return optim_key_doc(tn__optim_ops_at(i), key, buf, n);
    /* Layers and data formats: a description per key, beside the key list. The key must
     * be one of the list too, so a description of a removed key is not served. */
    const char *const *keys = kind == TN_EXT_LAYER ? tn__layer_ops_at(i)->keys
                                                   : tn__data_format_at(i)->keys;
    const tn__keydoc *docs = kind == TN_EXT_LAYER ? tn__layer_ops_at(i)->key_docs
                                                  : tn__data_format_at(i)->key_docs;
    for (size_t k = 0; keys && keys[k]; k++) {
        if (strcmp(keys[k], key) != 0)
            continue;
        const char *doc = tn__keydoc_find(docs, key);
        return doc && doc[0] ? put(buf, n, "%s", doc) : missing(buf, n);
    }
    return missing(buf, n);
}

/* Each section's key list (what the parser accepts) and its descriptions. */
static int section(int s, const char *const **keys, const tn__keydoc **docs)
{
    switch (s) {
    case TN_CONFIG_TOP: *keys = tn__config_top_keys, *docs = tn__config_top_docs; return 1;
    case TN_CONFIG_INPUT: *keys = tn__graph_input_keys, *docs = tn__graph_input_docs; return 1;
    case TN_CONFIG_LAYER: *keys = tn__graph_layer_keys, *docs = tn__graph_layer_docs; return 1;
    case TN_CONFIG_TRAIN: *keys = tn__config_train_keys, *docs = tn__config_train_docs; return 1;
    case TN_CONFIG_DATA: *keys = tn__data_common_keys, *docs = tn__data_common_docs; return 1;
    default: return 0;
    }
}

size_t tn_config_keys(int s, const char **keys, size_t cap)
{
    const char *const *list;
    const tn__keydoc *docs;
    size_t n = 0;
    if (section(s, &list, &docs))
        for (; list[n]; n++)
            if (keys && n < cap)
                keys[n] = list[n];
    if (keys)
        keys[n < cap ? n : cap] = NULL;
    return n;
}

int tn_config_key_doc(int s, const char *key, char *buf, size_t n)
{
    const char *const *list;
    const tn__keydoc *docs;
    if (!key || !section(s, &list, &docs))
        return missing(buf, n);
    for (size_t k = 0; list[k]; k++)
        if (strcmp(list[k], key) == 0) {
            const char *doc = tn__keydoc_find(docs, key);
            return doc && doc[0] ? put(buf, n, "%s", doc) : missing(buf, n);
        }
    return missing(buf, n);
}
