/* The FANN side of tools/bench/compare: the C peer of issue 10, over Debian's libfann-dev
 * (FANN 2.2.0, float build). Built only when CMake finds the library; the driver prints "n/a"
 * without it. The same line protocol as compare_tn:
 *
 *   train CONFIG ROWS EPOCHS BATCH  -> "<seconds> <last epoch's mean train loss>"
 *   latency CONFIG                  -> "<microseconds per batch-1 fann_run>"
 *
 * CONFIG is one of tools/bench/peer_*.json, the networks FANN can run exactly as tinynet
 * does: dense layers with bias, tanh hidden layers and a sigmoid output, the MSE loss and
 * plain gradient descent without shuffling (FANN has no Adam, no ReLU in 2.2.0, and never
 * shuffles inside fann_train_epoch). The tinynet library is linked here only to read that
 * config, to draw the same synthetic rows as compare_tn (synth.h) and the same initial
 * parameters as a tinynet fit (tn__net_init_params with the config's seed), which are
 * copied into FANN with fann_set_weight_array: both engines start from the same weights
 * and see the same rows in the same order.
 *
 * How FANN's rule maps onto tinynet's (fann_train.c, fann_activation.h of 2.2.0):
 *  - FANN_SIGMOID is 1/(1+exp(-2 s x)) and FANN_SIGMOID_SYMMETRIC is tanh(s x); steepness
 *    s = 0.5 (output) and 1 (hidden) make them tinynet's sigmoid and tanh.
 *  - FANN_TRAIN_BATCH adds up (t - y) f'(z) x over the rows of the data it is given and
 *    then moves every weight by learning_rate / rows times that sum: gradient descent on
 *    1/2 the mean squared error. tinynet's mse is the mean of (y - t)^2 (twice the
 *    gradient), hence tinynet lr 0.35 against FANN's 0.7 (its default). Momentum 0 and
 *    the linear error function (FANN's default, FANN_ERRORFUNC_TANH, would rescale the
 *    error) are set explicitly.
 *  - A batch of B < ROWS rows: fann_train_epoch on each consecutive B-row slice of the
 *    data (a view over FANN's own row pointers, no copy), the last one partial, like
 *    tinynet's unshuffled batches. BATCH 1: FANN_TRAIN_INCREMENTAL over the whole data,
 *    which updates after every row (the same arithmetic as a one-row batch).
 * Not identical: FANN evaluates f' from the output clipped to [0.01, 0.99] (sigmoid) and
 * [-0.98, 0.98] (tanh), which only matters near saturation, and sums in its own order
 * (one dot product per neuron in float) where tinynet runs OpenBLAS GEMMs: the losses
 * agree closely, not bit for bit (compare --verbose prints both).
 *
 * Timed from the first epoch to the end of the last (the network, its weights and the data
 * are set up before, as tinynet's session is). */
#include "core/rng.h"
#include "synth.h"
#include "train/session.h"

#include <floatfann.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_LAYERS = 16 };

static const char *root = ".";

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "compare_fann: %s: %s\n", what, msg);
    exit(1);
}

/* A FANN network with the config's shape, activations and initial weights. */
static struct fann *build(tn_session *s, const char *config)
{
    char path[4096];
    tn_error err = {0};
    snprintf(path, sizeof path, "%s/%s", root, config);
    if (tn__session_open(path, s, &err))
        die(path, err.msg);
    tn_net *net = s->config->net;
    unsigned w[MAX_LAYERS + 1];
    if (net->n_inputs != 1 || net->n_layers > MAX_LAYERS)
        die(config, "FANN runs one input and at most 16 layers");
    w[0] = (unsigned)net->nodes[0].width;
    for (int l = 0; l < net->n_layers; l++) {
        const tn_layer *L = &net->layers[l];
        const char *want = l + 1 < net->n_layers ? "tanh" : "sigmoid";
        if (strcmp(L->ops->type, "dense") || !L->act || strcmp(L->act->m->name, want) ||
            L->n_params != net->nodes[L->in[0]].width * L->width + L->width)
            die(config, "FANN runs dense layers with bias, tanh hidden and a sigmoid output");
        w[l + 1] = (unsigned)L->width;
    }
    struct fann *ann = fann_create_standard_array((unsigned)net->n_layers + 1, w);
    if (!ann)
        die(config, "fann_create_standard_array failed");
    fann_set_activation_function_hidden(ann, FANN_SIGMOID_SYMMETRIC);
    fann_set_activation_steepness_hidden(ann, 1.0f);
    fann_set_activation_function_output(ann, FANN_SIGMOID);
    fann_set_activation_steepness_output(ann, 0.5f);
    fann_set_train_error_function(ann, FANN_ERRORFUNC_LINEAR);
    fann_set_learning_momentum(ann, 0.0f);
    fann_set_learning_rate(ann, 2.0f * (float)s->config->optim.lr);

    /* tinynet's parameters: W (in x units, row-major) then b, layer after layer. FANN's
     * neurons are numbered layer after layer, each layer followed by its bias neuron; a
     * connection from a layer's bias neuron carries b. */
    tn__net_init_params(net, s->config->train.seed);
    unsigned first[MAX_LAYERS + 1], n_con = fann_get_total_connections(ann);
    first[0] = 0;
    for (int l = 0; l < net->n_layers; l++)
        first[l + 1] = first[l] + w[l] + 1;
    struct fann_connection *con = malloc(n_con * sizeof *con);
    if (!con)
        die(config, "out of memory");
    fann_get_connection_array(ann, con);
    for (unsigned c = 0; c < n_con; c++) {
        int l = 0;
        while (l + 1 < net->n_layers && con[c].to_neuron >= first[l + 2])
            l++;
        unsigned j = con[c].to_neuron - first[l + 1], i = con[c].from_neuron - first[l];
        if (j >= w[l + 1] || i > w[l])
            die(config, "unexpected FANN connection layout");
        const float *P = net->P + net->layers[l].param_off;
        con[c].weight = i == w[l] ? P[(size_t)w[l] * w[l + 1] + j] : P[(size_t)i * w[l + 1] + j];
    }
    fann_set_weight_array(ann, con, n_con);
    free(con);
    return ann;
}

static struct fann_train_data *train_data(const tn_net *net, size_t rows)
{
    tn_dataset *d = bench_synth(net, rows, "compare_fann");
    unsigned n_in = (unsigned)d->width[0];
    struct fann_train_data *t = fann_create_train((unsigned)rows, n_in, 1);
    if (!t)
        die("data", "fann_create_train failed");
    for (size_t r = 0; r < rows; r++) {
        memcpy(t->input[r], d->x[0] + r * n_in, n_in * sizeof(float));
        t->output[r][0] = d->t[r];
    }
    tn__dataset_free(d);
    return t;
}

static void cmd_train(const char *config, size_t rows, int epochs, size_t batch)
{
    tn_session s;
    struct fann *ann = build(&s, config);
    struct fann_train_data *all = train_data(s.config->net, rows);
    if (batch < 1)
        batch = 1;
    fann_set_training_algorithm(ann, batch == 1 ? FANN_TRAIN_INCREMENTAL : FANN_TRAIN_BATCH);
    /* The loss summed over an epoch's rows, each at the forward pass before its update: what
     * tinynet's fit reports (the mean over the last epoch). */
    double total = 0;
    double t0 = bench_now();
    for (int e = 0; e < epochs; e++) {
        total = 0;
        if (batch == 1 || batch >= rows) {
            total = (double)fann_train_epoch(ann, all) * (double)rows;
            continue;
        }
        for (size_t at = 0; at < rows; at += batch) {
            struct fann_train_data view = *all;
            view.num_data = (unsigned)(rows - at < batch ? rows - at : batch);
            view.input = all->input + at;
            view.output = all->output + at;
            total += (double)fann_train_epoch(ann, &view) * view.num_data;
        }
    }
    double t = bench_now() - t0;
    printf("%.6f %.6f\n", t, total / (double)rows);
    fann_destroy_train(all);
    fann_destroy(ann);
    tn__session_close(&s);
}

static void cmd_latency(const char *config)
{
    tn_session s;
    struct fann *ann = build(&s, config);
    unsigned n_in = fann_get_num_input(ann);
    enum { ROWS = 256 };
    float *x = malloc(ROWS * n_in * sizeof *x);
    if (!x)
        die("latency", "out of memory");
    unsigned seed = 12345; /* compare_tn's inputs */
    for (size_t k = 0; k < ROWS * n_in; k++) {
        seed = seed * 1103515245u + 12345u;
        x[k] = (float)((seed >> 8) & 0xffff) / 16384.0f - 2.0f;
    }
    /* Enough calls for ~0.04 s a round, best of 5 rounds, as compare_tn. */
    size_t calls = 64;
    double best = INFINITY;
    volatile float sink = 0;
    for (int round = 0; round < 6; round++) {
        double t0 = bench_now();
        for (size_t c = 0; c < calls; c++)
            sink += fann_run(ann, x + (c % ROWS) * n_in)[0];
        double dt = (bench_now() - t0) / (double)calls;
        if (round == 0)
            calls = (size_t)(0.04 / dt) + 1;
        else
            best = fmin(best, dt);
    }
    (void)sink; /* read once: the outputs were used, for compilers that ask */
    printf("%.4f\n", best * 1e6);
    free(x);
    fann_destroy(ann);
    tn__session_close(&s);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        root = argv[1];
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        char *words[8];
        int n = 0;
        for (char *t = strtok(line, " \t\r\n"); t && n < 8; t = strtok(NULL, " \t\r\n"))
            words[n++] = t;
        if (n == 0)
            continue;
        if (!strcmp(words[0], "train") && n == 5)
            cmd_train(words[1], strtoul(words[2], NULL, 10), atoi(words[3]),
                      strtoul(words[4], NULL, 10));
        else if (!strcmp(words[0], "latency") && n == 2)
            cmd_latency(words[1]);
        else
            die("command", words[0]);
        fflush(stdout);
    }
    return 0;
}
