/* A drawing of a network as Graphviz DOT, the way Keras' plot_model draws one: inputs as
 * rounded boxes side by side at the top, each layer a box with its name, type, output
 * shape and parameter count, a layer's activation as an ellipse after it, arrows for the
 * data flow, the output marked. Rendering the DOT (dot -Tpng) is the caller's business. */
#ifndef TN_INSPECT_DOT_H
#define TN_INSPECT_DOT_H

#include "graph/graph.h"

/* The drawing's options (NULL: all 0). */
typedef struct tn_dot_opts {
    int left_to_right; /* rankdir=LR instead of top to bottom */
    int expand;        /* every layer its own box, even in a chain of identical ones */
} tn_dot_opts;

/* *out is a NUL-terminated tn__malloc'd string (free with tn__free), *len its length. A
 * title names the network with its totals; a chain of three or more identical layers is
 * one box marked with its count (unless opt->expand); the output is marked after the last
 * layer with what it holds. */
int tn__net_dot(const tn_net *net, const tn_dot_opts *opt, char **out, size_t *len,
                tn_error *err);

#endif
