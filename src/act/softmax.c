/* Row-wise activations: softmax and log_softmax over each row of a rows x cols block.
 * Both subtract the row maximum first, so exp never sees a positive argument, and sum in
 * double; the exponentials are act/vmath.h's tn__vexp (double, < 1e-14 relative, no libm
 * call, so the loops vectorize). Backward reads y; dx may alias dy (each row's sum is taken before it is
 * overwritten). */
#include "act/act.h"
#include "act/vmath.h"

#include <math.h>

static double row_max(const float *x, size_t cols)
{
    double m = x[0];
    for (size_t j = 1; j < cols; j++)
        m = fmax(m, (double)x[j]);
    return m;
}

/* ---- softmax: y_j = e^(x_j - m) / sum_k e^(x_k - m) ---------------------------------
 * Rows up to SOFTMAX_KEEP wide keep their exponentials in a stack buffer (the same
 * doubles, so the same bits); wider ones take each twice rather than allocate. */
#define SOFTMAX_KEEP 1024
static void softmax_forward(const tn_act_ctx *c, const float *x, float *y, size_t rows,
                            size_t cols)
{
    (void)c;
    if (cols == 0)
        return;
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols; /* (cols) */
        float *yr = y + r * cols;       /* (cols) */
        double m = row_max(xr, cols), sum = 0.0;
        if (cols <= SOFTMAX_KEEP) { /* each exponential once, kept in double */
            double e[SOFTMAX_KEEP];
            for (size_t j = 0; j < cols; j++) /* vectorizes */
                e[j] = tn__vexp((double)xr[j] - m);
            for (size_t j = 0; j < cols; j++) /* in order */
                sum += e[j];
            for (size_t j = 0; j < cols; j++)
                yr[j] = (float)(e[j] / sum);
        } else {
            for (size_t j = 0; j < cols; j++)
                sum += tn__vexp((double)xr[j] - m);
            for (size_t j = 0; j < cols; j++)
                yr[j] = (float)(tn__vexp((double)xr[j] - m) / sum);
        }
    }
}

#if TN__TRAINING_CODE
/* dx_j = y_j (dy_j - sum_k dy_k y_k) */
static void softmax_backward(const tn_act_ctx *c, const float *x, const float *y,
                             const float *dy, float *dx, float *dlearn, size_t rows, size_t cols)
{
    (void)c, (void)x, (void)dlearn;
    for (size_t r = 0; r < rows; r++) {
        const float *yr = y + r * cols, *dyr = dy + r * cols;
        float *dxr = dx + r * cols;
        double dot = 0.0;
        for (size_t j = 0; j < cols; j++)
            dot += (double)dyr[j] * (double)yr[j];
        for (size_t j = 0; j < cols; j++)
            dxr[j] = (float)((double)yr[j] * ((double)dyr[j] - dot));
    }
}
#endif

const tn_activation tn__act_softmax = {
    .name = "softmax",
    .formula = "y_j = exp(x_j) / sum_k exp(x_k) (over each row)",
    .range = "(0, 1), rows sum to 1",
    .flags = TN_ACT_ROWWISE,
    .forward = softmax_forward,
    .backward = TN__TRAINING(softmax_backward),
};

/* ---- log_softmax: y_j = (x_j - m) - log(sum_k e^(x_k - m)) -----------------------------
 * The row maximum contributes exactly 1 to the sum, so the log is log1p(rest): accurate
 * when one entry dominates and y is near 0. */
static void log_softmax_forward(const tn_act_ctx *c, const float *x, float *y, size_t rows,
                                size_t cols)
{
    (void)c;
    if (cols == 0)
        return;
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols; /* (cols) */
        float *yr = y + r * cols;       /* (cols) */
        double m = row_max(xr, cols), rest = 0.0;
        size_t argmax = 0; /* bounded: a NaN row has no element equal to m */
        while (argmax + 1 < cols && (double)xr[argmax] != m)
            argmax++;
        for (size_t j = 0; j < cols; j++)
            if (j != argmax)
                rest += tn__vexp((double)xr[j] - m);
        double lse = log1p(rest);
        for (size_t j = 0; j < cols; j++)
            yr[j] = (float)(((double)xr[j] - m) - lse);
    }
}

#if TN__TRAINING_CODE
/* dx_j = dy_j - softmax_j * sum_k dy_k, softmax_j = e^(y_j) */
static void log_softmax_backward(const tn_act_ctx *c, const float *x, const float *y,
                                 const float *dy, float *dx, float *dlearn, size_t rows,
                                 size_t cols)
{
    (void)c, (void)x, (void)dlearn;
    for (size_t r = 0; r < rows; r++) {
        const float *yr = y + r * cols, *dyr = dy + r * cols;
        float *dxr = dx + r * cols;
        double sum = 0.0;
        for (size_t j = 0; j < cols; j++)
            sum += dyr[j];
        for (size_t j = 0; j < cols; j++)
            dxr[j] = (float)((double)dyr[j] - tn__vexp((double)yr[j]) * sum);
    }
}
#endif

const tn_activation tn__act_log_softmax = {
    .name = "log_softmax",
    .formula = "y_j = x_j - log(sum_k exp(x_k)) (over each row)",
    .range = "(-inf, 0]",
    .flags = TN_ACT_ROWWISE,
    .forward = log_softmax_forward,
    .backward = TN__TRAINING(log_softmax_backward),
};
