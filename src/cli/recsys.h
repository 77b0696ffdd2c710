/* The ratings side of the command line: the ranking report printed after training (model
 * beside the popularity baseline), and scoring (user, item) pairs for predict/recommend. */
#ifndef TN_CLI_RECSYS_H
#define TN_CLI_RECSYS_H

#include "train/config.h"
#include "model/model.h"
#include "data/ratings.h"

/* Evaluates the trained net on the ranking set and prints the report on stdout. */
int tn_cli_recsys_report(const tn_config *c, const tn_implicit *im, const tn_rank_set *ranks,
                         tn_error *err);

/* The ratings settings of model m: its training record's "data", else the defaults (inputs
 * "user" and "item"). *train: the recorded ratings file or NULL. */
int tn_cli_model_ratings_cfg(const tn_model *m, const char *name, tn_ratings_cfg *c,
                             const char **train, tn_error *err);
/* `tinynet predict` on headerless u.data-style text (from the file or stream called name):
 * one score per line on stdout. */
int tn_cli_recsys_predict_pairs(const tn_model *m, const char *model, const char *name,
                                const char *text, size_t len, tn_error *err);

#endif
