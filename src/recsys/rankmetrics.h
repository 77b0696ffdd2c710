/* Metrics for scorers of (user, item) pairs: log-loss, ROC AUC, and hit rate / NDCG at k
 * for one positive ranked among sampled negatives. Pure functions of the scores. */
#ifndef TN_RECSYS_RANKMETRICS_H
#define TN_RECSYS_RANKMETRICS_H

#include "tinynet/tinynet.h"

#include <stddef.h>

/* Mean binary cross-entropy of probabilities p against 0/1 labels, p clamped to
 * [1e-7, 1 - 1e-7] so a confident mistake costs a large but finite amount. */
double tn__log_loss(const float *p, const float *label, size_t n);

/* ROC AUC: the probability that a random positive (label > 0.5) scores above a random
 * negative, ties counting one half (Mann-Whitney U with mid-ranks), so constant scores give
 * 0.5. NaN when either class is empty. Allocates n pairs for sorting (TN_ENOMEM). */
int tn__roc_auc(const float *score, const float *label, size_t n, double *auc, tn_error *err);

/* One positive with score pos against n_neg negatives: hit = 1 when it ranks in the top k,
 * ndcg = 1 / log2(rank + 2) then (rank 0-based). Ties are broken uniformly at random and the
 * expectation is returned, so a scorer cannot gain from ties: with g negatives above and e
 * equal, every rank in [g, g + e] is equally likely. */
void tn__rank_hit(float pos, const float *neg, size_t n_neg, size_t k, double *hit,
                  double *ndcg);

#endif
