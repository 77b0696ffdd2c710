/* A trained network in a .tnn file: the container of model/modelfile.h holding a JSON
 * header (normalised architecture, loss, input format, scaling, tensor shapes, training
 * record) and the flat parameters. Loading re-validates the architecture with the config parser and
 * checks every tensor shape against it before the parameters are trusted. */
#ifndef TN_MODEL_MODEL_H
#define TN_MODEL_MODEL_H

#include "model/scaling.h"
#include "graph/graph.h"

#define TN_MODEL_FORMAT "tinynet-model" /* the header's "format" */

/* The public tn_model handle of tinynet.h is this struct (same tag): the runtime API
 * works on it directly. */
typedef struct tn_model {
    char *source;        /* the file (or "(buffer)") it was read from, for messages; NULL
                          * for a model that was never saved (a trainer's) */
    int version;         /* of the file it was read from (0: never saved) */
    tn_net *net;
    cJSON *loss;         /* the loss as recorded: "mse" or {"type": "huber", ...} */
    cJSON *data;         /* the input format it was trained on: {"format": "csv", ...} */
    cJSON *columns;      /* files from before "data": the CSV columns, or NULL */
    tn_scaling scaling;  /* apply to its input data first (tn__scaling_apply) */
    cJSON *training;     /* free-form record of how it was trained (may be NULL) */
    /* An int8 model (tn_model_quantize) is a view of its float model, whose network,
     * records and scaling it shares (base outlives it), with its own int8 form. */
    const struct tn_model *base;
    struct tn_qnet *quant;
} tn_model;

/* Writes m atomically (m may be a view of parts owned elsewhere: nothing is freed). */
int tn__model_save(const char *path, const tn_model *m, tn_error *err);
/* The bytes tn__model_save writes, in a new tn__malloc'd buffer (tn__free it). */
int tn__model_encode(const tn_model *m, unsigned char **out, size_t *len, tn_error *err);
int tn__model_load(const char *path, tn_model **out, tn_error *err);
/* Either form, with flags: buf != NULL decodes len bytes of memory named `name`, else reads
 * the file at path `name`. */
#define TN__MODEL_ALLOW_NONFINITE 1u
int tn__model_open(const char *name, const unsigned char *buf, size_t len, unsigned flags,
                   tn_model **out, tn_error *err);
int tn__model_decode(const char *name, const unsigned char *buf, size_t len, tn_model **out,
                     tn_error *err);
void tn__model_free(tn_model *m);

#endif
