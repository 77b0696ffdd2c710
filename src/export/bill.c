/* The memory bill: flash (weights as the C export writes them, plus an estimate of its
 * code) and RAM (the buffer plan's arena, for one row), and the plans themselves, for the
 * generated header and `tinynet info --memory`. Every figure comes from the plans of
 * graph/plan.c (float) and graph/quant.c (int8), which the runtime and the exported code use,
 * so the three agree by construction; tests check that they do. */
#include "export/export.h"

#include "core/error.h"
#include "graph/quant.h"

#include <stdio.h>
#include <string.h>

/* Code estimates, in bytes: per-construct sizes fitted to the generated C of the shipped
 * models compiled at -Os for x86-64 (measured within about 25%; libm's functions not
 * included): the predict function and kernels, each layer's call or loops, each distinct
 * activation function. */
#define CODE_BASE_FLOAT 150
#define CODE_BASE_INT8 400
#define CODE_LAYER_FLOAT 27
#define CODE_LAYER_INT8 50
#define CODE_COPY_LOOPS 70      /* an embedding or concat: loops rather than a call */
#define CODE_ACT 60
#define CODE_ROWWISE_ACT 220    /* softmax, log_softmax */
#define CODE_HELPER 50          /* the sigmoid/softplus helper some activations call */
#define CODE_LAYER_NORM 200

static size_t float_weights(const tn_model *m)
{
    size_t n = m->net->n_params;
    if (m->scaling.kind != TN_SCALING_NONE && m->scaling.n > 1)
        n += 2 * m->scaling.n;
    return n * sizeof(float);
}

static size_t act_code(const tn_activation *a)
{
    return (a->flags & TN_ACT_ROWWISE) ? CODE_ROWWISE_ACT : CODE_ACT;
}

static size_t code_estimate(const tn_net *net, int int8)
{
    size_t code = int8 ? CODE_BASE_INT8 : CODE_BASE_FLOAT;
    int helper = 0;
    for (int l = 0; l < net->n_layers; l++) {
        const tn_layer *L = &net->layers[l];
        const char *t = L->ops->type;
        if (L->ops->flags & TN_LAYER_PASS_THROUGH)
            continue;
        code += int8 ? CODE_LAYER_INT8 : CODE_LAYER_FLOAT;
        if (strcmp(t, "embedding") == 0 || strcmp(t, "concat") == 0)
            code += CODE_COPY_LOOPS;
        if (strcmp(t, "layer_norm") == 0)
            code += CODE_LAYER_NORM;
        /* int8 hidden activations are tables (data, counted in the weights) */
        if (!L->act || strcmp(L->act->m->name, "identity") == 0 || (int8 && l + 1 < net->n_layers))
            continue;
        int seen = 0;
        for (int k = 0; k < l; k++)
            seen |= net->layers[k].act && net->layers[k].act->m == L->act->m;
        code += seen ? 0 : act_code(L->act->m);
        const char *n = L->act->m->name;
        helper |= strcmp(n, "sigmoid") == 0 || strcmp(n, "silu") == 0 ||
                  strcmp(n, "swish") == 0 || strcmp(n, "gelu_tanh") == 0 ||
                  strcmp(n, "softplus") == 0;
    }
    return code + (helper ? CODE_HELPER : 0);
}

int tn_model_memory(const tn_model *m, tn_memory_bill *out, tn_error *err)
{
    if (!m || !out)
        return tn__err(err, TN_EINVAL, "tn_model_memory: NULL argument");
    memset(out, 0, sizeof *out);
    const tn_net *net = m->net;
    out->flash_weights_float = float_weights(m);
    out->flash_code_float = code_estimate(net, 0);
    out->ram_float = net->plan->p.arena;
    out->ram_unshared = net->plan->p.unshared;
    out->ctx_float = tn_ctx_size(m, 1);
    /* The int8 plan and weights depend on the network alone, not on calibration. */
    tn_qnet *q = m->quant;
    if (q || tn__qnet_new(net, &q, NULL) == TN_OK) {
        out->ram_int8 = q->plan.arena;
        out->flash_weights_int8 = tn__c_int8_weight_bytes(m, q);
        out->flash_code_int8 = code_estimate(net, 1);
        if (q != m->quant)
            tn__qnet_free(q);
    }
    return TN_OK;
}

static const char *buf_kind(int kind)
{
    switch (kind) {
    case TN_BUF_NODE: return "output of";
    case TN_BUF_PRE: return "pre-activation of";
    case TN_BUF_WORK: return "work buffer of";
    case TN_BUF_QNODE: return "int8 output of";
    default: return "float temporary of";
    }
}

static void plan_text(const tn_net *net, const tn_plan *p, tn_sb *b, const char *lead)
{
    tn__sb_printf(b, "%s  buf   offset    bytes  layers  holds\n", lead);
    for (int k = 0; k < p->n; k++) {
        const tn_plan_buf *x = &p->buf[k];
        int node = x->kind == TN_BUF_NODE || x->kind == TN_BUF_QNODE;
        const char *who = node ? net->nodes[x->owner].name : net->layers[x->owner].name;
        tn__sb_printf(b, "%s  b%-3d %7zu  %7zu  %2d..%-2d  %s %s", lead, k, x->offset, x->bytes,
                      x->first, x->last, buf_kind(x->kind), who);
        int shared = 0;
        for (int j = 0; j < p->n; j++)
            if (tn__plan_shares(p, k, j))
                tn__sb_printf(b, "%sb%d", shared++ ? ", " : "; shares memory with ", j);
        tn__sb_printf(b, "\n");
    }
}

int tn__bill_text(const tn_model *m, tn_sb *b, const char *lead, const char *U, tn_error *err)
{
    tn_memory_bill mb;
    int rc = tn_model_memory(m, &mb, err);
    if (rc)
        return rc;
    const tn_net *net = m->net;
    tn__sb_printf(b, "%smemory bill of \"%s\", one row at a time (bytes)\n", lead, net->name);
    tn__sb_printf(b, "%s  flash, float   %zu = weights %zu + code ~%zu (estimate; libm not "
                  "included)\n", lead, mb.flash_weights_float + mb.flash_code_float,
                  mb.flash_weights_float, mb.flash_code_float);
    char fmacro[96], qmacro[96];
    snprintf(fmacro, sizeof fmacro, "%s_SCRATCH_SIZE%s", U && !m->quant ? U : "NAME",
             U && !m->quant ? "" : " of a float export");
    snprintf(qmacro, sizeof qmacro, "%s_SCRATCH_SIZE%s", U && m->quant ? U : "NAME",
             U && m->quant ? "" : " of an int8 export");
    tn__sb_printf(b, "%s  RAM, float     %zu: the plan's arena, %s (%zu if no buffers shared "
                  "memory)\n", lead, mb.ram_float, fmacro, mb.ram_unshared);
    tn__sb_printf(b, "%s  RAM, runtime   %zu: a tinynet context of this %s model for batches "
                  "of 1, tn_ctx_size(m, 1) (its arena and %zu of bookkeeping)\n", lead,
                  mb.ctx_float, m->quant ? "int8" : "float",
                  mb.ctx_float - (m->quant ? mb.ram_int8 : mb.ram_float));
    tn_error qe = {0};
    tn_qnet *q = m->quant;
    if (!q && tn__qnet_new(net, &q, &qe) != TN_OK) {
        tn__sb_printf(b, "%s  int8           none: %s\n", lead, qe.msg);
    } else {
        tn__sb_printf(b, "%s  flash, int8    %zu = weights %zu (int8 weights, int32 biases, "
                      "multipliers, shifts, tables) + code ~%zu\n", lead,
                      mb.flash_weights_int8 + mb.flash_code_int8, mb.flash_weights_int8,
                      mb.flash_code_int8);
        tn__sb_printf(b, "%s  RAM, int8      %zu: the int8 plan's arena, %s\n", lead,
                      mb.ram_int8, qmacro);
    }
    tn__sb_printf(b, "%sfloat buffer plan (per row; layers: the steps it is live in)\n", lead);
    plan_text(net, &net->plan->p, b, lead);
    if (q) {
        tn__sb_printf(b, "%sint8 buffer plan (float inputs are quantized from the caller's "
                      "rows, ids read there, the output written into the caller's floats)\n",
                      lead);
        plan_text(net, &q->plan, b, lead);
        if (q != m->quant)
            tn__qnet_free(q);
    }
    return TN_OK;
}

int tn_model_memory_text(const tn_model *m, char **text, tn_error *err)
{
    if (text)
        *text = NULL;
    if (!m || !text)
        return tn__err(err, TN_EINVAL, "tn_model_memory_text: NULL argument");
    tn_sb b = {0};
    int rc = tn__bill_text(m, &b, "", NULL, err);
    if (rc == TN_OK && tn__sb_done(&b, text, NULL))
        rc = tn__err(err, TN_ENOMEM, "out of memory");
    tn__sb_free(&b);
    return rc;
}
