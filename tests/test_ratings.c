/* Ratings data and recommender metrics: reader messages, implicit feedback, leave-one-out,
 * negative sampling, AUC/HR/NDCG on hand-made cases, the DOT drawing, and the shipped
 * recommender beating the popularity baseline. */
#include "core/alloc.h"
#include "data/implicit.h"
#include "data/ratings.h"
#include "inspect/dot.h"
#include "recsys/rankmetrics.h"
#include "recsys/recsys.h"
#include "train/config.h"
#include "train/session.h"
#include "tn_check.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tn_ratings_cfg defaults(void)
{
    tn_ratings_cfg c;
    tn__ratings_cfg_defaults(&c);
    return c;
}

static tn_ratings *parse_ok(const char *text, const tn_ratings_cfg *c, size_t nu, size_t ni)
{
    tn_ratings *r = NULL;
    tn_error err = {0};
    int rc = tn__ratings_parse("r.tsv", text, strlen(text), c, nu, ni, 1, &r, &err);
    ck_assert_msg(rc == TN_OK, "%s", err.msg);
    return r;
}

static void expect_parse_error(const char *text, const tn_ratings_cfg *c, size_t nu, size_t ni,
                               const char *msg)
{
    tn_ratings *r = (tn_ratings *)1;
    tn_error err = {0};
    int rc = tn__ratings_parse("r.tsv", text, strlen(text), c, nu, ni, 1, &r, &err);
    ck_assert_int_eq(rc, TN_EDATA);
    ck_assert_ptr_null(r);
    ck_assert_msg(strcmp(err.msg, msg) == 0, "got \"%s\", want \"%s\"", err.msg, msg);
}

START_TEST(reads_udata_layout)
{
    tn_ratings_cfg c = defaults();
    tn_ratings *r = parse_ok("# comment\n0\t1\t5\t100\n\n2\t3\t1\t99\r\n", &c, 3, 4);
    ck_assert_uint_eq(r->n, 2);
    ck_assert_uint_eq(r->r[1].user, 2);
    ck_assert_uint_eq(r->r[1].item, 3);
    ck_assert_float_eq(r->r[0].rating, 5);
    ck_assert_double_eq(r->r[1].timestamp, 99);
    tn__ratings_free(r);
    /* MovieLens ids are 1-based: id_base 1 maps 943 to 942. */
    c.id_base = 1;
    r = parse_ok("943\t1682\t4\t1\n", &c, 943, 1682);
    ck_assert_uint_eq(r->r[0].user, 942);
    ck_assert_uint_eq(r->r[0].item, 1681);
    tn__ratings_free(r);
}
END_TEST

START_TEST(reads_csv_with_named_columns)
{
    tn_ratings_cfg c = defaults();
    snprintf(c.header[TN_RF_USER], TN_MAX_NAME, "userId");
    snprintf(c.header[TN_RF_ITEM], TN_MAX_NAME, "movieId");
    tn_ratings *r = parse_ok("timestamp,movieId,rating,userId\n7,2,3.5,1\n", &c, 2, 3);
    ck_assert_uint_eq(r->r[0].user, 1);
    ck_assert_uint_eq(r->r[0].item, 2);
    ck_assert_float_eq(r->r[0].rating, 3.5f);
    ck_assert_double_eq(r->r[0].timestamp, 7);
    tn__ratings_free(r);
}
END_TEST

START_TEST(reader_errors_name_file_and_line)
{
    tn_ratings_cfg c = defaults();
    expect_parse_error("0\t1\t5\t1\n0\t1700\t5\t2\n", &c, 943, 1682,
                       "r.tsv: line 2: item 1700 is outside the vocabulary [0, 1682)");
    expect_parse_error("0\t1\t5\t1\n-1\t1\t5\t2\n", &c, 943, 1682,
                       "r.tsv: line 2: user -1 is outside the vocabulary [0, 943)");
    expect_parse_error("0\t1\tfive\t1\n", &c, 943, 1682,
                       "r.tsv: line 1: rating: expected a number, got \"five\"");
    expect_parse_error("0\t1.5\t5\t1\n", &c, 943, 1682,
                       "r.tsv: line 1: item: expected an integer id, got \"1.5\"");
    expect_parse_error("0\t1\t5\t1\n0\t1\t5\n", &c, 943, 1682,
                       "r.tsv: line 2: expected 4 fields (user item rating timestamp), got 3");
    expect_parse_error("user,item,score,timestamp\n1,2,3,4\n", &c, 943, 1682,
                       "r.tsv: line 1: the header has no column \"rating\" (the rating "
                       "column; set data.header.rating)");
    expect_parse_error("# nothing\n", &c, 943, 1682, "r.tsv: no ratings");
    c.id_base = 1;
    expect_parse_error("0\t1\t5\t1\n", &c, 943, 1682,
                       "r.tsv: line 1: user 0 is outside the vocabulary [1, 944)");
}
END_TEST

/* Users 0..3 over 10 items; user 3 has one positive only. */
static const char *const small =
    "0\t0\t5\t10\n0\t1\t4\t30\n0\t2\t1\t40\n0\t3\t5\t20\n"
    "1\t4\t5\t5\n1\t5\t5\t5\n1\t6\t2\t1\n"
    "2\t0\t4\t1\n2\t9\t4\t2\n"
    "3\t7\t5\t1\n3\t8\t2\t2\n";

static tn_implicit *build_small(unsigned long long seed)
{
    tn_ratings_cfg c = defaults();
    tn_ratings *r = parse_ok(small, &c, 4, 10);
    tn_implicit *im;
    tn_error err = {0};
    ck_assert_int_eq(tn__implicit_build(r, 4, seed, &im, &err), TN_OK);
    tn__ratings_free(r);
    return im;
}

START_TEST(leave_one_out_holds_out_the_latest_positive)
{
    tn_implicit *im = build_small(1);
    ck_assert_uint_eq(im->held_out[0], 1); /* positives at t=10, 30, 20: t=30 is item 1 */
    ck_assert(im->held_out[1] == 4 || im->held_out[1] == 5); /* a tie, broken by the seed */
    ck_assert_uint_eq(im->held_out[2], 9);
    ck_assert_uint_eq(im->held_out[3], TN_NO_ITEM); /* one positive: nothing held out */
    ck_assert_uint_eq(tn__implicit_users_held_out(im), 3);
    /* 8 positives, 3 held out; the held-out items are not training positives. */
    ck_assert_uint_eq(im->n_train, 5);
    for (size_t k = 0; k < im->n_train; k++)
        ck_assert_uint_ne(im->train_item[k], im->held_out[im->train_user[k]]);
    ck_assert_uint_eq(im->popularity[0], 2);
    ck_assert_uint_eq(im->popularity[1], 0);
    ck_assert(tn__implicit_is_rated(im, 0, 2) && !tn__implicit_is_rated(im, 0, 4));
    /* Ties go each way for some seed. */
    int seen4 = 0, seen5 = 0;
    for (unsigned long long s = 0; s < 32; s++) {
        tn_implicit *t = build_small(s);
        seen4 |= t->held_out[1] == 4;
        seen5 |= t->held_out[1] == 5;
        tn__implicit_free(t);
    }
    ck_assert(seen4 && seen5);
    tn__implicit_free(im);
}
END_TEST

static tn_net *two_input_net(size_t nu, size_t ni)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{\"inputs\": [{\"name\": \"user\", \"type\": \"index\", \"size\": %zu},"
             "{\"name\": \"item\", \"type\": \"index\", \"size\": %zu}],"
             "\"layers\": [{\"name\": \"u\", \"type\": \"embedding\", \"input\": \"user\", \"dim\": 2},"
             "{\"name\": \"i\", \"type\": \"embedding\", \"input\": \"item\", \"dim\": 2},"
             "{\"type\": \"concat\", \"inputs\": [\"u\", \"i\"]},"
             "{\"type\": \"dense\", \"units\": 1, \"activation\": \"sigmoid\"}]}", nu, ni);
    cJSON *root = cJSON_Parse(text);
    tn_error err = {0};
    tn_jr r;
    tn__jr_init(&r, "net", &err);
    tn_net *net;
    ck_assert_msg(tn__net_from_json(&r, root, &net) == TN_OK, "%s", err.msg);
    cJSON_Delete(root);
    return net;
}

START_TEST(negatives_are_unrated_and_seeded)
{
    tn_implicit *im = build_small(1);
    tn_net *net = two_input_net(4, 10);
    tn_ratings_cfg c = defaults();
    c.negatives = 6;
    tn_dataset *a, *b, *d;
    tn_error err = {0};
    ck_assert_int_eq(tn__implicit_train_set(im, net, &c, 7, &a, &err), TN_OK);
    ck_assert_int_eq(tn__implicit_train_set(im, net, &c, 7, &b, &err), TN_OK);
    ck_assert_int_eq(tn__implicit_train_set(im, net, &c, 8, &d, &err), TN_OK);
    ck_assert_uint_eq(a->rows, im->n_train * 7);
    size_t pos = 0, differ = 0;
    for (size_t k = 0; k < a->rows; k++) {
        uint32_t u = (uint32_t)a->x[0][k], i = (uint32_t)a->x[1][k];
        if (a->t[k] == 1) {
            pos++;
            ck_assert(tn__implicit_is_rated(im, u, i));
        } else {
            ck_assert_msg(!tn__implicit_is_rated(im, u, i), "user %u item %u is rated", u, i);
        }
        ck_assert_float_eq(a->x[1][k], b->x[1][k]);
        differ += a->x[1][k] != d->x[1][k];
    }
    ck_assert_uint_eq(pos, im->n_train);
    ck_assert_uint_gt(differ, 0);
    /* The evaluation set: positive first, distinct unrated negatives. */
    tn_rank_set *s;
    c.eval_negatives = 5;
    ck_assert_int_eq(tn__rank_set_build(im, &c, 7, &s, &err), TN_OK);
    ck_assert_uint_eq(s->n_users, 3);
    for (size_t k = 0; k < s->n_users; k++) {
        ck_assert_uint_eq(s->item[s->off[k]], im->held_out[s->user[k]]);
        ck_assert_uint_eq(s->off[k + 1] - s->off[k], 6);
        for (size_t j = s->off[k] + 1; j < s->off[k + 1]; j++) {
            ck_assert(!tn__implicit_is_rated(im, s->user[k], s->item[j]));
            for (size_t q = s->off[k] + 1; q < j; q++)
                ck_assert_uint_ne(s->item[q], s->item[j]);
        }
    }
    tn__rank_set_free(s);
    tn__dataset_free(a);
    tn__dataset_free(b);
    tn__dataset_free(d);
    tn__net_free(net);
    tn__implicit_free(im);
}
END_TEST

START_TEST(auc_extremes_and_ties)
{
    const float label[6] = {1, 0, 1, 0, 0, 1};
    const float perfect[6] = {0.9f, 0.1f, 0.8f, 0.2f, 0.3f, 0.7f};
    float inverted[6], constant[6];
    for (int i = 0; i < 6; i++) {
        inverted[i] = -perfect[i];
        constant[i] = 0.5f;
    }
    double auc;
    ck_assert_int_eq(tn__roc_auc(perfect, label, 6, &auc, NULL), TN_OK);
    ck_assert_double_eq(auc, 1.0);
    ck_assert_int_eq(tn__roc_auc(inverted, label, 6, &auc, NULL), TN_OK);
    ck_assert_double_eq(auc, 0.0);
    ck_assert_int_eq(tn__roc_auc(constant, label, 6, &auc, NULL), TN_OK);
    ck_assert_double_eq(auc, 0.5);
    /* One positive tied with one of two negatives, above the other: (1 + 0.5) / 2. */
    const float s3[3] = {0.5f, 0.5f, 0.1f}, l3[3] = {1, 0, 0};
    ck_assert_int_eq(tn__roc_auc(s3, l3, 3, &auc, NULL), TN_OK);
    ck_assert_double_eq(auc, 0.75);
    ck_assert_int_eq(tn__roc_auc(s3, l3 + 1, 2, &auc, NULL), TN_OK);
    ck_assert(isnan(auc)); /* one class only */
    ck_assert_double_eq_tol(tn__log_loss(perfect, label, 1), -log(0.9), 1e-6);
}
END_TEST

START_TEST(hit_rate_and_ndcg_by_hand)
{
    const float neg[5] = {0.9f, 0.8f, 0.1f, 0.2f, 0.3f};
    double h, g;
    tn__rank_hit(0.95f, neg, 5, 3, &h, &g); /* rank 0 */
    ck_assert_double_eq(h, 1);
    ck_assert_double_eq(g, 1);
    tn__rank_hit(0.5f, neg, 5, 3, &h, &g); /* rank 2: 1/log2(4) */
    ck_assert_double_eq(h, 1);
    ck_assert_double_eq_tol(g, 0.5, 1e-12);
    tn__rank_hit(0.5f, neg, 5, 2, &h, &g); /* rank 2 misses the top 2 */
    ck_assert_double_eq(h, 0);
    ck_assert_double_eq(g, 0);
    /* Tied with 0.8: rank 1 or 2, each half the time. */
    tn__rank_hit(0.8f, neg, 5, 2, &h, &g);
    ck_assert_double_eq(h, 0.5);
    ck_assert_double_eq_tol(g, 0.5 / log2(3), 1e-12);
    /* All tied: a constant scorer's expected hit rate is k / (n + 1). */
    const float flat[99] = {0};
    tn__rank_hit(0, flat, 99, 10, &h, &g);
    ck_assert_double_eq_tol(h, 0.1, 1e-12);
    /* NaN scores (a diverged model) rank lowest: never a hit for free. */
    float nans[99];
    for (int i = 0; i < 99; i++)
        nans[i] = NAN;
    tn__rank_hit(NAN, nans, 99, 10, &h, &g);
    ck_assert_double_eq_tol(h, 0.1, 1e-12); /* no better than a constant scorer */
    tn__rank_hit(NAN, neg, 5, 3, &h, &g);
    ck_assert_double_eq(h, 0);
    const float sc[4] = {NAN, 0.2f, 0.9f, 0.1f}, lb[4] = {1, 0, 1, 0};
    double auc;
    tn_error err = {0};
    ck_assert_int_eq(tn__roc_auc(sc, lb, 4, &auc, &err), TN_OK);
    ck_assert_double_eq_tol(auc, 0.5, 1e-12); /* the NaN positive ranks below both negatives */
}
END_TEST

static const char *const rec_config =
    "{\"name\": \"r\", \"inputs\": [{\"name\": \"user\", \"type\": \"index\", \"size\": 4},"
    " {\"name\": \"item\", \"type\": \"index\", \"size\": 10}],"
    " \"layers\": [{\"name\": \"u\", \"type\": \"embedding\", \"input\": \"user\", \"dim\": 2},"
    " {\"name\": \"i\", \"type\": \"embedding\", \"input\": \"item\", \"dim\": 2},"
    " {\"type\": \"concat\", \"inputs\": [\"u\", \"i\"]},"
    " {\"type\": \"dense\", \"units\": 1, \"activation\": \"sigmoid\"}],"
    " \"loss\": \"binary_crossentropy\", \"train\": {\"epochs\": 1},"
    " \"data\": {\"format\": \"ratings\", \"train\": \"r.tsv\"DATA}}";

static void expect_config(const char *extra, const char *msg)
{
    char text[2048];
    const char *at = strstr(rec_config, "DATA");
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - rec_config), rec_config, extra, at + 4);
    tn_config *c = NULL;
    tn_error err = {0};
    int rc = tn__config_parse("m/x.json", text, strlen(text), &c, &err);
    if (!msg) {
        ck_assert_msg(rc == TN_OK, "%s", err.msg);
        ck_assert_str_eq(c->data.format->name, "ratings");
        const tn_ratings_cfg *rc_;
        const char *train;
        tn__data_ratings_settings(&c->data, &rc_, &train);
        ck_assert_str_eq(train, "m/r.tsv");
        /* input 1 ("item") reads the item column, "item" by default */
        ck_assert_str_eq(rc_->item_input, c->net->nodes[1].name);
        ck_assert_str_eq(rc_->header[TN_RF_ITEM], "item");
        tn__config_free(c);
        return;
    }
    ck_assert_int_eq(rc, TN_ECONFIG);
    ck_assert_msg(strstr(err.msg, msg) != NULL, "got \"%s\", want \"%s\"", err.msg, msg);
}

START_TEST(ratings_config_errors)
{
    expect_config("", NULL);
    expect_config(", \"threshold\": 3.5, \"negatives\": 2, \"id_base\": 1", NULL);
    expect_config(", \"negatives\": 0",
                  "m/x.json: data.negatives: expected a positive integer (at most 1000), got 0");
    expect_config(", \"negativs\": 2", "data: unknown key \"negativs\" (did you mean "
                  "\"negatives\"?)");
    expect_config(", \"user_input\": \"usr\"",
                  "data.user_input: no network input \"usr\" (did you mean \"user\"?)");
    expect_config(", \"item_input\": \"user\"",
                  "data.item_input: the user and item inputs must differ, both are \"user\"");
    expect_config(", \"id_base\": 2", "data.id_base: expected an integer in [0, 1], got 2");
    expect_config(", \"header\": {\"usr\": \"a\"}", "data.header: unknown key \"usr\"");
    expect_config(", \"top_k\": 200", "data.top_k: 200 is more than the 99 ranked candidates");
    expect_config(", \"inputs\": [\"a\"]", "data: unknown key \"inputs\"");
}
END_TEST

START_TEST(dot_draws_the_recommender)
{
    tn_config *c;
    tn_error err = {0};
    ck_assert_msg(tn__config_load(TN_SOURCE_DIR "/models/recommender.json", &c, &err) == TN_OK,
                  "%s", err.msg);
    char *dot;
    size_t len;
    ck_assert_int_eq(tn__net_dot(c->net, NULL, &dot, &len, &err), TN_OK);
    ck_assert_uint_eq(strlen(dot), len);
    static const char *const want[] = {
        "digraph \"recommender\" {",
        "{ rank=same; n0; n1; }",           /* the two inputs side by side */
        "<b>user</b> (input)", "ids in [0, 300)",
        "<b>user_vec</b> (embedding)", "9,600 parameters",
        "n0 -> n2;", "n1 -> n3;",          /* inputs into embeddings */
        "<b>both</b> (concat)", "n2 -> n4;", "n3 -> n4;", /* merging at the concat */
        "output (B, 64)", "4,160 parameters",
        "a3 [shape=ellipse", "label=<relu>", "n5 -> a3;", "a3 -> n6;",
        "<b>dropout_1</b> (dropout)", "a4 -> n7;", "n7 -> n8;",
        "label=<sigmoid>", "n8 -> a6;", "33 parameters",
        "<b>recommender</b><br/>", "28,673 parameters (114,692 bytes of float32), 7 layers, 2 inputs",
        "a6 -> output;", "(B, 1): probabilities (sigmoid)", "n8 [shape=box", "penwidth=2"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(dot, want[i]) != NULL, "DOT lacks %s:\n%s", want[i], dot);
    tn__free(dot);
    tn__config_free(c);
}
END_TEST

/* The shipped recommender on the shipped ratings, as `tinynet train` runs it: through a
 * training session, whose "ratings" format keeps what the ranking report needs. */
START_TEST(recommender_beats_popularity)
{
    tn_session s;
    tn_error err = {0};
    ck_assert_msg(tn__session_open(TN_SOURCE_DIR "/models/recommender.json", &s, &err) == TN_OK,
                  "%s", err.msg);
    ck_assert_msg(tn__session_load_data(&s, &err) == TN_OK, "%s", err.msg);
    const tn_ratings_extra *x = s.data.extra;
    const tn_implicit *im = x->im;
    const tn_dataset *train = s.data.train;
    ck_assert_uint_eq(x->ranks->n_users, 300); /* every user of the generator has >= 2 positives */
    for (size_t k = 0; k < train->rows; k++) /* negatives are never rated items */
        ck_assert(train->t[k] == 1 || !tn__implicit_is_rated(im, (uint32_t)train->x[0][k],
                                                             (uint32_t)train->x[1][k]));
    ck_assert_msg(tn__session_fit(&s, NULL, &err) == TN_OK, "%s", err.msg);
    tn_ranking rep;
    ck_assert_int_eq(tn__recsys_evaluate(s.config->net, s.data.extra, &rep, &err), TN_OK);
    fprintf(stderr, "model AUC %.4f HR@10 %.4f NDCG@10 %.4f logloss %.4f | popularity AUC %.4f "
            "HR@10 %.4f NDCG@10 %.4f\n", rep.model.auc, rep.model.hr, rep.model.ndcg,
            rep.model.logloss, rep.popularity.auc, rep.popularity.hr, rep.popularity.ndcg);
    ck_assert_double_gt(rep.model.auc, rep.popularity.auc + 0.1);
    ck_assert_double_gt(rep.model.hr, rep.popularity.hr + 0.2);
    ck_assert_double_gt(rep.model.ndcg, rep.popularity.ndcg + 0.1);
    tn__session_close(&s);
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("ratings");
    TCase *io = tcase_create("io");
    tcase_add_test(io, reads_udata_layout);
    tcase_add_test(io, reads_csv_with_named_columns);
    tcase_add_test(io, reader_errors_name_file_and_line);
    tcase_add_test(io, leave_one_out_holds_out_the_latest_positive);
    tcase_add_test(io, negatives_are_unrated_and_seeded);
    tcase_add_test(io, ratings_config_errors);
    tcase_add_test(io, dot_draws_the_recommender);
    suite_add_tcase(s, io);
    TCase *metrics = tcase_create("metrics");
    tcase_add_test(metrics, auc_extremes_and_ties);
    tcase_add_test(metrics, hit_rate_and_ndcg_by_hand);
    suite_add_tcase(s, metrics);
    TCase *train = tcase_create("train");
    tcase_set_timeout(train, 120);
    tcase_add_test(train, recommender_beats_popularity);
    suite_add_tcase(s, train);
    return s;
}
