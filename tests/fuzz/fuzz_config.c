/* libFuzzer harness for the training config reader: the input is config text, parsed as
 * `tinynet train` and tn_trainer_new_text parse it (tn__session_open_text).
 *
 * Parsing reads no data: the formats only record the paths a config names (relative to
 * the name given here), and the data are read by tn__session_load_data, which is never
 * called. So whatever paths a fuzzed config names, nothing is opened.
 *
 * A config that parses must become a model that loads: its network with initial
 * parameters is encoded exactly as `tinynet train -o` would save it, loaded back through
 * the public loader, and must have the same parameters, bit for bit, and predict exactly
 * what the network in the config predicts. */
#include "fuzz_common.h"

#include "core/alloc.h"
#include "model/model.h"
#include "train/session.h"
#include "tinynet/data.h"

/* The round trip (encode, load, two predictions) is skipped above this many parameters,
 * to keep executions fast; parsing and allocating the network still happen. */
#define FUZZ_MAX_ROUND_TRIP_PARAMS ((size_t)1 << 20)

static void round_trip(tn_session *s)
{
    tn_net *net = s->config->net;
    tn__net_init_params(net, s->config->train.seed);
    const tn_model *m;
    tn_error err = {0};
    int rc = tn__session_model(s, &m, &err);
    if (rc == TN_ENOMEM)
        return;
    FUZZ_CHECK(rc == TN_OK, "the model of a parsed config: %s", err.msg);
    unsigned char *buf;
    size_t len;
    rc = tn__model_encode(m, &buf, &len, &err);
    if (rc == TN_ENOMEM)
        return;
    FUZZ_CHECK(rc == TN_OK, "encoding the model of a parsed config: %s", err.msg);
    tn_model *back = NULL;
    rc = tn_model_load_buffer(buf, len, 0, &back, &err);
    tn__free(buf);
    if (rc == TN_ENOMEM)
        return;
    FUZZ_CHECK(rc == TN_OK, "the model of a parsed config does not load back: %s", err.msg);
    FUZZ_CHECK(back->net->n_params == net->n_params &&
                   memcmp(back->net->P, net->P, net->n_params * sizeof *net->P) == 0,
               "parameters changed in the round trip (%zu, %zu)", net->n_params,
               back->net->n_params);
    FUZZ_CHECK(tn_model_n_inputs(back) == tn_model_n_inputs(m) &&
                   tn_model_output_width(back) == tn_model_output_width(m) &&
                   tn_model_n_layers(back) == tn_model_n_layers(m),
               "the shape of the network changed in the round trip");
    const char *f1 = tn_model_data_format(m), *f2 = tn_model_data_format(back);
    FUZZ_CHECK(f1 && f2 && strcmp(f1, f2) == 0, "data format %s became %s",
               f1 ? f1 : "(none)", f2 ? f2 : "(none)");
    char l1[256], l2[256];
    FUZZ_CHECK(tn_model_loss(m, l1, sizeof l1) == TN_OK &&
                   tn_model_loss(back, l2, sizeof l2) == TN_OK && strcmp(l1, l2) == 0,
               "the loss changed in the round trip: %s, %s", l1, l2);

    /* The same network must predict the same bits, before and after the file. */
    size_t W = tn_model_output_width(m);
    float *a = calloc(2 * W, sizeof *a), *b = calloc(2 * W, sizeof *b);
    if (a && b && fuzz_run_model(m, a) && fuzz_run_model(back, b))
        FUZZ_CHECK(memcmp(a, b, 2 * W * sizeof *a) == 0,
                   "the loaded model predicts other values than the config's network");
    free(a);
    free(b);

    char *text = NULL;
    size_t dot_len;
    if (tn_model_dot(back, NULL, &text, &dot_len, &err) == TN_OK)
        FUZZ_CHECK(strlen(text) == dot_len, "DOT length %zu, text %zu", dot_len, strlen(text));
    tn_free(text);
    if (tn_model_data_text(back, &text, &err) == TN_OK)
        tn_free(text);
    tn_model_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_cap_allocations();
    tn_session s;
    tn_error err = {0};
    /* A name in a directory that does not exist: even a harness bug could open nothing. */
    int rc = tn__session_open_text("/nonexistent/fuzz/config.json", (const char *)data, size,
                                   &s, &err);
    if (rc != TN_OK) {
        fuzz_check_error(rc, &err, "parsing a config");
        FUZZ_CHECK(s.config == NULL, "a failed parse left a config");
        return 0;
    }
    FUZZ_CHECK(s.config && s.config->net && s.config->data.format,
               "a parsed config without a network or a data format");
    fuzz_note("  accepted: %zu parameters, format %s", s.config->net->n_params,
              s.config->data.format->name);
    if (s.config->net->n_params <= FUZZ_MAX_ROUND_TRIP_PARAMS)
        round_trip(&s);
    tn__session_close(&s);
    return 0;
}
