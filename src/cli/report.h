/* Results beyond loss and accuracy: the confusion matrix (train and eval print it), the
 * ranking report of a recommender, and the pictures of `tinynet train --plot DIR`. */
#ifndef TN_CLI_REPORT_H
#define TN_CLI_REPORT_H

#include "tinynet/recsys.h"
#include "tinynet/train.h"

#include <cjson/cJSON.h>

/* Prints an evaluation report's task metrics on stdout (label: "test", ...): the
 * confusion matrix of a class output (rows labelled with m's class names when it has
 * them; m may be NULL), precision/recall/F1/AUC (binary), per-class figures and macro
 * averages (multi-class), MSE/RMSE/MAE/R^2 (regression). */
void tn_cli_print_report(const char *label, const tn_model *m, const tn_report *r);
/* The report as JSON for the log: every metric that applies, the confusion matrix. */
cJSON *tn_cli_report_json(const tn_report *r);
/* The model beside the popularity baseline: log-loss, AUC, HR@k, NDCG@k. */
void tn_cli_print_ranking(const tn_ranking *r);

enum { TN_PLOT_AUTO, TN_PLOT_LINEAR, TN_PLOT_LOG };

/* What the curves are of. */
typedef struct tn_plot_info {
    const char *model;       /* the network's name, for the title */
    const char *loss;        /* the loss's name, for the axis */
    const char *val_label;   /* "test" or "validation" */
    int best_epoch;          /* the epoch whose parameters were kept */
    tn_metrics kept_train;   /* the kept parameters on the training rows (inference mode) */
    int scale;               /* TN_PLOT_*: the loss axis; auto is log when it spans > 100x */
} tn_plot_info;

/* DIR/curves.svg: loss and accuracy per epoch, train and test (or validation), with round
 * ticks, the kept epoch marked and the printed training figures as a marker. */
int tn_plot_curves(const char *dir, const tn_epoch_info *h, int n, const tn_plot_info *info,
                   tn_error *err);
/* DIR/misclassified.svg: the 40 most confidently misclassified rows of d (label: "test",
 * ...), drawn as square grey images, each with its row number, its true and predicted
 * class and the model's confidence. Needs a square input width (else TN_ESHAPE). */
int tn_plot_misclassified(const char *dir, const tn_model *m, const tn_data *d,
                          const char *label, tn_error *err);

#endif
