/* Shared by the tests that train the ring demo from a JSON string: build the config (data
 * paths resolve against models/, as for a file there), train it through the public
 * trainer, return the test accuracy. Header-only so each test stays one executable. */
#ifndef TN_TESTS_RING_HELPER_H
#define TN_TESTS_RING_HELPER_H

#include "tinynet/data.h"
#include "tinynet/train.h"

#include <stdio.h>
#include <string.h>

/* The ring config with `act` (a JSON value: "\"relu\"" or an object) in both hidden layers. */
static inline void ring_json(char *buf, size_t n, const char *act, int epochs)
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

/* Trains the config text; *acc receives the test accuracy. Returns a tn status, with the
 * message in err whichever step failed. */
static inline int ring_train(const char *json, double *acc, tn_error *err)
{
    tn_trainer *t = NULL;
    tn_metrics m;
    int rc = tn_trainer_new_text(TN_SOURCE_DIR "/models/inline.json", json, strlen(json), &t,
                                 err);
    if (rc == TN_OK)
        rc = tn_trainer_set_threads(t, 1); /* bit-exact results whatever the machine */
    if (rc == TN_OK)
        rc = tn_trainer_fit(t, NULL);
    if (rc != TN_OK && t) {
        err->code = rc;
        snprintf(err->msg, sizeof err->msg, "%s", tn_trainer_errmsg(t));
    }
    if (rc == TN_OK)
        rc = tn_evaluate(tn_trainer_model(t), tn_trainer_data(t, TN_SPLIT_TEST), &m, err);
    if (rc == TN_OK)
        *acc = m.accuracy;
    tn_trainer_free(t);
    return rc;
}

#endif
