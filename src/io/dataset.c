#include "io/dataset.h"

#include "core/alloc.h"
#include "core/error.h"
#include "io/csv.h"
#include "io/jsonread.h"
#include "net/loss.h"

#include <math.h>
#include <stdio.h>

static int find_columns(const char *path, const tn_table *tab, const tn_colspec *spec, int *idx,
                        tn_error *err)
{
    for (size_t k = 0; k < spec->n; k++) {
        idx[k] = tn__table_column(tab, spec->names[k]);
        if (idx[k] >= 0)
            continue;
        const char **names = tn__calloc(tab->cols + 1, sizeof *names);
        const char *hint = NULL;
        if (names) {
            for (size_t c = 0; c < tab->cols; c++)
                names[c] = tab->names[c];
            hint = tn__jr_suggest(spec->names[k], names);
        }
        tn__free(names); /* hint points into tab, not into names */
        if (hint)
            return tn__err(err, TN_EDATA, "%s: no column \"%s\" (did you mean \"%s\"?)", path,
                           spec->names[k], hint);
        return tn__err(err, TN_EDATA, "%s: no column \"%s\" (the header has %zu columns, "
                       "first \"%s\")", path, spec->names[k], tab->cols, tab->names[0]);
    }
    return TN_OK;
}

static int check_ids(const char *path, const tn_node *in, const char *col, const float *x,
                     size_t rows, tn_error *err)
{
    for (size_t r = 0; r < rows; r++)
        if (x[r] < 0 || x[r] >= (float)in->vocab || x[r] != floorf(x[r]))
            return tn__err(err, TN_EDATA, "%s: data row %zu: column \"%s\": id %g is not an "
                           "integer in [0, %zu) (input \"%s\")", path, r + 1, col, (double)x[r],
                           in->vocab, in->name);
    return TN_OK;
}

static int check_targets(const char *path, int loss, size_t out_width, const tn_dataset *d,
                         const char *col, tn_error *err)
{
    for (size_t r = 0; r < d->rows; r++) {
        for (size_t k = 0; k < d->t_width; k++) {
            float t = d->t[r * d->t_width + k];
            int class_index = loss == TN_LOSS_CCE && d->t_width == 1;
            if (class_index && (t < 0 || t >= (float)out_width || t != floorf(t)))
                return tn__err(err, TN_EDATA, "%s: data row %zu: column \"%s\": class %g is "
                               "not an integer in [0, %zu)", path, r + 1, col, (double)t,
                               out_width);
            if (!class_index && loss != TN_LOSS_MSE && (t < 0 || t > 1))
                return tn__err(err, TN_EDATA, "%s: data row %zu: target %g is outside [0, 1], "
                               "which %s needs", path, r + 1, (double)t, tn__loss_names[loss]);
        }
    }
    return TN_OK;
}

static void gather(const tn_table *tab, const int *idx, size_t n, float *dst)
{
    for (size_t r = 0; r < tab->rows; r++)
        for (size_t k = 0; k < n; k++)
            dst[r * n + k] = tab->values[r * tab->cols + (size_t)idx[k]];
}

int tn__data_load_csv(const char *path, const tn_net *net, const tn_columns *cols,
                      int with_target, int loss, tn_dataset **out, tn_error *err)
{
    *out = NULL;
    tn_table *tab;
    int rc = tn__csv_read(path, &tab, err);
    if (rc)
        return rc;
    size_t widths[TN_MAX_INPUTS];
    for (int i = 0; i < net->n_inputs; i++)
        widths[i] = net->nodes[i].width;
    size_t tw = with_target ? cols->target.n : 0;
    tn_dataset *d = NULL;
    int idx[TN_MAX_WIDTH < 4096 ? TN_MAX_WIDTH : 4096];
    rc = tn__dataset_new(tab->rows, net->n_inputs, widths, tw, &d, err);
    for (int i = 0; rc == TN_OK && i < net->n_inputs; i++) {
        const tn_colspec *spec = &cols->in[i];
        if (spec->n > sizeof idx / sizeof idx[0])
            rc = tn__err(err, TN_EDATA, "%s: too many columns for one input", path);
        else if (!(rc = find_columns(path, tab, spec, idx, err))) {
            gather(tab, idx, spec->n, d->x[i]);
            if (net->nodes[i].kind == TN_NODE_INDEX_INPUT)
                rc = check_ids(path, &net->nodes[i], spec->names[0], d->x[i], d->rows, err);
        }
    }
    if (rc == TN_OK && tw) {
        if (tw > sizeof idx / sizeof idx[0])
            rc = tn__err(err, TN_EDATA, "%s: too many target columns", path);
        else if (!(rc = find_columns(path, tab, &cols->target, idx, err))) {
            gather(tab, idx, tw, d->t);
            rc = check_targets(path, loss, net->nodes[net->output].width, d,
                               cols->target.names[0], err);
        }
    }
    tn__table_free(tab);
    if (rc) {
        tn__dataset_free(d);
        return rc;
    }
    *out = d;
    return TN_OK;
}
