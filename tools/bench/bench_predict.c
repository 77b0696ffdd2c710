/* Predict latency and throughput of the runtime (tinynet.h), each quoted as a ratio to a
 * plain reference measured in the same run: a hand-written loop forward pass of the same
 * dense network (no BLAS, no checks), whose results are first checked against the
 * runtime's. Ratio = runtime time / reference time (< 1: the runtime is faster).
 *
 *   bench_predict [REPO_ROOT]     (default: the current directory)
 *
 * Models: the ring classifier (models/ring.json, 2-16-16-1) and a wider MLP (64-256-256-10
 * softmax), both with seeded random weights (speed does not depend on training). The
 * recommender (models/recommender.json, embeddings and concat) is not measured: the plain
 * reference loop covers dense stacks only. BLAS runs on 1 thread. */
#include "core/blas.h"
#include "io/config.h"
#include "io/model.h"
#include "layers/actinst.h"
#include "tinynet/tinynet.h"

#include <math.h>
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

/* ---- the plain reference: dense layers as three nested loops ---------------------------- */

typedef struct ref_layer {
    size_t in, out;
    const float *W, *b; /* (in, out), (out) or NULL */
    int act;            /* 0 identity, 1 relu, 2 sigmoid, 3 softmax */
} ref_layer;

typedef struct ref_net {
    ref_layer L[8];
    int n;
    float *buf[2]; /* ping-pong activations, max_batch x widest */
} ref_net;

static int ref_build(const tn_model *m, size_t max_batch, ref_net *r)
{
    const tn_net *net = m->net;
    size_t widest = net->nodes[0].width;
    r->n = net->n_layers;
    for (int i = 0; i < net->n_layers; i++) {
        const tn_layer *L = &net->layers[i];
        if (strcmp(L->ops->type, "dense") != 0 || i >= 8)
            return -1;
        const char *a = L->ops->activation(L)->m->name;
        ref_layer *R = &r->L[i];
        R->in = net->nodes[L->in[0]].width;
        R->out = L->width;
        R->W = net->P + L->param_off;
        R->b = L->n_tensors > 1 ? R->W + R->in * R->out : NULL;
        R->act = !strcmp(a, "identity") ? 0 : !strcmp(a, "relu") ? 1
               : !strcmp(a, "sigmoid") ? 2 : !strcmp(a, "softmax") ? 3 : -1;
        if (R->act < 0)
            return -1;
        if (R->out > widest)
            widest = R->out;
    }
    r->buf[0] = malloc(max_batch * widest * sizeof(float));
    r->buf[1] = malloc(max_batch * widest * sizeof(float));
    return 0;
}

static void ref_forward(const ref_net *r, const float *x, size_t B, float *y)
{
    const float *in = x;
    for (int l = 0; l < r->n; l++) {
        const ref_layer *R = &r->L[l];
        float *out = l == r->n - 1 ? y : r->buf[l & 1];
        for (size_t i = 0; i < B; i++) {
            float *o = out + i * R->out;
            for (size_t j = 0; j < R->out; j++)
                o[j] = R->b ? R->b[j] : 0.0f;
            for (size_t k = 0; k < R->in; k++) {
                float v = in[i * R->in + k];
                const float *w = R->W + k * R->out;
                for (size_t j = 0; j < R->out; j++)
                    o[j] += v * w[j];
            }
            if (R->act == 1)
                for (size_t j = 0; j < R->out; j++)
                    o[j] = o[j] > 0.0f ? o[j] : 0.0f;
            else if (R->act == 2)
                for (size_t j = 0; j < R->out; j++)
                    o[j] = 1.0f / (1.0f + expf(-o[j]));
            else if (R->act == 3) {
                float mx = o[0], s = 0.0f;
                for (size_t j = 1; j < R->out; j++)
                    mx = o[j] > mx ? o[j] : mx;
                for (size_t j = 0; j < R->out; j++)
                    s += (o[j] = expf(o[j] - mx));
                for (size_t j = 0; j < R->out; j++)
                    o[j] /= s;
            }
        }
        in = out;
    }
}

/* ---- models ----------------------------------------------------------------------------- */

static tn_model *make_model(const char *root, const char *config_text, const char *config_path)
{
    tn_error err = {0};
    tn_config *c = NULL;
    char path[4096];
    int rc = config_text ? tn__config_parse("wide.json", config_text, strlen(config_text), &c, &err)
                         : (snprintf(path, sizeof path, "%s/%s", root, config_path),
                            tn__config_load(path, &c, &err));
    if (rc) {
        fprintf(stderr, "bench_predict: %s\n", err.msg);
        exit(1);
    }
    tn__net_init_params(c->net, 42);
    /* Through a real file and the public loader, as an embedding program would. */
    char tmp[] = "/tmp/bench_predict_XXXXXX";
    int fd = mkstemp(tmp);
    tn_model *m = NULL;
    if (fd < 0 || (rc = tn__model_save(tmp, c->net, c->loss, &c->data.columns, NULL, NULL, &err)) ||
        (rc = tn_model_load(tmp, &m, &err))) {
        fprintf(stderr, "bench_predict: %s\n", err.msg);
        exit(1);
    }
    remove(tmp);
    tn__config_free(c);
    return m;
}

/* The wide model's config; data.inputs needs one column name per feature. */
static char *wide_json(void)
{
    static char text[4096];
    int n = snprintf(text, sizeof text,
        "{\"name\": \"wide\", \"inputs\": [{\"name\": \"x\", \"size\": 64}],"
        " \"layers\": [{\"type\": \"dense\", \"units\": 256, \"activation\": \"relu\"},"
        "  {\"type\": \"dense\", \"units\": 256, \"activation\": \"relu\"},"
        "  {\"type\": \"dense\", \"units\": 10, \"activation\": \"softmax\"}],"
        " \"loss\": \"categorical_crossentropy\", \"optimizer\": {\"type\": \"adam\"},"
        " \"train\": {\"epochs\": 1, \"batch_size\": 32},"
        " \"data\": {\"train\": \"none.csv\", \"target\": \"y\", \"inputs\": [");
    for (int i = 0; i < 64; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, "%s\"x%d\"", i ? "," : "", i);
    snprintf(text + n, sizeof text - (size_t)n, "]}}");
    return text;
}

/* ---- timing ----------------------------------------------------------------------------- */

#define ROWS 4096

typedef struct run_args {
    tn_ctx *ctx;
    const ref_net *ref;
    const float *x;
    size_t in_w, out_w, batch;
    float *y;
} run_args;

/* Seconds per call of `batch` rows, best of 5 rounds of enough calls to take ~0.1 s. */
static double time_calls(const run_args *a, int use_ref)
{
    size_t calls = 0;
    double best = INFINITY;
    for (int round = 0; round < 5; round++) {
        size_t n = round == 0 ? 64 : calls;
        double t0 = now();
        for (size_t c = 0; c < n; c++) {
            size_t first = (c * a->batch) % (ROWS - a->batch + 1);
            const float *x = a->x + first * a->in_w;
            if (use_ref)
                ref_forward(a->ref, x, a->batch, a->y);
            else
                tn_predict(a->ctx, &x, a->batch, a->y);
        }
        double dt = (now() - t0) / (double)n;
        if (round == 0)
            calls = (size_t)(0.1 / dt) + 1;
        else if (dt < best)
            best = dt;
    }
    return best;
}

static void bench(const char *name, tn_model *m)
{
    size_t in_w = tn_model_input_width(m, 0), out_w = tn_model_output_width(m);
    float *x = malloc(ROWS * in_w * sizeof *x);
    float *y = malloc(ROWS * out_w * sizeof *y), *yr = malloc(ROWS * out_w * sizeof *yr);
    unsigned s = 12345;
    for (size_t i = 0; i < ROWS * in_w; i++) {
        s = s * 1103515245u + 12345u;
        x[i] = (float)((s >> 8) & 0xffff) / 16384.0f - 2.0f; /* [-2, 2) */
    }
    tn_error err;
    tn_ctx *ctx;
    ref_net ref;
    if (tn_ctx_new(m, 256, &ctx, &err) || ref_build(m, 256, &ref)) {
        fprintf(stderr, "bench_predict: cannot set up %s\n", name);
        exit(1);
    }
    /* The reference must compute the same function before its time means anything. */
    const float *in[1] = {x};
    tn_predict(ctx, in, 256, y);
    ref_forward(&ref, x, 256, yr);
    double maxdiff = 0;
    for (size_t i = 0; i < 256 * out_w; i++)
        maxdiff = fmax(maxdiff, fabs((double)y[i] - (double)yr[i]));
    if (maxdiff > 1e-4) {
        fprintf(stderr, "bench_predict: %s: reference differs by %g\n", name, maxdiff);
        exit(1);
    }
    for (size_t b = 1; b <= 256; b *= 256) {
        run_args a = {ctx, &ref, x, in_w, out_w, b, y};
        double t_rt = time_calls(&a, 0), t_ref = time_calls(&a, 1);
        if (b == 1)
            printf("%-6s batch 1    latency   %8.2f us  reference %8.2f us  ratio %5.2f\n", name,
                   1e6 * t_rt, 1e6 * t_ref, t_rt / t_ref);
        else
            printf("%-6s batch 256  throughput %8.3g row/s  reference %8.3g row/s  ratio %5.2f"
                   " (time)\n", name, (double)b / t_rt, (double)b / t_ref, t_rt / t_ref);
    }
    printf("%-6s (reference max |diff| %.2g)\n", name, maxdiff);
    tn_ctx_free(ctx);
    free(ref.buf[0]);
    free(ref.buf[1]);
    free(x);
    free(y);
    free(yr);
}

int main(int argc, char **argv)
{
    const char *root = argc > 1 ? argv[1] : ".";
    tn__blas_set_threads(1);
    printf("tinynet %s predict benchmark, BLAS threads %d; ratio = runtime / plain loops\n",
           tn_version(), tn__blas_threads());
    tn_model *ring = make_model(root, NULL, "models/ring.json");
    tn_model *wide = make_model(root, wide_json(), NULL);
    bench("ring", ring);
    bench("wide", wide);
    printf("recommender: not measured (the plain reference covers dense networks only)\n");
    tn_model_free(ring);
    tn_model_free(wide);
    return 0;
}
