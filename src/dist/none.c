/* The dist interface in a build without MPI: one process, nothing to exchange. */
#include "dist/dist.h"

#include "core/alloc.h"
#include "core/error.h"

#include <limits.h>
#include <string.h>

int tn_dist_init(int *argc, char ***argv, tn_error *err)
{
    (void)argc, (void)argv, (void)err;
    return TN_OK;
}

void tn_dist_finalize(void) { tn__dist_rows_free(); }
int tn_dist_rank(void) { return 0; }
int tn_dist_size(void) { return 1; }
int tn_dist_enabled(void) { return 0; }
int tn_dist_agree(int status, tn_error *err)
{
    (void)err;
    return status;
}

double tn_dist_comm_seconds(long long *steps)
{
    if (steps)
        *steps = 0;
    return 0;
}

void tn__dist_split(size_t b, size_t *lo, size_t *hi)
{
    *lo = 0;
    *hi = b;
}

int tn__dist_plan_new(size_t n_params, const tn_dist_table *tables, int n_tables,
                      size_t max_batch, tn_dist_plan **out, tn_error *err)
{
    (void)n_params, (void)tables, (void)n_tables, (void)max_batch, (void)err;
    *out = NULL;
    return TN_OK;
}

void tn__dist_plan_free(tn_dist_plan *plan) { (void)plan; }

int tn__dist_reduce_step(tn_dist_plan *plan, float *G, size_t n, size_t rows, double *stats,
                         tn_error *err)
{
    (void)plan, (void)G, (void)n, (void)rows, (void)stats, (void)err;
    return TN_OK;
}

int tn__dist_sum_doubles(double *v, size_t n, tn_error *err)
{
    (void)v, (void)n, (void)err;
    return TN_OK;
}


int tn__dist_allgather_floats(const float *mine, size_t n, float *all, size_t cap,
                              int *counts, tn_error *err)
{
    if (n > cap || n > INT_MAX)
        return tn__err(err, TN_EINVAL, "%zu floats gathered into room for %zu", n, cap);
    memcpy(all, mine, n * sizeof *all);
    counts[0] = (int)n;
    return TN_OK;
}
