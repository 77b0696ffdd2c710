/* tinynet/recsys.h: the ranking report of a trainer on ratings data, and recommendations
 * from a model trained on them. */
#include "api/api.h"

#include "core/alloc.h"
#include "core/error.h"
#include "data/implicit.h"
#include "recsys/recsys.h"
#include "train/session.h"
#include "tinynet/recsys.h"

#include <string.h>

int tn_trainer_ranking(tn_trainer *t, tn_ranking *out)
{
    if (!t || !out)
        return TN_EINVAL;
    tn__err_clear(&t->err);
    const tn_session *s = &t->s;
    if (s->config->data.format != tn__data_format_find("ratings") || !s->data.extra)
        return tn__err(&t->err, TN_ENOTFOUND, "a ranking report needs ratings data (and the "
                       "data loaded)");
    return tn__recsys_evaluate(s->config->net, s->data.extra, out, &t->err);
}

int tn_recommend(const tn_model *m, long long user, const char *ratings_path, size_t top,
                 tn_recommendation *out, size_t *n, tn_error *err)
{
    if (!m || !out || !n)
        return tn__err(err, TN_EINVAL, "tn_recommend: NULL argument");
    *n = 0;
    tn_data_ctx ctx = tn__api_data_ctx(m, NULL);
    tn_data_spec spec = {0};
    int rc = tn__data_spec_of_model(m, NULL, &ctx, &spec, err);
    if (rc == TN_OK && spec.format != tn__data_format_find("ratings"))
        rc = tn__err(err, TN_EINVAL, "the model was trained on %s data, not ratings: it is not "
                     "a recommender", spec.format->name);
    if (rc) {
        tn__data_spec_free(&spec);
        return rc;
    }
    const tn_ratings_cfg *c;
    const char *train;
    tn__data_ratings_settings(&spec, &c, &train);
    const tn_net *net = m->net;
    size_t n_users = net->nodes[tn__net_find_node(net, c->user_input)].vocab;
    size_t n_items = net->nodes[tn__net_find_node(net, c->item_input)].vocab;
    tn_ratings *rated = NULL;
    if (!ratings_path && !train)
        rc = tn__err(err, TN_EINVAL, "the model records no ratings file: give one");
    else if (user - c->id_base < 0 || user - c->id_base >= (long long)n_users)
        rc = tn__err(err, TN_ERANGE, "user %lld is outside the vocabulary [%lld, %lld)", user,
                     c->id_base, (long long)n_users + c->id_base);
    else if ((rc = tn__ratings_read(ratings_path ? ratings_path : train, c, n_users, n_items, 0,
                                    &rated, err)) && rc == TN_EIO && !ratings_path)
        tn__err_prefix(err, "the ratings file recorded in the model");
    if (rc == TN_OK)
        rc = tn__recsys_recommend(net, c, rated, (uint32_t)(user - c->id_base), top, out, n,
                                  err);
    tn__ratings_free(rated);
    tn__data_spec_free(&spec);
    return rc;
}
