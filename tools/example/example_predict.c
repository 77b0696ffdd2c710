/* Embedding tinynet: load a trained model and predict, using only the installed library.
 *
 *   example_predict MODEL [V1 V2 ...]     one row from the command line
 *   example_predict MODEL < rows          one row per line on stdin
 *
 * A row is every input's values in input order, separated by commas, tabs or spaces (an
 * index input takes one integer id). Prints one line per row: the outputs, tab-separated,
 * formatted like `tinynet predict`. Build: cc example_predict.c $(pkg-config --cflags
 * --libs tinynet). */
#include <tinynet/tinynet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUTS 16

typedef struct rows {
    size_t n, cap, width; /* width: values per row, all inputs together */
    float *v;
} rows;

/* Parses one row into r; returns 0, or -1 with a message on stderr. */
static int add_row(rows *r, char **fields, size_t nf, size_t lineno)
{
    if (nf != r->width) {
        fprintf(stderr, "example_predict: row %zu: expected %zu values, got %zu\n", lineno,
                r->width, nf);
        return -1;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        float *v = realloc(r->v, cap * r->width * sizeof *v);
        if (!v)
            return -1;
        r->v = v;
        r->cap = cap;
    }
    for (size_t i = 0; i < nf; i++) {
        char *end;
        /* strtod then narrow, as tinynet's CSV reader does, so both see the same floats. */
        double d = strtod(fields[i], &end);
        if (end == fields[i] || *end) {
            fprintf(stderr, "example_predict: row %zu: not a number: \"%s\"\n", lineno, fields[i]);
            return -1;
        }
        r->v[r->n * r->width + i] = (float)d;
    }
    r->n++;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: example_predict MODEL [VALUES...] (or rows on stdin)\n");
        return 2;
    }
    tn_error err;
    tn_model *m;
    if (tn_model_load(argv[1], 0, &m, &err) != TN_OK) {
        fprintf(stderr, "example_predict: %s (%s)\n", err.msg, tn_strerror(err.code));
        return 1;
    }
    size_t n_in = tn_model_n_inputs(m), W = tn_model_output_width(m), offs[MAX_INPUTS];
    if (n_in > MAX_INPUTS) {
        fprintf(stderr, "example_predict: too many inputs\n");
        return 1;
    }
    rows r = {0};
    for (size_t i = 0; i < n_in; i++) {
        offs[i] = r.width;
        r.width += tn_model_input_width(m, i);
    }

    int rc = 0;
    char *fields[4096];
    if (argc > 2) {
        rc = add_row(&r, argv + 2, (size_t)argc - 2, 1);
    } else {
        char line[65536];
        size_t lineno = 0;
        while (rc == 0 && fgets(line, sizeof line, stdin)) {
            lineno++;
            size_t nf = 0;
            for (char *tok = strtok(line, ", \t\r\n"); tok && nf < 4096;
                 tok = strtok(NULL, ", \t\r\n"))
                fields[nf++] = tok;
            if (nf)
                rc = add_row(&r, fields, nf, lineno);
        }
    }

    /* Each input as its own batch x width array, as tn_predict takes them. */
    float *cols[MAX_INPUTS] = {0}, *out = NULL;
    tn_ctx *ctx = NULL;
    if (rc == 0 && r.n > 0) {
        for (size_t i = 0; i < n_in && rc == 0; i++) {
            size_t w = tn_model_input_width(m, i);
            if (!(cols[i] = malloc(r.n * w * sizeof(float))))
                rc = -1;
            for (size_t k = 0; rc == 0 && k < r.n; k++)
                memcpy(cols[i] + k * w, r.v + k * r.width + offs[i], w * sizeof(float));
        }
        if (rc == 0 && !(out = malloc(r.n * W * sizeof *out)))
            rc = -1;
        if (rc == 0 && tn_ctx_new(m, 256, &ctx, &err) != TN_OK) {
            fprintf(stderr, "example_predict: %s\n", err.msg);
            rc = -1;
        }
        if (rc == 0 && tn_predict(ctx, (const float *const *)cols, r.n, out) != TN_OK) {
            fprintf(stderr, "example_predict: %s\n", tn_ctx_errmsg(ctx));
            rc = -1;
        }
        for (size_t k = 0; rc == 0 && k < r.n; k++)
            for (size_t j = 0; j < W; j++)
                printf("%.9g%c", (double)out[k * W + j], j + 1 == W ? '\n' : '\t');
    }
    tn_ctx_free(ctx);
    for (size_t i = 0; i < n_in; i++)
        free(cols[i]);
    free(out);
    free(r.v);
    tn_model_free(m);
    return rc == 0 ? 0 : 1;
}
