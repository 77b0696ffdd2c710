/* The losses known by name: one line per loss. */
#include "loss/loss.h"

#include <string.h>

extern const tn_loss_ops tn__loss_mse;
extern const tn_loss_ops tn__loss_bce;
extern const tn_loss_ops tn__loss_cce;

static const tn_loss_ops *const losses[] = {
    &tn__loss_mse,
    &tn__loss_bce,
    &tn__loss_cce,
};

#define N_LOSSES (sizeof losses / sizeof losses[0])

size_t tn__loss_ops_count(void) { return N_LOSSES; }

const tn_loss_ops *tn__loss_ops_at(size_t i) { return i < N_LOSSES ? losses[i] : NULL; }

const tn_loss_ops *tn__loss_ops_find(const char *name)
{
    for (size_t i = 0; i < N_LOSSES; i++)
        if (strcmp(losses[i]->name, name) == 0)
            return losses[i];
    return NULL;
}
