/* Embedding layer: y[i, :] = E[id_i, :] for an index input holding ids as floats.
 * Parameters: E (vocab x dim). No work buffer. Backward scatter-adds dy into the rows of
 * the batch only (a repeated id accumulates); the index input has no gradient. */
#include "layers/init.h"
#include "core/alloc.h"
#include "core/copy.h"
#include "layers/layer.h"
#include "core/registry.h"

#include <stdio.h>
#include <string.h>

#define INIT_UNIFORM (-1) /* U(-0.05, 0.05), Keras' "uniform" embedding default */

typedef struct embedding {
    size_t vocab, dim;
    int init;        /* INIT_UNIFORM or enum tn_init */
} embedding;

static const char *const embedding_keys[] = {"dim", "init", NULL};
static const tn__keydoc embedding_docs[] = {
    {"dim", "the length of each vector, a positive integer (required)"},
    {"init", "uniform (U(-0.05, 0.05), the default) or a weight init as for dense (fan in: the "
            "vocabulary)"},
    {NULL, NULL}};

static int embedding_configure(tn_layer *L, tn_jr *r, const cJSON *obj, const tn_node *const *ins)
{
    embedding *e = tn__calloc(1, sizeof *e);
    if (!e)
        return tn__jr_oom(r, NULL);
    L->state = e;
    const tn_node *in = ins[0];
    if (in->kind != TN_NODE_INDEX_INPUT)
        return tn__jr_fail(r, NULL, "an embedding reads an index input (\"type\": \"index\"), "
                                    "but \"%s\" is %s", in->name,
                           in->kind == TN_NODE_FLOAT_INPUT ? "a float input" : "a layer");
    e->vocab = in->vocab;
    long long dim;
    int rc = tn__jr_int(r, obj, "dim", 1, 0, 1, TN_MAX_WIDTH, &dim);
    if (rc)
        return rc;
    e->dim = (size_t)dim;

    /* "uniform" first, then the weight schemes of init.h (fan_in = vocab, fan_out = dim:
     * E is the weight matrix of a one-hot input). */
    const char *choices[32] = {"uniform"};
    size_t n = 1;
    for (; tn__init_names[n - 1] && n < 31; n++)
        choices[n] = tn__init_names[n - 1];
    choices[n] = NULL;
    int index;
    if ((rc = tn__jr_enum(r, obj, "init", 0, 0, choices, &index)))
        return rc;
    e->init = index == 0 ? INIT_UNIFORM : tn__init_canonical(index - 1);

    L->width = e->dim;
    L->n_params = e->vocab * e->dim; /* both <= 2^24: no overflow in a 64-bit size_t */
    L->work = 0;
    L->n_tensors = 1;
    L->tensors[0] = (tn_tensor_info){"E", e->vocab, e->dim, 0};
    return TN_OK;
}

static void embedding_init_params(const tn_layer *L, float *p, tn_rng *rng)
{
    const embedding *e = L->state;
    size_t n = e->vocab * e->dim;
    if (e->init == INIT_UNIFORM) {
        for (size_t i = 0; i < n; i++)
            p[i] = (float)(0.05 * (2.0 * tn__rng_uniform_d(rng) - 1.0));
    } else {
        tn__init_fill(e->init, p, n, e->vocab, e->dim, rng);
    }
}

/* The row of a stored id, or -1. The data loader validates ids; this guard only keeps a
 * bad id (negative, too large, NaN) from reading or writing outside E. */
static long long row_of(float id, size_t vocab)
{
    return id >= 0.0f && id < (float)vocab ? (long long)id : -1;
}

static void embedding_forward(const tn_layer *L, const tn_layer_io *io, size_t B)
{
    const embedding *e = L->state;
    const float *ids = io->x[0];  /* (B, 1) */
    const float *E = io->P;       /* (vocab, dim) */
    float *y = io->y;             /* (B, dim) */
    size_t D = e->dim;
    for (size_t i = 0; i < B; i++) {
        long long row = row_of(ids[i], e->vocab);
        if (row >= 0)
            tn__copy_floats(y + i * D, E + (size_t)row * D, D);
        else
            memset(y + i * D, 0, D * sizeof *y);
    }
}

#if TN__TRAINING_CODE
static void embedding_backward(const tn_layer *L, const tn_layer_io *io, size_t B)
{
    const embedding *e = L->state;
    const float *ids = io->x[0];  /* (B, 1) */
    const float *dy = io->dy;     /* (B, dim) */
    float *dE = io->G;            /* (vocab, dim) */
    size_t D = e->dim;
    for (size_t i = 0; i < B; i++) {
        long long row = row_of(ids[i], e->vocab);
        if (row < 0)
            continue;
        float *g = dE + (size_t)row * D;
        for (size_t j = 0; j < D; j++)
            g[j] += dy[i * D + j];
    }
}
#endif

static const char *init_name(const embedding *e)
{
    return e->init == INIT_UNIFORM ? "uniform" : tn__init_names[e->init];
}

#if TN__TRAINING_CODE
static int embedding_describe(const tn_layer *L, cJSON *obj)
{
    const embedding *e = L->state;
    if (!cJSON_AddNumberToObject(obj, "dim", (double)e->dim) ||
        !cJSON_AddStringToObject(obj, "init", init_name(e)))
        return TN_ENOMEM;
    return TN_OK;
}
#endif

static void embedding_summary(const tn_layer *L, char *buf, size_t n)
{
    const embedding *e = L->state;
    snprintf(buf, n, "%zu x %zu, %s", e->vocab, e->dim, init_name(e));
}

static void embedding_destroy(tn_layer *L) { tn__free(L->state); }

const tn_layer_ops tn__embedding_ops = {
    .type = "embedding",
    .keys = embedding_keys,
    .doc = "a learnable vector for each id of an index input: y = E[id]",
    .key_docs = embedding_docs,
    .min_inputs = 1,
    .max_inputs = 1,
    .flags = TN_LAYER_READS_IDS,
    .configure = embedding_configure,
    .init_params = embedding_init_params,
    .forward = embedding_forward,
    .backward = TN__TRAINING(embedding_backward),
    .describe = TN__TRAINING(embedding_describe),
    .summary = embedding_summary,
    .destroy = embedding_destroy,
};
