/* Optimizers over the flat parameter and gradient buffers (PyTorch's update rules). */
#ifndef TN_TRAIN_OPTIM_H
#define TN_TRAIN_OPTIM_H

#include "tinynet/tinynet.h"

#include <stddef.h>

enum tn_optim_kind { TN_OPTIM_SGD, TN_OPTIM_ADAM, TN_OPTIM_ADAMW };
extern const char *const tn__optim_names[]; /* "sgd", "adam", "adamw" */

typedef struct tn_optim_cfg {
    int kind;
    double lr;
    double momentum;      /* sgd */
    int nesterov;         /* sgd */
    double beta1, beta2, eps; /* adam(w) */
    double weight_decay;  /* L2 added to the gradient (sgd, adam); decoupled for adamw */
    double clip_norm;     /* clip the global gradient norm to this (0 = off) */
} tn_optim_cfg;

typedef struct tn_optim {
    tn_optim_cfg cfg;
    size_t n;
    long long t;          /* steps taken */
    float *m, *v;         /* state: momentum buffer / Adam moments, laid out like P */
} tn_optim;

void tn__optim_defaults(tn_optim_cfg *c, int kind);
int tn__optim_new(const tn_optim_cfg *c, size_t n, tn_optim **out, tn_error *err);
void tn__optim_free(tn_optim *o);
/* One update of P from G (G may be modified by clipping and weight decay). */
void tn__optim_step(tn_optim *o, float *P, float *G);

#endif
