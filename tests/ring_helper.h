/* Shared by the tests that train the ring demo from a JSON string: build the config
 * (data paths resolve against models/, as for a file there), train, return the test
 * accuracy. Header-only so each test stays one executable. */
#ifndef TN_TESTS_RING_HELPER_H
#define TN_TESTS_RING_HELPER_H

#include "core/blas.h"
#include "train/config.h"
#include "data/load.h"
#include "train/loop.h"

#include <stdio.h>
#include <string.h>

/* The ring config with `act` (a JSON value: "\"relu\"" or an object) in both hidden layers. */
static void ring_json(char *buf, size_t n, const char *act, int epochs)
{
    snprintf(buf, n,
             "{\"name\": \"ring\", \"seed\": 42,"
             " \"inputs\": [{\"name\": \"point\", \"size\": 2}],"
             " \"layers\": [{\"type\": \"dense\", \"units\": 16, \"activation\": %s},"
             "              {\"type\": \"dense\", \"units\": 16, \"activation\": %s},"
             "              {\"type\": \"dense\", \"units\": 1, \"activation\": \"sigmoid\"}],"
             " \"loss\": \"binary_crossentropy\","
             " \"optimizer\": {\"type\": \"adam\", \"lr\": 0.01},"
             " \"train\": {\"epochs\": %d, \"batch_size\": 32},"
             " \"data\": {\"train\": \"../data/ring_train.csv\", \"test\": \"../data/ring_test.csv\","
             "          \"inputs\": [\"x\", \"y\"], \"target\": \"label\"}}",
             act, act, epochs);
}

/* Trains the config text; *acc receives the test accuracy. Returns a tn status. */
static int ring_train(const char *json, double *acc, tn_error *err)
{
    tn_config *c = NULL;
    tn_dataset *train = NULL, *test = NULL;
    tn_train_result res;
    tn_metrics m;
    tn__blas_set_threads(1); /* bit-exact results whatever the machine */
    int rc = tn__config_parse(TN_SOURCE_DIR "/models/inline.json", json, strlen(json), &c, err);
    if (rc == TN_OK)
        rc = tn__data_load_csv(c->data.train, c->net, &c->data.columns, (const tn_target_rule[]){tn__config_targets(c)}, &train, err);
    if (rc == TN_OK)
        rc = tn__data_load_csv(c->data.test, c->net, &c->data.columns, (const tn_target_rule[]){tn__config_targets(c)}, &test, err);
    if (rc == TN_OK) {
        tn__net_init_params(c->net, c->train.seed);
        rc = tn__train(c->net, &c->loss, &c->optim, &c->train, train, test, NULL, &res, err);
    }
    if (rc == TN_OK)
        rc = tn__evaluate(c->net, &c->loss, test, c->train.batch_size, &m, err);
    if (rc == TN_OK)
        *acc = m.acc;
    tn__dataset_free(train);
    tn__dataset_free(test);
    tn__config_free(c);
    return rc;
}

#endif
