/* Losses: batch-mean value (accumulated in double) and the gradient that starts backward. */
#ifndef TN_TRAIN_LOSS_H
#define TN_TRAIN_LOSS_H

#include "graph/graph.h"

enum tn_loss { TN_LOSS_MSE, TN_LOSS_BCE, TN_LOSS_CCE };
extern const char *const tn__loss_names[]; /* "mse", "binary_crossentropy", ... */

/* 1 when the output layer's activation and this loss are computed together from the
 * pre-activation (sigmoid + binary_crossentropy, softmax + categorical_crossentropy). */
int tn__loss_is_fused(int loss, const tn_net *net);
/* The flags of a training run context for this loss: TN_RUN_TRAINING, and
 * TN_RUN_FUSED_OUTPUT when the loss is fused with the output activation. */
unsigned tn__loss_run_flags(int loss, const tn_net *net);

/* categorical_crossentropy needs a softmax or log_softmax output (its loss and gradient
 * read the outputs as probabilities or log-probabilities). */
int tn__loss_check_output(int loss, const tn_net *net, tn_error *err);

/* Checks the target width against the output: mse and binary_crossentropy need one
 * target per output; categorical_crossentropy takes one class index or one per class. */
int tn__loss_check_targets(int loss, size_t out_width, size_t target_width, tn_error *err);

/* Sum over the batch of the per-sample loss (divide by the count for the mean), from the
 * output of a forward pass. When grad is set, writes dL/dy (of the batch-mean loss) into
 * run->dout[output], or dL/dz into the output layer's dz when fused (and sets
 * run->fused_output). t is batch x target_width. */
double tn__loss_eval(int loss, tn_run *run, const float *t, size_t target_width, size_t batch,
                     int grad);

/* How many of the batch are classified correctly (classification losses only). */
size_t tn__loss_correct(int loss, const float *y, size_t width, const float *t,
                        size_t target_width, size_t batch);
int tn__loss_has_accuracy(int loss);
/* Adds the batch to a width x width confusion matrix (row: true class, column: the argmax
 * of y), for class outputs (width > 1) with class-index or one-hot targets. */
void tn__loss_confusion_add(const float *y, size_t width, const float *t, size_t target_width,
                            size_t batch, size_t *cm);

#endif
