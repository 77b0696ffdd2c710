/* Every bad config gets one clear message naming the file, the JSON path and what was
 * expected. Each case edits a valid config in one place and asserts the message. */
#include "train/config.h"
#include "train/session.h"

#include "tn_check.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const good =
    "{\"name\": \"t\", \"seed\": 1,\n"
    " \"inputs\": [{\"name\": \"in\", \"size\": 2}],\n"
    " \"layers\": [{\"type\": \"dense\", \"units\": 4, \"activation\": \"relu\"},\n"
    "            {\"type\": \"dense\", \"units\": 1, \"activation\": \"sigmoid\"}],\n"
    " \"loss\": \"binary_crossentropy\",\n"
    " \"optimizer\": {\"type\": \"adam\", \"lr\": 0.01},\n"
    " \"train\": {\"epochs\": 5, \"batch_size\": 8},\n"
    " \"data\": {\"train\": \"a.csv\", \"inputs\": [\"x\", \"y\"], \"target\": \"label\"}}";

/* good with the first occurrence of `from` replaced by `to`. */
static char *edit(const char *from, const char *to)
{
    const char *at = strstr(good, from);
    ck_assert_msg(at != NULL, "fixture lacks %s", from);
    size_t n = strlen(good) - strlen(from) + strlen(to) + 1;
    char *s = malloc(n);
    snprintf(s, n, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
    return s;
}

static void expect_error(const char *text, int code, const char *msg)
{
    tn_config *c = (tn_config *)1;
    tn_error err = {0};
    int rc = tn__config_parse("models/x.json", text, strlen(text), &c, &err);
    ck_assert_msg(rc == code, "want %s, got %s (%s)", tn_status_name(code), tn_status_name(rc),
                  err.msg);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(err.msg, msg) != NULL, "message \"%s\" lacks \"%s\"", err.msg, msg);
}

static void expect_edit_error(const char *from, const char *to, const char *msg)
{
    char *s = edit(from, to);
    expect_error(s, TN_ECONFIG, msg);
    free(s);
}

START_TEST(valid_config_parses)
{
    tn_config *c;
    tn_error err = {0};
    ck_assert_int_eq(tn__config_parse("models/x.json", good, strlen(good), &c, &err), TN_OK);
    ck_assert_int_eq(c->net->n_layers, 2);
    ck_assert_uint_eq(c->net->n_params, 2 * 4 + 4 + 4 * 1 + 1);
    ck_assert_int_eq(c->train.epochs, 5);
    ck_assert_uint_eq(c->train.batch_size, 8);
    ck_assert_double_eq(c->optim.lr, 0.01);
    /* The data section belongs to its format module ("csv" by default): its columns are
     * what it records for the model, its training file what it reads. */
    ck_assert_str_eq(c->data.format->name, "csv");
    tn_data_ctx ctx = tn__config_data_ctx(c);
    cJSON *header = cJSON_CreateObject();
    ck_assert_int_eq(tn__data_spec_record(&c->data, &ctx, header), TN_OK);
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(header, "data");
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(data, "inputs"), "in");
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(in, 1)), "y");
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(
                         cJSON_GetObjectItemCaseSensitive(data, "target"), 0)), "label");
    cJSON_Delete(header);
    tn__config_free(c);
    tn_session s;
    ck_assert_int_eq(tn__session_open_text("models/x.json", good, strlen(good), &s, &err), TN_OK);
    ck_assert_int_eq(tn__session_load_data(&s, &err), TN_EIO);
    ck_assert_msg(strncmp(err.msg, "models/a.csv: ", 14) == 0, /* relative to the config file */
                  "%s", err.msg);
    tn__session_close(&s);
}
END_TEST

START_TEST(syntax_errors)
{
    expect_error("{\"a\": 1} x", TN_ECONFIG, "models/x.json:1:10: invalid JSON");
    expect_error("{\n  \"a\": 1,\n}", TN_ECONFIG, "models/x.json:3:1: invalid JSON");
    expect_error("", TN_ECONFIG, "models/x.json: empty document");
    expect_error("{\"seed\": 1, \"seed\": 2}", TN_ECONFIG, "duplicate key \"seed\"");
}
END_TEST

START_TEST(missing_file)
{
    tn_config *c;
    tn_error err = {0};
    ck_assert_int_eq(tn__config_load("/nonexistent/x.json", &c, &err), TN_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/x.json"));
    ck_assert_ptr_nonnull(strstr(err.msg, "No such file"));
}
END_TEST

START_TEST(type_and_range_errors)
{
    expect_edit_error("\"units\": 4", "\"units\": \"64\"",
                      "models/x.json: layers[0].units: expected a positive integer (at most "
                      "16777216), got \"64\"");
    expect_edit_error("\"units\": 4", "\"units\": 1.5", "layers[0].units: expected a positive");
    expect_edit_error("\"units\": 4", "\"units\": 0", "layers[0].units: expected a positive");
    expect_edit_error("\"units\": 4", "\"units\": -3", "got -3");
    expect_edit_error("\"units\": 4", "\"units\": 1e400", "layers[0].units:");
    expect_edit_error("\"epochs\": 5", "\"epochs\": 3000000000", "train.epochs: expected");
    expect_edit_error("\"batch_size\": 8", "\"batch_size\": true", "got true");
    expect_edit_error("\"lr\": 0.01", "\"lr\": 0", "optimizer.lr: expected a number in (0, 10]");
    expect_edit_error("\"lr\": 0.01", "\"lr\": \"fast\"", "optimizer.lr:");
    expect_edit_error("\"size\": 2", "\"size\": 0", "inputs[0].size: expected a positive");
    expect_edit_error("\"seed\": 1", "\"seed\": -1", "seed: expected a non-negative integer");
    expect_edit_error("{\"type\": \"adam\", \"lr\": 0.01}", "5", "models/x.json: optimizer: expected");
}
END_TEST

START_TEST(honest_evaluation_metrics_and_schedules)
{
    const char *bs = "\"batch_size\": 8";
    /* Patience holds out validation rows by default; 0 given explicitly monitors the
     * training loss; no patience, no validation rows. */
    char *s = edit(bs, "\"batch_size\": 8, \"patience\": 3");
    tn_config *c;
    tn_error err = {0};
    ck_assert_int_eq(tn__config_parse("models/x.json", s, strlen(s), &c, &err), TN_OK);
    ck_assert(c->train.validation == 0.1 && c->train.eval_every == 1);
    tn__config_free(c);
    free(s);
    s = edit(bs, "\"batch_size\": 8, \"patience\": 3, \"validation\": 0");
    ck_assert_int_eq(tn__config_parse("models/x.json", s, strlen(s), &c, &err), TN_OK);
    ck_assert(c->train.validation == 0 && c->train.validation_given);
    tn__config_free(c);
    free(s);
    s = edit(bs, "\"batch_size\": 8, \"class_weights\": [1, 3], \"lr_schedule\": "
                 "{\"type\": \"cosine\", \"warmup\": 2}");
    ck_assert_msg(tn__config_parse("models/x.json", s, strlen(s), &c, &err) == TN_OK, "%s",
                  err.msg);
    ck_assert(c->train.validation == 0 && c->train.classes == 2);
    ck_assert(c->train.class_weight[1] == 3 && c->train.lr.kind == TN_LR_COSINE);
    tn__config_free(c);
    free(s);
    expect_edit_error(bs, "\"batch_size\": 8, \"patience\": 3, \"eval_every\": 0",
                      "models/x.json: train.eval_every: early stopping and the plateau "
                      "schedule need evaluations");
    expect_edit_error(bs, "\"batch_size\": 8, \"validation\": 0.95",
                      "train.validation: expected a number in [0, 0.9]");
    expect_edit_error(bs, "\"batch_size\": 8, \"class_weights\": [1]",
                      "train.class_weights: expected 2 weights (one per class), got 1");
    expect_edit_error(bs, "\"batch_size\": 8, \"class_weights\": [1, 0]",
                      "train.class_weights[1]: expected a number in (0, 1e6], got 0");
    expect_edit_error(bs, "\"batch_size\": 8, \"class_weights\": \"even\"",
                      "train.class_weights: expected \"balanced\" or an array of 2");
    expect_edit_error(bs, "\"batch_size\": 8, \"lr_schedule\": {\"type\": \"cosin\"}",
                      "train.lr_schedule.type: expected one of");
    expect_edit_error(bs, "\"batch_size\": 8, \"lr_schedule\": {\"type\": \"step\", "
                      "\"warmup\": 3}",
                      "train.lr_schedule.warmup: not a key of the \"step\" schedule");
    expect_edit_error(bs, "\"batch_size\": 8, \"lr_schedule\": {\"type\": \"plateau\", "
                      "\"factor\": 1}", "train.lr_schedule.factor: expected a number in (0, 1)");
    expect_edit_error("\"loss\"", "\"metrics\": [\"auc\"], \"loss\"",
                      "models/x.json: metrics: the metrics are tracked on the validation rows");
    expect_edit_error("\"loss\"", "\"metrics\": [\"auc\", \"f2\"], \"loss\"",
                      "models/x.json: metrics[1]: expected a metric name, got \"f2\" (did you "
                      "mean \"f1\"?)");
    expect_edit_error("\"loss\"", "\"metrics\": [\"r2\"], \"loss\"",
                      "metrics[0]: \"r2\" does not apply to this network's task (binary)");
    expect_edit_error("\"loss\"", "\"threshold\": 2, \"loss\"",
                      "threshold: expected a number in [0, 1]");
}
END_TEST

START_TEST(unknown_keys_and_names)
{
    expect_edit_error("\"loss\"", "\"los\"", "unknown key \"los\" (did you mean \"loss\"?)");
    expect_edit_error("\"lr\"", "\"learnig_rate\"", "optimizer: unknown key \"learnig_rate\"");
    expect_edit_error("\"units\": 4,", "\"unit\": 4,", "layers[0]: unknown key \"unit\" (did you mean \"units\"?)");
    expect_edit_error("\"relu\"", "\"rleu\"",
                      "layers[0].activation: unknown activation \"rleu\" (did you mean \"relu\"?)");
    expect_edit_error("\"binary_crossentropy\"", "\"binary_crossentropyy\"",
                      "loss: expected one of");
    expect_edit_error("\"type\": \"adam\"", "\"type\": \"adma\"", "(did you mean \"adam\"?)");
    expect_edit_error("\"activation\": \"relu\"", "\"activation\": \"relu\", \"init\": \"he\"",
                      "layers[0].init: expected one of");
    expect_edit_error("\"type\": \"dense\"", "\"type\": \"dens\"",
                      "layers[0].type: expected one of");
    expect_edit_error("\"activation\": \"relu\"",
                      "\"activation\": {\"type\": \"leaky_relu\", \"alpah\": 0.1}",
                      "layers[0].activation: unknown key \"alpah\" (did you mean \"alpha\"?)");
    expect_edit_error("\"activation\": \"relu\"",
                      "\"activation\": {\"type\": \"leaky_relu\", \"alpha\": 5}",
                      "layers[0].activation.alpha: expected a number in [0, 1], got 5");
    expect_edit_error("\"lr\": 0.01", "\"lr\": 0.01, \"momentum\": 0.9",
                      "optimizer: unknown key \"momentum\"");
}
END_TEST

START_TEST(graph_errors)
{
    expect_edit_error("{\"type\": \"dense\", \"units\": 1,",
                      "{\"type\": \"dense\", \"input\": \"nope\", \"units\": 1,",
                      "layers[1].input: unknown input or layer \"nope\"");
    expect_edit_error("{\"type\": \"dense\", \"units\": 4,",
                      "{\"type\": \"dense\", \"name\": \"a\", \"input\": \"b\", \"units\": 4,",
                      "layers[0].input: unknown input or layer \"b\"");
    expect_edit_error("{\"type\": \"dense\", \"units\": 4,",
                      "{\"type\": \"dense\", \"name\": \"in\", \"units\": 4,",
                      "layers[0].name: duplicate name \"in\"");
    expect_edit_error("{\"type\": \"dense\", \"units\": 1,",
                      "{\"type\": \"dense\", \"units\": 3}, {\"type\": \"dense\", \"input\": "
                      "\"dense_1\", \"units\": 1,",
                      "layers[1]: layer \"dense_2\" is never used");
}
END_TEST

/* A two-input network: wiring mistakes are named by path and by name. */
START_TEST(graph_wiring_errors)
{
    const char *head =
        "{\"inputs\": [{\"name\": \"a\", \"size\": 2}, {\"name\": \"ids\", \"type\": "
        "\"index\", \"size\": 10}],\n \"layers\": [";
    const char *tail =
        "],\n \"loss\": \"mse\", \"train\": {\"epochs\": 1},\n \"data\": {\"train\": "
        "\"a.csv\", \"inputs\": {\"a\": [\"x\", \"y\"], \"ids\": \"u\"}, \"target\": \"t\"}}";
    static const struct {
        const char *layers, *msg;
    } cases[] = {
        {"{\"type\": \"dense\", \"units\": 1}",
         "layers[0]: has no \"input\" and the network has 2 inputs: name the one it reads"},
        {"{\"type\": \"dense\", \"input\": \"a\", \"units\": 1}",
         "inputs[1]: input \"ids\" is never used"},
        {"{\"type\": \"dense\", \"name\": \"d\", \"input\": \"d\", \"units\": 1}",
         "layers[0].input: layer \"d\" cannot take its own output as input"},
        {"{\"type\": \"dense\", \"name\": \"d1\", \"input\": \"d2\", \"units\": 2}, "
         "{\"type\": \"dense\", \"name\": \"d2\", \"input\": \"d1\", \"units\": 1}",
         "layers[0].input: \"d2\" is layers[1], defined later: a layer may only read inputs "
         "and earlier layers (no cycles)"},
        {"{\"type\": \"dense\", \"input\": \"ids\", \"units\": 1}",
         "layers[0]: input \"ids\" holds integer ids; only an embedding layer can read it"},
        {"{\"type\": \"embedding\", \"input\": \"idz\", \"dim\": 2}",
         "layers[0].input: unknown input or layer \"idz\" (did you mean \"ids\"?)"},
        {"{\"type\": \"embedding\", \"name\": \"e\", \"input\": \"ids\", \"dim\": 2}, "
         "{\"type\": \"concat\", \"inputs\": [\"a\", \"e\", \"a\"]}",
         "layers[1].inputs[2]: \"a\" is listed twice"},
        {"{\"type\": \"embedding\", \"name\": \"a\", \"input\": \"ids\", \"dim\": 2}",
         "layers[0].name: duplicate name \"a\" (already used by input 0)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[2048];
        snprintf(text, sizeof text, "%s%s%s", head, cases[i].layers, tail);
        expect_error(text, TN_ECONFIG, cases[i].msg);
    }
}
END_TEST

START_TEST(data_errors)
{
    expect_edit_error("\"inputs\": [\"x\", \"y\"]", "\"inputs\": [\"x\"]",
                      "data.inputs: 1 column given, but input \"in\" has 2");
    expect_edit_error("\"inputs\": [\"x\", \"y\"]", "\"inputs\": {\"inn\": [\"x\", \"y\"]}",
                      "data.inputs: unknown key \"inn\" (did you mean \"in\"?)");
    expect_edit_error("\"target\": \"label\"", "\"target\": [\"a\", \"b\"]",
                      "data: target: the network has 1 output but 2 target columns");
    expect_edit_error("\"train\": \"a.csv\"", "\"train\": \"a.csv\", \"test\": \"b.csv\", "
                      "\"holdout\": 0.2", "data.holdout: give either a test file");
    expect_edit_error("\"train\": \"a.csv\"", "\"train\": 7", "data.train: expected");
    /* One column name is held to what an array's names are: not empty, not cut. */
    expect_edit_error("\"target\": \"label\"", "\"target\": \"\"",
                      "data.target: expected a name of 1 to 63 printable characters: an empty "
                      "name");
    expect_edit_error("\"target\": \"label\"",
                      "\"target\": \"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl\"",
                      "data.target: expected a name of 1 to 63 printable characters: 64 "
                      "characters long (at most 63)");
    expect_edit_error("\"target\": \"label\"", "\"target\": [\"\"]",
                      "data.target[0]: expected a name of 1 to 63 printable characters");
}
END_TEST

START_TEST(loss_and_input_limits)
{
    expect_edit_error("\"binary_crossentropy\"", "\"categorical_crossentropy\"",
                      "models/x.json: loss: categorical_crossentropy needs an output layer with "
                      "a softmax (or log_softmax) activation, and the last layer's is \"sigmoid\"");
    /* 17 inputs: one more than a network may have. */
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "{\"inputs\": [");
    for (int i = 0; i < 17; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s{\"name\": \"i%d\", \"size\": 1}",
                              i ? ", " : "", i);
    snprintf(text + n, sizeof text - n, "], \"layers\": [{\"type\": \"concat\", \"inputs\": "
             "[\"i0\", \"i1\"]}], \"loss\": \"mse\", \"train\": {\"epochs\": 1}, "
             "\"data\": {\"train\": \"a.csv\", \"inputs\": {}, \"target\": \"t\"}}");
    expect_error(text, TN_ECONFIG, "models/x.json: inputs: too many inputs (17; at most 16)");
}
END_TEST

START_TEST(ratings_header_columns_are_distinct)
{
    const char *text =
        "{\"inputs\": [{\"name\": \"user\", \"type\": \"index\", \"size\": 5}, "
        "{\"name\": \"item\", \"type\": \"index\", \"size\": 5}],"
        " \"layers\": [{\"type\": \"embedding\", \"name\": \"u\", \"input\": \"user\", "
        "\"dim\": 2}, {\"type\": \"embedding\", \"name\": \"v\", \"input\": \"item\", "
        "\"dim\": 2}, {\"type\": \"concat\", \"inputs\": [\"u\", \"v\"]}, {\"type\": "
        "\"dense\", \"units\": 1, \"activation\": \"sigmoid\"}],"
        " \"loss\": \"binary_crossentropy\", \"train\": {\"epochs\": 1},"
        " \"data\": {\"format\": \"ratings\", \"train\": \"r.csv\", "
        "\"header\": {\"user\": \"id\", \"item\": \"id\"}}}";
    expect_error(text, TN_ECONFIG,
                 "data.header.item: column \"id\" is already the user column");
}
END_TEST

/* Every allocation of config parsing may fail: each failure is TN_ENOMEM with a message,
 * never a crash, a leak (under ASan) or a misleading config error. */
static long fail_at, n_allocs;
static void *failing_malloc(size_t n) { return ++n_allocs == fail_at ? NULL : malloc(n); }
static void *failing_realloc(void *p, size_t n)
{
    return ++n_allocs == fail_at ? NULL : realloc(p, n);
}

START_TEST(out_of_memory_anywhere)
{
    int failures = 0;
    for (fail_at = 1;; fail_at++) {
        tn_config *c = NULL;
        tn_error err = {0};
        n_allocs = 0;
        tn_replace_allocator(failing_malloc, failing_realloc, free);
        int rc = tn__config_parse("models/x.json", good, strlen(good), &c, &err);
        tn_replace_allocator(NULL, NULL, NULL);
        if (rc == TN_OK) {
            tn__config_free(c);
            break;
        }
        failures++;
        ck_assert_msg(rc == TN_ENOMEM, "allocation %ld: %s (%s)", fail_at, tn_status_name(rc),
                      err.msg);
        ck_assert_ptr_nonnull(strstr(err.msg, "out of memory"));
        ck_assert_ptr_null(c);
    }
    ck_assert_int_gt(failures, 5); /* the sweep did reach the parser's allocations */
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("errors");
    tcase_add_test(tc, valid_config_parses);
    tcase_add_test(tc, syntax_errors);
    tcase_add_test(tc, missing_file);
    tcase_add_test(tc, type_and_range_errors);
    tcase_add_test(tc, unknown_keys_and_names);
    tcase_add_test(tc, graph_errors);
    tcase_add_test(tc, graph_wiring_errors);
    tcase_add_test(tc, data_errors);
    tcase_add_test(tc, loss_and_input_limits);
    tcase_add_test(tc, ratings_header_columns_are_distinct);
    tcase_add_test(tc, out_of_memory_anywhere);
    tcase_add_test(tc, honest_evaluation_metrics_and_schedules);
    suite_add_tcase(s, tc);
    return s;
}
