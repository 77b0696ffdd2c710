/* tinynet/export.h's tn_model_quantize: the int8 form of a model, calibrated on data read in
 * the model's format; and evaluation and prediction of such a model over a tn_data, through
 * the runtime's int8 contexts (the same code tn_predict runs). */
#include "api/api.h"

#include "core/alloc.h"
#include "core/error.h"
#include "graph/quant.h"
#include "tinynet/export.h"

#include <math.h>
#include <string.h>

#define BATCH 256

int tn_model_quantize(const tn_model *m, const tn_data *calib, tn_model **out, tn_error *err)
{
    if (out)
        *out = NULL;
    if (!m || !calib || !out)
        return tn__err(err, TN_EINVAL, "tn_model_quantize: NULL argument");
    if (m->quant)
        return tn__err(err, TN_EINVAL, "tn_model_quantize: the model is int8 already");
    const tn_net *net = m->net;
    const tn_dataset *d = calib->rows;
    tn_qnet *q = NULL;
    tn_run *run = NULL;
    int rc = tn__dataset_check(net, d, err);
    if (rc == TN_OK && d->rows == 0)
        rc = tn__err(err, TN_EINVAL, "int8: no calibration rows");
    if (rc || (rc = tn__qnet_new(net, &q, err)) || (rc = tn__run_new(net, BATCH, 0, 0, &run, err)))
        goto done;
    /* Every calibration row through the float network, as evaluation runs it. */
    const tn_scaling *sc = &m->scaling;
    for (size_t first = 0; first < d->rows; first += BATCH) {
        size_t B = d->rows - first < BATCH ? d->rows - first : BATCH;
        for (int k = 0; k < d->n_inputs; k++)
            memcpy(run->out[k], d->x[k] + first * d->width[k], B * d->width[k] * sizeof(float));
        if (sc->kind != TN_SCALING_NONE && !d->scaled)
            tn__scaling_apply_rows(sc, run->out[sc->input], B, d->width[sc->input]);
        tn__run_forward(run, B);
        tn__qnet_observe(q, run, B);
    }
    if ((rc = tn__qnet_finish(q, err)))
        goto done;
    if (sc->kind != TN_SCALING_NONE) {
        q->scaled_input = sc->input;
        q->scale_n = sc->n;
        q->mean = sc->mean;
        q->std = sc->std;
    }
    tn_model *v = tn__calloc(1, sizeof *v);
    if (!v || (m->source && !(v->source = tn__strdup(m->source)))) {
        tn__free(v);
        rc = tn__err(err, TN_ENOMEM, "out of memory");
        goto done;
    }
    char *source = v->source;
    *v = *m; /* shares the network, its records and scaling */
    v->source = source;
    v->base = m;
    v->quant = q;
    q = NULL;
    *out = v;
done:
    tn__run_free(run);
    tn__qnet_free(q);
    return rc;
}

int tn_model_is_quantized(const tn_model *m) { return m && m->quant; }

/* rows x W outputs of an int8 model for every row of d, through one context. */
int tn__api_qpredict(const tn_model *m, const tn_data *d, float *out, tn_error *err)
{
    const tn_net *net = m->net;
    const tn_dataset *ds = d->rows;
    int rc = tn__dataset_check(net, ds, err);
    if (rc)
        return rc;
    size_t W = net->nodes[net->output].width;
    char *arena = tn__malloc(BATCH * m->quant->plan.arena + 1);
    if (!arena)
        return tn__err(err, TN_ENOMEM, "out of memory");
    for (size_t first = 0; first < ds->rows; first += BATCH) {
        size_t B = ds->rows - first < BATCH ? ds->rows - first : BATCH;
        const float *in[TN_MAX_INPUTS];
        for (int i = 0; i < ds->n_inputs; i++)
            in[i] = ds->x[i] + first * ds->width[i];
        tn__qnet_forward(m->quant, in, B, ds->scaled, arena, out + first * W);
    }
    tn__free(arena);
    return TN_OK;
}

int tn__api_qevaluate(const tn_model *m, const tn_loss *loss, const tn_data *d,
                      tn_metrics *out, size_t *cm, tn_error *err)
{
    const tn_dataset *ds = d->rows;
    size_t W = m->net->nodes[m->net->output].width;
    if (!ds->t)
        return tn__err(err, TN_EDATA, "evaluation needs labelled data");
    float *y = tn__floats_alloc(ds->rows * W + 1);
    if (!y)
        return tn__err(err, TN_ENOMEM, "out of memory");
    int rc = tn__api_qpredict(m, d, y, err);
    if (rc == TN_OK && out) {
        const tn_activation *act = tn__net_output_layer(m->net)->act
                                   ? tn__net_output_layer(m->net)->act->m : NULL;
        out->rows = ds->rows;
        out->loss = loss->ops->eval(loss, act, y, ds->t, ds->t_width, ds->rows, W, NULL) /
                    (double)ds->rows;
        out->accuracy = tn__loss_has_accuracy(loss)
                        ? (double)tn__loss_correct(loss, y, W, ds->t, ds->t_width, ds->rows) /
                          (double)ds->rows
                        : NAN;
    }
    if (rc == TN_OK && cm)
        tn__loss_confusion_add(y, W, ds->t, ds->t_width, ds->rows, cm);
    tn__floats_free(y);
    return rc;
}
