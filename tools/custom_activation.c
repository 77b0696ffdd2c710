/* custom_activation: how a C program adds its own activation and trains with it by name.
 *
 * Registers "scaled_tanh", LeCun's y = scale * tanh(2x/3) with scale 1.7159 (Efficient
 * BackProp, 1998: f(+-1) = +-1 and the largest second derivative at x = 1), then trains the
 * config it is given, models/ring_custom.json by default, whose hidden layers name it:
 *
 *   "activation": {"type": "scaled_tanh", "scale": 1.7159}
 *
 * The registration must come before the config is loaded: the config parser looks names
 * up in the registry. (`tinynet train models/ring_custom.json` fails for that reason: the
 * stock CLI does not know scaled_tanh.)
 *
 * Usage: custom_activation [CONFIG]   (run from the repository root) */
#include "core/blas.h"
#include "io/config.h"
#include "io/dataset.h"
#include "net/train.h"
#include "tinynet/train.h"

#include <math.h>
#include <stdio.h>

enum { SCALE };

/* y = s tanh(2x/3);  dy/dx = s * 2/3 * (1 - tanh(2x/3)^2). Computed in double, stored once
 * as float, like the built-ins. dx may alias dy: each dy[i] is read before dx[i] is written. */
static void scaled_tanh_forward(const tn_act_ctx *c, const float *x, float *y, size_t rows,
                                size_t cols)
{
    double s = c && c->hyper ? c->hyper[SCALE] : 1.7159;
    for (size_t i = 0; i < rows * cols; i++)
        y[i] = (float)(s * tanh(2.0 / 3.0 * (double)x[i]));
}

static void scaled_tanh_backward(const tn_act_ctx *c, const float *x, const float *y,
                                 const float *dy, float *dx, float *dlearn, size_t rows,
                                 size_t cols)
{
    (void)y, (void)dlearn;
    double s = c && c->hyper ? c->hyper[SCALE] : 1.7159;
    for (size_t i = 0; i < rows * cols; i++) {
        double t = tanh(2.0 / 3.0 * (double)x[i]);
        dx[i] = (float)(s * (2.0 / 3.0) * (1.0 - t * t) * (double)dy[i]);
    }
}

static const tn_activation scaled_tanh = {
    .name = "scaled_tanh",
    .formula = "y = scale * tanh(2x / 3)",
    .range = "(-scale, scale)",
    .default_init = "lecun_normal", /* LeCun's pairing: unit-variance pre-activations */
    .n_params = 1,
    .params = {{"scale", 1.7159f, 0.0f, 100.0f}},
    .forward = scaled_tanh_forward,
    .backward = scaled_tanh_backward,
};

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "models/ring_custom.json";
    tn_error err = {0};
    tn_config *c = NULL;
    tn_dataset *train = NULL, *test = NULL;
    tn_train_result res;
    tn_metrics m;
    int rc = tn_activation_register(&scaled_tanh, &err);
    if (rc == TN_OK)
        rc = tn__config_load(path, &c, &err);
    if (rc == TN_OK)
        rc = tn__data_load_csv(c->data.train, c->net, &c->data.columns, 1, c->loss, &train, &err);
    if (rc == TN_OK && c->data.test)
        rc = tn__data_load_csv(c->data.test, c->net, &c->data.columns, 1, c->loss, &test, &err);
    if (rc == TN_OK) {
        tn__blas_set_threads(c->threads);
        tn__net_init_params(c->net, c->train.seed);
        rc = tn__train(c->net, c->loss, &c->optim, &c->train, train, test, NULL, &res, &err);
    }
    if (rc == TN_OK)
        rc = tn__evaluate(c->net, c->loss, test ? test : train, c->train.batch_size, &m, &err);
    if (rc == TN_OK)
        printf("trained %s with scaled_tanh: %d epochs, %s accuracy %.4f\n", c->net->name,
               res.epochs_run, test ? "test" : "training", m.acc);
    else
        fprintf(stderr, "custom_activation: %s\n", err.msg);
    tn__dataset_free(train);
    tn__dataset_free(test);
    tn__config_free(c);
    return rc == TN_OK ? 0 : 1;
}
