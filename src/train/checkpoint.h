/* Checkpoints: a training run's state between two steps, in the .tnn container of
 * model/modelfile.h (so it is CRC-sealed and written atomically like a model), with a
 * JSON header of its own ("format": "tinynet-checkpoint") and the blob
 *
 *     P | optimizer state block 1 .. k | best parameters (with patience)
 *
 * each n_params floats. Exact values that JSON numbers could round (random stream states,
 * the running loss sum, the best loss, metrics) are written as the hex of their bits. */
#ifndef TN_TRAIN_CHECKPOINT_H
#define TN_TRAIN_CHECKPOINT_H

#include "data/dataset.h"
#include "train/loop.h"

#include <cjson/cJSON.h>

#include <stdint.h>

#define TN_CHECKPOINT_FORMAT "tinynet-checkpoint"
#define TN_CHECKPOINT_VERSION 1

/* What a checkpoint must agree with to be resumed. */
typedef struct tn_ckpt_meta {
    char *config;               /* the config's path, as it was given */
    uint64_t config_hash;       /* tn__config_hash: the config without epochs and threads */
    unsigned long long seed;
    int threads;                /* bit-exact only at the same count */
    int epochs;                 /* the run's planned epochs */
    size_t batch_size;          /* a mid-epoch state is a count of batches of this size */
    size_t train_rows;
    uint32_t train_crc;         /* of the training rows as the network sees them */
    char *optimizer;            /* its name */
    const cJSON *scaling;       /* writing: the model header's "scaling" (NULL: none) */
} tn_ckpt_meta;

typedef struct tn_checkpoint {
    tn_ckpt_meta meta;
    tn_train_snapshot snap;     /* its pointers lie in params */
    int has_best;               /* the blob ends in the best parameters */
    cJSON *scaling;             /* the run's input scaling as a model header holds it, or NULL */
    float *params;              /* the blob: P first */
} tn_checkpoint;

/* CRC-32 of a dataset's inputs and targets (rows in order): the same rows give the same
 * value, whatever file or format they came from. */
uint32_t tn__dataset_crc(const tn_dataset *d);

/* Writes s (meta's strings are only read) to path atomically. */
int tn__checkpoint_write(const char *path, const tn_ckpt_meta *meta, const tn_train_snapshot *s,
                         tn_error *err);
/* Reads and validates a checkpoint: the container, every header field, the blob's size
 * against the counts. Messages start with "<path>: ". On failure *out is zeroed. */
int tn__checkpoint_read(const char *path, tn_checkpoint *out, tn_error *err);
void tn__checkpoint_release(tn_checkpoint *c);

#endif
