/* The Fashion-MNIST files of Debian's dataset-fashion-mnist package: their labels and
 * images as the IDX reader sees them, and a small MLP on the first 5000 training images
 * through a training session, well above chance. The whole suite is skipped (exit 77)
 * when the package is not installed, or when TN_SKIP_LONG_TESTS is set (e.g. for a
 * sanitizer build). The full >= 89% run is tools/fashion_demo.sh. */
#include "data/idx.h"
#include "train/session.h"
#include "tn_check.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads one labels file and checks its count and that each class has count/10 labels. */
static void check_labels(const char *path, size_t count)
{
    tn_error e = {0};
    tn_idx *x = NULL;
    ck_assert_msg(tn__idx_read(path, &x, &e) == TN_OK, "%s", e.msg);
    ck_assert_int_eq(x->type, 0x08);
    ck_assert_int_eq(x->ndim, 1);
    ck_assert_uint_eq(x->count, count);
    size_t per[TN_FASHION_CLASSES] = {0};
    for (size_t i = 0; i < x->count; i++) {
        float v = x->values[i];
        ck_assert_msg(v >= 0 && v < TN_FASHION_CLASSES && v == floorf(v), "label %zu: %g", i,
                      (double)v);
        per[(int)v]++;
    }
    for (int c = 0; c < TN_FASHION_CLASSES; c++)
        ck_assert_msg(per[c] == count / 10, "%s: class %d (%s) has %zu labels", path, c,
                      tn__fashion_classes[c], per[c]);
    tn__idx_free(x);
}

/* The package's files of a split (tn_check_suite skips the suite when they are missing). */
static void fashion_files(int which, char *img, char *lab, size_t cap)
{
    tn_error e = {0};
    int rc = tn__fashion_paths(which, img, cap, lab, cap, &e);
    ck_assert_msg(rc == TN_OK, "%s", e.msg);
}

START_TEST(test_fashion_labels)
{
    char img[4096], lab[4096];
    fashion_files(0, img, lab, sizeof img);
    ck_assert_str_eq(lab, "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz");
    check_labels(lab, 60000);
    fashion_files(1, img, lab, sizeof img);
    ck_assert_str_eq(lab, "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
    check_labels(lab, 10000);
}
END_TEST

/* The images of both splits: shapes, byte range, and pairing with their labels. */
START_TEST(test_fashion_images)
{
    char img[4096], lab[4096];
    for (int which = 0; which < 2; which++) {
        fashion_files(which, img, lab, sizeof img);
        tn_error e = {0};
        tn_idx *images = NULL, *labels = NULL;
        ck_assert_msg(tn__idx_read(img, &images, &e) == TN_OK, "%s", e.msg);
        ck_assert_msg(tn__idx_read(lab, &labels, &e) == TN_OK, "%s", e.msg);
        ck_assert_int_eq(images->ndim, 3);
        ck_assert_uint_eq(images->count, which ? 10000 : 60000);
        ck_assert_uint_eq(images->dims[1], 28);
        ck_assert_uint_eq(images->dims[2], 28);
        ck_assert_uint_eq(images->item, 784);
        float lo = 255, hi = 0;
        for (size_t i = 0; i < images->count * images->item; i++) {
            float v = images->values[i];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        ck_assert_float_eq(lo, 0.0f);
        ck_assert_float_eq(hi, 255.0f);
        ck_assert_msg(tn__idx_check_pair(images, img, labels, lab, TN_FASHION_CLASSES, &e) ==
                          TN_OK, "%s", e.msg);
        tn__idx_free(images);
        tn__idx_free(labels);
    }
}
END_TEST

/* 5000 training images, 2 epochs: about 80% where chance is 10%. The session reads both
 * sets; only their first rows are used (the buffers stay the full size). */
START_TEST(fashion_subset_beats_chance)
{
    const char *text =
        "{\"name\": \"f\", \"seed\": 1, \"inputs\": [{\"name\": \"pixels\", \"size\": 784}],\n"
        " \"layers\": [{\"type\": \"dense\", \"units\": 64, \"activation\": \"relu\"},\n"
        "            {\"type\": \"dense\", \"units\": 10, \"activation\": \"softmax\"}],\n"
        " \"loss\": \"categorical_crossentropy\", \"optimizer\": {\"type\": \"adam\"},\n"
        " \"train\": {\"epochs\": 2, \"batch_size\": 64},\n"
        " \"data\": {\"format\": \"fashion-mnist\", \"scaling\": \"unit\"}}";
    tn_session s;
    tn_error err = {0};
    ck_assert_msg(tn__session_open_text("f.json", text, strlen(text), &s, &err) == TN_OK, "%s",
                  err.msg);
    s.threads = 1;
    ck_assert_msg(tn__session_load_data(&s, &err) == TN_OK, "%s", err.msg);
    tn_dataset *train = s.data.train, *test = s.data.test;
    ck_assert_uint_eq(train->rows, 60000);
    ck_assert_uint_eq(test->rows, 10000);
    ck_assert_int_eq(tn__session_val_kind(&s), 1);
    train->rows = 5000;
    test->rows = 2000;
    ck_assert_float_eq(s.scaling.std[0], 255.0f);
    const tn_config *c = s.config;
    ck_assert_msg(tn__session_fit(&s, NULL, &err) == TN_OK, "%s", err.msg);
    tn_metrics m;
    ck_assert_int_eq(tn__evaluate(c->net, &c->loss, test, NULL, 256, &m, &err), TN_OK);
    ck_assert_msg(m.accuracy >= 0.70, "Fashion-MNIST subset: test accuracy %.4f < 0.70",
                  m.accuracy);
    size_t cm[100], sum = 0, trace = 0;
    ck_assert_int_eq(tn__confusion(c->net, test, NULL, 256, cm, &err), TN_OK);
    for (int i = 0; i < 100; i++)
        sum += cm[i];
    for (int i = 0; i < 10; i++)
        trace += cm[i * 10 + i];
    ck_assert_uint_eq(sum, 2000);
    ck_assert_uint_eq(trace, (size_t)lround(m.accuracy * 2000));
    tn__session_close(&s);
}
END_TEST

Suite *tn_check_suite(void)
{
    if (getenv("TN_SKIP_LONG_TESTS")) {
        tn_check_skip("the Fashion-MNIST checks are long: TN_SKIP_LONG_TESTS is set");
        return NULL;
    }
    /* Debian's package, not a directory named by the environment: the checks know its
     * paths (test_idx.c covers TN_FASHION_MNIST_DIR). */
    unsetenv("TN_FASHION_MNIST_DIR");
    char img[4096], lab[4096];
    tn_error e = {0};
    for (int which = 0; which < 2; which++)
        if (tn__fashion_paths(which, img, sizeof img, lab, sizeof lab, &e) == TN_ENOTFOUND) {
            tn_check_skip(e.msg);
            return NULL;
        }
    Suite *s = suite_create("fashion");
    TCase *tc = tcase_create("files");
    tcase_set_timeout(tc, 120); /* the 60000-image file, under sanitizers too */
    tcase_add_test(tc, test_fashion_labels);
    tcase_add_test(tc, test_fashion_images);
    suite_add_tcase(s, tc);
    tc = tcase_create("train");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, fashion_subset_beats_chance);
    suite_add_tcase(s, tc);
    return s;
}
