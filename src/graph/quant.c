#include "graph/quant.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <string.h>

/* ---- the arithmetic (the exported int8 C code writes the same) ---------------------------- */

int8_t tn__q8_quantize(float t, tn_qparam p)
{
    float v = t / p.scale;
    if (!(v > -1000.0f)) /* NaN too */
        v = -1000.0f;
    if (v > 1000.0f)
        v = 1000.0f;
    int32_t q = (int32_t)(v < 0.0f ? v - 0.5f : v + 0.5f) + p.zero;
    return (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
}

int32_t tn__q8_requant(int32_t acc, int32_t mult, int32_t shift)
{
    int64_t x = (int64_t)acc * ((int64_t)1 << (shift > 0 ? shift : 0));
    if (x > INT32_MAX)
        x = INT32_MAX;
    if (x < INT32_MIN)
        x = INT32_MIN;
    /* arm_nn_doubling_high_mult_no_sat: (x * mult + 2^30) >> 31 */
    int32_t hi = (int32_t)((x * mult + ((int64_t)1 << 30)) >> 31);
    int right = shift > 0 ? 0 : -shift;
    if (right == 0)
        return hi;
    /* arm_nn_divide_by_power_of_two: rounding half away from zero */
    int32_t mask = (int32_t)(((int64_t)1 << right) - 1);
    int32_t rem = hi & mask, threshold = (mask >> 1) + (hi < 0);
    return (hi >> right) + (rem > threshold);
}

void tn__q8_multiplier(double m, int32_t *mult, int32_t *shift)
{
    int e = 0;
    double f = m > 0.0 ? frexp(m, &e) : 0.0; /* m = f 2^e, f in [0.5, 1) */
    long long q = llround(f * 2147483648.0);
    if (q == 2147483648LL) {
        q /= 2;
        e++;
    }
    if (q == 0 || e < -31) {
        *mult = *shift = 0;
        return;
    }
    if (e > 30) { /* beyond any sane scale ratio: saturate */
        q = INT32_MAX;
        e = 30;
    }
    *mult = (int32_t)q;
    *shift = e;
}

/* ---- building ------------------------------------------------------------------------------ */

int tn__q8_clamp_act(const tn_act_inst *a)
{
    const char *n = a->m->name;
    return strcmp(n, "identity") == 0 || strcmp(n, "relu") == 0 || strcmp(n, "relu6") == 0;
}

static int check(const tn_net *net, tn_error *err)
{
    const tn_layer *out = tn__net_output_layer(net);
    if (strcmp(out->ops->type, "dense") != 0)
        return tn__err(err, TN_EINVAL, "int8: the last layer must be dense, \"%s\" is %s",
                       out->name, out->ops->type);
    for (int l = 0; l < net->n_layers; l++) {
        const tn_layer *L = &net->layers[l];
        const char *t = L->ops->type;
        if (strcmp(t, "dense") && strcmp(t, "embedding") && strcmp(t, "concat") &&
            !(L->ops->flags & TN_LAYER_PASS_THROUGH))
            return tn__err(err, TN_EINVAL, "int8: layer \"%s\": type %s has no int8 form "
                           "(dense, embedding, concat and dropout have)", L->name, t);
        if (strcmp(t, "dense") == 0 && net->nodes[L->in[0]].width > TN_Q_MAX_IN)
            return tn__err(err, TN_EINVAL, "int8: layer \"%s\" reads %zu features, more than "
                           "%d (its int32 sums could overflow)", L->name,
                           net->nodes[L->in[0]].width, TN_Q_MAX_IN);
        if (L->act && L != out && (L->act->m->flags & TN_ACT_ROWWISE))
            return tn__err(err, TN_EINVAL, "int8: layer \"%s\": the row-wise activation %s "
                           "is supported on the output layer only", L->name, L->act->m->name);
        if (L->act && !tn__act_builtin(L->act->m))
            return tn__err(err, TN_EINVAL, "int8: layer \"%s\": activation %s is not a "
                           "built-in one", L->name, L->act->m->name);
    }
    return TN_OK;
}

int tn__qnet_new(const tn_net *net, tn_qnet **out, tn_error *err)
{
    *out = NULL;
    int rc = check(net, err);
    if (rc)
        return rc;
    tn_qnet *q = tn__calloc(1, sizeof *q);
    if (!q || !(q->layers = tn__calloc((size_t)net->n_layers, sizeof *q->layers)) ||
        !(q->plan.buf = tn__calloc((size_t)net->n_nodes, sizeof *q->plan.buf))) {
        tn__qnet_free(q);
        return tn__err(err, TN_ENOMEM, "out of memory");
    }
    q->net = net;
    for (int i = 0; i < TN_MAX_NODES; i++) {
        q->lo[i] = q->zlo[i] = INFINITY;
        q->hi[i] = q->zhi[i] = -INFINITY;
        q->buf[i] = -1;
    }
    /* The plan: quantized float inputs, then each layer's int8 output but the last's. */
    tn_plan *p = &q->plan;
    p->cap = net->n_nodes;
    for (int i = 0; i < net->n_inputs; i++)
        if (net->nodes[i].kind == TN_NODE_FLOAT_INPUT)
            q->buf[i] = tn__plan_add(p, net->nodes[i].width, 0, TN_BUF_QNODE, i);
    for (int l = 0; l < net->n_layers; l++) {
        const tn_layer *L = &net->layers[l];
        tn_qlayer *ql = &q->layers[l];
        for (int j = 0; j < L->n_in; j++)
            tn__plan_use(p, q->buf[L->in[j]], l);
        if (L->ops->flags & TN_LAYER_PASS_THROUGH) {
            ql->kind = TN_QL_PASS;
            q->buf[L->node] = q->buf[L->in[0]];
            continue;
        }
        ql->kind = strcmp(L->ops->type, "dense") == 0       ? TN_QL_DENSE
                   : strcmp(L->ops->type, "embedding") == 0 ? TN_QL_EMBED
                                                            : TN_QL_CONCAT;
        if (l + 1 < net->n_layers)
            q->buf[L->node] = tn__plan_add(p, L->width, l, TN_BUF_QNODE, L->node);
        else
            ql->out_float = 1;
    }
    if ((rc = tn__plan_pack(p))) {
        tn__qnet_free(q);
        return tn__err(err, rc, "out of memory");
    }
    *out = q;
    return TN_OK;
}

static void widen(float *lo, float *hi, const float *x, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (x[k] < *lo)
            *lo = x[k];
        if (x[k] > *hi)
            *hi = x[k];
    }
}

void tn__qnet_observe(tn_qnet *q, const tn_run *run, size_t B)
{
    const tn_net *net = q->net;
    for (int i = 0; i < net->n_nodes; i++)
        if (net->nodes[i].kind != TN_NODE_INDEX_INPUT)
            widen(&q->lo[i], &q->hi[i], run->out[i], B * net->nodes[i].width);
    for (int l = 0; l < net->n_layers; l++)
        if (run->pre[l])
            widen(&q->zlo[l], &q->zhi[l], run->pre[l], B * net->layers[l].width);
    q->observed += B;
}

/* Asymmetric int8 over [lo, hi], 0 included (so that 0, padding and relu's floor, is exact). */
static tn_qparam from_range(float lo, float hi)
{
    double a = lo < 0.0f ? lo : 0.0, b = hi > 0.0f ? hi : 0.0;
    tn_qparam p = {1.0f, -128};
    if (!(b > a) || !isfinite(a) || !isfinite(b))
        return p;
    p.scale = (float)((b - a) / 255.0);
    double z = -128.0 - a / (double)p.scale;
    p.zero = (int32_t)llround(z < -128.0 ? -128.0 : z > 127.0 ? 127.0 : z);
    return p;
}

static int same(tn_qparam a, tn_qparam b) { return a.scale == b.scale && a.zero == b.zero; }

/* A node whose only reader is a concat, made by a layer free to pick its output scale. */
static int free_for_concat(const tn_net *net, int node)
{
    const tn_node *nd = &net->nodes[node];
    if (nd->consumers != 1)
        return 0;
    if (nd->kind == TN_NODE_FLOAT_INPUT)
        return 1;
    if (nd->kind != TN_NODE_LAYER)
        return 0;
    const char *t = net->layers[nd->layer].ops->type;
    return strcmp(t, "dense") == 0 || strcmp(t, "embedding") == 0;
}

static int dense_constants(tn_qnet *q, int l)
{
    const tn_net *net = q->net;
    const tn_layer *L = &net->layers[l];
    tn_qlayer *ql = &q->layers[l];
    size_t in = net->nodes[L->in[0]].width, U = L->width;
    const float *W = net->P + L->param_off; /* (in, U) */
    const float *b = L->n_tensors > 1 && strcmp(L->tensors[1].name, "b") == 0
                     ? W + L->tensors[1].offset : NULL;
    tn_qparam pin = q->node[L->in[0]];
    int table = !ql->out_float && !tn__q8_clamp_act(L->act);
    ql->target = ql->out_float || table ? from_range(q->zlo[l], q->zhi[l]) : q->node[L->node];
    ql->w = tn__malloc(in * U);
    ql->bias = tn__calloc(U, sizeof *ql->bias);
    ql->mult = tn__calloc(U, sizeof *ql->mult);
    ql->shift = tn__calloc(U, sizeof *ql->shift);
    if (!ql->w || !ql->bias || !ql->mult || !ql->shift)
        return TN_ENOMEM;
    for (size_t j = 0; j < U; j++) {
        float m = 0.0f;
        for (size_t i = 0; i < in; i++)
            m = fabsf(W[i * U + j]) > m ? fabsf(W[i * U + j]) : m;
        double sw = m > 0.0f ? (double)m / 127.0 : 1.0;
        for (size_t i = 0; i < in; i++)
            ql->w[j * in + i] = (int8_t)lrint((double)W[i * U + j] / sw);
        double sb = (double)pin.scale * sw;
        if (b) {
            double v = llround((double)b[j] / sb);
            ql->bias[j] = (int32_t)(v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : v);
        }
        tn__q8_multiplier(sb / (double)ql->target.scale, &ql->mult[j], &ql->shift[j]);
    }
    if (!table)
        return TN_OK;
    /* The activation on the 256 values of z, quantized to the output's parameters. */
    const tn_act_inst *a = L->act;
    ql->n_lut = a->n_learn > 1 ? U : 1;
    ql->lut = tn__malloc(ql->n_lut * 256);
    if (!ql->lut)
        return TN_ENOMEM;
    float z[256], y[256];
    for (int k = 0; k < 256; k++)
        z[k] = ql->target.scale * (float)(k - 128 - ql->target.zero);
    tn_act_inst one = *a;
    one.n_learn = a->n_learn ? 1 : 0;
    for (size_t t = 0; t < ql->n_lut; t++) {
        const float *learn = net->P + tn__layer_act_offset(L) + t;
        tn__act_inst_forward(&one, learn, 0, NULL, z, y, 256, 1);
        for (int k = 0; k < 256; k++)
            ql->lut[t * 256 + (size_t)k] = tn__q8_quantize(y[k], q->node[L->node]);
    }
    return TN_OK;
}

int tn__qnet_finish(tn_qnet *q, tn_error *err)
{
    const tn_net *net = q->net;
    if (!q->observed)
        return tn__err(err, TN_EINVAL, "int8: no calibration rows");
    /* The embeddings' range is their table's. */
    for (int l = 0; l < net->n_layers; l++) {
        const tn_layer *L = &net->layers[l];
        if (q->layers[l].kind == TN_QL_EMBED) {
            q->lo[L->node] = INFINITY;
            q->hi[L->node] = -INFINITY;
            widen(&q->lo[L->node], &q->hi[L->node], net->P + L->param_off, L->n_params);
        }
    }
    for (int i = 0; i < net->n_nodes; i++)
        q->node[i] = from_range(q->lo[i], q->hi[i]);
    for (int l = 0; l < net->n_layers; l++) {
        const tn_layer *L = &net->layers[l];
        if (q->layers[l].kind == TN_QL_PASS)
            q->node[L->node] = q->node[L->in[0]];
        if (q->layers[l].kind != TN_QL_CONCAT)
            continue;
        float lo = INFINITY, hi = -INFINITY;
        for (int j = 0; j < L->n_in; j++) {
            lo = fminf(lo, q->lo[L->in[j]]);
            hi = fmaxf(hi, q->hi[L->in[j]]);
        }
        q->node[L->node] = from_range(lo, hi);
        for (int j = 0; j < L->n_in; j++)
            if (free_for_concat(net, L->in[j]))
                q->node[L->in[j]] = q->node[L->node];
    }
    for (int l = 0; l < net->n_layers; l++) {
        const tn_layer *L = &net->layers[l];
        tn_qlayer *ql = &q->layers[l];
        int rc = TN_OK;
        if (ql->kind == TN_QL_DENSE) {
            rc = dense_constants(q, l);
        } else if (ql->kind == TN_QL_EMBED) {
            if (!(ql->w = tn__malloc(L->n_params)))
                rc = TN_ENOMEM;
            for (size_t k = 0; rc == TN_OK && k < L->n_params; k++)
                ql->w[k] = tn__q8_quantize(net->P[L->param_off + k], q->node[L->node]);
        } else if (ql->kind == TN_QL_CONCAT) {
            if (!(ql->mult = tn__calloc((size_t)L->n_in, sizeof *ql->mult)) ||
                !(ql->shift = tn__calloc((size_t)L->n_in, sizeof *ql->shift)))
                rc = TN_ENOMEM;
            for (int j = 0; rc == TN_OK && j < L->n_in; j++)
                if (!same(q->node[L->in[j]], q->node[L->node]))
                    tn__q8_multiplier((double)q->node[L->in[j]].scale /
                                      (double)q->node[L->node].scale, &ql->mult[j],
                                      &ql->shift[j]);
        }
        if (rc)
            return tn__err(err, rc, "out of memory");
    }
    return TN_OK;
}

void tn__qnet_free(tn_qnet *q)
{
    if (!q)
        return;
    for (int l = 0; q->layers && l < q->net->n_layers; l++) {
        tn_qlayer *ql = &q->layers[l];
        tn__free(ql->w);
        tn__free(ql->bias);
        tn__free(ql->mult);
        tn__free(ql->shift);
        tn__free(ql->lut);
    }
    tn__free(q->layers);
    tn__plan_free(&q->plan);
    tn__free(q);
}

/* ---- running ----------------------------------------------------------------------------- */

static int8_t sat8(int32_t v) { return (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v); }

static int8_t *qbuf(const tn_qnet *q, int node, char *arena, size_t B)
{
    return (int8_t *)(arena + B * q->plan.buf[q->buf[node]].offset);
}

static void dense_rows(const tn_qnet *q, int l, size_t B, char *arena, float *out)
{
    const tn_net *net = q->net;
    const tn_layer *L = &net->layers[l];
    const tn_qlayer *ql = &q->layers[l];
    size_t in = net->nodes[L->in[0]].width, U = L->width;
    const int8_t *x = qbuf(q, L->in[0], arena, B);
    int8_t *y = ql->out_float ? NULL : qbuf(q, L->node, arena, B);
    int32_t xz = q->node[L->in[0]].zero;
    for (size_t r = 0; r < B; r++)
        for (size_t j = 0; j < U; j++) {
            const int8_t *xr = x + r * in, *wj = ql->w + j * in;
            int32_t acc = ql->bias[j];
            for (size_t i = 0; i < in; i++)
                acc += ((int32_t)xr[i] - xz) * (int32_t)wj[i];
            int32_t v = sat8(ql->target.zero + tn__q8_requant(acc, ql->mult[j], ql->shift[j]));
            if (ql->out_float)
                out[r * U + j] = ql->target.scale * (float)(v - ql->target.zero);
            else if (ql->lut)
                y[r * U + j] = ql->lut[(ql->n_lut > 1 ? j * 256 : 0) + (size_t)(v + 128)];
            else
                y[r * U + j] = (int8_t)v;
        }
    if (ql->out_float) /* the output's activation, in float as the float model has it */
        tn__act_inst_forward(L->act, net->P + tn__layer_act_offset(L), 0, NULL, out, out, B, U);
}

void tn__qnet_forward(const tn_qnet *q, const float *const *in, size_t B, int prescaled,
                      char *arena, float *out)
{
    const tn_net *net = q->net;
    for (int i = 0; i < net->n_inputs; i++) {
        if (net->nodes[i].kind != TN_NODE_FLOAT_INPUT)
            continue;
        size_t w = net->nodes[i].width;
        int8_t *x = qbuf(q, i, arena, B);
        int scaled = !prescaled && q->mean && q->scaled_input == i;
        for (size_t k = 0; k < B * w; k++) {
            float t = in[i][k];
            if (scaled) { /* model/scaling.c's transform, then the quantization */
                size_t s = q->scale_n == 1 ? 0 : k % w;
                t = (t - q->mean[s]) / q->std[s];
            }
            x[k] = tn__q8_quantize(t, q->node[i]);
        }
    }
    for (int l = 0; l < net->n_layers; l++) {
        const tn_layer *L = &net->layers[l];
        const tn_qlayer *ql = &q->layers[l];
        if (ql->kind == TN_QL_DENSE) {
            dense_rows(q, l, B, arena, out);
        } else if (ql->kind == TN_QL_EMBED) {
            size_t D = L->width;
            int8_t *y = qbuf(q, L->node, arena, B);
            for (size_t r = 0; r < B; r++)
                memcpy(y + r * D, ql->w + (size_t)in[L->in[0]][r] * D, D);
        } else if (ql->kind == TN_QL_CONCAT) {
            size_t W = L->width, off = 0;
            int8_t *y = qbuf(q, L->node, arena, B);
            int32_t zo = q->node[L->node].zero;
            for (int j = 0; j < L->n_in; j++) {
                size_t w = net->nodes[L->in[j]].width;
                const int8_t *x = qbuf(q, L->in[j], arena, B);
                int32_t zi = q->node[L->in[j]].zero;
                for (size_t r = 0; r < B; r++)
                    for (size_t k = 0; k < w; k++) {
                        int32_t v = x[r * w + k];
                        y[r * W + off + k] = ql->mult[j] || ql->shift[j]
                            ? sat8(zo + tn__q8_requant(v - zi, ql->mult[j], ql->shift[j]))
                            : (int8_t)v;
                    }
                off += w;
            }
        }
    }
}
