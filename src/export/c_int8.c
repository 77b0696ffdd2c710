/* The int8 C export (a model from tn_model_quantize): graph/quant.c's arithmetic as C99.
 * The dense layers are integer only (int8 products summed in int32, requantized with an
 * integer multiplier and shift), so they need no FPU; float appears where the model meets
 * the caller's floats: quantizing the inputs (with the model's scaling), dequantizing the
 * output layer and its activation. The runtime's int8 path runs the same operations in the
 * same order, so the two agree bit for bit (the tests check). */
#include "export/export.h"

#include "core/error.h"
#include "graph/quant.h"

#include <stdio.h>
#include <string.h>

typedef struct gen8 {
    const tn_model *m;
    const tn_net *net;
    const tn_qnet *q;
    const char *P, *U;
    tn_sb data, code;
    size_t bytes;
    unsigned needs;
} gen8;

static void ints(gen8 *g, const char *type, size_t size, const char *what, int l,
                 const void *v, size_t n)
{
    tn__sb_printf(&g->data, "static const %s %s_l%d_%s[%zu] = {", type, g->P, l, what, n);
    for (size_t k = 0; k < n; k++) {
        long long x = size == 1 ? ((const int8_t *)v)[k] : ((const int32_t *)v)[k];
        tn__sb_printf(&g->data, "%s%lld,", k % 16 ? " " : "\n    ", x);
    }
    tn__sb_printf(&g->data, "\n};\n");
    g->bytes += n * size;
}

size_t tn__c_int8_weight_bytes(const tn_model *m, const tn_qnet *q)
{
    const tn_net *net = m->net;
    size_t n = 0;
    for (int l = 0; l < net->n_layers; l++) {
        const tn_layer *L = &net->layers[l];
        const tn_qlayer *ql = &q->layers[l];
        if (ql->kind == TN_QL_DENSE)
            n += net->nodes[L->in[0]].width * L->width + 3 * 4 * L->width +
                 (ql->out_float || tn__q8_clamp_act(L->act) ? 0
                  : 256 * (L->act->n_learn > 1 ? L->width : 1));
        else if (ql->kind == TN_QL_EMBED)
            n += L->n_params;
    }
    if (m->scaling.kind != TN_SCALING_NONE && m->scaling.n > 1)
        n += 2 * 4 * m->scaling.n;
    return n;
}

static const char quantize_fn[] =
    "\n/* round(t / scale) + zero, saturated: the inputs' quantization (graph/quant.c). */\n"
    "static int8_t %s_quantize(float t, float scale, int32_t zero)\n"
    "{\n"
    "    float v = t / scale;\n"
    "    int32_t q;\n"
    "    if (!(v > -1000.0f))\n        v = -1000.0f;\n"
    "    if (v > 1000.0f)\n        v = 1000.0f;\n"
    "    q = (int32_t)(v < 0.0f ? v - 0.5f : v + 0.5f) + zero;\n"
    "    return (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);\n"
    "}\n";

static const char kernels[] =
    "\n/* CMSIS-NN's arm_nn_requantize: acc * mult * 2^(shift - 31), rounded; integers only. */\n"
    "static int32_t %s_requant(int32_t acc, int32_t mult, int32_t shift)\n"
    "{\n"
    "    int64_t x = (int64_t)acc * ((int64_t)1 << (shift > 0 ? shift : 0));\n"
    "    int32_t hi, mask, rem, threshold;\n"
    "    int right = shift > 0 ? 0 : -shift;\n"
    "    if (x > INT32_MAX)\n        x = INT32_MAX;\n"
    "    if (x < INT32_MIN)\n        x = INT32_MIN;\n"
    "    hi = (int32_t)((x * mult + ((int64_t)1 << 30)) >> 31);\n"
    "    if (right == 0)\n        return hi;\n"
    "    mask = (int32_t)(((int64_t)1 << right) - 1);\n"
    "    rem = hi & mask;\n"
    "    threshold = (mask >> 1) + (hi < 0);\n"
    "    return (hi >> right) + (rem > threshold);\n"
    "}\n"
    "\n/* An int8 dense layer, no float: y = requant(sum (x - xz) w + bias) + yz, through a\n"
    " * table activation when lut is given (n_lut tables of 256: one, or one per unit). */\n"
    "static void %s_dense_q(const int8_t *x, int32_t xz, const int8_t *w, const int32_t *bias,\n"
    "                       const int32_t *mult, const int32_t *shift, int32_t yz,\n"
    "                       const int8_t *lut, size_t n_lut, size_t in, size_t units, int8_t *y)\n"
    "{\n"
    "    size_t i, j;\n"
    "    for (j = 0; j < units; j++) {\n"
    "        const int8_t *wj = w + j * in;\n"
    "        int32_t acc = bias[j], v;\n"
    "        for (i = 0; i < in; i++)\n"
    "            acc += ((int32_t)x[i] - xz) * (int32_t)wj[i];\n"
    "        v = yz + %s_requant(acc, mult[j], shift[j]);\n"
    "        v = v < -128 ? -128 : v > 127 ? 127 : v;\n"
    "        if (lut)\n"
    "            v = lut[(n_lut > 1 ? j * 256 : 0) + (size_t)(v + 128)];\n"
    "        y[j] = (int8_t)v;\n"
    "    }\n"
    "}\n"
    "\n/* The output layer's int8 values, written as bytes at the start of out, become floats:\n"
    " * from the last down, so no byte is overwritten before it is read. */\n"
    "static void %s_dequantize(float *out, size_t n, float scale, int32_t zero)\n"
    "{\n"
    "    const int8_t *q = (const int8_t *)out;\n"
    "    size_t j = n;\n"
    "    while (j-- > 0) {\n"
    "        int32_t v = q[j];\n"
    "        out[j] = scale * (float)(v - zero);\n"
    "    }\n"
    "}\n";

static size_t in_offset(const tn_net *net, int i)
{
    size_t off = 0;
    for (int k = 0; k < i; k++)
        off += net->nodes[k].width;
    return off;
}

static void qbuf(gen8 *g, int node, char *out, size_t n)
{
    snprintf(out, n, "q%d", g->q->buf[node]);
}

static int layer8(gen8 *g, int l, tn_error *err)
{
    const tn_net *net = g->net;
    const tn_qnet *q = g->q;
    const tn_layer *L = &net->layers[l];
    const tn_qlayer *ql = &q->layers[l];
    tn_sb *c = &g->code;
    char x[16], y[16];
    tn__sb_printf(c, "    /* %s: %s */\n", L->name, L->ops->type);
    if (ql->kind == TN_QL_PASS)
        return TN_OK;
    if (ql->kind == TN_QL_DENSE) {
        size_t in = net->nodes[L->in[0]].width, U = L->width;
        ints(g, "int8_t", 1, "w", l, ql->w, in * U);
        ints(g, "int32_t", 4, "bias", l, ql->bias, U);
        ints(g, "int32_t", 4, "mult", l, ql->mult, U);
        ints(g, "int32_t", 4, "shift", l, ql->shift, U);
        char lut[64] = "0";
        if (ql->lut) {
            ints(g, "int8_t", 1, "lut", l, ql->lut, 256 * ql->n_lut);
            snprintf(lut, sizeof lut, "%s_l%d_lut", g->P, l);
        }
        qbuf(g, L->in[0], x, sizeof x);
        if (ql->out_float)
            snprintf(y, sizeof y, "(int8_t *)out");
        else
            qbuf(g, L->node, y, sizeof y);
        tn__sb_printf(c, "    %s_dense_q(%s, %d, %s_l%d_w, %s_l%d_bias, %s_l%d_mult, %s_l%d_shift, "
                      "%d, %s, %zu, %zu, %zu, %s);\n", g->P, x, (int)q->node[L->in[0]].zero, g->P,
                      l, g->P, l, g->P, l, g->P, l, (int)ql->target.zero, lut, ql->n_lut, in, U, y);
        if (!ql->out_float)
            return TN_OK;
        tn__sb_printf(c, "    %s_dequantize(out, %zu, ", g->P, U);
        tn__sb_float(c, ql->target.scale);
        tn__sb_printf(c, ", %d);\n", (int)ql->target.zero);
        if (strcmp(L->act->m->name, "identity") != 0) {
            tn_sb body = {0};
            if (L->act->n_learn || tn__c_act_body(&body, g->P, L->act, U, &g->needs)) {
                tn__sb_free(&body);
                return tn__err(err, TN_EINVAL, "int8 C: the output activation %s has no C "
                               "form here", L->act->m->name);
            }
            tn__sb_printf(c, "    {\n        float *x = out;\n        size_t n = %zu;\n"
                          "        const float *a = 0;\n", U);
            tn__sb_put(c, body.s ? body.s : "", body.len);
            tn__sb_printf(c, "    }\n");
            tn__sb_free(&body);
        }
    } else if (ql->kind == TN_QL_EMBED) {
        size_t D = L->width;
        ints(g, "int8_t", 1, "E", l, ql->w, L->n_params);
        qbuf(g, L->node, y, sizeof y);
        tn__sb_printf(c, "    for (j = 0; j < %zu; j++)\n        %s[j] = %s_l%d_E[(size_t)in[%zu] * "
                      "%zu + j];\n", D, y, g->P, l, in_offset(net, L->in[0]), D);
    } else {
        size_t off = 0;
        qbuf(g, L->node, y, sizeof y);
        int32_t zo = q->node[L->node].zero;
        for (int j = 0; j < L->n_in; j++) {
            size_t w = net->nodes[L->in[j]].width;
            qbuf(g, L->in[j], x, sizeof x);
            if (ql->mult[j] || ql->shift[j]) {
                int32_t zi = q->node[L->in[j]].zero;
                tn__sb_printf(c, "    for (j = 0; j < %zu; j++) {\n"
                              "        int32_t v = %d + %s_requant((int32_t)%s[j] - %d, %ld, %ld);\n"
                              "        %s[%zu + j] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);\n"
                              "    }\n", w, (int)zo, g->P, x, (int)zi, (long)ql->mult[j],
                              (long)ql->shift[j], y, off);
            } else {
                tn__sb_printf(c, "    for (j = 0; j < %zu; j++)\n        %s[%zu + j] = %s[j];\n",
                              w, y, off, x);
            }
            off += w;
        }
    }
    return TN_OK;
}

int tn__c_int8(const tn_model *m, const char *P, const char *U, const char *header_name,
               tn_sb *src, tn_sb *h, tn_error *err)
{
    gen8 g = {.m = m, .net = m->net, .q = m->quant, .P = P, .U = U};
    const tn_net *net = m->net;
    const tn_qnet *q = m->quant;
    tn_sb *c = &g.code;
    tn__sb_printf(c, "\nint %s_predict(const float *in, float *out, void *scratch)\n{\n"
                  "    int8_t *s = (int8_t *)scratch;\n", P);
    for (int k = 0; k < q->plan.n; k++)
        tn__sb_printf(c, "    int8_t *q%d = s + %zu; /* %zu bytes: int8 output of %s */\n", k,
                      q->plan.buf[k].offset, q->plan.buf[k].bytes,
                      net->nodes[q->plan.buf[k].owner].name);
    tn__sb_printf(c, "    size_t j;\n");
    for (int i = 0; i < net->n_inputs; i++)
        if (net->nodes[i].kind == TN_NODE_INDEX_INPUT)
            tn__sb_printf(c, "    if (!(in[%zu] >= 0.0f && in[%zu] < %zu.0f) || "
                          "in[%zu] != (float)(uint32_t)in[%zu])\n        return %s_EID;\n",
                          in_offset(net, i), in_offset(net, i), net->nodes[i].vocab,
                          in_offset(net, i), in_offset(net, i), U);
    for (int i = 0; i < net->n_inputs; i++) {
        if (net->nodes[i].kind != TN_NODE_FLOAT_INPUT)
            continue;
        char b[16];
        qbuf(&g, i, b, sizeof b);
        size_t off = in_offset(net, i), w = net->nodes[i].width;
        tn__sb_printf(c, "    for (j = 0; j < %zu; j++)\n        %s[j] = %s_quantize(", w, b, P);
        if (q->mean && q->scaled_input == i) {
            tn__sb_printf(c, "(in[%zu + j] - ", off);
            if (q->scale_n == 1) {
                tn__sb_float(c, q->mean[0]);
                tn__sb_printf(c, ") / ");
                tn__sb_float(c, q->std[0]);
            } else {
                tn__sb_printf(&g.data, "static const float %s_mean[%zu] = {", P, q->scale_n);
                for (size_t k = 0; k < q->scale_n; k++) {
                    tn__sb_printf(&g.data, k % 8 ? " " : "\n    ");
                    tn__sb_float(&g.data, q->mean[k]);
                    tn__sb_printf(&g.data, ",");
                }
                tn__sb_printf(&g.data, "\n};\nstatic const float %s_std[%zu] = {", P, q->scale_n);
                for (size_t k = 0; k < q->scale_n; k++) {
                    tn__sb_printf(&g.data, k % 8 ? " " : "\n    ");
                    tn__sb_float(&g.data, q->std[k]);
                    tn__sb_printf(&g.data, ",");
                }
                tn__sb_printf(&g.data, "\n};\n");
                g.bytes += 8 * q->scale_n;
                tn__sb_printf(c, "%s_mean[j]) / %s_std[j]", P, P);
            }
        } else {
            tn__sb_printf(c, "in[%zu + j]", off);
        }
        tn__sb_printf(c, ", ");
        tn__sb_float(c, q->node[i].scale);
        tn__sb_printf(c, ", %d);\n", (int)q->node[i].zero);
    }
    int rc = TN_OK;
    for (int l = 0; rc == TN_OK && l < net->n_layers; l++)
        rc = layer8(&g, l, err);
    tn__sb_printf(c, "    return %s_OK;\n}\n", U);
    if (rc == TN_OK) {
        tn__sb_printf(src, "/* The network \"%s\" in int8 as C99, generated by tinynet %s: see %s. */\n"
                      "#include \"%s\"\n\n#include <stdint.h>\n%s", net->name, tn_version(),
                      header_name, header_name, g.needs & TN__C_MATH ? "#include <math.h>\n" : "");
        for (int k = 0; k < TN__C_N_HELPERS; k++)
            if (g.needs & TN__C_NEED(k)) {
                tn__sb_printf(src, "\n");
                tn__sb_put(src, tn__c_helper_text[k], strlen(tn__c_helper_text[k]));
            }
        int floats = 0;
        for (int i = 0; i < net->n_inputs; i++)
            floats |= net->nodes[i].kind == TN_NODE_FLOAT_INPUT;
        if (floats)
            tn__sb_printf(src, quantize_fn, P);
        tn__sb_printf(src, kernels, P, P, P, P);
        tn__sb_printf(src, "\n");
        tn__sb_put(src, g.data.s ? g.data.s : "", g.data.len);
        tn__sb_put(src, c->s ? c->s : "", c->len);
        tn__c_header(m, P, U, header_name, g.bytes, q->plan.arena, g.needs, h);
    }
    tn__sb_free(&g.data);
    tn__sb_free(&g.code);
    return rc;
}
