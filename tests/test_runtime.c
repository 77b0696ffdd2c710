/* The inference runtime of tinynet.h: same numbers as the training build's forward pass,
 * many threads on one shared model, no allocation per predict call, argument checks.
 *
 * Two models: the ring classifier (one float input) and the recommender (two index inputs,
 * embeddings, concat), so the multi-input path and id validation are covered as well.
 *
 * ThreadSanitizer: cmake -S . -B build-tsan -DTN_TSAN=ON -DCMAKE_C_COMPILER=clang, then
 * ctest in build-tsan. No suppressions are needed: with BLAS on one thread, OpenBLAS
 * (not instrumented) runs in the caller's thread and TSan sees no race. Sharing one ctx
 * between two threads, by contrast, is reported at once. */
#include "rt_util.h"
#include "api/api.h" /* the rows behind a tn_data, for the training build's forward */
#include "core/alloc.h"
#include "core/blas.h"
#include "model/model.h"
#include "train/session.h"
#include "tinynet/data.h"
#include "tinynet/tinynet.h"
#include "tinynet/train.h"
#include "tn_check.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#define RING_MODEL TN_BINARY_DIR "/test_runtime_ring.tnn"
#define RING_TEST TN_SOURCE_DIR "/data/ring_test.csv"
#define REC_MODEL TN_BINARY_DIR "/test_runtime_rec.tnn"
#define N_THREADS 6
/* Not a multiple of 256, so batches end in a partial chunk. */
#define REC_ROWS 1100

static tn_model *g_model;
static tn_data *g_data;      /* ring test rows, read in the model's recorded format */
static size_t g_rows;        /* how many */
static float *g_x;           /* g_rows x 2: those rows as tn_predict takes them */
static float *g_ref_batch;   /* single-threaded tn_predict, max_batch 256 */
static float *g_ref_single;  /* single-threaded tn_predict, one row per call */

static tn_model *g_rec;                  /* the recommender: inputs "user", "item" */
static float g_rec_user[REC_ROWS], g_rec_item[REC_ROWS];
static float g_rec_ref_batch[REC_ROWS];  /* single-threaded, max_batch 256 */
static float g_rec_ref_single[REC_ROWS]; /* single-threaded, one row per call */

/* The recommender trained the way `tinynet train` does it, through the trainer: implicit
 * feedback from the ratings file with sampled negatives. A couple of epochs give real,
 * non-uniform embeddings; quality does not matter here. */
static void rt_train_recommender(int epochs, const char *out_path)
{
    rt_train_model(TN_SOURCE_DIR "/models/recommender.json", epochs, out_path);
    tn_model *m;
    tn_error err = {0};
    ck_assert_msg(tn_model_load(out_path, 0, &m, &err) == TN_OK, "%s", err.msg);
    ck_assert_str_eq(tn_model_data_format(m), "ratings");
    tn_model_free(m);
}

/* Pairs that visit every user and item, including both ends of each vocabulary. */
static void rec_fill_ids(void)
{
    for (size_t r = 0; r < REC_ROWS; r++) {
        g_rec_user[r] = (float)((r * 7) % 300);
        g_rec_item[r] = (float)((r * 13 + 5) % 400);
    }
    g_rec_user[0] = 0.0f;
    g_rec_item[0] = 0.0f;
    g_rec_user[REC_ROWS - 1] = 299.0f;
    g_rec_item[REC_ROWS - 1] = 399.0f;
}

static void rec_setup(void)
{
    tn_error err = {0};
    rt_train_recommender(2, REC_MODEL);
    int rc = tn_model_load(REC_MODEL, 0, &g_rec, &err);
    ck_assert_msg(rc == TN_OK, "%s", err.msg);
    rec_fill_ids();
    tn_ctx *ctx;
    ck_assert_int_eq(tn_ctx_new(g_rec, 256, &ctx, &err), TN_OK);
    const float *in[2] = {g_rec_user, g_rec_item};
    ck_assert_int_eq(tn_predict(ctx, in, REC_ROWS, g_rec_ref_batch), TN_OK);
    for (size_t r = 0; r < REC_ROWS; r++) {
        const float *row[2] = {g_rec_user + r, g_rec_item + r};
        ck_assert_int_eq(tn_predict(ctx, row, 1, g_rec_ref_single + r), TN_OK);
    }
    tn_ctx_free(ctx);
}

static void setup(void)
{
    /* Bit-exact comparisons hold at a fixed BLAS thread count; 1 also keeps OpenBLAS's
     * own (uninstrumented) threads out of the ThreadSanitizer build. */
    tn__blas_set_threads(1);
    rt_train_model(TN_SOURCE_DIR "/models/ring.json", 3, RING_MODEL);
    tn_error err = {0};
    ck_assert_int_eq(tn_model_load(RING_MODEL, 0, &g_model, &err), TN_OK);
    const char *paths[1] = {RING_TEST};
    int rc = tn_data_read(g_model, paths, 1, 0, &g_data, &err);
    ck_assert_msg(rc == TN_OK, "%s", err.msg);
    g_rows = tn_data_rows(g_data);
    g_x = calloc(g_rows * 2, sizeof(float));
    for (size_t r = 0; r < g_rows; r++)
        ck_assert_int_eq(tn_data_row(g_data, 0, r, g_x + 2 * r), TN_OK);

    size_t n = g_rows;
    g_ref_batch = calloc(n, sizeof(float));
    g_ref_single = calloc(n, sizeof(float));
    tn_ctx *ctx;
    ck_assert_int_eq(tn_ctx_new(g_model, 256, &ctx, &err), TN_OK);
    const float *in[1] = {g_x};
    ck_assert_int_eq(tn_predict(ctx, in, n, g_ref_batch), TN_OK);
    for (size_t r = 0; r < n; r++) {
        const float *row[1] = {g_x + 2 * r};
        ck_assert_int_eq(tn_predict(ctx, row, 1, g_ref_single + r), TN_OK);
    }
    tn_ctx_free(ctx);
    rec_setup();
}

static void teardown(void)
{
    tn_replace_allocator(NULL, NULL, NULL);
    free(g_ref_batch);
    free(g_ref_single);
    tn_data_free(g_data);
    free(g_x);
    tn_model_free(g_model);
    remove(RING_MODEL);
    tn_model_free(g_rec);
    g_rec = NULL;
    remove(REC_MODEL);
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
    ck_assert_int_eq(tn_model_output_kind(g_model), TN_OUTPUT_PROBABILITIES);
    ck_assert_ptr_null(tn_model_input_name(g_model, 1));
    ck_assert_int_eq(tn_model_input_kind(g_model, 1), -1);
    ck_assert_uint_eq(tn_model_n_inputs(NULL), 0);
    ck_assert_str_eq(tn_version(), TN_VERSION_STRING);
}
END_TEST

START_TEST(rec_queries)
{
    ck_assert_str_eq(tn_model_name(g_rec), "recommender");
    ck_assert_uint_eq(tn_model_n_inputs(g_rec), 2);
    ck_assert_str_eq(tn_model_input_name(g_rec, 0), "user");
    ck_assert_str_eq(tn_model_input_name(g_rec, 1), "item");
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(tn_model_input_kind(g_rec, i), TN_INPUT_INDEX);
        ck_assert_uint_eq(tn_model_input_width(g_rec, i), 1);
    }
    ck_assert_uint_eq(tn_model_input_vocab(g_rec, 0), 300);
    ck_assert_uint_eq(tn_model_input_vocab(g_rec, 1), 400);
    ck_assert_uint_eq(tn_model_output_width(g_rec), 1);
    ck_assert_ptr_null(tn_model_input_name(g_rec, 2));
}
END_TEST

/* Batch 1 runs each dense layer as one sgemv (core/blas.c), batches as sgemm: the sums are
 * taken in another order, so the two agree to float rounding, not bit for bit. The bound
 * (outputs are probabilities in [0, 1]): 1e-6 absolute; a wrong product is off by far more. */
START_TEST(batch1_agrees_with_batched)
{
    double worst = 0, worst_rec = 0;
    for (size_t r = 0; r < g_rows; r++)
        worst = fmax(worst, fabs((double)g_ref_single[r] - (double)g_ref_batch[r]));
    for (size_t r = 0; r < REC_ROWS; r++)
        worst_rec = fmax(worst_rec, fabs((double)g_rec_ref_single[r] - (double)g_rec_ref_batch[r]));
    ck_assert_msg(worst <= 1e-6, "ring: batch 1 differs from batched by %g", worst);
    ck_assert_msg(worst_rec <= 1e-6, "recommender: batch 1 differs from batched by %g",
                  worst_rec);
}
END_TEST

START_TEST(same_numbers_as_training_forward)
{
    /* tn__predict is the training build's forward (batch 256); a model loaded from the
     * same file through the internal loader must give identical bits. */
    tn_error err = {0};
    tn_model *m;
    ck_assert_int_eq(tn__model_load(RING_MODEL, &m, &err), TN_OK);
    float *ref = calloc(g_rows, sizeof(float));
    ck_assert_int_eq(tn__predict(m->net, g_data->rows, NULL, 256, ref, &err), TN_OK);
    ck_assert_int_eq(memcmp(ref, g_ref_batch, g_rows * sizeof(float)), 0);
    /* and through a buffer load */
    size_t len;
    unsigned char *buf = rt_read(RING_MODEL, &len);
    tn_model *mb;
    ck_assert_int_eq(tn_model_load_buffer(buf, len, 0, &mb, &err), TN_OK);
    tn_free(buf);
    tn_ctx *ctx;
    ck_assert_int_eq(tn_ctx_new(mb, 256, &ctx, &err), TN_OK);
    const float *in[1] = {g_x};
    float *got = calloc(g_rows, sizeof(float));
    ck_assert_int_eq(tn_predict(ctx, in, g_rows, got), TN_OK);
    ck_assert_int_eq(memcmp(ref, got, g_rows * sizeof(float)), 0);
    tn_ctx_free(ctx);
    tn_model_free(mb);
    free(got);
    free(ref);
    tn__model_free(m);
}
END_TEST

/* The same for two index inputs: tn__predict on a dataset holding the same ids. */
START_TEST(rec_same_numbers_as_training_forward)
{
    tn_error err = {0};
    tn_model *m;
    ck_assert_int_eq(tn__model_load(REC_MODEL, &m, &err), TN_OK);
    tn_dataset *d;
    size_t w[2] = {1, 1};
    ck_assert_int_eq(tn__dataset_new(REC_ROWS, 2, w, 0, &d, &err), TN_OK);
    memcpy(d->x[0], g_rec_user, sizeof g_rec_user);
    memcpy(d->x[1], g_rec_item, sizeof g_rec_item);
    float *ref = calloc(REC_ROWS, sizeof(float));
    ck_assert_int_eq(tn__predict(m->net, d, NULL, 256, ref, &err), TN_OK);
    ck_assert_int_eq(memcmp(ref, g_rec_ref_batch, sizeof g_rec_ref_batch), 0);
    /* Scores must differ between pairs, or equality would prove little. */
    ck_assert_float_ne(ref[0], ref[REC_ROWS - 1]);
    /* and through a buffer load */
    size_t len;
    unsigned char *buf = rt_read(REC_MODEL, &len);
    tn_model *mb;
    ck_assert_int_eq(tn_model_load_buffer(buf, len, 0, &mb, &err), TN_OK);
    tn_free(buf);
    tn_ctx *ctx;
    ck_assert_int_eq(tn_ctx_new(mb, 256, &ctx, &err), TN_OK);
    const float *in[2] = {g_rec_user, g_rec_item};
    float *got = calloc(REC_ROWS, sizeof(float));
    ck_assert_int_eq(tn_predict(ctx, in, REC_ROWS, got), TN_OK);
    ck_assert_int_eq(memcmp(ref, got, REC_ROWS * sizeof(float)), 0);
    tn_ctx_free(ctx);
    tn_model_free(mb);
    free(got);
    free(ref);
    tn__dataset_free(d);
    tn__model_free(m);
}
END_TEST

/* A model trained on standardized inputs keeps its scaling; tn_predict takes raw rows and
 * must feed the network exactly what training and `tinynet predict` feed it. */
START_TEST(applies_the_models_input_scaling)
{
    /* models/ring.json with "scaling": "standardize", named as a file beside it. */
    char *ring;
    size_t len;
    tn_error err = {0};
    ck_assert_int_eq(tn_read_file(TN_SOURCE_DIR "/models/ring.json", 1 << 20, &ring, &len, &err),
                     TN_OK);
    const char *at = strstr(ring, "\"data\": {");
    ck_assert_ptr_nonnull(at);
    size_t pre = (size_t)(at - ring) + strlen("\"data\": {");
    char text[4096];
    snprintf(text, sizeof text, "%.*s\"scaling\": \"standardize\", %s", (int)pre, ring,
             ring + pre);
    tn_free(ring);
    tn_session s;
    ck_assert_msg(tn__session_open_text(TN_SOURCE_DIR "/models/scaled_ring.json", text,
                                        strlen(text), &s, &err) == TN_OK, "%s", err.msg);
    s.config->train.epochs = 2;
    s.threads = 1; /* as the fixture: bit-exact comparisons at one BLAS thread count */
    ck_assert_msg(tn__session_fit(&s, NULL, &err) == TN_OK, "%s", err.msg);
    ck_assert_int_eq(s.scaling.kind, TN_SCALING_STANDARDIZE);
    const char *path = TN_BINARY_DIR "/scaled_ring.tnn";
    ck_assert_msg(tn__session_save(&s, path, &err) == TN_OK, "%s", err.msg);
    const tn_dataset *scaled = s.data.test; /* the test rows as training scaled them */
    size_t n = scaled->rows;
    float *ref = calloc(n, sizeof(float)), *got = calloc(n, sizeof(float));
    ck_assert_int_eq(tn__predict(s.config->net, scaled, NULL, 256, ref, &err), TN_OK);
    tn_model *m;
    tn_ctx *ctx;
    ck_assert_msg(tn_model_load(path, 0, &m, &err) == TN_OK, "%s", err.msg);
    ck_assert_int_eq(tn_ctx_new(m, 256, &ctx, &err), TN_OK);
    const float *in[1] = {g_x}; /* the same file, raw */
    ck_assert_uint_eq(g_rows, n);
    ck_assert_int_eq(tn_predict(ctx, in, n, got), TN_OK);
    ck_assert_int_eq(memcmp(ref, got, n * sizeof(float)), 0);
    ck_assert_float_ne(g_x[0], scaled->x[0][0]); /* the scaling is not a no-op */
    tn_ctx_free(ctx);
    tn_model_free(m);
    free(ref);
    free(got);
    remove(path);
    tn__session_close(&s);
}
END_TEST

/* Models may be loaded from several threads at once (cJSON keeps a global error record
 * that the loader must not race on). */
typedef struct loader {
    pthread_t tid;
    const unsigned char *buf;
    size_t len;
    int ok;
} loader;

static void *load_many(void *arg)
{
    loader *l = arg;
    l->ok = 1;
    for (int i = 0; i < 20 && l->ok; i++) {
        tn_model *m;
        tn_error err = {0};
        l->ok = tn_model_load_buffer(l->buf, l->len, 0, &m, &err) == TN_OK;
        tn_model_free(m);
    }
    return NULL;
}

START_TEST(models_load_concurrently)
{
    size_t len;
    unsigned char *buf = rt_read(RING_MODEL, &len);
    loader ls[4];
    for (int i = 0; i < 4; i++) {
        ls[i] = (loader){.buf = buf, .len = len};
        ck_assert_int_eq(pthread_create(&ls[i].tid, NULL, load_many, &ls[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(ls[i].tid, NULL);
        ck_assert(ls[i].ok);
    }
    tn_free(buf);
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
    tn_ctx *rctx;
    if (tn_ctx_new(g_rec, 256, &rctx, &err) != TN_OK) {
        snprintf(w->msg, sizeof w->msg, "recommender ctx: %s", err.msg);
        tn_ctx_free(ctx);
        return NULL;
    }
    size_t n = g_rows;
    float *out = malloc(n * sizeof *out), *rout = malloc(REC_ROWS * sizeof *rout);
    for (int iter = 0; iter < 20; iter++) {
        const float *in[1] = {g_x};
        if (tn_predict(ctx, in, n, out) != TN_OK ||
            memcmp(out, g_ref_batch, n * sizeof *out) != 0) {
            snprintf(w->msg, sizeof w->msg, "batch mismatch, iteration %d", iter);
            goto done;
        }
        /* Rows one at a time, starting at a thread-dependent offset so threads overlap
         * on different rows. */
        for (size_t k = 0; k < n; k += 7) {
            size_t r = (k + (size_t)w->id * 61) % n;
            const float *row[1] = {g_x + 2 * r};
            float y;
            if (tn_predict(ctx, row, 1, &y) != TN_OK || memcmp(&y, &g_ref_single[r], sizeof y)) {
                snprintf(w->msg, sizeof w->msg, "row %zu mismatch, iteration %d", r, iter);
                goto done;
            }
        }
        /* The recommender on the same threads, interleaved with the ring, so two shared
         * models and the two-input path run concurrently. */
        const float *rin[2] = {g_rec_user, g_rec_item};
        if (tn_predict(rctx, rin, REC_ROWS, rout) != TN_OK ||
            memcmp(rout, g_rec_ref_batch, sizeof g_rec_ref_batch) != 0) {
            snprintf(w->msg, sizeof w->msg, "recommender batch mismatch, iteration %d", iter);
            goto done;
        }
        for (size_t k = 0; k < REC_ROWS; k += 5) {
            size_t r = (k + (size_t)w->id * 37) % REC_ROWS;
            const float *row[2] = {g_rec_user + r, g_rec_item + r};
            float y;
            if (tn_predict(rctx, row, 1, &y) != TN_OK ||
                memcmp(&y, &g_rec_ref_single[r], sizeof y)) {
                snprintf(w->msg, sizeof w->msg, "recommender row %zu mismatch, iteration %d", r,
                         iter);
                goto done;
            }
        }
    }
    w->ok = 1;
done:
    free(out);
    free(rout);
    tn_ctx_free(ctx);
    tn_ctx_free(rctx);
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
    float *out = malloc(g_rows * sizeof *out);
    const float *in[1] = {g_x};
    for (int i = 0; i < 10; i++) {
        ck_assert_int_eq(tn_predict(ctx, in, 1, out), TN_OK);
        ck_assert_int_eq(tn_predict(ctx, in, 64, out), TN_OK);
        ck_assert_int_eq(tn_predict(ctx, in, g_rows, out), TN_OK); /* chunked */
        ck_assert_int_eq(tn_predict(ctx, in, 0, out), TN_OK);
        ck_assert_int_eq(tn_predict(ctx, NULL, 3, out), TN_EINVAL);       /* error path too */
    }
    ck_assert_uint_eq(g_allocs, 0);
    tn_replace_allocator(NULL, NULL, NULL);
    /* Chunks of 64 rows, not 256: BLAS may round differently for another matrix height,
     * so equal only within float rounding (the bit-exact promise is per max_batch). */
    for (size_t r = 0; r < g_rows; r++)
        ck_assert_float_eq_tol(out[r], g_ref_batch[r], 1e-6f);
    free(out);
    tn_ctx_free(ctx);
}
END_TEST

/* The same for the recommender: two inputs, id checks, embedding gathers, concat. */
START_TEST(rec_no_allocation_per_call)
{
    tn_error err = {0};
    tn_ctx *ctx;
    ck_assert_int_eq(tn_ctx_new(g_rec, 64, &ctx, &err), TN_OK);
    static float out[REC_ROWS], bad_item[REC_ROWS];
    memcpy(bad_item, g_rec_item, sizeof bad_item);
    bad_item[REC_ROWS - 1] = 400.0f;
    tn_replace_allocator(counting_malloc, counting_realloc, free);
    g_allocs = 0;
    const float *in[2] = {g_rec_user, g_rec_item}, *bad[2] = {g_rec_user, bad_item};
    for (int i = 0; i < 10; i++) {
        ck_assert_int_eq(tn_predict(ctx, in, 1, out), TN_OK);
        ck_assert_int_eq(tn_predict(ctx, in, 64, out), TN_OK);
        ck_assert_int_eq(tn_predict(ctx, bad, REC_ROWS, out), TN_EDATA); /* error path too */
        ck_assert_int_eq(tn_predict(ctx, in, REC_ROWS, out), TN_OK);     /* chunked */
    }
    ck_assert_uint_eq(g_allocs, 0);
    tn_replace_allocator(NULL, NULL, NULL);
    for (size_t r = 0; r < REC_ROWS; r++)
        ck_assert_float_eq_tol(out[r], g_rec_ref_batch[r], 1e-6f);
    tn_ctx_free(ctx);
}
END_TEST

/* A context in the caller's memory: exactly tn_ctx_size bytes suffice (one byte less is
 * TN_ERANGE), nothing is allocated from the model's load on, and the numbers are those of
 * a heap context, bit for bit. For both models and a few batch sizes. */
START_TEST(context_in_caller_memory)
{
    const size_t batches[] = {1, 7, 256};
    for (int which = 0; which < 2; which++) {
        const tn_model *m = which ? g_rec : g_model;
        size_t rows = which ? REC_ROWS : g_rows;
        const float *in1[1] = {g_x}, *in2[2] = {g_rec_user, g_rec_item};
        const float *const *in = which ? in2 : in1;
        const float *ref = which ? g_rec_ref_batch : g_ref_batch;
        for (size_t k = 0; k < 3; k++) {
            size_t B = batches[k], size = tn_ctx_size(m, B);
            ck_assert_uint_gt(size, 0);
            void *buf = malloc(size);
            tn_error err = {0};
            tn_ctx *ctx = NULL;
            tn_replace_allocator(counting_malloc, counting_realloc, free);
            g_allocs = 0;
            ck_assert_int_eq(tn_ctx_new_in(m, B, buf, size - 1, &ctx, &err), TN_ERANGE);
            ck_assert_ptr_null(ctx);
            ck_assert_int_eq(tn_ctx_new_in(m, B, buf, size, &ctx, &err), TN_OK);
            float *out = calloc(rows, sizeof *out);
            ck_assert_int_eq(tn_predict(ctx, in, rows, out), TN_OK);
            tn_ctx_free(ctx); /* frees nothing */
            ck_assert_uint_eq(g_allocs, 0);
            tn_replace_allocator(NULL, NULL, NULL);
            if (B == 256)
                ck_assert_mem_eq(out, ref, rows * sizeof *out);
            else
                for (size_t r = 0; r < rows; r++)
                    ck_assert_float_eq_tol(out[r], ref[r], 1e-6f);
            free(out);
            free(buf);
        }
    }
    ck_assert_uint_eq(tn_ctx_size(NULL, 1), 0);
    ck_assert_uint_eq(tn_ctx_size(g_model, 0), 0);
}
END_TEST

/* An id that is out of range, negative or not an integer (or NaN) would index outside an
 * embedding table: TN_EDATA, a message naming the input, and out untouched -- even when
 * the bad id sits in a later chunk than rows that are fine. */
START_TEST(rec_bad_ids)
{
    tn_error err = {0};
    tn_ctx *ctx;
    ck_assert_int_eq(tn_ctx_new(g_rec, 4, &ctx, &err), TN_OK);
    enum { N = 10 };
    static const struct {
        int input;      /* 0 user, 1 item */
        float id;
        const char *shown; /* how the message prints the id */
    } cases[] = {
        {0, 300.0f, "300"}, {1, 400.0f, "400"}, {1, 1e9f, "1e+09"},
        {0, -1.0f, "-1"},   {1, -0.5f, "-0.5"}, {0, 2.5f, "2.5"},
        {1, 398.75f, "398.75"}, {0, NAN, "nan"}, {1, INFINITY, "inf"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        float ids[2][N];
        memcpy(ids[0], g_rec_user, sizeof ids[0]);
        memcpy(ids[1], g_rec_item, sizeof ids[1]);
        ids[cases[c].input][N - 1] = cases[c].id; /* the last row: the third chunk of 4 */
        float out[N + 1];
        for (size_t i = 0; i <= N; i++)
            out[i] = -7.0f; /* a sentinel no sigmoid gives */
        const float *in[2] = {ids[0], ids[1]};
        ck_assert_int_eq(tn_predict(ctx, in, N, out), TN_EDATA);
        for (size_t i = 0; i <= N; i++)
            ck_assert_msg(out[i] == -7.0f, "case %zu: out[%zu] written", c, i);
        const char *msg = tn_ctx_errmsg(ctx);
        const char *name = cases[c].input ? "\"item\"" : "\"user\"";
        const char *other = cases[c].input ? "\"user\"" : "\"item\"";
        ck_assert_msg(strstr(msg, name) && !strstr(msg, other), "case %zu: %s", c, msg);
        ck_assert_msg(strstr(msg, "row 9") && strstr(msg, cases[c].shown), "case %zu: %s", c,
                      msg);
        /* The context stays usable and the message clears on success. */
        const float *good[2] = {g_rec_user, g_rec_item};
        ck_assert_int_eq(tn_predict(ctx, good, N, out), TN_OK);
        ck_assert_str_eq(tn_ctx_errmsg(ctx), "");
        ck_assert_float_eq(out[N], -7.0f);
    }
    tn_ctx_free(ctx);
}
END_TEST

/* A NaN or infinite feature is refused with a message naming the input, the row and the
 * feature, before anything is computed; the context stays usable. */
START_TEST(non_finite_features_refused)
{
    tn_ctx *ctx;
    ck_assert_int_eq(tn_ctx_new(g_model, 4, &ctx, NULL), TN_OK);
    static const struct {
        float v;
        const char *shown;
    } cases[] = {{NAN, "NaN"}, {INFINITY, "+Inf"}, {-INFINITY, "-Inf"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        float x[2 * 10], out[11];
        memcpy(x, g_x, sizeof x);
        x[2 * 9 + 1] = cases[c].v; /* row 9, feature 1: in the third chunk of 4 */
        for (size_t i = 0; i < 11; i++)
            out[i] = -7.0f;
        const float *in[1] = {x};
        ck_assert_int_eq(tn_predict(ctx, in, 10, out), TN_EDATA);
        for (size_t i = 0; i < 11; i++)
            ck_assert_msg(out[i] == -7.0f, "case %zu: out[%zu] written", c, i);
        const char *msg = tn_ctx_errmsg(ctx);
        ck_assert_msg(strstr(msg, "\"point\"") && strstr(msg, "row 9, feature 1") &&
                      strstr(msg, cases[c].shown), "case %zu: %s", c, msg);
        const float *good[1] = {g_x};
        ck_assert_int_eq(tn_predict(ctx, good, 10, out), TN_OK);
        ck_assert_str_eq(tn_ctx_errmsg(ctx), "");
    }
    tn_ctx_free(ctx);
}
END_TEST

/* The kind of output follows the output activation, seen through a trailing dropout. */
START_TEST(output_kinds)
{
    static const struct {
        const char *last;
        int kind;
    } cases[] = {
        {"{\"type\": \"dense\", \"units\": 1, \"activation\": \"sigmoid\"}", TN_OUTPUT_PROBABILITIES},
        {"{\"type\": \"dense\", \"units\": 3, \"activation\": \"softmax\"}",
         TN_OUTPUT_CLASS_PROBABILITIES},
        {"{\"type\": \"dense\", \"units\": 3, \"activation\": \"log_softmax\"}",
         TN_OUTPUT_LOG_PROBABILITIES},
        {"{\"type\": \"dense\", \"units\": 1}", TN_OUTPUT_VALUES},
        {"{\"type\": \"dense\", \"units\": 1, \"activation\": \"relu\"}", TN_OUTPUT_VALUES},
        {"{\"type\": \"dense\", \"units\": 1, \"activation\": \"sigmoid\"}, "
         "{\"type\": \"dropout\", \"rate\": 0.5}", TN_OUTPUT_PROBABILITIES},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char json[1024];
        snprintf(json, sizeof json, "{\"inputs\": [{\"name\": \"x\", \"size\": 2}], "
                 "\"layers\": [%s], \"loss\": \"%s\", \"train\": {\"epochs\": 1}, "
                 "\"data\": {\"train\": \"t.csv\", \"inputs\": [\"a\", \"b\"], "
                 "\"target\": \"y\"}}", cases[c].last,
                 strstr(cases[c].last, "softmax") ? "categorical_crossentropy" : "mse");
        tn_error err = {0};
        tn_trainer *t;
        ck_assert_msg(tn_trainer_new_text("kind.json", json, strlen(json), &t, &err) == TN_OK,
                      "case %zu: %s", c, err.msg);
        ck_assert_int_eq(tn_model_output_kind(tn_trainer_model(t)), cases[c].kind);
        tn_trainer_free(t);
    }
    ck_assert_int_eq(tn_model_output_kind(NULL), -1);
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
    ck_assert_int_eq(tn_model_load(NULL, 0, &m, &err), TN_EINVAL);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(tn_model_load_buffer(NULL, 10, 0, &m, &err), TN_EINVAL);
    ck_assert_int_eq(tn_model_load(RING_MODEL, 0x80, &m, &err), TN_EINVAL);
    ck_assert_int_eq(tn_model_load(TN_BINARY_DIR "/no/such.tnn", 0, &m, &err), TN_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "no/such.tnn"));

    ck_assert_int_eq(tn_ctx_new(g_model, 4, &ctx, NULL), TN_OK);
    float out[4];
    const float *nul[1] = {NULL};
    ck_assert_int_eq(tn_predict(ctx, nul, 2, out), TN_EINVAL);
    ck_assert_ptr_nonnull(strstr(tn_ctx_errmsg(ctx), "point"));
    const float *in[1] = {g_x};
    ck_assert_int_eq(tn_predict(ctx, in, 2, NULL), TN_EINVAL);
    ck_assert_int_eq(tn_predict(ctx, in, 2, out), TN_OK);
    ck_assert_str_eq(tn_ctx_errmsg(ctx), "");
    ck_assert_int_eq(tn_predict(NULL, in, 2, out), TN_EINVAL);
    tn_ctx_free(ctx);
    tn_ctx_free(NULL);
    tn_model_free(NULL);
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("runtime");
    TCase *tc = tcase_create("runtime");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, queries);
    tcase_add_test(tc, rec_queries);
    tcase_add_test(tc, same_numbers_as_training_forward);
    tcase_add_test(tc, batch1_agrees_with_batched);
    tcase_add_test(tc, rec_same_numbers_as_training_forward);
    tcase_add_test(tc, applies_the_models_input_scaling);
    tcase_add_test(tc, threads_share_one_model);
    tcase_add_test(tc, models_load_concurrently);
    tcase_add_test(tc, no_allocation_per_call);
    tcase_add_test(tc, rec_no_allocation_per_call);
    tcase_add_test(tc, rec_bad_ids);
    tcase_add_test(tc, context_in_caller_memory);
    tcase_add_test(tc, argument_errors);
    tcase_add_test(tc, non_finite_features_refused);
    suite_add_tcase(s, tc);
    TCase *kinds = tcase_create("output kinds");
    tcase_add_test(kinds, output_kinds);
    suite_add_tcase(s, kinds);
    return s;
}
