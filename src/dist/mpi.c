/* The dist interface on MPI (a build with -DTN_MPI=ON). Errors return (MPI_ERRORS_RETURN)
 * rather than abort, so a failed collective ends the run with a message; a process that
 * dies is noticed by mpirun, which ends the others. */
#include "dist/dist.h"

#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"

#include <limits.h>
#include <mpi.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int g_started, g_rank, g_size = 1;
static double g_comm_seconds;
static long long g_steps;

/* Launched by an MPI starter: Open MPI's mpirun, MPICH's Hydra, Slurm's srun (PMI). A
 * plain `tinynet train` does not start MPI, which would cost it a singleton runtime. */
static int launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE",
                                       "PMI_RANK", NULL};
    for (int i = 0; vars[i]; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

static int mpi_fail(tn_error *err, int mrc, const char *what)
{
    char text[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    MPI_Error_string(mrc, text, &len);
    return tn__err(err, TN_EIO, "%s failed (%s): did another process end?", what, text);
}

int tn_dist_init(int *argc, char ***argv, tn_error *err)
{
    if (g_started || !launched())
        return TN_OK;
    int mrc = MPI_Init(argc, argv);
    if (mrc != MPI_SUCCESS)
        return tn__err(err, TN_EIO, "MPI_Init failed (error %d)", mrc);
    g_started = 1;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    return TN_OK;
}

void tn_dist_finalize(void)
{
    if (g_started)
        MPI_Finalize();
    tn__dist_rows_free();
    g_started = 0;
    g_rank = 0;
    g_size = 1;
}

int tn_dist_rank(void) { return g_rank; }
int tn_dist_size(void) { return g_size; }
int tn_dist_enabled(void) { return 1; }

int tn_dist_agree(int status, tn_error *err)
{
    if (g_size < 2)
        return status;
    int mine = status ? g_rank : g_size, first;
    int mrc = MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (mrc != MPI_SUCCESS)
        return mpi_fail(err, mrc, "MPI_Allreduce");
    if (first == g_size)
        return TN_OK;
    tn_error e = {status, ""};
    if (g_rank == first && err)
        e = *err;
    if (!e.code)
        e.code = status;
    if ((mrc = MPI_Bcast(&e, (int)sizeof e, MPI_BYTE, first, MPI_COMM_WORLD)) != MPI_SUCCESS)
        return mpi_fail(err, mrc, "MPI_Bcast");
    if (err) {
        *err = e;
        if (first != g_rank)
            tn__err_prefix(err, "process %d of %d", first, g_size);
    }
    return e.code;
}

double tn_dist_comm_seconds(long long *steps)
{
    if (steps)
        *steps = g_steps;
    return g_comm_seconds;
}

void tn__dist_split(size_t b, size_t *lo, size_t *hi)
{
    *lo = b * (size_t)g_rank / (size_t)g_size;
    *hi = b * (size_t)(g_rank + 1) / (size_t)g_size;
}

struct tn_dist_plan {
    int n_tables;
    tn_dist_table t[TN_DIST_MAX_TABLES];
    uint32_t *stamp[TN_DIST_MAX_TABLES]; /* per row: the step it was last packed in */
    uint32_t step;
    int n_ranges;                        /* the rest of G, summed whole */
    size_t range_off[TN_DIST_MAX_TABLES + 1], range_len[TN_DIST_MAX_TABLES + 1];
    float *send, *recv;                  /* records: id, then the row */
    int *counts;                         /* [size][n_tables] records */
    int *recv_counts, *displs;           /* [size] floats */
};

void tn__dist_plan_free(tn_dist_plan *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n_tables; i++)
        tn__free(p->stamp[i]);
    tn__floats_free(p->send);
    tn__floats_free(p->recv);
    tn__free(p->counts);
    tn__free(p->recv_counts);
    tn__free(p->displs);
    tn__free(p);
}

int tn__dist_plan_new(size_t n_params, const tn_dist_table *tables, int n_tables,
                      size_t max_batch, tn_dist_plan **out, tn_error *err)
{
    *out = NULL;
    /* TN_MPI_EMBEDDING_ROWS=0: whole tables always (to compare, or to measure). */
    const char *rows_env = getenv("TN_MPI_EMBEDDING_ROWS");
    if (g_size < 2 || (rows_env && strcmp(rows_env, "0") == 0))
        return TN_OK;
    tn_dist_table pick[TN_DIST_MAX_TABLES];
    int n = 0;
    size_t record_floats = 0; /* of one process's records at most */
    double bytes = 0;
    for (int i = 0; i < n_tables && n < TN_DIST_MAX_TABLES; i++) {
        const tn_dist_table *t = &tables[i];
        /* Rows when every process's records together are at most half the table. */
        double gathered = (double)g_size * (double)max_batch * (double)(t->dim + 1);
        if (gathered > 0.5 * (double)t->rows * (double)t->dim || t->rows >= (1u << 24))
            continue;
        /* in offset order, for the ranges between them */
        int at = n++;
        while (at > 0 && pick[at - 1].off > t->off) {
            pick[at] = pick[at - 1];
            at--;
        }
        pick[at] = *t;
        record_floats += max_batch * (t->dim + 1);
        bytes += (double)t->rows * sizeof(uint32_t);
    }
    if (n == 0)
        return TN_OK;
    bytes += (1.0 + g_size) * (double)record_floats * sizeof(float);
    int rc = tn__mem_check(bytes, "exchanging embedding rows between processes", err);
    if (rc)
        return rc;
    tn_dist_plan *p = tn__calloc(1, sizeof *p);
    if (!p)
        return tn__err(err, TN_ENOMEM, "out of memory");
    p->n_tables = n;
    int ok = 1;
    for (int i = 0; i < n; i++) {
        p->t[i] = pick[i];
        ok = ok && (p->stamp[i] = tn__calloc(pick[i].rows, sizeof(uint32_t)));
    }
    ok = ok && (p->send = tn__floats_alloc(record_floats)) &&
         (p->recv = tn__floats_alloc(record_floats * (size_t)g_size)) &&
         (p->counts = tn__calloc((size_t)g_size * (size_t)n, sizeof(int))) &&
         (p->recv_counts = tn__calloc((size_t)g_size, sizeof(int))) &&
         (p->displs = tn__calloc((size_t)g_size, sizeof(int)));
    if (!ok || (double)record_floats * g_size > (double)INT_MAX) {
        tn__dist_plan_free(p);
        return tn__err(err, TN_ENOMEM, "out of memory for the embedding rows' exchange");
    }
    size_t from = 0;
    for (int i = 0; i <= n; i++) {
        size_t to = i < n ? p->t[i].off : n_params;
        if (to > from) {
            p->range_off[p->n_ranges] = from;
            p->range_len[p->n_ranges++] = to - from;
        }
        if (i < n)
            from = p->t[i].off + p->t[i].rows * p->t[i].dim;
    }
    *out = p;
    return TN_OK;
}

static int allreduce_floats(float *x, size_t n, tn_error *err)
{
    /* One call for a whole range (pieces only past MPI's int count). */
    for (size_t at = 0; at < n;) {
        size_t piece = n - at < (size_t)INT_MAX ? n - at : (size_t)INT_MAX;
        int mrc = MPI_Allreduce(MPI_IN_PLACE, x + at, (int)piece, MPI_FLOAT, MPI_SUM,
                                MPI_COMM_WORLD);
        if (mrc != MPI_SUCCESS)
            return mpi_fail(err, mrc, "MPI_Allreduce of the gradients");
        at += piece;
    }
    return TN_OK;
}

/* The tables' touched rows: each process packs its rows (clearing them in G), all gather
 * every process's records, and every process adds them in process order: 0 + r0 + r1 ...
 * in the same order everywhere, so the same bits. */
static int exchange_rows(tn_dist_plan *p, float *G, size_t rows, tn_error *err)
{
    if (++p->step == 0) { /* after 2^32 steps the stamps start over */
        for (int i = 0; i < p->n_tables; i++)
            memset(p->stamp[i], 0, p->t[i].rows * sizeof(uint32_t));
        p->step = 1;
    }
    int n = p->n_tables, mine[TN_DIST_MAX_TABLES];
    float *out = p->send;
    for (int i = 0; i < n; i++) {
        const tn_dist_table *t = &p->t[i];
        mine[i] = 0;
        for (size_t r = 0; r < rows; r++) {
            float id = t->ids[r];
            if (!(id >= 0.0f && id < (float)t->rows)) /* as the embedding skips it */
                continue;
            size_t row = (size_t)id;
            if (p->stamp[i][row] == p->step)
                continue;
            p->stamp[i][row] = p->step;
            float *g = G + t->off + row * t->dim;
            out[0] = (float)row;
            memcpy(out + 1, g, t->dim * sizeof *g);
            memset(g, 0, t->dim * sizeof *g);
            out += t->dim + 1;
            mine[i]++;
        }
    }
    int mrc = MPI_Allgather(mine, n, MPI_INT, p->counts, n, MPI_INT, MPI_COMM_WORLD);
    if (mrc != MPI_SUCCESS)
        return mpi_fail(err, mrc, "MPI_Allgather");
    int total = 0;
    for (int q = 0; q < g_size; q++) {
        int floats = 0;
        for (int i = 0; i < n; i++)
            floats += p->counts[q * n + i] * (int)(p->t[i].dim + 1);
        p->recv_counts[q] = floats;
        p->displs[q] = total;
        total += floats;
    }
    mrc = MPI_Allgatherv(p->send, (int)(out - p->send), MPI_FLOAT, p->recv, p->recv_counts,
                         p->displs, MPI_FLOAT, MPI_COMM_WORLD);
    if (mrc != MPI_SUCCESS)
        return mpi_fail(err, mrc, "MPI_Allgatherv of the embedding rows");
    const float *in = p->recv;
    for (int q = 0; q < g_size; q++)
        for (int i = 0; i < n; i++) {
            const tn_dist_table *t = &p->t[i];
            for (int k = 0; k < p->counts[q * n + i]; k++, in += t->dim + 1) {
                float *g = G + t->off + (size_t)in[0] * t->dim;
                for (size_t j = 0; j < t->dim; j++)
                    g[j] += in[1 + j];
            }
        }
    return TN_OK;
}

int tn__dist_reduce_step(tn_dist_plan *plan, float *G, size_t n, size_t rows, double *stats,
                         tn_error *err)
{
    if (g_size < 2)
        return TN_OK;
    double t0 = tn__seconds();
    /* The step's figures travel beside the gradient: their latency hides behind it. */
    MPI_Request req;
    int mrc = MPI_Iallreduce(MPI_IN_PLACE, stats, TN_DIST_NSTATS, MPI_DOUBLE, MPI_SUM,
                             MPI_COMM_WORLD, &req);
    if (mrc != MPI_SUCCESS)
        return mpi_fail(err, mrc, "MPI_Iallreduce");
    int rc = TN_OK;
    if (!plan) {
        rc = allreduce_floats(G, n, err); /* the whole flat block: one call */
    } else {
        for (int i = 0; rc == TN_OK && i < plan->n_ranges; i++)
            rc = allreduce_floats(G + plan->range_off[i], plan->range_len[i], err);
        if (rc == TN_OK)
            rc = exchange_rows(plan, G, rows, err);
    }
    if ((mrc = MPI_Wait(&req, MPI_STATUS_IGNORE)) != MPI_SUCCESS && rc == TN_OK)
        rc = mpi_fail(err, mrc, "MPI_Iallreduce");
    g_comm_seconds += tn__seconds() - t0;
    g_steps++;
    return rc;
}

int tn__dist_sum_doubles(double *v, size_t n, tn_error *err)
{
    for (size_t at = 0; g_size > 1 && at < n;) {
        size_t piece = n - at < (size_t)INT_MAX ? n - at : (size_t)INT_MAX;
        int mrc = MPI_Allreduce(MPI_IN_PLACE, v + at, (int)piece, MPI_DOUBLE, MPI_SUM,
                                MPI_COMM_WORLD);
        if (mrc != MPI_SUCCESS)
            return mpi_fail(err, mrc, "MPI_Allreduce of the data's statistics");
        at += piece;
    }
    return TN_OK;
}


int tn__dist_allgather_floats(const float *mine, size_t n, float *all, size_t cap,
                              int *counts, tn_error *err)
{
    if (n > INT_MAX)
        return tn__err(err, TN_EINVAL, "too many floats to gather (%zu)", n);
    int me = (int)n;
    int mrc = MPI_Allgather(&me, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);
    if (mrc != MPI_SUCCESS)
        return mpi_fail(err, mrc, "MPI_Allgather of the embedding ids' counts");
    size_t total = 0;
    for (int q = 0; q < g_size; q++)
        total += (size_t)counts[q];
    if (total > cap)
        return tn__err(err, TN_EINVAL, "%zu floats gathered into room for %zu", total, cap);
    int *displs = counts + g_size;
    displs[0] = 0;
    for (int q = 1; q < g_size; q++)
        displs[q] = displs[q - 1] + counts[q - 1];
    mrc = MPI_Allgatherv(mine, me, MPI_FLOAT, all, counts, displs, MPI_FLOAT, MPI_COMM_WORLD);
    if (mrc != MPI_SUCCESS)
        return mpi_fail(err, mrc, "MPI_Allgatherv of the embedding ids");
    return TN_OK;
}
