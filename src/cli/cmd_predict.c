/* tinynet predict MODEL [DATA|-]: one line of outputs per input row, the input read in the
 * format the model was trained on. */
#include "cli.h"

#include "tinynet/data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] = "tinynet predict MODEL [DATA...|-]";

int tn_cli_predict(int argc, char **argv)
{
    if (tn_cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nReads DATA in the format the model was trained on (a CSV with a header\n"
               "naming at least the model's input columns; IDX images; for a recommender\n"
               "`user item` lines or a CSV with the user and item columns; - or nothing reads\n"
               "stdin, for text formats) and prints one line per row: the model's outputs,\n"
               "tab-separated (a probability for a sigmoid output).\n", usage);
        return TN_EXIT_OK;
    }
    int bad = tn_cli_no_options("predict", usage, argc, argv);
    if (bad)
        return bad;
    if (argc < 2)
        return tn_cli_usage("predict", usage, "expected MODEL and optionally DATA");
    int from_stdin = argc == 2 || (argc == 3 && strcmp(argv[2], "-") == 0);
    tn_error err = {0};
    tn_model *m = NULL;
    tn_data *d = NULL;
    float *out = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc = tn_model_load(argv[1], 0, &m, &err);
    /* Waiting silently on a terminal looks like a hang: say what is expected, and how to end. */
    if (rc == TN_OK && from_stdin && isatty(STDIN_FILENO) && tn_cli_verbosity >= 0)
        fprintf(stderr, "tinynet predict: reading rows from the terminal (%s); end with Ctrl-D, "
                "or give DATA\n", tn_model_data_sources(m));
    if (rc == TN_OK && from_stdin && !(rc = tn_cli_read_stdin(&text, &len, &err)))
        rc = tn_data_parse(m, "<stdin>", text, len, 0, &d, &err);
    else if (rc == TN_OK && !from_stdin)
        rc = tn_data_read(m, (const char *const *)argv + 2, argc - 2, 0, &d, &err);
    tn_free(text);
    size_t W = rc == TN_OK ? tn_model_output_width(m) : 0, rows = tn_data_rows(d);
    if (rc == TN_OK && !(out = malloc((rows ? rows : 1) * W * sizeof *out)))
        rc = tn_cli_err(&err, TN_ENOMEM, "out of memory for %zu predictions", rows);
    if (rc == TN_OK)
        rc = tn_predict_data(m, d, out, &err);
    for (size_t i = 0; rc == TN_OK && i < rows; i++)
        for (size_t k = 0; k < W; k++)
            printf("%.9g%c", (double)out[i * W + k], k + 1 == W ? '\n' : '\t');
    free(out);
    tn_data_free(d);
    tn_model_free(m);
    return rc ? tn_cli_fail(&err) : TN_EXIT_OK;
}
