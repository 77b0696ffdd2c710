/* The optimizers known by name: one line per optimizer. */
#include "optim/optim.h"

#include <string.h>

extern const tn_optim_ops tn__optim_sgd;
extern const tn_optim_ops tn__optim_adam;
extern const tn_optim_ops tn__optim_adamw;

static const tn_optim_ops *const optimizers[] = {
    &tn__optim_sgd,
    &tn__optim_adam,
    &tn__optim_adamw,
};

#define N_OPTIMIZERS (sizeof optimizers / sizeof optimizers[0])

size_t tn__optim_ops_count(void) { return N_OPTIMIZERS; }

const tn_optim_ops *tn__optim_ops_at(size_t i)
{
    return i < N_OPTIMIZERS ? optimizers[i] : NULL;
}

const tn_optim_ops *tn__optim_ops_find(const char *name)
{
    for (size_t i = 0; i < N_OPTIMIZERS; i++)
        if (strcmp(optimizers[i]->name, name) == 0)
            return optimizers[i];
    return NULL;
}
