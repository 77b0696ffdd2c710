#include "train/loss.h"

#include "core/error.h"

#include <math.h>
#include <string.h>

int tn__loss_is_fused(int loss, const tn_net *net)
{
    const tn_layer *L = tn__net_output_layer(net);
    if (!L->act)
        return 0;
    const char *act = L->act->m->name;
    return (loss == TN_LOSS_BCE && strcmp(act, "sigmoid") == 0) ||
           (loss == TN_LOSS_CCE && strcmp(act, "softmax") == 0);
}

unsigned tn__loss_run_flags(int loss, const tn_net *net)
{
    return TN_RUN_TRAINING | (tn__loss_is_fused(loss, net) ? TN_RUN_FUSED_OUTPUT : 0);
}

static const char *output_activation(const tn_net *net)
{
    const tn_layer *L = tn__net_output_layer(net);
    return L->act ? L->act->m->name : NULL;
}

/* log_softmax outputs are log-probabilities: cross-entropy is then -sum t y (PyTorch's
 * NLLLoss after LogSoftmax), no clamping, no exp. */
static int outputs_log_probs(int loss, const tn_net *net)
{
    const char *act = output_activation(net);
    return loss == TN_LOSS_CCE && act && strcmp(act, "log_softmax") == 0;
}

int tn__loss_check_output(int loss, const tn_net *net, tn_error *err)
{
    const char *act = output_activation(net);
    if (loss != TN_LOSS_CCE || (act && (strcmp(act, "softmax") == 0 ||
                                        strcmp(act, "log_softmax") == 0)))
        return TN_OK;
    return tn__err(err, TN_ECONFIG, "categorical_crossentropy needs an output layer with a "
                   "softmax (or log_softmax) activation, and the last layer's is %s%s%s",
                   act ? "\"" : "", act ? act : "none", act ? "\"" : "");
}

int tn__loss_check_targets(int loss, size_t out_width, size_t target_width, tn_error *err)
{
    if (target_width == out_width || (loss == TN_LOSS_CCE && target_width == 1 && out_width > 1))
        return TN_OK;
    if (loss == TN_LOSS_CCE)
        return tn__err(err, TN_ESHAPE, "%s needs one target column (the class index) or %zu "
                       "(one per class), got %zu", tn__loss_names[loss], out_width, target_width);
    return tn__err(err, TN_ESHAPE, "the network has %zu output%s but %zu target column%s",
                   out_width, out_width == 1 ? "" : "s", target_width,
                   target_width == 1 ? "" : "s");
}

/* log(1 + e^-|z|) + max(z, 0) - z t: binary cross-entropy from the logit, never overflowing. */
static double bce_logit(double z, double t)
{
    return (z > 0 ? z : 0) - z * t + log1p(exp(-fabs(z)));
}

static double sigmoid(double z)
{
    return z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
}

/* Probability of target k in sample i: one-hot/probability columns, or a class index. */
static double target_prob(const float *t, size_t tw, size_t i, size_t k)
{
    if (tw == 1)
        return (size_t)t[i] == k ? 1.0 : 0.0;
    return t[i * tw + k];
}

#define TN_PROB_EPS 1e-7

static double cce_fused(const float *z, float *dz, const float *t, size_t tw, size_t B, size_t W,
                        int grad)
{
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
            tsum += target_prob(t, tw, i, k);
        /* d/dz of sum_k t_k (lse - z_k) is p * sum(t) - t: p - t only when the row sums to 1. */
        for (size_t k = 0; k < W; k++) {
            double tk = target_prob(t, tw, i, k);
            total += tk * (lse - zi[k]);
            if (grad)
                dz[i * W + k] = (float)((exp(zi[k] - lse) * tsum - tk) / (double)B);
        }
    }
    return total;
}

double tn__loss_eval(int loss, tn_run *run, const float *t, size_t tw, size_t B, int grad)
{
    const tn_net *net = run->net;
    const tn_layer *L = tn__net_output_layer(net);
    size_t W = L->width;
    const float *y = run->out[net->output];
    float *dy = grad ? run->dout[net->output] : NULL;
    int fused = tn__loss_is_fused(loss, net);
    const float *z = fused ? tn__run_pre(run, net->n_layers - 1) : NULL;
    float *dz = fused && grad ? tn__run_dpre(run, net->n_layers - 1) : NULL;
    double total = 0, n = (double)(B * W);
    int log_probs = outputs_log_probs(loss, net);
    if (loss == TN_LOSS_CCE && fused)
        return cce_fused(z, dz, t, tw, B, W, grad);
    for (size_t i = 0; i < B; i++) {
        for (size_t k = 0; k < W; k++) {
            size_t j = i * W + k;
            if (loss == TN_LOSS_MSE) {
                double d = (double)y[j] - t[j];
                total += d * d / (double)W;
                if (grad)
                    dy[j] = (float)(2.0 * d / n);
            } else if (loss == TN_LOSS_BCE && fused) {
                total += bce_logit(z[j], t[j]) / (double)W;
                if (grad)
                    dz[j] = (float)((sigmoid(z[j]) - t[j]) / n);
            } else if (loss == TN_LOSS_BCE) {
                double p = fmin(fmax(y[j], TN_PROB_EPS), 1.0 - TN_PROB_EPS);
                total -= (t[j] * log(p) + (1.0 - t[j]) * log(1.0 - p)) / (double)W;
                if (grad)
                    dy[j] = (float)((p - t[j]) / (p * (1.0 - p)) / n);
            } else if (log_probs) {
                double tk = target_prob(t, tw, i, k);
                total -= tk * y[j];
                if (grad)
                    dy[j] = (float)(-tk / (double)B);
            } else { /* categorical cross-entropy on probabilities */
                double p = fmax(y[j], TN_PROB_EPS), tk = target_prob(t, tw, i, k);
                total -= tk * log(p);
                if (grad)
                    dy[j] = (float)(-tk / p / (double)B);
            }
        }
    }
    return total;
}

int tn__loss_has_accuracy(int loss) { return loss != TN_LOSS_MSE; }

static size_t argmax(const float *v, size_t n)
{
    size_t best = 0;
    for (size_t k = 1; k < n; k++)
        best = v[k] > v[best] ? k : best;
    return best;
}

void tn__loss_confusion_add(const float *y, size_t W, const float *t, size_t tw, size_t B,
                            size_t *cm)
{
    for (size_t i = 0; i < B; i++) {
        size_t truth = tw == 1 ? (size_t)t[i] : argmax(t + i * tw, tw);
        cm[truth * W + argmax(y + i * W, W)]++;
    }
}

size_t tn__loss_correct(int loss, const float *y, size_t W, const float *t, size_t tw, size_t B)
{
    size_t correct = 0;
    for (size_t i = 0; i < B; i++) {
        if (loss == TN_LOSS_BCE || W == 1) {
            size_t ok = 1;
            for (size_t k = 0; k < W; k++)
                ok &= (y[i * W + k] >= 0.5f) == (t[i * tw + k] >= 0.5f);
            correct += ok;
            continue;
        }
        size_t truth = tw == 1 ? (size_t)t[i] : argmax(t + i * tw, tw);
        correct += argmax(y + i * W, W) == truth;
    }
    return correct;
}
