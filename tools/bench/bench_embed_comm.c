/* bench_embed_comm: how the processes of a data-parallel run should sum the gradients of
 * embedding tables: the whole tables in one MPI_Allreduce (what the training loop does
 * with the flat gradient), or only the rows the batch touched, as (index, row) pairs
 * exchanged with MPI_Allgatherv and added into the tables in process order (so every
 * process gets the same bits).
 *
 * Each step draws a global batch of (user, item) ids (the same on every process), takes
 * this process's share of it, scatter-adds a gradient row per id as the embedding's
 * backward does, then sums either way; the times include packing and adding, and the
 * clearing of the touched rows the next step needs (the whole table for the allreduce).
 * Ids: from a ratings file (user item ... per line, --ratings), or synthetic: users
 * uniform, items by a lognormal popularity exp(0.9 z) as tools/gen_ratings.c draws them.
 *
 * usage: mpirun -n P bench_embed_comm [--users U] [--items I] [--dim D] [--batch B]
 *                                      [--steps S] [--ratings FILE] [--seed S]
 *                                      [--way dense|sparse]  (default: both)
 * Prints, on process 0, the median microseconds per step of each and the bytes sent. */
#include <math.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;
static uint32_t rnd(void) /* splitmix64, upper half */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}
static double unif(void) { return (rnd() + 0.5) / 4294967296.0; }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    size_t users = 300, items = 400, dim = 32, batch = 256;
    int steps = 200, only = -1; /* --way dense|sparse: time one of them (-1: both) */
    const char *ratings = NULL;
    rng_state = 7;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--users")) users = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--items")) items = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--dim")) dim = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--batch")) batch = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--steps")) steps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--ratings")) ratings = argv[i + 1];
        else if (!strcmp(argv[i], "--seed")) rng_state = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--way")) only = strcmp(argv[i + 1], "dense") ? 1 : 0;
        else {
            if (rank == 0)
                fprintf(stderr, "bench_embed_comm: unknown option %s\n", argv[i]);
            MPI_Abort(MPI_COMM_WORLD, 2);
        }
    }
    /* The id pairs batches are drawn from. */
    uint32_t *pu = NULL, *pi = NULL;
    size_t pairs = 0;
    if (ratings) {
        FILE *f = fopen(ratings, "r");
        if (!f) {
            perror(ratings);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        unsigned long u, it;
        size_t cap = 0;
        char line[256];
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "%lu %lu", &u, &it) == 2 && u < users && it < items) {
                if (pairs == cap) {
                    cap = cap ? 2 * cap : 4096;
                    pu = realloc(pu, cap * sizeof *pu);
                    pi = realloc(pi, cap * sizeof *pi);
                }
                pu[pairs] = (uint32_t)u;
                pi[pairs++] = (uint32_t)it;
            }
        fclose(f);
    }
    double *cum = NULL; /* synthetic item popularity, cumulative */
    if (!pairs) {
        cum = malloc(items * sizeof *cum);
        double tot = 0;
        for (size_t i = 0; i < items; i++) {
            double z = sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif());
            cum[i] = (tot += exp(0.9 * z));
        }
        for (size_t i = 0; i < items; i++)
            cum[i] /= tot;
    }
    size_t rows = users + items, n_floats = rows * dim;
    float *G = calloc(n_floats, sizeof *G);
    uint32_t *ids = malloc(2 * batch * sizeof *ids);
    uint32_t *stamp = calloc(rows, sizeof *stamp);      /* step+1 when touched here */
    size_t rec = 1 + dim;                               /* an index, then a row */
    float *send = malloc(2 * batch * rec * sizeof *send);
    float *recv = malloc((size_t)size * 2 * batch * rec * sizeof *recv);
    int *counts = malloc((size_t)size * sizeof *counts), *displs = malloc((size_t)size * sizeof *displs);
    double *t_dense = malloc((size_t)steps * sizeof *t_dense);
    double *t_sparse = malloc((size_t)steps * sizeof *t_sparse);
    if (!G || !ids || !stamp || !send || !recv || !counts || !displs) {
        fprintf(stderr, "bench_embed_comm: out of memory for %zu rows of %zu\n", rows, dim);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    memset(G, 0, n_floats * sizeof *G); /* resident, as a training run's gradient is */
    double sent_dense = 0, sent_sparse = 0;
    size_t lo = batch * (size_t)rank / (size_t)size, hi = batch * (size_t)(rank + 1) / (size_t)size;
    for (int s = 0; s < steps; s++) {
        for (size_t b = 0; b < batch; b++) { /* the global batch: same draws everywhere */
            size_t u, it;
            if (pairs) {
                size_t k = rnd() % pairs;
                u = pu[k], it = pi[k];
            } else {
                u = rnd() % users;
                double x = unif();
                size_t a = 0, z = items - 1;
                while (a < z) {
                    size_t m = (a + z) / 2;
                    if (cum[m] < x) a = m + 1; else z = m;
                }
                it = a;
            }
            ids[2 * b] = (uint32_t)u;
            ids[2 * b + 1] = (uint32_t)(users + it);
        }
        for (int way = 0; way < 2; way++) {
            if (only >= 0 && way != only) {
                (way == 0 ? t_dense : t_sparse)[s] = 0;
                continue;
            }
            /* backward: scatter-add this process's rows */
            for (size_t b = 2 * lo; b < 2 * hi; b++)
                for (size_t j = 0; j < dim; j++)
                    G[(size_t)ids[b] * dim + j] += 1e-3f * (float)(j + 1);
            MPI_Barrier(MPI_COMM_WORLD);
            double t0 = MPI_Wtime();
            if (way == 0) {
                MPI_Allreduce(MPI_IN_PLACE, G, (int)n_floats, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
                sent_dense += (double)n_floats * 4;
                memset(G, 0, n_floats * sizeof *G); /* zero_grad of the next step */
            } else {
                int n = 0;
                for (size_t b = 2 * lo; b < 2 * hi; b++) {
                    uint32_t id = ids[b];
                    if (stamp[id] == (uint32_t)s + 1)
                        continue;
                    stamp[id] = (uint32_t)s + 1;
                    float *r = send + (size_t)n++ * rec;
                    r[0] = (float)id; /* exact below 2^24 rows; a real one sends ints */
                    memcpy(r + 1, G + (size_t)id * dim, dim * sizeof *r);
                    memset(G + (size_t)id * dim, 0, dim * sizeof *G);
                }
                int mine = n * (int)rec;
                MPI_Allgather(&mine, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);
                int at = 0;
                for (int p = 0; p < size; p++) {
                    displs[p] = at;
                    at += counts[p];
                }
                MPI_Allgatherv(send, mine, MPI_FLOAT, recv, counts, displs, MPI_FLOAT,
                               MPI_COMM_WORLD);
                sent_sparse += (double)mine * 4;
                /* every process adds the same rows in the same (process) order */
                for (int k = 0; k < at; k += (int)rec) {
                    uint32_t id = (uint32_t)recv[k];
                    float *g = G + (size_t)id * dim;
                    for (size_t j = 0; j < dim; j++)
                        g[j] += recv[k + 1 + (int)j];
                }
                /* ... the optimizer reads those rows; then they are cleared */
                for (int k = 0; k < at; k += (int)rec)
                    memset(G + (size_t)recv[k] * dim, 0, dim * sizeof *G);
            }
            double dt = MPI_Wtime() - t0, worst;
            MPI_Allreduce(&dt, &worst, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
            (way == 0 ? t_dense : t_sparse)[s] = worst;
        }
    }
    qsort(t_dense, (size_t)steps, sizeof *t_dense, cmp_double);
    qsort(t_sparse, (size_t)steps, sizeof *t_sparse, cmp_double);
    if (rank == 0)
        printf("embed_comm P=%d tables %zu+%zu x %zu (%.1f MB) batch %zu: whole-table "
               "allreduce %.1f us/step (%.0f KB sent), rows+indices %.1f us/step (%.1f KB "
               "sent), ratio %.1f\n", size, users, items, dim, (double)n_floats * 4 / 1e6,
               batch, 1e6 * t_dense[steps / 2], sent_dense / steps / 1e3,
               1e6 * t_sparse[steps / 2], sent_sparse / steps / 1e3,
               t_dense[steps / 2] / t_sparse[steps / 2]);
    MPI_Finalize();
    return 0;
}
