/* Data-parallel training across processes with MPI (`mpirun -n P tinynet train CONFIG`).
 *
 * In a build with -DTN_MPI=ON, a program started by mpirun calls tn_dist_init once, before
 * any training; every process then opens the same config and fits it: each batch is split
 * across the processes and their gradients summed (one MPI_Allreduce per step), so all
 * hold the same parameters. Process 0 alone writes checkpoints; the caller should let it
 * alone print and save the model. In a build without MPI, or a program not started by
 * mpirun, there is one process and every function here does nothing. */
#ifndef TINYNET_DIST_H
#define TINYNET_DIST_H

#include "tinynet/tinynet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Starts MPI when the process was launched by mpirun (mpiexec, srun); otherwise, or
 * without MPI, does nothing. Returns TN_OK or TN_EIO with the reason. */
TN_API int tn_dist_init(int *argc, char ***argv, tn_error *err);
/* Ends MPI (after tn_dist_init; harmless otherwise). */
TN_API void tn_dist_finalize(void);
TN_API int tn_dist_rank(void);       /* this process, 0 ... size - 1 (0 without MPI) */
TN_API int tn_dist_size(void);       /* the processes (1 without MPI) */
TN_API int tn_dist_enabled(void);    /* 1 when the library was built with MPI */
/* Every process passes its status: all return the status of the lowest process that
 * failed, with its message ("process R of P: ..." when R is not this one), or TN_OK. A
 * collective: every process must call it at the same point. */
TN_API int tn_dist_agree(int status, tn_error *err);
/* Seconds this process spent in the gradient all-reduce (communication and waiting for
 * the others) and the steps, since tn_dist_init. */
TN_API double tn_dist_comm_seconds(long long *steps);
/* Sharded training (train.shards > 1): the training rows process p (0 ... size - 1) kept
 * in memory, the rows it read of the training file (its shards' and every shard's
 * validation rows where the format reads only some rows, else all) and the file's rows,
 * as the last sharded load noted them. Returns 0, or -1 when no sharded load happened
 * (or p is out of range). */
TN_API int tn_dist_data_rows(int process, size_t *kept, size_t *read, size_t *file);

#ifdef __cplusplus
}
#endif

#endif
