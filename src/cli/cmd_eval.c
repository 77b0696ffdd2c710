/* tinynet eval MODEL DATA: loss and accuracy of a trained model on labelled rows, and the
 * confusion matrix of a class output. The model records the format it was trained on, so
 * DATA is read in that format. */
#include "cli.h"
#include "report.h"

#include "tinynet/data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "tinynet eval MODEL DATA... [--threshold T] (DATA - reads standard input)";

/* The labelled data named on the command line (or standard input). */
static int load(const tn_model *m, int n, char **paths, tn_data **d, tn_error *err)
{
    if (n == 1 && strcmp(paths[0], "-") == 0) {
        char *text;
        size_t len;
        int rc = tn_cli_read_stdin(&text, &len, err);
        if (rc == TN_OK)
            rc = tn_data_parse(m, "<stdin>", text, len, TN_DATA_TARGETS, d, err);
        tn_free(text);
        return rc;
    }
    return tn_data_read(m, (const char *const *)paths, n, TN_DATA_TARGETS, d, err);
}

int tn_cli_eval(int argc, char **argv)
{
    if (tn_cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Prints the loss and accuracy of MODEL on labelled data, and for a class\n"
               "output the confusion matrix (rows: true class, columns: predicted). DATA is\n"
               "read in the format the model was trained on (`tinynet info MODEL` says which):\n"
               "  csv                  a CSV file with the columns the model was trained on\n"
               "  idx                  IMAGES.idx LABELS.idx (plain or .gz)\n"
               "  fashion-mnist        fashion-mnist:test (or :train) from Debian's\n"
               "                       dataset-fashion-mnist package, or IDX files\n"
               "  ratings              a CSV with the user and item columns and \"label\"\n"
               "The model's input scaling (stored when it was trained) is applied first.\n"
               "Then the task's metrics: for one binary output the confusion matrix,\n"
               "precision, recall, F1 and ROC AUC (--threshold T: a score >= T is class 1,\n"
               "default 0.5); for classes the confusion matrix, per-class precision, recall\n"
               "and F1 with macro averages; for regression MSE, RMSE, MAE and R^2.\n",
               usage);
        return TN_EXIT_OK;
    }
    /* --threshold T anywhere; the rest are MODEL and DATA (an argument starting with '-'
     * other than "-" is an unknown option). */
    double threshold = 0.5;
    char **pos = calloc((size_t)argc, sizeof *pos);
    int n = 0;
    if (!pos)
        return tn_cli_usage("eval", usage, "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m = tn_cli_option(argc, argv, &i, "--threshold", &v);
        char *end;
        if (m) {
            if (m < 0 || !(threshold = strtod(v, &end), *v && !*end) ||
                !(threshold >= 0 && threshold <= 1)) {
                free(pos);
                return tn_cli_usage("eval", usage, "--threshold needs a number in [0, 1]");
            }
        } else if (argv[i][0] == '-' && argv[i][1]) {
            free(pos);
            return tn_cli_usage("eval", usage, "unknown option %s", argv[i]);
        } else {
            pos[n++] = argv[i];
        }
    }
    if (n < 2) {
        free(pos);
        return tn_cli_usage("eval", usage, "expected MODEL and DATA");
    }
    tn_error err = {0};
    tn_model *m = NULL;
    tn_data *d = NULL;
    tn_report *rep = NULL;
    char loss[128];
    int rc = tn_model_load(pos[0], 0, &m, &err);
    if (rc == TN_OK)
        rc = load(m, n - 1, pos + 1, &d, &err);
    if (rc == TN_OK)
        rc = tn_evaluate_report(m, d, threshold, &rep, &err);
    if (rc == TN_OK) {
        const tn_metrics *met = tn_report_metrics(rep);
        tn_model_loss(m, loss, sizeof loss);
        printf("rows      %zu\n", met->rows);
        printf("loss      %.6f  (%s)\n", met->loss, loss);
        double acc = tn_report_metric(rep, "accuracy");
        if (!isnan(acc))
            printf("accuracy  %.4f\n", acc);
        tn_cli_print_report("evaluated data", m, rep);
    }
    tn_report_free(rep);
    free(pos);
    tn_data_free(d);
    tn_model_free(m);
    return rc ? tn_cli_fail(&err) : TN_EXIT_OK;
}
