#include "train/rows.h"

#include "dist/dist.h"

#include "core/alloc.h"
#include "core/error.h"

#include <string.h>

struct tn_row_lists {
    tn_optim_rows tables[TN_MAX_NODES];
    const float *ids[TN_MAX_NODES];  /* per table: the run's buffer of the index input */
    uint32_t *rows[TN_MAX_NODES];    /* per table: min(vocab, max_batch) */
    unsigned char *seen[TN_MAX_NODES]; /* per table: vocab flags, all clear between batches */
    int n;
    /* Data parallel: this process's ids of every table, packed; every process's, in
     * process order ([tables x max_batch]); how many each process sent. */
    float *pack, *all;
    int *counts;
    size_t max_batch;
};

static int is_table(const tn_layer *L)
{
    return strcmp(L->ops->type, "embedding") == 0 && L->n_tensors >= 1;
}

int tn__row_lists_new(const tn_run *run, size_t max_batch, tn_optim *opt, tn_row_lists **out,
                      tn_error *err)
{
    *out = NULL;
    const tn_net *net = run->net;
    int n = 0;
    for (int l = 0; l < net->n_layers; l++)
        n += is_table(&net->layers[l]);
    if (n == 0)
        return TN_OK;
    tn_row_lists *s = tn__calloc(1, sizeof *s);
    if (!s)
        return tn__err(err, TN_ENOMEM, "out of memory");
    /* Layers are in graph order; the optimizer wants the tables by offset in P. */
    for (int l = 0; l < net->n_layers; l++) {
        const tn_layer *L = &net->layers[l];
        if (!is_table(L))
            continue;
        const tn_tensor_info *E = &L->tensors[0];
        int k = s->n++;
        while (k > 0 && s->tables[k - 1].offset > L->param_off + E->offset) {
            s->tables[k] = s->tables[k - 1];
            s->ids[k] = s->ids[k - 1];
            k--;
        }
        s->tables[k] = (tn_optim_rows){.offset = L->param_off + E->offset, .n_rows = E->rows,
                                       .dim = E->cols};
        s->ids[k] = run->out[L->in[0]];
    }
    for (int t = 0; t < s->n; t++) {
        size_t vocab = s->tables[t].n_rows, cap = vocab < max_batch ? vocab : max_batch;
        if (!(s->rows[t] = tn__calloc(cap, sizeof *s->rows[t])) ||
            !(s->seen[t] = tn__calloc(vocab, 1))) {
            tn__row_lists_free(s);
            return tn__err(err, TN_ENOMEM, "out of memory for the embedding row lists");
        }
        s->tables[t].rows = s->rows[t];
    }
    s->max_batch = max_batch;
    if (tn_dist_size() > 1 &&
        (!(s->pack = tn__floats_alloc((size_t)s->n * max_batch)) ||
         !(s->all = tn__floats_alloc((size_t)s->n * max_batch)) ||
         !(s->counts = tn__calloc(2 * (size_t)tn_dist_size(), sizeof *s->counts)))) {
        tn__row_lists_free(s);
        return tn__err(err, TN_ENOMEM, "out of memory for the embedding row lists");
    }
    opt->tables = s->tables;
    opt->n_tables = s->n;
    *out = s;
    return TN_OK;
}

/* Lists the rows of ids[t][0 .. B) of every table t. */
static void collect(tn_row_lists *l, const float *const *ids_of, size_t B)
{
    for (int t = 0; t < l->n; t++) {
        const float *ids = ids_of[t];
        float vocab = (float)l->tables[t].n_rows;
        uint32_t *rows = l->rows[t];
        unsigned char *seen = l->seen[t];
        size_t n = 0;
        for (size_t i = 0; i < B; i++) {
            /* As the embedding reads them: a bad id (the loader refuses them) uses no row. */
            if (!(ids[i] >= 0.0f && ids[i] < vocab))
                continue;
            uint32_t r = (uint32_t)ids[i];
            if (!seen[r]) {
                seen[r] = 1;
                rows[n++] = r;
            }
        }
        for (size_t i = 0; i < n; i++)
            seen[rows[i]] = 0;
        l->tables[t].n_touched = n;
    }
}

void tn__row_lists_collect(tn_row_lists *l, size_t B)
{
    collect(l, l->ids, B);
}

int tn__row_lists_collect_all(tn_row_lists *l, size_t mine, tn_error *err)
{
    size_t n = (size_t)l->n;
    for (size_t t = 0; t < n; t++)
        memcpy(l->pack + t * mine, l->ids[t], mine * sizeof *l->pack);
    int rc = tn__dist_allgather_floats(l->pack, n * mine, l->all, n * l->max_batch, l->counts,
                                       err);
    if (rc)
        return rc;
    /* Unpacked in place of the packs: table t's ids of every process, in process order
     * (the order of the global batch). */
    const float *in = l->all;
    const float *ids[TN_MAX_NODES];
    size_t B = 0;
    for (int q = 0; q < tn_dist_size(); q++)
        B += (size_t)l->counts[q] / n;
    for (size_t t = 0; t < n; t++)
        ids[t] = l->pack + t * B;
    size_t at = 0;
    for (int q = 0; q < tn_dist_size(); q++) {
        size_t k = (size_t)l->counts[q] / n;
        for (size_t t = 0; t < n; t++, in += k)
            memcpy(l->pack + t * B + at, in, k * sizeof *in);
        at += k;
    }
    collect(l, ids, B);
    return TN_OK;
}

void tn__row_lists_free(tn_row_lists *l)
{
    if (!l)
        return;
    for (int t = 0; t < l->n; t++) {
        tn__free(l->rows[t]);
        tn__free(l->seen[t]);
    }
    tn__floats_free(l->pack);
    tn__floats_free(l->all);
    tn__free(l->counts);
    tn__free(l);
}
