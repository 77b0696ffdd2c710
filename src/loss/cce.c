/* categorical_crossentropy: one class per row, as a class index or one-hot/probability
 * columns. From the logits with a softmax output (log-sum-exp, stable); from
 * log-probabilities with log_softmax (PyTorch's NLLLoss after LogSoftmax: -sum t y, no
 * clamping, no exp); from clamped probabilities otherwise. */
#include "loss/loss.h"

#include "act/act.h"
#include "core/error.h"

#include <math.h>

#define TN_PROB_EPS 1e-7

static int cce_check_output(const tn_loss *l, const tn_activation *act, tn_error *err)
{
    (void)l;
    if (act == &tn__act_softmax || act == &tn__act_log_softmax)
        return TN_OK;
    return tn__err(err, TN_ECONFIG, "categorical_crossentropy needs an output layer with a "
                   "softmax (or log_softmax) activation, and the last layer's is %s%s%s",
                   act ? "\"" : "", act ? act->name : "none", act ? "\"" : "");
}

static double cce_eval(const tn_loss *l, const tn_activation *act, const float *y,
                       const float *t, size_t tw, size_t B, size_t W, float *dy)
{
    (void)l;
    int log_probs = act == &tn__act_log_softmax;
    double total = 0;
    for (size_t i = 0; i < B; i++) {
        for (size_t k = 0; k < W; k++) {
            size_t j = i * W + k;
            double tk = tn__loss_target_prob(t, tw, i, k);
            if (log_probs) {
                total -= tk * y[j];
                if (dy)
                    dy[j] = (float)(-tk / (double)tn__loss_mean_rows(l, B));
            } else {
                double p = fmax(y[j], TN_PROB_EPS);
                total -= tk * log(p);
                if (dy)
                    dy[j] = (float)(-tk / p / (double)tn__loss_mean_rows(l, B));
            }
        }
    }
    return total;
}

static double cce_eval_fused(const tn_loss *l, const float *z, const float *t, size_t tw,
                             size_t B, size_t W, float *dz)
{
    (void)l;
    double total = 0;
    for (size_t i = 0; i < B; i++) {
        const float *zi = z + i * W;
        double mx = zi[0], sum = 0;
        for (size_t k = 1; k < W; k++)
            mx = zi[k] > mx ? zi[k] : mx;
        for (size_t k = 0; k < W; k++)
            sum += exp(zi[k] - mx);
        double lse = mx + log(sum), tsum = 0;
        for (size_t k = 0; k < W; k++)
            tsum += tn__loss_target_prob(t, tw, i, k);
        /* d/dz of sum_k t_k (lse - z_k) is p * sum(t) - t: p - t only when the row sums to 1. */
        for (size_t k = 0; k < W; k++) {
            double tk = tn__loss_target_prob(t, tw, i, k);
            total += tk * (lse - zi[k]);
            if (dz)
                dz[i * W + k] = (float)((exp(zi[k] - lse) * tsum - tk) / (double)tn__loss_mean_rows(l, B));
        }
    }
    return total;
}

const tn_loss_ops tn__loss_cce = {
    .name = "categorical_crossentropy",
    .doc = "categorical cross-entropy of one class per row (an index column, or one column "
           "per class); from the logits with a softmax output",
    .target = TN_TARGET_CLASS,
    .flags = TN_LOSS_ACCURACY | TN_LOSS_ARGMAX,
    .fused_with = &tn__act_softmax,
    .check_output = cce_check_output,
    .eval = cce_eval,
    .eval_fused = cce_eval_fused,
};
