/* The public training API of train.h, used as a C program would use it: training,
 * evaluation, saving, loading back with the runtime, and its errors. */
#include "core/blas.h"   /* the split threshold, lowered to split every product */
#include "core/pool.h"   /* the step tuner, made to change modes */
#include "model/model.h" /* to read the training record back */
#include "tinynet/tinynet.h"
#include "tinynet/train.h"
#include "tn_check.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int epochs_seen;
static double last_train_loss;

static void count_epoch(void *user, const tn_epoch_info *e)
{
    ck_assert_ptr_eq(user, &epochs_seen);
    ck_assert_int_eq(e->epoch, epochs_seen + 1);
    ck_assert(e->has_val == 0);
    epochs_seen++;
    last_train_loss = e->train.loss;
}

START_TEST(xor_trains_saves_and_loads)
{
    tn_error err = {0};
    tn_trainer *t;
    ck_assert_msg(tn_trainer_new("models/xor.json", &t, &err) == TN_OK, "%s", err.msg);
    ck_assert_int_eq(tn_trainer_set_threads(t, 1), TN_OK);
    epochs_seen = 0;
    tn_train_hooks hooks = {.user = &epochs_seen, .on_epoch = count_epoch};
    ck_assert_msg(tn_trainer_fit(t, &hooks) == TN_OK, "%s", tn_trainer_errmsg(t));
    ck_assert_int_eq(epochs_seen, 300);
    tn_fit_result res;
    ck_assert_int_eq(tn_trainer_result(t, &res), TN_OK);
    ck_assert_double_eq(res.train.accuracy, 1.0);
    ck_assert_double_eq_tol(res.train.loss, last_train_loss, 0.05);
    /* xor.json names no test file and no holdout: there are no validation rows. */
    ck_assert_int_eq(tn_trainer_val_kind(t), -1);
    ck_assert_ptr_null(tn_trainer_data(t, TN_SPLIT_VAL));
    ck_assert_uint_eq(res.val.rows, 0);

    const char *path = TN_BINARY_DIR "/trainer_xor.tnn";
    ck_assert_msg(tn_trainer_save(t, path) == TN_OK, "%s", tn_trainer_errmsg(t));
    ck_assert_str_eq(tn_trainer_errmsg(t), "");
    tn_trainer_free(t);

    tn_model *m;
    tn_ctx *ctx;
    ck_assert_msg(tn_model_load(path, 0, &m, &err) == TN_OK, "%s", err.msg);
    ck_assert_int_eq(tn_ctx_new(m, 4, &ctx, &err), TN_OK);
    const float x[8] = {0, 0, 0, 1, 1, 0, 1, 1};
    const float *in[1] = {x};
    float y[4];
    ck_assert_int_eq(tn_predict(ctx, in, 4, y), TN_OK);
    ck_assert(y[0] < 0.5f && y[1] >= 0.5f && y[2] >= 0.5f && y[3] < 0.5f);
    tn_ctx_free(ctx);
    tn_model_free(m);
}
END_TEST

/* The test loss of the trainer's last fit. */
static double val_loss(tn_trainer *t)
{
    tn_fit_result res;
    ck_assert_int_eq(tn_trainer_result(t, &res), TN_OK);
    ck_assert_uint_gt(res.test.rows, 0);
    ck_assert_uint_eq(res.val.rows, 0); /* ring.json holds out no validation rows */
    return res.test.loss;
}

/* The seed fixes everything; a new seed re-draws the holdout split too. */
START_TEST(seed_override_changes_the_run)
{
    tn_error err = {0};
    tn_trainer *t;
    double a, b, c;
    ck_assert_int_eq(tn_trainer_new("models/ring.json", &t, &err), TN_OK);
    ck_assert_int_eq(tn_trainer_set_epochs(t, 2), TN_OK);
    ck_assert_int_eq(tn_trainer_set_threads(t, 1), TN_OK);
    ck_assert_int_eq(tn_trainer_fit(t, NULL), TN_OK);
    a = val_loss(t);
    ck_assert_int_eq(tn_trainer_fit(t, NULL), TN_OK);
    b = val_loss(t);
    ck_assert_double_eq(a, b); /* bit-exact: same seed, same thread count */
    ck_assert_int_eq(tn_trainer_set_seed(t, 7), TN_OK);
    ck_assert_int_eq(tn_trainer_fit(t, NULL), TN_OK);
    c = val_loss(t);
    ck_assert_double_ne(a, c);
    tn_trainer_free(t);
}
END_TEST

/* Trains config for epochs at threads and returns its parameters (n of them). */
static float *fit_params(const char *config, int epochs, int threads, size_t *n)
{
    tn_error err = {0};
    tn_trainer *t;
    ck_assert_msg(tn_trainer_new(config, &t, &err) == TN_OK, "%s", err.msg);
    ck_assert_int_eq(tn_trainer_set_epochs(t, epochs), TN_OK);
    ck_assert_int_eq(tn_trainer_set_threads(t, threads), TN_OK);
    ck_assert_msg(tn_trainer_fit(t, NULL) == TN_OK, "%s", tn_trainer_errmsg(t));
    char path[256];
    snprintf(path, sizeof path, TN_BINARY_DIR "/trainer_threads_%d.tnn", threads);
    ck_assert_msg(tn_trainer_save(t, path) == TN_OK, "%s", tn_trainer_errmsg(t));
    tn_trainer_free(t);
    tn_model *m;
    ck_assert_msg(tn_model_load(path, 0, &m, &err) == TN_OK, "%s", err.msg);
    *n = m->net->n_params;
    float *p = malloc(*n * sizeof *p);
    memcpy(p, m->net->P, *n * sizeof *p);
    tn_model_free(m);
    remove(path);
    return p;
}

/* The training threads (core/pool.h) split the GEMMs by rows, the element-wise sweeps by
 * ranges and dropout's draws by stream jumps: at 2 and 3 threads the parameters are those
 * of 1 thread, bit for bit, with the OpenBLAS kernels whose split products keep their bits
 * (tn__blas_split_keeps_bits, core/blas.h), also when the step tuner changes between
 * split and serial steps every few steps; with the other kernels, those of the same thread
 * count in another run. Every product is split here (threshold 0), not only the large
 * ones; the recommender has dropout, embeddings and Adam. */
START_TEST(threads_keep_the_bits)
{
    static const char *const configs[] = {"models/ring.json", "models/recommender.json"};
    static const int epochs[] = {3, 2};
    double old = tn__blas_split_min(0);
    for (int c = 0; c < 2; c++) {
        size_t n1, n2;
        float *p1 = fit_params(configs[c], epochs[c], tn__blas_split_keeps_bits() ? 1 : _i, &n1);
        float *p2 = fit_params(configs[c], epochs[c], _i, &n2);
        ck_assert_uint_eq(n1, n2);
        for (size_t i = 0; i < n1; i++)
            ck_assert_msg(memcmp(&p1[i], &p2[i], sizeof *p1) == 0, "%s, %d threads: parameter "
                          "%zu is %.9g, %.9g at 1 thread", configs[c], _i, i, (double)p2[i],
                          (double)p1[i]);
        if (tn__blas_split_keeps_bits()) {
            tn__pool_tune_force(TN__POOL_TUNE_FLIP);
            size_t n3;
            float *p3 = fit_params(configs[c], epochs[c], _i, &n3);
            tn__pool_tune_force(TN__POOL_TUNE_AUTO);
            ck_assert_uint_eq(n1, n3);
            for (size_t i = 0; i < n1; i++)
                ck_assert_msg(memcmp(&p1[i], &p3[i], sizeof *p1) == 0, "%s, %d threads, "
                              "tuner flipping: parameter %zu is %.9g, %.9g at 1 thread",
                              configs[c], _i, i, (double)p3[i], (double)p1[i]);
            free(p3);
        }
        free(p1), free(p2);
    }
    tn__blas_split_min(old);
}
END_TEST

START_TEST(errors_are_reported)
{
    tn_error err = {0};
    tn_trainer *t = (tn_trainer *)1;
    ck_assert_int_eq(tn_trainer_new("models/nope.json", &t, &err), TN_EIO);
    ck_assert_ptr_null(t);
    ck_assert_ptr_nonnull(strstr(err.msg, "models/nope.json"));
    ck_assert_int_eq(tn_trainer_new(NULL, &t, &err), TN_EINVAL);

    ck_assert_int_eq(tn_trainer_new("models/xor.json", &t, &err), TN_OK);
    ck_assert_int_eq(tn_trainer_set_epochs(t, 0), TN_ERANGE);
    ck_assert_ptr_nonnull(strstr(tn_trainer_errmsg(t), "epochs 0 is out of range"));
    ck_assert_int_eq(tn_trainer_set_threads(t, 0), TN_ERANGE);
    ck_assert_int_eq(tn_trainer_save(t, TN_BINARY_DIR "/never.tnn"), TN_EINVAL);
    ck_assert_ptr_nonnull(strstr(tn_trainer_errmsg(t), "has not been trained"));
    tn_fit_result res;
    ck_assert_int_eq(tn_trainer_result(t, &res), TN_EINVAL);
    ck_assert_int_eq(tn_trainer_set_epochs(t, 5), TN_OK);
    ck_assert_int_eq(tn_trainer_fit(t, NULL), TN_OK);
    ck_assert_int_eq(tn_trainer_save(t, "/nonexistent/dir/x.tnn"), TN_EIO);
    ck_assert_ptr_nonnull(strstr(tn_trainer_errmsg(t), "/nonexistent/dir/x.tnn"));
    tn_trainer_free(t);
    tn_trainer_free(NULL);
    ck_assert_int_eq(tn_trainer_fit(NULL, NULL), TN_EINVAL);
}
END_TEST

/* A fit that fails leaves nothing to save, and the saved record describes the run that
 * made the parameters, not settings changed after it. */
START_TEST(failed_refit_and_record)
{
    const char *csv = TN_BINARY_DIR "/trainer_xor.csv", *cfg = TN_BINARY_DIR "/trainer_xor.json";
    FILE *f = fopen(csv, "w");
    ck_assert_ptr_nonnull(f);
    fputs("x1,x2,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n", f);
    fclose(f);
    f = fopen(cfg, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{\"seed\": 3, \"inputs\": [{\"name\": \"x\", \"size\": 2}], \"layers\": ["
          "{\"type\": \"dense\", \"units\": 4, \"activation\": \"tanh\"}, {\"type\": "
          "\"dense\", \"units\": 1, \"activation\": \"sigmoid\"}], \"loss\": "
          "\"binary_crossentropy\", \"train\": {\"epochs\": 5, \"batch_size\": 4}, "
          "\"data\": {\"train\": \"trainer_xor.csv\", \"inputs\": [\"x1\", \"x2\"], "
          "\"target\": \"label\"}}", f);
    fclose(f);
    tn_error err = {0};
    tn_trainer *t;
    ck_assert_msg(tn_trainer_new(cfg, &t, &err) == TN_OK, "%s", err.msg);
    ck_assert_int_eq(tn_trainer_fit(t, NULL), TN_OK);
    ck_assert_int_eq(tn_trainer_set_seed(t, 99), TN_OK);
    const char *model = TN_BINARY_DIR "/trainer_record.tnn";
    ck_assert_int_eq(tn_trainer_save(t, model), TN_OK);
    tn_model *m;
    ck_assert_int_eq(tn__model_load(model, &m, &err), TN_OK);
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(m->training, "seed");
    ck_assert_double_eq(seed->valuedouble, 3); /* the seed the parameters came from */
    tn__model_free(m);

    remove(csv); /* the new seed re-reads the data, which is gone now */
    ck_assert_int_eq(tn_trainer_fit(t, NULL), TN_EIO);
    ck_assert_int_eq(tn_trainer_save(t, model), TN_EINVAL);
    ck_assert_ptr_nonnull(strstr(tn_trainer_errmsg(t), "has not been trained"));
    ck_assert_int_eq(tn_trainer_set_seed(t, (1ULL << 53) + 1), TN_ERANGE);
    tn_trainer_free(t);
    remove(cfg);
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("trainer");
    TCase *tc = tcase_create("public");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, xor_trains_saves_and_loads);
    tcase_add_test(tc, seed_override_changes_the_run);
    tcase_add_test(tc, errors_are_reported);
    tcase_add_test(tc, failed_refit_and_record);
    tcase_add_loop_test(tc, threads_keep_the_bits, 2, 4);
    suite_add_tcase(s, tc);
    return s;
}
