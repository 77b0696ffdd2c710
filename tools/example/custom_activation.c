/* custom_activation: how a C program adds its own activation and trains with it by name.
 *
 * Registers "scaled_tanh", LeCun's y = scale * tanh(2x/3) with scale 1.7159 (Efficient
 * BackProp, 1998: f(+-1) = +-1 and the largest second derivative at x = 1), then trains the
 * config it is given, models/ring_custom.json by default, whose hidden layers name it:
 *
 *   "activation": {"type": "scaled_tanh", "scale": 1.7159}
 *
 * It uses only the installed public API (tinynet/train.h) and builds with
 *   cc custom_activation.c $(pkg-config --cflags --libs tinynet) -lm
 *
 * The registration must come before the config is loaded: the config parser looks names
 * up in the registry. (`tinynet train models/ring_custom.json` fails for that reason: the
 * stock CLI does not know scaled_tanh; so does loading the saved model in a program that
 * has not registered it.)
 *
 * Usage: custom_activation [CONFIG [MODEL]]   (run from the repository root) */
#include <tinynet/train.h>

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
    .params = {{.name = "scale", .def = 1.7159f, .min = 0.0f, .max = 100.0f,
                .doc = "the output is scale * tanh(2x/3)"}},
    .forward = scaled_tanh_forward,
    .backward = scaled_tanh_backward,
};

int main(int argc, char **argv)
{
    const char *config = argc > 1 ? argv[1] : "models/ring_custom.json";
    const char *model = argc > 2 ? argv[2] : NULL;
    tn_error err = {0};
    tn_trainer *t = NULL;
    if (tn_activation_register(&scaled_tanh, &err) != TN_OK ||
        tn_trainer_new(config, &t, &err) != TN_OK) {
        fprintf(stderr, "custom_activation: %s\n", err.msg);
        return 1;
    }
    /* The fit keeps its evaluation of the kept parameters: the validation rows (a test
     * set or a holdout) when the config has them, else the training rows. */
    tn_fit_result res;
    int rc = tn_trainer_fit(t, NULL);
    if (rc == TN_OK)
        rc = tn_trainer_result(t, &res);
    int on_test = tn_trainer_val_kind(t) >= 0;
    if (rc == TN_OK && model)
        rc = tn_trainer_save(t, model);
    if (rc == TN_OK) {
        const tn_metrics *m = on_test ? &res.test : &res.train;
        printf("trained with scaled_tanh: %s loss %.4f, accuracy %.4f\n",
               on_test ? "test" : "training", m->loss, m->accuracy);
    } else {
        fprintf(stderr, "custom_activation: %s\n", tn_trainer_errmsg(t));
    }
    tn_trainer_free(t);
    return rc == TN_OK ? 0 : 1;
}
