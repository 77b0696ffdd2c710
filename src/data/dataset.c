/* Datasets in memory, and the checks every data format applies to ids and targets. */
#include "data/dataset.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int tn__dataset_new(size_t rows, int n_inputs, const size_t *widths, size_t t_width,
                    tn_dataset **out, tn_error *err)
{
    *out = NULL;
    if (n_inputs < 1 || n_inputs > TN_MAX_INPUTS)
        return tn__err(err, TN_EINVAL, "a dataset has 1 to %d inputs, got %d", TN_MAX_INPUTS,
                       n_inputs);
    double floats = (double)rows * (double)t_width;
    for (int i = 0; i < n_inputs; i++)
        floats += (double)rows * (double)widths[i];
    char what[96];
    snprintf(what, sizeof what, "%zu rows of data", rows);
    int rc = tn__mem_check(floats * sizeof(float), what, err);
    if (rc)
        return rc;
    tn_dataset *d = tn__calloc(1, sizeof *d);
    if (!d)
        return tn__err(err, TN_ENOMEM, "out of memory");
    d->rows = rows;
    d->n_inputs = n_inputs;
    d->t_width = t_width;
    int ok = 1;
    for (int i = 0; i < n_inputs && ok; i++) {
        size_t n;
        d->width[i] = widths[i];
        ok = !tn__mul_size(rows, widths[i], &n) && (d->x[i] = tn__floats_alloc(n));
    }
    if (ok && t_width) {
        size_t n;
        ok = !tn__mul_size(rows, t_width, &n) && (d->t = tn__floats_alloc(n));
    }
    if (!ok) {
        tn__dataset_free(d);
        return tn__err(err, TN_ENOMEM, "out of memory for a dataset of %zu rows", rows);
    }
    *out = d;
    return TN_OK;
}

void tn__dataset_free(tn_dataset *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->n_inputs; i++)
        tn__floats_free(d->x[i]);
    tn__floats_free(d->t);
    for (size_t r = 0; d->keys && r < d->rows; r++)
        tn__free(d->keys[r]);
    tn__free(d->keys);
    tn__free(d);
}

static void copy_row(const tn_dataset *src, size_t from, tn_dataset *dst, size_t to)
{
    for (int i = 0; i < src->n_inputs; i++)
        memcpy(dst->x[i] + to * src->width[i], src->x[i] + from * src->width[i],
               src->width[i] * sizeof(float));
    if (src->t)
        memcpy(dst->t + to * src->t_width, src->t + from * src->t_width,
               src->t_width * sizeof(float));
}

int tn__dataset_pick(const tn_dataset *d, const uint32_t *rows, size_t n, tn_dataset **out,
                     tn_error *err)
{
    int rc = tn__dataset_new(n, d->n_inputs, d->width, d->t_width, out, err);
    for (size_t i = 0; rc == TN_OK && i < n; i++)
        copy_row(d, rows[i], *out, i);
    return rc;
}

int tn__dataset_split(const tn_dataset *d, double fraction, unsigned long long seed,
                      tn_dataset **train, tn_dataset **val, tn_error *err)
{
    return tn__dataset_split_stream(d, fraction, seed, TN_STREAM_DATA, train, val, err);
}

int tn__dataset_split_stream(const tn_dataset *d, double fraction, unsigned long long seed,
                             unsigned stream, tn_dataset **train, tn_dataset **val,
                             tn_error *err)
{
    *train = *val = NULL;
    size_t n_val = (size_t)((double)d->rows * fraction + 0.5);
    if (d->rows > UINT32_MAX || n_val == 0 || n_val >= d->rows)
        return tn__err(err, TN_EDATA,
                       "cannot hold out %g of %zu rows: both parts need at least one row",
                       fraction, d->rows);
    uint32_t *perm = tn__calloc(d->rows, sizeof *perm);
    int rc = perm ? TN_OK : tn__err(err, TN_ENOMEM, "out of memory");
    if (rc == TN_OK)
        rc = tn__dataset_new(d->rows - n_val, d->n_inputs, d->width, d->t_width, train, err);
    if (rc == TN_OK)
        rc = tn__dataset_new(n_val, d->n_inputs, d->width, d->t_width, val, err);
    if (rc == TN_OK) {
        tn_rng rng;
        tn__rng_seed(&rng, seed, stream);
        for (size_t i = 0; i < d->rows; i++)
            perm[i] = (uint32_t)i;
        tn__rng_shuffle(&rng, perm, d->rows);
        for (size_t i = 0; i < d->rows; i++) {
            if (i < d->rows - n_val)
                copy_row(d, perm[i], *train, i);
            else
                copy_row(d, perm[i], *val, i - (d->rows - n_val));
        }
    } else {
        tn__dataset_free(*train);
        tn__dataset_free(*val);
        *train = *val = NULL;
    }
    tn__free(perm);
    return rc;
}

int tn__dataset_check(const tn_net *net, const tn_dataset *d, tn_error *err)
{
    if (d->n_inputs != net->n_inputs)
        return tn__err(err, TN_ESHAPE, "the data has %d inputs, the network %d", d->n_inputs,
                       net->n_inputs);
    for (int i = 0; i < d->n_inputs; i++)
        if (d->width[i] != net->nodes[i].width)
            return tn__err(err, TN_ESHAPE, "input \"%s\" has %zu features, the data %zu",
                           net->nodes[i].name, net->nodes[i].width, d->width[i]);
    if (d->rows == 0)
        return tn__err(err, TN_EDATA, "the data has no rows");
    return TN_OK;
}

void tn__dataset_scale(tn_dataset *d, const tn_scaling *s)
{
    if (!d || !s || s->kind == TN_SCALING_NONE || d->scaled)
        return;
    tn__scaling_apply_rows(s, d->x[s->input], d->rows, d->width[s->input]);
    d->scaled = 1;
}

/* Where row r came from: its line in the file when known. */
static const char *where(char *buf, size_t n, const size_t *lines, size_t r)
{
    if (lines)
        snprintf(buf, n, "line %zu", lines[r]);
    else
        snprintf(buf, n, "data row %zu", r + 1);
    return buf;
}

int tn__check_ids(const tn_origin *o, const tn_node *in, const char *col, const float *x,
                  size_t rows, tn_error *err)
{
    char at[48];
    for (size_t r = 0; r < rows; r++)
        if (x[r] < 0 || x[r] >= (float)in->vocab || x[r] != floorf(x[r]))
            return tn__err(err, TN_EDATA, "%s: %s: column \"%s\": id %g is not an integer in "
                           "[0, %zu) (input \"%s\")", o->name, where(at, sizeof at, o->lines, r),
                           col, (double)x[r], in->vocab, in->name);
    return TN_OK;
}

int tn__check_targets(const tn_origin *o, const tn_target_rule *rule, const tn_dataset *d,
                      const char *col, tn_error *err)
{
    char at[48];
    int class_index = rule->kind == TN_TARGET_CLASS && d->t_width == 1;
    for (size_t r = 0; r < d->rows; r++) {
        for (size_t k = 0; k < d->t_width; k++) {
            float t = d->t[r * d->t_width + k];
            if (class_index && (t < 0 || t >= (float)rule->classes || t != floorf(t)))
                return tn__err(err, TN_EDATA, "%s: %s: column \"%s\": class %g is not an "
                               "integer in [0, %zu)", o->name, where(at, sizeof at, o->lines, r),
                               col, (double)t, rule->classes);
            if (!class_index && rule->kind != TN_TARGET_ANY && (t < 0 || t > 1))
                return tn__err(err, TN_EDATA, "%s: %s: target %g is outside [0, 1], which %s "
                               "needs", o->name, where(at, sizeof at, o->lines, r), (double)t,
                               rule->needed_by);
        }
        /* One column per class: a one-hot or probability row, summing to 1. */
        if (rule->kind == TN_TARGET_CLASS && d->t_width > 1) {
            double sum = 0;
            for (size_t k = 0; k < d->t_width; k++)
                sum += d->t[r * d->t_width + k];
            if (fabs(sum - 1.0) > 1e-3)
                return tn__err(err, TN_EDATA, "%s: %s: the %zu target columns sum to %g; %s "
                               "needs one-hot or probability rows", o->name,
                               where(at, sizeof at, o->lines, r), d->t_width, sum,
                               rule->needed_by);
        }
    }
    return TN_OK;
}
