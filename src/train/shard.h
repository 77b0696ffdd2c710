/* Sharded training rows (train.shards K > 1): the rows of the training file are split into
 * K contiguous shards, so that each of P processes (K a multiple of P) keeps only its K/P
 * shards and the result depends on K, never on P.
 *
 *   validation  each shard holds out round(fraction x its rows) by its own seeded stream;
 *               every process keeps all validation rows (a small fraction), so the
 *               choices made on them are the same on every process, as with one;
 *   epoch       each shard's training rows are shuffled by their own stream (one 64-bit
 *               draw of the shuffle stream per epoch, then stream k for shard k); the
 *               epoch is the shards dealt in proportion: row i of shard k (of n_k) sits at
 *               (2i + 1) / (2 n_k), ties to the lower shard, and batches are consecutive
 *               runs of batch_size of that sequence (the last one shorter); within a
 *               batch, rows go shard by shard, so a process's rows are contiguous;
 *   statistics  scaling, the class counts of "balanced" weights and the final training
 *               figures are summed shard by shard (each shard's sum from the one process
 *               that holds it), then over the shards in order: the same bits at any P.
 * A format that can read only some rows (IDX) is asked for them; the others are read whole
 * and all but the process's rows dropped at once. */
#ifndef TN_TRAIN_SHARD_H
#define TN_TRAIN_SHARD_H

#include "core/rng.h"
#include "data/format.h"
#include "model/scaling.h"
#include "train/loop.h"

#include <stddef.h>
#include <stdint.h>

typedef struct tn_shards {
    int k;                  /* K */
    int first, count;       /* this process's shards [first, first + count) */
    size_t total;           /* training rows of all shards */
    size_t *rows;           /* [k] each shard's training rows */
    size_t local;           /* this process's training rows (its shards' in order) */
    size_t read_rows;       /* rows this process read from the training file ... */
    size_t file_rows;       /* ... of its rows */
    /* The batches (tn__shards_plan): */
    size_t batch_size, n_batches;
    uint32_t *take;         /* [n_batches x k] shard k's rows in batch b */
    size_t *lo, *pos;       /* [n_batches] rows of batch b before this process's; this
                             * process's rows of the batches before b */
    uint32_t *order;        /* [local] each shard's shuffled rows */
    size_t *cursor;         /* [count] */
} tn_shards;

/* Reads the training (and test) rows with c's format, keeps this process's shards in
 * out->train and the validation rows of all shards in *val (NULL for none). A clear
 * TN_ECONFIG when K is not a multiple of the processes or a shard is too small. */
int tn__shards_load(const tn_data_format *f, const void *state, const tn_data_ctx *ctx,
                    unsigned long long seed, int k, double validation, tn_data_loaded *out,
                    tn_dataset **val, tn_shards **sh, tn_error *err);
void tn__shards_free(tn_shards *sh);

/* Fits the input scaling on all shards' training rows (train: this process's). */
int tn__shards_scaling(const tn_shards *sh, tn_scaling *s, int kind, float type_max,
                       const tn_net *net, const tn_dataset *train, tn_error *err);
/* "balanced" class weights from all shards' class counts. */
int tn__shards_class_weights(const tn_shards *sh, const tn_dataset *train, size_t classes,
                             double *w, tn_error *err);
/* Sums n per-shard figures (v[k x n .. ], this process's shards filled, the others 0)
 * over the processes and then over the shards in order, into sum[n]. */
int tn__shards_sum(const tn_shards *sh, double *v, size_t n, double *sum, tn_error *err);

/* The training rows' loss and accuracy over all shards (every process calls it), and
 * the report they make (loss and accuracy; the task's other metrics are not summed). */
int tn__shards_evaluate(const tn_shards *sh, const tn_net *net, const tn_loss *loss,
                        const tn_dataset *train, size_t batch, tn_metrics *m, tn_error *err);
void tn__shards_report(const tn_metrics *m, tn_report *rep);

/* The batches of batch_size rows; allocated before training. */
int tn__shards_plan(tn_shards *sh, size_t batch_size, tn_error *err);
/* The epoch's order of this process's rows (perm[local]), batch after batch; draws from
 * shuffle when do_shuffle. */
void tn__shards_order(tn_shards *sh, tn_rng *shuffle, int do_shuffle, uint32_t *perm);
/* Batch b (0-based): this process's rows are perm[*pos .. *pos + *n), at *lo of the batch. */
void tn__shards_batch(const tn_shards *sh, size_t b, size_t *pos, size_t *lo, size_t *n);

#endif
