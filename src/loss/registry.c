/* The losses known by name: one line per loss. */
#include "loss/loss.h"

#include "core/registry.h"

#define LOSSES(X, T)        \
    X(T, tn__loss_mse)      \
    X(T, tn__loss_bce)      \
    X(T, tn__loss_cce)      \
    X(T, tn__loss_huber)    \
    /* one line per loss, above this one */

TN__REGISTRY_TABLE(tn_loss_ops, LOSSES, losses);
TN__REGISTRY_FUNCS(tn_loss_ops, tn__loss_ops, losses, name)
