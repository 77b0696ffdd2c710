/* Bounded and linear activations: identity, binary_step, sigmoid, bipolar_sigmoid, tanh,
 * softsign, hard_sigmoid. Definitions and derivative conventions at kinks follow PyTorch
 * (torch.nn) where it has the function. */
#include "act/act.h"
#include "act/vmath.h"

#include <math.h>

/* ---- identity: y = x --------------------------------------------------------------- */
static inline float identity_f(float p, float x) { (void)p; return x; }
static inline float identity_df(float p, float x) { (void)p; (void)x; return 1.0f; }
TN__ACT_PIECEWISE(identity, float, TN__ACT_NO_PARAM, identity_f, identity_df)

const tn_activation tn__act_identity = {
    .name = "identity",
    .formula = "y = x",
    .range = "(-inf, inf)",
    .forward = identity_forward,
    .backward = TN__TRAINING(identity_backward),
};

/* ---- binary_step: y = x >= 0 ? 1 : 0 ------------------------------------------------
 * Defined as 1 at x = 0 (torch.heaviside with values = 1). Its derivative is zero almost
 * everywhere; backward writes 0 so nothing upstream learns through it (TN_ACT_ZERO_GRAD
 * lets the config layer warn about that). */
static inline float binary_step_f(float p, float x) { (void)p; return x >= 0.0f ? 1.0f : 0.0f; }
static inline float binary_step_df(float p, float x) { (void)p; (void)x; return 0.0f; }
TN__ACT_PIECEWISE(binary_step, float, TN__ACT_NO_PARAM, binary_step_f, binary_step_df)

const tn_activation tn__act_binary_step = {
    .name = "binary_step",
    .formula = "y = x >= 0 ? 1 : 0 (1 at x = 0; gradient 0)",
    .range = "{0, 1}",
    .flags = TN_ACT_ZERO_GRAD,
    .forward = binary_step_forward,
    .backward = TN__TRAINING(binary_step_backward),
};

/* ---- sigmoid: y = 1 / (1 + e^-x) ---------------------------------------------------
 * In float (act/vmath.h); the derivative from x, e/(1+e)^2, not y(1 - y): near y = 1 the
 * rounded y has lost what 1 - y needs. */
static inline float sigmoid_f(float p, float x) { (void)p; return tn__vsigmoidf(x); }
static inline float sigmoid_df(float p, float x) { (void)p; return tn__vsigmoid_gradf(x); }
TN__ACT_VEC(sigmoid, float, TN__ACT_NO_PARAM, float, sigmoid_f, float, sigmoid_df)

const tn_activation tn__act_sigmoid = {
    .name = "sigmoid",
    .formula = "y = 1 / (1 + exp(-x))",
    .range = "(0, 1)",
    .forward = sigmoid_forward,
    .backward = TN__TRAINING(sigmoid_backward),
};

/* ---- bipolar_sigmoid: y = (1 - e^-x) / (1 + e^-x) = tanh(x/2) ----------------------- */
static inline float bipolar_sigmoid_f(float p, float x) { (void)p; return tn__vtanhf(0.5f * x); }
static inline float bipolar_sigmoid_df(float p, float x)
{
    (void)p;
    return 0.5f * tn__vtanh_gradf(0.5f * x);
}
TN__ACT_VEC(bipolar_sigmoid, float, TN__ACT_NO_PARAM, float, bipolar_sigmoid_f, float,
            bipolar_sigmoid_df)

const tn_activation tn__act_bipolar_sigmoid = {
    .name = "bipolar_sigmoid",
    .formula = "y = (1 - exp(-x)) / (1 + exp(-x)) = tanh(x / 2)",
    .range = "(-1, 1)",
    .forward = bipolar_sigmoid_forward,
    .backward = TN__TRAINING(bipolar_sigmoid_backward),
};

/* ---- tanh: in float; the derivative from x, as sigmoid's ------------------------------ */
static inline float tanh_f(float p, float x) { (void)p; return tn__vtanhf(x); }
static inline float tanh_df(float p, float x) { (void)p; return tn__vtanh_gradf(x); }
TN__ACT_VEC(tanh, float, TN__ACT_NO_PARAM, float, tanh_f, float, tanh_df)

const tn_activation tn__act_tanh = {
    .name = "tanh",
    .formula = "y = (exp(x) - exp(-x)) / (exp(x) + exp(-x))",
    .range = "(-1, 1)",
    .forward = tanh_forward,
    .backward = TN__TRAINING(tanh_backward),
};

/* ---- softsign: y = x / (1 + |x|) ------------------------------------------------------ */
/* No libm call: the double loops vectorize as the piecewise ones do. */
static inline double softsign_f(double p, double x) { (void)p; return x / (1.0 + fabs(x)); }
static inline double softsign_df(double p, double x)
{
    (void)p;
    double d = 1.0 + fabs(x);
    return 1.0 / (d * d);
}
TN__ACT_PIECEWISE(softsign, double, TN__ACT_NO_PARAM, softsign_f, softsign_df)

const tn_activation tn__act_softsign = {
    .name = "softsign",
    .formula = "y = x / (1 + |x|)",
    .range = "(-1, 1)",
    .forward = softsign_forward,
    .backward = TN__TRAINING(softsign_backward),
};

/* ---- hard_sigmoid (torch.nn.Hardsigmoid): y = relu6(x + 3) / 6 ------------------------
 * Gradient 1/6 on the open interval (-3, 3), 0 elsewhere, as PyTorch. */
static inline double hard_sigmoid_f(double p, double x)
{
    (void)p;
    double t = TN__FMAX_SEL(x + 3.0, 0.0); /* fmin(fmax(x + 3, 0), 6) */
    return TN__FMIN_SEL(t, 6.0) / 6.0;
}
static inline double hard_sigmoid_df(double p, double x)
{
    (void)p;
    return ((x > -3.0) & (x < 3.0)) ? 1.0 / 6.0 : 0.0;
}
TN__ACT_PIECEWISE(hard_sigmoid, double, TN__ACT_NO_PARAM, hard_sigmoid_f, hard_sigmoid_df)

const tn_activation tn__act_hard_sigmoid = {
    .name = "hard_sigmoid",
    .formula = "y = min(max(x + 3, 0), 6) / 6",
    .range = "[0, 1]",
    .forward = hard_sigmoid_forward,
    .backward = TN__TRAINING(hard_sigmoid_backward),
};
