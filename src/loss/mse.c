/* mse: mean squared error over the outputs (torch.nn.MSELoss, mean reduction). */
#include "loss/loss.h"

static double mse_eval(const tn_loss *l, const tn_activation *act, const float *y,
                       const float *t, size_t tw, size_t B, size_t W, float *dy)
{
    (void)l, (void)act, (void)tw;
    double total = 0, n = (double)(tn__loss_mean_rows(l, B) * W);
    for (size_t j = 0; j < B * W; j++) {
        double d = (double)y[j] - t[j];
        total += d * d / (double)W;
        if (dy)
            dy[j] = (float)(2.0 * d / n);
    }
    return total;
}

const tn_loss_ops tn__loss_mse = {
    .name = "mse",
    .doc = "mean squared error over the outputs (regression); any output activation",
    .target = TN_TARGET_ANY,
    .eval = mse_eval,
};
