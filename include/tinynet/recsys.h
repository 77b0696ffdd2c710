/* tinynet recommenders: the ranking report of a model trained on ratings data, and the
 * best unseen items for a user. */
#ifndef TINYNET_RECSYS_H
#define TINYNET_RECSYS_H

#include "tinynet/tinynet.h"
#include "tinynet/train.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Scores of one scorer on the held-out users. */
typedef struct tn_rank_scores {
    double logloss;    /* on the held-out pairs (NaN for the popularity baseline) */
    double auc;        /* ROC AUC on the held-out pairs */
    double hr, ndcg;   /* mean hit rate and NDCG at top_k */
} tn_rank_scores;

typedef struct tn_ranking {
    size_t users;          /* users with a held-out positive */
    size_t pairs;          /* held-out pairs (the positive and its sampled negatives) */
    int candidates;        /* unrated items each positive is ranked against (at most) */
    int top_k;
    tn_rank_scores model, popularity;
} tn_ranking;

/* The ranking report of a fitted trainer whose data format is "ratings" (TN_ENOTFOUND
 * otherwise): the model beside the popularity baseline. */
TN_API int tn_trainer_ranking(tn_trainer *t, tn_ranking *out);

typedef struct tn_recommendation {
    long long item;        /* the item's id as a number (id_base added back for models from
                            * before vocabularies); -1 when the id is not an integer */
    float score;
    char id[256];          /* the item's id as the ratings file has it */
} tn_recommendation;

/* The top (at most) best items user has not rated, best first (ties: lower id first).
 * Rated means present in the ratings file at ratings_path, or, when that is NULL, in the
 * file the model was trained on (recorded in it). *n receives how many were written (0
 * when the user has rated everything). A user outside the model's vocabulary is
 * TN_ERANGE. */
TN_API int tn_recommend(const tn_model *m, long long user, const char *ratings_path,
                        size_t top, tn_recommendation *out, size_t *n, tn_error *err);
/* The same for a user id as text ("u17" or "17"), as the ratings file has it: a user the
 * model did not see in training is TN_ERANGE. */
TN_API int tn_recommend_id(const tn_model *m, const char *user, const char *ratings_path,
                           size_t top, tn_recommendation *out, size_t *n, tn_error *err);

#ifdef __cplusplus
}
#endif
#endif
