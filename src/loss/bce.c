/* binary_crossentropy: independent 0/1 labels, one per output (torch.nn.BCELoss); from the
 * logits when the output is a sigmoid (torch.nn.BCEWithLogitsLoss), never overflowing. */
#include "loss/loss.h"

#include "act/act.h"

#include "core/error.h"

#include <math.h>

#define TN_PROB_EPS 1e-7

/* Probabilities are clamped to [1e-7, 1 - 1e-7]: a confident mistake costs a large but
 * finite amount. */
static double bce_eval(const tn_loss *l, const tn_activation *act, const float *y,
                       const float *t, size_t tw, size_t B, size_t W, float *dy)
{
    (void)l, (void)act, (void)tw;
    double total = 0, n = (double)(tn__loss_mean_rows(l, B) * W);
    for (size_t j = 0; j < B * W; j++) {
        double p = fmin(fmax(y[j], TN_PROB_EPS), 1.0 - TN_PROB_EPS);
        total -= (t[j] * log(p) + (1.0 - t[j]) * log(1.0 - p)) / (double)W;
        if (dy)
            dy[j] = (float)((p - t[j]) / (p * (1.0 - p)) / n);
    }
    return total;
}

/* Each output is its own probability; a row-wise activation (softmax) ties them together,
 * and over one unit it is the constant 1, which trains to nothing without a word. */
static int bce_check_output(const tn_loss *l, const tn_activation *act, tn_error *err)
{
    (void)l;
    if (act && (act->flags & TN_ACT_ROWWISE))
        return tn__err(err, TN_ECONFIG, "binary_crossentropy treats every output as its own "
                       "probability, and \"%s\" ties them together: use categorical_"
                       "crossentropy with %s over the classes, or sigmoid outputs",
                       act->name, act->name);
    return TN_OK;
}

/* log(1 + e^-|z|) + max(z, 0) - z t: binary cross-entropy from the logit. */
static double bce_logit(double z, double t)
{
    return (z > 0 ? z : 0) - z * t + log1p(exp(-fabs(z)));
}

static double bce_eval_fused(const tn_loss *l, const float *z, const float *t, size_t tw,
                             size_t B, size_t W, float *dz)
{
    (void)l, (void)tw;
    double total = 0, n = (double)(tn__loss_mean_rows(l, B) * W);
    for (size_t j = 0; j < B * W; j++) {
        total += bce_logit(z[j], t[j]) / (double)W;
        if (dz)
            dz[j] = (float)((tn__sigmoid_d(z[j]) - t[j]) / n);
    }
    return total;
}

const tn_loss_ops tn__loss_bce = {
    .name = "binary_crossentropy",
    .doc = "binary cross-entropy of independent 0/1 targets; from the logits with a sigmoid "
           "output",
    .target = TN_TARGET_PROB,
    .flags = TN_LOSS_ACCURACY,
    .fused_with = &tn__act_sigmoid,
    .check_output = bce_check_output,
    .eval = bce_eval,
    .eval_fused = bce_eval_fused,
};
