/* Smooth self-gated and soft-rectifier activations: gelu (erf), gelu_tanh, silu, swish,
 * mish, softplus, and the piecewise hard_swish. Formulas as torch.nn; each is rewritten
 * so that no exponential of a large positive number is taken and no 1 - s cancels. */
#include "act/act.h"
#include "act/vmath.h"

#include <math.h>

#define INV_SQRT_2PI 0.39894228040143267793994605993438 /* 1/sqrt(2 pi) */

/* ---- gelu: y = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) ---------------------------------
 * Forward: act/vmath.h's tn__k_gelu (erfc from a Chebyshev fit). Backward still calls libm's
 * erfc in double: gelu' = Phi(x) + x phi(x) cancels near x = -0.75, where float-level
 * errors in Phi would be amplified ~600x past the tests' 1e-6. */
static inline double gelu_f(float p, double x)
{
    (void)p;
    return tn__k_gelu(x);
}
static inline double gelu_df(float p, double x)
{
    (void)p;
    return 0.5 * erfc(-x * TN__SQRT1_2) + x * INV_SQRT_2PI * tn__vexp(-0.5 * x * x);
}
TN__ACT_VEC(gelu, float, TN__ACT_NO_PARAM, double, gelu_f, double, gelu_df)

const tn_activation tn__act_gelu = {
    .name = "gelu",
    .formula = "y = 0.5 * x * (1 + erf(x / sqrt(2)))",
    .range = "[-0.17, inf)",
    .default_init = "he_uniform",
    .forward = gelu_forward,
    .backward = TN__TRAINING(gelu_backward),
};

/* ---- gelu_tanh: y = 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3) ---------------
 * 0.5 (1 + tanh(u)) = sigmoid(2u), which is stable on both sides. u in double (its float
 * rounding would be amplified by |2u| in the tail), the exponential in float. */
static inline double gelu_tanh_f(float p, double x)
{
    (void)p;
    return tn__k_gelu_tanh(x);
}
static inline double gelu_tanh_df(float p, double x)
{
    (void)p;
    double u = tn__gelu_tanh_u(x), du = TN__SQRT_2_OVER_PI * (1.0 + 3.0 * TN__GELU_TANH_C * x * x), g;
    double s = tn__vsigmoid(2.0 * u, &g);
    return s + x * g * 2.0 * du;
}
TN__ACT_VEC(gelu_tanh, float, TN__ACT_NO_PARAM, double, gelu_tanh_f, double, gelu_tanh_df)

const tn_activation tn__act_gelu_tanh = {
    .name = "gelu_tanh",
    .formula = "y = 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))",
    .range = "[-0.17, inf)",
    .default_init = "he_uniform",
    .forward = gelu_tanh_forward,
    .backward = TN__TRAINING(gelu_tanh_backward),
};

/* ---- silu: y = x * sigmoid(x) --------------------------------------------------------
 * Forward: the exponential in float, the rest in double (act/vmath.h tn__k_silu); backward
 * s + x s(1 - s) in double: it is 0 near x = -1.28. */
static inline double silu_f(float p, double x) { (void)p; return tn__k_silu(x); }
static inline double silu_df(float p, double x)
{
    (void)p;
    double g, s = tn__vsigmoid(x, &g);
    return s + x * g;
}
TN__ACT_VEC(silu, float, TN__ACT_NO_PARAM, double, silu_f, double, silu_df)

const tn_activation tn__act_silu = {
    .name = "silu",
    .formula = "y = x * sigmoid(x) = x / (1 + exp(-x))",
    .range = "[-0.28, inf)",
    .default_init = "he_uniform",
    .forward = silu_forward,
    .backward = TN__TRAINING(silu_backward),
};

/* ---- swish: y = x * sigmoid(beta x); beta = 1 is silu ---------------------------------
 * beta x in double (exact: a product of two floats), as silu otherwise. */
enum { SWISH_BETA };
#define SWISH_BETA_DEF 1.0f

static double swish_beta(const tn_act_ctx *c) { return tn__act_hp(c, SWISH_BETA, SWISH_BETA_DEF); }
static inline double swish_f(double b, double x) { return tn__k_swish(b, x); }
static inline double swish_df(double b, double x)
{
    double g, s = tn__vsigmoid(b * x, &g);
    return s + b * x * g;
}
TN__ACT_VEC(swish, double, swish_beta, double, swish_f, double, swish_df)

const tn_activation tn__act_swish = {
    .name = "swish",
    .formula = "y = x * sigmoid(beta * x)",
    .range = "(-inf, inf); [-0.28/beta, inf) for beta > 0",
    .default_init = "he_uniform",
    .n_params = 1,
    .params = {{"beta", SWISH_BETA_DEF, 0.0f, 1000.0f, "the sharpness of the gate (1: silu)",
                TN_ACT_PARAM_NUMBER}},
    .forward = swish_forward,
    .backward = TN__TRAINING(swish_backward),
};

/* ---- mish: y = x * tanh(softplus(x)) -------------------------------------------------
 * With e = e^x, tanh(log(1 + e)) = e(e + 2) / (e(e + 2) + 2); for x > 0 the same in
 * n = e^-x: (1 + 2n) / (1 + 2n + 2n^2). Both sides from one e = e^-|x|, as selects. The
 * pair also gives 1 - t exactly, so 1 - t^2 = (1 - t)(1 + t) does not cancel. Forward:
 * the exponential to float accuracy, the rest in double; backward in double (mish' = 0
 * near x = -1.19). */
static inline double mish_f(float p, double x)
{
    (void)p;
    return tn__k_mish(x);
}
/* d/dx x tanh(sp(x)) = t + x (1 - t^2) sigmoid(x) */
static inline double mish_df(float p, double x)
{
    (void)p;
    int neg = x <= 0.0;
    double e = tn__vexp(neg ? x : -x);
    double num = neg ? e * (e + 2.0) : 1.0 + 2.0 * e;
    double d = num + (neg ? 2.0 : 2.0 * e * e);
    double t = num / d;
    double s2 = neg ? (2.0 / d) * ((2.0 * num + 2.0) / d) : (2.0 * e * e / d) * ((num + d) / d);
    double sg = (neg ? e : 1.0) / (1.0 + e); /* sigmoid(x) */
    return t + x * s2 * sg;
}
TN__ACT_VEC(mish, float, TN__ACT_NO_PARAM, double, mish_f, double, mish_df)

const tn_activation tn__act_mish = {
    .name = "mish",
    .formula = "y = x * tanh(log(1 + exp(x)))",
    .range = "[-0.31, inf)",
    .default_init = "he_uniform",
    .forward = mish_forward,
    .backward = TN__TRAINING(mish_backward),
};

/* ---- softplus: y = log(1 + e^(beta x)) / beta, and y = x where beta x > threshold ------
 * (torch.nn.Softplus, its linear branch included). beta x in double (exact), then
 * max(bx, 0) + log1p(e^-|bx|) with the exponential and log1p in float. */
enum { SOFTPLUS_BETA, SOFTPLUS_THRESHOLD };
#define SOFTPLUS_BETA_DEF 1.0f
#define SOFTPLUS_THRESHOLD_DEF 20.0f

typedef struct softplus_p {
    double beta, threshold;
} softplus_p;
static softplus_p softplus_prep(const tn_act_ctx *c)
{
    softplus_p p = {tn__act_hp(c, SOFTPLUS_BETA, SOFTPLUS_BETA_DEF),
                    tn__act_hp(c, SOFTPLUS_THRESHOLD, SOFTPLUS_THRESHOLD_DEF)};
    return p;
}
static inline double softplus_f(softplus_p p, double x)
{
    return tn__k_softplus(p.beta, p.threshold, x);
}
static inline double softplus_df(softplus_p p, double x)
{
    double bx = p.beta * x;
    return bx > p.threshold ? 1.0 : tn__vsigmoid_fd(bx);
}
TN__ACT_VEC(softplus, softplus_p, softplus_prep, double, softplus_f, double, softplus_df)

const tn_activation tn__act_softplus = {
    .name = "softplus",
    .formula = "y = beta * x > threshold ? x : log(1 + exp(beta * x)) / beta",
    .range = "(0, inf)",
    .n_params = 2,
    /* beta > 0: it divides. */
    .params = {{"beta", SOFTPLUS_BETA_DEF, 1e-3f, 1000.0f, "the sharpness of the bend",
                TN_ACT_PARAM_NUMBER},
               {"threshold", SOFTPLUS_THRESHOLD_DEF, 0.0f, 10000.0f,
                "above beta * x = threshold the output is x (as torch)", TN_ACT_PARAM_NUMBER}},
    .forward = softplus_forward,
    .backward = TN__TRAINING(softplus_backward),
};

/* ---- hard_swish (torch.nn.Hardswish): y = x * relu6(x + 3) / 6 --------------------------
 * Gradient as PyTorch: 0 for x < -3, x/3 + 1/2 for -3 <= x <= 3, 1 above. */
static inline double hard_swish_f(double p, double x)
{
    (void)p;
    double t = TN__FMAX_SEL(x + 3.0, 0.0); /* fmin(fmax(x + 3, 0), 6) */
    return x * TN__FMIN_SEL(t, 6.0) / 6.0;
}
static inline double hard_swish_df(double p, double x)
{
    (void)p;
    double mid = x <= 3.0 ? x / 3.0 + 0.5 : 1.0;
    return x < -3.0 ? 0.0 : mid;
}
TN__ACT_PIECEWISE(hard_swish, double, TN__ACT_NO_PARAM, hard_swish_f, hard_swish_df)

const tn_activation tn__act_hard_swish = {
    .name = "hard_swish",
    .formula = "y = x * min(max(x + 3, 0), 6) / 6",
    .range = "[-0.375, inf)",
    .default_init = "he_uniform",
    .forward = hard_swish_forward,
    .backward = TN__TRAINING(hard_swish_backward),
};
