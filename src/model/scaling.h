/* Input scaling, fitted on the training set and kept in the model file so that train,
 * eval, predict and the embedded runtime feed the network the same numbers.
 *
 * Every kind is the same transform of the network's one float input (index inputs are
 * never scaled), feature j of each row:
 *
 *     x'[j] = (x[j] - mean[j']) / std[j']      in float arithmetic, j' = n == 1 ? 0 : j
 *
 * "unit":        mean 0, std = the largest value of the data's type (255 for IDX bytes),
 *                or the largest |x| of the training set when the type has no maximum
 *                (CSV); one shared value (n == 1), so images keep their look.
 * "standardize": per-feature mean and standard deviation of the training set (n == width);
 *                a constant feature (std below 1e-6) gets std 1, so it is only centred.
 *                Per feature rather than global because CSV columns have unrelated units;
 *                for images it is what scikit-learn's StandardScaler does.
 * "none":        no transform (n == 0).
 *
 * Model header: "scaling": {"kind": "standardize", "input": "pixels", "mean": [...],
 * "std": [...]}, absent for "none"; arrays of 1 or width finite numbers, std > 0. */
#ifndef TN_MODEL_SCALING_H
#define TN_MODEL_SCALING_H

#include "core/json.h"
#include "graph/graph.h"

#define TN_SCALING_MIN_STD 1e-6 /* below it a feature counts as constant: only centred */

enum tn_scaling_kind { TN_SCALING_NONE, TN_SCALING_UNIT, TN_SCALING_STANDARDIZE };
extern const char *const tn__scaling_names[]; /* "none", "unit", "standardize" */

typedef struct tn_scaling {
    int kind;
    int input;          /* the float input node it applies to */
    size_t n;           /* 0 (none), 1 (shared) or the input's width */
    float *mean, *std;  /* [n] */
} tn_scaling;

/* The network's one float input, or -1 (and a message in err) when it has none or several. */
int tn__scaling_input(const tn_net *net, tn_error *err);
/* Fits kind on rows of training inputs (x[i]: rows x width of input i, in input order).
 * type_max: the largest value of the data's type (0 when it has none). */
int tn__scaling_fit(tn_scaling *s, int kind, float type_max, const tn_net *net,
                    float *const *x, size_t rows, tn_error *err);
/* Applies the transform above to rows x W values of the scaled input, in place; harmless
 * for "none" or NULL. */
void tn__scaling_apply_rows(const tn_scaling *s, float *x, size_t rows, size_t W);
/* Undoes it for one row of the scaled input (for pictures of the data). */
void tn__scaling_invert_row(const tn_scaling *s, float *x, size_t width);
/* Adds "scaling" to a model header (nothing for "none"). */
int tn__scaling_describe(const tn_scaling *s, const tn_net *net, cJSON *header);
/* Reads the "scaling" object v of a model header (r's path is at the header root). */
int tn__scaling_parse(tn_jr *r, const cJSON *v, const tn_net *net, tn_scaling *out);
void tn__scaling_free(tn_scaling *s);

#endif
