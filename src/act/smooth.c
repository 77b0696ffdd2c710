/* Smooth self-gated and soft-rectifier activations: gelu (erf), gelu_tanh, silu, swish,
 * mish, softplus, and the piecewise hard_swish. Formulas as torch.nn; each is rewritten
 * so that no exponential of a large positive number is taken and no 1 - s cancels. */
#include "act/act.h"

#include <math.h>

#define SQRT1_2 0.70710678118654752440084436210485    /* 1/sqrt(2) */
#define INV_SQRT_2PI 0.39894228040143267793994605993438 /* 1/sqrt(2 pi) */
#define SQRT_2_OVER_PI 0.79788456080286535587989211986876 /* sqrt(2/pi) */
#define GELU_TANH_C 0.044715

/* ---- gelu: y = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) ---------------------------------
 * 1 + erf(z) is written erfc(-z): no cancellation for negative x. */
static double gelu_f(const tn_act_ctx *c, double x)
{
    (void)c;
    return 0.5 * x * erfc(-x * SQRT1_2);
}
static inline double gelu_df(const tn_act_ctx *c, double x)
{
    (void)c;
    return 0.5 * erfc(-x * SQRT1_2) + x * INV_SQRT_2PI * exp(-0.5 * x * x);
}
TN__ACT_ELEMENTWISE(gelu, gelu_f, gelu_df)

const tn_activation tn__act_gelu = {
    .name = "gelu",
    .formula = "y = 0.5 * x * (1 + erf(x / sqrt(2)))",
    .range = "[-0.17, inf)",
    .default_init = "he_uniform",
    .forward = gelu_forward,
    .backward = TN__TRAINING(gelu_backward),
};

/* ---- gelu_tanh: y = 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3) ---------------
 * 0.5 (1 + tanh(u)) = sigmoid(2u), which is stable on both sides. */
static double gelu_tanh_u(double x) { return SQRT_2_OVER_PI * (x + GELU_TANH_C * x * x * x); }

static double gelu_tanh_f(const tn_act_ctx *c, double x)
{
    (void)c;
    return x * tn__sigmoid_d(2.0 * gelu_tanh_u(x));
}
static inline double gelu_tanh_df(const tn_act_ctx *c, double x)
{
    (void)c;
    double u = gelu_tanh_u(x), du = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_C * x * x);
    return tn__sigmoid_d(2.0 * u) + x * tn__sigmoid_grad_d(2.0 * u) * 2.0 * du;
}
TN__ACT_ELEMENTWISE(gelu_tanh, gelu_tanh_f, gelu_tanh_df)

const tn_activation tn__act_gelu_tanh = {
    .name = "gelu_tanh",
    .formula = "y = 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))",
    .range = "[-0.17, inf)",
    .default_init = "he_uniform",
    .forward = gelu_tanh_forward,
    .backward = TN__TRAINING(gelu_tanh_backward),
};

/* ---- silu: y = x * sigmoid(x) -------------------------------------------------------- */
static double silu_f(const tn_act_ctx *c, double x) { (void)c; return x * tn__sigmoid_d(x); }
static inline double silu_df(const tn_act_ctx *c, double x)
{
    (void)c;
    return tn__sigmoid_d(x) + x * tn__sigmoid_grad_d(x);
}
TN__ACT_ELEMENTWISE(silu, silu_f, silu_df)

const tn_activation tn__act_silu = {
    .name = "silu",
    .formula = "y = x * sigmoid(x) = x / (1 + exp(-x))",
    .range = "[-0.28, inf)",
    .default_init = "he_uniform",
    .forward = silu_forward,
    .backward = TN__TRAINING(silu_backward),
};

/* ---- swish: y = x * sigmoid(beta x); beta = 1 is silu --------------------------------- */
enum { SWISH_BETA };
#define SWISH_BETA_DEF 1.0f

static double swish_f(const tn_act_ctx *c, double x)
{
    return x * tn__sigmoid_d(tn__act_hp(c, SWISH_BETA, SWISH_BETA_DEF) * x);
}
static inline double swish_df(const tn_act_ctx *c, double x)
{
    double b = tn__act_hp(c, SWISH_BETA, SWISH_BETA_DEF);
    return tn__sigmoid_d(b * x) + b * x * tn__sigmoid_grad_d(b * x);
}
TN__ACT_ELEMENTWISE(swish, swish_f, swish_df)

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
 * n = e^-x: (1 + 2n) / (1 + 2n + 2n^2). The pair also gives 1 - t exactly, so
 * 1 - t^2 = (1 - t)(1 + t) does not cancel. */
static void mish_t(double x, double *t, double *one_minus_t2)
{
    if (x <= 0.0) {
        double e = exp(x), p = e * (e + 2.0), d = p + 2.0;
        *t = p / d;
        *one_minus_t2 = (2.0 / d) * ((2.0 * p + 2.0) / d);
    } else {
        double n = exp(-x), q = 1.0 + 2.0 * n, d = q + 2.0 * n * n;
        *t = q / d;
        *one_minus_t2 = (2.0 * n * n / d) * ((q + d) / d);
    }
}

static double mish_f(const tn_act_ctx *c, double x)
{
    (void)c;
    double t, s2;
    mish_t(x, &t, &s2);
    return x * t;
}
/* d/dx x tanh(sp(x)) = t + x (1 - t^2) sigmoid(x) */
static inline double mish_df(const tn_act_ctx *c, double x)
{
    (void)c;
    double t, s2;
    mish_t(x, &t, &s2);
    return t + x * s2 * tn__sigmoid_d(x);
}
TN__ACT_ELEMENTWISE(mish, mish_f, mish_df)

const tn_activation tn__act_mish = {
    .name = "mish",
    .formula = "y = x * tanh(log(1 + exp(x)))",
    .range = "[-0.31, inf)",
    .default_init = "he_uniform",
    .forward = mish_forward,
    .backward = TN__TRAINING(mish_backward),
};

/* ---- softplus: y = log(1 + e^(beta x)) / beta, and y = x where beta x > threshold ------
 * (torch.nn.Softplus, its linear branch included). */
enum { SOFTPLUS_BETA, SOFTPLUS_THRESHOLD };
#define SOFTPLUS_BETA_DEF 1.0f
#define SOFTPLUS_THRESHOLD_DEF 20.0f

static double softplus_f(const tn_act_ctx *c, double x)
{
    double b = tn__act_hp(c, SOFTPLUS_BETA, SOFTPLUS_BETA_DEF);
    double bx = b * x;
    if (bx > tn__act_hp(c, SOFTPLUS_THRESHOLD, SOFTPLUS_THRESHOLD_DEF))
        return x;
    return tn__softplus_d(bx) / b;
}
static inline double softplus_df(const tn_act_ctx *c, double x)
{
    double bx = tn__act_hp(c, SOFTPLUS_BETA, SOFTPLUS_BETA_DEF) * x;
    if (bx > tn__act_hp(c, SOFTPLUS_THRESHOLD, SOFTPLUS_THRESHOLD_DEF))
        return 1.0;
    return tn__sigmoid_d(bx);
}
TN__ACT_ELEMENTWISE(softplus, softplus_f, softplus_df)

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
