#include "cli/report.h"

#include "core/alloc.h"
#include "core/error.h"

#include <stdio.h>

int tn_cli_print_confusion(const char *label, const tn_net *net, const tn_dataset *d,
                           const char *const *names, tn_error *err)
{
    size_t W = net->nodes[net->output].width, n;
    if (W < 2)
        return TN_OK;
    size_t *cm = tn__mul_size(W, W, &n) ? NULL : tn__calloc(n, sizeof *cm);
    if (!cm)
        return tn__err(err, TN_ENOMEM, "out of memory for a confusion matrix");
    int rc = tn__confusion(net, d, 256, cm, err);
    if (rc) {
        tn__free(cm);
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
        if (names)
            snprintf(name, sizeof name, "%zu %s", i, names[i]);
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
    tn__free(cm);
    return TN_OK;
}
