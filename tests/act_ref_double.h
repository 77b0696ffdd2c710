/* The smooth activations as tinynet computed them before the float kernels: per element
 * in double through libm (forward f and derivative df, default parameters). The reference
 * of tests/test_act_ulp.c and the "before" of tools/bench/bench_act.c. */
#ifndef TN_TESTS_ACT_REF_DOUBLE_H
#define TN_TESTS_ACT_REF_DOUBLE_H

#include <math.h>

static inline double sig(double x)
{
    if (x >= 0.0)
        return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}
static inline double sig_grad(double x)
{
    double e = exp(-fabs(x));
    return e / ((1.0 + e) * (1.0 + e));
}
static inline double tanh_grad(double x)
{
    double e = exp(-2.0 * fabs(x));
    return 4.0 * e / ((1.0 + e) * (1.0 + e));
}
#define SELU_ALPHA 1.6732632423543772848170429916717
#define SELU_SCALE 1.0507009873554804934193349852946
#define SQRT1_2 0.70710678118654752440084436210485
#define INV_SQRT_2PI 0.39894228040143267793994605993438
#define SQRT_2_OVER_PI 0.79788456080286535587989211986876

static inline double r_sigmoid(double x) { return sig(x); }
static inline double r_sigmoid_d(double x) { return sig_grad(x); }
static inline double r_bipolar(double x) { return tanh(0.5 * x); }
static inline double r_bipolar_d(double x) { return 0.5 * tanh_grad(0.5 * x); }
static inline double r_tanh(double x) { return tanh(x); }
static inline double r_tanh_d(double x) { return tanh_grad(x); }
static inline double r_elu(double x) { return x > 0.0 ? x : expm1(x); }
static inline double r_elu_d(double x) { return x > 0.0 ? 1.0 : exp(x); }
static inline double r_selu(double x) { return SELU_SCALE * (x > 0.0 ? x : SELU_ALPHA * expm1(x)); }
static inline double r_selu_d(double x) { return SELU_SCALE * (x > 0.0 ? 1.0 : SELU_ALPHA * exp(x)); }
static inline double r_gelu(double x) { return 0.5 * x * erfc(-x * SQRT1_2); }
static inline double r_gelu_d(double x)
{
    return 0.5 * erfc(-x * SQRT1_2) + x * INV_SQRT_2PI * exp(-0.5 * x * x);
}
static inline double gt_u(double x) { return SQRT_2_OVER_PI * (x + 0.044715 * x * x * x); }
static inline double r_gelu_tanh(double x) { return x * sig(2.0 * gt_u(x)); }
static inline double r_gelu_tanh_d(double x)
{
    double u = gt_u(x), du = SQRT_2_OVER_PI * (1.0 + 3.0 * 0.044715 * x * x);
    return sig(2.0 * u) + x * sig_grad(2.0 * u) * 2.0 * du;
}
static inline double r_silu(double x) { return x * sig(x); }
static inline double r_silu_d(double x) { return sig(x) + x * sig_grad(x); }
static inline void mish_t(double x, double *t, double *s2)
{
    if (x <= 0.0) {
        double e = exp(x), p = e * (e + 2.0), d = p + 2.0;
        *t = p / d;
        *s2 = (2.0 / d) * ((2.0 * p + 2.0) / d);
    } else {
        double n = exp(-x), q = 1.0 + 2.0 * n, d = q + 2.0 * n * n;
        *t = q / d;
        *s2 = (2.0 * n * n / d) * ((q + d) / d);
    }
}
static inline double r_mish(double x)
{
    double t, s2;
    mish_t(x, &t, &s2);
    return x * t;
}
static inline double r_mish_d(double x)
{
    double t, s2;
    mish_t(x, &t, &s2);
    return t + x * s2 * sig(x);
}
static inline double r_softplus(double x)
{
    return x > 20.0 ? x : fmax(x, 0.0) + log1p(exp(-fabs(x)));
}
static inline double r_softplus_d(double x) { return x > 20.0 ? 1.0 : sig(x); }

#endif
