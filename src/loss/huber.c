/* huber: squared error near the target, absolute error beyond delta (torch.nn.HuberLoss,
 * mean reduction): l = d^2 / 2 for |d| <= delta, else delta (|d| - delta / 2), with
 * d = y - t; robust to outliers, and equal to mse / 2 for small errors. */
#include "loss/loss.h"

#include <math.h>

enum { HUBER_DELTA };

static double huber_eval(const tn_loss *l, const tn_activation *act, const float *y,
                         const float *t, size_t tw, size_t B, size_t W, float *dy)
{
    (void)act, (void)tw;
    double delta = l->param[HUBER_DELTA], total = 0, n = (double)(tn__loss_mean_rows(l, B) * W);
    for (size_t j = 0; j < B * W; j++) {
        double d = (double)y[j] - t[j], a = fabs(d);
        total += (a <= delta ? 0.5 * d * d : delta * (a - 0.5 * delta)) / (double)W;
        if (dy)
            dy[j] = (float)((a <= delta ? d : copysign(delta, d)) / n);
    }
    return total;
}

const tn_loss_ops tn__loss_huber = {
    .name = "huber",
    .doc = "Huber loss (torch.nn.HuberLoss): squared error within delta, absolute beyond",
    .target = TN_TARGET_ANY,
    .n_params = 1,
    .params = {{"delta", 1.0, 0, 1e9, "where the squared part turns linear"}},
    .eval = huber_eval,
};
