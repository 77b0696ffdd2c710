/* What the fuzz harnesses (tests/fuzz/fuzz_*.c) share: a check that turns a broken promise
 * into a crash the fuzzer reports, the checks every failure must pass, an optional cap on
 * single allocations, and one run of a loaded model through the inference runtime (the
 * success path: a model that loads must predict).
 *
 * Each harness is built twice: by tools/fuzz.sh with libFuzzer, ASan and UBSan, and by CMake
 * with tests/fuzz/replay_main.c, which replays the committed corpus and regression inputs
 * in every ctest run (so also under the ASan build of tools/test.sh). */
#ifndef TN_TESTS_FUZZ_COMMON_H
#define TN_TESTS_FUZZ_COMMON_H

#include "tinynet/data.h"
#include "tinynet/inspect.h"
#include "tinynet/tinynet.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise of the library: say which, then abort so libFuzzer keeps the input and
 * the replay test fails. (assert() would vanish under NDEBUG.) */
#define FUZZ_CHECK(cond, ...)                                                                   \
    do {                                                                                        \
        if (!(cond))                                                                            \
            fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                                  \
    } while (0)

static void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 4, 5)));

static void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: ", file, line, cond);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* FUZZ_VERBOSE=1 in the environment: say what each input did (why it was refused, or that
 * it was accepted), to see whether a seed reaches the success path and why a regression
 * input is refused. */
static inline void fuzz_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void fuzz_note(const char *fmt, ...)
{
    static int verbose = -1;
    if (verbose < 0)
        verbose = getenv("FUZZ_VERBOSE") != NULL;
    if (!verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Every failure says what failed: a known error status, the same in err, and a message.
 * Callers clear err before the call, so a stale message cannot pass for a new one. */
static inline void fuzz_check_error(int rc, const tn_error *err, const char *what)
{
    FUZZ_CHECK(rc != TN_OK && strcmp(tn_status_name(rc), "TN_UNKNOWN") != 0,
               "%s: status %d", what, rc);
    FUZZ_CHECK(err->code == rc, "%s: status %d but err.code %d (%s)", what, rc, err->code,
               err->msg);
    FUZZ_CHECK(memchr(err->msg, '\0', sizeof err->msg) && err->msg[0],
               "%s failed (%s) without a message", what, tn_status_name(rc));
    fuzz_note("  %s: %s: %s", what, tn_status_name(rc), err->msg);
}

/* ---- the allocation cap ------------------------------------------------------------------
 * A config may ask for a network larger than the fuzzing process may hold (16M x 16M
 * weights); the library must then fail with TN_ENOMEM, not crash. Refusing single
 * allocations above the cap makes that path deterministic in every build (libFuzzer would
 * report such a malloc as a crash). Only harnesses whose input legitimately sizes memory
 * install it: a loader that allocates what a hostile file claims must still be caught by
 * the fuzzer's RSS limit. */
#define FUZZ_ALLOC_CAP ((size_t)64 << 20)

static void *fuzz_capped_malloc(size_t n) { return n > FUZZ_ALLOC_CAP ? NULL : malloc(n); }
static void *fuzz_capped_realloc(void *p, size_t n)
{
    return n > FUZZ_ALLOC_CAP ? NULL : realloc(p, n);
}

static inline void fuzz_cap_allocations(void)
{
    static int done;
    if (!done) {
        tn_replace_allocator(fuzz_capped_malloc, fuzz_capped_realloc, free);
        done = 1;
    }
}

/* ---- one prediction ---------------------------------------------------------------------
 * At most this many floats across the inputs, layer outputs and output of a model we run:
 * a tiny file may describe a 2^24-wide network without parameters, and a context for it is
 * the caller's choice to allocate, not a finding. */
#define FUZZ_MAX_WIDTHS ((size_t)1 << 20)

/* The sum of the model's input, layer and output widths, or SIZE_MAX when too large to run. */
static inline size_t fuzz_model_widths(const tn_model *m)
{
    size_t total = tn_model_output_width(m);
    for (size_t i = 0; i < tn_model_n_inputs(m); i++)
        total += tn_model_input_width(m, i);
    for (size_t l = 0; l < tn_model_n_layers(m); l++)
        total += tn_model_layer_width(m, l);
    return total > FUZZ_MAX_WIDTHS ? SIZE_MAX : total;
}

/* Runs m on two rows (zeros; then ones and the largest valid id): a loaded model must make
 * a context and predict, whatever shapes its header claims. out_copy (may be NULL) receives
 * the 2 x output-width outputs, for harnesses that compare two models. Returns 0 when the
 * model was too large to run. */
static inline int fuzz_run_model(const tn_model *m, float *out_copy)
{
    size_t n = tn_model_n_inputs(m), W = tn_model_output_width(m);
    if (n > 16 || fuzz_model_widths(m) == SIZE_MAX)
        return 0;
    tn_ctx *ctx;
    tn_error err;
    int rc = tn_ctx_new(m, 2, &ctx, &err);
    FUZZ_CHECK(rc == TN_OK || rc == TN_ENOMEM, "tn_ctx_new on a loaded model: %s", err.msg);
    if (rc)
        return 0;
    float *in[16] = {0};
    float *out = calloc(2 * W, sizeof *out);
    int ok = out != NULL;
    for (size_t i = 0; i < n && ok; i++) {
        size_t w = tn_model_input_width(m, i);
        ok = (in[i] = calloc(2 * w, sizeof *in[i])) != NULL;
        for (size_t j = 0; ok && j < w; j++)
            in[i][w + j] = tn_model_input_kind(m, i) == TN_INPUT_INDEX
                               ? (float)(tn_model_input_vocab(m, i) - 1)
                               : 1.0f;
    }
    if (ok) {
        rc = tn_predict(ctx, (const float *const *)in, 2, out);
        FUZZ_CHECK(rc == TN_OK, "tn_predict on valid rows: %s", tn_ctx_errmsg(ctx));
        if (out_copy)
            memcpy(out_copy, out, 2 * W * sizeof *out);
    }
    for (size_t i = 0; i < n; i++)
        free(in[i]);
    free(out);
    tn_ctx_free(ctx);
    return ok;
}

/* Everything inspect.h and data.h tell about a loaded model (what `tinynet info` and
 * `graph` print), with the promises that hold for any model: the tensors account for
 * every parameter, the DOT text has the length reported. */
static inline void fuzz_inspect_model(const tn_model *m)
{
    char buf[512];
    size_t sum = 0, n_layers = tn_model_n_layers(m), params = 0;
    for (size_t l = 0; l < n_layers; l++) {
        FUZZ_CHECK(tn_model_layer_name(m, l) && tn_model_layer_type(m, l),
                   "layer %zu has no name or type", l);
        for (size_t j = 0; j < tn_model_layer_n_inputs(m, l); j++)
            FUZZ_CHECK(tn_model_layer_input(m, l, j), "layer %zu input %zu unnamed", l, j);
        (void)tn_model_layer_activation(m, l);
        tn_model_layer_summary(m, l, buf, sizeof buf);
        FUZZ_CHECK(memchr(buf, '\0', sizeof buf), "an unterminated layer summary");
        size_t rows, cols, in_layer = 0;
        for (size_t k = 0; tn_model_tensor(m, l, k, &rows, &cols); k++)
            in_layer += rows * cols;
        FUZZ_CHECK(in_layer == tn_model_layer_params(m, l), "layer %zu: tensors hold %zu of "
                   "its %zu parameters", l, in_layer, tn_model_layer_params(m, l));
        sum += in_layer;
        params += tn_model_layer_params(m, l);
    }
    FUZZ_CHECK(tn_model_layer_name(m, n_layers) == NULL, "a layer past the last");
    FUZZ_CHECK(sum == tn_model_n_params(m) && params == sum, "tensors hold %zu of %zu "
               "parameters", sum, tn_model_n_params(m));
    for (size_t i = 0; i < tn_model_n_inputs(m); i++)
        FUZZ_CHECK(tn_model_input_name(m, i) != NULL, "input %zu has no name", i);
    (void)tn_model_name(m);
    size_t input, values;
    FUZZ_CHECK(tn_model_scaling(m, &input, &values) != NULL, "no scaling name");
    tn_error err = {0};
    char *text = NULL;
    size_t len;
    int rc = tn_model_dot(m, NULL, &text, &len, &err);
    FUZZ_CHECK(rc != TN_OK || strlen(text) == len, "DOT of %zu bytes, said %zu", strlen(text),
               len);
    tn_free(text);
    if (tn_model_data_text(m, &text, &err) == TN_OK)
        tn_free(text);
    if (tn_model_training_text(m, &text, &err) == TN_OK)
        tn_free(text);
    (void)tn_model_data_format(m);
    (void)tn_model_data_sources(m);
    (void)tn_model_loss(m, buf, sizeof buf);
    for (size_t k = 0; k <= tn_model_output_width(m) && k < 64; k++)
        (void)tn_model_class_name(m, k);
}

#endif
