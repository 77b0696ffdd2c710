/* Image data end to end on small synthetic IDX files: the config's "idx" and
 * "fashion-mnist" data sections (every bad value asserted by message), training through
 * the trainer, input scaling through the model file (predictions identical after a save,
 * a load and a read of the raw files in the model's recorded format), and the confusion
 * matrix against the accuracy. The real Fashion-MNIST files are test_fashion.c's. */
#include "api/api.h" /* the rows behind a tn_data, to compare scaled inputs bit for bit */
#include "core/alloc.h"
#include "model/model.h"
#include "train/config.h"
#include "train/session.h"
#include "tinynet/data.h"
#include "tinynet/inspect.h"
#include "tinynet/train.h"
#include "tn_check.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const good =
    "{\"name\": \"img\", \"seed\": 3,\n"
    " \"inputs\": [{\"name\": \"pixels\", \"size\": 16}],\n"
    " \"layers\": [{\"type\": \"dense\", \"units\": 16, \"activation\": \"relu\"},\n"
    "            {\"type\": \"dense\", \"units\": 3, \"activation\": \"softmax\"}],\n"
    " \"loss\": \"categorical_crossentropy\",\n"
    " \"optimizer\": {\"type\": \"adam\", \"lr\": 0.01},\n"
    " \"train\": {\"epochs\": 20, \"batch_size\": 16},\n"
    " \"data\": {\"format\": \"idx\", \"scaling\": \"standardize\",\n"
    "          \"train\": {\"images\": \"tr-img.idx\", \"labels\": \"tr-lab.idx\"},\n"
    "          \"test\": {\"images\": \"te-img.idx\", \"labels\": \"te-lab.idx\"}}}";

static char dir[512], config_path[600];

/* good with the first occurrence of `from` replaced by `to` (malloc'd). */
static char *edit(const char *from, const char *to)
{
    const char *at = strstr(good, from);
    ck_assert_msg(at != NULL, "fixture lacks %s", from);
    size_t n = strlen(good) - strlen(from) + strlen(to) + 1;
    char *s = malloc(n);
    snprintf(s, n, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
    return s;
}

static void expect_edit_error(const char *from, const char *to, const char *msg)
{
    char *text = edit(from, to);
    tn_config *c = NULL;
    tn_error err = {0};
    int rc = tn__config_parse("m/x.json", text, strlen(text), &c, &err);
    ck_assert_msg(rc == TN_ECONFIG, "want ECONFIG, got %s (%s)", tn_status_name(rc), err.msg);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(err.msg, msg) != NULL, "message \"%s\" lacks \"%s\"", err.msg, msg);
    free(text);
}

/* ---- synthetic images: 4x4 bytes, class k (0..2) lights up row band k ------------------ */

static void put32(FILE *f, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    fwrite(b, 1, 4, f);
}

static void write_set(const char *images, const char *labels, uint32_t n, unsigned seed)
{
    char p[700];
    snprintf(p, sizeof p, "%s/%s", dir, images);
    FILE *fi = fopen(p, "wb");
    snprintf(p, sizeof p, "%s/%s", dir, labels);
    FILE *fl = fopen(p, "wb");
    ck_assert(fi && fl);
    fwrite("\0\0\x08\x03", 1, 4, fi);
    put32(fi, n), put32(fi, 4), put32(fi, 4);
    fwrite("\0\0\x08\x01", 1, 4, fl);
    put32(fl, n);
    uint32_t s = seed;
    for (uint32_t i = 0; i < n; i++) {
        unsigned char px[16], k = (unsigned char)(i % 3);
        for (int j = 0; j < 16; j++) {
            s = s * 1664525u + 1013904223u;
            px[j] = (unsigned char)((s >> 24) % 90 + (j / 4 == k ? 120 : 0));
        }
        fwrite(px, 1, 16, fi);
        fputc(k, fl);
    }
    ck_assert(fclose(fi) == 0 && fclose(fl) == 0);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "%s/tn_images_XXXXXX", TN_BINARY_DIR);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    write_set("tr-img.idx", "tr-lab.idx", 300, 1);
    write_set("te-img.idx", "te-lab.idx", 90, 2);
    snprintf(config_path, sizeof config_path, "%s/img.json", dir);
    FILE *f = fopen(config_path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(good, f);
    ck_assert(fclose(f) == 0);
}

static void teardown(void)
{
    const char *files[] = {"tr-img.idx", "tr-lab.idx", "te-img.idx", "te-lab.idx", "img.json",
                           "m.tnn"};
    char p[700];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* Trains the config at path through the public trainer. */
static tn_trainer *fit(const char *path)
{
    tn_error err = {0};
    tn_trainer *t;
    ck_assert_msg(tn_trainer_new(path, &t, &err) == TN_OK, "%s", err.msg);
    ck_assert_msg(tn_trainer_fit(t, NULL) == TN_OK, "%s", tn_trainer_errmsg(t));
    return t;
}

/* ---- tests ------------------------------------------------------------------------- */

START_TEST(image_config_errors)
{
    /* The formats offered are the registry's, in its order. */
    char formats[1024] = "data.format: expected one of ";
    for (size_t i = 0; i < tn_extension_count(TN_EXT_DATA_FORMAT); i++)
        snprintf(formats + strlen(formats), sizeof formats - strlen(formats), "%s\"%s\"",
                 i ? ", " : "", tn_extension_name(TN_EXT_DATA_FORMAT, i));
    snprintf(formats + strlen(formats), sizeof formats - strlen(formats),
             ", got \"idz\" (did you mean \"idx\"?)");
    expect_edit_error("\"format\": \"idx\"", "\"format\": \"idz\"", formats);
    expect_edit_error("\"scaling\": \"standardize\"", "\"scaling\": \"standardise\"",
                      "data.scaling: expected one of \"none\", \"unit\", \"standardize\", got "
                      "\"standardise\" (did you mean \"standardize\"?)");
    expect_edit_error("\"train\": {\"images\": \"tr-img.idx\", \"labels\": \"tr-lab.idx\"}",
                      "\"train\": \"a.idx\"", "data.train: expected an object, got \"a.idx\"");
    expect_edit_error("\"labels\": \"tr-lab.idx\"", "\"label\": \"tr-lab.idx\"",
                      "data.train: unknown key \"label\" (did you mean \"labels\"?)");
    expect_edit_error("\"labels\": \"te-lab.idx\"", "\"lables\": 1, \"labels\": \"\"",
                      "data.test: unknown key \"lables\"");
    expect_edit_error("\"images\": \"te-img.idx\", ", "", "data.test.images: missing");
    expect_edit_error("\"scaling\": \"standardize\",", "\"scaling\": \"unit\", \"inputs\": "
                      "[\"x\"],", "data.inputs: not used with format \"idx\"");
    expect_edit_error("\"format\": \"idx\"", "\"format\": \"fashion-mnist\"",
                      "data.train: not used with format \"fashion-mnist\"");
    expect_edit_error("\"scaling\": \"standardize\",", "\"scaling\": \"unit\", \"holdout\": "
                      "0.1,", "data.holdout: give either a test set or a holdout fraction");
    expect_edit_error("\"scaling\": \"standardize\",", "\"scaling\": \"unit\", \"shuffle\": "
                      "1,", "data: unknown key \"shuffle\"");
    expect_edit_error("\"loss\": \"categorical_crossentropy\"", "\"loss\": \"mse\"",
                      "data.format: \"idx\" labels are class indices: the loss must be "
                      "\"categorical_crossentropy\", not \"mse\"");
}
END_TEST

START_TEST(idx_data_trains_and_confusion_adds_up)
{
    tn_error err = {0};
    tn_trainer *t = fit(config_path);
    const tn_model *model = tn_trainer_model(t);
    size_t input, values;
    ck_assert_str_eq(tn_model_scaling(model, &input, &values), "standardize");
    ck_assert_uint_eq(values, 16);
    ck_assert_uint_eq(tn_data_rows(tn_trainer_data(t, TN_SPLIT_TRAIN)), 300);
    const tn_data *test = tn_trainer_data(t, TN_SPLIT_TEST);
    ck_assert_int_eq(tn_trainer_val_kind(t), 1); /* the config's test set */
    tn_metrics m;
    ck_assert_msg(tn_evaluate(model, test, &m, &err) == TN_OK, "%s", err.msg);
    ck_assert_msg(m.accuracy >= 0.9, "synthetic bands: test accuracy %.3f < 0.9", m.accuracy);
    size_t cm[9], sum = 0, trace = 0;
    ck_assert_msg(tn_confusion(model, test, cm, &err) == TN_OK, "%s", err.msg);
    for (int i = 0; i < 9; i++)
        sum += cm[i];
    for (int i = 0; i < 3; i++)
        trace += cm[i * 3 + i];
    ck_assert_uint_eq(sum, tn_data_rows(test));
    ck_assert_uint_eq(trace, (size_t)lround(m.accuracy * (double)m.rows));
    tn_trainer_free(t);
}
END_TEST

static long n_allocs, at_first, at_last;
static void *counting_malloc(size_t n) { n_allocs++; return malloc(n); }
static void *counting_realloc(void *p, size_t n) { n_allocs++; return realloc(p, n); }
static void probe(void *user, int epoch, size_t batch, size_t n_batches)
{
    (void)user, (void)n_batches;
    if (epoch == 1 && batch == 1)
        at_first = n_allocs;
    at_last = n_allocs;
}

/* The image path (class-index targets, softmax fused with the loss, evaluation each epoch)
 * keeps the promise of the training step: nothing allocated after the first batch. */
START_TEST(image_training_step_does_not_allocate)
{
    tn_error err = {0};
    tn_trainer *t;
    ck_assert_msg(tn_trainer_new(config_path, &t, &err) == TN_OK, "%s", err.msg);
    ck_assert_int_eq(tn_trainer_set_epochs(t, 3), TN_OK);
    ck_assert_msg(tn_trainer_load_data(t) == TN_OK, "%s", tn_trainer_errmsg(t));
    tn_train_hooks hooks = {.on_batch = probe};
    tn_replace_allocator(counting_malloc, counting_realloc, free);
    n_allocs = 0;
    at_first = at_last = -1;
    int rc = tn_trainer_fit(t, &hooks);
    tn_replace_allocator(NULL, NULL, NULL);
    ck_assert_msg(rc == TN_OK, "%s", tn_trainer_errmsg(t));
    ck_assert_int_gt(at_first, 0);
    ck_assert_int_eq(at_last, at_first);
    tn_trainer_free(t);
}
END_TEST

/* Save, load, read the raw test files in the format the model records: its stored scaling
 * gives the inputs training saw, bit for bit, and the same predictions. The session shows
 * the rows as training scaled them. */
static void round_trip(const char *scaling)
{
    char *text = edit("\"standardize\"", scaling);
    FILE *cf = fopen(config_path, "w");
    fputs(text, cf);
    fclose(cf);
    free(text);
    tn_session s;
    tn_error err = {0};
    ck_assert_msg(tn__session_open(config_path, &s, &err) == TN_OK, "%s", err.msg);
    ck_assert_msg(tn__session_fit(&s, NULL, &err) == TN_OK, "%s", err.msg);
    ck_assert_float_eq(s.data.type_max, 255.0f); /* IDX bytes */
    const tn_dataset *test = s.data.test;
    size_t n = test->rows * 3;
    float *before = tn__floats_alloc(n), *after = tn__floats_alloc(n);
    ck_assert_msg(tn__predict(s.config->net, test, NULL, 32, before, &err) == TN_OK, "%s",
                  err.msg);
    char model[700], images[700], labels[700];
    snprintf(model, sizeof model, "%s/m.tnn", dir);
    ck_assert_msg(tn__session_save(&s, model, &err) == TN_OK, "%s", err.msg);
    tn_model *m;
    ck_assert_msg(tn__model_load(model, &m, &err) == TN_OK, "%s", err.msg);
    ck_assert_int_eq(m->scaling.kind, s.scaling.kind);
    ck_assert_uint_eq(m->scaling.n, s.scaling.n);
    snprintf(images, sizeof images, "%s/te-img.idx", dir);
    snprintf(labels, sizeof labels, "%s/te-lab.idx", dir);
    const char *paths[2] = {images, labels};
    tn_data *raw;
    ck_assert_msg(tn_data_read(m, paths, 2, TN_DATA_TARGETS, &raw, &err) == TN_OK, "%s",
                  err.msg);
    tn__dataset_scale(raw->rows, &m->scaling);
    ck_assert_int_eq(memcmp(raw->rows->x[0], test->x[0], raw->rows->rows * 16 * sizeof(float)),
                     0);
    ck_assert_msg(tn__predict(m->net, raw->rows, NULL, 32, after, &err) == TN_OK, "%s",
                  err.msg);
    ck_assert_int_eq(memcmp(before, after, n * sizeof(float)), 0);
    tn_data_free(raw);
    tn__model_free(m);
    tn__floats_free(before);
    tn__floats_free(after);
    tn__session_close(&s);
}

START_TEST(scaling_survives_the_model_file)
{
    round_trip("\"standardize\"");
    round_trip("\"unit\"");
}
END_TEST

START_TEST(bad_scaling_in_a_model_header)
{
    tn_config *c;
    tn_error err = {0};
    ck_assert_msg(tn__config_parse("m/x.json", good, strlen(good), &c, &err) == TN_OK, "%s",
                  err.msg);
    static const struct { const char *json, *msg; } cases[] = {
        {"{\"kind\": \"unit\", \"input\": \"pixels\", \"mean\": [0], \"std\": [0]}",
         "h: scaling.std[0]: expected a standard deviation >= 1e-06, got 0"},
        /* positive as a double, but 0 as a float: every prediction would be inf */
        {"{\"kind\": \"unit\", \"input\": \"pixels\", \"mean\": [0], \"std\": [1e-50]}",
         "h: scaling.std[0]: expected a standard deviation >= 1e-06, got 1e-50"},
        {"{\"kind\": \"unit\", \"input\": \"pixels\", \"mean\": [0, 1], \"std\": [1, 1]}",
         "h: scaling.mean: expected 1 or 16 numbers (the input's width), got 2"},
        {"{\"kind\": \"unit\", \"input\": \"pix\", \"mean\": [0], \"std\": [1]}",
         "h: scaling.input: expected \"pixels\" (the float input), got \"pix\""},
        {"{\"kind\": \"none\", \"input\": \"pixels\", \"mean\": [0], \"std\": [1]}",
         "h: scaling.kind: \"none\" is written as no \"scaling\" at all"},
        {"{\"kind\": \"unit\", \"input\": \"pixels\", \"mean\": [0], \"std\": [1], \"x\": 1}",
         "h: scaling: unknown key \"x\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *v = cJSON_Parse(cases[i].json);
        tn_jr r;
        tn_scaling s;
        tn__jr_init(&r, "h", &err);
        ck_assert_int_eq(tn__scaling_parse(&r, v, c->net, &s), TN_ECONFIG);
        ck_assert_msg(strstr(err.msg, cases[i].msg) != NULL, "\"%s\" lacks \"%s\"", err.msg,
                      cases[i].msg);
        ck_assert_ptr_null(s.mean);
        cJSON_Delete(v);
    }
    tn__config_free(c);
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("image_data");
    TCase *tc = tcase_create("images");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, image_config_errors);
    tcase_add_test(tc, idx_data_trains_and_confusion_adds_up);
    tcase_add_test(tc, image_training_step_does_not_allocate);
    tcase_add_test(tc, scaling_survives_the_model_file);
    tcase_add_test(tc, bad_scaling_in_a_model_header);
    suite_add_tcase(s, tc);
    return s;
}
