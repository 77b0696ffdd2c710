/* The tinynet side of tools/bench/compare: a server that reads one command a line on
 * stdin and answers one line on stdout, so that the driver can interleave it with the
 * references (PyTorch, FANN) run by run without paying a process start in the figures.
 *
 *   train CONFIG ROWS EPOCHS BATCH THREADS [lazy] -> "<seconds> <final train loss>"
 *       trains CONFIG (relative to the repository root given as argv[1]) through the
 *       training session on ROWS synthetic rows, timed from the start of the fit (the
 *       parameter initialisation included) to the end of its last epoch. "lazy": the
 *       config's adam with "lazy": true (row-wise embedding updates).
 *   latency CONFIG THREADS                   -> "<microseconds per batch-1 tn_predict>"
 *       the config's network with its seeded initial weights, saved and loaded through the
 *       public runtime (tinynet.h), as an embedding program would run it.
 *   sgemm BATCH STEPS W0 W1 ... Wn           -> "<seconds> <GFLOP/s>"
 *       the OpenBLAS floor of a dense stack W0-W1-...-Wn: the GEMMs of STEPS training steps
 *       at BATCH rows (forward, dW and dX of every layer but the first's dX, as in a step),
 *       nothing else; the layers' shapes of the workload, the same library and threads.
 *   sgemv W0 W1 ... Wn                       -> "<microseconds>"
 *       the OpenBLAS floor of a batch-1 forward: one sgemv per layer.
 *   threads N                                -> "ok": BLAS threads for sgemm / sgemv.
 *
 * Synthetic rows: speed does not depend on what is learnt; index inputs get ids below
 * their vocabulary, float inputs U(-1, 1), targets a class (several outputs) or 0/1. */
#include "core/blas.h"
#include "core/rng.h"
#include "synth.h"
#include "model/model.h"
#include "train/session.h"
#include "tinynet/tinynet.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *root = ".";

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "compare_tn: %s: %s\n", what, msg);
    exit(1);
}

static void open_config(const char *config, tn_session *s)
{
    char path[4096];
    tn_error err = {0};
    snprintf(path, sizeof path, "%s/%s", root, config);
    if (tn__session_open(path, s, &err))
        die(path, err.msg);
}

static void cmd_train(const char *config, size_t rows, int epochs, size_t batch, int threads,
                      int lazy)
{
    tn_session s;
    tn_error err = {0};
    open_config(config, &s);
    tn_config *c = s.config;
    c->train.epochs = epochs;
    c->train.batch_size = batch;
    c->train.patience = 0;
    if (lazy) {
        const tn_optim_ops *ops = c->optim.ops;
        for (int i = 0; i < ops->n_params; i++)
            if (!strcmp(ops->params[i].name, "lazy"))
                c->optim.p[i] = 1;
    }
    s.threads = threads;
    s.data.train = bench_synth(c->net, rows, "compare_tn");
    s.loaded = 1;
    s.data_seed = c->train.seed;
    bench_fit_clock fc = {epochs, 0};
    tn_train_hooks hooks = {.user = &fc, .on_epoch = bench_on_epoch};
    double t0 = bench_now();
    if (tn__session_fit(&s, &hooks, &err))
        die(config, err.msg);
    printf("%.6f %.6f\n", fc.end - t0, s.result.train.loss);
    tn__session_close(&s);
}

static void cmd_latency(const char *config, int threads)
{
    tn_session s;
    tn_error err = {0};
    open_config(config, &s);
    tn__net_init_params(s.config->net, 42);
    const tn_model *view;
    char tmp[] = "/tmp/compare_tn_XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0)
        die("mkstemp", "cannot make a temporary file");
    close(fd);
    tn_model *m = NULL;
    int rc = tn__session_model(&s, &view, &err);
    if (rc == TN_OK)
        rc = tn__model_save(tmp, view, &err);
    if (rc == TN_OK)
        rc = tn_model_load(tmp, 0, &m, &err);
    remove(tmp);
    tn__session_close(&s);
    if (rc)
        die(config, err.msg);
    tn__blas_set_threads(threads);
    size_t n_in = tn_model_n_inputs(m), out_w = tn_model_output_width(m);
    enum { ROWS = 256 };
    float *x[8] = {0};
    const float *xp[8];
    unsigned seed = 12345;
    for (size_t i = 0; i < n_in && i < 8; i++) {
        size_t w = tn_model_input_width(m, i), vocab = tn_model_input_vocab(m, i);
        x[i] = malloc(ROWS * w * sizeof *x[i]);
        for (size_t k = 0; k < ROWS * w; k++) {
            seed = seed * 1103515245u + 12345u;
            unsigned v = (seed >> 8) & 0xffff;
            x[i][k] = vocab ? (float)(v % vocab) : (float)v / 16384.0f - 2.0f;
        }
    }
    float *y = malloc(out_w * sizeof *y);
    tn_ctx *ctx;
    if (tn_ctx_new(m, 1, &ctx, &err))
        die(config, err.msg);
    /* Enough calls for ~0.2 s, best of 5 rounds (latency: the quiet case). */
    size_t calls = 64;
    double best = INFINITY;
    for (int round = 0; round < 6; round++) {
        double t0 = bench_now();
        for (size_t c = 0; c < calls; c++) {
            for (size_t i = 0; i < n_in; i++)
                xp[i] = x[i] + (c % ROWS) * tn_model_input_width(m, i);
            tn_predict(ctx, xp, 1, y);
        }
        double dt = (bench_now() - t0) / (double)calls;
        if (round == 0)
            calls = (size_t)(0.04 / dt) + 1;
        else
            best = fmin(best, dt);
    }
    printf("%.4f\n", best * 1e6);
    tn_ctx_free(ctx);
    tn_model_free(m);
    for (size_t i = 0; i < 8; i++)
        free(x[i]);
    free(y);
}

#define MAX_W 16

static void cmd_sgemm(size_t B, long steps, const size_t *w, int n)
{
    size_t widest = B;
    for (int i = 0; i < n; i++)
        widest = w[i] > widest ? w[i] : widest;
    float *a = calloc(B * widest, sizeof *a), *g = calloc(B * widest, sizeof *g);
    float *o = calloc(B * widest, sizeof *o), *W = calloc(widest * widest, sizeof *W);
    float *dW = calloc(widest * widest, sizeof *dW);
    if (!a || !g || !o || !W || !dW)
        die("sgemm", "out of memory");
    for (size_t i = 0; i < B * widest; i++)
        a[i] = g[i] = (float)(i % 7) * 0.01f;
    for (size_t i = 0; i < widest * widest; i++)
        W[i] = (float)(i % 5) * 0.01f;
    double flops = 0;
    double t0 = bench_now();
    for (long s = 0; s < steps; s++)
        for (int l = 0; l + 1 < n; l++) {
            size_t K = w[l], N = w[l + 1];
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)N, (int)K, 1.0f,
                        a, (int)K, W, (int)N, 0.0f, o, (int)N);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)N, (int)B, 1.0f, a,
                        (int)K, g, (int)N, 1.0f, dW, (int)N);
            if (l > 0)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)K, (int)N, 1.0f,
                            g, (int)N, W, (int)N, 0.0f, o, (int)K);
        }
    double t = bench_now() - t0;
    for (int l = 0; l + 1 < n; l++)
        flops += 2.0 * (double)B * (double)w[l] * (double)w[l + 1] * (l > 0 ? 3 : 2);
    printf("%.6f %.2f\n", t, flops * (double)steps / t * 1e-9);
    free(a), free(g), free(o), free(W), free(dW);
}

static void cmd_sgemv(const size_t *w, int n)
{
    size_t widest = 1;
    for (int i = 0; i < n; i++)
        widest = w[i] > widest ? w[i] : widest;
    float *x = calloc(widest, sizeof *x), *y = calloc(widest, sizeof *y);
    float *W = calloc(widest * widest, sizeof *W);
    if (!x || !y || !W)
        die("sgemv", "out of memory");
    for (size_t i = 0; i < widest * widest; i++)
        W[i] = (float)(i % 5) * 0.01f;
    size_t calls = 64;
    double best = INFINITY;
    for (int round = 0; round < 6; round++) {
        double t0 = bench_now();
        for (size_t c = 0; c < calls; c++)
            for (int l = 0; l + 1 < n; l++) /* y = W^T x with W (in, out) row-major */
                cblas_sgemv(CblasRowMajor, CblasTrans, (int)w[l], (int)w[l + 1], 1.0f, W,
                            (int)w[l + 1], l & 1 ? y : x, 1, 0.0f, l & 1 ? x : y, 1);
        double dt = (bench_now() - t0) / (double)calls;
        if (round == 0)
            calls = (size_t)(0.04 / dt) + 1;
        else
            best = fmin(best, dt);
    }
    printf("%.4f\n", best * 1e6);
    free(x), free(y), free(W);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        root = argv[1];
    tn__blas_set_threads(1);
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        char *words[MAX_W + 4];
        int n = 0;
        for (char *t = strtok(line, " \t\r\n"); t && n < MAX_W + 4; t = strtok(NULL, " \t\r\n"))
            words[n++] = t;
        if (n == 0)
            continue;
        if (!strcmp(words[0], "train") && (n == 6 || n == 7)) {
            cmd_train(words[1], strtoul(words[2], NULL, 10), atoi(words[3]),
                      strtoul(words[4], NULL, 10), atoi(words[5]),
                      n == 7 && !strcmp(words[6], "lazy"));
        } else if (!strcmp(words[0], "latency") && n == 3) {
            cmd_latency(words[1], atoi(words[2]));
        } else if ((!strcmp(words[0], "sgemm") && n >= 5) || (!strcmp(words[0], "sgemv") && n >= 3)) {
            int gemm = words[0][4] == 'm', first = gemm ? 3 : 1;
            size_t w[MAX_W];
            int k = 0;
            for (int i = first; i < n && k < MAX_W; i++)
                w[k++] = strtoul(words[i], NULL, 10);
            if (gemm)
                cmd_sgemm(strtoul(words[1], NULL, 10), atol(words[2]), w, k);
            else
                cmd_sgemv(w, k);
        } else if (!strcmp(words[0], "threads") && n == 2) {
            tn__blas_set_threads(atoi(words[1]));
            printf("ok\n");
        } else {
            die("command", words[0]);
        }
        fflush(stdout);
    }
    return 0;
}
