#include "report.h"

#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "k" or "k name" for class k's row, cut to at most 40 bytes on a UTF-8 boundary. */
enum { LABEL_MAX = 40 };
static void class_label(const tn_model *m, size_t k, char *buf, size_t n)
{
    const char *cls = m ? tn_model_class_name(m, k) : NULL;
    if (cls)
        snprintf(buf, n, "%zu %s", k, cls);
    else
        snprintf(buf, n, "%zu", k);
    size_t len = strlen(buf);
    if (len > LABEL_MAX) {
        len = LABEL_MAX;
        while (len > 0 && ((unsigned char)buf[len] & 0xC0) == 0x80)
            len--;
        buf[len] = '\0';
    }
}

/* The width of the label column: the longest label (in characters), at least 16. */
static int label_width(const tn_model *m, size_t classes)
{
    int w = 16;
    for (size_t k = 0; k < classes; k++) {
        char name[4 * LABEL_MAX];
        class_label(m, k, name, sizeof name);
        int chars = 0;
        for (const char *p = name; *p; p++)
            chars += ((unsigned char)*p & 0xC0) != 0x80;
        if (chars > w)
            w = chars;
    }
    return w;
}

/* A label padded to w characters (printf pads bytes, not characters). */
static void print_label(const char *name, int w)
{
    int chars = 0;
    for (const char *p = name; *p; p++)
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    printf("%s%*s", name, w > chars ? w - chars : 0, "");
}

static void print_confusion(const char *label, const tn_model *m, const tn_report *r)
{
    size_t W;
    const size_t *cm = tn_report_confusion(r, &W);
    if (!cm)
        return;
    printf("\nconfusion matrix (%s; rows: true class, columns: predicted class", label);
    if (tn_report_task(r) == TN_TASK_BINARY)
        printf("; a score >= %g is class 1", tn_report_threshold(r));
    int w = label_width(m, W);
    printf(")\n%*s", w, "");
    for (size_t k = 0; k < W; k++)
        printf(" %6zu", k);
    printf("  recall\n");
    for (size_t i = 0; i < W; i++) {
        size_t row = 0;
        char name[4 * LABEL_MAX];
        class_label(m, i, name, sizeof name);
        print_label(name, w);
        for (size_t k = 0; k < W; k++) {
            printf(" %6zu", cm[i * W + k]);
            row += cm[i * W + k];
        }
        if (row)
            printf("  %.4f\n", (double)cm[i * W + i] / (double)row);
        else
            printf("  -\n");
    }
}

static void print_value(const tn_report *r, const char *name)
{
    double v = tn_report_metric(r, name);
    if (isnan(v))
        printf("  %s -", name);
    else
        printf("  %s %.4f", name, v);
}

void tn_cli_print_report(const char *label, const tn_model *m, const tn_report *r)
{
    int task = tn_report_task(r);
    print_confusion(label, m, r);
    if (task == TN_TASK_BINARY) {
        printf("metrics (%s):", label);
        print_value(r, "precision");
        print_value(r, "recall");
        print_value(r, "f1");
        print_value(r, "auc");
        printf("\n");
    } else if (task == TN_TASK_MULTICLASS) {
        size_t W;
        tn_report_confusion(r, &W);
        int w = label_width(m, W);
        printf("\n%-*s %9s %9s %9s %9s   (%s)\n", w, "class", "precision", "recall", "f1",
               "support", label);
        for (size_t k = 0; k < W; k++) {
            double p, rc, f;
            size_t n;
            char name[4 * LABEL_MAX];
            tn_report_class(r, k, &p, &rc, &f, &n);
            class_label(m, k, name, sizeof name);
            print_label(name, w);
            printf(" %9.4f %9.4f %9.4f %9zu\n", p, rc, f, n);
        }
        printf("%-*s %9.4f %9.4f %9.4f %9zu\n", w, "macro average",
               tn_report_metric(r, "macro_precision"), tn_report_metric(r, "macro_recall"),
               tn_report_metric(r, "macro_f1"), tn_report_metrics(r)->rows);
    } else if (task == TN_TASK_REGRESSION) {
        printf("metrics (%s):", label);
        print_value(r, "mse");
        print_value(r, "rmse");
        print_value(r, "mae");
        print_value(r, "r2");
        printf("\n");
    }
}

cJSON *tn_cli_report_json(const tn_report *r)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    int ok = cJSON_AddNumberToObject(o, "rows", (double)tn_report_metrics(r)->rows) != NULL;
    for (size_t k = 0; ok && k < TN_METRIC_COUNT; k++) {
        double v = tn_report_metric(r, tn_metric_name(k));
        if (!isnan(v))
            ok = cJSON_AddNumberToObject(o, tn_metric_name(k), v) != NULL;
    }
    size_t W;
    const size_t *cm = tn_report_confusion(r, &W);
    if (ok && cm) {
        if (tn_report_task(r) == TN_TASK_BINARY)
            ok = cJSON_AddNumberToObject(o, "threshold", tn_report_threshold(r)) != NULL;
        cJSON *rows = ok ? cJSON_AddArrayToObject(o, "confusion") : NULL;
        ok = rows != NULL;
        for (size_t i = 0; ok && i < W; i++) {
            cJSON *row = cJSON_CreateArray();
            ok = row && cJSON_AddItemToArray(rows, row);
            for (size_t k = 0; ok && k < W; k++)
                ok = cJSON_AddItemToArray(row, cJSON_CreateNumber((double)cm[i * W + k]));
        }
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

void tn_cli_print_ranking(const tn_ranking *r)
{
    printf("ranking    %zu users, each held-out positive against up to %d unrated items; "
           "%zu held-out pairs\n", r->users, r->candidates, r->pairs);
    char hr[16], ndcg[16];
    snprintf(hr, sizeof hr, "HR@%d", r->top_k);
    snprintf(ndcg, sizeof ndcg, "NDCG@%d", r->top_k);
    printf("%-10s %8s %8s %8s %8s\n", "scorer", "logloss", "AUC", hr, ndcg);
    printf("%-10s %8.4f %8.4f %8.4f %8.4f\n", "model", r->model.logloss, r->model.auc,
           r->model.hr, r->model.ndcg);
    printf("%-10s %8s %8.4f %8.4f %8.4f\n", "popularity", "-", r->popularity.auc,
           r->popularity.hr, r->popularity.ndcg);
}
