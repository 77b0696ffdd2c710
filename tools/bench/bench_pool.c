/* The crossover of the training threads (core/pool.h): for each GEMM shape of a dense
 * layer's step (forward x W, dW = x^T dz, dx = dz W^T) at the batch sizes of the shipped
 * networks, the time of one product on one thread and split across a pool of 2, run
 * interleaved in the same process (medians of many rounds), and the ratio. The split
 * threshold in core/blas.c (multiply-adds) is set from where the ratio crosses 1. Also the
 * cost of an empty fork-join. Usage: bench_pool [ROUNDS].
 *
 * bench_pool train CONFIG ROWS EPOCHS BATCH: on a machine whose second core is busy (a
 * measured 2-thread time then says nothing), estimates what 2 idle cores would take: the
 * training runs at 2 threads with every job's parts timed one after the other on one thread
 * (tn__pool_profile); the estimate is the run's thread CPU time minus the parts' total plus
 * each job's largest share, plus jobs x the fork-join cost measured on an idle machine
 * (given as FJ_US, default 1 us). Synthetic rows, as tools/bench/compare_tn. */
#include "core/blas.h"
#include "core/pool.h"
#include "synth.h"
#include "train/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void nothing(void *arg, size_t i) { (void)arg, (void)i; }

static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct cpu_clock {
    int epochs;
    double end;
} cpu_clock;

static void cpu_on_epoch(void *user, const tn_epoch_info *e)
{
    cpu_clock *c = user;
    if (e->epoch == c->epochs)
        c->end = thread_cpu();
}

/* One fit of config on synthetic rows at threads, profiled or not; returns its thread CPU
 * seconds (the fit alone) and the loss. */
static double fit_cpu(const char *config, size_t rows, int epochs, size_t batch, int threads,
                      int profile, double *loss)
{
    tn_session s;
    tn_error err = {0};
    if (tn__session_open(config, &s, &err)) {
        fprintf(stderr, "bench_pool: %s\n", err.msg);
        exit(1);
    }
    s.config->train.epochs = epochs;
    s.config->train.batch_size = batch;
    s.config->train.patience = 0;
    s.threads = threads;
    s.data.train = bench_synth(s.config->net, rows, "bench_pool");
    s.loaded = 1;
    s.data_seed = s.config->train.seed;
    cpu_clock cc = {epochs, 0};
    tn_train_hooks hooks = {.user = &cc, .on_epoch = cpu_on_epoch};
    tn__pool_profile(profile);
    double t0 = thread_cpu();
    if (tn__session_fit(&s, &hooks, &err)) {
        fprintf(stderr, "bench_pool: %s\n", err.msg);
        exit(1);
    }
    double t = cc.end - t0; /* to the last epoch's end: the evaluations after it are serial */
    *loss = s.result.train.loss;
    tn__session_close(&s);
    return t;
}

static int train_estimate(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: bench_pool train CONFIG ROWS EPOCHS BATCH [FJ_US]\n");
        return 2;
    }
    const char *config = argv[2];
    size_t rows = strtoul(argv[3], NULL, 10), batch = strtoul(argv[5], NULL, 10);
    int epochs = atoi(argv[4]);
    double fj = argc > 6 ? atof(argv[6]) * 1e-6 : 1e-6, l1, l2;
    /* The end-of-fit evaluation passes are part of both: they run on one thread. */
    double c1 = fit_cpu(config, rows, epochs, batch, 1, 0, &l1);
    double c2 = fit_cpu(config, rows, epochs, batch, 2, 1, &l2);
    double sum, crit;
    long long jobs;
    tn__pool_profile_read(&sum, &crit, &jobs);
    tn__pool_profile(0);
    double est = c2 - sum + crit + (double)jobs * fj;
    printf("%s: 1 thread %.3f s CPU; 2 threads, parts serial: %.3f s CPU, of it %.3f s in %lld "
           "split jobs whose critical path is %.3f s; estimate on 2 idle cores %.3f s "
           "(fork-join %.1f us): %.2fx; loss %s\n", config, c1, c2, sum, jobs, crit, est,
           fj * 1e6, c1 / est, l1 == l2 ? "the same bits" : "DIFFERS");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "train"))
        return train_estimate(argc, argv);
    int rounds = argc > 1 ? atoi(argv[1]) : 41;
    tn__blas_set_threads(1);
    tn_pool *pool;
    if (tn__pool_new(2, &pool)) {
        fprintf(stderr, "bench_pool: cannot start a thread\n");
        return 1;
    }
    tn__blas_split_min(0); /* split everything: this measures where it pays */
    /* in, out, batch: layers of the ring, recommender and Fashion networks */
    static const size_t layers[][3] = {{2, 16, 32},    {16, 16, 32},  {64, 64, 256},
                                       {64, 32, 256},  {32, 1, 256},  {784, 256, 128},
                                       {256, 128, 128}, {128, 10, 128}, {784, 256, 256},
                                       {256, 128, 256}, {128, 10, 256}, {64, 64, 64},
                                       {128, 128, 128}, {32, 32, 128}};
    size_t nl = sizeof layers / sizeof layers[0];
    double *t1 = malloc((size_t)rounds * sizeof *t1), *t2 = malloc((size_t)rounds * sizeof *t2);
    printf("%-28s %12s %10s %10s %7s\n", "product (M x N x K)", "mult-adds", "1 thread", "2 split",
           "ratio");
    for (size_t l = 0; l < nl; l++) {
        size_t I = layers[l][0], U = layers[l][1], B = layers[l][2];
        float *x = calloc(B * I, 4), *W = calloc(I * U, 4), *z = calloc(B * U, 4);
        float *dW = calloc(I * U, 4), *dx = calloc(B * I, 4);
        for (size_t i = 0; i < B * I; i++)
            x[i] = (float)(i % 7) * 0.1f;
        for (size_t i = 0; i < I * U; i++)
            W[i] = (float)(i % 5) * 0.1f;
        for (size_t i = 0; i < B * U; i++)
            z[i] = (float)(i % 3) * 0.1f;
        for (int kind = 0; kind < 3; kind++) {
            size_t M = kind == 0 ? B : kind == 1 ? I : B, N = kind == 0 ? U : kind == 1 ? U : I;
            size_t K = kind == 0 ? I : kind == 1 ? B : U;
            size_t reps = (size_t)(2e6 / ((double)M * N * K + 1e3)) + 1;
            for (int r = 0; r < rounds; r++)
                for (int use = 0; use < 2; use++) {
                    tn_pool *old = tn__pool_use(use ? pool : NULL);
                    double t0 = now();
                    for (size_t k = 0; k < reps; k++) {
                        if (kind == 0)
                            tn__sgemm(0, 0, B, U, I, 1.0f, x, I, W, U, 0.0f, z, U);
                        else if (kind == 1)
                            tn__sgemm(1, 0, I, U, B, 1.0f, x, I, z, U, 1.0f, dW, U);
                        else
                            tn__sgemm(0, 1, B, I, U, 1.0f, z, U, W, U, 1.0f, dx, I);
                    }
                    (use ? t2 : t1)[r] = (now() - t0) / (double)reps;
                    tn__pool_use(old);
                }
            qsort(t1, (size_t)rounds, sizeof *t1, cmp);
            qsort(t2, (size_t)rounds, sizeof *t2, cmp);
            double a = t1[rounds / 2], b = t2[rounds / 2];
            char name[64];
            snprintf(name, sizeof name, "%s %zux%zux%zu", kind == 0 ? "fwd" : kind == 1 ? "dW " : "dx ",
                     M, N, K);
            printf("%-28s %12.0f %8.2fus %8.2fus %7.2f\n", name, (double)M * N * K, a * 1e6,
                   b * 1e6, a / b);
        }
        free(x), free(W), free(z), free(dW), free(dx);
    }
    for (int r = 0; r < rounds; r++) {
        double t0 = now();
        for (int k = 0; k < 1000; k++)
            tn__pool_run(pool, 2, nothing, NULL);
        t1[r] = (now() - t0) / 1000;
    }
    qsort(t1, (size_t)rounds, sizeof *t1, cmp);
    printf("empty fork-join of 2 parts: %.2f us (median)\n", t1[rounds / 2] * 1e6);
    free(t1), free(t2);
    tn__pool_free(pool);
    return 0;
}
