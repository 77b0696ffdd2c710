/* A training config file: the network, loss, optimizer, training settings and data, all
 * validated with errors that name the file, the JSON path and what was expected. */
#ifndef TN_TRAIN_CONFIG_H
#define TN_TRAIN_CONFIG_H

#include "graph/graph.h"
#include "optim/optim.h"
#include "loss/loss.h"
#include "model/scaling.h"
#include "train/loop.h"
#include "data/format.h"

#include <stdint.h>

#define TN_CONFIG_MAX_BYTES ((size_t)16 << 20)

/* Limits of the training settings, the same from JSON, the command line and the C API. */
#define TN_MAX_EPOCHS 1000000
#define TN_MAX_SEED (1LL << 53) /* recorded in model files as a JSON number: a double */
#define TN_MAX_THREADS 256
#define TN_MAX_SHARDS 4096

typedef struct tn_config {
    char *path;
    tn_net *net;
    tn_loss loss;
    tn_optim_cfg optim;
    tn_train_cfg train;
    int threads;
    tn_data_spec data;      /* the data format and its state */
    int scaling;            /* enum tn_scaling_kind, fitted on the training rows */
    uint64_t hash;          /* of every setting but train.epochs and train.threads */
    double *class_weight;   /* train.class_weights given (train.class_weight points here),
                             * or "balanced" (computed at each fit into it), or NULL */
} tn_config;

/* The keys of the config's top level and of its "train" section, and their descriptions
 * (for the config reference; a test checks that every key has one). */
extern const char *const tn__config_top_keys[];
extern const tn__keydoc tn__config_top_docs[];
extern const char *const tn__config_train_keys[];
extern const tn__keydoc tn__config_train_docs[];

/* What the data format is told about the network and the loss. */
tn_data_ctx tn__config_data_ctx(const tn_config *c);

int tn__config_load(const char *path, tn_config **out, tn_error *err);
int tn__config_parse(const char *path, const char *text, size_t len, tn_config **out,
                     tn_error *err);
void tn__config_free(tn_config *c);

#endif
