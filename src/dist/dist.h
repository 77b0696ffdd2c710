/* Data-parallel training: what the training loop asks of the processes of an MPI job
 * (dist/mpi.c), or of the one process of a build without MPI (dist/none.c, no-ops). The
 * loop calls it at two points: where a batch is split, and between backward and the
 * optimizer step, where the gradients and the step's figures are summed. */
#ifndef TN_DIST_DIST_H
#define TN_DIST_DIST_H

#include "tinynet/dist.h"

#include <stddef.h>

/* The figures of a step summed with its gradient: the loss summed over the rows, the
 * correct rows, and flags (a process's loss was not finite; one was asked to stop). */
enum { TN_DIST_LOSS, TN_DIST_CORRECT, TN_DIST_DIVERGED, TN_DIST_STOP, TN_DIST_NSTATS };

/* The rows [lo, hi) of a batch of b rows that this process computes: contiguous, and
 * balanced to one row. */
void tn__dist_split(size_t b, size_t *lo, size_t *hi);

/* An embedding table in the flat gradient: a batch touches at most max_batch of its rows,
 * so when the table is large its gradient travels as the touched rows and their ids
 * rather than whole (tools/bench/bench_embed_comm.c measured both). */
typedef struct tn_dist_table {
    size_t off;             /* of the table in G */
    size_t rows, dim;       /* rows < 2^24: an id is exact as a float */
    const float *ids;       /* this process's ids of the step (the run's index input) */
} tn_dist_table;

#define TN_DIST_MAX_TABLES 16

/* How a step's gradient is summed: which tables go as rows (those whose rows from every
 * process are at most half the table), the rest of G as whole ranges; the buffers, made
 * before the first step. *out is NULL when nothing goes as rows (one process, or small
 * tables): the whole of G is then one all-reduce. */
typedef struct tn_dist_plan tn_dist_plan;
int tn__dist_plan_new(size_t n_params, const tn_dist_table *tables, int n_tables,
                      size_t max_batch, tn_dist_plan **out, tn_error *err);
void tn__dist_plan_free(tn_dist_plan *plan);
/* Sums G (n floats) and stats (TN_DIST_NSTATS doubles) over the processes, in place:
 * every process gets the same bits. With a plan, its tables' rows touched by the `rows`
 * ids of this process's share go as (id, row) records (MPI_Allgatherv), added in process
 * order. TN_EIO when MPI fails (a process ended). */
int tn__dist_reduce_step(tn_dist_plan *plan, float *G, size_t n, size_t rows, double *stats,
                         tn_error *err);

/* Sums n doubles over the processes, in place (sharded data: statistics decided over all
 * rows). Exact when each value comes from one process and the others give 0. TN_EIO when
 * MPI fails. */
int tn__dist_sum_doubles(double *v, size_t n, tn_error *err);
/* Every process's n floats (at most cap in all), in process order, into all; counts
 * [2 x P]: how many each sent, then room for the displacements (no allocation: a training
 * step calls it). TN_EIO when MPI fails. */
int tn__dist_allgather_floats(const float *mine, size_t n, float *all, size_t cap,
                              int *counts, tn_error *err);
/* Each process notes its kept training rows, the rows it read and the training file's;
 * all learn everyone's (a collective), for tn_dist_data_rows. */
int tn__dist_note_rows(size_t kept, size_t read, size_t file, tn_error *err);
/* Forgets them (tn_dist_finalize). */
void tn__dist_rows_free(void);

#endif
