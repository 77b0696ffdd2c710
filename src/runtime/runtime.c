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
#include "graph/quant.h"
#include "tinynet/tinynet.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct tn_ctx {
    const tn_model *model;
    tn_run *run;     /* inference mode: no gradients, no noise (float models) */
    char *arena;     /* the int8 plan's arena (int8 models) */
    size_t max_batch;
    tn_error err;    /* the last failure of tn_predict */
    int placed;      /* in caller memory (tn_ctx_new_in): nothing to free */
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

/* A context is one block: [tn_ctx | the planned run (graph/run.c)]. */
#define CTX_HEAD ((sizeof(tn_ctx) + 63) / 64 * 64)

size_t tn_ctx_size(const tn_model *m, size_t max_batch)
{
    if (m && m->quant) /* [tn_ctx | the int8 arena] */
        return max_batch && max_batch <= (1u << 24) ? CTX_HEAD + max_batch * m->quant->plan.arena
                                                    : 0;
    size_t run = m ? tn__run_size(m->net, max_batch, TN_RUN_PLANNED) : 0;
    return run ? CTX_HEAD + run : 0;
}

int tn_ctx_new_in(const tn_model *m, size_t max_batch, void *buf, size_t size, tn_ctx **out,
                  tn_error *err)
{
    if (!out)
        return tn__err(err, TN_EINVAL, "tn_ctx_new_in: NULL output pointer");
    *out = NULL;
    if (!m)
        return tn__err(err, TN_EINVAL, "tn_ctx_new_in: NULL model");
    if (!buf)
        return tn__err(err, TN_EINVAL, "tn_ctx_new_in: NULL buffer");
    size_t need = tn_ctx_size(m, max_batch);
    if (need && size < need)
        return tn__err(err, TN_ERANGE, "a context of \"%s\" for batches of %zu rows needs %zu "
                       "bytes, got %zu", m->net->name, max_batch, need, size);
    tn_ctx *ctx = buf;
    memset(ctx, 0, sizeof *ctx);
    ctx->model = m;
    ctx->placed = 1;
    ctx->max_batch = max_batch;
    if (m->quant) {
        ctx->arena = (char *)buf + CTX_HEAD;
        *out = ctx;
        return TN_OK;
    }
    size_t rest = size > CTX_HEAD ? size - CTX_HEAD : 0;
    int rc = tn__run_new_in(m->net, max_batch, TN_RUN_PLANNED, (char *)buf + CTX_HEAD, rest,
                            &ctx->run, err);
    if (rc == TN_OK)
        *out = ctx;
    return rc;
}

int tn_ctx_new(const tn_model *m, size_t max_batch, tn_ctx **out, tn_error *err)
{
    if (!out)
        return tn__err(err, TN_EINVAL, "tn_ctx_new: NULL output pointer");
    *out = NULL;
    if (!m)
        return tn__err(err, TN_EINVAL, "tn_ctx_new: NULL model");
    size_t size = tn_ctx_size(m, max_batch);
    if (!size)
        return tn__err(err, TN_EINVAL, "batch size %zu is out of range [1, 16777216]", max_batch);
    char what[96];
    snprintf(what, sizeof what, "a run context for batches of %zu rows", max_batch);
    int rc = tn__mem_check((double)size, what, err);
    if (rc)
        return rc;
    void *mem = tn__malloc(size);
    if (!mem)
        return tn__err(err, TN_ENOMEM, "out of memory for a context of %zu bytes", size);
    rc = tn_ctx_new_in(m, max_batch, mem, size, out, err);
    if (rc != TN_OK) {
        tn__free(mem);
        return rc;
    }
    (*out)->placed = 0;
    return TN_OK;
}

void tn_ctx_free(tn_ctx *ctx)
{
    if (ctx && !ctx->placed)
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
    size_t W = net->nodes[net->output].width, step = ctx->max_batch;
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
    if (ctx->model->quant) { /* int8: rows straight from the caller's arrays */
        for (size_t first = 0; first < batch; first += step) {
            size_t b = batch - first < step ? batch - first : step;
            const float *in[TN_MAX_INPUTS];
            for (int i = 0; i < net->n_inputs; i++)
                in[i] = inputs[i] + first * net->nodes[i].width;
            tn__qnet_forward(ctx->model->quant, in, b, 0, ctx->arena, out + first * W);
        }
        return TN_OK;
    }
    /* The same chunking as tn__predict: rows [first, first + b) through the context. */
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
