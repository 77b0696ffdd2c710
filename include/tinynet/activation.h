/* tinynet activation modules: the struct every activation is, and the registry where a
 * C program adds its own by name (then usable in JSON like a built-in). Needed to train
 * with, or to load models that use, a custom activation.
 *
 * In the predict-only library (libtinynet_rt) the built-in modules have no backward
 * (NULL): nothing there trains. A module registered there must still give one, as
 * everywhere. */
#ifndef TINYNET_ACTIVATION_H
#define TINYNET_ACTIVATION_H

#include "tinynet/tinynet.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

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
    float min, max;     /* accepted closed range, compared in float (0.001f admits 0.001) */
    const char *doc;    /* one line for the config reference, e.g. "slope for x < 0"; may be
                         * NULL (then documented by its name, default and range only) */
    int kind;           /* TN_ACT_PARAM_NUMBER (0), or TN_ACT_PARAM_BOOL: true/false in
                         * JSON (or 0/1), held as 0.0f or 1.0f */
} tn_act_param;

enum { TN_ACT_PARAM_NUMBER, TN_ACT_PARAM_BOOL };

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
    /* Checks between parameters (e.g. lower <= upper), after each is in its range: NULL
     * when they agree, else a message. May be NULL. */
    const char *(*check)(const float *hyper);
} tn_activation;

/* Registers a module under m->name (the struct must outlive its use; it is not copied).
 * Process-wide: register before building or loading networks that use it. Fails with
 * TN_EINVAL on a missing field, a name already taken, or a name (of the module or a
 * parameter) that is not 1 to 63 letters, digits, '_' or '-' ("type" is reserved). */
TN_API int tn_activation_register(const tn_activation *m, tn_error *err);
TN_API const tn_activation *tn_activation_find(const char *name);
TN_API size_t tn_activation_count(void);
TN_API const tn_activation *tn_activation_at(size_t i);

/* The registered name closest to name (for "did you mean"), or NULL when none is close. */
TN_API const char *tn_activation_suggest(const char *name);

#ifdef __cplusplus
}
#endif
#endif
