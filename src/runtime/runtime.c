/* The inference runtime behind tinynet.h: a public tn_model is the loader's tn_model (the
 * network with its parameters, never written after loading); a tn_ctx is one inference
 * run context plus an error message. tn_predict copies the caller's rows into the
 * context's input buffers and runs the same forward pass as training's evaluation, so the
 * numbers are the same bit for bit. Nothing here allocates after tn_ctx_new. */
#include "core/alloc.h"
#include "core/error.h"
#include "model/model.h"
#include "model/scaling.h"
#include "graph/graph.h"
#include "tinynet/tinynet.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct tn_ctx {
    const tn_model *model;
    tn_run *run;     /* inference mode: no gradients, no noise */
    tn_error err;    /* the last failure of tn_predict */
};

static int load(const char *path, const void *buf, size_t len, unsigned flags, tn_model **out,
                tn_error *err)
{
    if (!out)
        return tn__err(err, TN_EINVAL, "tn_model_load: NULL output pointer");
    *out = NULL;
    if (flags & ~(unsigned)TN_LOAD_ALLOW_NONFINITE)
        return tn__err(err, TN_EINVAL, "tn_model_load: unknown flags 0x%x", flags);
    unsigned f = (flags & TN_LOAD_ALLOW_NONFINITE) ? TN__MODEL_ALLOW_NONFINITE : 0;
    if (path)
        return tn__model_open(path, NULL, 0, f, out, err);
    if (!buf)
        return tn__err(err, TN_EINVAL, "tn_model_load_buffer: NULL buffer");
    return tn__model_open("(buffer)", buf, len, f, out, err);
}

int tn_model_load(const char *path, unsigned flags, tn_model **out, tn_error *err)
{
    if (!path) {
        if (out)
            *out = NULL;
        return tn__err(err, TN_EINVAL, "tn_model_load: NULL path");
    }
    return load(path, NULL, 0, flags, out, err);
}

int tn_model_load_buffer(const void *buf, size_t len, unsigned flags, tn_model **out,
                         tn_error *err)
{
    return load(NULL, buf, len, flags, out, err);
}

void tn_model_free(tn_model *m) { tn__model_free(m); }

/* ---- queries ---------------------------------------------------------------------------- */

static const tn_node *input_node(const tn_model *m, size_t i)
{
    return m && i < (size_t)m->net->n_inputs ? &m->net->nodes[i] : NULL;
}

const char *tn_model_name(const tn_model *m) { return m ? m->net->name : NULL; }
size_t tn_model_n_inputs(const tn_model *m) { return m ? (size_t)m->net->n_inputs : 0; }

const char *tn_model_input_name(const tn_model *m, size_t i)
{
    const tn_node *nd = input_node(m, i);
    return nd ? nd->name : NULL;
}

int tn_model_input_kind(const tn_model *m, size_t i)
{
    const tn_node *nd = input_node(m, i);
    return !nd ? -1 : nd->kind == TN_NODE_INDEX_INPUT ? TN_INPUT_INDEX : TN_INPUT_FLOAT;
}

size_t tn_model_input_width(const tn_model *m, size_t i)
{
    const tn_node *nd = input_node(m, i);
    return nd ? nd->width : 0;
}

size_t tn_model_input_vocab(const tn_model *m, size_t i)
{
    const tn_node *nd = input_node(m, i);
    return nd && nd->kind == TN_NODE_INDEX_INPUT ? nd->vocab : 0;
}

size_t tn_model_output_width(const tn_model *m)
{
    return m ? m->net->nodes[m->net->output].width : 0;
}

int tn_model_output_kind(const tn_model *m)
{
    return m ? tn__net_output_kind(m->net) : -1;
}

/* ---- contexts and prediction ---------------------------------------------------------- */

int tn_ctx_new(const tn_model *m, size_t max_batch, tn_ctx **out, tn_error *err)
{
    if (!out)
        return tn__err(err, TN_EINVAL, "tn_ctx_new: NULL output pointer");
    *out = NULL;
    if (!m)
        return tn__err(err, TN_EINVAL, "tn_ctx_new: NULL model");
    tn_ctx *ctx = tn__calloc(1, sizeof *ctx);
    if (!ctx)
        return tn__err(err, TN_ENOMEM, "out of memory");
    ctx->model = m;
    int rc = tn__run_new(m->net, max_batch, 0, 0, &ctx->run, err);
    if (rc != TN_OK) {
        tn__free(ctx);
        return rc;
    }
    *out = ctx;
    return TN_OK;
}

void tn_ctx_free(tn_ctx *ctx)
{
    if (!ctx)
        return;
    tn__run_free(ctx->run);
    tn__free(ctx);
}

const char *tn_ctx_errmsg(const tn_ctx *ctx)
{
    return ctx ? ctx->err.msg : "NULL context";
}

/* Features must be numbers: a NaN or an infinity would spread through every product it
 * enters and come out as a plausible-looking NaN or saturated prediction. */
static int check_finite(tn_ctx *ctx, const tn_node *nd, const float *x, size_t batch)
{
    for (size_t i = 0; i < batch * nd->width; i++)
        if (!isfinite(x[i]))
            return tn__err(&ctx->err, TN_EDATA, "input \"%s\", row %zu, feature %zu: %s is not "
                           "a finite number", nd->name, i / nd->width, i % nd->width,
                           isnan(x[i]) ? "NaN" : x[i] > 0 ? "+Inf" : "-Inf");
    return TN_OK;
}

/* Ids index embedding tables: anything but an integer in [0, vocab) would read outside
 * them, so check every one (NaN fails the range test). */
static int check_ids(tn_ctx *ctx, const tn_node *nd, const float *x, size_t batch)
{
    for (size_t r = 0; r < batch; r++) {
        float v = x[r];
        if (!(v >= 0.0f && v < (float)nd->vocab) || v != (float)(size_t)v)
            return tn__err(&ctx->err, TN_EDATA,
                           "input \"%s\", row %zu: id %.9g is not an integer in [0, %zu)",
                           nd->name, r, (double)v, nd->vocab);
    }
    return TN_OK;
}

int tn_predict(tn_ctx *ctx, const float *const *inputs, size_t batch, float *out)
{
    if (!ctx)
        return TN_EINVAL;
    tn__err_clear(&ctx->err);
    if (batch == 0)
        return TN_OK;
    if (!inputs || !out)
        return tn__err(&ctx->err, TN_EINVAL, "tn_predict: NULL %s", inputs ? "out" : "inputs");
    const tn_net *net = ctx->model->net;
    tn_run *run = ctx->run;
    for (int i = 0; i < net->n_inputs; i++) {
        if (!inputs[i])
            return tn__err(&ctx->err, TN_EINVAL, "tn_predict: input %d (\"%s\") is NULL", i,
                           net->nodes[i].name);
        int rc = net->nodes[i].kind == TN_NODE_INDEX_INPUT
                     ? check_ids(ctx, &net->nodes[i], inputs[i], batch)
                     : check_finite(ctx, &net->nodes[i], inputs[i], batch);
        if (rc != TN_OK)
            return rc;
    }
    /* The same chunking as tn__predict: rows [first, first + b) through the context. */
    size_t W = net->nodes[net->output].width, step = run->max_batch;
    for (size_t first = 0; first < batch; first += step) {
        size_t b = batch - first < step ? batch - first : step;
        for (int i = 0; i < net->n_inputs; i++) {
            size_t w = net->nodes[i].width;
            memcpy(run->out[i], inputs[i] + first * w, b * w * sizeof(float));
        }
        /* The model's input scaling, as train, eval and predict apply it. */
        const tn_scaling *sc = &ctx->model->scaling;
        if (sc->kind != TN_SCALING_NONE)
            tn__scaling_apply_rows(sc, run->out[sc->input], b, net->nodes[sc->input].width);
        tn__run_forward(run, b);
        memcpy(out + first * W, run->out[net->output], b * W * sizeof *out);
    }
    return TN_OK;
}
