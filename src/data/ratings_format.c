/* The "ratings" data format: (user, item, rating, timestamp) records of a recommender
 * (data/ratings.h), turned into implicit-feedback training rows with sampled negatives
 * and held-out ranking pairs (data/implicit.h). The model records the ratings settings and
 * the training file, so predict reads pairs with the same id base and recommend knows
 * which items a user has seen. eval reads a CSV of user, item and label columns. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "data/format.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "data/csv.h"
#include "data/implicit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const tn_data_format tn__data_ratings;

#define RATINGS_MAX_BYTES ((size_t)1 << 31)

typedef struct ratings_state {
    tn_ratings_cfg cfg;     /* cfg.vocab points at users and items */
    char *train;            /* the ratings file (resolved against the config) */
    tn_vocab *ids[2];       /* users, items: learned by load, or recorded */
} ratings_state;

static void ratings_free(void *state)
{
    ratings_state *s = state;
    if (s) {
        tn__free(s->train);
        tn__vocab_free(s->ids[0]);
        tn__vocab_free(s->ids[1]);
    }
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
    for (int f = 0; rc == TN_OK && f < 2; f++)
        if (cJSON_GetObjectItemCaseSensitive(obj, f ? "item_ids" : "user_ids"))
            rc = tn__jr_fail(r, f ? "item_ids" : "user_ids", "the ids are learned from the "
                             "training file and recorded in the model, not given in a config");
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
    /* Loading learns the vocabularies the model records (the state is the config's own). */
    ratings_state *s = (ratings_state *)state;
    tn_ratings *r = NULL;
    tn_ratings_extra *x = tn__calloc(1, sizeof *x);
    if (!x)
        return tn__err(err, TN_ENOMEM, "out of memory");
    out->extra = x;
    out->free_extra = tn__ratings_extra_free;
    for (int f = 0; f < 2; f++) {
        tn__vocab_free(s->ids[f]);
        if (!(s->cfg.vocab[f] = s->ids[f] = tn__vocab_new()))
            return tn__err(err, TN_ENOMEM, "out of memory");
    }
    x->cfg = s->cfg;
    tn_ratings_cfg learn = s->cfg;
    learn.learn = 1;
    int rc = tn__ratings_read(s->train, &learn, vocab_of(c->net, s->cfg.user_input),
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
    /* The file by its absolute path: recommend then works from any directory. */
    char *abs = s->train ? realpath(s->train, NULL) : NULL;
    int rc = tn__ratings_cfg_describe(&s->cfg, abs ? abs : s->train, obj);
    free(abs);
    for (int f = 0; rc == TN_OK && f < 2 && s->ids[f]; f++) {
        cJSON *a = tn__vocab_json(s->ids[f]);
        if (!a || !cJSON_AddItemToObject(obj, f ? "item_ids" : "user_ids", a)) {
            cJSON_Delete(a);
            rc = TN_ENOMEM;
        }
    }
    return rc;
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
    /* Version 3 models record their ids; older ones read ids as numbers minus id_base. */
    int has = cJSON_GetObjectItemCaseSensitive(obj, "user_ids") != NULL;
    if (rc == TN_OK && has != (cJSON_GetObjectItemCaseSensitive(obj, "item_ids") != NULL))
        rc = tn__jr_fail(r, has ? "item_ids" : "user_ids", "missing (user and item ids are "
                         "recorded together)");
    for (int f = 0; rc == TN_OK && has && f < 2; f++) {
        const char *key = f ? "item_ids" : "user_ids";
        const char *input = f ? s->cfg.item_input : s->cfg.user_input;
        rc = tn__vocab_from_json(r, obj, key, &s->ids[f]);
        if (rc == TN_OK && s->ids[f]->n + (size_t)s->cfg.oov > vocab_of(c->net, input))
            rc = tn__jr_fail(r, key, "%zu ids%s, but input \"%s\" has size %zu", s->ids[f]->n,
                             s->cfg.oov ? " and the out-of-vocabulary row" : "", input,
                             vocab_of(c->net, input));
        s->cfg.vocab[f] = s->ids[f];
    }
    return rc;
}

typedef struct labelled_plan {
    const ratings_state *s;
    const char *name;
    const char *cols[3];
    int at[3];
} labelled_plan;

/* The user, item and label columns; ids are text when the model has vocabularies. */
static int plan_labelled(void *ctx, tn_table *t, tn_error *err)
{
    labelled_plan *p = ctx;
    for (size_t c = 0; c < t->cols; c++)
        t->kind[c] = TN_COL_SKIP;
    for (int k = 0; k < 3; k++) {
        if ((p->at[k] = tn__table_column(t, p->cols[k])) < 0)
            return tn__err(err, TN_EDATA, "%s: no column \"%s\": eval reads a CSV whose header "
                           "names the columns %s, %s and %s; `tinynet train` reports AUC and "
                           "HR@k on ratings data", p->name, p->cols[k], p->cols[0], p->cols[1],
                           p->cols[2]);
        t->kind[p->at[k]] = k < 2 && p->s->cfg.vocab[0] ? TN_COL_TEXT : TN_COL_NUMBER;
    }
    return TN_OK;
}

/* An id of column col of row r: looked up in the vocabulary, or a number minus id_base. */
static int id_of(const labelled_plan *p, const tn_table *tab, size_t r, int k, float *out,
                 tn_error *err)
{
    const tn_ratings_cfg *c = &p->s->cfg;
    float v = tab->values[r * tab->cols + (size_t)p->at[k]];
    if (!c->vocab[k]) {
        *out = v - (float)c->id_base;
        return TN_OK;
    }
    const char *id = tab->text[p->at[k]]->s[(size_t)v];
    long i = tn__vocab_find(c->vocab[k], id, strlen(id));
    if (i < 0 && !c->oov)
        return tn__err(err, TN_EDATA, "%s: line %zu: %s \"%s\" is not in the model's %zu %ss",
                       p->name, tab->lines[r], tn__ratings_field_names[k], id, c->vocab[k]->n,
                       tn__ratings_field_names[k]);
    *out = (float)(i < 0 ? (long)c->vocab[k]->n : i);
    return TN_OK;
}

/* eval: a CSV whose header names the user and item columns (data.header) and "label". */
static int read_labelled(const ratings_state *s, const tn_data_ctx *c, const char *text,
                         size_t len, const char *name, tn_dataset **out, tn_error *err)
{
    labelled_plan p = {s, name, {s->cfg.header[TN_RF_USER], s->cfg.header[TN_RF_ITEM], "label"},
                       {-1, -1, -1}};
    tn_csv_opts o = {.plan = plan_labelled, .ctx = &p};
    tn_table *tab = NULL;
    int ui, ii, rc = tn__csv_parse_opts(name, text, len, &o, &tab, err);
    if (rc == TN_OK)
        rc = tn__ratings_pairs_dataset(c->net, &s->cfg, tab->rows, 1, out, &ui, &ii, err);
    tn_dataset *d = *out;
    for (size_t r = 0; rc == TN_OK && r < tab->rows; r++) {
        if (!(rc = id_of(&p, tab, r, 0, &d->x[ui][r], err)))
            rc = id_of(&p, tab, r, 1, &d->x[ii][r], err);
        d->t[r] = tab->values[r * tab->cols + (size_t)p.at[2]];
    }
    tn_origin origin = {name, tab ? tab->lines : NULL};
    if (rc == TN_OK &&
        !(rc = tn__check_ids(&origin, &c->net->nodes[ui], p.cols[0], d->x[ui], d->rows, err)) &&
        !(rc = tn__check_ids(&origin, &c->net->nodes[ii], p.cols[1], d->x[ii], d->rows, err)))
        rc = tn__check_targets(&origin, &c->targets, d, p.cols[2], err);
    tn__table_free(tab);
    if (rc) {
        tn__dataset_free(*out);
        *out = NULL;
    }
    return rc;
}

/* predict: `user item [...]` lines (u.data) or a CSV with the user and item columns. */
static int read_pairs(const ratings_state *s, const tn_data_ctx *c, const char *text,
                      size_t len, size_t jump_at, size_t jump_to, const char *name,
                      tn_dataset **out, tn_error *err)
{
    tn_ratings *r;
    int ui, ii, rc = tn__ratings_parse_at(name, text, len, jump_at, jump_to, &s->cfg,
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
        rc = read_labelled(s, c, text, len, name, out, err);
    } else if (src->text && src->head) {
        /* A part of a stream: its header line, then its lines, numbered as in the source. */
        size_t head_lines = 1;
        for (size_t i = 0; i < src->head_len; i++)
            head_lines += src->head[i] == '\n';
        char *joined = tn__malloc(src->head_len + 1 + len + 1);
        if (!joined)
            return tn__err(err, TN_ENOMEM, "out of memory");
        memcpy(joined, src->head, src->head_len);
        joined[src->head_len] = '\n';
        memcpy(joined + src->head_len + 1, text, len);
        rc = read_pairs(s, c, joined, src->head_len + 1 + len, head_lines + 1, src->first_line,
                        name, out, err);
        tn__free(joined);
    } else {
        size_t at = src->text && src->first_line > 1 ? 1 : 0;
        rc = read_pairs(s, c, text, len, at, at ? src->first_line : 0, name, out, err);
    }
    tn__free(buf);
    return rc;
}

static int ratings_stream_header(const void *state, const char *text, size_t len)
{
    return tn__ratings_first_is_header(&((const ratings_state *)state)->cfg, text, len);
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
             "line (required); ids are integers or text, gaps allowed"},
    {"user_input", "the index input that takes the user id (default \"user\")"},
    {"item_input", "the index input that takes the item id (default \"item\")"},
    {"header", "a CSV file's column names: {\"user\": ..., \"item\": ..., \"rating\": ..., "
              "\"timestamp\": ...} (defaults: those words)"},
    {"id_base", "models of format version 2 only (ids are now text looked up in the recorded "
                "vocabulary): subtracted from the ids, 0 (the default) or 1"},
    {"threshold", "a rating >= threshold is a positive (default 4)"},
    {"negatives", "unrated items sampled per training positive, in [1, 1000] (default 4)"},
    {"eval_negatives", "unrated items each held-out positive is ranked against, in [1, 100000] "
                      "(default 99)"},
    {"top_k", "the cut-off of HR@k and NDCG@k, in [1, 100000] (default 10)"},
    {"oov", "true: ids not seen in training read as one more row of each index input (which "
            "must then be one larger); default false: they are an error"},
    {"user_ids", "recorded in the model: the training file's users (integers or text), sorted; "
                 "row k of the user input is the k-th"},
    {"item_ids", "recorded in the model: the training file's items, sorted, as user_ids"},
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
    .stream_header = ratings_stream_header,
    .free = ratings_free,
};
