/* The recommender's evaluation and serving: scores of (user, item) pairs, and the ranking
 * report (log-loss, AUC, HR@k, NDCG@k) beside a popularity baseline. */
#ifndef TN_RECSYS_RECSYS_H
#define TN_RECSYS_RECSYS_H

#include "data/implicit.h"
#include "recsys/rankmetrics.h"
#include "tinynet/recsys.h"

/* Log-loss and AUC on the held-out pairs, HR/NDCG@top_k on the rankings, for the model and
 * for the popularity baseline (score = training positives of the item; no log-loss), from
 * what the "ratings" format kept when it loaded the data. */
int tn__recsys_evaluate(const tn_net *net, const tn_ratings_extra *x, tn_ranking *out,
                        tn_error *err);

/* Scores (user, item) pairs with a two-input net; users/items after id_base. */
int tn__recsys_score(const tn_net *net, const tn_ratings_cfg *c, const uint32_t *users,
                     const uint32_t *items, size_t n, float *scores, tn_error *err);

/* The top best items user (after id_base) has not rated in rated, best first. */
int tn__recsys_recommend(const tn_net *net, const tn_ratings_cfg *c, const tn_ratings *rated,
                         uint32_t user, size_t top, tn_recommendation *out, size_t *n_out,
                         tn_error *err);

#endif
