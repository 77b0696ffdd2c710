/* Concat layer: y = [x1 | x2 | ...] along the features, in the order of "inputs".
 * No parameters, no work buffer, no keys of its own. */
#include "layers/layer.h"
#include "core/registry.h"
#include "core/alloc.h"
#include "core/copy.h"

#include <stdio.h>
#include <string.h>

#define CONCAT_MAX_INPUTS 64

typedef struct concat {
    size_t width[CONCAT_MAX_INPUTS]; /* of each input */
} concat;

static const char *const concat_keys[] = {NULL};
static const tn__keydoc concat_docs[] = {
    {NULL, NULL}};

static int concat_configure(tn_layer *L, tn_jr *r, const cJSON *obj, const tn_node *const *in)
{
    (void)obj;
    concat *c = tn__calloc(1, sizeof *c);
    if (!c)
        return tn__jr_oom(r, NULL);
    L->state = c;
    size_t width = 0;
    for (int j = 0; j < L->n_in; j++) {
        c->width[j] = in[j]->width;
        width += in[j]->width;
    }
    if (width > TN_MAX_WIDTH)
        return tn__jr_fail(r, NULL, "output width %zu is more than %u features", width,
                           (unsigned)TN_MAX_WIDTH);
    L->width = width;
    L->n_params = 0;
    L->work = 0;
    L->n_tensors = 0;
    return TN_OK;
}

static void concat_forward(const tn_layer *L, const tn_layer_io *io, size_t B)
{
    const concat *c = L->state;
    float *y = io->y;                        /* (B, width) */
    size_t W = L->width, off = 0;
    for (int j = 0; j < L->n_in; j++) {
        const float *x = io->x[j];           /* (B, w_j) */
        size_t w = c->width[j];
        for (size_t i = 0; i < B; i++)
            tn__copy_floats(y + i * W + off, x + i * w, w);
        off += w;
    }
}

#if TN__TRAINING_CODE
static void concat_backward(const tn_layer *L, const tn_layer_io *io, size_t B)
{
    const concat *c = L->state;
    const float *dy = io->dy;                /* (B, width) */
    size_t W = L->width, off = 0;
    for (int j = 0; j < L->n_in; j++) {
        float *dx = io->dx[j];               /* (B, w_j) or NULL for an input node */
        size_t w = c->width[j];
        if (dx)
            for (size_t i = 0; i < B; i++)
                for (size_t k = 0; k < w; k++)
                    dx[i * w + k] += dy[i * W + off + k];
        off += w;
    }
}

static int concat_describe(const tn_layer *L, cJSON *obj)
{
    (void)L, (void)obj;
    return TN_OK;
}
#endif

static void concat_summary(const tn_layer *L, char *buf, size_t n)
{
    snprintf(buf, n, "%d inputs", L->n_in);
}

static void concat_destroy(tn_layer *L) { tn__free(L->state); }

const tn_layer_ops tn__concat_ops = {
    .type = "concat",
    .keys = concat_keys,
    .doc = "its inputs side by side: y = [x1 | x2 | ...], in the order of \"inputs\"",
    .key_docs = concat_docs,
    .min_inputs = 2,
    .max_inputs = CONCAT_MAX_INPUTS,
    .configure = concat_configure,
    .forward = concat_forward,
    .backward = TN__TRAINING(concat_backward),
    .describe = TN__TRAINING(concat_describe),
    .summary = concat_summary,
    .destroy = concat_destroy,
};
