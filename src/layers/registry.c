/* The layer types known by name: one line per type. */
#include "graph/graph.h"

#include <string.h>

extern const tn_layer_ops tn__dense_ops;
extern const tn_layer_ops tn__dropout_ops;
extern const tn_layer_ops tn__embedding_ops;
extern const tn_layer_ops tn__concat_ops;
extern const tn_layer_ops tn__maxout_ops;

static const tn_layer_ops *const layer_types[] = {
    &tn__dense_ops,
    &tn__dropout_ops,
    &tn__embedding_ops,
    &tn__concat_ops,
    &tn__maxout_ops,
};

#define N_TYPES (sizeof layer_types / sizeof layer_types[0])

const tn_layer_ops *tn__layer_ops_find(const char *type)
{
    for (size_t i = 0; i < N_TYPES; i++)
        if (strcmp(layer_types[i]->type, type) == 0)
            return layer_types[i];
    return NULL;
}

void tn__layer_type_names(const char **names, size_t cap)
{
    size_t n = 0;
    for (; n < N_TYPES && n + 1 < cap; n++)
        names[n] = layer_types[n]->type;
    names[n] = NULL;
}
