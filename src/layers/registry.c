/* The layer types known by name: one line per type. */
#include "layers/layer.h"

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

size_t tn__layer_ops_count(void) { return N_TYPES; }

const tn_layer_ops *tn__layer_ops_at(size_t i) { return i < N_TYPES ? layer_types[i] : NULL; }

const tn_layer_ops *tn__layer_ops_find(const char *type)
{
    for (size_t i = 0; i < N_TYPES; i++)
        if (strcmp(layer_types[i]->type, type) == 0)
            return layer_types[i];
    return NULL;
}
