/* tinynet export MODEL --c DIR | -o FILE.c | --onnx FILE [--name NAME]
 *                      [--int8 --calibrate DATA... [--eval DATA...]]
 * The model as dependency-free C (a source and a header), or as ONNX; with --int8, quantized
 * on calibration data first, with the metric before and after. */
#include "cli.h"

#include "tinynet/data.h"
#include "tinynet/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "tinynet export MODEL (--c DIR | -o FILE.c | --onnx FILE) [--name NAME]\n"
    "                     [--int8 --calibrate DATA... [--eval DATA...]]";

typedef struct opts {
    const char *model, *dir, *cfile, *onnx, *name;
    int int8;
    const char *calib[4], *eval[4];
    int n_calib, n_eval;
} opts;

/* DIR/NAME.c and .h, or FILE.c and FILE.h. */
static int write_c(const tn_model *m, const opts *o, tn_error *err)
{
    char cpath[4096], hpath[4096], ident[128];
    const char *name = o->name ? o->name : tn_model_name(m);
    size_t k = 0;
    for (; name[k] && k + 1 < sizeof ident; k++)
        ident[k] = (name[k] >= 'a' && name[k] <= 'z') || (name[k] >= 'A' && name[k] <= 'Z') ||
                   (name[k] >= '0' && name[k] <= '9') ? name[k] : '_';
    ident[k] = '\0';
    if (o->dir) {
        snprintf(cpath, sizeof cpath, "%s/%s.c", o->dir, ident);
        snprintf(hpath, sizeof hpath, "%s/%s.h", o->dir, ident);
    } else {
        size_t n = strlen(o->cfile);
        if (n < 3 || strcmp(o->cfile + n - 2, ".c") != 0)
            return tn_cli_err(err, TN_EINVAL, "%s: the C file's name must end in .c", o->cfile);
        snprintf(cpath, sizeof cpath, "%s", o->cfile);
        snprintf(hpath, sizeof hpath, "%.*s.h", (int)(n - 2), o->cfile);
    }
    const char *slash = strrchr(hpath, '/'), *hname = slash ? slash + 1 : hpath;
    char *src = NULL, *hdr = NULL;
    int rc = tn_export_c(m, name, hname, &src, &hdr, err);
    if (rc == TN_OK && !(rc = tn_write_file(cpath, src, strlen(src), err)))
        rc = tn_write_file(hpath, hdr, strlen(hdr), err);
    if (rc == TN_OK)
        printf("wrote %s and %s\n", cpath, hpath);
    tn_free(src);
    tn_free(hdr);
    return rc;
}

static int write_onnx(const tn_model *m, const opts *o, tn_error *err)
{
    unsigned char *bytes = NULL;
    size_t len = 0;
    int rc = tn_export_onnx(m, &bytes, &len, err);
    if (rc == TN_OK && !(rc = tn_write_file(o->onnx, bytes, len, err)))
        printf("wrote %s (%zu bytes)\n", o->onnx, len);
    tn_free(bytes);
    return rc;
}

/* Without labels (a recommender's ratings file, say): how far the int8 outputs are from the
 * float ones over the rows. */
static int output_difference(const tn_model *fm, const tn_model *qm, const char *what,
                             const char *const *paths, int n, tn_error *err)
{
    tn_data *d = NULL;
    float *a = NULL, *b = NULL;
    int rc = tn_data_read(fm, paths, n, 0, &d, err);
    size_t rows = tn_data_rows(d), W = tn_model_output_width(fm);
    if (rc == TN_OK && (!(a = malloc((rows * W + 1) * sizeof *a)) ||
                        !(b = malloc((rows * W + 1) * sizeof *b))))
        rc = tn_cli_err(err, TN_ENOMEM, "out of memory");
    if (rc == TN_OK && !(rc = tn_predict_data(fm, d, a, err)))
        rc = tn_predict_data(qm, d, b, err);
    double max = 0.0, sum = 0.0;
    for (size_t k = 0; rc == TN_OK && k < rows * W; k++) {
        double e = a[k] > b[k] ? (double)a[k] - b[k] : (double)b[k] - a[k];
        max = e > max ? e : max;
        sum += e;
    }
    if (rc == TN_OK)
        printf("%-10s %-28s %8zu rows  no labels: |float - int8| of the outputs: mean %.6f, "
               "max %.6f\n", what, paths[0], rows, rows ? sum / (double)(rows * W) : 0.0, max);
    free(a);
    free(b);
    tn_data_free(d);
    return rc;
}

/* The metric of the float and the int8 model on the files of one data set. */
static int compare_on(const tn_model *fm, const tn_model *qm, const char *what,
                      const char *const *paths, int n, tn_error *err)
{
    tn_data *d = NULL;
    tn_metrics a, b;
    int rc = tn_data_read(fm, paths, n, TN_DATA_TARGETS, &d, err);
    if (rc != TN_OK && rc != TN_ENOMEM) /* no labels in this file */
        return output_difference(fm, qm, what, paths, n, err);
    if (rc == TN_OK && !(rc = tn_evaluate(fm, d, &a, err)))
        rc = tn_evaluate(qm, d, &b, err);
    if (rc == TN_OK) {
        printf("%-10s %-28s %8zu rows  loss %.6f -> %.6f", what, paths[0], a.rows, a.loss, b.loss);
        if (a.accuracy == a.accuracy)
            printf("  accuracy %.4f -> %.4f (%+.2f points)", a.accuracy, b.accuracy,
                   100.0 * (b.accuracy - a.accuracy));
        printf("\n");
    }
    tn_data_free(d);
    return rc;
}

/* The int8 model of m, calibrated on --calibrate's data, with the metric before and after. */
static int quantize(const tn_model *m, const opts *o, tn_model **qm, tn_error *err)
{
    tn_data *d = NULL;
    int rc = tn_data_read(m, o->calib, o->n_calib, 0, &d, err);
    size_t rows = tn_data_rows(d);
    if (rc == TN_OK)
        rc = tn_model_quantize(m, d, qm, err);
    tn_data_free(d);
    if (rc)
        return rc;
    printf("int8: weights per output unit, activations calibrated on %zu rows; float -> int8\n",
           rows);
    rc = compare_on(m, *qm, "calibrate", o->calib, o->n_calib, err);
    if (rc == TN_OK && o->n_eval)
        rc = compare_on(m, *qm, "eval", o->eval, o->n_eval, err);
    return rc;
}

/* Collects DATA arguments after --calibrate/--eval until the next option. */
static int data_args(int argc, char **argv, int *i, const char **slot, int *n)
{
    while (*i + 1 < argc && argv[*i + 1][0] != '-' && *n < 4)
        slot[(*n)++] = argv[++*i];
    return *n > 0;
}

static int parse(int argc, char **argv, opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r;
        if ((r = tn_cli_option(argc, argv, &i, "--c", &v)) != 0)
            o->dir = v;
        else if ((r = tn_cli_option(argc, argv, &i, "-o", &v)) != 0)
            o->cfile = v;
        else if ((r = tn_cli_option(argc, argv, &i, "--onnx", &v)) != 0)
            o->onnx = v;
        else if ((r = tn_cli_option(argc, argv, &i, "--name", &v)) != 0)
            o->name = v;
        else if (strcmp(argv[i], "--int8") == 0)
            o->int8 = r = 1;
        else if (strcmp(argv[i], "--calibrate") == 0)
            r = data_args(argc, argv, &i, o->calib, &o->n_calib) ? 1 : -1;
        else if (strcmp(argv[i], "--eval") == 0)
            r = data_args(argc, argv, &i, o->eval, &o->n_eval) ? 1 : -1;
        if (r < 0)
            return tn_cli_usage("export", usage, "%s needs a value", argv[i]);
        if (r == 0 && tn_cli_positional("export", usage, i, argv[i], &o->model))
            return TN_EXIT_USAGE;
    }
    if (!o->model)
        return tn_cli_usage("export", usage, "expected MODEL");
    if (!!o->dir + !!o->cfile + !!o->onnx != 1)
        return tn_cli_usage("export", usage, "give one of --c DIR, -o FILE.c and --onnx FILE");
    if (o->int8 != (o->n_calib > 0))
        return tn_cli_usage("export", usage, "--int8 and --calibrate DATA go together");
    if (o->int8 && o->onnx)
        return tn_cli_usage("export", usage, "the ONNX export is float only");
    if (o->n_eval && !o->int8)
        return tn_cli_usage("export", usage, "--eval compares float and int8: give --int8");
    return 0;
}

int tn_cli_export(int argc, char **argv)
{
    if (tn_cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "--c DIR      write DIR/NAME.c and DIR/NAME.h: dependency-free C99 (no malloc,\n"
               "             no stdio), int NAME_predict(const float *in, float *out, void *scratch)\n"
               "-o FILE.c    the same into FILE.c and FILE.h\n"
               "--onnx FILE  an ONNX model (opset 17) for ONNX Runtime and other ONNX tools\n"
               "--name NAME  the C prefix (default: the model's name)\n"
               "--int8 --calibrate DATA\n"
               "             int8 C code: weights per output unit, activations calibrated on\n"
               "             DATA (in the model's data format); prints the metric on DATA before\n"
               "             and after quantization (and on --eval DATA)\n", usage);
        return TN_EXIT_OK;
    }
    opts o = {0};
    int bad = parse(argc, argv, &o);
    if (bad)
        return bad;
    tn_error err = {0};
    tn_model *m = NULL;
    tn_model *qm = NULL;
    int rc = tn_model_load(o.model, 0, &m, &err);
    if (rc == TN_OK && o.int8)
        rc = quantize(m, &o, &qm, &err);
    if (rc == TN_OK)
        rc = o.onnx ? write_onnx(m, &o, &err) : write_c(qm ? qm : m, &o, &err);
    tn_model_free(qm);
    tn_model_free(m);
    return rc ? tn_cli_fail(&err) : TN_EXIT_OK;
}
