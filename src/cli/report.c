#include "report.h"

#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tn_cli_print_confusion(const char *label, const tn_model *m, const tn_data *d,
                           tn_error *err)
{
    size_t W = tn_model_output_width(m);
    if (W < 2)
        return TN_OK;
    size_t *cm = calloc(W * W, sizeof *cm);
    if (!cm)
        return tn_cli_err(err, TN_ENOMEM, "out of memory for a confusion matrix");
    int rc = tn_confusion(m, d, cm, err);
    if (rc) {
        free(cm);
        return rc;
    }
    printf("\nconfusion matrix (%s; rows: true class, columns: predicted class)\n", label);
    printf("%-16s", "");
    for (size_t k = 0; k < W; k++)
        printf(" %6zu", k);
    printf("  recall\n");
    for (size_t i = 0; i < W; i++) {
        size_t row = 0;
        char name[32];
        const char *cls = tn_model_class_name(m, i);
        if (cls)
            snprintf(name, sizeof name, "%zu %s", i, cls);
        else
            snprintf(name, sizeof name, "%zu", i);
        printf("%-16s", name);
        for (size_t k = 0; k < W; k++) {
            printf(" %6zu", cm[i * W + k]);
            row += cm[i * W + k];
        }
        if (row)
            printf("  %.4f\n", (double)cm[i * W + i] / (double)row);
        else
            printf("  -\n");
    }
    free(cm);
    return TN_OK;
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
