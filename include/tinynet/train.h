/* tinynet training API: build a network from a JSON config, train, evaluate, save; and
 * the activation registry, where a C program can add its own activation by name. */
#ifndef TINYNET_TRAIN_H
#define TINYNET_TRAIN_H

#include "tinynet/tinynet.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Activation modules ------------------------------------------------------------ */

typedef struct tn_rng tn_rng; /* a seeded random stream owned by the network */
TN_API float tn_rng_uniform(tn_rng *r); /* [0, 1) */

typedef struct tn_act_ctx {
    const float *hyper; /* fixed parameters, in the order of tn_activation.params */
    const float *learn; /* learnable parameters (prelu), n_learn of them, or NULL */
    size_t n_learn;
    int training;       /* 1 in training mode, 0 in inference */
    tn_rng *rng;        /* for random modules (rrelu) in training mode */
} tn_act_ctx;

typedef struct tn_act_param {
    const char *name;   /* JSON key, e.g. "alpha" */
    float def;          /* default */
    float min, max;     /* accepted closed range */
} tn_act_param;

enum {
    TN_ACT_ROWWISE = 1u << 0,   /* each output depends on its whole row (softmax) */
    TN_ACT_RANDOM = 1u << 1,    /* draws from ctx->rng in training (rrelu) */
    TN_ACT_ZERO_GRAD = 1u << 2  /* derivative is zero almost everywhere (binary_step) */
};

#define TN_ACT_MAX_PARAMS 4

typedef struct tn_activation {
    const char *name;           /* registry key, used in JSON */
    const char *formula;        /* one line, for `tinynet activations` */
    const char *range;          /* output range, e.g. "(0, 1)" */
    const char *default_init;   /* weight init for a dense layer using it; NULL = glorot_uniform */
    unsigned flags;
    int n_params;
    tn_act_param params[TN_ACT_MAX_PARAMS];
    /* Learnable parameters (NULL when there are none): how many for `cols` units, and
     * their initial values. They live in the network's flat parameter buffer. */
    size_t (*n_learnable)(const float *hyper, size_t cols);
    void (*init_learnable)(const float *hyper, float *learn, size_t n);
    /* y = f(x) over a rows x cols block (row-major). */
    void (*forward)(const tn_act_ctx *c, const float *x, float *y, size_t rows, size_t cols);
    /* dx = df/dx * dy (dx may alias dy); reads x or y, whichever is cheaper; adds the
     * gradient of the learnable parameters to dlearn. */
    void (*backward)(const tn_act_ctx *c, const float *x, const float *y, const float *dy,
                     float *dx, float *dlearn, size_t rows, size_t cols);
} tn_activation;

/* Registers a module under m->name (the struct must outlive its use; it is not copied).
 * Process-wide: register before building or loading networks that use it. Fails with
 * TN_EINVAL on a missing field or a name already taken. */
TN_API int tn_activation_register(const tn_activation *m, tn_error *err);
TN_API const tn_activation *tn_activation_find(const char *name);
TN_API size_t tn_activation_count(void);
TN_API const tn_activation *tn_activation_at(size_t i);

/* ---- Training from a JSON config -------------------------------------------------------
 *
 * The C face of `tinynet train`: a trainer holds one config (the JSON format of the README),
 * its data and its network. Typical use:
 *
 *     tn_trainer *t;
 *     if (tn_trainer_new("models/ring.json", &t, &err)) { puts(err.msg); ... }
 *     if (tn_trainer_fit(t, NULL, NULL) || tn_trainer_save(t, "ring.tnn"))
 *         puts(tn_trainer_errmsg(t));
 *     tn_trainer_free(t);
 *
 * Activations registered with tn_activation_register before tn_trainer_new may be named in
 * the config. A trainer is used by one thread at a time. Results are bit-exact for a given
 * build, seed and thread count. */

typedef struct tn_trainer tn_trainer;

typedef struct tn_epoch_info {
    int epoch, epochs;           /* 1-based */
    double train_loss;           /* mean per row over the epoch */
    double train_accuracy;       /* NaN for regression losses */
    int has_val;                 /* a test set or a holdout is configured */
    double val_loss, val_accuracy;
    double seconds;
} tn_epoch_info;

typedef void (*tn_epoch_fn)(void *user, const tn_epoch_info *info);

/* Parses the config (its data are read by tn_trainer_fit). */
TN_API int tn_trainer_new(const char *config_path, tn_trainer **out, tn_error *err);
/* Overrides of the config, before tn_trainer_fit: the seed (initialisation, shuffling,
 * holdout split, dropout; at most 2^53, as the model file records it), the number of
 * epochs (1 to 1000000), the BLAS thread count (1 to 256). Out of range: TN_ERANGE. */
TN_API int tn_trainer_set_seed(tn_trainer *t, unsigned long long seed);
TN_API int tn_trainer_set_epochs(tn_trainer *t, int epochs);
TN_API int tn_trainer_set_threads(tn_trainer *t, int threads);
/* Reads the data, initialises the network from the seed and trains it; on_epoch (may be
 * NULL) is called after every epoch. May be called again to train afresh. */
TN_API int tn_trainer_fit(tn_trainer *t, tn_epoch_fn on_epoch, void *user);
/* Loss and accuracy (NaN for regression) of the trained network on the training data
 * (on_test 0) or on the test/holdout data (on_test 1; TN_ENOTFOUND when there is none). */
TN_API int tn_trainer_evaluate(tn_trainer *t, int on_test, double *loss, double *accuracy);
/* Writes the trained model (.tnn) atomically: tn_model_load reads it back. */
TN_API int tn_trainer_save(tn_trainer *t, const char *model_path);
/* The message of the trainer's last failure ("" after a success). */
TN_API const char *tn_trainer_errmsg(const tn_trainer *t);
TN_API void tn_trainer_free(tn_trainer *t);

#ifdef __cplusplus
}
#endif
#endif
