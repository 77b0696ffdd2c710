/* tinynet/data.h: data read in a model's recorded format, evaluation and prediction. */
#include "api/api.h"

#include "core/alloc.h"
#include "core/error.h"
#include "train/loop.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define BATCH 256 /* rows per forward pass when evaluating: a size that keeps BLAS busy */

int tn__api_model_loss(const tn_model *m, tn_loss *out, tn_error *err)
{
    return tn__loss_from_record("model header", m->loss, out, err);
}

tn_data_ctx tn__api_data_ctx(const tn_model *m, const tn_loss *loss)
{
    size_t W = m->net->nodes[m->net->output].width;
    tn_data_ctx c = {m->net, {TN_TARGET_ANY, W, "the loss"}, NULL};
    if (loss)
        c.targets = tn__loss_target_rule(loss, W);
    return c;
}

static int read_data(const tn_model *m, const tn_data_source *src, unsigned flags,
                     tn_data **out, tn_error *err)
{
    if (!out)
        return tn__err(err, TN_EINVAL, "tn_data_read: NULL output pointer");
    *out = NULL;
    if (!m)
        return tn__err(err, TN_EINVAL, "tn_data_read: NULL model");
    int targets = (flags & TN_DATA_TARGETS) != 0;
    tn_loss loss;
    tn_data_spec spec = {0};
    tn_dataset *d = NULL;
    int rc = targets ? tn__api_model_loss(m, &loss, err) : TN_OK;
    if (rc)
        return rc;
    tn_data_ctx ctx = tn__api_data_ctx(m, targets ? &loss : NULL);
    rc = tn__data_spec_of_model(m, &ctx, &spec, err);
    if (rc == TN_OK)
        rc = spec.format->read(spec.state, &ctx, src, targets, &d, err);
    tn__data_spec_free(&spec);
    if (rc == TN_OK && !(*out = tn__calloc(1, sizeof **out)))
        rc = tn__err(err, TN_ENOMEM, "out of memory");
    if (rc) {
        tn__dataset_free(d);
        return rc;
    }
    (*out)->rows = d;
    (*out)->owned = 1;
    return TN_OK;
}

int tn_data_read(const tn_model *m, const char *const *paths, int n_paths, unsigned flags,
                 tn_data **out, tn_error *err)
{
    if (!paths || n_paths < 1) {
        if (out)
            *out = NULL;
        return tn__err(err, TN_EINVAL, "tn_data_read: no file given");
    }
    tn_data_source src = {.paths = paths, .n_paths = n_paths};
    return read_data(m, &src, flags, out, err);
}

int tn_data_parse(const tn_model *m, const char *name, const char *text, size_t len,
                  unsigned flags, tn_data **out, tn_error *err)
{
    if (!text) {
        if (out)
            *out = NULL;
        return tn__err(err, TN_EINVAL, "tn_data_parse: NULL text");
    }
    tn_data_source src = {.name = name ? name : "<memory>", .text = text, .len = len};
    return read_data(m, &src, flags, out, err);
}

int tn_data_parse_part(const tn_model *m, const char *name, const char *head, size_t head_len,
                       const char *text, size_t len, size_t first_line, unsigned flags,
                       tn_data **out, tn_error *err)
{
    if (!text || (head_len && !head)) {
        if (out)
            *out = NULL;
        return tn__err(err, TN_EINVAL, "tn_data_parse_part: NULL text");
    }
    tn_data_source src = {.name = name ? name : "<memory>", .text = text, .len = len,
                          .head = head_len ? head : NULL, .head_len = head_len,
                          .first_line = first_line};
    return read_data(m, &src, flags, out, err);
}

int tn_model_data_stream_header(const tn_model *m, const char *text, size_t len)
{
    if (!m || !text)
        return -1;
    const tn_data_format *f = tn__data_format_of_model(m);
    if (!f || !f->stream_header)
        return -1;
    tn_data_ctx ctx = tn__api_data_ctx(m, NULL);
    tn_data_spec spec = {0};
    tn_error quiet = {0};
    if (tn__data_spec_of_model(m, &ctx, &spec, &quiet))
        return -1;
    int h = spec.format->stream_header(spec.state, text, len) ? 1 : 0;
    tn__data_spec_free(&spec);
    return h;
}

const char *tn_model_key_name(const tn_model *m)
{
    const cJSON *id = m && m->data ? cJSON_GetObjectItemCaseSensitive(m->data, "id") : NULL;
    const cJSON *c = cJSON_IsArray(id) ? id->child : NULL;
    return cJSON_IsString(c) ? c->valuestring : NULL;
}

const char *tn_data_key(const tn_data *d, size_t r)
{
    return d && d->rows->keys && r < d->rows->rows ? d->rows->keys[r] : NULL;
}

void tn_data_free(tn_data *d)
{
    if (!d)
        return;
    if (d->owned)
        tn__dataset_free(d->rows);
    tn__free(d);
}

size_t tn_data_rows(const tn_data *d) { return d ? d->rows->rows : 0; }
int tn_data_has_targets(const tn_data *d) { return d && d->rows->t != NULL; }

int tn_data_row(const tn_data *d, size_t i, size_t r, float *out)
{
    if (!d || !out || i >= (size_t)d->rows->n_inputs || r >= d->rows->rows)
        return TN_EINVAL;
    size_t w = d->rows->width[i];
    memcpy(out, d->rows->x[i] + r * w, w * sizeof *out);
    if (d->rows->scaled && d->scaled_by && d->scaled_by->input == (int)i)
        tn__scaling_invert_row(d->scaled_by, out, w);
    return TN_OK;
}

const float *tn_data_target(const tn_data *d, size_t r, size_t *width)
{
    if (!d || !d->rows->t || r >= d->rows->rows)
        return NULL;
    if (width)
        *width = d->rows->t_width;
    return d->rows->t + r * d->rows->t_width;
}

static int check_args(const tn_model *m, const tn_data *d, const void *out, const char *fn,
                      tn_error *err)
{
    if (!m || !d || !out)
        return tn__err(err, TN_EINVAL, "%s: NULL %s", fn, !m ? "model" : !d ? "data" : "output");
    return TN_OK;
}

int tn_evaluate(const tn_model *m, const tn_data *d, tn_metrics *out, tn_error *err)
{
    tn_loss loss;
    if (out)
        *out = (tn_metrics){0, 0, 0};
    int rc = check_args(m, d, out, "tn_evaluate", err);
    if (rc == TN_OK)
        rc = tn__api_model_loss(m, &loss, err);
    if (rc == TN_OK && m->quant)
        return tn__api_qevaluate(m, &loss, d, out, NULL, err);
    return rc ? rc : tn__evaluate(m->net, &loss, d->rows, &m->scaling, BATCH, out, err);
}

int tn_confusion(const tn_model *m, const tn_data *d, size_t *cm, tn_error *err)
{
    if (m && cm) {
        size_t W = m->net->nodes[m->net->output].width;
        memset(cm, 0, W * W * sizeof *cm);
    }
    int rc = check_args(m, d, cm, "tn_confusion", err);
    tn_loss loss;
    if (rc == TN_OK && m->quant && !(rc = tn__api_model_loss(m, &loss, err)))
        return tn__api_qevaluate(m, &loss, d, NULL, cm, err);
    return rc ? rc : tn__confusion(m->net, d->rows, &m->scaling, BATCH, cm, err);
}

/* ---- reports ------------------------------------------------------------------------ */

_Static_assert(TN_METRIC_COUNT == TN__M_COUNT, "the public metric count is the module's");
_Static_assert((int)TN_TASK_BINARY == (int)TN__TASK_BINARY &&
               (int)TN_TASK_MULTICLASS == (int)TN__TASK_MULTICLASS &&
               (int)TN_TASK_REGRESSION == (int)TN__TASK_REGRESSION,
               "the public tasks are the module's");

const char *tn_metric_name(size_t i) { return i < TN__M_COUNT ? tn__metric_names[i] : NULL; }

int tn_evaluate_report(const tn_model *m, const tn_data *d, double threshold, tn_report **out,
                       tn_error *err)
{
    if (out)
        *out = NULL;
    int rc = check_args(m, d, out, "tn_evaluate_report", err);
    if (rc == TN_OK && !(threshold >= 0 && threshold <= 1))
        rc = tn__err(err, TN_ERANGE, "the threshold must be in [0, 1], got %g", threshold);
    if (rc == TN_OK && m->quant)
        rc = tn__err(err, TN_EINVAL, "metric reports are for float models; tn_evaluate "
                     "evaluates an int8 one");
    tn_loss loss;
    if (rc == TN_OK)
        rc = tn__api_model_loss(m, &loss, err);
    tn_report *r = rc == TN_OK ? tn__calloc(1, sizeof *r) : NULL;
    if (rc == TN_OK && !r)
        rc = tn__err(err, TN_ENOMEM, "out of memory");
    if (rc == TN_OK)
        rc = tn__evaluate_report(m->net, &loss, d->rows, &m->scaling, BATCH, threshold, r, err);
    if (rc) {
        tn__free(r);
        return rc;
    }
    *out = r;
    return TN_OK;
}

void tn_report_free(tn_report *r)
{
    if (!r)
        return;
    tn__report_release(r);
    tn__free(r);
}

int tn_report_task(const tn_report *r) { return r ? r->acc.task : TN_TASK_OTHER; }

const tn_metrics *tn_report_metrics(const tn_report *r) { return r ? &r->m : NULL; }

double tn_report_metric(const tn_report *r, const char *name)
{
    int k = r && name ? tn__metric_find(name) : -1;
    return k < 0 ? NAN : r->v[k];
}

const size_t *tn_report_confusion(const tn_report *r, size_t *classes)
{
    if (classes)
        *classes = r ? r->acc.classes : 0;
    return r && r->acc.classes ? r->acc.cm : NULL;
}

int tn_report_class(const tn_report *r, size_t k, double *precision, double *recall,
                    double *f1, size_t *support)
{
    if (!r || k >= r->acc.classes || !precision || !recall || !f1)
        return TN_EINVAL;
    tn__metrics_class(&r->acc, k, precision, recall, f1, support);
    return TN_OK;
}

double tn_report_threshold(const tn_report *r) { return r ? r->acc.threshold : NAN; }

int tn_predict_data(const tn_model *m, const tn_data *d, float *out, tn_error *err)
{
    int rc = check_args(m, d, out, "tn_predict_data", err);
    if (rc == TN_OK && m->quant)
        return tn__api_qpredict(m, d, out, err);
    return rc ? rc : tn__predict(m->net, d->rows, &m->scaling, BATCH, out, err);
}

static const tn_data_format *format_of(const tn_model *m)
{
    return m ? tn__data_format_of_model(m) : NULL;
}

const char *tn_model_data_format(const tn_model *m)
{
    const tn_data_format *f = format_of(m);
    return f ? f->name : NULL;
}

const char *tn_model_data_sources(const tn_model *m)
{
    const tn_data_format *f = format_of(m);
    return f ? f->sources : NULL;
}

const char *tn_model_class_name(const tn_model *m, size_t k)
{
    const tn_data_format *f = format_of(m);
    return f && f->class_name ? f->class_name(m->data, k) : NULL;
}

int tn_model_loss(const tn_model *m, char *buf, size_t n)
{
    tn_loss loss;
    if (buf && n)
        buf[0] = '\0';
    if (!m || !buf || !n)
        return TN_EINVAL;
    int rc = tn__api_model_loss(m, &loss, NULL);
    if (rc)
        return rc;
    size_t used = (size_t)snprintf(buf, n, "%s", loss.ops->name);
    for (int i = 0; i < loss.ops->n_params && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s=%g", i ? ", " : "(",
                                 loss.ops->params[i].name, loss.param[i]);
    if (loss.ops->n_params && used < n)
        snprintf(buf + used, n - used, ")");
    return TN_OK;
}
