#include "cli/recsys.h"

#include "core/error.h"

#include <stdio.h>
#include <string.h>

int tn_cli_recsys_load(const tn_config *c, tn_dataset **train, tn_dataset **test,
                       tn_cli_recsys *rs, tn_error *err)
{
    const tn_ratings_cfg *rc_ = &c->data.ratings;
    const tn_net *net = c->net;
    int ui = tn__net_find_node(net, rc_->user_input), ii = tn__net_find_node(net, rc_->item_input);
    tn_ratings *r = NULL;
    memset(rs, 0, sizeof *rs);
    *train = *test = NULL;
    int rc = tn__ratings_read(c->data.train, rc_, net->nodes[ui].vocab, net->nodes[ii].vocab, 1,
                              &r, err);
    if (rc == TN_OK)
        rc = tn__implicit_build(r, rc_->threshold, c->train.seed, &rs->im, err);
    tn__ratings_free(r);
    if (rc == TN_OK)
        rc = tn__implicit_train_set(rs->im, net, rc_, c->train.seed, train, err);
    if (rc == TN_OK)
        rc = tn__rank_set_build(rs->im, rc_, c->train.seed, &rs->ranks, err);
    if (rc == TN_OK)
        rc = tn__rank_set_pairs(rs->ranks, net, rc_, test, err);
    if (rc) {
        tn__dataset_free(*train);
        tn__dataset_free(*test);
        *train = *test = NULL;
        tn_cli_recsys_free(rs);
    }
    return rc;
}

int tn_cli_recsys_report(const tn_config *c, const tn_cli_recsys *rs, tn_error *err)
{
    tn_recsys_report rep;
    int rc = tn__recsys_evaluate(c->net, rs->im, rs->ranks, &c->data.ratings, &rep, err);
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

void tn_cli_recsys_free(tn_cli_recsys *rs)
{
    tn__implicit_free(rs->im);
    tn__rank_set_free(rs->ranks);
    memset(rs, 0, sizeof *rs);
}
