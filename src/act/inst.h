/* An activation module as one layer uses it: the module, its fixed parameters, and how
 * many learnable values it owns at this layer's width. Read from and written to JSON
 * ("relu" or {"type": "leaky_relu", "alpha": 0.1}); knows nothing of networks. */
#ifndef TN_ACT_INST_H
#define TN_ACT_INST_H

#include "core/json.h"
#include "core/rng.h"
#include "tinynet/activation.h"

typedef struct tn_act_inst {
    const tn_activation *m;
    float hyper[TN_ACT_MAX_PARAMS];
    size_t n_learn;
} tn_act_inst;

/* Reads obj[key]: a name ("relu") or an object ({"type": "leaky_relu", "alpha": 0.1}),
 * validating every parameter; absent -> def. cols is the layer's width. */
int tn__act_inst_parse(tn_jr *r, const cJSON *obj, const char *key, const char *def,
                       size_t cols, tn_act_inst *out);
/* Writes obj[key] back: the name alone when there are no parameters, else an object. */
int tn__act_inst_describe(const tn_act_inst *a, cJSON *obj, const char *key);
void tn__act_inst_init(const tn_act_inst *a, float *learn);
/* y = f(x) and dx = f'(x) dy over a rows x cols block. learn: the instance's learnable
 * values (dlearn: their gradients) or NULL when it has none; training and rng as in
 * tn_act_ctx (random modules draw from rng in training). */
void tn__act_inst_forward(const tn_act_inst *a, const float *learn, int training, tn_rng *rng,
                          const float *x, float *y, size_t rows, size_t cols);
void tn__act_inst_backward(const tn_act_inst *a, const float *learn, float *dlearn, int training,
                           tn_rng *rng, const float *x, const float *y, const float *dy,
                           float *dx, size_t rows, size_t cols);
/* 1 for the built-in modules: their forward may run in place (y == x), which the buffer
 * plan uses; a registered module promises nothing of the kind. */
int tn__act_builtin(const tn_activation *m);
/* 1 when a sweep of this instance may be split by rows across threads (core/pool.h):
 * a built-in module with no learnable values (whose gradients would be summed over rows)
 * and no random draws in training (whose order is the stream's). */
int tn__act_splits(const tn_act_inst *a, int training);
/* The fewest rows of width cols worth a part of a split sweep. */
size_t tn__act_split_rows(size_t cols);
void tn__act_inst_summary(const tn_act_inst *a, char *buf, size_t n);

#endif
