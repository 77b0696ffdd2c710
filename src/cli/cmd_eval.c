/* tinynet eval MODEL DATA: loss and accuracy of a trained model on labelled rows, and the
 * confusion matrix of a class output. */
#include "cli/cli.h"
#include "cli/report.h"

#include "core/error.h"
#include "data/load.h"
#include "data/idx.h"
#include "model/model.h"
#include "loss/loss.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "tinynet eval MODEL DATA.csv | MODEL IMAGES.idx LABELS.idx | MODEL fashion-mnist:SET";

/* The data named on the command line; *names: class names when it is Fashion-MNIST. */
static int load(const tn_model *m, const tn_loss *loss, int argc, char **argv, tn_dataset **d,
                const char *const **names, tn_error *err)
{
    const char *data = argv[2];
    float type_max;
    *names = NULL;
    size_t outputs = m->net->nodes[m->net->output].width;
    if ((argc == 4 || strncmp(data, "fashion-mnist:", 14) == 0) && outputs < 2)
        return tn__err(err, TN_ESHAPE, "%s: the model has 1 output, and class labels need one "
                       "output per class (a softmax layer)", argv[1]);
    if (argc == 4)
        return tn__data_load_idx(argv[2], argv[3], m->net, d, &type_max, err);
    if (strncmp(data, "fashion-mnist:", 14) == 0) {
        const char *set = data + 14;
        if (strcmp(set, "train") != 0 && strcmp(set, "test") != 0)
            return tn__err(err, TN_EINVAL, "%s: expected fashion-mnist:train or "
                           "fashion-mnist:test", data);
        *names = tn__fashion_classes;
        return tn__data_load_fashion(strcmp(set, "test") == 0, m->net, d, &type_max, err);
    }
    if (m->columns.target.n == 0)
        return tn__err(err, TN_EDATA, "%s: the model records no target columns%s", argv[1],
                       m->columns.n_inputs ? "" : " (it was trained on IDX images: give "
                       "IMAGES and LABELS files)");
    tn_target_rule rule = tn__loss_target_rule(loss, outputs);
    int rc = tn__data_load_csv(data, m->net, &m->columns, &rule, d, err);
    /* A recommender's ratings file has no header naming the columns; say where it goes. */
    if (rc == TN_EDATA && m->net->nodes[0].kind == TN_NODE_INDEX_INPUT && err &&
        strstr(err->msg, ": no column \""))
        tn__err(err, rc, "%s: eval reads a CSV whose header names the columns %s%s%s and %s; "
                "`tinynet train` reports AUC and HR@k on ratings data", data,
                m->columns.in[0].names[0], m->columns.n_inputs > 1 ? ", " : "",
                m->columns.n_inputs > 1 ? m->columns.in[1].names[0] : "",
                m->columns.target.names[0]);
    return rc;
}

int tn_cli_eval(int argc, char **argv)
{
    if (tn_cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Prints the loss and accuracy of MODEL on labelled data, and for a class\n"
               "output the confusion matrix (rows: true class, columns: predicted). DATA is\n"
               "  DATA.csv             a CSV file with the columns the model was trained on\n"
               "                       (see `tinynet info MODEL`)\n"
               "  IMAGES.idx LABELS.idx  IDX files (plain or .gz) of images and class labels\n"
               "  fashion-mnist:test   the Fashion-MNIST test (or :train) set of Debian's\n"
               "                       dataset-fashion-mnist package\n"
               "The model's input scaling (stored when it was trained) is applied first.\n",
               usage);
        return TN_EXIT_OK;
    }
    int bad = tn_cli_no_options("eval", usage, argc, argv);
    if (bad)
        return bad;
    if (argc != 3 && argc != 4)
        return tn_cli_usage("eval", usage, "expected MODEL and DATA (or IMAGES and LABELS)");
    tn_error err = {0};
    tn_model *m = NULL;
    tn_dataset *d = NULL;
    tn_metrics met;
    const char *const *names = NULL;
    tn_loss loss;
    int rc = tn__model_load(argv[1], &m, &err);
    if (rc == TN_OK)
        rc = tn__loss_from_record(argv[1], m->loss, &loss, &err);
    if (rc == TN_OK)
        rc = load(m, &loss, argc, argv, &d, &names, &err);
    if (rc == TN_OK) {
        tn__scaling_apply(&m->scaling, d);
        rc = tn__evaluate(m->net, &loss, d, 256, &met, &err);
    }
    if (rc == TN_OK) {
        printf("rows      %zu\n", met.n);
        printf("loss      %.6f  (%s)\n", met.loss, loss.ops->name);
        if (!isnan(met.acc))
            printf("accuracy  %.4f\n", met.acc);
        if (tn__loss_has_accuracy(&loss))
            rc = tn_cli_print_confusion("evaluated data", m->net, d, names, &err);
    }
    tn__dataset_free(d);
    tn__model_free(m);
    return rc ? tn_cli_fail(&err) : TN_EXIT_OK;
}
