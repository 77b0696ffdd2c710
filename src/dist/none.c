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

int tn__dist_sum_doubles(double *v, size_t n, tn_error *err)
{
    (void)v, (void)n, (void)err;
    return TN_OK;
}

/* The rows each process kept, read and the training file's rows ([3 x process]), from the last sharded load. */
static double *g_rows;
static int g_rows_n;

int tn__dist_note_rows(size_t kept, size_t read, size_t file, tn_error *err)
{
    int P = tn_dist_size(), p = tn_dist_rank();
    double *v = tn__calloc(3 * (size_t)P, sizeof *v);
    if (!v)
        return tn__err(err, TN_ENOMEM, "out of memory");
    v[3 * p] = (double)kept;
    v[3 * p + 1] = (double)read;
    v[3 * p + 2] = (double)file;
    int rc = tn__dist_sum_doubles(v, 3 * (size_t)P, err); /* one process per slot: exact */
    if (rc) {
        tn__free(v);
        return rc;
    }
    tn__free(g_rows);
    g_rows = v;
    g_rows_n = P;
    return TN_OK;
}

int tn_dist_data_rows(int process, size_t *kept, size_t *read, size_t *file)
{
    if (!g_rows || process < 0 || process >= g_rows_n)
        return -1;
    *kept = (size_t)g_rows[3 * process];
    *read = (size_t)g_rows[3 * process + 1];
    *file = (size_t)g_rows[3 * process + 2];
    return 0;
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
