/* Internal to the activation modules: the built-in module objects (one per family file,
 * listed in registry.c) and the few numeric helpers they share.
 *
 * In a predict-only build (core/registry.h) the generated backward functions are left
 * out; the module tables name them through TN__TRAINING.
 *
 * Precision and speed. Every module is a loop GCC vectorizes (TN__ACT_VEC: branch-free
 * selects over restrict pointers, no libm call; the library is built with
 * -fvect-cost-model=dynamic and these files with -fno-trapping-math, see CMakeLists.txt).
 *  - The piecewise-linear ones (TN__ACT_PIECEWISE) compute in float where the double
 *    computation was a select or one product of two floats -- exact in double, so its
 *    single rounding on store equals float's (identity, binary_step, relu, relu6,
 *    leaky_relu; prelu) -- and in double where double rounded more than once (x + 3 then
 *    / 6: hard_sigmoid, hard_swish; softsign; rrelu's double mean slope): bit-identical
 *    to the scalar double code.
 *  - The smooth ones (sigmoid, bipolar_sigmoid, tanh, elu, selu, celu, gelu, gelu_tanh,
 *    silu, swish, mish, softplus) use act/vmath.h's float kernels: a few ulps from the
 *    double libm code they replaced (bounds per module measured and asserted by
 *    tests/test_act_ulp.c), within tests/test_act.c's 1e-6 relative. Where float
 *    rounding would be amplified -- an argument such as beta x or x^2/2 in an
 *    exponential's tail, a product with a result below float's normal range, a
 *    derivative that crosses 0 (silu, swish, mish, gelu_tanh) -- that part is in double.
 *    gelu's derivative still calls libm's erfc. Backward reads x (not y) wherever the
 *    derivative from a rounded y would lose accuracy (sigmoid, tanh near +-1);
 *    softmax/log_softmax read y, and their exponentials are tn__vexp in double. */
#ifndef TN_ACT_ACT_H
#define TN_ACT_ACT_H

#include "core/registry.h"
#include "core/simd.h"
#include "tinynet/activation.h"

#include <math.h>
#include <stddef.h>

/* basic.c */
extern const tn_activation tn__act_identity, tn__act_binary_step, tn__act_sigmoid,
    tn__act_bipolar_sigmoid, tn__act_tanh, tn__act_softsign, tn__act_hard_sigmoid;
/* relu_family.c */
extern const tn_activation tn__act_relu, tn__act_relu6, tn__act_leaky_relu, tn__act_prelu,
    tn__act_rrelu, tn__act_elu, tn__act_selu, tn__act_celu;
/* smooth.c */
extern const tn_activation tn__act_gelu, tn__act_gelu_tanh, tn__act_silu, tn__act_swish,
    tn__act_mish, tn__act_softplus, tn__act_hard_swish;
/* softmax.c */
extern const tn_activation tn__act_softmax, tn__act_log_softmax;

/* Hyper-parameter i, or its default when the caller passed no hyper array. */
static inline double tn__act_hp(const tn_act_ctx *c, int i, float def)
{
    return (c && c->hyper) ? (double)c->hyper[i] : (double)def;
}

/* 1/(1+e^-x) in double through libm, never exponentiating a positive number (the
 * binary cross-entropy loss; the activations use act/vmath.h). */
static inline double tn__sigmoid_d(double x)
{
    if (x >= 0.0)
        return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

/* The element loops below are built for SSE2 and AVX2 (core/simd.h): the same bits. */

/* Vectorized modules: f(p, x) computed in type TF, df(p, x) in type TB (float or double,
 * see the top of this file), p = prep(c) of type P the module's hyper-parameters read once
 * per call (0 when it has none). f and df must be selects (a ? b : c), not branches with
 * side effects, and call no libm function (act/vmath.h has the exponentials), so the loops
 * if-convert and vectorize. The loops take restrict pointers; dx == dy (and y == x in
 * forward) goes through an in-place loop over one pointer, same arithmetic. The _fwd/_bwd
 * functions work on any range of elements, so a caller may split a block. */
#define TN__ACT_VEC(nm, P, prep, TF, f, TB, df)                                            \
    TN__CLONES static void nm##_fwd(P p, const float *restrict x, float *restrict y,       \
                                    size_t n)                                              \
    {                                                                                      \
        for (size_t i = 0; i < n; i++)                                                     \
            y[i] = (float)f(p, (TF)x[i]);                                                  \
    }                                                                                      \
    TN__CLONES static void nm##_fwd_inplace(P p, float *restrict xy, size_t n)             \
    {                                                                                      \
        for (size_t i = 0; i < n; i++)                                                     \
            xy[i] = (float)f(p, (TF)xy[i]);                                                \
    }                                                                                      \
    static void nm##_forward(const tn_act_ctx *c, const float *x, float *y, size_t rows,   \
                             size_t cols)                                                  \
    {                                                                                      \
        (void)df; /* referenced: a predict-only build compiles no backward to use it */    \
        if (x == y)                                                                        \
            nm##_fwd_inplace(prep(c), y, rows * cols);                                     \
        else                                                                               \
            nm##_fwd(prep(c), x, y, rows * cols);                                          \
    }                                                                                      \
    TN__TRAINING_PART(                                                                     \
    TN__CLONES static void nm##_bwd(P p, const float *restrict x,                          \
                                    const float *restrict dy, float *restrict dx,          \
                                    size_t n)                                              \
    {                                                                                      \
        for (size_t i = 0; i < n; i++)                                                     \
            dx[i] = (float)(df(p, (TB)x[i]) * (TB)dy[i]);                                  \
    }                                                                                      \
    TN__CLONES static void nm##_bwd_inplace(P p, const float *restrict x,                  \
                                            float *restrict d, size_t n)                   \
    {                                                                                      \
        for (size_t i = 0; i < n; i++)                                                     \
            d[i] = (float)(df(p, (TB)x[i]) * (TB)d[i]);                                    \
    }                                                                                      \
    static void nm##_backward(const tn_act_ctx *c, const float *x, const float *y,         \
                              const float *dy, float *dx, float *dlearn, size_t rows,      \
                              size_t cols)                                                 \
    {                                                                                      \
        (void)y;                                                                           \
        (void)dlearn;                                                                      \
        if (dx == dy)                                                                      \
            nm##_bwd_inplace(prep(c), x, dx, rows * cols);                                 \
        else                                                                               \
            nm##_bwd(prep(c), x, dy, dx, rows * cols);                                     \
    })

/* Piecewise-linear modules: one compute type T for f, df and the parameter. */
#define TN__ACT_PIECEWISE(nm, T, prep, f, df) TN__ACT_VEC(nm, T, prep, T, f, T, df)

/* prep for modules without a hyper-parameter. */
#define TN__ACT_NO_PARAM(c) ((void)(c), 0)

/* fmax(a, 0) and fmin(a, 6) as selects, with the results the libm calls gave here: 0 when
 * a is NaN, and +0 for a = -0 (measured: relu6(-0) was +0). */
#define TN__FMAX_SEL(a, b) ((a) > (b) ? (a) : (b))
#define TN__FMIN_SEL(a, b) ((a) < (b) ? (a) : (b))

#endif
