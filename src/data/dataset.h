/* A dataset in memory: rows of every network input (in input order) and optionally
 * targets, as every data format produces them and the training loop, evaluation and
 * prediction consume them; and the checks every format applies to ids and targets. */
#ifndef TN_DATA_DATASET_H
#define TN_DATA_DATASET_H

#include "graph/graph.h"
#include "model/scaling.h"

#include <stddef.h>
#include <stdint.h>

/* Owns its buffers. */
typedef struct tn_dataset {
    size_t rows;
    int n_inputs;
    float *x[TN_MAX_INPUTS];    /* rows x width[i] */
    size_t width[TN_MAX_INPUTS];
    float *t;                   /* rows x t_width, NULL when unlabelled */
    size_t t_width;
    int scaled;                 /* the float input is already scaled (model/scaling.h) */
    char **keys;                /* [rows] each row's id or key as text (predict passes it
                                 * through), or NULL; tn__strdup'ed */
} tn_dataset;

int tn__dataset_new(size_t rows, int n_inputs, const size_t *widths, size_t t_width,
                    tn_dataset **out, tn_error *err);
void tn__dataset_free(tn_dataset *d);
/* Seeded split: the last `fraction` of a shuffled order becomes *val (shuffled by the
 * seed's data stream; _stream: by another of core/rng.h's streams). */
int tn__dataset_split(const tn_dataset *d, double fraction, unsigned long long seed,
                      tn_dataset **train, tn_dataset **val, tn_error *err);
int tn__dataset_split_stream(const tn_dataset *d, double fraction, unsigned long long seed,
                             unsigned stream, tn_dataset **train, tn_dataset **val,
                             tn_error *err);
/* A new dataset of d's rows rows[0..n) (inputs and targets, not keys), in that order. */
int tn__dataset_pick(const tn_dataset *d, const uint32_t *rows, size_t n, tn_dataset **out,
                     tn_error *err);
/* Applies the model's input scaling to d in place, once (d->scaled); harmless for "none". */
void tn__dataset_scale(tn_dataset *d, const tn_scaling *s);
/* Whether d's inputs fit net's (count and widths) and d has rows. */
int tn__dataset_check(const tn_net *net, const tn_dataset *d, tn_error *err);

/* What targets must be, as a loss declares it (loss/loss.h). */
enum tn_target_kind {
    TN_TARGET_ANY,   /* any finite number (regression) */
    TN_TARGET_PROB,  /* each in [0, 1] (independent labels) */
    TN_TARGET_CLASS  /* one column of class indices in [0, classes), or one column per
                      * class of [0, 1] values summing to 1 (one-hot or probabilities) */
};

typedef struct tn_target_rule {
    int kind;               /* enum tn_target_kind */
    size_t classes;         /* TN_TARGET_CLASS: the output width */
    const char *needed_by;  /* the loss, named in messages */
} tn_target_rule;

/* Where rows came from, for messages: "<name>: line 17: ..." (lines NULL: "data row 17"). */
typedef struct tn_origin {
    const char *name;
    const size_t *lines;    /* [rows] the 1-based line of each row, or NULL */
} tn_origin;

/* Checks the rows of ids x (one per row) of index input `in`, read from column col. */
int tn__check_ids(const tn_origin *o, const tn_node *in, const char *col, const float *x,
                  size_t rows, tn_error *err);
/* Checks d's targets (first target column called col) against the rule. */
int tn__check_targets(const tn_origin *o, const tn_target_rule *rule, const tn_dataset *d,
                      const char *col, tn_error *err);

#endif
