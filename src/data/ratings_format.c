/* The "ratings" data format: (user, item, rating, timestamp) records of a recommender
 * (data/ratings.h), turned into implicit-feedback training rows with sampled negatives
 * and held-out ranking pairs (data/implicit.h). The model records the ratings settings and
 * the training file, so predict reads pairs with the same id base and recommend knows
 * which items a user has seen. eval reads a CSV of user, item and label columns. */
#include "data/format.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "data/csv.h"
#include "data/implicit.h"

#include <stdio.h>
#include <string.h>

extern const tn_data_format tn__data_ratings;

#define RATINGS_MAX_BYTES ((size_t)1 << 31)

typedef struct ratings_state {
    tn_ratings_cfg cfg;
    char *train;            /* the ratings file (resolved against the config) */
} ratings_state;

static void ratings_free(void *state)
{
    ratings_state *s = state;
    if (s)
        tn__free(s->train);
    tn__free(s);
}

static int ratings_parse(tn_jr *r, const cJSON *obj, const tn_data_ctx *c, void **state)
{
    ratings_state *s = tn__calloc(1, sizeof *s);
    if (!s)
        return tn__jr_oom(r, NULL);
    *state = s;
    int rc = tn__data_check_keys(r, obj, &tn__data_ratings);
    if (rc == TN_OK)
        rc = tn__ratings_cfg_parse(r, obj, c->net, &s->cfg);
    if (rc == TN_OK)
        rc = tn__data_path(r, obj, "train", 1, c->config, &s->train);
    return rc;
}

static size_t one_target(const void *state)
{
    (void)state;
    return 1;
}

static size_t vocab_of(const tn_net *net, const char *input)
{
    return net->nodes[tn__net_find_node(net, input)].vocab;
}

static int ratings_load(const void *state, const tn_data_ctx *c, unsigned long long seed,
                        tn_data_loaded *out, tn_error *err)
{
    const ratings_state *s = state;
    tn_ratings *r = NULL;
    tn_ratings_extra *x = tn__calloc(1, sizeof *x);
    if (!x)
        return tn__err(err, TN_ENOMEM, "out of memory");
    x->cfg = s->cfg;
    out->extra = x;
    out->free_extra = tn__ratings_extra_free;
    int rc = tn__ratings_read(s->train, &s->cfg, vocab_of(c->net, s->cfg.user_input),
                              vocab_of(c->net, s->cfg.item_input), 1, &r, err);
    if (rc)
        return rc; /* the reader's messages name the file */
    rc = tn__implicit_build(r, s->cfg.threshold, seed, &x->im, err);
    tn__ratings_free(r);
    if (rc == TN_OK)
        rc = tn__implicit_train_set(x->im, c->net, &s->cfg, seed, &out->train, err);
    if (rc == TN_OK)
        rc = tn__rank_set_build(x->im, &s->cfg, seed, &x->ranks, err);
    if (rc == TN_OK)
        rc = tn__rank_set_pairs(x->ranks, c->net, &s->cfg, &out->test, err);
    if (rc && rc != TN_ENOMEM) /* what the ratings cannot give, said of their file */
        tn__err_prefix(err, "%s", s->train);
    return rc;
}

static int ratings_record(const void *state, const tn_data_ctx *c, cJSON *obj)
{
    (void)c;
    const ratings_state *s = state;
    return tn__ratings_cfg_describe(&s->cfg, s->train, obj);
}

static int ratings_from_record(tn_jr *r, const cJSON *obj, const tn_data_ctx *c, void **state)
{
    ratings_state *s = tn__calloc(1, sizeof *s);
    if (!s)
        return tn__jr_oom(r, NULL);
    *state = s;
    const char *train = NULL;
    int rc = tn__data_check_keys(r, obj, &tn__data_ratings);
    if (rc == TN_OK)
        rc = tn__ratings_cfg_parse(r, obj, c->net, &s->cfg);
    if (rc == TN_OK)
        rc = tn__jr_str(r, obj, "train", 0, NULL, &train);
    if (rc == TN_OK && train && !(s->train = tn__strdup(train)))
        rc = tn__jr_oom(r, "train");
    return rc;
}

/* eval: a CSV whose header names the user and item columns (data.header) and "label";
 * ids are taken minus id_base, as in training. */
static int read_labelled(const ratings_state *s, const tn_data_ctx *c, const tn_table *tab,
                         const char *name, tn_dataset **out, tn_error *err)
{
    const char *cols[3] = {s->cfg.header[TN_RF_USER], s->cfg.header[TN_RF_ITEM], "label"};
    int at[3], ui, ii;
    for (int k = 0; k < 3; k++)
        if ((at[k] = tn__table_column(tab, cols[k])) < 0)
            return tn__err(err, TN_EDATA, "%s: no column \"%s\": eval reads a CSV whose header "
                           "names the columns %s, %s and %s; `tinynet train` reports AUC and "
                           "HR@k on ratings data", name, cols[k], cols[0], cols[1], cols[2]);
    int rc = tn__ratings_pairs_dataset(c->net, &s->cfg, tab->rows, 1, out, &ui, &ii, err);
    if (rc)
        return rc;
    tn_dataset *d = *out;
    for (size_t r = 0; r < tab->rows; r++) {
        const float *row = tab->values + r * tab->cols;
        d->x[ui][r] = row[at[0]] - (float)s->cfg.id_base;
        d->x[ii][r] = row[at[1]] - (float)s->cfg.id_base;
        d->t[r] = row[at[2]];
    }
    tn_origin origin = {name, tab->lines};
    if (!(rc = tn__check_ids(&origin, &c->net->nodes[ui], cols[0], d->x[ui], d->rows, err)) &&
        !(rc = tn__check_ids(&origin, &c->net->nodes[ii], cols[1], d->x[ii], d->rows, err)))
        rc = tn__check_targets(&origin, &c->targets, d, cols[2], err);
    if (rc) {
        tn__dataset_free(d);
        *out = NULL;
    }
    return rc;
}

/* predict: `user item [...]` lines (u.data) or a CSV with the user and item columns. */
static int read_pairs(const ratings_state *s, const tn_data_ctx *c, const char *text,
                      size_t len, const char *name, tn_dataset **out, tn_error *err)
{
    tn_ratings *r;
    int ui, ii, rc = tn__ratings_parse(name, text, len, &s->cfg,
                                       vocab_of(c->net, s->cfg.user_input),
                                       vocab_of(c->net, s->cfg.item_input), 0, &r, err);
    if (rc == TN_OK && !(rc = tn__ratings_pairs_dataset(c->net, &s->cfg, r->n, 0, out, &ui,
                                                        &ii, err)))
        for (size_t k = 0; k < r->n; k++) {
            (*out)->x[ui][k] = (float)r->r[k].user;
            (*out)->x[ii][k] = (float)r->r[k].item;
        }
    tn__ratings_free(r);
    return rc;
}

static int ratings_read(const void *state, const tn_data_ctx *c, const tn_data_source *src,
                        int with_targets, tn_dataset **out, tn_error *err)
{
    const ratings_state *s = state;
    *out = NULL;
    int rc = tn__data_source_check(&tn__data_ratings, src, 1, 1, err);
    if (rc)
        return rc;
    const char *name = src->text ? src->name : src->paths[0];
    unsigned char *buf = NULL;
    size_t len = src->len;
    const char *text = src->text;
    if (!text) {
        if ((rc = tn__read_file(name, RATINGS_MAX_BYTES, &buf, &len, err)))
            return rc;
        text = (const char *)buf;
    }
    if (with_targets) {
        tn_table *tab;
        if ((rc = tn__csv_parse(name, text, len, &tab, err)) == TN_OK)
            rc = read_labelled(s, c, tab, name, out, err);
        tn__table_free(tab);
    } else {
        rc = read_pairs(s, c, text, len, name, out, err);
    }
    tn__free(buf);
    return rc;
}

void tn__data_ratings_settings(const tn_data_spec *spec, const tn_ratings_cfg **cfg,
                               const char **train)
{
    const ratings_state *s = spec->state;
    *cfg = &s->cfg;
    *train = s->train;
}

static const tn__keydoc ratings_docs[] = {
    {"train", "the ratings file: u.data lines `user item rating timestamp`, or a CSV with a header "
             "line (required)"},
    {"user_input", "the index input that takes the user id (default \"user\")"},
    {"item_input", "the index input that takes the item id (default \"item\")"},
    {"header", "a CSV file's column names: {\"user\": ..., \"item\": ..., \"rating\": ..., "
              "\"timestamp\": ...} (defaults: those words)"},
    {"id_base", "subtracted from the ids as given: 0 (the default) or 1 (MovieLens)"},
    {"threshold", "a rating >= threshold is a positive (default 4)"},
    {"negatives", "unrated items sampled per training positive, in [1, 1000] (default 4)"},
    {"eval_negatives", "unrated items each held-out positive is ranked against, in [1, 100000] "
                      "(default 99)"},
    {"top_k", "the cut-off of HR@k and NDCG@k, in [1, 100000] (default 10)"},
    {NULL, NULL}};

const tn_data_format tn__data_ratings = {
    .name = "ratings",
    .keys = tn__ratings_keys,
    .doc = "ratings (user, item, rating, timestamp) for a recommender: positives, sampled "
           "negatives and held-out ranking pairs",
    .key_docs = ratings_docs,
    .sources = "a ratings file: `user item` lines or a CSV with the user and item columns "
               "(and \"label\" for eval)",
    .parse = ratings_parse,
    .target_width = one_target,
    .load = ratings_load,
    .record = ratings_record,
    .from_record = ratings_from_record,
    .read = ratings_read,
    .free = ratings_free,
};
