/* A module registered from C is found by name in a JSON config, with its parameters
 * validated like a built-in's, and trains the ring demo. */
#include "ring_helper.h"

#include "tinynet/train.h"
#include "tn_check.h"

#include <check.h>
#include <math.h>
#include <string.h>

/* y = s * tanh(2x/3) (LeCun's scaled tanh, s = 1.7159). */
static void st_forward(const tn_act_ctx *c, const float *x, float *y, size_t rows, size_t cols)
{
    for (size_t i = 0; i < rows * cols; i++)
        y[i] = (float)(c->hyper[0] * tanh(2.0 / 3.0 * x[i]));
}

static void st_backward(const tn_act_ctx *c, const float *x, const float *y, const float *dy,
                        float *dx, float *dlearn, size_t rows, size_t cols)
{
    (void)y, (void)dlearn;
    for (size_t i = 0; i < rows * cols; i++) {
        double t = tanh(2.0 / 3.0 * x[i]);
        dx[i] = (float)(c->hyper[0] * (2.0 / 3.0) * (1.0 - t * t) * dy[i]);
    }
}

static const tn_activation scaled_tanh = {
    .name = "scaled_tanh",
    .formula = "y = scale * tanh(2x / 3)",
    .range = "(-scale, scale)",
    .default_init = "lecun_normal",
    .n_params = 1,
    .params = {{.name = "scale", .def = 1.7159f, .min = 0.0f, .max = 100.0f,
                .doc = "the output is scale * tanh(2x/3)"}},
    .forward = st_forward,
    .backward = st_backward,
};

static void setup(void)
{
    tn_error err = {0};
    ck_assert_msg(tn_activation_register(&scaled_tanh, &err) == TN_OK, "%s", err.msg);
}

START_TEST(test_found_by_name)
{
    ck_assert_ptr_eq(tn_activation_find("scaled_tanh"), &scaled_tanh);
    ck_assert_ptr_eq(tn_activation_at(tn_activation_count() - 1), &scaled_tanh);
    tn_error err = {0};
    ck_assert_int_eq(tn_activation_register(&scaled_tanh, &err), TN_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "already registered"));
}
END_TEST

START_TEST(test_trains_ring_by_name)
{
    char json[2048];
    ring_json(json, sizeof json, "{\"type\": \"scaled_tanh\", \"scale\": 1.7159}", 60);
    tn_error err = {0};
    double acc = 0;
    ck_assert_msg(ring_train(json, &acc, &err) == TN_OK, "%s", err.msg);
    ck_assert_msg(acc >= 0.95, "test accuracy %.4f < 0.95", acc);
    /* Plain name, default parameter. */
    ring_json(json, sizeof json, "\"scaled_tanh\"", 60);
    ck_assert_msg(ring_train(json, &acc, &err) == TN_OK, "%s", err.msg);
    ck_assert_msg(acc >= 0.95, "test accuracy %.4f < 0.95", acc);
}
END_TEST

START_TEST(test_params_validated)
{
    char json[2048];
    tn_error err = {0};
    double acc;
    ring_json(json, sizeof json, "{\"type\": \"scaled_tanh\", \"scael\": 2}", 1);
    ck_assert_int_eq(ring_train(json, &acc, &err), TN_ECONFIG);
    ck_assert_msg(strstr(err.msg, "did you mean \"scale\"") != NULL, "%s", err.msg);
    ring_json(json, sizeof json, "{\"type\": \"scaled_tanh\", \"scale\": 1000}", 1);
    ck_assert_int_eq(ring_train(json, &acc, &err), TN_ECONFIG);
    ck_assert_msg(strstr(err.msg, "scale") != NULL, "%s", err.msg);
    ring_json(json, sizeof json, "\"scaled_tahn\"", 1);
    ck_assert_int_eq(ring_train(json, &acc, &err), TN_ECONFIG);
    ck_assert_msg(strstr(err.msg, "did you mean \"scaled_tanh\"") != NULL, "%s", err.msg);
}
END_TEST

/* A module's default init is checked where a layer uses it, with a message. */
static const tn_activation odd_init = {
    .name = "odd_init",
    .formula = "y = x",
    .range = "(-inf, inf)",
    .default_init = "kaiming",
    .forward = st_forward,
    .backward = st_backward,
    .n_params = 1,
    .params = {{.name = "scale", .def = 1.0f, .min = 0.0f, .max = 100.0f}},
};

START_TEST(test_unknown_default_init)
{
    tn_error err = {0};
    ck_assert_int_eq(tn_activation_register(&odd_init, &err), TN_OK);
    char json[2048];
    double acc;
    ring_json(json, sizeof json, "\"odd_init\"", 1);
    ck_assert_int_eq(ring_train(json, &acc, &err), TN_ECONFIG);
    ck_assert_msg(strstr(err.msg, "activation \"odd_init\" asks for default init \"kaiming\", "
                                  "which is not an init name") != NULL, "%s", err.msg);
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("custom_act");
    TCase *tc = tcase_create("custom");
    /* Registration is process-wide: each forked test registers afresh. */
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_found_by_name);
    tcase_add_test(tc, test_trains_ring_by_name);
    tcase_add_test(tc, test_params_validated);
    tcase_add_test(tc, test_unknown_default_init);
    suite_add_tcase(s, tc);
    return s;
}
