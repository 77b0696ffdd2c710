/* What each process kept and read of the training file (tn_dist_data_rows), the same in
 * the MPI build and the one-process build: only tn__dist_sum_doubles differs. */
#include "dist/dist.h"

#include "core/alloc.h"
#include "core/error.h"

/* [3 x process]: the rows each process kept, read and the training file's, from the last
 * sharded load. */
static double *g_rows;
static int g_rows_n;

void tn__dist_rows_free(void)
{
    tn__free(g_rows);
    g_rows = NULL;
    g_rows_n = 0;
}

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
