/* The dist interface in a build without MPI: one process, nothing to exchange. */
#include "dist/dist.h"

int tn_dist_init(int *argc, char ***argv, tn_error *err)
{
    (void)argc, (void)argv, (void)err;
    return TN_OK;
}

void tn_dist_finalize(void) {}
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
