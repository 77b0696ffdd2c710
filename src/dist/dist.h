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
/* Sums G (n floats) and stats (TN_DIST_NSTATS doubles) over the processes, in place:
 * every process gets the same bits. TN_EIO when MPI fails (a process ended). */
int tn__dist_reduce_step(float *G, size_t n, double *stats, tn_error *err);

#endif
