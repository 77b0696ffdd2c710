/* tinynet/recsys.h: the ranking report of a trainer on ratings data, and recommendations
 * from a model trained on them. */
#include "api/api.h"

#include "core/alloc.h"
#include "core/error.h"
#include "data/implicit.h"
#include "recsys/recsys.h"
#include "train/session.h"
#include "tinynet/recsys.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tn_trainer_ranking(tn_trainer *t, tn_ranking *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!t)
        return TN_EINVAL;
    tn__err_clear(&t->err);
    if (!out)
        return tn__err(&t->err, TN_EINVAL, "tn_trainer_ranking: NULL output");
    const tn_session *s = &t->s;
    if (s->config->data.format != tn__data_format_find("ratings"))
        return tn__err(&t->err, TN_ENOTFOUND, "a ranking report needs ratings data, and the "
                       "data are %s", s->config->data.format->name);
    if (!s->trained)
        return tn__err(&t->err, TN_EINVAL, "the trainer has not been fitted");
    return tn__recsys_evaluate(s->config->net, s->data.extra, out, &t->err);
}

int tn_recommend_id(const tn_model *m, const char *user, const char *ratings_path, size_t top,
                    tn_recommendation *out, size_t *n, tn_error *err)
{
    if (n)
        *n = 0;
    if (!m || !user || !out || !n)
        return tn__err(err, TN_EINVAL, "tn_recommend: NULL argument");
    tn_data_ctx ctx = tn__api_data_ctx(m, NULL);
    tn_data_spec spec = {0};
    tn_ratings_cfg defaults;
    const tn_ratings_cfg *c = &defaults;
    const char *train = NULL;
    int rc;
    if (tn__data_format_of_model(m) == tn__data_format_find("ratings")) {
        if ((rc = tn__data_spec_of_model(m, &ctx, &spec, err)))
            return rc;
        tn__data_ratings_settings(&spec, &c, &train);
    } else {
        /* A recommender trained on CSV pairs: the default settings, if its inputs are the
         * default "user" and "item". */
        tn_jr r;
        tn__jr_init(&r, m->source ? m->source : "model", err);
        cJSON *empty = cJSON_CreateObject();
        rc = empty ? tn__ratings_cfg_parse(&r, empty, m->net, &defaults)
                   : tn__err(err, TN_ENOMEM, "out of memory");
        cJSON_Delete(empty);
        if (rc)
            return rc;
    }
    const tn_net *net = m->net;
    size_t n_users = net->nodes[tn__net_find_node(net, c->user_input)].vocab;
    size_t n_items = net->nodes[tn__net_find_node(net, c->item_input)].vocab;
    tn_ratings *rated = NULL;
    double id = -1;
    if (c->vocab[0]) {
        long k = tn__vocab_find(c->vocab[0], user, strlen(user));
        id = (double)k;
        if (k < 0)
            rc = tn__err(err, TN_ERANGE, "user \"%s\" is not among the %zu users the model was "
                         "trained on", user, c->vocab[0]->n);
    } else {
        /* In double: no overflow of user - id_base for any user. */
        char *end;
        double v = strtod(user, &end);
        id = *end || end == user || v != floor(v) ? -1 : v - (double)c->id_base;
        if (!(id >= 0 && id < (double)n_users))
            rc = tn__err(err, TN_ERANGE, "user %s is outside the vocabulary [%lld, %lld)", user,
                         c->id_base, (long long)n_users + c->id_base);
    }
    if (rc == TN_OK && !ratings_path && !train)
        rc = tn__err(err, TN_ENOTFOUND, "%s records no ratings file to tell which items a user "
                     "has seen", m->source ? m->source : "the model");
    else if (rc == TN_OK &&
             (rc = tn__ratings_read(ratings_path ? ratings_path : train, c, n_users, n_items, 0,
                                    &rated, err)) && rc == TN_EIO && !ratings_path)
        tn__err_prefix(err, "the ratings file recorded in %s", m->source ? m->source : "the model");
    if (rc == TN_OK)
        rc = tn__recsys_recommend(net, c, rated, (uint32_t)id, top, out, n, err);
    tn__ratings_free(rated);
    tn__data_spec_free(&spec);
    return rc;
}

int tn_recommend(const tn_model *m, long long user, const char *ratings_path, size_t top,
                 tn_recommendation *out, size_t *n, tn_error *err)
{
    char id[32];
    snprintf(id, sizeof id, "%lld", user);
    return tn_recommend_id(m, id, ratings_path, top, out, n, err);
}
