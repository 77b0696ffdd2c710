/* Metrics by task, from a network's outputs and the targets, accumulated batch by batch in
 * the same pass as the loss: binary (confusion matrix at a threshold, precision, recall,
 * F1, ROC AUC), multi-class (confusion matrix, per-class precision/recall/F1, macro
 * averages), regression (MSE, RMSE, MAE, R^2). Pure functions of the arrays: they know
 * nothing of networks. Definitions follow scikit-learn's (precision of a class never
 * predicted is 0; macro averages are over the classes that occur in the targets or the
 * predictions; R^2 is averaged over the outputs, 1 for a constant target predicted
 * exactly and 0 otherwise). */
#ifndef TN_TRAIN_METRICS_H
#define TN_TRAIN_METRICS_H

#include "loss/loss.h"
#include "tinynet/data.h"

#include <stddef.h>

/* The tasks (the public TN_TASK_* of tinynet/data.h). */
enum tn__task { TN__TASK_OTHER, TN__TASK_BINARY, TN__TASK_MULTICLASS, TN__TASK_REGRESSION };

/* Every metric by name, in this order (the public tn_metric_name lists them). */
enum tn__metric {
    TN__M_LOSS, TN__M_ACCURACY, TN__M_PRECISION, TN__M_RECALL, TN__M_F1, TN__M_AUC,
    TN__M_MACRO_PRECISION, TN__M_MACRO_RECALL, TN__M_MACRO_F1, TN__M_MSE, TN__M_RMSE,
    TN__M_MAE, TN__M_R2, TN__M_COUNT
};
extern const char *const tn__metric_names[TN__M_COUNT + 1]; /* NULL-terminated */
/* The index of a metric name, or -1. */
int tn__metric_find(const char *name);
/* Whether metric k has a value for task (loss: always). */
int tn__metric_applies(int k, int task);

/* The task of a loss and output width: class targets over >= 2 outputs are multi-class,
 * one [0, 1] target is binary, free targets are regression; other shapes (independent
 * labels) have loss and accuracy only. */
int tn__metrics_task(const tn_loss *loss, size_t W);

typedef struct tn_metric_acc {
    int task;
    size_t W, tw;            /* output and target widths */
    size_t classes;          /* of the confusion matrix: 2 (binary), W (multi-class), 0 */
    double threshold;        /* binary: a score >= threshold predicts class 1 */
    size_t *cm;              /* classes x classes, row = true class, column = predicted */
    float *score, *label;    /* binary: every row's score and 0/1 label (for ROC AUC) */
    void *sort;              /* binary: ROC AUC's sorting space, so computing allocates
                              * nothing (an evaluation between two epochs) */
    double *mean, *m2, *se, *ae; /* regression, per output: Welford's mean and M2 of the
                                  * target, summed squared and absolute errors */
    size_t n, cap;           /* rows added; rows the buffers hold */
} tn_metric_acc;

/* Sizes the buffers for up to rows rows (weighed against the memory budget first). */
int tn__metrics_init(tn_metric_acc *a, int task, size_t W, size_t tw, size_t rows,
                     double threshold, tn_error *err);
void tn__metrics_reset(tn_metric_acc *a);
void tn__metrics_free(tn_metric_acc *a);
/* Adds B rows of outputs y (B x W) and targets t (B x tw); rows past cap are not added. */
void tn__metrics_add(tn_metric_acc *a, const float *y, const float *t, size_t B);
/* Fills v[TN__M_COUNT] from what was added (NaN where a metric does not apply or has no
 * value, e.g. AUC with one class only); v[TN__M_LOSS] is left as it is. Allocates nothing;
 * TN_OK always (the status is for future metrics). */
int tn__metrics_compute(const tn_metric_acc *a, double *v, tn_error *err);
/* Precision, recall, F1 and support of class k from the confusion matrix. */
void tn__metrics_class(const tn_metric_acc *a, size_t k, double *precision, double *recall,
                       double *f1, size_t *support);

/* ROC AUC: the probability that a random positive (label > 0.5) scores above a random
 * negative, ties counting one half (Mann-Whitney U with mid-ranks), so constant scores give
 * 0.5; a NaN score ranks below everything. NaN when either class is empty. Allocates n
 * pairs for sorting (TN_ENOMEM). */
int tn__roc_auc(const float *score, const float *label, size_t n, double *auc, tn_error *err);

/* An evaluation: loss and accuracy with every metric of the task, from one pass. */
struct tn_report {
    tn_metrics m;
    tn_metric_acc acc;
    double v[TN__M_COUNT];
};

#endif
