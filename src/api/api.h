/* What the public API implementation shares: the tn_data handle over a dataset, and the
 * model-side resolutions (its loss, its input format) that data.h, inspect.h and recsys.h
 * need on every call. The api module is the only one that fills tn_error from a handle's
 * message; the modules below it never see the public handles. */
#ifndef TN_API_API_H
#define TN_API_API_H

#include "data/format.h"
#include "loss/loss.h"
#include "model/model.h"
#include "train/session.h"
#include "tinynet/data.h"
#include "tinynet/train.h"

struct tn_data {
    tn_dataset *rows;
    const tn_scaling *scaled_by; /* the scaling rows was scaled with, or NULL (raw) */
    int owned;                   /* tn_data_free frees rows */
};

struct tn_trainer {
    tn_session s;
    int fitting;       /* inside tn_trainer_fit: its hooks may read, not change, the trainer */
    int free_pending;  /* tn_trainer_free was called from a hook: free when the fit returns */
    tn_train_hooks user_hooks; /* the caller's, wrapped (see tn_trainer_fit) */
    tn_error err;
    tn_data split[3];  /* views of the session's training, validation and test rows */
};

/* The loss m records, resolved against the loss registry. */
int tn__api_model_loss(const tn_model *m, tn_loss *out, tn_error *err);
/* What a format module is told when reading data for m (the network, the targets its loss
 * needs); loss may be NULL when no targets are read. */
tn_data_ctx tn__api_data_ctx(const tn_model *m, const tn_loss *loss);

/* An int8 model (m->quant) over a tn_data: outputs, and loss, accuracy and (cm != NULL) the
 * confusion matrix (api/quantize.c). */
int tn__api_qpredict(const tn_model *m, const tn_data *d, float *out, tn_error *err);
int tn__api_qevaluate(const tn_model *m, const tn_loss *loss, const tn_data *d,
                      tn_metrics *out, size_t *cm, tn_error *err);

#endif
