#include "recsys/recsys.h"

#include "core/alloc.h"
#include "core/error.h"
#include "train/loop.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- scoring and evaluation --------------------------------------------------------- */

int tn__recsys_score(const tn_net *net, const tn_ratings_cfg *c, const uint32_t *users,
                     const uint32_t *items, size_t n, float *scores, tn_error *err)
{
    tn_dataset *d;
    int ui, ii, rc = tn__ratings_pairs_dataset(net, c, n, 0, &d, &ui, &ii, err);
    if (rc)
        return rc;
    for (size_t k = 0; k < n; k++) {
        d->x[ui][k] = (float)users[k];
        d->x[ii][k] = (float)items[k];
    }
    if (net->nodes[net->output].width != 1)
        rc = tn__err(err, TN_ESHAPE, "a recommender has one output, this network %zu",
                     net->nodes[net->output].width);
    else
        rc = tn__predict(net, d, NULL, 256, scores, err);
    tn__dataset_free(d);
    return rc;
}

int tn__recsys_evaluate(const tn_net *net, const tn_ratings_extra *x, tn_ranking *out,
                        tn_error *err)
{
    const tn_implicit *im = x->im;
    const tn_rank_set *s = x->ranks;
    const tn_ratings_cfg *c = &x->cfg;
    memset(out, 0, sizeof *out);
    out->top_k = c->top_k;
    out->candidates = c->eval_negatives;
    out->popularity.logloss = NAN;
    size_t n = s->off[s->n_users], pairs = 0;
    for (size_t k = 0; k < s->n_users; k++)
        pairs += tn__rank_set_pairs_of(s, k);
    uint32_t *users = tn__calloc(n, sizeof *users);
    float *model = tn__floats_alloc(n), *pop = tn__floats_alloc(n);
    float *pm = tn__floats_alloc(pairs), *pp = tn__floats_alloc(pairs),
          *label = tn__floats_alloc(pairs);
    int rc = TN_OK;
    if (!users || !model || !pop || !pm || !pp || !label)
        rc = tn__err(err, TN_ENOMEM, "out of memory for %zu scores", n);
    for (size_t k = 0; rc == TN_OK && k < s->n_users; k++)
        for (size_t j = s->off[k]; j < s->off[k + 1]; j++) {
            users[j] = s->user[k];
            pop[j] = (float)im->popularity[s->item[j]];
        }
    if (rc == TN_OK)
        rc = tn__recsys_score(net, c, users, s->item, n, model, err);
    size_t row = 0;
    for (size_t k = 0; rc == TN_OK && k < s->n_users; k++) {
        size_t o = s->off[k], m = s->off[k + 1] - o;
        double h, g;
        tn__rank_hit(model[o], model + o + 1, m - 1, (size_t)c->top_k, &h, &g);
        out->model.hr += h;
        out->model.ndcg += g;
        tn__rank_hit(pop[o], pop + o + 1, m - 1, (size_t)c->top_k, &h, &g);
        out->popularity.hr += h;
        out->popularity.ndcg += g;
        for (size_t j = 0; j < tn__rank_set_pairs_of(s, k); j++, row++) {
            pm[row] = model[o + j];
            pp[row] = pop[o + j];
            label[row] = j == 0;
        }
    }
    if (rc == TN_OK) {
        double u = (double)s->n_users;
        out->users = s->n_users;
        out->pairs = pairs;
        out->model.hr /= u;
        out->model.ndcg /= u;
        out->popularity.hr /= u;
        out->popularity.ndcg /= u;
        out->model.logloss = tn__log_loss(pm, label, pairs);
        rc = tn__roc_auc(pm, label, pairs, &out->model.auc, err);
    }
    if (rc == TN_OK)
        rc = tn__roc_auc(pp, label, pairs, &out->popularity.auc, err);
    tn__free(users);
    tn__floats_free(model);
    tn__floats_free(pop);
    tn__floats_free(pm);
    tn__floats_free(pp);
    tn__floats_free(label);
    return rc;
}


/* ---- recommendations ------------------------------------------------------------------ */

typedef struct cand {
    float score;
    uint32_t item;
} cand;

static int best_first(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return (x->item > y->item) - (x->item < y->item); /* ties: lower id first, stable output */
}

int tn__recsys_recommend(const tn_net *net, const tn_ratings_cfg *c, const tn_ratings *rated,
                         uint32_t user, size_t top, tn_recommendation *out, size_t *n_out,
                         tn_error *err)
{
    *n_out = 0;
    /* Candidates: the items that occur (the vocabulary), else the input's whole range. */
    size_t n_items = c->vocab[1] ? c->vocab[1]->n
                                 : net->nodes[tn__net_find_node(net, c->item_input)].vocab;
    uint8_t *seen = tn__calloc(n_items, 1);
    uint32_t *items = tn__calloc(n_items, sizeof *items), *users = tn__calloc(n_items, sizeof *users);
    float *scores = tn__floats_alloc(n_items);
    cand *cands = tn__calloc(n_items, sizeof *cands);
    int rc = seen && items && users && scores && cands ? TN_OK
                                                      : tn__err(err, TN_ENOMEM, "out of memory");
    size_t n = 0;
    for (size_t k = 0; rc == TN_OK && k < rated->n; k++)
        if (rated->r[k].user == user && rated->r[k].item < n_items)
            seen[rated->r[k].item] = 1;
    for (size_t i = 0; rc == TN_OK && i < n_items; i++)
        if (!seen[i]) {
            users[n] = user;
            items[n++] = (uint32_t)i;
        }
    if (rc == TN_OK && n > 0)
        rc = tn__recsys_score(net, c, users, items, n, scores, err);
    if (rc == TN_OK && n > 0) {
        for (size_t k = 0; k < n; k++)
            cands[k] = (cand){scores[k], items[k]};
        qsort(cands, n, sizeof *cands, best_first);
        for (size_t k = 0; k < n && k < top; k++) {
            out[k] = (tn_recommendation){(long long)cands[k].item + c->id_base, cands[k].score, ""};
            if (c->vocab[1]) {
                const char *id = c->vocab[1]->s[cands[k].item];
                char *end;
                long long v = strtoll(id, &end, 10);
                out[k].item = *end || end == id ? -1 : v;
                snprintf(out[k].id, sizeof out[k].id, "%s", id);
            } else {
                snprintf(out[k].id, sizeof out[k].id, "%lld", out[k].item);
            }
        }
        *n_out = n < top ? n : top;
    }
    tn__free(seen);
    tn__free(items);
    tn__free(users);
    tn__floats_free(scores);
    tn__free(cands);
    return rc;
}
