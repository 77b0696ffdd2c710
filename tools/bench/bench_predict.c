/* Predict latency and throughput of the runtime (tinynet.h), each quoted as a ratio to a
 * plain reference measured in the same run: a hand-written loop forward pass of the same
 * network (no BLAS, no id checks), whose results are first checked against the
 * runtime's. Ratio = runtime time / reference time (< 1: the runtime is faster).
 *
 *   bench_predict [REPO_ROOT]     (default: the current directory)
 *
 * Models: the ring classifier (models/ring.json, 2-16-16-1) and a wider MLP (64-256-256-10
 * softmax) with seeded random weights (speed does not depend on training), and the
 * recommender (models/recommender.json: two id inputs, 32-wide embeddings, concat,
 * 64-32-1) trained for two epochs on data/ratings.tsv, so its scores spread out and the
 * reference check compares something. BLAS runs on 1 thread. */
#include "core/blas.h"
#include "model/model.h"
#include "train/session.h"
#include "act/inst.h"
#include "tinynet/tinynet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- the plain reference: embedding gathers, concat, dense layers as nested loops -------- */

typedef struct ref_layer {
    size_t in, out;
    const float *W, *b; /* (in, out), (out) or NULL */
    int act;            /* 0 identity, 1 relu, 2 sigmoid, 3 softmax */
} ref_layer;

/* One embedding feeding the concat: row id of input `input` copied to columns
 * [off, off + dim) of the gathered row. */
typedef struct ref_embed {
    int input;
    const float *E; /* (vocab, dim) */
    size_t dim, off;
} ref_embed;

typedef struct ref_net {
    ref_embed emb[8]; /* n_emb > 0: inputs are ids, gathered and concatenated first */
    int n_emb;
    size_t gathered;  /* width of the concatenated embeddings */
    ref_layer L[8];
    int n;
    float *buf[2];    /* ping-pong activations, max_batch x widest */
} ref_net;

/* The supported shapes: a chain of dense layers on one float input, or embeddings of
 * index inputs joined by one concat and followed by such a chain. Dropout is the identity
 * at inference and is skipped. Anything else is refused rather than mis-measured. */
static int ref_build(const tn_model *m, size_t max_batch, ref_net *r)
{
    const tn_net *net = m->net;
    size_t widest = net->nodes[0].width;
    int prev = 0; /* the node the next dense layer must read */
    memset(r, 0, sizeof *r);
    for (int i = 0; i < net->n_layers; i++) {
        const tn_layer *L = &net->layers[i];
        if (!strcmp(L->ops->type, "embedding")) {
            if (r->n_emb >= 8 || net->nodes[L->in[0]].kind != TN_NODE_INDEX_INPUT)
                return -1;
            r->emb[r->n_emb++] = (ref_embed){L->in[0], net->P + L->param_off, L->width, 0};
            continue;
        }
        if (!strcmp(L->ops->type, "concat")) {
            if (r->n != 0 || L->n_in != r->n_emb)
                return -1;
            /* Concat order decides the columns; match each input to its embedding. */
            size_t off = 0;
            ref_embed sorted[8];
            for (int j = 0; j < L->n_in; j++) {
                const tn_layer *src = NULL;
                for (int k = 0; k < i; k++)
                    if (net->layers[k].node == L->in[j])
                        src = &net->layers[k];
                if (!src || strcmp(src->ops->type, "embedding") != 0)
                    return -1;
                sorted[j] = (ref_embed){src->in[0], net->P + src->param_off, src->width, off};
                off += src->width;
            }
            memcpy(r->emb, sorted, sizeof sorted);
            r->gathered = off;
            if (off > widest)
                widest = off;
            prev = L->node;
            continue;
        }
        if (L->in[0] != prev)
            return -1;
        prev = L->node;
        if (!strcmp(L->ops->type, "dropout"))
            continue;
        if (strcmp(L->ops->type, "dense") != 0 || r->n >= 8)
            return -1;
        const char *a = L->act->m->name;
        ref_layer *R = &r->L[r->n++];
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
    if (prev != net->output || r->n == 0 || (r->n_emb && !r->gathered))
        return -1;
    r->buf[0] = malloc(max_batch * widest * sizeof(float));
    r->buf[1] = malloc(max_batch * widest * sizeof(float));
    return 0;
}

/* x[i]: input i, B rows. Ids are trusted (the caller made them). */
static void ref_forward(const ref_net *r, const float *const *x, size_t B, float *y)
{
    const float *in = x[0];
    if (r->n_emb) {
        float *g = r->buf[1]; /* dense layer 0 writes buf[0] */
        for (size_t i = 0; i < B; i++)
            for (int e = 0; e < r->n_emb; e++) {
                const ref_embed *E = &r->emb[e];
                size_t id = (size_t)x[E->input][i];
                memcpy(g + i * r->gathered + E->off, E->E + id * E->dim, E->dim * sizeof *g);
            }
        in = g;
    }
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

/* A model from a config, through the training session: a config whose data format is
 * ratings (the recommender) is trained briefly, as `tinynet train` would, so that its scores
 * spread out; the others keep the seeded initial weights (speed does not depend on
 * training), which need no data: the wide model's data file does not exist. */
static tn_model *make_model(const char *root, const char *config_text, const char *config_path)
{
    tn_error err = {0};
    tn_session s;
    char path[4096];
    int rc = config_text ? tn__session_open_text("wide.json", config_text, strlen(config_text),
                                                 &s, &err)
                         : (snprintf(path, sizeof path, "%s/%s", root, config_path),
                            tn__session_open(path, &s, &err));
    if (rc) {
        fprintf(stderr, "bench_predict: %s\n", err.msg);
        exit(1);
    }
    int train = !strcmp(s.config->data.format->name, "ratings");
    /* Through a real file and the public loader, as an embedding program would. */
    char tmp[] = "/tmp/bench_predict_XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0) {
        perror("bench_predict: mkstemp");
        exit(1);
    }
    close(fd);
    tn_model *m = NULL;
    const tn_model *view;
    if (train) {
        s.config->train.epochs = 2;
        s.threads = 1; /* the fit sets BLAS to the session's count; the benchmark runs on 1 */
        rc = tn__session_fit(&s, NULL, &err);
        if (rc == TN_OK)
            rc = tn__session_save(&s, tmp, &err);
    } else {
        /* An untrained network is no training result, which tn__session_save refuses:
         * write the session's model view itself. */
        tn__net_init_params(s.config->net, 42);
        rc = tn__session_model(&s, &view, &err);
        if (rc == TN_OK)
            rc = tn__model_save(tmp, view, &err);
    }
    if (rc || (rc = tn_model_load(tmp, 0, &m, &err))) {
        fprintf(stderr, "bench_predict: %s\n", err.msg);
        remove(tmp);
        exit(1);
    }
    remove(tmp);
    tn__session_close(&s);
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
#define MAX_IN 4

typedef struct run_args {
    tn_ctx *ctx;
    const ref_net *ref;
    int n_in;
    const float *x[MAX_IN];
    size_t in_w[MAX_IN], batch;
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
            const float *x[MAX_IN];
            for (int i = 0; i < a->n_in; i++)
                x[i] = a->x[i] + first * a->in_w[i];
            if (use_ref)
                ref_forward(a->ref, x, a->batch, a->y);
            else
                tn_predict(a->ctx, x, a->batch, a->y);
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
    int n_in = (int)tn_model_n_inputs(m);
    size_t out_w = tn_model_output_width(m);
    if (n_in < 1 || n_in > MAX_IN) {
        fprintf(stderr, "bench_predict: %s: %d inputs\n", name, n_in);
        exit(1);
    }
    run_args a = {.n_in = n_in};
    float *x[MAX_IN];
    unsigned s = 12345;
    for (int i = 0; i < n_in; i++) {
        size_t w = a.in_w[i] = tn_model_input_width(m, (size_t)i);
        size_t vocab = tn_model_input_vocab(m, (size_t)i);
        x[i] = malloc(ROWS * w * sizeof *x[i]);
        for (size_t k = 0; k < ROWS * w; k++) {
            s = s * 1103515245u + 12345u;
            unsigned v = (s >> 8) & 0xffff;
            /* ids: uniform over the vocabulary; features: [-2, 2) */
            x[i][k] = vocab ? (float)(v % vocab) : (float)v / 16384.0f - 2.0f;
        }
        a.x[i] = x[i];
    }
    float *y = malloc(ROWS * out_w * sizeof *y), *yr = malloc(ROWS * out_w * sizeof *yr);
    tn_error err;
    tn_ctx *ctx;
    ref_net ref;
    if (tn_ctx_new(m, 256, &ctx, &err) || ref_build(m, 256, &ref)) {
        fprintf(stderr, "bench_predict: cannot set up %s\n", name);
        exit(1);
    }
    /* The reference must compute the same function before its time means anything. */
    if (tn_predict(ctx, a.x, 256, y) != TN_OK) {
        fprintf(stderr, "bench_predict: %s: %s\n", name, tn_ctx_errmsg(ctx));
        exit(1);
    }
    ref_forward(&ref, a.x, 256, yr);
    double maxdiff = 0, lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < 256 * out_w; i++) {
        maxdiff = fmax(maxdiff, fabs((double)y[i] - (double)yr[i]));
        lo = fmin(lo, y[i]);
        hi = fmax(hi, y[i]);
    }
    if (!(maxdiff <= 1e-4)) {
        fprintf(stderr, "bench_predict: %s: reference differs by %g\n", name, maxdiff);
        exit(1);
    }
    a.ctx = ctx;
    a.ref = &ref;
    a.y = y;
    for (size_t b = 1; b <= 256; b *= 256) {
        a.batch = b;
        double t_rt = time_calls(&a, 0), t_ref = time_calls(&a, 1);
        if (b == 1)
            printf("%-11s batch 1    latency    %8.2f us   reference %8.2f us   ratio %5.2f\n",
                   name, 1e6 * t_rt, 1e6 * t_ref, t_rt / t_ref);
        else
            printf("%-11s batch 256  throughput %8.3g row/s reference %8.3g row/s ratio %5.2f"
                   " (time)\n", name, (double)b / t_rt, (double)b / t_ref, t_rt / t_ref);
    }
    /* The output range shows the check compared outputs that differ, not a constant. */
    printf("%-11s (reference max |diff| %.2g over outputs in [%.3g, %.3g])\n", name, maxdiff,
           lo, hi);
    tn_ctx_free(ctx);
    free(ref.buf[0]);
    free(ref.buf[1]);
    for (int i = 0; i < n_in; i++)
        free(x[i]);
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
    tn_model *rec = make_model(root, NULL, "models/recommender.json");
    bench("ring", ring);
    bench("wide", wide);
    bench("recommender", rec);
    tn_model_free(ring);
    tn_model_free(wide);
    tn_model_free(rec);
    return 0;
}
