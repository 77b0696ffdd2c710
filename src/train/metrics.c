#include "train/metrics.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- ROC AUC ----------------------------------------------------------------------- */

/* A NaN score (a diverged model) ranks below everything: qsort needs a total order. */
static float rankable(float s) { return isnan(s) ? -INFINITY : s; }

typedef struct scored {
    float s;
    int pos;
} scored;

static int by_score(const void *a, const void *b)
{
    float x = ((const scored *)a)->s, y = ((const scored *)b)->s;
    return (x > y) - (x < y);
}

/* ROC AUC with v as the sorting space (n pairs). */
static double auc_sorted(const float *score, const float *label, size_t n, scored *v)
{
    size_t n_pos = 0;
    for (size_t i = 0; i < n; i++) {
        v[i] = (scored){rankable(score[i]), label[i] > 0.5f};
        n_pos += (size_t)v[i].pos;
    }
    qsort(v, n, sizeof *v, by_score);
    /* Sum of the positives' mid-ranks (1-based) over runs of equal scores. */
    double rank_sum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i, pos = 0;
        while (j < n && v[j].s == v[i].s)
            pos += (size_t)v[j++].pos;
        rank_sum += (double)pos * ((double)(i + 1) + (double)j) / 2;
        i = j;
    }
    size_t n_neg = n - n_pos;
    if (!n_pos || !n_neg)
        return NAN;
    return (rank_sum - (double)n_pos * (double)(n_pos + 1) / 2) /
           ((double)n_pos * (double)n_neg);
}

int tn__roc_auc(const float *score, const float *label, size_t n, double *auc, tn_error *err)
{
    *auc = NAN;
    scored *v = tn__calloc(n ? n : 1, sizeof *v);
    if (!v)
        return tn__err(err, TN_ENOMEM, "out of memory for %zu scores", n);
    *auc = auc_sorted(score, label, n, v);
    tn__free(v);
    return TN_OK;
}

const char *const tn__metric_names[TN__M_COUNT + 1] = {
    "loss", "accuracy", "precision", "recall", "f1", "auc", "macro_precision",
    "macro_recall", "macro_f1", "mse", "rmse", "mae", "r2", NULL};

int tn__metric_find(const char *name)
{
    for (int k = 0; k < TN__M_COUNT; k++)
        if (strcmp(name, tn__metric_names[k]) == 0)
            return k;
    return -1;
}

int tn__metric_applies(int k, int task)
{
    switch (k) {
    case TN__M_LOSS: return 1;
    case TN__M_ACCURACY: return task == TN__TASK_BINARY || task == TN__TASK_MULTICLASS;
    case TN__M_PRECISION: case TN__M_RECALL: case TN__M_F1: case TN__M_AUC:
        return task == TN__TASK_BINARY;
    case TN__M_MACRO_PRECISION: case TN__M_MACRO_RECALL: case TN__M_MACRO_F1:
        return task == TN__TASK_MULTICLASS;
    default: return task == TN__TASK_REGRESSION;
    }
}

int tn__metrics_task(const tn_loss *loss, size_t W)
{
    switch (loss->ops->target) {
    case TN_TARGET_CLASS: return W >= 2 ? TN__TASK_MULTICLASS : TN__TASK_OTHER;
    case TN_TARGET_PROB: return W == 1 ? TN__TASK_BINARY : TN__TASK_OTHER;
    case TN_TARGET_ANY: return TN__TASK_REGRESSION;
    default: return TN__TASK_OTHER;
    }
}

void tn__metrics_free(tn_metric_acc *a)
{
    tn__free(a->cm);
    tn__floats_free(a->score);
    tn__floats_free(a->label);
    tn__free(a->sort);
    tn__free(a->mean);
    memset(a, 0, sizeof *a);
}

int tn__metrics_init(tn_metric_acc *a, int task, size_t W, size_t tw, size_t rows,
                     double threshold, tn_error *err)
{
    memset(a, 0, sizeof *a);
    a->task = task;
    a->W = W;
    a->tw = tw;
    a->threshold = threshold;
    a->classes = task == TN__TASK_BINARY ? 2 : task == TN__TASK_MULTICLASS ? W : 0;
    size_t scores = task == TN__TASK_BINARY ? rows : 0;
    size_t cols = task == TN__TASK_REGRESSION ? W : 0;
    double bytes = (double)a->classes * (double)a->classes * sizeof(size_t) +
                   2.0 * (double)scores * sizeof(float) + (double)scores * sizeof(scored) +
                   4.0 * (double)cols * sizeof(double);
    int rc = tn__mem_check(bytes, "the metrics of an evaluation", err);
    if (rc)
        return rc;
    if ((a->classes && !(a->cm = tn__calloc(a->classes * a->classes, sizeof *a->cm))) ||
        (scores && (!(a->score = tn__floats_alloc(scores)) ||
                    !(a->label = tn__floats_alloc(scores)) ||
                    !(a->sort = tn__calloc(scores, sizeof(scored))))) ||
        (cols && !(a->mean = tn__calloc(4 * cols, sizeof *a->mean)))) {
        tn__metrics_free(a);
        return tn__err(err, TN_ENOMEM, "out of memory for the metrics of %zu rows", rows);
    }
    if (cols) {
        a->m2 = a->mean + cols;
        a->se = a->m2 + cols;
        a->ae = a->se + cols;
    }
    a->cap = task == TN__TASK_BINARY ? rows : (size_t)-1;
    return TN_OK;
}

void tn__metrics_reset(tn_metric_acc *a)
{
    if (a->cm)
        memset(a->cm, 0, a->classes * a->classes * sizeof *a->cm);
    if (a->mean)
        memset(a->mean, 0, 4 * a->W * sizeof *a->mean);
    a->n = 0;
}

static size_t argmax(const float *v, size_t n)
{
    size_t k = 0;
    for (size_t i = 1; i < n; i++)
        if (v[i] > v[k])
            k = i;
    return k;
}

void tn__metrics_add(tn_metric_acc *a, const float *y, const float *t, size_t B)
{
    size_t W = a->W, tw = a->tw;
    for (size_t i = 0; i < B && a->n < a->cap; i++, a->n++) {
        const float *yi = y + i * W, *ti = t + i * tw;
        if (a->task == TN__TASK_BINARY) {
            int truth = ti[0] >= 0.5f, pred = (double)yi[0] >= a->threshold;
            a->cm[truth * 2 + pred]++;
            a->score[a->n] = yi[0];
            a->label[a->n] = (float)truth;
        } else if (a->task == TN__TASK_MULTICLASS) {
            size_t truth = tw == 1 ? (size_t)ti[0] : argmax(ti, tw);
            if (truth < W)
                a->cm[truth * W + argmax(yi, W)]++;
        } else if (a->task == TN__TASK_REGRESSION) {
            double n = (double)(a->n + 1);
            for (size_t k = 0; k < W && k < tw; k++) {
                double e = (double)yi[k] - (double)ti[k], d = (double)ti[k] - a->mean[k];
                a->se[k] += e * e;
                a->ae[k] += fabs(e);
                a->mean[k] += d / n;
                a->m2[k] += d * ((double)ti[k] - a->mean[k]);
            }
        }
    }
}

void tn__metrics_class(const tn_metric_acc *a, size_t k, double *precision, double *recall,
                       double *f1, size_t *support)
{
    size_t C = a->classes, tp = a->cm[k * C + k], row = 0, col = 0;
    for (size_t j = 0; j < C; j++) {
        row += a->cm[k * C + j];
        col += a->cm[j * C + k];
    }
    *precision = col ? (double)tp / (double)col : 0;
    *recall = row ? (double)tp / (double)row : 0;
    *f1 = *precision + *recall > 0 ? 2 * *precision * *recall / (*precision + *recall) : 0;
    if (support)
        *support = row;
}

int tn__metrics_compute(const tn_metric_acc *a, double *v, tn_error *err)
{
    for (int k = TN__M_ACCURACY; k < TN__M_COUNT; k++)
        v[k] = NAN;
    if (a->n == 0)
        return TN_OK;
    if (a->classes) {
        size_t C = a->classes, diag = 0;
        for (size_t k = 0; k < C; k++)
            diag += a->cm[k * C + k];
        v[TN__M_ACCURACY] = (double)diag / (double)a->n;
    }
    if (a->task == TN__TASK_BINARY) {
        tn__metrics_class(a, 1, &v[TN__M_PRECISION], &v[TN__M_RECALL], &v[TN__M_F1], NULL);
        (void)err;
        v[TN__M_AUC] = auc_sorted(a->score, a->label, a->n, a->sort);
        return TN_OK;
    }
    if (a->task == TN__TASK_MULTICLASS) {
        double sp = 0, sr = 0, sf = 0;
        size_t used = 0;
        for (size_t k = 0; k < a->classes; k++) {
            double p, r, f;
            size_t support, predicted = 0;
            tn__metrics_class(a, k, &p, &r, &f, &support);
            for (size_t j = 0; j < a->classes; j++)
                predicted += a->cm[j * a->classes + k];
            if (!support && !predicted) /* a class the rows never mention */
                continue;
            sp += p;
            sr += r;
            sf += f;
            used++;
        }
        v[TN__M_MACRO_PRECISION] = sp / (double)used;
        v[TN__M_MACRO_RECALL] = sr / (double)used;
        v[TN__M_MACRO_F1] = sf / (double)used;
    }
    if (a->task == TN__TASK_REGRESSION) {
        size_t W = a->W < a->tw ? a->W : a->tw;
        double se = 0, ae = 0, r2 = 0;
        for (size_t k = 0; k < W; k++) {
            se += a->se[k];
            ae += a->ae[k];
            r2 += a->m2[k] > 0 ? 1 - a->se[k] / a->m2[k] : a->se[k] == 0 ? 1 : 0;
        }
        double n = (double)a->n * (double)W;
        v[TN__M_MSE] = se / n;
        v[TN__M_RMSE] = sqrt(se / n);
        v[TN__M_MAE] = ae / n;
        v[TN__M_R2] = r2 / (double)W;
    }
    return TN_OK;
}

