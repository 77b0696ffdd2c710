/* Per-layer statistics of a network over data: what `tinynet study` measures, for anyone
 * who wants to see how activations behave inside a net (tinynet/inspect.h). */
#ifndef TN_INSPECT_STATS_H
#define TN_INSPECT_STATS_H

#include "data/dataset.h"
#include "graph/graph.h"
#include "model/scaling.h"
#include "tinynet/inspect.h"

/* One inference pass over d in batches of bs rows: per layer the mean and variance of
 * the outputs (all units and rows pooled, in double) and the fraction of units whose
 * derivative f'(z) is zero on every row (NaN without a per-unit activation). scale: the
 * input scaling when d is not scaled yet (NULL: none). out has net->n_layers entries. */
int tn__layer_stats(const tn_net *net, const tn_dataset *d, const tn_scaling *scale,
                    size_t bs, tn_layer_stats *out, tn_error *err);

/* The Frobenius norm of the gradient of layer l's first tensor in run (a training run
 * after backward), in double; NaN when the layer has no parameters. */
double tn__layer_grad_norm(const tn_run *run, int l);

#endif
