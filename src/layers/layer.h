/* The layer ABI: what a layer module is, what it is told about its inputs when it is
 * configured, and the buffers it receives to run. A layer type is one file defining a
 * tn_layer_ops plus one line in layers/registry.c.
 *
 * Layers know nothing of networks. The graph (graph/) reads the common keys (type, name,
 * input/inputs), resolves the inputs, calls configure, sizes and carves every buffer,
 * binds each layer's tn_layer_io once per run context, and applies a layer's activation
 * (L->act) to its output: a layer with an activation writes the pre-activation z into
 * io->y and its backward reads dL/dz from io->dy.
 *
 * Lifecycle: configure (own keys, input shapes -> width, n_params, work, tensors) ->
 * init_params (seeded) -> forward / backward (any number of runs) -> destroy. */
#ifndef TN_LAYERS_LAYER_H
#define TN_LAYERS_LAYER_H

#include "act/inst.h"
#include "core/json.h"
#include "core/registry.h"
#include "core/rng.h"

#include <stddef.h>

#define TN_MAX_NAME 256 /* bytes: a name of TN_NAME_MAX_CHARS (63) characters of UTF-8 fits */
#define TN_MAX_WIDTH (1u << 24) /* features per node; keeps every size product small */
#define TN_MAX_NODES 256         /* inputs plus layers of one network */
#define TN_MAX_TENSORS 4

enum tn_node_kind { TN_NODE_FLOAT_INPUT, TN_NODE_INDEX_INPUT, TN_NODE_LAYER };

/* Every network input and every layer output is a node: a batch x width float matrix.
 * Index inputs hold integer ids stored as floats (exact below 2^24 = TN_MAX_WIDTH). */
typedef struct tn_node {
    char name[TN_MAX_NAME];
    int kind;
    size_t width;   /* features per sample */
    size_t vocab;   /* index inputs: ids lie in [0, vocab) */
    int layer;      /* (graph) the producing layer, or -1 for an input */
    int consumers;  /* (graph) how many layers read it */
} tn_node;

/* One parameter tensor of a layer, for the model file, `info` and inspection. */
typedef struct tn_tensor_info {
    char name[TN_MAX_NAME];  /* "W", "b", "act" */
    size_t rows, cols;       /* a vector is 1 x n */
    size_t offset;           /* floats from the start of the layer's parameters */
} tn_tensor_info;

/* The buffers of one layer in one run context, bound when the context is made. Row-major,
 * B = the batch of the call (at most max_batch). */
typedef struct tn_layer_io {
    const float *const *x;  /* [n_in] inputs, (B, width of input j) */
    float *const *dx;       /* [n_in] their gradients, added to (training; an entry is NULL
                             * for a network input, which has none) */
    float *y;               /* (B, L->width): the output, or the pre-activation when L->act */
    float *dy;              /* (B, L->width): its gradient (training) */
    const float *P;         /* the layer's L->n_params parameters */
    float *G;               /* their gradients, added to (training) */
    float *work;            /* (max_batch, L->work) the layer's own per-batch buffer */
    size_t max_batch;
    int training;           /* training mode: dropout samples masks */
    tn_rng *noise;          /* the run's noise stream (dropout masks) */
    const size_t *noise_skip; /* [2] rows of the global batch before and after these, whose
                             * per-row draws are skipped (tn_run.noise_skip) */
} tn_layer_io;

typedef struct tn_layer tn_layer;

enum {
    TN_LAYER_READS_IDS = 1u << 0,  /* may read index inputs (the embedding) */
    /* In inference its output is its one input (dropout): a planned run skips it and gives
     * its output the input's buffer, exported code has none of it. */
    TN_LAYER_PASS_THROUGH = 1u << 1
};

typedef struct tn_layer_ops {
    const char *type;           /* registry key, used in JSON */
    const char *const *keys;    /* its own JSON keys, besides type/name/input(s); NULL-ended */
    const char *doc;            /* one line for the config reference: what it computes */
    const tn__keydoc *key_docs; /* one line per key of keys, {NULL, NULL}-ended */
    int min_inputs, max_inputs;
    unsigned flags;
    /* Reads its keys from obj (r is at the layer's JSON path), checks the inputs in[0 ..
     * L->n_in), sets L->width, L->n_params, L->work, L->tensors and, when the layer ends in
     * an activation, L->act and L->act_off. May set L->state (freed by destroy). */
    int (*configure)(tn_layer *L, tn_jr *r, const cJSON *obj, const tn_node *const *in);
    void (*init_params)(const tn_layer *L, float *P, tn_rng *rng); /* may be NULL */
    void (*forward)(const tn_layer *L, const tn_layer_io *io, size_t B);
    /* Reads io->dy, ADDS into io->dx[j] and io->G (the graph zeroes them each step). */
    void (*backward)(const tn_layer *L, const tn_layer_io *io, size_t B);
    /* Writes the layer's own keys (normalised, every default explicit) into obj. */
    int (*describe)(const tn_layer *L, cJSON *obj);
    /* A one-line summary for `tinynet info` ("relu", "rate=0.2"); may be NULL. */
    void (*summary)(const tn_layer *L, char *buf, size_t n);
    void (*destroy)(tn_layer *L); /* may be NULL */
} tn_layer_ops;

struct tn_layer {
    const tn_layer_ops *ops;
    char name[TN_MAX_NAME];
    int in[TN_MAX_NODES];       /* (graph) input node indices */
    int n_in;
    int node;                   /* (graph) output node index */
    size_t width;               /* output features per sample */
    size_t n_params;            /* floats in P */
    size_t param_off;           /* (graph) offset of this layer's parameters in P and G */
    size_t work;                /* floats per sample of the work buffer */
    tn_tensor_info tensors[TN_MAX_TENSORS];
    int n_tensors;
    const tn_act_inst *act;     /* the activation the graph applies to the output, or NULL */
    size_t act_off;             /* where its learnable values start in the layer's P */
    void *state;                /* type-specific configuration */
};

/* The eps of a layer_norm layer (for exporters, which write its arithmetic out). */
double tn__layer_norm_eps(const tn_layer *L);

/* ---- the layer registry ------------------------------------------------------------- */
const tn_layer_ops *tn__layer_ops_find(const char *type);
/* The names, NULL-terminated, from tn__malloc (tn__free it); NULL when out of memory. */
const char **tn__layer_ops_names(void);
size_t tn__layer_ops_count(void);
const tn_layer_ops *tn__layer_ops_at(size_t i);

#endif
