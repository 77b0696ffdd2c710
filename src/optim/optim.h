/* Optimizer modules over the flat parameter and gradient blocks (PyTorch's update rules).
 * One file per optimizer plus one line in optim/registry.c.
 *
 * In JSON an optimizer is a name ("adam") or an object: {"type": "sgd", "lr": 0.1,
 * "momentum": 0.9}. Every optimizer takes lr, weight_decay and clip_norm (the global
 * gradient norm is clipped before the step); its own parameters come from its table, so
 * parsing, checking and documenting them is one loop for all. */
#ifndef TN_OPTIM_OPTIM_H
#define TN_OPTIM_OPTIM_H

#include "core/json.h"
#include "core/registry.h"
#include "tinynet/tinynet.h"

#include <stddef.h>
#include <stdint.h>

#define TN_OPTIM_MAX_PARAMS 6
#define TN_OPTIM_MAX_STATE 4

typedef struct tn_optim_ops tn_optim_ops;

enum tn_optim_param_kind {
    TN_PARAM_CLOSED,  /* a number in [lo, hi] */
    TN_PARAM_OPEN_LO, /* a number in (lo, hi] */
    TN_PARAM_BOOL     /* true or false (def 0 or 1) */
};

typedef struct tn_optim_param {
    const char *name;  /* JSON key */
    int kind;          /* enum tn_optim_param_kind */
    double def, lo, hi;
    const char *doc;   /* one line for the config reference (default and range are added) */
} tn_optim_param;

typedef struct tn_optim_cfg {
    const tn_optim_ops *ops;
    double lr;
    double weight_decay;  /* L2 added to the gradient, or decoupled (adamw) */
    double clip_norm;     /* clip the global gradient norm to this (0 = off) */
    double p[TN_OPTIM_MAX_PARAMS]; /* the module's own, in the order of ops->params */
} tn_optim_cfg;

/* A table of P whose gradient lies in the rows a batch used (an embedding's E): which
 * rows this step touched, each once. An optimizer with a lazy mode (adam's "lazy") updates
 * only those rows of the table; others ignore it. */
typedef struct tn_optim_rows {
    size_t offset, n_rows, dim;  /* the table: floats from the start of P, rows x dim */
    const uint32_t *rows;        /* this step's rows, each once */
    size_t n_touched;
} tn_optim_rows;

typedef struct tn_optim {
    tn_optim_cfg cfg;
    size_t n;
    long long t;                       /* steps taken, counting this one during step */
    float *state[TN_OPTIM_MAX_STATE];  /* momentum buffers, moments: each laid out like P */
    const tn_optim_rows *tables;       /* row-sparse tables, by offset; NULL: none known */
    int n_tables;
} tn_optim;

struct tn_optim_ops {
    const char *name;          /* registry key, used in JSON */
    const char *doc;           /* one line for the config reference: what it is */
    double lr, weight_decay;   /* their defaults for this optimizer */
    int n_params;
    tn_optim_param params[TN_OPTIM_MAX_PARAMS];
    /* Checks between parameters once all are read (r is at the optimizer object); may be
     * NULL. */
    int (*check)(tn_jr *r, const tn_optim_cfg *c);
    /* How many state blocks of n floats the step uses (0 .. TN_OPTIM_MAX_STATE). */
    int (*n_state)(const tn_optim_cfg *c);
    /* One update of P from G; o->t is already the number of this step (1-based). */
    void (*step)(tn_optim *o, float *P, const float *G);
    /* Non-zero when this configuration updates o->tables row-wise (lazily): the trainer
     * then lists each step's rows. May be NULL (never). */
    int (*lazy_rows)(const tn_optim_cfg *c);
};

/* The keys every optimizer takes (lr, weight_decay, clip_norm), documented. */
extern const tn__keydoc tn__optim_common_docs[];

size_t tn__optim_ops_count(void);
const tn_optim_ops *tn__optim_ops_at(size_t i);
const tn_optim_ops *tn__optim_ops_find(const char *name);
/* The names, NULL-terminated, from tn__malloc (tn__free it); NULL when out of memory. */
const char **tn__optim_ops_names(void);

/* The optimizer's defaults. */
void tn__optim_defaults(tn_optim_cfg *c, const tn_optim_ops *ops);
/* Reads root[key]: absent is "adam" with its defaults, a name gives that optimizer's
 * defaults, an object sets its parameters (unknown keys and ranges checked). */
int tn__optim_parse(tn_jr *r, const cJSON *root, const char *key, tn_optim_cfg *out);

int tn__optim_new(const tn_optim_cfg *c, size_t n, tn_optim **out, tn_error *err);
void tn__optim_free(tn_optim *o);
/* One update of P from G (G may be modified by clipping). */
void tn__optim_step(tn_optim *o, float *P, float *G);
/* Whether the configuration updates row-sparse tables lazily (tn_optim_rows). */
int tn__optim_lazy_rows(const tn_optim_cfg *c);

#endif
