/* Ratings data for recommenders: explicit (user, item, rating, timestamp) records turned into
 * implicit feedback, a leave-one-out split, seeded negative sampling and the ranking
 * evaluation set.
 *
 * Files: the MovieLens u.data layout (no header; four tab- or blank-separated fields
 * `user item rating timestamp`), or CSV with a header naming the columns (defaults "user",
 * "item", "rating", "timestamp"; see tn_ratings_cfg.header). '#' lines and blank lines are
 * skipped. The first non-skipped line decides: a header when none of its fields is a number.
 *
 * Ids are text (integers or any string): the training file's distinct users and items are
 * each a vocabulary (data/vocab.h: sorted, integers by value), numbered 0..n-1, recorded in
 * the model and looked up when reading new pairs; an id not in it is an error, or the row
 * just past the vocabulary with "oov": true. Negatives and ranking candidates are drawn
 * from the items that occur. Models from before vocabularies (format version 2) read ids
 * as numbers minus id_base, within [0, vocab) of the network's index input. Errors name
 * the file and the line:
 *   data/ratings.tsv: line 12: item "1700" is not in the model's 1682 items
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
#include "data/vocab.h"
#include "graph/graph.h"
#include "data/dataset.h"

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
    int oov;                             /* unseen ids read as the row after the vocabulary */
    /* The vocabularies of users and items (not owned): looked up, or filled when learn is
     * set (the training file); NULL (a model from before them): ids are numbers - id_base. */
    struct tn_vocab *vocab[2];
    int learn;
} tn_ratings_cfg;

/* Defaults: inputs "user"/"item", header = field names, id_base 0, threshold 4,
 * negatives 4, eval_negatives 99, top_k 10. */
void tn__ratings_cfg_defaults(tn_ratings_cfg *c);
/* The keys of a config's "data" object for ratings, besides "format". */
extern const char *const tn__ratings_keys[];
/* Reads the ratings keys of a config's "data" object into c (the caller checks the keys),
 * checking the user/item inputs against net (two distinct index inputs, the only inputs). */
int tn__ratings_cfg_parse(tn_jr *r, const cJSON *data, const tn_net *net, tn_ratings_cfg *c);
/* Adds the keys tn__ratings_cfg_parse reads to o (and "train" unless NULL), for the model's
 * record; tn__ratings_cfg_from_json reads them back. */
int tn__ratings_cfg_describe(const tn_ratings_cfg *c, const char *train_path, cJSON *o);
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
/* The same for streaming: line jump_at of text (0: none) and the lines after it are
 * numbered from jump_to (text is a header record followed by later lines of a source). */
int tn__ratings_parse_at(const char *name, const char *text, size_t len, size_t jump_at,
                         size_t jump_to, const tn_ratings_cfg *c, size_t n_users, size_t n_items,
                         int need_rating, tn_ratings **out, tn_error *err);
/* Whether the first record of text is a header line for these settings. */
int tn__ratings_first_is_header(const tn_ratings_cfg *c, const char *text, size_t len);
void tn__ratings_free(tn_ratings *r);
/* 1 when the first line of text has a number in it (the headerless u.data layout). */
int tn__ratings_is_headerless(const char *text, size_t len);

/* A dataset of rows (user, item) pairs for net, with the inputs in the network's order,
 * and one target column when labelled (else none: pairs to predict have no labels); *ui
 * and *ii are the user and item input indices. */
int tn__ratings_pairs_dataset(const tn_net *net, const tn_ratings_cfg *c, size_t rows,
                              int labelled, tn_dataset **out, int *ui, int *ii, tn_error *err);

#endif
