/* The ratings path of `tinynet train`: implicit feedback, leave-one-out and the ranking
 * report printed after training (model beside the popularity baseline). */
#ifndef TN_CLI_RECSYS_H
#define TN_CLI_RECSYS_H

#include "io/config.h"
#include "io/ratings.h"

typedef struct tn_cli_recsys {
    tn_implicit *im;
    tn_rank_set *ranks;
} tn_cli_recsys;

/* Reads c->data.train, builds the training rows and the held-out pairs (*test). */
int tn_cli_recsys_load(const tn_config *c, tn_dataset **train, tn_dataset **test,
                       tn_cli_recsys *rs, tn_error *err);
/* Evaluates the trained net and prints the report on stdout. */
int tn_cli_recsys_report(const tn_config *c, const tn_cli_recsys *rs, tn_error *err);
void tn_cli_recsys_free(tn_cli_recsys *rs);

#endif
