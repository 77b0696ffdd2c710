/* The rectifier family: relu, relu6, leaky_relu, prelu (learnable), rrelu (random in
 * training), elu, selu, celu. Constants, defaults and the derivative at x = 0 follow
 * PyTorch: relu and relu6 use 0 there (relu6 also 0 at 6), the others use the left side. */
#include "act/act.h"
#include "act/vmath.h"
#include "core/rng.h"

#include <math.h>

/* ---- relu: y = max(0, x) ----------------------------------------------------------- */
static inline float relu_f(float p, float x) { (void)p; return x > 0.0f ? x : 0.0f; }
/* 0 * dy, not a select of dy: -0 for a negative dy and NaN for an infinite one, as before. */
static inline float relu_df(float p, float x) { (void)p; return x > 0.0f ? 1.0f : 0.0f; }
TN__ACT_PIECEWISE(relu, float, TN__ACT_NO_PARAM, relu_f, relu_df)

const tn_activation tn__act_relu = {
    .name = "relu",
    .formula = "y = max(0, x)",
    .range = "[0, inf)",
    .default_init = "he_uniform",
    .forward = relu_forward,
    .backward = TN__TRAINING(relu_backward),
};

/* ---- relu6: y = min(max(0, x), 6) ---------------------------------------------------- */
static inline float relu6_f(float p, float x)
{
    (void)p;
    float t = TN__FMAX_SEL(x, 0.0f); /* fmin(fmax(x, 0), 6): NaN and -0 give +0 */
    return TN__FMIN_SEL(t, 6.0f);
}
static inline float relu6_df(float p, float x)
{
    (void)p;
    return ((x > 0.0f) & (x < 6.0f)) ? 1.0f : 0.0f;
}
TN__ACT_PIECEWISE(relu6, float, TN__ACT_NO_PARAM, relu6_f, relu6_df)

const tn_activation tn__act_relu6 = {
    .name = "relu6",
    .formula = "y = min(max(0, x), 6)",
    .range = "[0, 6]",
    .default_init = "he_uniform",
    .forward = relu6_forward,
    .backward = TN__TRAINING(relu6_backward),
};

/* ---- leaky_relu: y = x > 0 ? x : alpha * x (torch negative_slope) --------------------- */
enum { LEAKY_ALPHA };
#define LEAKY_ALPHA_DEF 0.01f

/* alpha is a float, so alpha * x is exact in double: float's one rounding is the same. */
static float leaky_relu_alpha(const tn_act_ctx *c)
{
    return (float)tn__act_hp(c, LEAKY_ALPHA, LEAKY_ALPHA_DEF);
}
static inline float leaky_relu_f(float alpha, float x) { return x > 0.0f ? x : alpha * x; }
static inline float leaky_relu_df(float alpha, float x) { return x > 0.0f ? 1.0f : alpha; }
TN__ACT_PIECEWISE(leaky_relu, float, leaky_relu_alpha, leaky_relu_f, leaky_relu_df)

const tn_activation tn__act_leaky_relu = {
    .name = "leaky_relu",
    .formula = "y = x > 0 ? x : alpha * x",
    .range = "(-inf, inf)",
    .default_init = "he_uniform",
    .n_params = 1,
    .params = {{"alpha", LEAKY_ALPHA_DEF, 0.0f, 1.0f, "the slope for x < 0", TN_ACT_PARAM_NUMBER}},
    .forward = leaky_relu_forward,
    .backward = TN__TRAINING(leaky_relu_backward),
};

/* ---- prelu: y = x > 0 ? x : a * x, a learnable (one shared, or one per unit) -----------
 * Which layout is in use is read from ctx->n_learn: cols slopes mean per unit, one means
 * shared. Without learnable values (ctx->learn NULL) the slope is the "init" hyper. */
enum { PRELU_PER_UNIT, PRELU_INIT };
#define PRELU_INIT_DEF 0.25f

static size_t prelu_n_learnable(const float *hyper, size_t cols)
{
    return (hyper && hyper[PRELU_PER_UNIT] != 0.0f) ? cols : 1;
}

static void prelu_init_learnable(const float *hyper, float *learn, size_t n)
{
    float a = hyper ? hyper[PRELU_INIT] : PRELU_INIT_DEF;
    for (size_t i = 0; i < n; i++)
        learn[i] = a;
}

/* Slope of column j: per unit when there are cols slopes, else the shared one. */
static double prelu_slope(const tn_act_ctx *c, size_t j, size_t cols)
{
    if (!c || !c->learn)
        return tn__act_hp(c, PRELU_INIT, PRELU_INIT_DEF);
    return (double)c->learn[(c->n_learn == cols) ? j : 0];
}

/* One row: y = x > 0 ? x : a_j x, a_j = a[j * per_unit]. a is a float, so a x is exact in
 * double and float's one rounding matches. Row-major, so the inner loop vectorizes. */
static void prelu_forward(const tn_act_ctx *c, const float *x, float *y, size_t rows,
                          size_t cols)
{
    int per_unit = c && c->learn && c->n_learn == cols;
    float a = (float)prelu_slope(c, 0, cols);
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols; /* (cols) */
        float *yr = y + r * cols;       /* (cols) */
        if (per_unit)
            for (size_t j = 0; j < cols; j++)
                yr[j] = xr[j] > 0.0f ? xr[j] : c->learn[j] * xr[j];
        else
            for (size_t j = 0; j < cols; j++)
                yr[j] = xr[j] > 0.0f ? xr[j] : a * xr[j];
    }
}

#if TN__TRAINING_CODE
/* dx = (x > 0 ? 1 : a) * dy;  dlearn[a] += sum over its elements of (x > 0 ? 0 : x * dy).
 * Each column's sum runs over rows in order, in double, and the shared slope's over
 * columns in order, as a column-major loop would; adding +0.0 for x > 0 leaves a sum that
 * starts at +0 unchanged. Columns go in blocks of PRELU_BLOCK for the sums' scratch. */
#define PRELU_BLOCK 64
static void prelu_backward(const tn_act_ctx *c, const float *x, const float *y, const float *dy,
                           float *dx, float *dlearn, size_t rows, size_t cols)
{
    (void)y;
    int per_unit = c && c->learn && c->n_learn == cols;
    float a_shared = (float)prelu_slope(c, 0, cols);
    double shared = 0.0;
    for (size_t j0 = 0; j0 < cols; j0 += PRELU_BLOCK) {
        size_t nj = cols - j0 < PRELU_BLOCK ? cols - j0 : PRELU_BLOCK;
        double da[PRELU_BLOCK] = {0};
        float a[PRELU_BLOCK];
        for (size_t j = 0; j < nj; j++)
            a[j] = per_unit ? c->learn[j0 + j] : a_shared;
        for (size_t r = 0; r < rows; r++) {
            size_t i0 = r * cols + j0;
            for (size_t j = 0; j < nj; j++) {
                float v = x[i0 + j], g = dy[i0 + j];
                da[j] += v <= 0.0f ? (double)v * (double)g : 0.0;
                dx[i0 + j] = v > 0.0f ? g : a[j] * g;
            }
        }
        for (size_t j = 0; j < nj; j++) {
            if (per_unit && dlearn)
                dlearn[j0 + j] += (float)da[j];
            shared += da[j];
        }
    }
    if (!per_unit && dlearn && c && c->learn)
        dlearn[0] += (float)shared;
}
#endif

const tn_activation tn__act_prelu = {
    .name = "prelu",
    .formula = "y = x > 0 ? x : a * x (a learnable, shared or per unit)",
    .range = "(-inf, inf)",
    .default_init = "he_uniform",
    .n_params = 2,
    .params = {{"per_unit", 0.0f, 0.0f, 1.0f, "true: one learnable slope per unit, false: one "
                "shared by the layer", TN_ACT_PARAM_BOOL},
               {"init", PRELU_INIT_DEF, 0.0f, 1.0f, "the initial slope for x < 0",
                TN_ACT_PARAM_NUMBER}},
    .n_learnable = prelu_n_learnable,
    .init_learnable = prelu_init_learnable,
    .forward = prelu_forward,
    .backward = TN__TRAINING(prelu_backward),
};

/* ---- rrelu: y = x >= 0 ? x : a * x, a ~ U(lower, upper) per element in training and
 * (lower + upper) / 2 in inference (torch.nn.RReLU).
 * Training draws one number per element, negative or not, so the stream advances by the
 * block size whatever the data. Backward recovers the drawn slope as y / x (x < 0), so no
 * mask is stored; at x = 0 it cannot and uses the mean slope. Training without an rng
 * (a caller bug that forward cannot report) behaves as inference. */
enum { RRELU_LOWER, RRELU_UPPER };
#define RRELU_LOWER_DEF (1.0f / 8.0f)
#define RRELU_UPPER_DEF (1.0f / 3.0f)

static int rrelu_random(const tn_act_ctx *c) { return c && c->training && c->rng; }

static void rrelu_forward(const tn_act_ctx *c, const float *x, float *y, size_t rows,
                          size_t cols)
{
    double lo = tn__act_hp(c, RRELU_LOWER, RRELU_LOWER_DEF);
    double hi = tn__act_hp(c, RRELU_UPPER, RRELU_UPPER_DEF);
    double mean = 0.5 * (lo + hi);
    size_t n = rows * cols;
    if (!rrelu_random(c)) { /* the mean slope, in double: branch-free, vectorizes */
        for (size_t i = 0; i < n; i++) {
            double v = x[i];
            y[i] = (float)(v >= 0.0 ? v : mean * v);
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        double a = lo + (hi - lo) * (double)tn__rng_uniform(c->rng);
        double v = x[i];
        y[i] = (float)(v >= 0.0 ? v : a * v);
    }
}

#if TN__TRAINING_CODE
static void rrelu_backward(const tn_act_ctx *c, const float *x, const float *y, const float *dy,
                           float *dx, float *dlearn, size_t rows, size_t cols)
{
    (void)dlearn;
    double lo = tn__act_hp(c, RRELU_LOWER, RRELU_LOWER_DEF);
    double hi = tn__act_hp(c, RRELU_UPPER, RRELU_UPPER_DEF);
    double mean = 0.5 * (lo + hi), amin = fmin(lo, hi), amax = fmax(lo, hi);
    size_t n = rows * cols;
    if (!rrelu_random(c)) {
        for (size_t i = 0; i < n; i++) {
            double g = dy[i];
            dx[i] = (float)(x[i] > 0.0f ? g : mean * g);
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        double v = x[i], a = mean;
        /* Clamp: y / x of a subnormal x can be off by far more than rounding. */
        if (v < 0.0)
            a = fmin(fmax((double)y[i] / v, amin), amax);
        dx[i] = (float)(v > 0.0 ? (double)dy[i] : a * (double)dy[i]);
    }
}
#endif

/* torch.nn.RReLU draws from U(lower, upper): an empty interval is a mistake, not a
 * variant. */
static const char *rrelu_check(const float *hyper)
{
    return hyper[RRELU_LOWER] <= hyper[RRELU_UPPER] ? NULL : "lower must not exceed upper";
}

const tn_activation tn__act_rrelu = {
    .name = "rrelu",
    .formula = "y = x >= 0 ? x : a * x, a ~ U(lower, upper) in training, (lower+upper)/2 else",
    .range = "(-inf, inf)",
    .default_init = "he_uniform",
    .flags = TN_ACT_RANDOM,
    .n_params = 2,
    .params = {{"lower", RRELU_LOWER_DEF, 0.0f, 1.0f, "the smallest random slope for x < 0",
                TN_ACT_PARAM_NUMBER},
               {"upper", RRELU_UPPER_DEF, 0.0f, 1.0f, "the largest random slope for x < 0",
                TN_ACT_PARAM_NUMBER}},
    .check = rrelu_check,
    .forward = rrelu_forward,
    .backward = TN__TRAINING(rrelu_backward),
};

/* ---- elu: y = x > 0 ? x : alpha * (e^x - 1) --------------------------------------------
 * In float: expm1 keeps accuracy near 0 (act/vmath.h). */
enum { ELU_ALPHA };
#define ELU_ALPHA_DEF 1.0f

static float elu_alpha(const tn_act_ctx *c) { return (float)tn__act_hp(c, ELU_ALPHA, ELU_ALPHA_DEF); }
static inline float elu_f(float alpha, float x) { return tn__k_elu(alpha, x); }
static inline float elu_df(float alpha, float x) { return x > 0.0f ? 1.0f : alpha * tn__vexpf(x); }
TN__ACT_VEC(elu, float, elu_alpha, float, elu_f, float, elu_df)

const tn_activation tn__act_elu = {
    .name = "elu",
    .formula = "y = x > 0 ? x : alpha * (exp(x) - 1)",
    .range = "(-alpha, inf)",
    .default_init = "he_uniform",
    .n_params = 1,
    .params = {{"alpha", ELU_ALPHA_DEF, 0.0f, 1000.0f,
                "the value approached as x goes to -inf is -alpha",
                TN_ACT_PARAM_NUMBER}},
    .forward = elu_forward,
    .backward = TN__TRAINING(elu_backward),
};

/* ---- selu: y = scale * (x > 0 ? x : alpha * (e^x - 1)), constants from torch.nn.SELU --
 * The exponential in float; the products by the double constants round once, so the
 * positive side keeps the bits of the double code. */
static inline double selu_f(float p, float x) { (void)p; return tn__k_selu(x); }
static inline double selu_df(double p, double x)
{
    (void)p;
    return x > 0.0 ? TN__SELU_SCALE : (TN__SELU_SCALE * TN__SELU_ALPHA) * (double)tn__vexpf((float)x);
}
TN__ACT_VEC(selu, float, TN__ACT_NO_PARAM, float, selu_f, double, selu_df)

const tn_activation tn__act_selu = {
    .name = "selu",
    .formula = "y = 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (exp(x) - 1))",
    .range = "(-1.7580993408473766, inf)",
    .default_init = "lecun_normal",
    .forward = selu_forward,
    .backward = TN__TRAINING(selu_backward),
};

/* ---- celu: y = max(0, x) + min(0, alpha * (e^(x/alpha) - 1)) --------------------------
 * In float; x / alpha is rounded once, which expm1 cannot amplify (|t e^t / (e^t - 1)| <= 1
 * for t <= 0). The derivative's e^(x/alpha) takes the quotient in double: there the
 * rounding would be amplified by |x / alpha|. */
enum { CELU_ALPHA };
#define CELU_ALPHA_DEF 1.0f

static float celu_alpha(const tn_act_ctx *c) { return (float)tn__act_hp(c, CELU_ALPHA, CELU_ALPHA_DEF); }
static inline float celu_f(float alpha, float x) { return tn__k_celu(alpha, x); }
static inline float celu_df(float alpha, float x)
{
    return x > 0.0f ? 1.0f : (float)tn__vexpf_d((double)x / (double)alpha);
}
TN__ACT_VEC(celu, float, celu_alpha, float, celu_f, float, celu_df)

const tn_activation tn__act_celu = {
    .name = "celu",
    .formula = "y = max(0, x) + min(0, alpha * (exp(x / alpha) - 1))",
    .range = "(-alpha, inf)",
    .default_init = "he_uniform",
    .n_params = 1,
    /* alpha > 0: it divides x. */
    .params = {{"alpha", CELU_ALPHA_DEF, 1e-3f, 1000.0f,
                "the scale of the negative part (-alpha as x goes to -inf)",
                TN_ACT_PARAM_NUMBER}},
    .forward = celu_forward,
    .backward = TN__TRAINING(celu_backward),
};
