/* Implicit feedback, leave-one-out, negative sampling and the ranking evaluation set (see
 * data/ratings.h for the protocol). */
#include "data/implicit.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"

#include <stdlib.h>
#include <string.h>

/* ---- implicit feedback and leave-one-out -------------------------------------------- */

static int by_user_item(const void *a, const void *b)
{
    const tn_rating *x = a, *y = b;
    if (x->user != y->user)
        return x->user < y->user ? -1 : 1;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    return (x->timestamp > y->timestamp) - (x->timestamp < y->timestamp);
}

void tn__implicit_free(tn_implicit *im)
{
    if (!im)
        return;
    tn__free(im->rated_off);
    tn__free(im->rated);
    tn__free(im->train_user);
    tn__free(im->train_item);
    tn__free(im->held_out);
    tn__free(im->popularity);
    tn__free(im);
}

int tn__implicit_build(const tn_ratings *r, double threshold, uint64_t seed, tn_implicit **out,
                       tn_error *err)
{
    *out = NULL;
    tn_implicit *im = tn__calloc(1, sizeof *im);
    tn_rating *s = tn__calloc(r->n, sizeof *s);
    uint8_t *positive = tn__calloc(r->n, 1);
    int rc = TN_OK;
    if (!im || !s || !positive || !(im->rated_off = tn__calloc(r->n_users + 1, sizeof(size_t))) ||
        !(im->rated = tn__calloc(r->n, sizeof *im->rated)) ||
        !(im->train_user = tn__calloc(r->n, sizeof(uint32_t))) ||
        !(im->train_item = tn__calloc(r->n, sizeof(uint32_t))) ||
        !(im->held_out = tn__calloc(r->n_users ? r->n_users : 1, sizeof(uint32_t))) ||
        !(im->popularity = tn__calloc(r->n_items ? r->n_items : 1, sizeof(uint32_t)))) {
        rc = tn__err(err, TN_ENOMEM, "out of memory for %zu ratings", r->n);
        goto done;
    }
    im->n_users = r->n_users;
    im->n_items = r->n_items;
    memcpy(s, r->r, r->n * sizeof *s);
    qsort(s, r->n, sizeof *s, by_user_item);
    /* Distinct (user, item) pairs; a pair rated twice keeps its latest record, the way a
     * user's changed opinion replaces the old one. */
    size_t m = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (m && s[m - 1].user == s[i].user && s[m - 1].item == s[i].item)
            s[m - 1] = s[i];
        else
            s[m++] = s[i];
    }
    tn_rng rng;
    tn__rng_seed(&rng, seed, TN_STREAM_DATA);
    size_t k = 0;
    for (size_t u = 0; u < r->n_users; u++) {
        im->rated_off[u] = k;
        im->held_out[u] = TN_NO_ITEM;
        size_t begin = k, n_pos = 0, latest = SIZE_MAX, ties = 0;
        for (; k < m && s[k].user == u; k++) {
            im->rated[k] = s[k].item;
            positive[k] = s[k].rating >= threshold;
            if (!positive[k])
                continue;
            n_pos++;
            /* The latest positive; equal timestamps: each equally likely (reservoir). */
            if (latest == SIZE_MAX || s[k].timestamp > s[latest].timestamp) {
                latest = k;
                ties = 1;
            } else if (s[k].timestamp == s[latest].timestamp &&
                       tn__rng_below(&rng, (uint32_t)++ties) == 0) {
                latest = k;
            }
        }
        if (n_pos >= 2)
            im->held_out[u] = s[latest].item;
        for (size_t j = begin; j < k; j++) {
            if (!positive[j] || (n_pos >= 2 && j == latest))
                continue;
            im->train_user[im->n_train] = (uint32_t)u;
            im->train_item[im->n_train++] = s[j].item;
            im->popularity[s[j].item]++;
        }
    }
    im->rated_off[r->n_users] = k;
    if (im->n_train == 0)
        rc = tn__err(err, TN_EDATA, "no rating reaches the threshold %g: no positives to train "
                     "on", threshold);
done:
    tn__free(s);
    tn__free(positive);
    if (rc) {
        tn__implicit_free(im);
        return rc;
    }
    *out = im;
    return TN_OK;
}

int tn__implicit_is_rated(const tn_implicit *im, uint32_t user, uint32_t item)
{
    if (user >= im->n_users)
        return 0;
    size_t lo = im->rated_off[user], hi = im->rated_off[user + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (im->rated[mid] == item)
            return 1;
        if (im->rated[mid] < item)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

size_t tn__implicit_users_held_out(const tn_implicit *im)
{
    size_t n = 0;
    for (size_t u = 0; u < im->n_users; u++)
        n += im->held_out[u] != TN_NO_ITEM;
    return n;
}

static size_t unrated_count(const tn_implicit *im, uint32_t u)
{
    return im->n_items - (im->rated_off[u + 1] - im->rated_off[u]);
}

/* The j-th (0-based) item the user has not rated: walk the sorted rated list, skipping over
 * each rated item at or below the candidate. Exact, no rejection loop. */
static uint32_t nth_unrated(const tn_implicit *im, uint32_t u, size_t j)
{
    size_t item = j;
    for (size_t k = im->rated_off[u]; k < im->rated_off[u + 1] && im->rated[k] <= item; k++)
        item++;
    return (uint32_t)item;
}

int tn__implicit_train_set(const tn_implicit *im, const tn_net *net, const tn_ratings_cfg *c,
                           uint64_t seed, tn_dataset **out, tn_error *err)
{
    *out = NULL;
    size_t rows = 0;
    for (size_t k = 0; k < im->n_train; k++)
        rows += 1 + (unrated_count(im, im->train_user[k]) ? (size_t)c->negatives : 0);
    int ui, ii, rc = tn__ratings_pairs_dataset(net, c, rows, 1, out, &ui, &ii, err);
    if (rc)
        return rc;
    tn_dataset *d = *out;
    tn_rng rng;
    tn__rng_seed(&rng, seed, TN_STREAM_NEGATIVES);
    size_t row = 0;
    for (size_t k = 0; k < im->n_train; k++) {
        uint32_t u = im->train_user[k];
        size_t free_items = unrated_count(im, u);
        d->x[ui][row] = (float)u;
        d->x[ii][row] = (float)im->train_item[k];
        d->t[row++] = 1;
        for (int j = 0; free_items && j < c->negatives; j++) {
            d->x[ui][row] = (float)u;
            d->x[ii][row] = (float)nth_unrated(im, u, tn__rng_below(&rng, (uint32_t)free_items));
            d->t[row++] = 0;
        }
    }
    return TN_OK;
}

/* ---- the ranking evaluation set ----------------------------------------------------- */

void tn__rank_set_free(tn_rank_set *s)
{
    if (!s)
        return;
    tn__free(s->user);
    tn__free(s->off);
    tn__free(s->item);
    tn__free(s);
}

int tn__rank_set_build(const tn_implicit *im, const tn_ratings_cfg *c, uint64_t seed,
                       tn_rank_set **out, tn_error *err)
{
    *out = NULL;
    size_t users = tn__implicit_users_held_out(im), total = 0;
    for (size_t u = 0; u < im->n_users; u++) {
        size_t n = unrated_count(im, (uint32_t)u);
        if (im->held_out[u] != TN_NO_ITEM)
            total += 1 + (n < (size_t)c->eval_negatives ? n : (size_t)c->eval_negatives);
    }
    if (users == 0)
        return tn__err(err, TN_EDATA, "no user has two positives: nothing to hold out for "
                       "the evaluation");
    tn_rank_set *s = tn__calloc(1, sizeof *s);
    uint32_t *pool = tn__calloc(im->n_items, sizeof *pool);
    if (!s || !pool || !(s->user = tn__calloc(users, sizeof *s->user)) ||
        !(s->off = tn__calloc(users + 1, sizeof *s->off)) ||
        !(s->item = tn__calloc(total, sizeof *s->item))) {
        tn__rank_set_free(s);
        tn__free(pool);
        return tn__err(err, TN_ENOMEM, "out of memory for the evaluation set");
    }
    s->n_users = users;
    s->n_pairs_neg = (size_t)c->negatives;
    tn_rng rng;
    tn__rng_seed(&rng, seed, TN_STREAM_EVAL);
    size_t k = 0, at = 0;
    for (size_t u = 0; u < im->n_users; u++) {
        if (im->held_out[u] == TN_NO_ITEM)
            continue;
        s->user[k] = (uint32_t)u;
        s->off[k] = at;
        s->item[at++] = im->held_out[u];
        /* Distinct unrated items: the first draws of a Fisher-Yates shuffle of all of them. */
        size_t n = 0;
        for (size_t r = im->rated_off[u], i = 0; i < im->n_items; i++) {
            if (r < im->rated_off[u + 1] && im->rated[r] == i)
                r++;
            else
                pool[n++] = (uint32_t)i;
        }
        size_t want = n < (size_t)c->eval_negatives ? n : (size_t)c->eval_negatives;
        for (size_t j = 0; j < want; j++) {
            size_t pick = j + tn__rng_below(&rng, (uint32_t)(n - j));
            uint32_t tmp = pool[j];
            pool[j] = pool[pick];
            pool[pick] = tmp;
            s->item[at++] = pool[j];
        }
        k++;
    }
    s->off[users] = at;
    tn__free(pool);
    *out = s;
    return TN_OK;
}

size_t tn__rank_set_pairs_of(const tn_rank_set *s, size_t k)
{
    size_t n = s->off[k + 1] - s->off[k];
    return n < 1 + s->n_pairs_neg ? n : 1 + s->n_pairs_neg;
}

int tn__rank_set_pairs(const tn_rank_set *s, const tn_net *net, const tn_ratings_cfg *c,
                       tn_dataset **out, tn_error *err)
{
    size_t rows = 0;
    for (size_t k = 0; k < s->n_users; k++)
        rows += tn__rank_set_pairs_of(s, k);
    int ui, ii, rc = tn__ratings_pairs_dataset(net, c, rows, 1, out, &ui, &ii, err);
    if (rc)
        return rc;
    size_t row = 0;
    for (size_t k = 0; k < s->n_users; k++) {
        for (size_t j = 0; j < tn__rank_set_pairs_of(s, k); j++, row++) {
            (*out)->x[ui][row] = (float)s->user[k];
            (*out)->x[ii][row] = (float)s->item[s->off[k] + j];
            (*out)->t[row] = j == 0;
        }
    }
    return TN_OK;
}


void tn__ratings_extra_free(void *extra)
{
    tn_ratings_extra *x = extra;
    if (!x)
        return;
    tn__implicit_free(x->im);
    tn__rank_set_free(x->ranks);
    tn__free(x);
}
