/* Weight initialisation schemes, chosen per layer by name in JSON. */
#ifndef TN_LAYERS_INIT_H
#define TN_LAYERS_INIT_H

#include "core/rng.h"

#include <stddef.h>

enum tn_init {
    TN_INIT_GLOROT_UNIFORM, TN_INIT_GLOROT_NORMAL, TN_INIT_HE_UNIFORM, TN_INIT_HE_NORMAL,
    TN_INIT_LECUN_UNIFORM, TN_INIT_LECUN_NORMAL, TN_INIT_ZEROS, TN_INIT_COUNT
};

/* Canonical names first (index = enum), then the aliases xavier_* and kaiming_*. */
extern const char *const tn__init_names[];
int tn__init_canonical(int name_index); /* alias index -> enum value */
int tn__init_find(const char *name);    /* index in tn__init_names, or -1 */

void tn__init_fill(int kind, float *w, size_t n, size_t fan_in, size_t fan_out, tn_rng *rng);

#endif
