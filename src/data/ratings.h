/* Ratings data for recommenders: explicit (user, item, rating, timestamp) records turned into
 * implicit feedback, a leave-one-out split, seeded negative sampling and the ranking
 * evaluation set.
 *
 * Files: the MovieLens u.data layout (no header; four tab- or blank-separated fields
 * `user item rating timestamp`), or CSV with a header naming the columns (defaults "user",
 * "item", "rating", "timestamp"; see tn_ratings_cfg.header). '#' lines and blank lines are
 * skipped. The first non-skipped line decides: a header when none of its fields is a number.
 *
 * Ids are kept as given minus id_base (0 by default; 1 for MovieLens' 1-based ids), and
 * must then lie in [0, vocab) of the network's index input, so a model's vocabulary and
 * the file's ids are the same numbers. Errors name the file and the line:
 *   data/ratings.tsv: line 12: item 1700 is outside the vocabulary [0, 1682)
 *
 * Protocol (He et al., Neural Collaborative Filtering, 2017): a rating >= threshold is a
 * positive; each user's latest positive (by timestamp, ties broken by the seed) is held
 * out when the user has at least two; training rows are the other positives plus
 * `negatives` items per positive the user never rated (any rating, held-out included),
 * sampled once from the seed's TN_STREAM_NEGATIVES stream. The evaluation set ranks each
 * held-out positive against `eval_negatives` distinct unrated items; log-loss and AUC use
 * the held-out positive with the first `negatives` of those. */
#ifndef TN_DATA_RATINGS_H
#define TN_DATA_RATINGS_H

#include "core/json.h"
#include "graph/graph.h"
#include "recsys/rankmetrics.h"
#include "train/train.h"

#include <stdint.h>

enum { TN_RF_USER, TN_RF_ITEM, TN_RF_RATING, TN_RF_TIMESTAMP, TN_RF_COUNT };
extern const char *const tn__ratings_field_names[]; /* "user", "item", "rating", "timestamp" */

typedef struct tn_ratings_cfg {
    char user_input[TN_MAX_NAME];        /* network inputs fed with user and item ids */
    char item_input[TN_MAX_NAME];
    char header[TN_RF_COUNT][TN_MAX_NAME]; /* CSV column of each field */
    long long id_base;
    double threshold;
    int negatives;                       /* per training positive */
    int eval_negatives;                  /* ranked against each held-out positive */
    int top_k;                           /* HR@k, NDCG@k */
} tn_ratings_cfg;

/* Defaults: inputs "user"/"item", header = field names, id_base 0, threshold 4,
 * negatives 4, eval_negatives 99, top_k 10. */
void tn__ratings_cfg_defaults(tn_ratings_cfg *c);
/* Reads the ratings keys of a config's "data" object (and checks every key of it) into c,
 * checking the user/item inputs against net (two distinct index inputs, the only inputs). */
int tn__ratings_cfg_parse(tn_jr *r, const cJSON *data, const tn_net *net, tn_ratings_cfg *c);
/* The keys tn__ratings_cfg_parse reads, for the model's training record and back. */
cJSON *tn__ratings_cfg_json(const tn_ratings_cfg *c, const char *train_path);
int tn__ratings_cfg_from_json(tn_jr *r, const cJSON *obj, const tn_net *net, tn_ratings_cfg *c,
                              const char **train_path);

typedef struct tn_rating {
    uint32_t user, item;  /* after id_base */
    float rating;
    double timestamp;
} tn_rating;

typedef struct tn_ratings {
    size_t n;
    tn_rating *r;
    size_t n_users, n_items; /* the vocabularies the ids were checked against */
} tn_ratings;

/* Reads a ratings file. need_rating: a headerless file must have all four
 * fields, a CSV file the rating and timestamp columns; without it `user item` is enough
 * (rating and timestamp read as 0). */
int tn__ratings_read(const char *path, const tn_ratings_cfg *c, size_t n_users, size_t n_items,
                     int need_rating, tn_ratings **out, tn_error *err);
int tn__ratings_parse(const char *name, const char *text, size_t len, const tn_ratings_cfg *c,
                      size_t n_users, size_t n_items, int need_rating, tn_ratings **out,
                      tn_error *err);
void tn__ratings_free(tn_ratings *r);
/* 1 when the first line of text has a number in it (the headerless u.data layout). */
int tn__ratings_is_headerless(const char *text, size_t len);

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
/* The held-out pairs (positive + the first n_pairs_neg negatives of each user) as a labelled
 * dataset for net: the trainer's test set. */
int tn__rank_set_pairs(const tn_rank_set *s, const tn_net *net, const tn_ratings_cfg *c,
                       tn_dataset **out, tn_error *err);

/* Log-loss and AUC on the held-out pairs, HR/NDCG@top_k on the rankings, for the model and
 * for the popularity baseline (score = training positives of the item; no log-loss). */
typedef struct tn_recsys_report {
    tn_rank_report model, popularity;
    double model_logloss;
    size_t pairs, users;
} tn_recsys_report;

int tn__recsys_evaluate(const tn_net *net, const tn_implicit *im, const tn_rank_set *s,
                        const tn_ratings_cfg *c, tn_recsys_report *out, tn_error *err);

/* Scores (user, item) pairs with a two-input net; users/items after id_base. */
int tn__recsys_score(const tn_net *net, const tn_ratings_cfg *c, const uint32_t *users,
                     const uint32_t *items, size_t n, float *scores, tn_error *err);

#endif
