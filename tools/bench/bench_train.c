/* Training speed: the hot kernels one by one, then whole training steps of three networks,
 * on synthetic data (speed does not depend on what is learnt). BLAS runs on 1 thread.
 *
 *   bench_train [REPO_ROOT] [SCALE]   (default: the current directory, 1)
 *
 * Kernels (time per call, best of several repeats): relu / leaky_relu / sigmoid / tanh
 * forward + backward on a 256 x 64 block, softmax forward + backward on 256 x 10, an Adam
 * step over the recommender's parameter count, and 64k uniform draws. Where a plain loop
 * says what the kernel is worth (relu: a float loop with restrict; Adam: the same update
 * written over restrict pointers) it is measured in the same run and the ratio printed
 * (kernel / plain; < 1: the kernel is faster). The plain loops are compiled with the
 * library's vectorizer setting (CMakeLists.txt).
 *
 * Networks (steps per second, one step = forward, loss, backward, optimizer update of one
 * batch; a step's data loading is included; best of 3 runs): the ring classifier (models/ring.json,
 * 2-16-16-1, batch 32), the recommender (models/recommender.json: two embeddings, concat,
 * 64-32 relu, dropout, batch 256) and a 784-256-128-10 MLP (models/fashion_mlp.json,
 * batch 256). Each trains through the training session (train/session.h) on synthetic rows
 * handed to it in place of the config's data, timed from the start of the fit (the
 * parameter initialisation included) to the end of its last epoch. Compare builds by
 * running this program from each. */
#include "core/blas.h"
#include "core/rng.h"
#include "synth.h"
#include "optim/optim.h"
#include "train/session.h"
#include "tinynet/train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int scale = 1;
static volatile float sink;

/* Best time per call of fn(arg) over 7 repeats of `reps` calls. */
static double best_us(void (*fn)(void *), void *arg, int reps)
{
    double best = INFINITY;
    for (int k = 0; k < 7; k++) {
        double t0 = bench_now();
        for (int i = 0; i < reps; i++)
            fn(arg);
        double t = (bench_now() - t0) / reps;
        best = t < best ? t : best;
    }
    return best * 1e6;
}

/* ---- kernels ---------------------------------------------------------------------------- */

typedef struct act_case {
    const tn_activation *m;
    const float *x;
    float *y, *dy, *dx;
    size_t rows, cols;
} act_case;

static void act_fwd_bwd(void *p)
{
    act_case *a = p;
    a->m->forward(NULL, a->x, a->y, a->rows, a->cols);
    a->m->backward(NULL, a->x, a->y, a->dy, a->dx, NULL, a->rows, a->cols);
    sink = a->dx[0];
}

static void relu_plain(void *p)
{
    act_case *a = p;
    size_t n = a->rows * a->cols;
    const float *restrict x = a->x, *restrict dy = a->dy;
    float *restrict y = a->y, *restrict dx = a->dx;
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
    for (size_t i = 0; i < n; i++)
        dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
    sink = dx[0];
}

typedef struct adam_case {
    tn_optim *o;
    float *P, *G;
    float *m, *v; /* for the plain loop */
    size_t n;
    long long t;
} adam_case;

static void adam_kernel(void *p)
{
    adam_case *a = p;
    tn__optim_step(a->o, a->P, a->G);
    sink = a->P[0];
}

static void adam_plain(void *p)
{
    adam_case *a = p;
    a->t++;
    double bc1 = 1.0 - pow(0.9, (double)a->t), bc2 = 1.0 - pow(0.999, (double)a->t);
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, step = (float)(0.001 / bc1);
    const float isb = (float)(1.0 / sqrt(bc2)), c1 = 1.0f - b1, c2 = 1.0f - b2;
    float *restrict P = a->P, *restrict m = a->m, *restrict v = a->v;
    const float *restrict G = a->G;
    for (size_t i = 0; i < a->n; i++) {
        float g = G[i];
        m[i] = b1 * m[i] + c1 * g;
        v[i] = b2 * v[i] + c2 * g * g;
        P[i] -= step * m[i] / (sqrtf(v[i]) * isb + eps);
    }
    sink = P[0];
}

typedef struct rng_case {
    tn_rng r;
    float *out;
    size_t n;
} rng_case;

static void rng_draws(void *p)
{
    rng_case *a = p;
    for (size_t i = 0; i < a->n; i++)
        a->out[i] = tn__rng_uniform(&a->r);
    sink = a->out[a->n - 1];
}

static void bench_kernels(void)
{
    enum { ROWS = 256, COLS = 64, N = ROWS * COLS };
    static float x[N], y[N], dy[N], dx[N];
    tn_rng r;
    tn__rng_seed(&r, 1, 1);
    for (size_t i = 0; i < N; i++) {
        x[i] = (float)(4.0 * tn__rng_uniform_d(&r) - 2.0);
        dy[i] = (float)(2.0 * tn__rng_uniform_d(&r) - 1.0);
    }
    int reps = 200 * scale;
    act_case a = {NULL, x, y, dy, dx, ROWS, COLS};
    printf("kernels (us per call, best of 7)\n");
    a.m = tn_activation_find("relu");
    double relu = best_us(act_fwd_bwd, &a, reps), plain = best_us(relu_plain, &a, reps);
    printf("  %-34s %9.2f   plain float loop %7.2f   ratio %.2f\n",
           "relu fwd+bwd 256x64", relu, plain, relu / plain);
    static const char *const others[] = {"leaky_relu", "hard_swish", "sigmoid", "tanh", "gelu"};
    for (size_t k = 0; k < sizeof others / sizeof others[0]; k++) {
        a.m = tn_activation_find(others[k]);
        char label[64];
        snprintf(label, sizeof label, "%s fwd+bwd 256x64", others[k]);
        printf("  %-34s %9.2f\n", label, best_us(act_fwd_bwd, &a, reps));
    }
    a.m = tn_activation_find("softmax");
    a.cols = 10;
    printf("  %-34s %9.2f\n", "softmax fwd+bwd 256x10", best_us(act_fwd_bwd, &a, reps));

    /* Adam over the recommender's parameter count (embeddings + dense layers). */
    size_t n = 300 * 32 + 400 * 32 + 64 * 64 + 64 + 64 * 32 + 32 + 32 + 1;
    tn_optim_cfg oc;
    tn__optim_defaults(&oc, tn__optim_ops_find("adam"));
    adam_case ad = {NULL, calloc(n, 4), calloc(n, 4), calloc(n, 4), calloc(n, 4), n, 0};
    tn_error err;
    if (!ad.P || !ad.G || !ad.m || !ad.v || tn__optim_new(&oc, n, &ad.o, &err)) {
        fprintf(stderr, "bench_train: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++)
        ad.G[i] = (float)(tn__rng_uniform_d(&r) - 0.5) * 1e-2f;
    double adam = best_us(adam_kernel, &ad, reps), adam_p = best_us(adam_plain, &ad, reps);
    printf("  %-34s %9.2f   plain restrict loop %4.2f   ratio %.2f\n", "adam step 28k params",
           adam, adam_p, adam / adam_p);
    tn__optim_free(ad.o);
    free(ad.P), free(ad.G), free(ad.m), free(ad.v);

    rng_case rc = {{0, 0}, y, N};
    tn__rng_seed(&rc.r, 3, TN_STREAM_NOISE);
    printf("  %-34s %9.2f\n", "rng uniform x 16384", best_us(rng_draws, &rc, reps));
}

/* ---- whole training --------------------------------------------------------------------- */

static void bench_net(const char *root, const char *model, size_t rows, int epochs)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, model);
    tn_session s;
    tn_error err = {0};
    if (tn__session_open(path, &s, &err)) {
        fprintf(stderr, "bench_train: %s: %s\n", path, err.msg);
        exit(1);
    }
    tn_config *c = s.config;
    c->train.epochs = epochs * scale;
    c->train.patience = 0;
    s.threads = 1; /* the session sets BLAS to its count when it fits */
    /* The synthetic rows stand in for the config's data (some of which, Fashion-MNIST,
     * need not be present): unscaled, as the loop would see them, and counted as loaded
     * for the config's seed so that the fit does not read the files. */
    s.data.train = bench_synth(c->net, rows, "bench_train");
    s.loaded = 1;
    s.data_seed = c->train.seed;
    bench_fit_clock fc = {c->train.epochs, 0};
    tn_train_hooks hooks = {.user = &fc, .on_epoch = bench_on_epoch};
    double t = INFINITY;
    for (int k = 0; k < 3; k++) { /* best of 3, each from the config seed's initial weights */
        double t0 = bench_now();
        if (tn__session_fit(&s, &hooks, &err)) {
            fprintf(stderr, "bench_train: %s: %s\n", model, err.msg);
            exit(1);
        }
        t = fmin(t, fc.end - t0);
    }
    const tn_train_cfg *tc = &c->train;
    size_t steps = (size_t)tc->epochs * ((rows + tc->batch_size - 1) / tc->batch_size);
    printf("  %-26s batch %3zu  %6zu steps  %7.3f s  %9.1f steps/s  (loss %.6f)\n", model,
           tc->batch_size, steps, t, (double)steps / t, s.result.train.loss);
    tn__session_close(&s);
}

int main(int argc, char **argv)
{
    const char *root = argc > 1 ? argv[1] : ".";
    if (argc > 2)
        scale = atoi(argv[2]) > 0 ? atoi(argv[2]) : 1;
    tn__blas_set_threads(1);
    printf("tinynet %s training benchmark, BLAS threads %d\n", tn_version(), tn__blas_threads());
    bench_kernels();
    printf("training steps (synthetic data)\n");
    bench_net(root, "models/ring.json", 1024, 40);
    bench_net(root, "models/recommender.json", 8192, 6);
    bench_net(root, "models/fashion_mlp.json", 4096, 1);
    return 0;
}
