/* Shared by the runtime tests: train a small model from a shipped config into a .tnn file
 * (a few epochs: the tests need real weights, not a good classifier) and read files. */
#ifndef TN_TESTS_RT_UTIL_H
#define TN_TESTS_RT_UTIL_H

#include "core/alloc.h"
#include "core/blas.h"
#include "train/config.h"
#include "data/load.h"
#include "core/file.h"
#include "model/model.h"
#include "train/loop.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

static void rt_train_model(const char *config, int epochs, const char *out_path)
{
    tn_error err = {0};
    tn_config *c = NULL;
    tn_dataset *train = NULL;
    int rc = tn__config_load(config, &c, &err);
    ck_assert_msg(rc == TN_OK, "%s", err.msg);
    c->train.epochs = epochs;
    rc = tn__data_load_csv(c->data.train, c->net, &c->data.columns, (const tn_target_rule[]){tn__config_targets(c)}, &train, &err);
    ck_assert_msg(rc == TN_OK, "%s", err.msg);
    tn__net_init_params(c->net, c->train.seed);
    tn_train_result res;
    rc = tn__train(c->net, &c->loss, &c->optim, &c->train, train, NULL, NULL, &res, &err);
    ck_assert_msg(rc == TN_OK, "%s", err.msg);
    rc = tn__config_save_model(c, out_path, NULL, NULL, &err);
    ck_assert_msg(rc == TN_OK, "%s", err.msg);
    tn__dataset_free(train);
    tn__config_free(c);
}

static unsigned char *rt_read(const char *path, size_t *len)
{
    unsigned char *buf;
    tn_error err = {0};
    int rc = tn__read_file(path, (size_t)1 << 26, &buf, len, &err);
    ck_assert_msg(rc == TN_OK, "%s", err.msg);
    return buf; /* tn__free */
}

#endif
