/* Metrics for scorers of (user, item) pairs: log-loss, ROC AUC, and hit rate / NDCG at k
 * for one positive ranked among sampled negatives. Pure functions of the scores. */
#ifndef TN_RECSYS_RANKMETRICS_H
#define TN_RECSYS_RANKMETRICS_H

#include "tinynet/tinynet.h"
#include "train/metrics.h"

#include <stddef.h>

/* Mean binary cross-entropy of probabilities p against 0/1 labels, p clamped to
 * [1e-7, 1 - 1e-7] so a confident mistake costs a large but finite amount. */
double tn__log_loss(const float *p, const float *label, size_t n);

/* ROC AUC is tn__roc_auc (train/metrics.h), shared with the metrics of evaluations. */

/* One positive with score pos against n_neg negatives: hit = 1 when it ranks in the top k,
 * ndcg = 1 / log2(rank + 2) then (rank 0-based). Ties are broken uniformly at random and the
 * expectation is returned, so a scorer cannot gain from ties: with g negatives above and e
 * equal, every rank in [g, g + e] is equally likely. */
void tn__rank_hit(float pos, const float *neg, size_t n_neg, size_t k, double *hit,
                  double *ndcg);

#endif
