/* tinynet recommend MODEL --user U [--top N] [--ratings FILE]: the items U has not rated,
 * best first. Unrated means absent from FILE, by default the ratings file the model was
 * trained on (its training record names it, with the id base and header). */
#include "cli/cli.h"

#include "core/alloc.h"
#include "core/error.h"
#include "model/model.h"
#include "data/ratings.h"
#include "cli/recsys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "tinynet recommend MODEL --user U [--top N] [--ratings FILE]";

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

static int run(const char *model, long long user_id, long long top, const char *ratings_path,
               tn_error *err)
{
    tn_model *m = NULL;
    tn_ratings *rt = NULL;
    tn_ratings_cfg c;
    const char *train = NULL;
    uint32_t *items = NULL, *users = NULL;
    float *scores = NULL;
    cand *cands = NULL;
    uint8_t *seen = NULL;
    int rc = tn__model_load(model, &m, err);
    if (rc == TN_OK)
        rc = tn_cli_model_ratings_cfg(m, model, &c, &train, err);
    if (rc)
        goto done;
    if (!ratings_path && !train) {
        rc = tn__err(err, TN_EINVAL, "%s records no ratings file: give --ratings FILE", model);
        goto done;
    }
    ratings_path = ratings_path ? ratings_path : train;
    size_t n_users = m->net->nodes[tn__net_find_node(m->net, c.user_input)].vocab;
    size_t n_items = m->net->nodes[tn__net_find_node(m->net, c.item_input)].vocab;
    if (user_id - c.id_base < 0 || user_id - c.id_base >= (long long)n_users) {
        rc = tn__err(err, TN_ERANGE, "user %lld is outside the vocabulary [%lld, %lld)",
                     user_id, c.id_base, (long long)n_users + c.id_base);
        goto done;
    }
    uint32_t u = (uint32_t)(user_id - c.id_base);
    if ((rc = tn__ratings_read(ratings_path, &c, n_users, n_items, 0, &rt, err))) {
        /* The recorded path is relative to where training ran. */
        if (rc == TN_EIO && ratings_path == train)
            tn__err_prefix(err, "the ratings file recorded in %s (give --ratings FILE)", model);
        goto done;
    }
    if (!(seen = tn__calloc(n_items, 1)) || !(items = tn__calloc(n_items, sizeof *items)) ||
        !(users = tn__calloc(n_items, sizeof *users)) || !(scores = tn__floats_alloc(n_items)) ||
        !(cands = tn__calloc(n_items, sizeof *cands))) {
        rc = tn__err(err, TN_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < rt->n; k++)
        if (rt->r[k].user == u)
            seen[rt->r[k].item] = 1;
    size_t n = 0;
    for (size_t i = 0; i < n_items; i++)
        if (!seen[i]) {
            users[n] = u;
            items[n++] = (uint32_t)i;
        }
    if (n == 0) {
        fprintf(stderr, "tinynet: user %lld has rated every item in %s\n", user_id, ratings_path);
        goto done;
    }
    if ((rc = tn__recsys_score(m->net, &c, users, items, n, scores, err)))
        goto done;
    for (size_t k = 0; k < n; k++)
        cands[k] = (cand){scores[k], items[k]};
    qsort(cands, n, sizeof *cands, best_first);
    printf("rank\titem\tscore\n");
    for (size_t k = 0; k < n && k < (size_t)top; k++)
        printf("%zu\t%lld\t%.6f\n", k + 1, (long long)cands[k].item + c.id_base,
               (double)cands[k].score);
done:
    tn__free(seen);
    tn__free(items);
    tn__free(users);
    tn__floats_free(scores);
    tn__free(cands);
    tn__ratings_free(rt);
    tn__model_free(m);
    return rc;
}

int tn_cli_recommend(int argc, char **argv)
{
    if (tn_cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Scores every item USER has not rated with MODEL (a recommender with user and\n"
               "item index inputs) and prints the best N (default 10): rank, item, score.\n"
               "Ids are as in the ratings file. Rated items are those in --ratings FILE\n"
               "(u.data layout or CSV), by default the file the model was trained on.\n", usage);
        return TN_EXIT_OK;
    }
    const char *model = NULL, *ratings = NULL;
    long long user = -1, top = 10;
    int have_user = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if ((m = tn_cli_option(argc, argv, &i, "--user", &v))) {
            if (m < 0 || tn_cli_int(v, 0, 1LL << 40, &user))
                return tn_cli_usage("recommend", usage, "--user needs a non-negative id");
            have_user = 1;
        } else if ((m = tn_cli_option(argc, argv, &i, "--top", &v))) {
            if (m < 0 || tn_cli_int(v, 1, 1000000, &top))
                return tn_cli_usage("recommend", usage, "--top needs an integer in [1, 1000000]");
        } else if ((m = tn_cli_option(argc, argv, &i, "--ratings", &v))) {
            if (m < 0)
                return tn_cli_usage("recommend", usage, "--ratings needs a file name");
            ratings = v;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return tn_cli_usage("recommend", usage, "unknown option \"%s\"", argv[i]);
        } else if (model) {
            return tn_cli_usage("recommend", usage, "unexpected argument \"%s\"", argv[i]);
        } else {
            model = argv[i];
        }
    }
    if (!model)
        return tn_cli_usage("recommend", usage, "missing MODEL");
    if (!have_user)
        return tn_cli_usage("recommend", usage, "missing --user U");
    tn_error err = {0};
    if (run(model, user, top, ratings, &err))
        return tn_cli_fail(&err);
    return TN_EXIT_OK;
}
