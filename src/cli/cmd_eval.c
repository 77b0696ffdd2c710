/* tinynet eval MODEL DATA: loss and accuracy of a trained model on labelled rows, and the
 * confusion matrix of a class output. The model records the format it was trained on, so
 * DATA is read in that format. */
#include "cli.h"
#include "report.h"

#include "tinynet/data.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char usage[] = "tinynet eval MODEL DATA... (DATA - reads standard input)";

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
               "The model's input scaling (stored when it was trained) is applied first.\n",
               usage);
        return TN_EXIT_OK;
    }
    int bad = tn_cli_no_options("eval", usage, argc, argv);
    if (bad)
        return bad;
    if (argc < 3)
        return tn_cli_usage("eval", usage, "expected MODEL and DATA");
    tn_error err = {0};
    tn_model *m = NULL;
    tn_data *d = NULL;
    tn_metrics met;
    char loss[128];
    int rc = tn_model_load(argv[1], 0, &m, &err);
    if (rc == TN_OK)
        rc = load(m, argc - 2, argv + 2, &d, &err);
    if (rc == TN_OK)
        rc = tn_evaluate(m, d, &met, &err);
    if (rc == TN_OK) {
        tn_model_loss(m, loss, sizeof loss);
        printf("rows      %zu\n", met.rows);
        printf("loss      %.6f  (%s)\n", met.loss, loss);
        if (!isnan(met.accuracy)) {
            printf("accuracy  %.4f\n", met.accuracy);
            rc = tn_cli_print_confusion("evaluated data", m, d, &err);
        }
    }
    tn_data_free(d);
    tn_model_free(m);
    return rc ? tn_cli_fail(&err) : TN_EXIT_OK;
}
