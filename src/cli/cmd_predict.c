/* tinynet predict MODEL [DATA|-]: one line of outputs per input row. */
#include "cli/cli.h"
#include "cli/recsys.h"

#include "core/alloc.h"
#include "core/error.h"
#include "io/dataset.h"
#include "io/model.h"

#include <stdio.h>
#include <string.h>

static const char usage[] = "tinynet predict MODEL [DATA|-]";

int tn_cli_predict(int argc, char **argv)
{
    if (tn_cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nReads DATA (CSV with a header naming at least the model's input\n"
               "columns; - or nothing reads stdin) and prints one line per row: the model's\n"
               "outputs, tab-separated (a probability for a sigmoid output). For a recommender\n"
               "(user and item index inputs) DATA may also be headerless `user item ...` lines\n"
               "in the u.data layout.\n", usage);
        return TN_EXIT_OK;
    }
    if (argc != 2 && argc != 3)
        return tn_cli_usage("predict", usage, "expected MODEL and optionally DATA");
    const char *data = argc == 3 ? argv[2] : "-";
    tn_error err = {0};
    tn_model *m = NULL;
    tn_dataset *d = NULL;
    float *out = NULL;
    int rc = tn__model_load(argv[1], &m, &err), headerless = 0;
    /* A headerless u.data-style file of (user, item) pairs for a two-input recommender. */
    if (rc == TN_OK && strcmp(data, "-") != 0 && m->net->n_inputs == 2 &&
        m->net->nodes[0].kind == TN_NODE_INDEX_INPUT &&
        m->net->nodes[1].kind == TN_NODE_INDEX_INPUT &&
        (rc = tn__ratings_sniff_headerless(data, &headerless, &err)) == TN_OK && headerless) {
        rc = tn_cli_recsys_predict_pairs(m, argv[1], data, &err);
        tn__model_free(m);
        if (rc == TN_OK && (fflush(stdout) != 0 || ferror(stdout)))
            rc = tn__err(&err, TN_EIO, "cannot write the predictions to stdout");
        return rc ? tn_cli_fail(&err) : TN_EXIT_OK;
    }
    if (rc == TN_OK && m->columns.n_inputs == 0)
        rc = tn__err(&err, TN_EDATA, "%s: the model was trained on IDX images: predict reads "
                     "CSV (use `tinynet eval` for IDX data)", argv[1]);
    if (rc == TN_OK && !(rc = tn__data_load_csv(data, m->net, &m->columns, 0, m->loss, &d, &err)))
        tn__scaling_apply(&m->scaling, d);
    size_t W = rc == TN_OK ? m->net->nodes[m->net->output].width : 0, n;
    if (rc == TN_OK && (tn__mul_size(d->rows, W, &n) || !(out = tn__floats_alloc(n))))
        rc = tn__err(&err, TN_ENOMEM, "out of memory for %zu predictions", d->rows);
    if (rc == TN_OK)
        rc = tn__predict(m->net, d, 256, out, &err);
    for (size_t i = 0; rc == TN_OK && i < d->rows; i++)
        for (size_t k = 0; k < W; k++)
            printf("%.9g%c", (double)out[i * W + k], k + 1 == W ? '\n' : '\t');
    tn__floats_free(out);
    tn__dataset_free(d);
    tn__model_free(m);
    if (rc == TN_OK && (fflush(stdout) != 0 || ferror(stdout)))
        rc = tn__err(&err, TN_EIO, "cannot write the predictions to stdout");
    return rc ? tn_cli_fail(&err) : TN_EXIT_OK;
}
