/* The network: named inputs and layers wired into a small DAG, one flat parameter
 * buffer, and run contexts that own the per-batch buffers.
 *
 * A tn_net is the architecture plus its parameters P. After training it is read-only,
 * so several threads can run it at once, each with its own tn_run (activations,
 * gradients, noise stream). Layers are modules behind layers/layer.h; the graph wires
 * them, carves their buffers and applies each layer's activation (L->act). */
#ifndef TN_GRAPH_GRAPH_H
#define TN_GRAPH_GRAPH_H

#include "core/rng.h"
#include "core/json.h"
#include "graph/plan.h"
#include "core/registry.h"
#include "layers/layer.h"
#include "tinynet/tinynet.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#define TN_MAX_INPUTS 16         /* named inputs of one network */

typedef struct tn_net tn_net;
typedef struct tn_run tn_run;

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
    tn_net_plan *plan;          /* the inference buffer plan (graph/plan.h) */
};

/* A run context: everything one thread needs to run a batch of up to max_batch rows.
 * Buffers are carved from one block: [G | dout of every layer node] (zeroed together
 * each step), then the node outputs, the pre-activations and their gradients of layers
 * with an activation, then the layers' work buffers. */
struct tn_run {
    const tn_net *net;
    size_t max_batch;
    int training;               /* training mode: dropout/rrelu sample, buffers for backward */
    int fused_output;           /* the loss writes dL/dz of the output layer's activation */
    float **out;                /* per node: max_batch x width (inputs are filled by the caller) */
    float **dout;               /* per node: gradients (training contexts only; NULL for inputs) */
    float **pre, **dpre;        /* per layer with an activation: z and dL/dz; else NULL */
    tn_layer_io *io;            /* per layer: its view of the buffers above */
    float *G;                   /* gradients, laid out like P (training contexts only) */
    size_t grad_floats;         /* floats of [G | dout], cleared by zero_grad (training) */
    tn_rng noise;               /* dropout masks, rrelu slopes */
    /* Rows of the global batch before and after this run's rows, when a data-parallel run
     * splits each batch across processes (src/dist/): dropout skips their draws, so each
     * row gets the mask one process would give it. Zero otherwise. */
    size_t noise_skip[2];
    float *block;               /* the one allocation behind every float buffer */
    void *ptrs;                 /* the one allocation behind the pointer tables */
    int planned;                /* TN_RUN_PLANNED: buffers from the plan, in one block */
    int placed;                 /* planned in caller memory: tn__run_free frees nothing */
    char *arena;                /* planned: the arena (max_batch x the plan's bytes per row) */
};

/* ---- building --------------------------------------------------------------------- */

/* Parses "inputs" and "layers" of a config or model header (r names the file and path).
 * Allocates P (zeroed; call tn__net_init_params to initialise). */
int tn__net_from_json(tn_jr *r, const cJSON *root, tn_net **out);
/* The same, failing before anything large is allocated when the architecture needs more
 * than max_params parameters (a model file's own count). */
int tn__net_from_json_limit(tn_jr *r, const cJSON *root, size_t max_params, tn_net **out);
/* The same for a network that will be trained: `copies` floats per parameter (itself, its
 * gradient, the optimizer's state) must fit the memory budget before P is allocated; the
 * message says what for (use, e.g. "training with adam"). */
int tn__net_from_json_budget(tn_jr *r, const cJSON *root, int copies, const char *use,
                             tn_net **out);
void tn__net_init_params(tn_net *net, unsigned long long seed);
void tn__net_free(tn_net *net);
/* Normalised "inputs" and "layers" arrays added to obj (used for the model header). */
int tn__net_describe(const tn_net *net, cJSON *obj);
int tn__net_find_node(const tn_net *net, const char *name);
/* What the output node holds, as enum tn_output_kind of tinynet.h: from the activation of
 * the layer that makes it, seen through dropouts (the identity when predicting). */
int tn__net_output_kind(const tn_net *net);
const tn_layer *tn__net_output_layer(const tn_net *net);

/* ---- running ---------------------------------------------------------------------- */

enum {
    TN_RUN_TRAINING = 1u << 0, /* training mode, with gradient buffers */
    /* The loss and the output layer's activation are one step (sigmoid + binary
     * cross-entropy, softmax + categorical cross-entropy): the loss writes dL/dz into
     * tn__run_dpre of the output layer, and backward does not apply that activation's
     * derivative. Decided once, when the training context is made (tn__train_run_flags). */
    TN_RUN_FUSED_OUTPUT = 1u << 1,
    /* Inference on the network's buffer plan (graph/plan.h): buffers share memory, so after
     * a forward only the output node (and the inputs, until overwritten) can be read;
     * pass-through layers are skipped. What the runtime's contexts use. */
    TN_RUN_PLANNED = 1u << 2
};

/* A context for batches of 1 .. max_batch (<= 2^24) rows; flags: TN_RUN_*. */
/* The floats of the one block tn__run_new allocates for these arguments (the memory
 * budget's figure). */
size_t tn__run_floats(const tn_net *net, size_t max_batch, unsigned flags);
int tn__run_new(const tn_net *net, size_t max_batch, unsigned flags, unsigned long long seed,
                tn_run **out, tn_error *err);
/* A planned run (flags TN_RUN_PLANNED) in caller memory: tn__run_size bytes at mem,
 * aligned for any object (as malloc's). Nothing is allocated; tn__run_free is harmless. */
size_t tn__run_size(const tn_net *net, size_t max_batch, unsigned flags);
int tn__run_new_in(const tn_net *net, size_t max_batch, unsigned flags, void *mem, size_t size,
                   tn_run **out, tn_error *err);
void tn__run_free(tn_run *run);
void tn__run_forward(tn_run *run, size_t batch);
/* Layer l alone, then its activation (the gradient check re-runs parts of a forward). */
void tn__run_forward_layer(tn_run *run, int l, size_t batch);
/* Zeroes G and dout, then backpropagates from dout[output] (or, fused, from the output
 * layer's dpre), both written by the loss. */
void tn__run_zero_grad(tn_run *run);
void tn__run_backward(tn_run *run, size_t batch);

/* The pre-activation z of layer l and its gradient (NULL when l has no activation). */
static inline float *tn__run_pre(const tn_run *run, int l) { return run->pre[l]; }
static inline float *tn__run_dpre(const tn_run *run, int l) { return run->dpre[l]; }
/* Where layer l's activation keeps its learnable values in P (and their gradient in G). */
static inline size_t tn__layer_act_offset(const tn_layer *L) { return L->param_off + L->act_off; }

/* The keys of an input ({"name", "type", "size"}) and every layer's common keys, with their
 * descriptions (for the config reference). */
extern const char *const tn__graph_input_keys[];
extern const tn__keydoc tn__graph_input_docs[];
extern const char *const tn__graph_layer_keys[];
extern const tn__keydoc tn__graph_layer_docs[];

#endif
