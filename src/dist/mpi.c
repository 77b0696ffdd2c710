/* The dist interface on MPI (a build with -DTN_MPI=ON). Errors return (MPI_ERRORS_RETURN)
 * rather than abort, so a failed collective ends the run with a message; a process that
 * dies is noticed by mpirun, which ends the others. */
#include "dist/dist.h"

#include "core/clock.h"
#include "core/error.h"

#include <limits.h>
#include <mpi.h>
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

int tn__dist_reduce_step(float *G, size_t n, double *stats, tn_error *err)
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
    /* One call for the whole flat block (pieces only past MPI's int count). */
    for (size_t at = 0; at < n;) {
        size_t piece = n - at < (size_t)INT_MAX ? n - at : (size_t)INT_MAX;
        mrc = MPI_Allreduce(MPI_IN_PLACE, G + at, (int)piece, MPI_FLOAT, MPI_SUM,
                            MPI_COMM_WORLD);
        if (mrc != MPI_SUCCESS)
            return mpi_fail(err, mrc, "MPI_Allreduce of the gradients");
        at += piece;
    }
    if ((mrc = MPI_Wait(&req, MPI_STATUS_IGNORE)) != MPI_SUCCESS)
        return mpi_fail(err, mrc, "MPI_Iallreduce");
    g_comm_seconds += tn__seconds() - t0;
    g_steps++;
    return TN_OK;
}
