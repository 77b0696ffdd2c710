#include "train/session.h"

#include "core/alloc.h"
#include "core/blas.h"
#include "core/error.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int opened(tn_session *s, int rc)
{
    if (rc == TN_OK)
        s->threads = s->config->threads;
    return rc;
}

int tn__session_open(const char *config_path, tn_session *s, tn_error *err)
{
    memset(s, 0, sizeof *s);
    return opened(s, tn__config_load(config_path, &s->config, err));
}

int tn__session_open_text(const char *name, const char *text, size_t len, tn_session *s,
                          tn_error *err)
{
    memset(s, 0, sizeof *s);
    return opened(s, tn__config_parse(name, text, len, &s->config, err));
}

static void free_data(tn_session *s)
{
    tn__data_loaded_free(&s->data);
    tn__scaling_free(&s->scaling);
    s->loaded = 0;
}

int tn__session_load_data(tn_session *s, tn_error *err)
{
    free_data(s);
    s->trained = 0; /* new rows, new scaling: no fit of the old ones may be saved */
    tn_config *c = s->config;
    tn_data_ctx ctx = tn__config_data_ctx(c);
    tn_data_loaded *d = &s->data;
    int rc = c->data.format->load(c->data.state, &ctx, c->train.seed, d, err);
    if (rc == TN_OK && !(rc = tn__scaling_fit(&s->scaling, c->scaling, d->type_max, c->net,
                                              d->train->x, d->train->rows, err))) {
        tn__dataset_scale(d->train, &s->scaling);
        tn__dataset_scale(d->test, &s->scaling);
    }
    if (rc) {
        free_data(s);
        return rc;
    }
    s->loaded = 1;
    s->data_seed = c->train.seed;
    return TN_OK;
}

int tn__session_val_kind(const tn_session *s)
{
    return !s->data.test ? -1 : s->data.holdout ? 0 : 1;
}

int tn__session_init(tn_session *s, tn_error *err)
{
    tn_config *c = s->config;
    int fresh = s->loaded && s->data_seed == c->train.seed;
    int rc = fresh ? TN_OK : tn__session_load_data(s, err);
    s->trained = 0; /* the parameters start over */
    if (rc == TN_OK)
        tn__net_init_params(c->net, c->train.seed);
    /* Whatever runs the network next (a fit, statistics) runs at the trainer's count. */
    tn__blas_set_threads(s->threads);
    return rc;
}

int tn__session_fit(tn_session *s, const tn_train_hooks *hooks, tn_error *err)
{
    tn_config *c = s->config;
    s->trained = 0; /* whatever fails below, nothing stale may be saved */
    int rc = tn__session_init(s, err);
    if (rc)
        return rc;
    rc = tn__train(c->net, &c->loss, &c->optim, &c->train, s->data.train, s->data.test, hooks,
                   &s->result, err);
    if (rc == TN_OK)
        rc = tn__evaluate(c->net, &c->loss, s->data.train, NULL, c->train.batch_size,
                          &s->final_train, err);
    s->fit_seed = c->train.seed;
    s->fit_threads = s->threads;
    s->trained = rc == TN_OK;
    return rc;
}

/* "<what>_loss" and "<what>_accuracy" (none for regression), as `train` prints them. */
static int add_metrics(cJSON *o, const char *what, const tn_metrics *m)
{
    char key[32];
    snprintf(key, sizeof key, "%s_loss", what);
    if (!cJSON_AddNumberToObject(o, key, m->loss))
        return 0;
    snprintf(key, sizeof key, "%s_accuracy", what);
    return isnan(m->accuracy) || cJSON_AddNumberToObject(o, key, m->accuracy) != NULL;
}

static cJSON *training_record(const tn_session *s)
{
    const tn_config *c = s->config;
    const tn_train_result *res = &s->result;
    int val = tn__session_val_kind(s);
    cJSON *o = cJSON_CreateObject();
    int ok = o && cJSON_AddStringToObject(o, "config", c->path) &&
             cJSON_AddNumberToObject(o, "seed", (double)s->fit_seed) &&
             cJSON_AddNumberToObject(o, "threads", s->fit_threads) &&
             cJSON_AddNumberToObject(o, "epochs", res->epochs_run) &&
             cJSON_AddNumberToObject(o, "best_epoch", res->best_epoch) &&
             add_metrics(o, "train", &s->final_train) &&
             (val < 0 || add_metrics(o, val ? "test" : "validation", &s->result.val));
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static void free_model(tn_session *s)
{
    cJSON_Delete(s->model.loss);
    cJSON_Delete(s->model.data);
    cJSON_Delete(s->model.training);
    memset(&s->model, 0, sizeof s->model);
}

int tn__session_model(tn_session *s, const tn_model **out, tn_error *err)
{
    const tn_config *c = s->config;
    *out = NULL;
    free_model(s);
    tn_data_ctx ctx = tn__config_data_ctx(c);
    cJSON *holder = cJSON_CreateObject();
    tn_model *m = &s->model;
    m->net = c->net;
    m->scaling = s->scaling; /* a view: the session owns the statistics */
    int ok = holder && tn__data_spec_record(&c->data, &ctx, holder) == TN_OK &&
             (m->data = cJSON_DetachItemFromObjectCaseSensitive(holder, "data")) &&
             (m->loss = tn__loss_json(&c->loss)) &&
             (!s->trained || (m->training = training_record(s)));
    cJSON_Delete(holder);
    if (!ok) {
        free_model(s);
        return tn__err(err, TN_ENOMEM, "out of memory building the model header");
    }
    *out = m;
    return TN_OK;
}

int tn__session_save(tn_session *s, const char *path, tn_error *err)
{
    if (!s->trained)
        return tn__err(err, TN_EINVAL, "%s: nothing to save: the network has not been trained",
                       path);
    const tn_model *m;
    int rc = tn__session_model(s, &m, err);
    if (rc)
        return tn__err_prefix(err, "%s", path);
    return tn__model_save(path, m, err);
}

void tn__session_close(tn_session *s)
{
    free_model(s);
    free_data(s);
    tn__config_free(s->config);
    memset(s, 0, sizeof *s);
}
