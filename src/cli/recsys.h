/* The ratings path of `tinynet train`: implicit feedback, leave-one-out and the ranking
 * report printed after training (model beside the popularity baseline). */
#ifndef TN_CLI_RECSYS_H
#define TN_CLI_RECSYS_H

#include "io/config.h"
#include "io/model.h"
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

/* The ratings settings of model m: its training record's "data", else the defaults (inputs
 * "user" and "item"). *train: the recorded ratings file or NULL. */
int tn_cli_model_ratings_cfg(const tn_model *m, const char *name, tn_ratings_cfg *c,
                             const char **train, tn_error *err);
/* `tinynet predict` on a headerless u.data-style file: one score per line on stdout. */
int tn_cli_recsys_predict_pairs(const tn_model *m, const char *model, const char *path,
                                tn_error *err);

#endif
