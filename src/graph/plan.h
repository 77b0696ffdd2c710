/* The buffer plan of an inference forward pass: which buffers a pass needs (node outputs,
 * pre-activations, layer work buffers), when each is live, and where each sits in one arena
 * so that buffers whose lifetimes do not overlap share memory. Computed once per network,
 * per row (a batch of B rows scales every size and offset by B), and shared by the runtime's
 * contexts (tn_ctx_size), the exported C code (its scratch size) and `tinynet info
 * --memory`, so the three always agree.
 *
 * Steps are layer indices: buffer b is live from step first to step last, inclusive. A
 * network input is live from step 0 (it is written before the pass) to its last reader, a
 * layer's output from its layer to its last reader (the output node to the last step).
 * Two things need no buffer of their own: a pass-through layer (TN_LAYER_PASS_THROUGH,
 * dropout) is its input's buffer, and a built-in activation runs in place (the layer writes
 * z into its output buffer). Packing is greedy by size (largest first, each at the lowest
 * offset that overlaps no live buffer), as TensorFlow Lite's arena planner does. */
#ifndef TN_GRAPH_PLAN_H
#define TN_GRAPH_PLAN_H

#include <stddef.h>

#define TN_PLAN_ALIGN 4 /* bytes: every buffer starts on a float boundary */

enum tn_buf_kind {
    TN_BUF_NODE,   /* a node's output (float): a network input or a layer's output */
    TN_BUF_PRE,    /* a layer's pre-activation z (float) */
    TN_BUF_WORK,   /* a layer's work buffer (float) */
    TN_BUF_QNODE,  /* int8: a node's quantized output */
    TN_BUF_FTEMP   /* int8: a float temporary of a layer run in float */
};

typedef struct tn_plan_buf {
    size_t bytes;   /* per row, a multiple of TN_PLAN_ALIGN */
    size_t offset;  /* per row, from the arena's start */
    int first, last;
    int kind;       /* enum tn_buf_kind */
    int owner;      /* the node (NODE, QNODE) or layer (PRE, WORK, FTEMP) it belongs to */
} tn_plan_buf;

typedef struct tn_plan {
    tn_plan_buf *buf;  /* [n] */
    int n, cap;
    size_t arena;      /* bytes per row: the end of the highest buffer */
    size_t unshared;   /* bytes per row if no two buffers shared memory */
} tn_plan;

/* Adds a buffer of bytes per row (rounded up to TN_PLAN_ALIGN) live from step first;
 * returns its index, or -1 when the plan is full. Bytes 0 adds nothing and returns -1. */
int tn__plan_add(tn_plan *p, size_t bytes, int first, int kind, int owner);
/* Buffer b is read at step s (extends its life). */
void tn__plan_use(tn_plan *p, int b, int s);
/* Assigns the offsets and the arena size (allocates scratch; TN_OK or TN_ENOMEM). */
int tn__plan_pack(tn_plan *p);
void tn__plan_free(tn_plan *p);
/* Which buffers share memory with b (live at different times, overlapping bytes). */
int tn__plan_shares(const tn_plan *p, int a, int b);

/* ---- the float network's plan ---------------------------------------------------------- */

#define TN_PLAN_MAX_NODES 256 /* = TN_MAX_NODES (layers/layer.h) */

typedef struct tn_net_plan {
    tn_plan p;
    int node[TN_PLAN_MAX_NODES]; /* the buffer of each node's output */
    int pre[TN_PLAN_MAX_NODES];  /* per layer: its own z buffer, or -1 (none, or in place) */
    int work[TN_PLAN_MAX_NODES]; /* per layer: its work buffer, or -1 */
} tn_net_plan;

struct tn_net;
/* Builds net->plan (TN_OK or TN_ENOMEM); the graph builder calls it. */
int tn__net_plan_build(struct tn_net *net);
void tn__net_plan_free(tn_net_plan *np);

#endif
