/* Loss modules: the batch loss of the network's outputs against targets, and the gradient
 * that starts backward. One file per loss plus one line in loss/registry.c.
 *
 * A loss in JSON is a name ("mse") or an object with its parameters ({"type": "huber",
 * "delta": 0.5}). Every loss works on raw row-major arrays: the output y (B x W), or the
 * pre-activation z of the output activation it is fused with, and targets t (B x tw).
 * Values are sums over the batch of the per-sample loss (the per-sample loss is the mean
 * over the W outputs where the loss is element-wise), accumulated in double; gradients
 * are of the batch-mean loss. */
#ifndef TN_LOSS_LOSS_H
#define TN_LOSS_LOSS_H

#include "core/json.h"
#include "data/dataset.h"
#include "tinynet/activation.h"

#include <stddef.h>

#define TN_LOSS_MAX_PARAMS 2

typedef struct tn_loss tn_loss;

enum {
    TN_LOSS_ACCURACY = 1u << 0, /* a classification loss: accuracy and a confusion matrix */
    TN_LOSS_ARGMAX = 1u << 1    /* several outputs are classes (argmax), not independent
                                 * labels thresholded at 0.5 */
};

typedef struct tn_loss_param {
    const char *name;          /* JSON key */
    double def, lo, hi;        /* default; accepted range (lo, hi] */
    const char *doc;           /* one line for the config reference (default, range added) */
} tn_loss_param;

typedef struct tn_loss_ops {
    const char *name;          /* registry key, used in JSON and recorded in model files */
    const char *doc;           /* one line for the config reference: what it measures */
    int target;                /* enum tn_target_kind: what the data's targets must be */
    unsigned flags;            /* TN_LOSS_* */
    int n_params;
    tn_loss_param params[TN_LOSS_MAX_PARAMS];
    /* The output activation this loss is computed together with, from its logits
     * (numerically stable; the graph then skips that activation's derivative), or NULL. */
    const tn_activation *fused_with;
    /* Whether the output activation (NULL: the layer has none) suits the loss; NULL op:
     * any does. Message without a file: "needs ..., and the last layer's is ...". */
    int (*check_output)(const tn_loss *l, const tn_activation *act, tn_error *err);
    /* Sum over the batch; dy (NULL: no gradient) receives dL/dy of the batch mean. act is
     * the output activation (NULL: none). */
    double (*eval)(const tn_loss *l, const tn_activation *act, const float *y, const float *t,
                   size_t tw, size_t B, size_t W, float *dy);
    /* The same from the logits z of fused_with; dz receives dL/dz. NULL unless fused_with. */
    double (*eval_fused)(const tn_loss *l, const float *z, const float *t, size_t tw,
                         size_t B, size_t W, float *dz);
} tn_loss_ops;

/* A loss as a config names it: the module and its parameters. */
struct tn_loss {
    const tn_loss_ops *ops;
    double param[TN_LOSS_MAX_PARAMS]; /* in the order of ops->params */
    /* The rows the gradient is the mean over (0: the B rows given). A process of a
     * data-parallel run computes its part of a larger batch: its gradients then add up
     * to the batch's with one rounding, as one process's. */
    size_t mean_rows;
};

static inline size_t tn__loss_mean_rows(const tn_loss *l, size_t B)
{
    return l->mean_rows ? l->mean_rows : B;
}

/* ---- the registry ------------------------------------------------------------------- */
size_t tn__loss_ops_count(void);
const tn_loss_ops *tn__loss_ops_at(size_t i);
const tn_loss_ops *tn__loss_ops_find(const char *name);
/* The names, NULL-terminated, from tn__malloc (tn__free it); NULL when out of memory. */
const char **tn__loss_ops_names(void);

/* Reads obj[key] (a name or an object), validating every parameter. */
int tn__loss_parse(tn_jr *r, const cJSON *obj, const char *key, tn_loss *out);
/* The loss recorded in a model header (its "loss" value v); file names the model in
 * messages ("<file>: loss: ..."). An unknown loss is TN_EFORMAT: the file is not ours. */
int tn__loss_from_record(const char *file, const cJSON *v, tn_loss *out, tn_error *err);
/* Writes obj[key] back: the name alone when the loss has no parameters, else an object. */
int tn__loss_describe(const tn_loss *l, cJSON *obj, const char *key);
/* The same value on its own (free with cJSON_Delete); NULL when out of memory. */
cJSON *tn__loss_json(const tn_loss *l);

/* Whether loss l is computed together with the output activation act. */
int tn__loss_fuses(const tn_loss *l, const tn_activation *act);
/* Checks the output activation and the target width against the output width: most losses
 * need one target per output; a class loss also takes one column of class indices. */
int tn__loss_check_output(const tn_loss *l, const tn_activation *act, tn_error *err);
int tn__loss_check_targets(const tn_loss *l, size_t out_width, size_t target_width,
                           tn_error *err);
/* The rule the data's targets must follow (data/dataset.h) for an output of out_width. */
tn_target_rule tn__loss_target_rule(const tn_loss *l, size_t out_width);

/* How many of the batch are classified correctly (classification losses only). */
size_t tn__loss_correct(const tn_loss *l, const float *y, size_t W, const float *t, size_t tw,
                        size_t B);
int tn__loss_has_accuracy(const tn_loss *l);
/* Adds the batch to a W x W confusion matrix (row: true class, column: the argmax of y),
 * for class outputs (W > 1) with class-index or one-hot targets. */
void tn__loss_confusion_add(const float *y, size_t W, const float *t, size_t tw, size_t B,
                            size_t *cm);

/* Probability of class k for sample i: one-hot/probability columns, or a class index. */
static inline double tn__loss_target_prob(const float *t, size_t tw, size_t i, size_t k)
{
    if (tw == 1)
        return (size_t)t[i] == k ? 1.0 : 0.0;
    return t[i * tw + k];
}

#endif
