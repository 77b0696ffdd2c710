/* The inference runtime of tinynet.h: same numbers as the training build's forward pass,
 * many threads on one shared model, no allocation per predict call, argument checks.
 *
 * Only dense layers exist in this tree (no embedding/concat yet), so every model here has
 * one float input; index-input validation is exercised once embeddings arrive.
 *
 * ThreadSanitizer: cmake -S . -B build-tsan -DTN_TSAN=ON -DCMAKE_C_COMPILER=clang, then
 * ctest in build-tsan. No suppressions are needed: with BLAS on one thread, OpenBLAS
 * (not instrumented) runs in the caller's thread and TSan sees no race. Sharing one ctx
 * between two threads, by contrast, is reported at once. */
#include "io/scaling.h"
#include "rt_util.h"
#include "tinynet/tinynet.h"

#include <pthread.h>
#include <string.h>

#define RING_MODEL TN_BINARY_DIR "/test_runtime_ring.tnn"
#define RING_TEST TN_SOURCE_DIR "/data/ring_test.csv"
#define N_THREADS 6

static tn_model *g_model;
static tn_dataset *g_data;   /* ring test rows */
static float *g_ref_batch;   /* single-threaded tn_predict, max_batch 256 */
static float *g_ref_single;  /* single-threaded tn_predict, one row per call */

static void setup(void)
{
    /* Bit-exact comparisons hold at a fixed BLAS thread count; 1 also keeps OpenBLAS's
     * own (uninstrumented) threads out of the ThreadSanitizer build. */
    tn__blas_set_threads(1);
    rt_train_model(TN_SOURCE_DIR "/models/ring.json", 3, RING_MODEL);
    tn_error err = {0};
    ck_assert_int_eq(tn_model_load(RING_MODEL, &g_model, &err), TN_OK);
    int rc = tn__data_load_csv(RING_TEST, g_model->net, &g_model->columns, 0, g_model->loss,
                               &g_data, &err);
    ck_assert_msg(rc == TN_OK, "%s", err.msg);

    size_t n = g_data->rows;
    g_ref_batch = calloc(n, sizeof(float));
    g_ref_single = calloc(n, sizeof(float));
    tn_ctx *ctx;
    ck_assert_int_eq(tn_ctx_new(g_model, 256, &ctx, &err), TN_OK);
    const float *in[1] = {g_data->x[0]};
    ck_assert_int_eq(tn_predict(ctx, in, n, g_ref_batch), TN_OK);
    for (size_t r = 0; r < n; r++) {
        const float *row[1] = {g_data->x[0] + 2 * r};
        ck_assert_int_eq(tn_predict(ctx, row, 1, g_ref_single + r), TN_OK);
    }
    tn_ctx_free(ctx);
}

static void teardown(void)
{
    tn_replace_allocator(NULL, NULL, NULL);
    free(g_ref_batch);
    free(g_ref_single);
    tn__dataset_free(g_data);
    tn_model_free(g_model);
    remove(RING_MODEL);
}

START_TEST(queries)
{
    ck_assert_str_eq(tn_model_name(g_model), "ring");
    ck_assert_uint_eq(tn_model_n_inputs(g_model), 1);
    ck_assert_str_eq(tn_model_input_name(g_model, 0), "point");
    ck_assert_int_eq(tn_model_input_kind(g_model, 0), TN_INPUT_FLOAT);
    ck_assert_uint_eq(tn_model_input_width(g_model, 0), 2);
    ck_assert_uint_eq(tn_model_input_vocab(g_model, 0), 0);
    ck_assert_uint_eq(tn_model_output_width(g_model), 1);
    ck_assert_ptr_null(tn_model_input_name(g_model, 1));
    ck_assert_int_eq(tn_model_input_kind(g_model, 1), -1);
    ck_assert_uint_eq(tn_model_n_inputs(NULL), 0);
    ck_assert_str_eq(tn_version(), TN_VERSION_STRING);
}
END_TEST

START_TEST(same_numbers_as_training_forward)
{
    /* tn__predict is the training build's forward (batch 256); a model loaded from the
     * same file through the internal loader must give identical bits. */
    tn_error err = {0};
    tn_model *m;
    ck_assert_int_eq(tn__model_load(RING_MODEL, &m, &err), TN_OK);
    float *ref = calloc(g_data->rows, sizeof(float));
    ck_assert_int_eq(tn__predict(m->net, g_data, 256, ref, &err), TN_OK);
    ck_assert_int_eq(memcmp(ref, g_ref_batch, g_data->rows * sizeof(float)), 0);
    /* and through a buffer load */
    size_t len;
    unsigned char *buf = rt_read(RING_MODEL, &len);
    tn_model *mb;
    ck_assert_int_eq(tn_model_load_buffer(buf, len, &mb, &err), TN_OK);
    tn__free(buf);
    tn_ctx *ctx;
    ck_assert_int_eq(tn_ctx_new(mb, 256, &ctx, &err), TN_OK);
    const float *in[1] = {g_data->x[0]};
    float *got = calloc(g_data->rows, sizeof(float));
    ck_assert_int_eq(tn_predict(ctx, in, g_data->rows, got), TN_OK);
    ck_assert_int_eq(memcmp(ref, got, g_data->rows * sizeof(float)), 0);
    tn_ctx_free(ctx);
    tn_model_free(mb);
    free(got);
    free(ref);
    tn__model_free(m);
}
END_TEST

/* A model trained on standardized inputs keeps its scaling; tn_predict takes raw rows and
 * must feed the network exactly what training and `tinynet predict` feed it. */
START_TEST(applies_the_models_input_scaling)
{
    tn_error err = {0};
    tn_config *c;
    tn_dataset *train, *raw, *scaled;
    ck_assert_int_eq(tn__config_load("models/ring.json", &c, &err), TN_OK);
    c->train.epochs = 2;
    ck_assert_int_eq(tn__data_load_csv(c->data.train, c->net, &c->data.columns, 1, c->loss,
                                       &train, &err), TN_OK);
    ck_assert_int_eq(tn__data_load_csv(c->data.test, c->net, &c->data.columns, 1, c->loss,
                                       &raw, &err), TN_OK);
    ck_assert_int_eq(tn__data_load_csv(c->data.test, c->net, &c->data.columns, 1, c->loss,
                                       &scaled, &err), TN_OK);
    tn_scaling sc = {0};
    ck_assert_int_eq(tn__scaling_fit(&sc, TN_SCALING_STANDARDIZE, 0, c->net, train, &err), TN_OK);
    tn__scaling_apply(&sc, train);
    tn__scaling_apply(&sc, scaled);
    tn__net_init_params(c->net, 1);
    tn_train_result res;
    ck_assert_int_eq(tn__train(c->net, c->loss, &c->optim, &c->train, train, NULL, NULL, &res,
                               &err), TN_OK);
    const char *path = TN_BINARY_DIR "/scaled_ring.tnn";
    ck_assert_int_eq(tn__model_save(path, c->net, c->loss, &c->data.columns, &sc, NULL, &err),
                     TN_OK);
    size_t n = raw->rows;
    float *ref = calloc(n, sizeof(float)), *got = calloc(n, sizeof(float));
    ck_assert_int_eq(tn__predict(c->net, scaled, 256, ref, &err), TN_OK);
    tn_model *m;
    tn_ctx *ctx;
    ck_assert_msg(tn_model_load(path, &m, &err) == TN_OK, "%s", err.msg);
    ck_assert_int_eq(tn_ctx_new(m, 256, &ctx, &err), TN_OK);
    const float *in[1] = {raw->x[0]};
    ck_assert_int_eq(tn_predict(ctx, in, n, got), TN_OK);
    ck_assert_int_eq(memcmp(ref, got, n * sizeof(float)), 0);
    ck_assert_float_ne(raw->x[0][0], scaled->x[0][0]); /* the scaling is not a no-op */
    tn_ctx_free(ctx);
    tn_model_free(m);
    free(ref);
    free(got);
    tn__scaling_free(&sc);
    tn__dataset_free(train);
    tn__dataset_free(raw);
    tn__dataset_free(scaled);
    tn__config_free(c);
}
END_TEST

typedef struct worker {
    pthread_t tid;
    int id, ok;
    char msg[600];
} worker;

/* Each thread: its own context on the shared model, batches of varying size (always
 * chunked by max_batch 256, like the reference) and single rows, many times over. */
static void *work(void *arg)
{
    worker *w = arg;
    tn_error err = {0};
    tn_ctx *ctx;
    w->ok = 0;
    if (tn_ctx_new(g_model, 256, &ctx, &err) != TN_OK) {
        snprintf(w->msg, sizeof w->msg, "ctx: %s", err.msg);
        return NULL;
    }
    size_t n = g_data->rows;
    float *out = malloc(n * sizeof *out);
    for (int iter = 0; iter < 20; iter++) {
        const float *in[1] = {g_data->x[0]};
        if (tn_predict(ctx, in, n, out) != TN_OK ||
            memcmp(out, g_ref_batch, n * sizeof *out) != 0) {
            snprintf(w->msg, sizeof w->msg, "batch mismatch, iteration %d", iter);
            goto done;
        }
        /* Rows one at a time, starting at a thread-dependent offset so threads overlap
         * on different rows. */
        for (size_t k = 0; k < n; k += 7) {
            size_t r = (k + (size_t)w->id * 61) % n;
            const float *row[1] = {g_data->x[0] + 2 * r};
            float y;
            if (tn_predict(ctx, row, 1, &y) != TN_OK || memcmp(&y, &g_ref_single[r], sizeof y)) {
                snprintf(w->msg, sizeof w->msg, "row %zu mismatch, iteration %d", r, iter);
                goto done;
            }
        }
    }
    w->ok = 1;
done:
    free(out);
    tn_ctx_free(ctx);
    return NULL;
}

START_TEST(threads_share_one_model)
{
    worker w[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        w[i].id = i;
        w[i].msg[0] = '\0';
        ck_assert_int_eq(pthread_create(&w[i].tid, NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < N_THREADS; i++)
        ck_assert_int_eq(pthread_join(w[i].tid, NULL), 0);
    for (int i = 0; i < N_THREADS; i++)
        ck_assert_msg(w[i].ok, "thread %d: %s", i, w[i].msg);
}
END_TEST

static size_t g_allocs;
static void *counting_malloc(size_t n) { g_allocs++; return malloc(n); }
static void *counting_realloc(void *p, size_t n) { g_allocs++; return realloc(p, n); }

START_TEST(no_allocation_per_call)
{
    tn_error err = {0};
    tn_ctx *ctx;
    ck_assert_int_eq(tn_ctx_new(g_model, 64, &ctx, &err), TN_OK);
    tn_replace_allocator(counting_malloc, counting_realloc, free);
    g_allocs = 0;
    float *out = malloc(g_data->rows * sizeof *out);
    const float *in[1] = {g_data->x[0]};
    for (int i = 0; i < 10; i++) {
        ck_assert_int_eq(tn_predict(ctx, in, 1, out), TN_OK);
        ck_assert_int_eq(tn_predict(ctx, in, 64, out), TN_OK);
        ck_assert_int_eq(tn_predict(ctx, in, g_data->rows, out), TN_OK); /* chunked */
        ck_assert_int_eq(tn_predict(ctx, in, 0, out), TN_OK);
        ck_assert_int_eq(tn_predict(ctx, NULL, 3, out), TN_EINVAL);       /* error path too */
    }
    ck_assert_uint_eq(g_allocs, 0);
    tn_replace_allocator(NULL, NULL, NULL);
    /* Chunks of 64 rows, not 256: BLAS may round differently for another matrix height,
     * so equal only within float rounding (the bit-exact promise is per max_batch). */
    for (size_t r = 0; r < g_data->rows; r++)
        ck_assert_float_eq_tol(out[r], g_ref_batch[r], 1e-6f);
    free(out);
    tn_ctx_free(ctx);
}
END_TEST

START_TEST(argument_errors)
{
    tn_error err = {0};
    tn_ctx *ctx = (tn_ctx *)&err;
    ck_assert_int_eq(tn_ctx_new(g_model, 0, &ctx, &err), TN_EINVAL);
    ck_assert_ptr_null(ctx);
    ck_assert_int_eq(tn_ctx_new(NULL, 4, &ctx, &err), TN_EINVAL);
    ck_assert_int_eq(tn_ctx_new(g_model, 4, NULL, &err), TN_EINVAL);
    tn_model *m = (tn_model *)&err;
    ck_assert_int_eq(tn_model_load(NULL, &m, &err), TN_EINVAL);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(tn_model_load_buffer(NULL, 10, &m, &err), TN_EINVAL);
    ck_assert_int_eq(tn_model_load_v2(RING_MODEL, 0x80, &m, &err), TN_EINVAL);
    ck_assert_int_eq(tn_model_load(TN_BINARY_DIR "/no/such.tnn", &m, &err), TN_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "no/such.tnn"));

    ck_assert_int_eq(tn_ctx_new(g_model, 4, &ctx, NULL), TN_OK);
    float out[4];
    const float *nul[1] = {NULL};
    ck_assert_int_eq(tn_predict(ctx, nul, 2, out), TN_EINVAL);
    ck_assert_ptr_nonnull(strstr(tn_ctx_errmsg(ctx), "point"));
    const float *in[1] = {g_data->x[0]};
    ck_assert_int_eq(tn_predict(ctx, in, 2, NULL), TN_EINVAL);
    ck_assert_int_eq(tn_predict(ctx, in, 2, out), TN_OK);
    ck_assert_str_eq(tn_ctx_errmsg(ctx), "");
    ck_assert_int_eq(tn_predict(NULL, in, 2, out), TN_EINVAL);
    tn_ctx_free(ctx);
    tn_ctx_free(NULL);
    tn_model_free(NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("runtime");
    TCase *tc = tcase_create("runtime");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, queries);
    tcase_add_test(tc, same_numbers_as_training_forward);
    tcase_add_test(tc, applies_the_models_input_scaling);
    tcase_add_test(tc, threads_share_one_model);
    tcase_add_test(tc, no_allocation_per_call);
    tcase_add_test(tc, argument_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
