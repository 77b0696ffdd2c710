#include "data/load.h"

#include "core/alloc.h"
#include "core/error.h"
#include "data/csv.h"
#include "data/idx.h"
#include "core/json.h"
#include "loss/loss.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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

static void gather(const tn_table *tab, const int *idx, size_t n, float *dst)
{
    for (size_t r = 0; r < tab->rows; r++)
        for (size_t k = 0; k < n; k++)
            dst[r * n + k] = tab->values[r * tab->cols + (size_t)idx[k]];
}

int tn__data_load_csv(const char *path, const tn_net *net, const tn_columns *cols,
                      const tn_target_rule *targets, tn_dataset **out, tn_error *err)
{
    tn_table *tab;
    *out = NULL;
    int rc = tn__csv_read(path, &tab, err);
    if (rc == TN_OK)
        rc = tn__data_from_table(path, tab, net, cols, targets, out, err);
    tn__table_free(tab);
    return rc;
}

int tn__data_from_table(const char *path, const tn_table *tab, const tn_net *net,
                        const tn_columns *cols, const tn_target_rule *targets,
                        tn_dataset **out, tn_error *err)
{
    *out = NULL;
    int rc;
    size_t widths[TN_MAX_INPUTS];
    for (int i = 0; i < net->n_inputs; i++)
        widths[i] = net->nodes[i].width;
    size_t tw = targets ? cols->target.n : 0;
    tn_origin origin = {path, tab->lines};
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
                rc = tn__check_ids(&origin, &net->nodes[i], spec->names[0], d->x[i], d->rows,
                                   err);
        }
    }
    if (rc == TN_OK && tw) {
        if (tw > sizeof idx / sizeof idx[0])
            rc = tn__err(err, TN_EDATA, "%s: too many target columns", path);
        else if (!(rc = find_columns(path, tab, &cols->target, idx, err))) {
            gather(tab, idx, tw, d->t);
            rc = tn__check_targets(&origin, targets, d, cols->target.names[0], err);
        }
    }
    if (rc) {
        tn__dataset_free(d);
        return rc;
    }
    *out = d;
    return TN_OK;
}

static float idx_type_max(int type)
{
    switch (type) {
    case 0x08: return 255.0f;
    case 0x09: return 127.0f;
    case 0x0B: return 32767.0f;
    case 0x0C: return 2147483647.0f;
    default: return 0.0f; /* float types */
    }
}

int tn__data_load_idx(const char *images, const char *labels, const tn_net *net,
                      tn_dataset **out, float *type_max, tn_error *err)
{
    *out = NULL;
    tn_idx *im = NULL, *lb = NULL;
    tn_dataset *d = NULL;
    size_t W = net->nodes[net->output].width;
    int rc = tn__idx_read(images, &im, err);
    if (rc == TN_OK && labels && !(rc = tn__idx_read(labels, &lb, err)))
        rc = tn__idx_check_pair(im, images, lb, labels, W, err);
    if (rc == TN_OK && im->ndim < 2)
        rc = tn__err(err, TN_ESHAPE, "%s: images need at least 2 dimensions (count x "
                     "features), got %d", images, im->ndim);
    if (rc == TN_OK && (net->n_inputs != 1 || net->nodes[0].kind != TN_NODE_FLOAT_INPUT))
        rc = tn__err(err, TN_ESHAPE, "%s: images feed a network with one float input",
                     images);
    if (rc == TN_OK && im->item != net->nodes[0].width)
        rc = tn__err(err, TN_ESHAPE, "%s: each image has %zu values, but input \"%s\" has "
                     "width %zu", images, im->item, net->nodes[0].name, net->nodes[0].width);
    if (rc == TN_OK && !(d = tn__calloc(1, sizeof *d)))
        rc = tn__err(err, TN_ENOMEM, "out of memory");
    if (rc == TN_OK) {
        /* The reader's float buffers become the dataset's: no copy of 47 M values. */
        d->rows = im->count;
        d->n_inputs = 1;
        d->width[0] = im->item;
        d->x[0] = im->values;
        im->values = NULL;
        if (lb) {
            d->t = lb->values;
            d->t_width = 1;
            lb->values = NULL;
        }
        *type_max = idx_type_max(im->type);
        *out = d;
    }
    tn__idx_free(im);
    tn__idx_free(lb);
    return rc;
}

int tn__data_load_fashion(int which, const tn_net *net, tn_dataset **out, float *type_max,
                          tn_error *err)
{
    char images[4096], labels[4096];
    *out = NULL;
    int rc = tn__fashion_paths(which, images, sizeof images, labels, sizeof labels, err);
    return rc ? rc : tn__data_load_idx(images, labels, net, out, type_max, err);
}

/* which: 0 train, 1 test. *out NULL (and TN_OK) when the config names no test set. */
static int load_part(const tn_config *c, int which, tn_dataset **out, float *type_max,
                     tn_error *err)
{
    const tn_data_cfg *d = &c->data;
    const char *path = which ? d->test : d->train;
    *out = NULL;
    if (d->format == TN_DATA_FASHION)
        return tn__data_load_fashion(which, c->net, out, type_max, err);
    if (!path)
        return TN_OK;
    if (d->format == TN_DATA_IDX)
        return tn__data_load_idx(path, which ? d->test_labels : d->train_labels, c->net, out,
                                 type_max, err);
    *type_max = 0;
    tn_target_rule rule = tn__loss_target_rule(&c->loss, c->net->nodes[c->net->output].width);
    return tn__data_load_csv(path, c->net, &d->columns, &rule, out, err);
}

int tn__data_load_config(const tn_config *c, tn_dataset **train, tn_dataset **val,
                         int *val_is_test, tn_scaling *scaling, tn_error *err)
{
    *train = *val = NULL;
    *val_is_test = 0;
    memset(scaling, 0, sizeof *scaling);
    float type_max = 0, unused;
    int rc = load_part(c, 0, train, &type_max, err);
    if (rc == TN_OK && !(rc = load_part(c, 1, val, &unused, err)) && *val) {
        *val_is_test = 1;
    } else if (rc == TN_OK && c->data.holdout > 0) {
        tn_dataset *all = *train;
        rc = tn__dataset_split(all, c->data.holdout, c->train.seed, train, val, err);
        tn__dataset_free(all);
    }
    if (rc == TN_OK &&
        !(rc = tn__scaling_fit(scaling, c->data.scaling, type_max, c->net, *train, err))) {
        tn__scaling_apply(scaling, *train);
        tn__scaling_apply(scaling, *val);
    }
    if (rc) {
        tn__dataset_free(*train);
        tn__dataset_free(*val);
        *train = *val = NULL;
    }
    return rc;
}
