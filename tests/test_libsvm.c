/* The libsvm data format: rows read right (sparse features into a dense input, comments,
 * blank lines, CRLF, labels by the loss's rule), every bad input refused with a message
 * naming the file, the line and the token, and the ring trained from libsvm files equal,
 * bit for bit, to the ring trained from the CSV files. */
#include "data/format.h"
#include "train/session.h"
#include "tn_check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A one-input network of width 3 and the libsvm format's state from a model record. */
typedef struct fixture {
    tn_net *net;
    const tn_data_format *f;
    void *state;
    tn_data_ctx ctx;
} fixture;

static void setup(fixture *x, const char *loss, size_t outputs, const char *record)
{
    char json[512];
    snprintf(json, sizeof json,
             "{\"inputs\": [{\"name\": \"x\", \"size\": 3}], \"layers\": [{\"type\": \"dense\", "
             "\"units\": %zu, \"activation\": \"%s\"}]}",
             outputs, outputs > 1 ? "softmax" : "sigmoid");
    tn_error err = {0};
    cJSON *root = NULL, *rec = NULL;
    ck_assert_int_eq(tn__jr_parse("net.json", json, strlen(json), &root, &err), TN_OK);
    tn_jr r;
    tn__jr_init(&r, "net.json", &err);
    ck_assert_msg(tn__net_from_json(&r, root, &x->net) == TN_OK, "%s", err.msg);
    cJSON_Delete(root);
    x->f = tn__data_format_find("libsvm");
    ck_assert_ptr_nonnull(x->f);
    int kind = strcmp(loss, "mse") == 0 ? TN_TARGET_ANY
               : strcmp(loss, "categorical_crossentropy") == 0 ? TN_TARGET_CLASS
                                                               : TN_TARGET_PROB;
    x->ctx = (tn_data_ctx){x->net, {kind, outputs, loss}, "cfg.json"};
    ck_assert_int_eq(tn__jr_parse("model", record, strlen(record), &rec, &err), TN_OK);
    tn__jr_init(&r, "model", &err);
    ck_assert_msg(x->f->from_record(&r, rec, &x->ctx, &x->state) == TN_OK, "%s", err.msg);
    cJSON_Delete(rec);
}

static void teardown(fixture *x)
{
    x->f->free(x->state);
    tn__net_free(x->net);
}

/* Reads text; returns the status and fills err and *out. */
static int read_text(fixture *x, const char *text, int targets, tn_dataset **out, tn_error *err)
{
    tn_data_source src = {.name = "t.svm", .text = text, .len = strlen(text)};
    memset(err, 0, sizeof *err);
    return x->f->read(x->state, &x->ctx, &src, targets, out, err);
}

#define BINARY "{\"format\": \"libsvm\", \"index_base\": 1, \"label_base\": 0}"

START_TEST(rows_are_read)
{
    fixture x;
    setup(&x, "binary_crossentropy", 1, BINARY);
    tn_dataset *d;
    tn_error err;
    const char *text = "# a comment line\r\n+1 1:0.5 3:-2 # trailing comment\r\n\n"
                       "-1 2:7\n0\n1 1:1e-3 2:2 3:3\n";
    ck_assert_msg(read_text(&x, text, 1, &d, &err) == TN_OK, "%s", err.msg);
    ck_assert_uint_eq(d->rows, 4);
    const float want_x[12] = {0.5f, 0, -2, 0, 7, 0, 0, 0, 0, 1e-3f, 2, 3};
    const float want_t[4] = {1, 0, 0, 1};
    for (int i = 0; i < 12; i++)
        ck_assert_float_eq(d->x[0][i], want_x[i]);
    for (int i = 0; i < 4; i++)
        ck_assert_float_eq(d->t[i], want_t[i]);
    tn__dataset_free(d);
    /* predict: the label may be left out */
    ck_assert_msg(read_text(&x, "1:1 2:2\n3:4\n", 0, &d, &err) == TN_OK, "%s", err.msg);
    ck_assert_uint_eq(d->rows, 2);
    ck_assert_ptr_null(d->t);
    ck_assert_float_eq(d->x[0][5], 4.0f);
    tn__dataset_free(d);
    teardown(&x);
}
END_TEST

START_TEST(labels_follow_the_loss)
{
    fixture x;
    tn_dataset *d;
    tn_error err;
    /* classes with label_base 1 (LIBSVM's multi-class files count from 1) */
    setup(&x, "categorical_crossentropy", 3, "{\"format\": \"libsvm\", \"label_base\": 1}");
    ck_assert_msg(read_text(&x, "1 1:1\n3 2:1\n2 3:1\n", 1, &d, &err) == TN_OK, "%s", err.msg);
    ck_assert_float_eq(d->t[0], 0);
    ck_assert_float_eq(d->t[1], 2);
    ck_assert_float_eq(d->t[2], 1);
    tn__dataset_free(d);
    ck_assert_int_eq(read_text(&x, "4 1:1\n", 1, &d, &err), TN_EDATA);
    ck_assert_str_eq(err.msg, "t.svm: line 1: label 4 is not a class in [1, 4) (data.label_base "
                              "is 1)");
    teardown(&x);
    /* -1/+1 are classes 0/1 of a two-way output */
    setup(&x, "categorical_crossentropy", 2, BINARY);
    ck_assert_msg(read_text(&x, "-1 1:1\n+1 1:2\n", 1, &d, &err) == TN_OK, "%s", err.msg);
    ck_assert_float_eq(d->t[0], 0);
    ck_assert_float_eq(d->t[1], 1);
    tn__dataset_free(d);
    teardown(&x);
    /* regression keeps the number */
    setup(&x, "mse", 1, BINARY);
    ck_assert_msg(read_text(&x, "-2.5 1:1\n", 1, &d, &err) == TN_OK, "%s", err.msg);
    ck_assert_float_eq(d->t[0], -2.5f);
    tn__dataset_free(d);
    teardown(&x);
}
END_TEST

static const struct {
    const char *text, *msg;
} bad[] = {
    {"1 1:1\nabc 1:1\n", "t.svm: line 2: expected a label (a number), got \"abc\""},
    {"1 5\n", "t.svm: line 1: expected index:value, got \"5\""},
    {"1 0:1\n", "t.svm: line 1: feature index in \"0:1\" is outside [1, 3]: the input has 3 "
                "features (data.index_base is 1)"},
    {"1 4:1\n", "t.svm: line 1: feature index in \"4:1\" is outside [1, 3]: the input has 3 "
                "features (data.index_base is 1)"},
    {"1 2:1 1:1\n", "t.svm: line 1: feature index in \"1:1\" does not increase along the line"},
    {"1 2:1 2:3\n", "t.svm: line 1: feature index in \"2:3\" does not increase along the line"},
    {"1 1.5:1\n", "t.svm: line 1: expected an integer feature index in \"1.5:1\""},
    {"1 1:x\n", "t.svm: line 1: expected a finite number after the colon in \"1:x\""},
    {"1 1:inf\n", "t.svm: line 1: expected a finite number after the colon in \"1:inf\""},
    {"1 1:1e999\n", "t.svm: line 1: expected a finite number after the colon in \"1:1e999\""},
    {"1 1:\n", "t.svm: line 1: expected a finite number after the colon in \"1:\""},
    {"1 qid:3 1:1\n", "t.svm: line 1: \"qid:3\": query ids (SVMlight ranking files) are not "
                      "supported"},
    {"2 1:1\n", "t.svm: line 1: label 2 is not a binary label (-1/+1 or 0/1)"},
    {"1:1 2:2\n", "t.svm: line 1: expected a label before the features, got \"1:1\""},
    {"# only a comment\n\n", "t.svm: no rows"},
    {"", "t.svm: no rows"},
};

START_TEST(bad_input_is_refused_with_its_line)
{
    fixture x;
    setup(&x, "binary_crossentropy", 1, BINARY);
    tn_dataset *d = NULL;
    tn_error err;
    int i = _i;
    int rc = read_text(&x, bad[i].text, 1, &d, &err);
    ck_assert_msg(rc == TN_EDATA, "case %d: status %d", i, rc);
    ck_assert_ptr_null(d);
    ck_assert_str_eq(err.msg, bad[i].msg);
    teardown(&x);
}
END_TEST

START_TEST(nul_bytes_and_settings_are_refused)
{
    fixture x;
    setup(&x, "binary_crossentropy", 1, BINARY);
    tn_dataset *d;
    tn_error err = {0};
    tn_data_source src = {.name = "t.svm", .text = "1 1:1\0 2:1\n", .len = 11};
    ck_assert_int_eq(x.f->read(x.state, &x.ctx, &src, 1, &d, &err), TN_EDATA);
    ck_assert_str_eq(err.msg, "t.svm: a NUL byte in the text (not a libsvm file?)");
    teardown(&x);
    /* The record's (and the config's) settings are checked. */
    cJSON *rec = cJSON_Parse("{\"format\": \"libsvm\", \"index_base\": 2}");
    setup(&x, "binary_crossentropy", 1, BINARY);
    tn_jr r;
    tn__jr_init(&r, "m", &err);
    void *state = NULL;
    ck_assert_int_eq(x.f->from_record(&r, rec, &x.ctx, &state), TN_ECONFIG);
    ck_assert_str_eq(err.msg, "m: index_base: expected an integer in [0, 1], got 2");
    x.f->free(state);
    cJSON_Delete(rec);
    teardown(&x);
}
END_TEST

/* The ring's CSV files as libsvm files; the same training gives the same parameters. */
static void write_svm(const char *csv, const char *svm)
{
    FILE *in = fopen(csv, "r"), *out = fopen(svm, "w");
    ck_assert(in && out);
    char line[256];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, in)); /* header x,y,label */
    while (fgets(line, sizeof line, in)) {
        char x[64], y[64], label[16];
        ck_assert_int_eq(sscanf(line, "%63[^,],%63[^,],%15s", x, y, label), 3);
        fprintf(out, "%s 1:%s 2:%s\n", label, x, y);
    }
    fclose(in);
    ck_assert_int_eq(fclose(out), 0);
}

static void trained(const char *data, tn_session *s)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"name\": \"ring\", \"seed\": 42, \"inputs\": [{\"name\": \"point\", \"size\": 2}],"
             " \"layers\": [{\"type\": \"dense\", \"units\": 16, \"activation\": \"relu\"},"
             " {\"type\": \"dense\", \"units\": 1, \"activation\": \"sigmoid\"}],"
             " \"loss\": \"binary_crossentropy\", \"optimizer\": {\"type\": \"adam\", \"lr\": 0.01},"
             " \"train\": {\"epochs\": 5, \"batch_size\": 32}, \"data\": %s}", data);
    tn_error err = {0};
    ck_assert_msg(tn__session_open_text(TN_SOURCE_DIR "/models/inline.json", json, strlen(json),
                                        s, &err) == TN_OK, "%s", err.msg);
    s->threads = 1;
    ck_assert_msg(tn__session_fit(s, NULL, &err) == TN_OK, "%s", err.msg);
}

START_TEST(libsvm_ring_equals_csv_ring)
{
    const char *train = TN_BINARY_DIR "/ring_train.svm", *test = TN_BINARY_DIR "/ring_test.svm";
    write_svm(TN_SOURCE_DIR "/data/ring_train.csv", train);
    write_svm(TN_SOURCE_DIR "/data/ring_test.csv", test);
    char data[512];
    snprintf(data, sizeof data, "{\"format\": \"libsvm\", \"train\": \"%s\", \"test\": \"%s\"}",
             train, test);
    tn_session a, b;
    trained(data, &a);
    trained("{\"train\": \"../data/ring_train.csv\", \"test\": \"../data/ring_test.csv\","
            " \"inputs\": [\"x\", \"y\"], \"target\": \"label\"}", &b);
    const tn_net *na = a.config->net, *nb = b.config->net;
    ck_assert_uint_eq(na->n_params, nb->n_params);
    ck_assert_int_eq(memcmp(na->P, nb->P, na->n_params * sizeof *na->P), 0);
    ck_assert_double_eq(a.result.val.accuracy, b.result.val.accuracy);
    tn__session_close(&a);
    tn__session_close(&b);
    remove(train);
    remove(test);
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("libsvm");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, rows_are_read);
    tcase_add_test(tc, labels_follow_the_loss);
    tcase_add_loop_test(tc, bad_input_is_refused_with_its_line, 0,
                        (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, nul_bytes_and_settings_are_refused);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, libsvm_ring_equals_csv_ring);
    suite_add_tcase(s, tc);
    return s;
}
