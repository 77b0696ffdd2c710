/* The int8 form of a network, for the runtime and the int8 C export.
 *
 * Scheme (TensorFlow Lite's and CMSIS-NN's): a tensor is int8 with a scale and a zero point,
 * real = scale * (q - zero). Weights are symmetric int8 with one scale per output unit
 * (per channel, zero point 0); biases int32 at scale s_in * s_w; a dense layer accumulates
 * (x - z_in) * w in int32 and requantizes with an integer multiplier and shift
 * (requant() below: CMSIS-NN's arm_nn_requantize, rounding included), so its loop needs no
 * FPU. Activation ranges are calibrated: min and max of every node (and of each layer's
 * pre-activation) over calibration rows run in float, 0 always included.
 *
 * Activations: identity, relu and relu6 are the requantization's clamp (a range starting at
 * 0 maps 0 to -128). Every other element-wise activation is a 256-entry table from the
 * pre-activation's int8 to the output's (one table per unit for per-unit prelu), made by
 * calling the module on the 256 values. The output layer requantizes to its pre-activation
 * range, is dequantized into the caller's float output and gets its activation there in
 * float (softmax, sigmoid, ...), as the float model does.
 *
 * Layers: dense, embedding (its table int8 at the output's scale), concat (a copy, or a
 * requantization for an input whose scale differs: inputs made only for the concat take its
 * scale so that it is a copy), dropout (nothing). Others, and a row-wise activation before
 * the output layer, have no int8 form yet: tn__qnet_new says so. The last layer is dense.
 *
 * Buffers: an int8 plan (graph/plan.h) of the float inputs' quantized rows and each layer's
 * int8 output; float inputs are scaled and quantized in one step from the caller's rows,
 * ids read from them, and the output written into the caller's floats. */
#ifndef TN_GRAPH_QUANT_H
#define TN_GRAPH_QUANT_H

#include "graph/graph.h"

#include <stdint.h>

#define TN_Q_MAX_IN 65536 /* inputs of a dense layer: 255 * 127 * 65536 < 2^31 */

typedef struct tn_qparam {
    float scale;
    int32_t zero;
} tn_qparam;

enum { TN_QL_DENSE, TN_QL_EMBED, TN_QL_CONCAT, TN_QL_PASS };

typedef struct tn_qlayer {
    int kind;
    int8_t *w;               /* dense: units x in, unit j's weights contiguous; embed: table */
    int32_t *bias;           /* dense: per unit, at scale s_in * s_w[j] */
    int32_t *mult, *shift;   /* dense: per unit; concat: per input (mult 0 and shift 0: copy) */
    int8_t *lut;             /* a table activation: n_lut x 256, indexed by q + 128 */
    size_t n_lut;
    tn_qparam target;        /* dense: what it requantizes to (its output, or its z) */
    int out_float;           /* the output layer: dequantize target, then the activation */
} tn_qlayer;

typedef struct tn_qnet {
    const tn_net *net;
    tn_qparam node[TN_MAX_NODES];     /* of each int8 node */
    float lo[TN_MAX_NODES], hi[TN_MAX_NODES];   /* calibrated ranges of the node outputs */
    float zlo[TN_MAX_NODES], zhi[TN_MAX_NODES]; /* and of each layer's pre-activation */
    size_t observed;                  /* calibration rows seen */
    tn_qlayer *layers;                /* [n_layers] */
    tn_plan plan;
    int buf[TN_MAX_NODES];            /* each node's int8 buffer (-1: an index input) */
    /* The input scaling, applied before quantizing (NULL: none): x' = (x - mean) / std. */
    int scaled_input;
    size_t scale_n;
    const float *mean, *std;
} tn_qnet;

/* A quantization of net to fill (its plan made, its ranges empty), or TN_EINVAL naming the
 * first layer or activation with no int8 form. */
int tn__qnet_new(const tn_net *net, tn_qnet **out, tn_error *err);
/* Widens the ranges with a float forward of B rows on run (a run of net made without
 * TN_RUN_PLANNED, so every node output and pre-activation is there). */
void tn__qnet_observe(tn_qnet *q, const tn_run *run, size_t B);
/* From the ranges: every scale and zero point, the int8 weights, multipliers and tables.
 * TN_EINVAL without calibration rows. */
int tn__qnet_finish(tn_qnet *q, tn_error *err);
void tn__qnet_free(tn_qnet *q);

/* Quantizes t (already scaled) with p: round half away from zero, saturated to int8. The
 * exported int8 C code has the same arithmetic. */
int8_t tn__q8_quantize(float t, tn_qparam p);
/* The CMSIS-NN requantization: acc * mult * 2^(shift - 31), rounded, for mult in [2^30,
 * 2^31) (or 0) and shift in [-31, 30]. */
int32_t tn__q8_requant(int32_t acc, int32_t mult, int32_t shift);
/* identity, relu and relu6: the requantization's clamp is the activation. */
int tn__q8_clamp_act(const tn_act_inst *a);
/* mult and shift with mult * 2^(shift - 31) = m (m >= 0). */
void tn__q8_multiplier(double m, int32_t *mult, int32_t *shift);

/* B rows through the int8 network: in[i] = input i's rows as the caller holds them (float
 * features unscaled unless prescaled; ids, checked before), arena = B x q->plan.arena
 * bytes, out = B x the output width floats. */
void tn__qnet_forward(const tn_qnet *q, const float *const *in, size_t B, int prescaled,
                      char *arena, float *out);

#endif
