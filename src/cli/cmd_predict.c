/* tinynet predict MODEL [DATA|-]: one line of outputs per input row. */
#include "cli/cli.h"
#include "cli/recsys.h"

#include "core/alloc.h"
#include "core/error.h"
#include "data/load.h"
#include "core/file.h"
#include "model/model.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
    int bad = tn_cli_no_options("predict", usage, argc, argv);
    if (bad)
        return bad;
    if (argc != 2 && argc != 3)
        return tn_cli_usage("predict", usage, "expected MODEL and optionally DATA");
    const char *data = argc == 3 ? argv[2] : "-";
    tn_error err = {0};
    tn_model *m = NULL;
    tn_table *tab = NULL;
    tn_dataset *d = NULL;
    float *out = NULL;
    unsigned char *text = NULL;
    size_t len = 0;
    const char *name = strcmp(data, "-") == 0 ? "<stdin>" : data;
    /* Read once, so stdin works for every layout the file form accepts. */
    int rc = tn__model_load(argv[1], &m, &err);
    if (rc == TN_OK)
        rc = strcmp(data, "-") == 0
                 ? tn__read_stream(name, STDIN_FILENO, TN_CSV_MAX_BYTES, &text, &len, &err)
                 : tn__read_file(data, TN_CSV_MAX_BYTES, &text, &len, &err);
    /* A headerless u.data-style list of (user, item) pairs for a two-input recommender. */
    if (rc == TN_OK && m->net->n_inputs == 2 && m->net->nodes[0].kind == TN_NODE_INDEX_INPUT &&
        m->net->nodes[1].kind == TN_NODE_INDEX_INPUT &&
        tn__ratings_is_headerless((const char *)text, len)) {
        rc = tn_cli_recsys_predict_pairs(m, argv[1], name, (const char *)text, len, &err);
        tn__free(text);
        tn__model_free(m);
        return rc ? tn_cli_fail(&err) : TN_EXIT_OK;
    }
    if (rc == TN_OK && m->columns.n_inputs == 0)
        rc = tn__err(&err, TN_EDATA, "%s: the model was trained on IDX images: predict reads "
                     "CSV (use `tinynet eval` for IDX data)", argv[1]);
    if (rc == TN_OK)
        rc = tn__csv_parse(name, (const char *)text, len, &tab, &err);
    tn__free(text);
    if (rc == TN_OK &&
        !(rc = tn__data_from_table(name, tab, m->net, &m->columns, NULL, &d, &err)))
        tn__scaling_apply(&m->scaling, d);
    tn__table_free(tab);
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
    return rc ? tn_cli_fail(&err) : TN_EXIT_OK;
}
