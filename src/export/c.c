/* tn_export_c: a model as one C99 source and header with no dependency but <stddef.h>,
 * <stdint.h> and, for some activations, <math.h>.
 *
 * Arithmetic. The layers' products are plain loops: each unit's dot product summed in float
 * in input order, then its bias added (OpenBLAS sums in another order, with FMA where the CPU
 * has it, so results differ in the last bits: the tests bound the difference and report it).
 * Activations, scaling, layer normalisation and the id checks are tinynet's own code,
 * precision for precision (c_act.c), so they add no difference of their own. Float
 * accumulation rather than double: microcontroller FPUs are single precision, and double
 * sums would buy agreement with no one (sgemm's own error is of the same size).
 *
 * Memory. Every buffer sits in the caller's scratch at the offset the model's buffer plan
 * (graph/plan.c) gives for one row, so NAME_SCRATCH_SIZE is the plan's arena: what `tinynet
 * info --memory` prints and what a tn_ctx for batches of 1 holds. Dropout emits nothing (its
 * output is its input's buffer); activations run in place. Weights are static const arrays,
 * dense and maxout weights transposed so that each unit's weights are contiguous. */
#include "export/export.h"

#include "core/alloc.h"
#include "core/error.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

typedef struct gen {
    const tn_model *m;
    const tn_net *net;
    char P[TN_MAX_NAME + 8];  /* the identifier prefix */
    char U[TN_MAX_NAME + 8];  /* the same in capitals, for macros */
    tn_sb src, fn;            /* the source's body; functions emitted before it */
    unsigned needs;           /* TN__C_* */
    int act_fn[TN_MAX_NODES]; /* per layer: the activation function it calls, or -1 */
    int n_act_fns;
    size_t weight_bytes;
    tn_error *err;
} gen;

static int ident(const char *in, char *out, size_t n)
{
    size_t k = 0;
    if (!in || !*in)
        in = "model";
    if (isdigit((unsigned char)in[0]) && k + 2 < n) {
        out[k++] = 'm';
        out[k++] = '_';
    }
    for (; *in && k + 1 < n; in++)
        out[k++] = isalnum((unsigned char)*in) ? *in : '_';
    out[k] = '\0';
    return k > 0;
}

/* ---- data --------------------------------------------------------------------------- */

static void floats(gen *g, const char *what, int l, const float *v, size_t n, size_t stride,
                   size_t rows)
{
    /* rows x (n / rows) values, v[r + c * stride] when transposing (stride > 0). */
    if (l < 0)
        tn__sb_printf(&g->src, "static const float %s_%s[%zu] = {", g->P, what, n);
    else
        tn__sb_printf(&g->src, "static const float %s_l%d_%s[%zu] = {", g->P, l, what, n);
    size_t cols = rows ? n / rows : n;
    for (size_t k = 0; k < n; k++) {
        float x = stride ? v[(k / cols) + (k % cols) * stride] : v[k];
        tn__sb_printf(&g->src, "%s", k % 8 ? " " : "\n    ");
        tn__sb_float(&g->src, x);
        tn__sb_printf(&g->src, ",");
    }
    tn__sb_printf(&g->src, "\n};\n");
    g->weight_bytes += n * sizeof(float);
}

/* ---- code --------------------------------------------------------------------------- */

static const char *buf_of(const gen *g, int node, char *name, size_t n)
{
    snprintf(name, n, "b%d", g->net->plan->node[node]);
    return name;
}

static int act_function(gen *g, int l)
{
    const tn_layer *L = &g->net->layers[l];
    g->act_fn[l] = -1;
    if (!L->act || strcmp(L->act->m->name, "identity") == 0)
        return TN_OK;
    tn_sb body = {0};
    if (tn__c_act_body(&body, g->P, L->act, L->width, &g->needs) != TN_OK) {
        tn__sb_free(&body);
        return tn__err(g->err, TN_EINVAL, "layer \"%s\": activation \"%s\" has no C form "
                       "(only the built-in activations export)", L->name, L->act->m->name);
    }
    /* Layers with the same activation and parameters share one function. */
    for (int k = 0; k < l; k++)
        if (g->act_fn[k] >= 0 && g->net->layers[k].act->m == L->act->m &&
            memcmp(g->net->layers[k].act->hyper, L->act->hyper, sizeof L->act->hyper) == 0 &&
            (g->net->layers[k].act->n_learn > 1) == (L->act->n_learn > 1)) {
            g->act_fn[l] = g->act_fn[k];
            tn__sb_free(&body);
            return TN_OK;
        }
    g->act_fn[l] = g->n_act_fns++;
    tn__sb_printf(&g->fn, "\n/* %s */\nstatic void %s_act_%d(float *x, size_t n, const float *a)\n{\n",
                  L->act->m->formula, g->P, g->act_fn[l]);
    tn__sb_put(&g->fn, body.s ? body.s : "", body.len);
    tn__sb_printf(&g->fn, "}\n");
    tn__sb_free(&body);
    return TN_OK;
}

static const char dense_fn[] =
    "\n/* y = x W + b, one unit at a time: w holds unit j's weights at w + j * in. */\n"
    "static void %s_dense(const float *x, const float *w, const float *b, size_t in,\n"
    "                     size_t units, float *y)\n"
    "{\n"
    "    size_t i, j;\n"
    "    for (j = 0; j < units; j++) {\n"
    "        const float *wj = w + j * in;\n"
    "        float acc = 0.0f;\n"
    "        for (i = 0; i < in; i++)\n"
    "            acc += x[i] * wj[i];\n"
    "        y[j] = b ? acc + b[j] : acc;\n"
    "    }\n"
    "}\n";

static const char layer_norm_fn[] =
    "\n/* torch.nn.LayerNorm over the row: mean and biased variance in double. */\n"
    "static void %s_layer_norm(const float *x, const float *gain, const float *bias, size_t n,\n"
    "                          double eps, float *y)\n"
    "{\n"
    "    size_t j;\n"
    "    double mean = 0.0, var = 0.0, rs;\n"
    "    for (j = 0; j < n; j++)\n"
    "        mean += x[j];\n"
    "    mean /= (double)n;\n"
    "    for (j = 0; j < n; j++) {\n"
    "        double c = x[j] - mean;\n"
    "        var += c * c;\n"
    "    }\n"
    "    var /= (double)n;\n"
    "    rs = 1.0 / sqrt(var + eps);\n"
    "    for (j = 0; j < n; j++) {\n"
    "        float xhat = (float)((x[j] - mean) * rs);\n"
    "        y[j] = gain[j] * xhat + bias[j];\n"
    "    }\n"
    "}\n";

/* The weights of layer l and the code that runs it. */
static int layer(gen *g, int l, tn_sb *code)
{
    const tn_net *net = g->net;
    const tn_layer *L = &net->layers[l];
    const float *P = net->P + L->param_off;
    const char *type = L->ops->type;
    char x[16], y[16];
    buf_of(g, L->in[0], x, sizeof x);
    buf_of(g, L->node, y, sizeof y);
    if (L->ops->flags & TN_LAYER_PASS_THROUGH) {
        tn__sb_printf(code, "    /* %s: %s, nothing to do in inference */\n", L->name, type);
        return TN_OK;
    }
    tn__sb_printf(code, "    /* %s: %s */\n", L->name, type);
    if (strcmp(type, "dense") == 0 || strcmp(type, "maxout") == 0) {
        size_t in = L->tensors[0].rows, K = L->tensors[0].cols;
        int bias = L->n_tensors > 1 && strcmp(L->tensors[1].name, "b") == 0;
        floats(g, "W", l, P, in * K, K, K);
        if (bias)
            floats(g, "b", l, P + L->tensors[1].offset, K, 0, 0);
        g->needs |= 1u << 9; /* the dense kernel */
        if (type[0] == 'd') {
            tn__sb_printf(code, "    %s_dense(%s, %s_l%d_W, %s%s%d%s, %zu, %zu, %s);\n", g->P, x,
                          g->P, l, bias ? g->P : "", bias ? "_l" : "0", bias ? l : 0,
                          bias ? "_b" : "", in, K, y);
        } else {
            size_t U = L->width, pieces = K / U;
            int w = net->plan->work[l];
            tn__sb_printf(code, "    %s_dense(%s, %s_l%d_W, %s_l%d_b, %zu, %zu, b%d);\n"
                          "    for (j = 0; j < %zu; j++) {\n"
                          "        const float *zj = b%d + j * %zu;\n"
                          "        size_t k, best = 0;\n"
                          "        for (k = 1; k < %zu; k++)\n"
                          "            if (zj[k] > zj[best])\n"
                          "                best = k;\n"
                          "        %s[j] = zj[best];\n"
                          "    }\n", g->P, x, g->P, l, g->P, l, in, K, w, U, w, pieces,
                          pieces, y);
        }
    } else if (strcmp(type, "embedding") == 0) {
        size_t V = L->tensors[0].rows, D = L->tensors[0].cols;
        floats(g, "E", l, P, V * D, 0, 0);
        tn__sb_printf(code, "    for (j = 0; j < %zu; j++)\n"
                      "        %s[j] = %s_l%d_E[(size_t)%s[0] * %zu + j];\n", D, y, g->P, l,
                      x, D);
    } else if (strcmp(type, "concat") == 0) {
        size_t off = 0;
        for (int j = 0; j < L->n_in; j++) {
            size_t w = net->nodes[L->in[j]].width;
            buf_of(g, L->in[j], x, sizeof x);
            tn__sb_printf(code, "    for (j = 0; j < %zu; j++)\n        %s[%zu + j] = %s[j];\n",
                          w, y, off, x);
            off += w;
        }
    } else if (strcmp(type, "layer_norm") == 0) {
        floats(g, "gain", l, P, L->width, 0, 0);
        floats(g, "bias", l, P + L->width, L->width, 0, 0);
        g->needs |= (1u << 10) | TN__C_MATH;
        tn__sb_printf(code, "    %s_layer_norm(%s, %s_l%d_gain, %s_l%d_bias, %zu, ", g->P, x,
                      g->P, l, g->P, l, L->width);
        tn__sb_double(code, tn__layer_norm_eps(L));
        tn__sb_printf(code, ", %s);\n", y);
    } else {
        return tn__err(g->err, TN_EINVAL, "layer \"%s\": type \"%s\" has no C form", L->name,
                       type);
    }
    int rc = act_function(g, l);
    if (rc)
        return rc;
    if (g->act_fn[l] >= 0) {
        const char *a = "0";
        char learn[TN_MAX_NAME + 32];
        if (L->act->n_learn) {
            floats(g, "act", l, P + tn__layer_act_offset(L) - L->param_off, L->act->n_learn, 0, 0);
            snprintf(learn, sizeof learn, "%s_l%d_act", g->P, l);
            a = learn;
        }
        tn__sb_printf(code, "    %s_act_%d(%s, %zu, %s);\n", g->P, g->act_fn[l], y, L->width, a);
    }
    return TN_OK;
}

/* ---- the files ------------------------------------------------------------------------ */

/* Where each input starts in `in`, and the header's description of it. */
static size_t input_offset(const tn_net *net, int i)
{
    size_t off = 0;
    for (int k = 0; k < i; k++)
        off += net->nodes[k].width;
    return off;
}

static void predict_head(gen *g, tn_sb *code)
{
    const tn_net *net = g->net;
    const tn_net_plan *np = net->plan;
    tn__sb_printf(code, "\nint %s_predict(const float *in, float *out, void *scratch)\n{\n"
                  "    char *s = (char *)scratch;\n", g->P);
    for (int k = 0; k < np->p.n; k++) {
        const tn_plan_buf *b = &np->p.buf[k];
        if (b->kind == TN_BUF_NODE || (b->kind == TN_BUF_WORK &&
                                       strcmp(net->layers[b->owner].ops->type, "maxout") == 0))
            tn__sb_printf(code, "    float *b%d = (float *)(s + %zu); /* %zu bytes: %s %s */\n",
                          k, b->offset, b->bytes, b->kind == TN_BUF_NODE ? "output of" : "work of",
                          b->kind == TN_BUF_NODE ? net->nodes[b->owner].name
                                                 : net->layers[b->owner].name);
    }
    tn__sb_printf(code, "    size_t j;\n");
    /* Every id first: a bad one leaves out untouched. */
    for (int i = 0; i < net->n_inputs; i++)
        if (net->nodes[i].kind == TN_NODE_INDEX_INPUT)
            tn__sb_printf(code, "    if (!(in[%zu] >= 0.0f && in[%zu] < %zu.0f) || "
                          "in[%zu] != (float)(uint32_t)in[%zu])\n        return %s_EID;\n",
                          input_offset(net, i), input_offset(net, i), net->nodes[i].vocab,
                          input_offset(net, i), input_offset(net, i), g->U);
    const tn_scaling *sc = &g->m->scaling;
    for (int i = 0; i < net->n_inputs; i++) {
        size_t off = input_offset(net, i), w = net->nodes[i].width;
        char b[16];
        buf_of(g, i, b, sizeof b);
        if (sc->kind != TN_SCALING_NONE && sc->input == i) {
            /* model/scaling.c: (x - mean) / std in float */
            if (sc->n == 1) {
                tn__sb_printf(code, "    for (j = 0; j < %zu; j++)\n        %s[j] = (in[%zu + j] - ",
                              w, b, off);
                tn__sb_float(code, sc->mean[0]);
                tn__sb_printf(code, ") / ");
                tn__sb_float(code, sc->std[0]);
                tn__sb_printf(code, ";\n");
            } else {
                floats(g, "mean", -1, sc->mean, sc->n, 0, 0);
                floats(g, "std", -1, sc->std, sc->n, 0, 0);
                tn__sb_printf(code, "    for (j = 0; j < %zu; j++)\n"
                              "        %s[j] = (in[%zu + j] - %s_mean[j]) / %s_std[j];\n",
                              w, b, off, g->P, g->P);
            }
        } else {
            tn__sb_printf(code, "    for (j = 0; j < %zu; j++)\n        %s[j] = in[%zu + j];\n", w,
                          b, off);
        }
    }
}

void tn__c_header(const tn_model *m, const char *P, const char *U, const char *header_name,
                  size_t weight_bytes, size_t scratch, unsigned needs, tn_sb *h)
{
    const tn_net *net = m->net;
    tn__sb_printf(h, "/* %s: the network \"%s\" as dependency-free C, generated by tinynet %s.\n"
                  " *\n * int %s_predict(const float *in, float *out, void *scratch);\n *\n"
                  " * in: %zu floats, the model's inputs one after another:\n", header_name,
                  net->name, tn_version(), P, input_offset(net, net->n_inputs));
    if (m->quant)
        tn__sb_printf(h, " * (int8: weights per output unit, activations calibrated; the dense\n"
                      " * layers are integer only: %s_dense_q uses no float)\n", P);
    for (int i = 0; i < net->n_inputs; i++) {
        const tn_node *nd = &net->nodes[i];
        size_t off = input_offset(net, i);
        if (nd->kind == TN_NODE_INDEX_INPUT)
            tn__sb_printf(h, " *   in[%zu]: \"%s\", an id in [0, %zu) (an integer, as a float)\n",
                          off, nd->name, nd->vocab);
        else
            tn__sb_printf(h, " *   in[%zu .. %zu]: \"%s\", %zu features as the data hold them%s\n",
                          off, off + nd->width - 1, nd->name, nd->width,
                          m->scaling.kind != TN_SCALING_NONE && m->scaling.input == i
                              ? " (the model's scaling is applied here)" : "");
    }
    tn__sb_printf(h, " * out: %zu floats, the output of \"%s\" (its activation applied).\n"
                  " * scratch: %s_SCRATCH_SIZE bytes, aligned for float; nothing in it needs to\n"
                  " *   survive between calls, so one buffer may serve every model run in turn.\n"
                  " * Returns %s_OK, or %s_EID when an id is not an integer in [0, vocab):\n"
                  " *   then nothing is computed and out is untouched.\n"
                  " * Re-entrant: no globals but constant weights; one scratch per thread.\n"
                  " * Built with -std=c99 -Wall -Wextra -Werror -pedantic by tinynet's tests%s.\n"
                  " *\n", net->nodes[net->output].width, net->nodes[net->output].name, U,
                  U, U, needs & TN__C_MATH ? " (link with -lm)"
                                                    : ", also -ffreestanding");
    tn_sb bill = {0};
    tn__bill_text(m, &bill, " * ", U, NULL);
    tn__sb_put(h, bill.s ? bill.s : "", bill.len);
    tn__sb_free(&bill);
    tn__sb_printf(h, " */\n#ifndef %s_H_INCLUDED\n#define %s_H_INCLUDED\n\n#include <stddef.h>\n\n",
                  U, U);
    tn__sb_printf(h, "#define %s_IN_SIZE %zu\n#define %s_OUT_SIZE %zu\n"
                  "#define %s_SCRATCH_SIZE %zu /* bytes */\n"
                  "#define %s_WEIGHTS_SIZE %zu /* bytes of constant weights */\n"
                  "#define %s_OK 0\n#define %s_EID (-1)\n\n",
                  U, input_offset(net, net->n_inputs), U, net->nodes[net->output].width,
                  U, scratch, U, weight_bytes, U, U);
    tn__sb_printf(h, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
                  "int %s_predict(const float *in, float *out, void *scratch);\n\n"
                  "#ifdef __cplusplus\n}\n#endif\n#endif\n", P);
}

int tn_export_c(const tn_model *m, const char *name, const char *header_name, char **source,
                char **header, tn_error *err)
{
    if (source)
        *source = NULL;
    if (header)
        *header = NULL;
    if (!m || !source || !header || !header_name)
        return tn__err(err, TN_EINVAL, "tn_export_c: NULL argument");
    gen g = {.m = m, .net = m->net, .err = err};
    if (!ident(name ? name : m->net->name, g.P, sizeof g.P))
        return tn__err(err, TN_EINVAL, "tn_export_c: empty name");
    for (size_t k = 0; g.P[k]; k++)
        g.U[k] = (char)toupper((unsigned char)g.P[k]);
    for (int l = 0; l < TN_MAX_NODES; l++)
        g.act_fn[l] = -1;
    tn_sb code = {0}, out = {0}, h = {0};
    int rc = TN_OK;
    if (m->quant) {
        rc = tn__c_int8(m, g.P, g.U, header_name, &out, &h, err);
        goto finish;
    }
    predict_head(&g, &code);
    for (int l = 0; rc == TN_OK && l < g.net->n_layers; l++)
        rc = layer(&g, l, &code);
    char y[16];
    tn__sb_printf(&code, "    for (j = 0; j < %zu; j++)\n        out[j] = %s[j];\n"
                  "    return %s_OK;\n}\n", g.net->nodes[g.net->output].width,
                  buf_of(&g, g.net->output, y, sizeof y), g.U);
    if (rc == TN_OK) {
        tn__c_header(m, g.P, g.U, header_name, g.weight_bytes, g.net->plan->p.arena, g.needs, &h);
        tn__sb_printf(&out, "/* The network \"%s\" as C99, generated by tinynet %s: see %s. */\n"
                      "#include \"%s\"\n\n#include <stdint.h>\n%s", g.net->name, tn_version(),
                      header_name, header_name, g.needs & TN__C_MATH ? "#include <math.h>\n" : "");
        for (int k = 0; k < TN__C_N_HELPERS; k++)
            if (g.needs & TN__C_NEED(k)) {
                tn__sb_printf(&out, "\n");
                tn__sb_put(&out, tn__c_helper_text[k], strlen(tn__c_helper_text[k]));
            }
        if (g.needs & (1u << 9))
            tn__sb_printf(&out, dense_fn, g.P);
        if (g.needs & (1u << 10))
            tn__sb_printf(&out, layer_norm_fn, g.P);
        tn__sb_put(&out, g.fn.s ? g.fn.s : "", g.fn.len);
        tn__sb_printf(&out, "\n");
        tn__sb_put(&out, g.src.s ? g.src.s : "", g.src.len);
        tn__sb_put(&out, code.s ? code.s : "", code.len);
    }
finish:
    tn__sb_free(&code);
    tn__sb_free(&g.fn);
    tn__sb_free(&g.src);
    if (rc == TN_OK && (tn__sb_done(&out, source, NULL) || tn__sb_done(&h, header, NULL))) {
        tn_free(*source);
        *source = NULL;
        rc = tn__err(err, TN_ENOMEM, "out of memory");
    }
    tn__sb_free(&out);
    tn__sb_free(&h);
    return rc;
}
