/* The layer types known by name: one line per type. */
#include "layers/layer.h"

#include "core/registry.h"

#define LAYERS(X, T)        \
    X(T, tn__dense_ops)     \
    X(T, tn__dropout_ops)   \
    X(T, tn__embedding_ops) \
    X(T, tn__concat_ops)    \
    X(T, tn__maxout_ops)    \
    X(T, tn__layer_norm_ops) \
    /* one line per layer type, above this one */

TN__REGISTRY_TABLE(tn_layer_ops, LAYERS, layer_types);
TN__REGISTRY_FUNCS(tn_layer_ops, tn__layer_ops, layer_types, type)
