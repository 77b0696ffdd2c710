#include "cli/recsys.h"

#include "core/alloc.h"
#include "core/error.h"

#include <stdio.h>
#include <string.h>

int tn_cli_recsys_report(const tn_config *c, const tn_implicit *im, const tn_rank_set *ranks,
                         tn_error *err)
{
    tn_recsys_report rep;
    int rc = tn__recsys_evaluate(c->net, im, ranks, &c->data.ratings, &rep, err);
    if (rc)
        return rc;
    int k = c->data.ratings.top_k;
    printf("ranking    %zu users, each held-out positive against up to %d unrated items; "
           "%zu held-out pairs\n", rep.users, c->data.ratings.eval_negatives, rep.pairs);
    char hr[16], ndcg[16];
    snprintf(hr, sizeof hr, "HR@%d", k);
    snprintf(ndcg, sizeof ndcg, "NDCG@%d", k);
    printf("%-10s %8s %8s %8s %8s\n", "scorer", "logloss", "AUC", hr, ndcg);
    printf("%-10s %8.4f %8.4f %8.4f %8.4f\n", "model", rep.model_logloss, rep.model.auc,
           rep.model.hr, rep.model.ndcg);
    printf("%-10s %8s %8.4f %8.4f %8.4f\n", "popularity", "-", rep.popularity.auc,
           rep.popularity.hr, rep.popularity.ndcg);
    return TN_OK;
}

/* The ratings settings of a model: its training record, or defaults for a model trained on
 * CSV pairs (inputs "user" and "item"). */
int tn_cli_model_ratings_cfg(const tn_model *m, const char *name, tn_ratings_cfg *c,
                             const char **train, tn_error *err)
{
    const cJSON *data = m->training ? cJSON_GetObjectItemCaseSensitive(m->training, "data") : NULL;
    char label[300];
    snprintf(label, sizeof label, "%s: training record", name);
    tn_jr r;
    tn__jr_init(&r, label, err);
    *train = NULL;
    if (data) {
        size_t mark = tn__jr_push_key(&r, "data");
        int rc = tn__ratings_cfg_from_json(&r, data, m->net, c, train);
        tn__jr_pop(&r, mark);
        return rc;
    }
    tn__ratings_cfg_defaults(c);
    cJSON *empty = cJSON_CreateObject();
    if (!empty)
        return tn__err(err, TN_ENOMEM, "out of memory");
    int rc = tn__ratings_cfg_parse(&r, empty, m->net, c);
    cJSON_Delete(empty);
    return rc;
}

/* Headerless `user item [...]` lines, scored one per line. */
int tn_cli_recsys_predict_pairs(const tn_model *m, const char *model, const char *name,
                                const char *text, size_t len, tn_error *err)
{
    tn_ratings_cfg c;
    const char *train;
    tn_ratings *rt = NULL;
    uint32_t *users = NULL, *items = NULL;
    float *scores = NULL;
    int rc = tn_cli_model_ratings_cfg(m, model, &c, &train, err);
    if (rc)
        return rc;
    size_t n_users = m->net->nodes[tn__net_find_node(m->net, c.user_input)].vocab;
    size_t n_items = m->net->nodes[tn__net_find_node(m->net, c.item_input)].vocab;
    if ((rc = tn__ratings_parse(name, text, len, &c, n_users, n_items, 0, &rt, err)))
        return rc;
    if (!(users = tn__calloc(rt->n, sizeof *users)) || !(items = tn__calloc(rt->n, sizeof *items)) ||
        !(scores = tn__floats_alloc(rt->n)))
        rc = tn__err(err, TN_ENOMEM, "out of memory for %zu pairs", rt->n);
    for (size_t k = 0; rc == TN_OK && k < rt->n; k++) {
        users[k] = rt->r[k].user;
        items[k] = rt->r[k].item;
    }
    if (rc == TN_OK)
        rc = tn__recsys_score(m->net, &c, users, items, rt->n, scores, err);
    for (size_t k = 0; rc == TN_OK && k < rt->n; k++)
        printf("%.9g\n", (double)scores[k]);
    tn__free(users);
    tn__free(items);
    tn__floats_free(scores);
    tn__ratings_free(rt);
    return rc;
}
