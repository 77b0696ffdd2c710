/* Shared by the runtime tests: train a small model from a shipped config into a .tnn file
 * through the public trainer (a few epochs: the tests need real weights, not a good
 * classifier) and read files. */
#ifndef TN_TESTS_RT_UTIL_H
#define TN_TESTS_RT_UTIL_H

#include "tinynet/train.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

/* On one BLAS thread: the runtime tests compare bits at a fixed thread count (and keep
 * OpenBLAS's own threads out of the ThreadSanitizer build), and the trainer applies its
 * count when it fits. */
static void rt_train_model(const char *config, int epochs, const char *out_path)
{
    tn_error err = {0};
    tn_trainer *t = NULL;
    int rc = tn_trainer_new(config, &t, &err);
    ck_assert_msg(rc == TN_OK, "%s", err.msg);
    ck_assert_int_eq(tn_trainer_set_epochs(t, epochs), TN_OK);
    ck_assert_int_eq(tn_trainer_set_threads(t, 1), TN_OK);
    rc = tn_trainer_fit(t, NULL);
    ck_assert_msg(rc == TN_OK, "%s", tn_trainer_errmsg(t));
    rc = tn_trainer_save(t, out_path);
    ck_assert_msg(rc == TN_OK, "%s", tn_trainer_errmsg(t));
    tn_trainer_free(t);
}

static unsigned char *rt_read(const char *path, size_t *len)
{
    char *buf;
    tn_error err = {0};
    int rc = tn_read_file(path, (size_t)1 << 26, &buf, len, &err);
    ck_assert_msg(rc == TN_OK, "%s", err.msg);
    return (unsigned char *)buf; /* tn_free */
}

#endif
