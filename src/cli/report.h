/* Results beyond loss and accuracy: the confusion matrix (train and eval print it) and the
 * pictures of `tinynet train --plot DIR`. */
#ifndef TN_CLI_REPORT_H
#define TN_CLI_REPORT_H

#include "model/scaling.h"
#include "train/train.h"

/* Computes and prints the confusion matrix of a class output on stdout, rows labelled with
 * names (NULL: class numbers). Nothing for a single output. */
int tn_cli_print_confusion(const char *label, const tn_net *net, const tn_dataset *d,
                           const char *const *names, tn_error *err);

/* DIR/curves.svg: loss and accuracy per epoch, train and test (or validation). */
int tn_plot_curves(const char *dir, const tn_epoch_report *h, int n, const char *val_label,
                   tn_error *err);
/* DIR/misclassified.svg: up to 40 misclassified rows of d drawn as square grey images
 * (the scaling undone), each labelled true/predicted. Needs a square input width. */
int tn_plot_misclassified(const char *dir, const tn_net *net, const tn_dataset *d,
                          const tn_scaling *s, const char *const *names, tn_error *err);

#endif
