/* A drawing of a network as Graphviz DOT, the way Keras' plot_model draws one: inputs as
 * rounded boxes side by side at the top, each layer a box with its name, type, output
 * shape and parameter count, a layer's activation as an ellipse after it, arrows for the
 * data flow. Rendering the DOT (dot -Tpng) is the caller's business. */
#ifndef TN_INSPECT_DOT_H
#define TN_INSPECT_DOT_H

#include "graph/graph.h"

/* *out is a NUL-terminated tn__malloc'd string (free with tn__free), *len its length. */
int tn__net_dot(const tn_net *net, char **out, size_t *len, tn_error *err);

#endif
