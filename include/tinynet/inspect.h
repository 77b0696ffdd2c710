/* tinynet inspection: what a model is made of (layers, tensors, input format, training
 * record), a drawing of it, and statistics of its layers over data. For `tinynet info`,
 * `graph` and `study`, and for anyone who wants to look inside a network. */
#ifndef TINYNET_INSPECT_H
#define TINYNET_INSPECT_H

#include "tinynet/activation.h"
#include "tinynet/data.h"
#include "tinynet/tinynet.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

TN_API size_t tn_model_n_params(const tn_model *m);
TN_API size_t tn_model_n_layers(const tn_model *m);
/* Layer l (0-based, in topological order): out of range gives NULL / 0. */
TN_API const char *tn_model_layer_name(const tn_model *m, size_t l);
TN_API const char *tn_model_layer_type(const tn_model *m, size_t l);
TN_API size_t tn_model_layer_width(const tn_model *m, size_t l);   /* output features */
TN_API size_t tn_model_layer_params(const tn_model *m, size_t l);
TN_API size_t tn_model_layer_n_inputs(const tn_model *m, size_t l);
/* The name of the j-th node layer l reads (a model input or an earlier layer). */
TN_API const char *tn_model_layer_input(const tn_model *m, size_t l, size_t j);
/* The activation applied to layer l's output, or NULL (none). */
TN_API const tn_activation *tn_model_layer_activation(const tn_model *m, size_t l);
/* A one-line summary of layer l's settings ("relu", "rate=0.2"). */
TN_API void tn_model_layer_summary(const tn_model *m, size_t l, char *buf, size_t n);
/* Tensor k of layer l: its name ("W", "b", ...) and shape; NULL when there is none. */
TN_API const char *tn_model_tensor(const tn_model *m, size_t l, size_t k, size_t *rows,
                                   size_t *cols);

/* The input scaling stored in the model: "none", "unit" or "standardize", the input it
 * applies to (an index for tn_model_input_name) and how many statistics it holds. */
TN_API const char *tn_model_scaling(const tn_model *m, size_t *input, size_t *values);
/* Lines describing the recorded input format ("  input point <- x, y"), and the record of
 * how the model was trained as "key<TAB>value" lines; tn_free the text. */
TN_API int tn_model_data_text(const tn_model *m, char **text, tn_error *err);
TN_API int tn_model_training_text(const tn_model *m, char **text, tn_error *err);
/* The format version of the file m was read from (0 for a trainer's model, never saved). */
TN_API int tn_model_file_version(const tn_model *m);

/* How tn_model_dot draws; NULL or zeroed members give the defaults. */
typedef struct tn_dot_options {
    int left_to_right; /* rankdir=LR: inputs on the left (suits deep networks) */
    int expand;        /* every layer its own box; by default a chain of three or more
                        * identical layers is one box marked with its count ("x9") */
} tn_dot_options;
/* The network as Graphviz DOT: a title with its name and total parameters, the inputs
 * side by side, each layer a box with its name, type, output shape and parameters,
 * activations as ellipses, the output marked with what it holds; tn_free the text. */
TN_API int tn_model_dot(const tn_model *m, const tn_dot_options *opt, char **text, size_t *len,
                        tn_error *err);

/* Per-layer statistics of m over the rows of d in inference mode (batches of batch rows):
 * the mean and variance of the layer's outputs (all units and rows pooled), and the
 * fraction of dead units: units whose activation has a zero derivative on every row (NaN
 * for a layer without an activation, or a row-wise one such as softmax). out holds
 * tn_model_n_layers entries. */
typedef struct tn_layer_stats {
    double mean, var;
    double dead;
} tn_layer_stats;
TN_API int tn_layer_stats_compute(const tn_model *m, const tn_data *d, size_t batch,
                                  tn_layer_stats *out, tn_error *err);

#ifdef __cplusplus
}
#endif
#endif
