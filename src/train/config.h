/* A training config file: the network, loss, optimizer, training settings and data, all
 * validated with errors that name the file, the JSON path and what was expected. */
#ifndef TN_TRAIN_CONFIG_H
#define TN_TRAIN_CONFIG_H

#include "graph/graph.h"
#include "optim/optim.h"
#include "loss/loss.h"
#include "model/scaling.h"
#include "train/train.h"
#include "data/ratings.h"

#define TN_CONFIG_MAX_BYTES ((size_t)16 << 20)

/* Limits of the training settings, the same from JSON, the command line and the C API. */
#define TN_MAX_EPOCHS 1000000
#define TN_MAX_SEED (1LL << 53) /* recorded in model files as a JSON number: a double */
#define TN_MAX_THREADS 256

/* Which data columns feed each network input, and which are targets. */
typedef struct tn_colspec {
    size_t n;
    char (*names)[TN_MAX_NAME];
} tn_colspec;

typedef struct tn_columns {
    int n_inputs;
    tn_colspec in[TN_MAX_INPUTS];
    tn_colspec target;
} tn_columns;

/* "csv": "train"/"test" are CSV files, "inputs"/"target" name their columns.
 * "idx": "train"/"test" are {"images": FILE, "labels": FILE} (IDX, plain or gzip); the
 *        images, flattened, feed the one float input; labels are class indices.
 * "fashion-mnist": like "idx" with the files of Debian's dataset-fashion-mnist package
 *        (located when the data is loaded, so a config parses without the package).
 * "ratings": user/item/rating rows (io/ratings.c), see tn_ratings_cfg. */
enum tn_data_format { TN_DATA_CSV, TN_DATA_IDX, TN_DATA_FASHION, TN_DATA_RATINGS };
extern const char *const tn__data_format_names[];

typedef struct tn_data_cfg {
    int format;
    char *train;            /* paths resolved against the config file's directory; */
    char *test;             /* the images for "idx"; NULL for "fashion-mnist". test NULL: none */
    char *train_labels;     /* "idx" only */
    char *test_labels;
    double holdout;         /* fraction of train held out when there is no test file */
    int scaling;            /* enum tn_scaling_kind, fitted on the training rows */
    tn_columns columns;     /* "csv"; for "ratings" the user/item columns and target "label" */
    tn_ratings_cfg ratings; /* format "ratings" only */
} tn_data_cfg;

typedef struct tn_config {
    char *path;
    tn_net *net;
    tn_loss loss;
    tn_optim_cfg optim;
    tn_train_cfg train;
    tn_data_cfg data;
    int threads;
} tn_config;

/* The rule the training data's targets must follow. */
static inline tn_target_rule tn__config_targets(const tn_config *c)
{
    return tn__loss_target_rule(&c->loss, c->net->nodes[c->net->output].width);
}

/* Saves c's network as a model file with its loss and data columns (scaling and the
 * training record may be NULL). */
int tn__config_save_model(const tn_config *c, const char *path, const tn_scaling *scaling,
                          const cJSON *training, tn_error *err);

int tn__config_load(const char *path, tn_config **out, tn_error *err);
int tn__config_parse(const char *path, const char *text, size_t len, tn_config **out,
                     tn_error *err);
void tn__config_free(tn_config *c);

/* Shared with the model header: the "columns" object {"inputs": {...}, "target": [...]}. */
int tn__columns_parse(tn_jr *r, const cJSON *obj, const tn_net *net, int need_target,
                      tn_columns *out);
int tn__columns_describe(const tn_columns *c, const tn_net *net, cJSON *obj);
void tn__columns_free(tn_columns *c);

#endif
