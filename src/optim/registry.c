/* The optimizers known by name: one line per optimizer. */
#include "optim/optim.h"

#include "core/registry.h"

#define OPTIMIZERS(X, T)    \
    X(T, tn__optim_sgd)     \
    X(T, tn__optim_adam)    \
    X(T, tn__optim_adamw)   \
    X(T, tn__optim_rmsprop) \
    /* one line per optimizer, above this one */

TN__REGISTRY_TABLE(tn_optim_ops, OPTIMIZERS, optimizers);
TN__REGISTRY_FUNCS(tn_optim_ops, tn__optim_ops, optimizers, name)
