/* Implicit feedback from ratings, the leave-one-out split, seeded negatives and the ranking
 * evaluation set (the protocol is in data/ratings.h): how a ratings file becomes the
 * labelled rows of the "ratings" data format. */
#ifndef TN_DATA_IMPLICIT_H
#define TN_DATA_IMPLICIT_H

#include "data/format.h"
#include "data/ratings.h"

#include <stdint.h>

/* Implicit feedback with the leave-one-out split. */
typedef struct tn_implicit {
    size_t n_users, n_items;
    size_t *rated_off;      /* [n_users + 1]: user u rated rated[rated_off[u] .. rated_off[u+1]) */
    uint32_t *rated;        /* sorted, distinct per user */
    size_t n_train;         /* training positives */
    uint32_t *train_user, *train_item;
    uint32_t *held_out;     /* [n_users]: the held-out item, or TN_NO_ITEM */
    uint32_t *popularity;   /* [n_items]: training positives per item */
} tn_implicit;

#define TN_NO_ITEM UINT32_MAX

int tn__implicit_build(const tn_ratings *r, double threshold, uint64_t seed, tn_implicit **out,
                       tn_error *err);
void tn__implicit_free(tn_implicit *im);
int tn__implicit_is_rated(const tn_implicit *im, uint32_t user, uint32_t item);
size_t tn__implicit_users_held_out(const tn_implicit *im);

/* Training rows: every training positive (target 1) followed by `negatives` unrated items
 * (target 0), shuffled later by the trainer. Inputs are laid out for net (user_input and
 * item_input). Users who rated every item get no negatives. */
int tn__implicit_train_set(const tn_implicit *im, const tn_net *net, const tn_ratings_cfg *c,
                           uint64_t seed, tn_dataset **out, tn_error *err);

/* The evaluation set: per held-out user, the positive then up to eval_negatives distinct
 * unrated items. */
typedef struct tn_rank_set {
    size_t n_users;
    uint32_t *user;         /* [n_users] */
    size_t *off;            /* [n_users + 1]: candidates item[off[k] .. off[k+1]), positive first */
    uint32_t *item;
    size_t n_pairs_neg;     /* negatives per user used for log-loss/AUC */
} tn_rank_set;

int tn__rank_set_build(const tn_implicit *im, const tn_ratings_cfg *c, uint64_t seed,
                       tn_rank_set **out, tn_error *err);
void tn__rank_set_free(tn_rank_set *s);
/* How many pairs of user k are labelled pairs: the positive and its first n_pairs_neg
 * negatives. */
size_t tn__rank_set_pairs_of(const tn_rank_set *s, size_t k);
/* The held-out pairs (positive + the first n_pairs_neg negatives of each user) as a labelled
 * dataset for net: the trainer's test set. */
int tn__rank_set_pairs(const tn_rank_set *s, const tn_net *net, const tn_ratings_cfg *c,
                       tn_dataset **out, tn_error *err);

/* What the "ratings" format keeps after loading, for the ranking report (recsys/). */
typedef struct tn_ratings_extra {
    tn_ratings_cfg cfg;
    tn_implicit *im;
    tn_rank_set *ranks;
} tn_ratings_extra;

void tn__ratings_extra_free(void *extra);

/* The settings and the training file (NULL when not recorded) of a "ratings" spec. */
void tn__data_ratings_settings(const tn_data_spec *spec, const tn_ratings_cfg **cfg,
                               const char **train);

#endif
