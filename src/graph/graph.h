/* The network: named inputs and layers wired into a small DAG, one flat parameter
 * buffer, and run contexts that own the per-batch buffers.
 *
 * A tn_net is the architecture plus its parameters P. After training it is read-only,
 * so several threads can run it at once, each with its own tn_run (activations,
 * gradients, noise stream). Layers are modules behind tn_layer_ops: a new layer type is
 * one file plus one line in layers/registry.c. */
#ifndef TN_GRAPH_GRAPH_H
#define TN_GRAPH_GRAPH_H

#include "core/rng.h"
#include "core/json.h"
#include "tinynet/tinynet.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#define TN_MAX_NAME 64
#define TN_MAX_WIDTH (1u << 24)   /* features per node; keeps every size product small */
#define TN_MAX_NODES 256
#define TN_MAX_INPUTS 16         /* named inputs of one network */

typedef struct tn_net tn_net;
typedef struct tn_run tn_run;
typedef struct tn_layer tn_layer;

enum tn_node_kind { TN_NODE_FLOAT_INPUT, TN_NODE_INDEX_INPUT, TN_NODE_LAYER };

/* Every input and every layer output is a node: a batch x width float matrix. Index
 * inputs hold integer ids stored as floats (exact below 2^24 = TN_MAX_WIDTH). */
typedef struct tn_node {
    char name[TN_MAX_NAME];
    int kind;
    size_t width;   /* features per sample */
    size_t vocab;   /* index inputs: ids lie in [0, vocab) */
    int layer;      /* producing layer index, or -1 for an input */
    int consumers;  /* how many layers read it (unused inputs/layers are errors) */
} tn_node;

/* Describes one parameter tensor of a layer, for the model file and `info`. */
typedef struct tn_tensor_info {
    char name[TN_MAX_NAME];  /* "W", "b", "act" */
    size_t rows, cols;       /* a vector is 1 x n */
    size_t offset;           /* floats from the start of the layer's parameters */
} tn_tensor_info;

#define TN_MAX_TENSORS 4

typedef struct tn_layer_ops {
    const char *type;
    const char *const *keys;  /* JSON keys of this type, besides type/name/input(s) */
    int min_inputs, max_inputs;
    /* Read own keys from obj, check the input widths, set L->width and L->n_params,
     * L->work (floats per sample of per-batch buffers) and L->tensors. */
    int (*configure)(tn_layer *L, tn_jr *r, const cJSON *obj, const tn_net *net);
    void (*init_params)(const tn_layer *L, float *params, tn_rng *rng);
    /* Reads input nodes, writes the layer's output node (and its work buffer). */
    void (*forward)(const tn_layer *L, tn_run *run, size_t batch);
    /* Reads the output gradient, ADDS into input gradients and parameter gradients. */
    void (*backward)(const tn_layer *L, tn_run *run, size_t batch);
    /* Writes the layer's own keys (normalised, every default explicit) into obj. */
    int (*describe)(const tn_layer *L, cJSON *obj);
    /* A one-line summary for `tinynet info` ("relu", "p=0.2"); may be NULL. */
    void (*summary)(const tn_layer *L, char *buf, size_t n);
    /* Layers ending in an activation return it; their work buffer then starts with the
     * pre-activation z and its gradient dz (batch x width each), which a fused loss
     * (sigmoid + BCE, softmax + CE) reads and writes directly. May be NULL. */
    const struct tn_act_inst *(*activation)(const tn_layer *L);
    void (*destroy)(tn_layer *L);
} tn_layer_ops;

struct tn_layer {
    const tn_layer_ops *ops;
    char name[TN_MAX_NAME];
    int in[TN_MAX_NODES];       /* input node indices */
    int n_in;
    int node;                   /* output node index */
    size_t width;               /* output features per sample */
    size_t n_params;            /* floats in P */
    size_t param_off;           /* offset of this layer's parameters in P and G */
    size_t work;                /* floats per sample of per-batch work buffers */
    tn_tensor_info tensors[TN_MAX_TENSORS];
    int n_tensors;
    void *state;                /* type-specific configuration */
};

struct tn_net {
    char name[TN_MAX_NAME];
    tn_node nodes[TN_MAX_NODES];
    int n_nodes;
    int n_inputs;               /* nodes[0 .. n_inputs) are the inputs */
    tn_layer *layers;           /* in topological (= config) order */
    int n_layers;
    int output;                 /* the output node (the last layer's) */
    float *P;                   /* all parameters, contiguous in layer order */
    size_t n_params;
};

/* A run context: everything one thread needs to run a batch of up to max_batch rows. */
struct tn_run {
    const tn_net *net;
    size_t max_batch;
    int training;               /* training mode: dropout/rrelu sample, buffers for backward */
    float **out;                /* per node: max_batch x width (inputs are filled by the caller) */
    float **dout;               /* per node: gradients (training contexts only; NULL for inputs) */
    float **work;               /* per layer: max_batch x layer.work */
    float *G;                   /* gradients, laid out like P (training contexts only) */
    int fused_output;           /* the loss wrote d(pre-activation) of the output layer */
    tn_rng noise;               /* dropout masks, rrelu slopes */
    float *block;               /* the one allocation behind out/dout/work */
};

/* ---- building --------------------------------------------------------------------- */

/* Parses "inputs" and "layers" of a config or model header (r names the file and path).
 * Allocates P (zeroed; call tn__net_init_params to initialise). */
int tn__net_from_json(tn_jr *r, const cJSON *root, tn_net **out);
/* The same, failing before anything large is allocated when the architecture needs more
 * than max_params parameters (a model file's own count). */
int tn__net_from_json_limit(tn_jr *r, const cJSON *root, size_t max_params, tn_net **out);
void tn__net_init_params(tn_net *net, unsigned long long seed);
void tn__net_free(tn_net *net);
/* Normalised "inputs" and "layers" arrays added to obj (used for the model header). */
int tn__net_describe(const tn_net *net, cJSON *obj);
int tn__net_find_node(const tn_net *net, const char *name);
const tn_layer *tn__net_output_layer(const tn_net *net);

/* ---- running ---------------------------------------------------------------------- */

int tn__run_new(const tn_net *net, size_t max_batch, int training, unsigned long long seed,
                tn_run **out, tn_error *err);
void tn__run_free(tn_run *run);
void tn__run_forward(tn_run *run, size_t batch);
/* Zeroes G and dout, then backpropagates from dout[output] (written by the loss). */
void tn__run_zero_grad(tn_run *run);
void tn__run_backward(tn_run *run, size_t batch);

/* Layer helpers. */
static inline const float *tn__layer_params(const tn_layer *L, const tn_run *run)
{
    return run->net->P + L->param_off;
}
static inline float *tn__layer_grads(const tn_layer *L, const tn_run *run)
{
    return run->G + L->param_off;
}
static inline float *tn__layer_work(const tn_layer *L, const tn_run *run)
{
    return run->work[L - run->net->layers];
}

/* ---- layer registry ----------------------------------------------------------------- */
const tn_layer_ops *tn__layer_ops_find(const char *type);
/* Fills names (cap entries, NULL-terminated) with the registered type names. */
void tn__layer_type_names(const char **names, size_t cap);

#endif
