/* The training loop, evaluation and prediction over datasets in memory. */
#ifndef TN_TRAIN_LOOP_H
#define TN_TRAIN_LOOP_H

#include "data/dataset.h"
#include "loss/loss.h"
#include "graph/graph.h"
#include "optim/optim.h"
#include "tinynet/train.h"

typedef struct tn_train_cfg {
    int epochs;
    size_t batch_size;
    int patience;           /* stop after this many epochs without improvement (0 = never) */
    double min_delta;       /* the smallest decrease of the monitored loss that counts */
    int shuffle;
    unsigned long long seed;
} tn_train_cfg;

/* tn_metrics (tinynet/data.h), tn_epoch_info and tn_train_hooks (tinynet/train.h) are the
 * public ones: the loop reports in the terms the API gives its users. */

/* What on_step hooks see: the training run after backward. */
struct tn_step {
    const tn_run *run;
    int epoch;
    size_t batch;            /* 1-based, in the epoch */
    size_t rows;             /* in this batch */
};

typedef struct tn_train_result {
    int epochs_run;
    int best_epoch;         /* the parameters left in net->P are from this epoch */
    int stopped_early;
    tn_metrics train, val;  /* at best_epoch */
} tn_train_result;

/* The flags of the training run context for this loss (TN_RUN_TRAINING, and
 * TN_RUN_FUSED_OUTPUT when the loss is computed with the output activation): the one
 * place where fusion is decided. */
unsigned tn__train_run_flags(const tn_loss *loss, const tn_net *net);
/* The loss of the batch in run (after a forward), summed over the rows; with grad, writes
 * the gradient that starts backward: dL/dy of the output, or dL/dz when fused (the run
 * must have been made with tn__train_run_flags). t is batch x tw. */
double tn__loss_eval_run(const tn_loss *loss, tn_run *run, const float *t, size_t tw, size_t B,
                         int grad);

int tn__train(tn_net *net, const tn_loss *loss, const tn_optim_cfg *oc, const tn_train_cfg *tc,
              const tn_dataset *train, const tn_dataset *val, const tn_train_hooks *hooks,
              tn_train_result *res, tn_error *err);
/* Evaluation and prediction in inference mode, batch rows at a time. scale: the model's
 * input scaling, applied to each batch when d is not scaled yet (NULL: none). */
int tn__evaluate(const tn_net *net, const tn_loss *loss, const tn_dataset *d,
                 const tn_scaling *scale, size_t batch, tn_metrics *m, tn_error *err);
/* Fills cm (output-width x output-width, row = true class, column = predicted) for a class
 * output (width > 1) and labelled data; its sum is d->rows, its trace the correct count. */
int tn__confusion(const tn_net *net, const tn_dataset *d, const tn_scaling *scale,
                  size_t batch, size_t *cm, tn_error *err);
/* Writes rows x output-width predictions into out. */
int tn__predict(const tn_net *net, const tn_dataset *d, const tn_scaling *scale, size_t batch,
                float *out, tn_error *err);

#endif
