/* tn_export_onnx: the model as an ONNX ModelProto (IR version 8, opset 17), written with the
 * small protobuf writer below rather than a library: the messages needed are few and their
 * field numbers fixed by onnx.proto.
 *
 * Mapping. The scaling is Sub then Div, as model/scaling.c computes it; dense is Gemm; an
 * embedding is Gather on int64 ids (an index input is an int64 [N, 1] tensor) then Flatten;
 * concat is Concat on axis 1; maxout is Gemm, Reshape to [N, units, pieces], ReduceMax;
 * layer_norm is LayerNormalization (opset 17); dropout is nothing. Activations are ONNX
 * ops where opset 17 has them with tinynet's definition, decomposed where it does not: gelu
 * (Gelu is opset 20) as 0.5 x (1 + Erf(x / sqrt 2)), gelu_tanh, silu and swish from Sigmoid,
 * mish (opset 18) as x Tanh(Softplus(x)), softplus with beta and threshold via Where,
 * binary_step as Cast(x >= 0), bipolar_sigmoid as Tanh(x / 2), rrelu as LeakyRelu with the
 * inference slope. Softmax and LogSoftmax take axis 1: since opset 13 the axis is the one
 * reduced, which for [N, units] rows is tinynet's row-wise softmax. Inputs keep the model's
 * names, the output is named after the last layer, every dimension but the batch is fixed. */
#include "export/export.h"

#include "core/error.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ONNX_IR_VERSION 8
#define ONNX_OPSET 17
enum { T_FLOAT = 1, T_INT64 = 7 };            /* TensorProto.DataType */
enum { A_FLOAT = 1, A_INT = 2, A_INTS = 7 };  /* AttributeProto.AttributeType */

/* ---- protobuf -------------------------------------------------------------------------- */

static void varint(tn_sb *b, uint64_t v)
{
    unsigned char t[10];
    size_t n = 0;
    do {
        t[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v)
            t[n] |= 0x80;
        n++;
    } while (v);
    tn__sb_put(b, t, n);
}
static void key(tn_sb *b, int field, int wire) { varint(b, ((uint64_t)field << 3) | (unsigned)wire); }
static void pb_int(tn_sb *b, int field, int64_t v) { key(b, field, 0); varint(b, (uint64_t)v); }
static void pb_bytes(tn_sb *b, int field, const void *p, size_t n)
{
    key(b, field, 2);
    varint(b, n);
    tn__sb_put(b, p, n);
}
static void pb_str(tn_sb *b, int field, const char *s) { pb_bytes(b, field, s, strlen(s)); }
/* Embeds sub as field and frees it. */
static void pb_msg(tn_sb *b, int field, tn_sb *sub)
{
    if (sub->failed)
        b->failed = 1;
    pb_bytes(b, field, sub->s ? sub->s : "", sub->len);
    tn__sb_free(sub);
}
static void le32(unsigned char *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (unsigned char)(v >> (8 * k));
}
static void pb_float(tn_sb *b, int field, float f)
{
    uint32_t u;
    unsigned char t[4];
    memcpy(&u, &f, 4);
    le32(t, u);
    key(b, field, 5);
    tn__sb_put(b, t, 4);
}

/* ---- the graph ----------------------------------------------------------------------------- */

typedef struct onnx {
    const tn_net *net;
    tn_sb nodes, inits; /* GraphProto fields 1 (node) and 5 (initializer), already keyed */
    int tmp;            /* numbering of temporaries and constants */
    char tensor[TN_MAX_NODES][TN_MAX_NAME + 16]; /* the tensor holding each node's output */
} onnx;

/* TensorProto: dims, FLOAT, name, raw little-endian data. */
static void init_floats(onnx *o, const char *name, const float *v, size_t n, const int64_t *dims,
                        int ndims)
{
    tn_sb t = {0};
    for (int k = 0; k < ndims; k++)
        pb_int(&t, 1, dims[k]);
    pb_int(&t, 2, T_FLOAT);
    pb_str(&t, 8, name);
    key(&t, 9, 2);
    varint(&t, 4 * (uint64_t)n);
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        unsigned char q[4];
        memcpy(&u, &v[i], 4);
        le32(q, u);
        tn__sb_put(&t, q, 4);
    }
    pb_msg(&o->inits, 5, &t);
}

static void init_int64s(onnx *o, const char *name, const int64_t *v, size_t n)
{
    tn_sb t = {0};
    int64_t dim = (int64_t)n;
    pb_int(&t, 1, dim);
    pb_int(&t, 2, T_INT64);
    pb_str(&t, 8, name);
    key(&t, 9, 2);
    varint(&t, 8 * (uint64_t)n);
    for (size_t i = 0; i < n; i++) {
        unsigned char q[8];
        for (int k = 0; k < 8; k++)
            q[k] = (unsigned char)((uint64_t)v[i] >> (8 * k));
        tn__sb_put(&t, q, 8);
    }
    pb_msg(&o->inits, 5, &t);
}

/* A scalar float constant; its name in out. */
static const char *scalar(onnx *o, const char *layer, double v, char *out, size_t n)
{
    float f = (float)v;
    snprintf(out, n, "%s_c%d", layer, o->tmp++);
    init_floats(o, out, &f, 1, NULL, 0);
    return out;
}

typedef struct attr {
    const char *name;
    int type;
    float f;
    int64_t i;
} attr;

/* NodeProto: inputs, outputs, name, op_type, attributes. */
static void node(onnx *o, const char *op, const char *name, const char *const *in, int n_in,
                 const char *out, const attr *at, int n_at)
{
    tn_sb nd = {0};
    for (int k = 0; k < n_in; k++)
        pb_str(&nd, 1, in[k]);
    pb_str(&nd, 2, out);
    pb_str(&nd, 3, name);
    pb_str(&nd, 4, op);
    for (int k = 0; k < n_at; k++) {
        tn_sb a = {0};
        pb_str(&a, 1, at[k].name);
        if (at[k].type == A_FLOAT)
            pb_float(&a, 2, at[k].f);
        else if (at[k].type == A_INT)
            pb_int(&a, 3, at[k].i);
        else
            pb_int(&a, 8, at[k].i); /* INTS with one value */
        pb_int(&a, 20, at[k].type);
        pb_msg(&nd, 5, &a);
    }
    pb_msg(&o->nodes, 1, &nd);
}

/* One-input nodes and two-input nodes, named after their output. */
static void op1(onnx *o, const char *op, const char *x, const char *y, const attr *at, int n_at)
{
    node(o, op, y, &x, 1, y, at, n_at);
}
static void op2(onnx *o, const char *op, const char *a, const char *b, const char *y)
{
    const char *in[2] = {a, b};
    node(o, op, y, in, 2, y, NULL, 0);
}

#define TMP(buf) (snprintf(buf, sizeof buf, "%s_t%d", L->name, o->tmp++), buf)

/* y = activation(z) of layer L. */
static int activation(onnx *o, const tn_layer *L, const char *z, const char *y, tn_error *err)
{
    const tn_act_inst *a = L->act;
    const char *nm = a->m->name;
    char c[TN_MAX_NAME + 32], c2[TN_MAX_NAME + 32], t1[TN_MAX_NAME + 32], t2[TN_MAX_NAME + 32],
        t3[TN_MAX_NAME + 32], t4[TN_MAX_NAME + 32];
    const float *learn = o->net->P + tn__layer_act_offset(L);
    if (!tn__act_builtin(a->m))
        return tn__err(err, TN_EINVAL, "layer \"%s\": activation \"%s\" has no ONNX form "
                       "(only the built-in activations export)", L->name, nm);
    if (strcmp(nm, "identity") == 0) {
        op1(o, "Identity", z, y, NULL, 0);
    } else if (strcmp(nm, "binary_step") == 0) {
        op2(o, "GreaterOrEqual", z, scalar(o, L->name, 0.0, c, sizeof c), TMP(t1));
        attr to = {"to", A_INT, 0, T_FLOAT};
        op1(o, "Cast", t1, y, &to, 1);
    } else if (strcmp(nm, "sigmoid") == 0 || strcmp(nm, "tanh") == 0 ||
               strcmp(nm, "relu") == 0 || strcmp(nm, "softsign") == 0 ||
               strcmp(nm, "hard_swish") == 0) {
        const char *op = nm[0] == 's' ? (nm[1] == 'i' ? "Sigmoid" : "Softsign")
                         : nm[0] == 't' ? "Tanh" : nm[0] == 'r' ? "Relu" : "HardSwish";
        op1(o, op, z, y, NULL, 0);
    } else if (strcmp(nm, "bipolar_sigmoid") == 0) {
        op2(o, "Mul", z, scalar(o, L->name, 0.5, c, sizeof c), TMP(t1));
        op1(o, "Tanh", t1, y, NULL, 0);
    } else if (strcmp(nm, "relu6") == 0) {
        const char *in[3] = {z, scalar(o, L->name, 0.0, c, sizeof c),
                             scalar(o, L->name, 6.0, c2, sizeof c2)};
        node(o, "Clip", y, in, 3, y, NULL, 0);
    } else if (strcmp(nm, "leaky_relu") == 0 || strcmp(nm, "rrelu") == 0) {
        double alpha = nm[0] == 'l' ? (double)a->hyper[0]
                                    : 0.5 * ((double)a->hyper[0] + (double)a->hyper[1]);
        attr at = {"alpha", A_FLOAT, (float)alpha, 0};
        op1(o, "LeakyRelu", z, y, &at, 1);
    } else if (strcmp(nm, "prelu") == 0) {
        int64_t dim = (int64_t)a->n_learn;
        snprintf(c, sizeof c, "%s_slope", L->name);
        init_floats(o, c, learn, a->n_learn, &dim, 1);
        op2(o, "PRelu", z, c, y);
    } else if (strcmp(nm, "elu") == 0 || strcmp(nm, "celu") == 0) {
        attr at = {"alpha", A_FLOAT, a->hyper[0], 0};
        op1(o, nm[0] == 'e' ? "Elu" : "Celu", z, y, &at, 1);
    } else if (strcmp(nm, "selu") == 0) {
        attr at[2] = {{"alpha", A_FLOAT, (float)1.6732632423543772848170429916717, 0},
                      {"gamma", A_FLOAT, (float)1.0507009873554804934193349852946, 0}};
        op1(o, "Selu", z, y, at, 2);
    } else if (strcmp(nm, "gelu") == 0) {
        op2(o, "Mul", z, scalar(o, L->name, 0.70710678118654752440, c, sizeof c), TMP(t1));
        op1(o, "Erf", t1, TMP(t2), NULL, 0);
        op2(o, "Add", t2, scalar(o, L->name, 1.0, c, sizeof c), TMP(t3));
        op2(o, "Mul", z, t3, TMP(t4));
        op2(o, "Mul", t4, scalar(o, L->name, 0.5, c, sizeof c), y);
    } else if (strcmp(nm, "gelu_tanh") == 0) {
        op2(o, "Mul", z, z, TMP(t1));
        op2(o, "Mul", t1, z, TMP(t2));
        op2(o, "Mul", t2, scalar(o, L->name, 0.044715, c, sizeof c), TMP(t3));
        op2(o, "Add", z, t3, TMP(t4));
        op2(o, "Mul", t4, scalar(o, L->name, 0.79788456080286535588, c, sizeof c), TMP(t1));
        op1(o, "Tanh", t1, TMP(t2), NULL, 0);
        op2(o, "Add", t2, scalar(o, L->name, 1.0, c, sizeof c), TMP(t3));
        op2(o, "Mul", z, t3, TMP(t4));
        op2(o, "Mul", t4, scalar(o, L->name, 0.5, c, sizeof c), y);
    } else if (strcmp(nm, "silu") == 0 || strcmp(nm, "swish") == 0) {
        const char *bz = z;
        if (nm[1] == 'w') {
            op2(o, "Mul", z, scalar(o, L->name, a->hyper[0], c, sizeof c), TMP(t1));
            bz = t1;
        }
        op1(o, "Sigmoid", bz, TMP(t2), NULL, 0);
        op2(o, "Mul", z, t2, y);
    } else if (strcmp(nm, "mish") == 0) {
        op1(o, "Softplus", z, TMP(t1), NULL, 0);
        op1(o, "Tanh", t1, TMP(t2), NULL, 0);
        op2(o, "Mul", z, t2, y);
    } else if (strcmp(nm, "softplus") == 0) {
        op2(o, "Mul", z, scalar(o, L->name, a->hyper[0], c, sizeof c), TMP(t1));
        op1(o, "Softplus", t1, TMP(t2), NULL, 0);
        op2(o, "Div", t2, c, TMP(t3));
        op2(o, "Greater", t1, scalar(o, L->name, a->hyper[1], c2, sizeof c2), TMP(t4));
        const char *in[3] = {t4, z, t3};
        node(o, "Where", y, in, 3, y, NULL, 0);
    } else if (strcmp(nm, "hard_sigmoid") == 0) {
        attr at[2] = {{"alpha", A_FLOAT, (float)(1.0 / 6.0), 0}, {"beta", A_FLOAT, 0.5f, 0}};
        op1(o, "HardSigmoid", z, y, at, 2);
    } else if (strcmp(nm, "softmax") == 0 || strcmp(nm, "log_softmax") == 0) {
        attr at = {"axis", A_INT, 0, 1};
        op1(o, nm[0] == 's' ? "Softmax" : "LogSoftmax", z, y, &at, 1);
    } else {
        return tn__err(err, TN_EINVAL, "layer \"%s\": activation \"%s\" has no ONNX form",
                       L->name, nm);
    }
    return TN_OK;
}

static int layer(onnx *o, int l, tn_error *err)
{
    const tn_net *net = o->net;
    const tn_layer *L = &net->layers[l];
    const float *P = net->P + L->param_off;
    const char *type = L->ops->type, *x = o->tensor[L->in[0]];
    char *y = o->tensor[L->node], z[TN_MAX_NAME + 16], w[TN_MAX_NAME + 32], b[TN_MAX_NAME + 32],
        t[TN_MAX_NAME + 32];
    if (L->ops->flags & TN_LAYER_PASS_THROUGH) { /* dropout: its input's tensor */
        memmove(y, x, strlen(x) + 1);
        return TN_OK;
    }
    snprintf(y, sizeof o->tensor[0], "%s", L->name);
    int act = L->act && strcmp(L->act->m->name, "identity") != 0;
    snprintf(z, sizeof z, act ? "%s_z" : "%s", L->name);
    if (strcmp(type, "dense") == 0 || strcmp(type, "maxout") == 0) {
        int64_t dims[2] = {(int64_t)L->tensors[0].rows, (int64_t)L->tensors[0].cols};
        snprintf(w, sizeof w, "%s_W", L->name);
        init_floats(o, w, P, L->tensors[0].rows * L->tensors[0].cols, dims, 2);
        const char *in[3] = {x, w, b};
        int n = 2;
        if (L->n_tensors > 1 && strcmp(L->tensors[1].name, "b") == 0) {
            snprintf(b, sizeof b, "%s_b", L->name);
            init_floats(o, b, P + L->tensors[1].offset, L->tensors[1].cols, &dims[1], 1);
            n = 3;
        }
        if (type[0] == 'd') {
            node(o, "Gemm", z, in, n, z, NULL, 0);
        } else {
            int64_t shape[3] = {-1, (int64_t)L->width, dims[1] / (int64_t)L->width};
            char s[TN_MAX_NAME + 32], r[TN_MAX_NAME + 32];
            snprintf(t, sizeof t, "%s_pieces", L->name);
            node(o, "Gemm", t, in, n, t, NULL, 0);
            snprintf(s, sizeof s, "%s_shape", L->name);
            init_int64s(o, s, shape, 3);
            snprintf(r, sizeof r, "%s_grouped", L->name);
            op2(o, "Reshape", t, s, r);
            attr at[2] = {{"axes", A_INTS, 0, 2}, {"keepdims", A_INT, 0, 0}};
            op1(o, "ReduceMax", r, z, at, 2);
        }
    } else if (strcmp(type, "embedding") == 0) {
        int64_t dims[2] = {(int64_t)L->tensors[0].rows, (int64_t)L->tensors[0].cols};
        snprintf(w, sizeof w, "%s_E", L->name);
        init_floats(o, w, P, L->tensors[0].rows * L->tensors[0].cols, dims, 2);
        snprintf(t, sizeof t, "%s_rows", L->name);
        const char *in[2] = {w, x};
        attr axis = {"axis", A_INT, 0, 0};
        node(o, "Gather", t, in, 2, t, &axis, 1);
        attr flat = {"axis", A_INT, 0, 1};
        op1(o, "Flatten", t, z, &flat, 1);
    } else if (strcmp(type, "concat") == 0) {
        const char *in[TN_MAX_NODES];
        for (int j = 0; j < L->n_in; j++)
            in[j] = o->tensor[L->in[j]];
        attr axis = {"axis", A_INT, 0, 1};
        node(o, "Concat", z, in, L->n_in, z, &axis, 1);
    } else if (strcmp(type, "layer_norm") == 0) {
        int64_t dim = (int64_t)L->width;
        snprintf(w, sizeof w, "%s_gain", L->name);
        snprintf(b, sizeof b, "%s_bias", L->name);
        init_floats(o, w, P, L->width, &dim, 1);
        init_floats(o, b, P + L->width, L->width, &dim, 1);
        const char *in[3] = {x, w, b};
        attr at[2] = {{"axis", A_INT, 0, -1}, {"epsilon", A_FLOAT, (float)tn__layer_norm_eps(L), 0}};
        node(o, "LayerNormalization", z, in, 3, z, at, 2);
    } else {
        return tn__err(err, TN_EINVAL, "layer \"%s\": type \"%s\" has no ONNX form", L->name,
                       type);
    }
    return act ? activation(o, L, z, y, err) : TN_OK;
}

/* ValueInfoProto: name, a tensor type of elem with shape [N, width]. */
static void value_info(tn_sb *g, int field, const char *name, int elem, size_t width)
{
    tn_sb vi = {0}, tp = {0}, tt = {0}, sh = {0}, d0 = {0}, d1 = {0};
    pb_str(&d0, 2, "N");
    pb_int(&d1, 1, (int64_t)width);
    pb_msg(&sh, 1, &d0);
    pb_msg(&sh, 1, &d1);
    pb_int(&tt, 1, elem);
    pb_msg(&tt, 2, &sh);
    pb_msg(&tp, 1, &tt);
    pb_str(&vi, 1, name);
    pb_msg(&vi, 2, &tp);
    pb_msg(g, field, &vi);
}

int tn_export_onnx(const tn_model *m, unsigned char **bytes, size_t *len, tn_error *err)
{
    if (bytes)
        *bytes = NULL;
    if (len)
        *len = 0;
    if (!m || !bytes || !len)
        return tn__err(err, TN_EINVAL, "tn_export_onnx: NULL argument");
    onnx o = {.net = m->net};
    const tn_net *net = m->net;
    tn_sb g = {0}, model = {0}, op = {0};
    for (int i = 0; i < net->n_inputs; i++)
        snprintf(o.tensor[i], sizeof o.tensor[i], "%s", net->nodes[i].name);
    const tn_scaling *sc = &m->scaling;
    if (sc->kind != TN_SCALING_NONE) {
        char mean[TN_MAX_NAME + 32], std[TN_MAX_NAME + 32], t[TN_MAX_NAME + 32],
            *x = o.tensor[sc->input];
        int64_t dim = (int64_t)sc->n;
        snprintf(mean, sizeof mean, "%s_mean", x);
        snprintf(std, sizeof std, "%s_std", x);
        init_floats(&o, mean, sc->mean, sc->n, &dim, 1);
        init_floats(&o, std, sc->std, sc->n, &dim, 1);
        snprintf(t, sizeof t, "%s_centred", x);
        op2(&o, "Sub", x, mean, t);
        snprintf(x, sizeof o.tensor[0], "%.*s_scaled", TN_MAX_NAME, net->nodes[sc->input].name);
        op2(&o, "Div", t, std, x);
    }
    int rc = TN_OK;
    for (int l = 0; rc == TN_OK && l < net->n_layers; l++)
        rc = layer(&o, l, err);
    const char *out_name = net->nodes[net->output].name;
    if (rc == TN_OK && strcmp(o.tensor[net->output], out_name) != 0)
        op1(&o, "Identity", o.tensor[net->output], out_name, NULL, 0);
    if (rc == TN_OK) {
        tn__sb_put(&g, o.nodes.s ? o.nodes.s : "", o.nodes.len);
        pb_str(&g, 2, net->name);
        tn__sb_put(&g, o.inits.s ? o.inits.s : "", o.inits.len);
        g.failed |= o.nodes.failed | o.inits.failed;
        for (int i = 0; i < net->n_inputs; i++)
            value_info(&g, 11, net->nodes[i].name,
                       net->nodes[i].kind == TN_NODE_INDEX_INPUT ? T_INT64 : T_FLOAT,
                       net->nodes[i].width);
        value_info(&g, 12, out_name, T_FLOAT, net->nodes[net->output].width);
        pb_int(&model, 1, ONNX_IR_VERSION);
        pb_str(&model, 2, "tinynet");
        pb_str(&model, 3, tn_version());
        pb_msg(&model, 7, &g);
        pb_int(&op, 2, ONNX_OPSET);
        pb_msg(&model, 8, &op);
        char *s;
        if (tn__sb_done(&model, &s, len))
            rc = tn__err(err, TN_ENOMEM, "out of memory");
        else
            *bytes = (unsigned char *)s;
    }
    tn__sb_free(&o.nodes);
    tn__sb_free(&o.inits);
    tn__sb_free(&g);
    tn__sb_free(&model);
    return rc;
}
