/* Results beyond loss and accuracy: the confusion matrix (train and eval print it), the
 * ranking report of a recommender, and the pictures of `tinynet train --plot DIR`. */
#ifndef TN_CLI_REPORT_H
#define TN_CLI_REPORT_H

#include "tinynet/recsys.h"
#include "tinynet/train.h"

/* Computes and prints the confusion matrix of m's class output on d on stdout, rows
 * labelled with the model's class names when it has them. Nothing for a single output. */
int tn_cli_print_confusion(const char *label, const tn_model *m, const tn_data *d,
                           tn_error *err);
/* The model beside the popularity baseline: log-loss, AUC, HR@k, NDCG@k. */
void tn_cli_print_ranking(const tn_ranking *r);

/* DIR/curves.svg: loss and accuracy per epoch, train and test (or validation). */
int tn_plot_curves(const char *dir, const tn_epoch_info *h, int n, const char *val_label,
                   tn_error *err);
/* DIR/misclassified.svg: up to 40 misclassified rows of d drawn as square grey images,
 * each labelled true/predicted. Needs a square input width (else TN_ESHAPE). */
int tn_plot_misclassified(const char *dir, const tn_model *m, const tn_data *d,
                          tn_error *err);

#endif
