#include "train/session.h"

#include "core/blas.h"
#include "core/error.h"
#include "data/load.h"
#include "model/model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int tn__session_open(const char *config_path, tn_session *s, tn_error *err)
{
    memset(s, 0, sizeof *s);
    int rc = tn__config_load(config_path, &s->config, err);
    if (rc == TN_OK)
        s->threads = s->config->threads;
    return rc;
}

/* Implicit feedback: training pairs with sampled negatives, and the held-out pairs. */
static int load_ratings(tn_session *s, tn_error *err)
{
    const tn_config *c = s->config;
    const tn_ratings_cfg *rc_ = &c->data.ratings;
    int ui = tn__net_find_node(c->net, rc_->user_input);
    int ii = tn__net_find_node(c->net, rc_->item_input);
    tn_ratings *r = NULL;
    s->val_is_test = 1;
    int rc = tn__ratings_read(c->data.train, rc_, c->net->nodes[ui].vocab,
                              c->net->nodes[ii].vocab, 1, &r, err);
    if (rc == TN_OK)
        rc = tn__implicit_build(r, rc_->threshold, c->train.seed, &s->im, err);
    tn__ratings_free(r);
    if (rc == TN_OK)
        rc = tn__implicit_train_set(s->im, c->net, rc_, c->train.seed, &s->train, err);
    if (rc == TN_OK)
        rc = tn__rank_set_build(s->im, rc_, c->train.seed, &s->ranks, err);
    if (rc == TN_OK)
        rc = tn__rank_set_pairs(s->ranks, c->net, rc_, &s->val, err);
    return rc;
}

static void free_data(tn_session *s)
{
    tn__dataset_free(s->train);
    tn__dataset_free(s->val);
    tn__scaling_free(&s->scaling);
    tn__implicit_free(s->im);
    tn__rank_set_free(s->ranks);
    s->train = s->val = NULL;
    s->im = NULL;
    s->ranks = NULL;
}

int tn__session_load_data(tn_session *s, tn_error *err)
{
    free_data(s);
    int rc = s->config->data.format == TN_DATA_RATINGS
                 ? load_ratings(s, err)
                 : tn__data_load_config(s->config, &s->train, &s->val, &s->val_is_test,
                                        &s->scaling, err);
    if (rc)
        free_data(s);
    else
        s->data_seed = s->config->train.seed;
    return rc;
}

int tn__session_fit(tn_session *s, const tn_train_hooks *hooks, tn_error *err)
{
    tn_config *c = s->config;
    s->trained = 0; /* whatever fails below, nothing stale may be saved */
    int fresh = s->train && s->data_seed == c->train.seed;
    int rc = fresh ? TN_OK : tn__session_load_data(s, err);
    if (rc)
        return rc;
    tn__blas_set_threads(s->threads);
    tn__net_init_params(c->net, c->train.seed);
    rc = tn__train(c->net, &c->loss, &c->optim, &c->train, s->train, s->val, hooks, &s->result,
                   err);
    if (rc == TN_OK)
        rc = tn__evaluate(c->net, &c->loss, s->train, c->train.batch_size, &s->final_train, err);
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
    return isnan(m->acc) || cJSON_AddNumberToObject(o, key, m->acc) != NULL;
}

static cJSON *training_record(const tn_session *s)
{
    const tn_config *c = s->config;
    const tn_train_result *res = &s->result;
    cJSON *o = cJSON_CreateObject();
    int ok = o && cJSON_AddStringToObject(o, "config", c->path) &&
             cJSON_AddNumberToObject(o, "seed", (double)s->fit_seed) &&
             cJSON_AddNumberToObject(o, "threads", s->fit_threads) &&
             cJSON_AddNumberToObject(o, "epochs", res->epochs_run) &&
             cJSON_AddNumberToObject(o, "best_epoch", res->best_epoch) &&
             add_metrics(o, "train", &s->final_train) &&
             (!s->val || add_metrics(o, s->val_is_test ? "test" : "validation", &s->result.val));
    /* `tinynet recommend` reads the training ratings back to skip what a user has seen. */
    if (ok && c->data.format == TN_DATA_RATINGS) {
        cJSON *data = tn__ratings_cfg_json(&c->data.ratings, c->data.train);
        ok = data && cJSON_AddItemToObject(o, "data", data);
        if (!ok)
            cJSON_Delete(data);
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int tn__session_save(const tn_session *s, const char *path, tn_error *err)
{
    if (!s->trained)
        return tn__err(err, TN_EINVAL, "%s: nothing to save: the network has not been trained",
                       path);
    const tn_config *c = s->config;
    cJSON *rec = training_record(s);
    if (!rec)
        return tn__err(err, TN_ENOMEM, "%s: out of memory building the model header", path);
    int rc = tn__config_save_model(c, path, &s->scaling, rec, err);
    cJSON_Delete(rec);
    return rc;
}

void tn__session_close(tn_session *s)
{
    free_data(s);
    tn__config_free(s->config);
    memset(s, 0, sizeof *s);
}
