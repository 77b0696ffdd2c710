/* tinynet eval MODEL DATA: loss and accuracy of a trained model on labelled rows. */
#include "cli/cli.h"

#include "core/error.h"
#include "io/dataset.h"
#include "io/model.h"
#include "net/loss.h"

#include <math.h>
#include <stdio.h>

static const char usage[] = "tinynet eval MODEL DATA";

int tn_cli_eval(int argc, char **argv)
{
    if (tn_cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nPrints the loss and accuracy of MODEL on DATA, a CSV file with the\n"
               "columns the model was trained on (see `tinynet info MODEL`).\n", usage);
        return TN_EXIT_OK;
    }
    if (argc != 3)
        return tn_cli_usage("eval", usage, "expected MODEL and DATA");
    tn_error err = {0};
    tn_model *m = NULL;
    tn_dataset *d = NULL;
    tn_metrics met;
    int rc = tn__model_load(argv[1], &m, &err);
    if (rc == TN_OK && m->columns.target.n == 0)
        rc = tn__err(&err, TN_EDATA, "%s: the model records no target columns", argv[1]);
    if (rc == TN_OK)
        rc = tn__data_load_csv(argv[2], m->net, &m->columns, 1, m->loss, &d, &err);
    if (rc == TN_OK)
        rc = tn__evaluate(m->net, m->loss, d, 256, &met, &err);
    if (rc == TN_OK) {
        printf("rows      %zu\n", met.n);
        printf("loss      %.6f  (%s)\n", met.loss, tn__loss_names[m->loss]);
        if (!isnan(met.acc))
            printf("accuracy  %.4f\n", met.acc);
    }
    tn__dataset_free(d);
    tn__model_free(m);
    return rc ? tn_cli_fail(&err) : TN_EXIT_OK;
}
