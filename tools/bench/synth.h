/* Shared by the benchmarks (bench_train, compare_tn): synthetic rows for a config's network
 * and the moment the last epoch ends. Internal headers: the benchmarks build against the
 * static library with src/ on their include path. */
#ifndef TN_BENCH_SYNTH_H
#define TN_BENCH_SYNTH_H

#include "core/rng.h"
#include "data/dataset.h"
#include "graph/graph.h"
#include "tinynet/train.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Index inputs get ids below their vocabulary, float inputs U(-1, 1); targets 0/1 (one
 * output) or a class index (several). Exits with a message when out of memory: a tool. */
static inline tn_dataset *bench_synth(const tn_net *net, size_t rows, const char *tool)
{
    size_t widths[TN_MAX_INPUTS];
    for (int i = 0; i < net->n_inputs; i++)
        widths[i] = net->nodes[i].width;
    tn_dataset *d = NULL;
    tn_error err;
    if (tn__dataset_new(rows, net->n_inputs, widths, 1, &d, &err)) {
        fprintf(stderr, "%s: synthetic data: %s\n", tool, err.msg);
        exit(1);
    }
    tn_rng r;
    tn__rng_seed(&r, 9, TN_STREAM_DATA);
    size_t classes = net->nodes[net->output].width;
    for (int i = 0; i < net->n_inputs; i++)
        for (size_t k = 0; k < rows * widths[i]; k++)
            d->x[i][k] = net->nodes[i].kind == TN_NODE_INDEX_INPUT
                             ? (float)tn__rng_below(&r, (uint32_t)net->nodes[i].vocab)
                             : (float)(2.0 * tn__rng_uniform_d(&r) - 1.0);
    for (size_t k = 0; k < rows; k++)
        d->t[k] = (float)tn__rng_below(&r, classes > 1 ? (uint32_t)classes : 2u);
    return d;
}

/* When the last epoch ends: the fit's own evaluation of the kept parameters, which follows,
 * is not a training step and stays out of the time. */
typedef struct bench_fit_clock {
    int epochs;
    double end;
} bench_fit_clock;

static inline void bench_on_epoch(void *user, const tn_epoch_info *e)
{
    bench_fit_clock *fc = user;
    if (e->epoch == fc->epochs)
        fc->end = bench_now();
}

#endif
