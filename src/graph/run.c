/* Run contexts: the buffers of one thread's batches carved from one block, each layer's
 * view of them bound once, and the forward pass (with each layer's activation). */
#include "graph/graph.h"

#include "act/inst.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/pool.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- run contexts --------------------------------------------------------------------- */

/* Sub-buffers start on 64-byte boundaries. */
static size_t round16(size_t n) { return (n + 15) & ~(size_t)15; }

/* Floats of [G | dout of every layer node]: what zero_grad clears. */
static size_t grad_floats(const tn_net *net, size_t max_batch)
{
    size_t n = round16(net->n_params);
    for (int i = net->n_inputs; i < net->n_nodes; i++)
        n += round16(max_batch * net->nodes[i].width);
    return n;
}

/* Points every layer's tn_layer_io into the carved buffers; tables holds the x and dx
 * pointer arrays of all layers. */
static void bind_layers(tn_run *run, float **tables)
{
    const tn_net *net = run->net;
    for (int l = 0; l < net->n_layers; l++) {
        const tn_layer *L = &net->layers[l];
        float **x = tables, **dx = tables + L->n_in;
        tables += 2 * L->n_in;
        for (int j = 0; j < L->n_in; j++) {
            x[j] = run->out[L->in[j]];
            dx[j] = run->dout[L->in[j]];
        }
        run->io[l] = (tn_layer_io){
            .x = (const float *const *)x,
            .dx = dx,
            .y = L->act ? run->pre[l] : run->out[L->node],
            .dy = L->act ? run->dpre[l] : run->dout[L->node],
            .P = net->P + L->param_off,
            .G = run->G ? run->G + L->param_off : NULL,
            .work = run->io[l].work,
            .max_batch = run->max_batch,
            .training = run->training,
            .noise = &run->noise,
            .noise_skip = run->noise_skip,
        };
    }
}

size_t tn__run_floats(const tn_net *net, size_t max_batch, unsigned flags)
{
    int training = (flags & TN_RUN_TRAINING) != 0;
    /* Widths are <= 2^24 and max_batch <= 2^24, so each product fits; 256 nodes keep the
     * sum far from overflow. */
    size_t total = training ? grad_floats(net, max_batch) : 0;
    for (int i = 0; i < net->n_nodes; i++)
        total += round16(max_batch * net->nodes[i].width);
    for (int l = 0; l < net->n_layers; l++) {
        const tn_layer *L = &net->layers[l];
        if (L->act)
            total += (training ? 2 : 1) * round16(max_batch * L->width);
        total += round16(max_batch * L->work);
    }
    return total;
}

/* ---- planned runs: [tn_run | pointer tables | arena] in one block ------------------------ */

#define RUN_ALIGN 64
static size_t align_up(size_t n) { return (n + RUN_ALIGN - 1) / RUN_ALIGN * RUN_ALIGN; }

/* out, dout per node; pre, dpre per layer; the layers' views and their x/dx arrays. */
static size_t ptr_table_bytes(const tn_net *net)
{
    size_t nn = (size_t)net->n_nodes, nl = (size_t)net->n_layers, n_in = 0;
    for (size_t l = 0; l < nl; l++)
        n_in += (size_t)net->layers[l].n_in;
    return (2 * nn + 2 * nl + 2 * n_in) * sizeof(float *) + nl * sizeof(tn_layer_io);
}

/* Carves the pointer tables from ptrs (zeroed, ptr_table_bytes long); returns the x/dx
 * arrays' space for bind_layers. */
static float **carve_tables(tn_run *run, void *ptrs)
{
    size_t nn = (size_t)run->net->n_nodes, nl = (size_t)run->net->n_layers;
    run->ptrs = ptrs;
    run->io = ptrs; /* first: the most strictly aligned */
    run->out = (float **)(run->io + nl);
    run->dout = run->out + nn;
    run->pre = run->dout + nn;
    run->dpre = run->pre + nl;
    return run->dpre + nl;
}

static int check_batch(size_t max_batch, tn_error *err)
{
    if (max_batch == 0 || max_batch > (1u << 24))
        return tn__err(err, TN_EINVAL, "batch size %zu is out of range [1, 16777216]", max_batch);
    return TN_OK;
}

size_t tn__run_size(const tn_net *net, size_t max_batch, unsigned flags)
{
    (void)flags;
    if (max_batch == 0 || max_batch > (1u << 24))
        return 0;
    /* The arena is at most 2^24 rows of a few GiB per row at worst: a 64-bit size_t holds
     * it (widths <= 2^24, 256 nodes). */
    return align_up(sizeof(tn_run)) + align_up(ptr_table_bytes(net)) +
           max_batch * net->plan->p.arena;
}

int tn__run_new_in(const tn_net *net, size_t max_batch, unsigned flags, void *mem, size_t size,
                   tn_run **out, tn_error *err)
{
    *out = NULL;
    int rc = check_batch(max_batch, err);
    if (rc)
        return rc;
    if (flags & TN_RUN_TRAINING)
        return tn__err(err, TN_EINVAL, "a planned run is for inference only");
    size_t need = tn__run_size(net, max_batch, flags);
    if (!mem || size < need)
        return tn__err(err, TN_ERANGE, "a context for batches of %zu rows needs %zu bytes, "
                       "got %zu", max_batch, need, mem ? size : 0);
    if ((uintptr_t)mem % _Alignof(max_align_t))
        return tn__err(err, TN_EINVAL, "the buffer must be aligned to %zu bytes (as malloc's)",
                       (size_t)_Alignof(max_align_t));
    memset(mem, 0, align_up(sizeof(tn_run)) + align_up(ptr_table_bytes(net)));
    tn_run *run = mem;
    run->net = net;
    run->max_batch = max_batch;
    run->planned = run->placed = 1;
    tn__rng_seed(&run->noise, 0, TN_STREAM_NOISE);
    float **tables = carve_tables(run, (char *)mem + align_up(sizeof(tn_run)));
    run->arena = (char *)run->ptrs + align_up(ptr_table_bytes(net));
    const tn_net_plan *np = net->plan;
    for (int i = 0; i < net->n_nodes; i++)
        run->out[i] = (float *)(run->arena + max_batch * np->p.buf[np->node[i]].offset);
    for (int l = 0; l < net->n_layers; l++) {
        const tn_layer *L = &net->layers[l];
        if (L->act)
            run->pre[l] = np->pre[l] < 0 ? run->out[L->node]
                          : (float *)(run->arena + max_batch * np->p.buf[np->pre[l]].offset);
        run->io[l].work = np->work[l] < 0 ? NULL
                          : (float *)(run->arena + max_batch * np->p.buf[np->work[l]].offset);
    }
    bind_layers(run, tables);
    *out = run;
    return TN_OK;
}

static int run_new_planned(const tn_net *net, size_t max_batch, unsigned flags, tn_run **out,
                           tn_error *err)
{
    int rc = check_batch(max_batch, err);
    if (rc)
        return rc;
    size_t size = tn__run_size(net, max_batch, flags);
    char what[96];
    snprintf(what, sizeof what, "a run context for batches of %zu rows", max_batch);
    if ((rc = tn__mem_check((double)size, what, err)))
        return rc;
    void *mem = tn__malloc(size);
    if (!mem)
        return tn__err(err, TN_ENOMEM, "out of memory for a context of %zu bytes", size);
    if ((rc = tn__run_new_in(net, max_batch, flags, mem, size, out, err))) {
        tn__free(mem);
        return rc;
    }
    (*out)->placed = 0;
    return TN_OK;
}

int tn__run_new(const tn_net *net, size_t max_batch, unsigned flags, unsigned long long seed,
                tn_run **out, tn_error *err)
{
    *out = NULL;
    if (flags & TN_RUN_PLANNED)
        return run_new_planned(net, max_batch, flags, out, err);
    if (max_batch == 0 || max_batch > (1u << 24))
        return tn__err(err, TN_EINVAL, "batch size %zu is out of range [1, 16777216]", max_batch);
    tn_run *run = tn__calloc(1, sizeof *run);
    if (!run)
        return tn__err(err, TN_ENOMEM, "out of memory");
    int training = (flags & TN_RUN_TRAINING) != 0;
    run->net = net;
    run->max_batch = max_batch;
    run->training = training;
    run->fused_output = training && (flags & TN_RUN_FUSED_OUTPUT) &&
                        tn__net_output_layer(net)->act;
    run->grad_floats = training ? grad_floats(net, max_batch) : 0;
    tn__rng_seed(&run->noise, seed, TN_STREAM_NOISE);
    /* The pointer tables: out, dout per node; pre, dpre per layer; the layers' views and
     * their x/dx arrays. */
    size_t nn = (size_t)net->n_nodes, nl = (size_t)net->n_layers, n_in = 0;
    for (size_t l = 0; l < nl; l++)
        n_in += (size_t)net->layers[l].n_in;
    size_t ptr_bytes = (2 * nn + 2 * nl + 2 * n_in) * sizeof(float *) + nl * sizeof(tn_layer_io);
    run->ptrs = tn__calloc(1, ptr_bytes);
    if (!run->ptrs) {
        tn__run_free(run);
        return tn__err(err, TN_ENOMEM, "out of memory");
    }
    run->io = run->ptrs; /* first: the most strictly aligned */
    run->out = (float **)(run->io + nl);
    run->dout = run->out + nn;
    run->pre = run->dout + nn;
    run->dpre = run->pre + nl;
    float **tables = run->dpre + nl;
    size_t total = tn__run_floats(net, max_batch, flags);
    char what[96];
    snprintf(what, sizeof what, "a %s context for batches of %zu rows",
             training ? "training" : "run", max_batch);
    int rc = tn__mem_check((double)total * sizeof(float), what, err);
    if (rc) {
        tn__run_free(run);
        return rc;
    }
    run->block = tn__floats_alloc(total);
    if (!run->block) {
        tn__run_free(run);
        return tn__err(err, TN_ENOMEM, "out of memory for %zu floats of activations", total);
    }
    float *p = run->block;
    if (training) {
        run->G = p;
        p += round16(net->n_params);
        for (size_t i = (size_t)net->n_inputs; i < nn; i++) {
            run->dout[i] = p;
            p += round16(max_batch * net->nodes[i].width);
        }
    }
    for (size_t i = 0; i < nn; i++) {
        run->out[i] = p;
        p += round16(max_batch * net->nodes[i].width);
    }
    for (size_t l = 0; l < nl; l++) {
        const tn_layer *L = &net->layers[l];
        if (L->act) {
            run->pre[l] = p;
            p += round16(max_batch * L->width);
            if (training) {
                run->dpre[l] = p;
                p += round16(max_batch * L->width);
            }
        }
        run->io[l].work = p;
        p += round16(max_batch * L->work);
    }
    bind_layers(run, tables);
    *out = run;
    return TN_OK;
}

void tn__run_free(tn_run *run)
{
    if (!run || run->placed)
        return;
    if (run->planned) { /* one block, from run_new_planned */
        tn__free(run);
        return;
    }
    tn__floats_free(run->block);
    tn__free(run->ptrs);
    tn__free(run);
}

typedef struct act_fwd_job {
    const tn_act_inst *a;
    const float *learn, *x;
    float *y;
    size_t cols;
    int training;
} act_fwd_job;

static void act_fwd_rows(void *arg, size_t lo, size_t hi)
{
    const act_fwd_job *j = arg;
    tn__act_inst_forward(j->a, j->learn, j->training, NULL, j->x + lo * j->cols, j->y + lo * j->cols,
                         hi - lo, j->cols);
}

void tn__run_forward_layer(tn_run *run, int l, size_t batch)
{
    const tn_net *net = run->net;
    const tn_layer *L = &net->layers[l];
    L->ops->forward(L, &run->io[l], batch);
    if (!L->act)
        return;
    const float *learn = net->P + tn__layer_act_offset(L);
    if (tn__pool_width() > 1 && tn__act_splits(L->act, run->training)) {
        /* Rows are independent: split across the pool, each row computed as in one call. */
        act_fwd_job j = {L->act, learn, run->pre[l], run->out[L->node], L->width,
                         run->training};
        tn__pool_for(batch, tn__act_split_rows(L->width), 1, act_fwd_rows, &j);
        return;
    }
    tn__act_inst_forward(L->act, learn, run->training, &run->noise, run->pre[l],
                         run->out[L->node], batch, L->width);
}

void tn__run_forward(tn_run *run, size_t batch)
{
    for (int l = 0; l < run->net->n_layers; l++)
        if (!run->planned || !(run->net->layers[l].ops->flags & TN_LAYER_PASS_THROUGH))
            tn__run_forward_layer(run, l, batch);
}

