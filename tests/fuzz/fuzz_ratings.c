/* libFuzzer harness for the ratings reader (tn__ratings_parse: u.data lines or CSV with a
 * header) and what the "ratings" format makes of a file: implicit feedback with the
 * leave-one-out split, sampled negatives and the ranking set (data/implicit.h).
 *
 * Input: one selector byte, then the file's text. Selector bits: 0, the rating and
 * timestamp are required (training) rather than optional (predict's pairs); 1, ids are
 * 1-based (id_base 1); 2, threshold 0 instead of 4 (every rating is a positive); 3, ids
 * are text learned into vocabularies (sorted and renumbered), as training does.
 *
 * Checked: every id read lies in the vocabulary; the training rows and the ranking set
 * hold valid ids, positives first, and negatives the user never rated. */
#include "fuzz_common.h"

#include "core/json.h"
#include "data/implicit.h"
#include "data/ratings.h"

#include <math.h>

#define USERS 40
#define ITEMS 60

/* Two index inputs, as the ratings format requires; built once (and kept: the fuzzer
 * runs for the process's lifetime). */
static const tn_net *ratings_net(void)
{
    static tn_net *net;
    static const char json[] =
        "{\"inputs\": [{\"name\": \"user\", \"type\": \"index\", \"size\": 40},"
        "             {\"name\": \"item\", \"type\": \"index\", \"size\": 60}],"
        " \"layers\": [{\"name\": \"u\", \"type\": \"embedding\", \"input\": \"user\", \"dim\": 2},"
        "              {\"name\": \"i\", \"type\": \"embedding\", \"input\": \"item\", \"dim\": 2},"
        "              {\"type\": \"concat\", \"inputs\": [\"u\", \"i\"]},"
        "              {\"type\": \"dense\", \"units\": 1, \"activation\": \"sigmoid\"}]}";
    if (!net) {
        cJSON *root;
        tn_error err;
        tn_jr r;
        tn__jr_init(&r, "ratings net", &err);
        if (tn__jr_parse("ratings net", json, sizeof json - 1, &root, &err) != TN_OK ||
            tn__net_from_json(&r, root, &net) != TN_OK) {
            fprintf(stderr, "fuzz_ratings: %s\n", err.msg);
            abort();
        }
        cJSON_Delete(root);
    }
    return net;
}

static void check_rows(const tn_dataset *d, const tn_implicit *im)
{
    for (size_t r = 0; r < d->rows; r++) {
        float u = d->x[0][r], i = d->x[1][r], t = d->t[r];
        FUZZ_CHECK(u >= 0 && u < USERS && i >= 0 && i < ITEMS && (t == 0 || t == 1),
                   "row %zu: user %g item %g target %g", r, (double)u, (double)i, (double)t);
        FUZZ_CHECK(t == 1 || !tn__implicit_is_rated(im, (uint32_t)u, (uint32_t)i),
                   "row %zu: a negative the user rated (user %g item %g)", r, (double)u,
                   (double)i);
    }
}

static void implicit_feedback(const tn_ratings *r, const tn_ratings_cfg *cfg)
{
    const tn_net *net = ratings_net();
    tn_implicit *im = NULL;
    tn_error err = {0};
    int rc = tn__implicit_build(r, cfg->threshold, 42, &im, &err);
    if (rc != TN_OK) {
        fuzz_check_error(rc, &err, "implicit feedback");
        return;
    }
    fuzz_note("  implicit feedback: %zu training positives", im->n_train);
    for (size_t u = 0; u < im->n_users; u++)
        FUZZ_CHECK(im->held_out[u] == TN_NO_ITEM || im->held_out[u] < ITEMS,
                   "user %zu holds out item %u", u, (unsigned)im->held_out[u]);
    tn_dataset *train = NULL, *pairs = NULL;
    tn_rank_set *ranks = NULL;
    rc = tn__implicit_train_set(im, net, cfg, 42, &train, &err);
    if (rc == TN_OK) {
        check_rows(train, im);
        rc = tn__rank_set_build(im, cfg, 42, &ranks, &err);
    }
    if (rc == TN_OK) {
        for (size_t k = 0; k < ranks->n_users; k++) {
            uint32_t u = ranks->user[k];
            FUZZ_CHECK(u < USERS && ranks->off[k] < ranks->off[k + 1] &&
                           ranks->item[ranks->off[k]] == im->held_out[u],
                       "ranking entry %zu does not start with user %u's held-out item", k,
                       (unsigned)u);
            for (size_t j = ranks->off[k] + 1; j < ranks->off[k + 1]; j++) {
                FUZZ_CHECK(ranks->item[j] < ITEMS && !tn__implicit_is_rated(im, u, ranks->item[j]),
                           "user %u: candidate %u is rated or out of range", (unsigned)u,
                           (unsigned)ranks->item[j]);
                for (size_t q = ranks->off[k] + 1; q < j; q++)
                    FUZZ_CHECK(ranks->item[q] != ranks->item[j], "user %u: item %u twice",
                               (unsigned)u, (unsigned)ranks->item[j]);
            }
        }
        rc = tn__rank_set_pairs(ranks, net, cfg, &pairs, &err);
    }
    if (rc == TN_OK) {
        check_rows(pairs, im);
        fuzz_note("  %zu training rows, %zu ranked users", train->rows, ranks->n_users);
    }
    else
        fuzz_check_error(rc, &err, "training rows or the ranking set");
    tn__dataset_free(train);
    tn__dataset_free(pairs);
    tn__rank_set_free(ranks);
    tn__implicit_free(im);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    tn_ratings_cfg cfg;
    tn__ratings_cfg_defaults(&cfg);
    int need_rating = data[0] & 1;
    cfg.id_base = (data[0] >> 1) & 1;
    if (data[0] & 4)
        cfg.threshold = 0;
    cfg.eval_negatives = 20; /* fewer than the items, so the sampling draws */
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    (void)tn__ratings_is_headerless(text, len);
    tn_ratings *r = (tn_ratings *)1; /* must become NULL on failure */
    tn_error err = {0};
    if (data[0] & 8) {
        cfg.vocab[0] = tn__vocab_new();
        cfg.vocab[1] = tn__vocab_new();
        cfg.learn = 1;
        FUZZ_CHECK(cfg.vocab[0] && cfg.vocab[1], "out of memory for vocabularies");
    }
    int rc = tn__ratings_parse("fuzz.ratings", text, len, &cfg, USERS, ITEMS, need_rating, &r,
                               &err);
    if (rc == TN_OK && cfg.vocab[0])
        FUZZ_CHECK(r->n_users == cfg.vocab[0]->n && r->n_items == cfg.vocab[1]->n &&
                       r->n_users <= USERS && r->n_items <= ITEMS,
                   "%zu users and %zu items learned", r->n_users, r->n_items);
    cfg.learn = 0;
    if (rc != TN_OK) {
        tn__vocab_free(cfg.vocab[0]);
        tn__vocab_free(cfg.vocab[1]);
        fuzz_check_error(rc, &err, "parsing ratings");
        FUZZ_CHECK(r == NULL, "a failed parse left ratings");
        return 0;
    }
    fuzz_note("  accepted: %zu ratings", r->n);
    FUZZ_CHECK(r->n > 0, "no ratings, yet success");
    for (size_t k = 0; k < r->n; k++) {
        FUZZ_CHECK(r->r[k].user < USERS && r->r[k].item < ITEMS, "rating %zu: user %u item %u",
                   k, (unsigned)r->r[k].user, (unsigned)r->r[k].item);
        FUZZ_CHECK(isfinite(r->r[k].rating) && isfinite(r->r[k].timestamp),
                   "rating %zu: %g at %g", k, (double)r->r[k].rating, r->r[k].timestamp);
    }
    implicit_feedback(r, &cfg);
    tn__ratings_free(r);
    tn__vocab_free(cfg.vocab[0]);
    tn__vocab_free(cfg.vocab[1]);
    return 0;
}
