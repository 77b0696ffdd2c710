/* tinynet: status codes, errors and the inference runtime.
 *
 * This is the only header a program that loads a model and predicts needs (link
 * libtinynet, or libtinynet_rt: the forward-only runtime). It exposes opaque handles and
 * plain C types; no cJSON or BLAS type appears here.
 *
 * The error convention, for every function of every tinynet header:
 *   - a function that can fail returns an int status: TN_OK (0) or a negative TN_E* code;
 *   - results come back through OUT parameters, which are set to NULL/0 on failure;
 *   - a function that can fail before a handle exists takes a `tn_error *` (may be NULL),
 *     filled with the status and a message naming the file, the JSON path or the argument;
 *   - a function on a handle keeps its message in the handle (tn_ctx_errmsg,
 *     tn_trainer_errmsg), valid until the next call on that handle;
 *   - whoever creates an object frees it with its _free function, which accepts NULL;
 *     memory the library hands out (text) is freed with tn_free;
 *   - the library never prints, never exits, never reads standard input. */
#ifndef TINYNET_TINYNET_H
#define TINYNET_TINYNET_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TN_BUILDING)
#define TN_API __attribute__((visibility("default")))
#else
#define TN_API
#endif

#define TN_VERSION_MAJOR 0
#define TN_VERSION_MINOR 2
#define TN_VERSION_PATCH 0
#define TN_VERSION_STRING "0.2.0"
/* One comparable number: 10000 * major + 100 * minor + patch. */
#define TN_VERSION_NUMBER (TN_VERSION_MAJOR * 10000 + TN_VERSION_MINOR * 100 + TN_VERSION_PATCH)

/* One table generates the status enum, tn_strerror() and tn_status_name(). */
#define TN_STATUS_MAP(X)                                    \
    X(OK, 0, "success")                                     \
    X(EINVAL, -1, "invalid argument")                       \
    X(ENOMEM, -2, "out of memory")                          \
    X(EIO, -3, "input/output error")                        \
    X(EFORMAT, -4, "malformed file")                        \
    X(ESHAPE, -5, "shape mismatch")                         \
    X(ECONFIG, -6, "invalid configuration")                 \
    X(ERANGE, -7, "value out of range")                     \
    X(EDATA, -8, "invalid data")                            \
    X(ENOTFOUND, -9, "not found")                           \
    X(EVERSION, -10, "unsupported format version")          \
    X(ECHECKSUM, -11, "checksum mismatch")

typedef enum tn_status {
#define TN__STATUS_ENUM(name, code, text) TN_##name = code,
    TN_STATUS_MAP(TN__STATUS_ENUM)
#undef TN__STATUS_ENUM
} tn_status;

/* A status with the detailed message of the call that failed. Functions that can fail
 * before any handle exists take a `tn_error *` (may be NULL) and fill it on failure. */
typedef struct tn_error {
    int code;
    char msg[512];
} tn_error;

TN_API const char *tn_strerror(int status);   /* "invalid configuration" */
TN_API const char *tn_status_name(int status); /* "TN_ECONFIG" */
/* Fills err (if not NULL) with code and a printf-formatted message made as the library's
 * own are: control characters and bytes that are not UTF-8 escaped (\x1B), the middle
 * elided ("...") when it is too long, so its end, the reason, survives. Returns code. */
TN_API int tn_error_set(tn_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
TN_API int tn_error_vset(tn_error *err, int code, const char *fmt, va_list ap);
TN_API const char *tn_version(void);           /* "0.2.0" (of the library linked) */
/* Frees memory the library returned to the caller (text from the _text functions). */
TN_API void tn_free(void *p);

/* Replace the allocator used for every allocation the library makes (process-wide; call
 * before creating any object). Passing NULLs restores malloc/realloc/free. */
TN_API void tn_replace_allocator(void *(*malloc_fn)(size_t), void *(*realloc_fn)(void *, size_t),
                                 void (*free_fn)(void *));

/* The memory budget (process-wide; set it before creating objects). Every large block the
 * library would allocate (parameters, a run context's activations, data rows, training
 * state) is checked against it first: beyond it the call fails with TN_ENOMEM and a message
 * giving the size and what drives it, instead of the process being killed by the kernel.
 * 0 restores the default: 3/4 of the machine's memory (or of the cgroup's limit, when
 * smaller). tn_memory_limit() returns the limit in force, in bytes. */
TN_API void tn_set_memory_limit(unsigned long long bytes);
TN_API unsigned long long tn_memory_limit(void);

/* ---- Inference runtime ---------------------------------------------------------------
 *
 * Ownership: whoever creates an object frees it (tn_model_free, tn_ctx_free; both accept
 * NULL). Buffers passed in stay the caller's; the library keeps no pointer to them after the
 * call returns (tn_model_load_buffer copies what it needs).
 *
 * Thread safety: a tn_model is immutable once loaded, so any number of threads may use one
 * model at the same time (queries, tn_ctx_new) without locking. A tn_ctx holds the scratch
 * buffers and the last error message of one thread's predictions: use each context from
 * one thread at a time. A model must outlive every context made from it. The library has no
 * global mutable state on this path; the only process-wide settings are the allocator
 * (tn_replace_allocator), the memory limit (tn_set_memory_limit) and the activation
 * registry of activation.h, which must not change while models are being loaded.
 *
 * Results: predictions are bit-for-bit those of the training build's forward pass for the
 * same input, max_batch and BLAS thread count (BLAS results differ between thread counts).
 *
 * Hostile files: every loader checks the whole file (magic, version, lengths, CRC-32, the
 * JSON header against the architecture, every size) before it trusts or allocates anything
 * sized by it, and returns TN_EFORMAT, TN_EVERSION or TN_ECHECKSUM with a message. */

typedef struct tn_model tn_model; /* a loaded network; immutable */
typedef struct tn_ctx tn_ctx;     /* per-thread scratch for tn_predict */

enum tn_input_kind {
    TN_INPUT_FLOAT = 0, /* width float features per row */
    TN_INPUT_INDEX = 1  /* one integer id per row (passed as a float), in [0, vocab) */
};

/* Flags for the loaders. */
enum {
    TN_LOAD_ALLOW_NONFINITE = 1u << 0 /* accept NaN/Inf weights (refused by default) */
};

/* Loads a .tnn file; flags: TN_LOAD_* or 0. On success *out is a new model; on failure
 * *out is NULL and err (may be NULL) holds the status and a message naming the file and
 * the problem. */
TN_API int tn_model_load(const char *path, unsigned flags, tn_model **out, tn_error *err);
/* The same from len bytes of memory (copied; buf may be freed after the call). */
TN_API int tn_model_load_buffer(const void *buf, size_t len, unsigned flags, tn_model **out,
                                tn_error *err);
TN_API void tn_model_free(tn_model *m);

/* Queries. Out-of-range i gives NULL / -1 / 0. The name is owned by the model. */
TN_API const char *tn_model_name(const tn_model *m);
TN_API size_t tn_model_n_inputs(const tn_model *m);
TN_API const char *tn_model_input_name(const tn_model *m, size_t i);
TN_API int tn_model_input_kind(const tn_model *m, size_t i);      /* enum tn_input_kind */
TN_API size_t tn_model_input_width(const tn_model *m, size_t i);  /* floats per row; 1 for ids */
TN_API size_t tn_model_input_vocab(const tn_model *m, size_t i);  /* ids: the bound; floats: 0 */
TN_API size_t tn_model_output_width(const tn_model *m);

/* What the outputs are. tn_predict applies the output layer's activation, so a
 * classifier's outputs are probabilities, never logits; a layer without an activation (or
 * with another one) gives plain values. For a class output, class k is output k: its name
 * (e.g. "Sneaker" for Fashion-MNIST) is tn_model_class_name(m, k) of data.h, in the full
 * library (the predict-only one does not know data formats). */
enum tn_output_kind {
    TN_OUTPUT_VALUES = 0,              /* regression, or an output without activation */
    TN_OUTPUT_PROBABILITIES = 1,       /* sigmoid: each output an independent probability
                                        * in (0, 1) (binary or multi-label; > 0.5 is "yes") */
    TN_OUTPUT_CLASS_PROBABILITIES = 2, /* softmax: one distribution over the classes, each
                                        * row sums to 1; the class is the argmax */
    TN_OUTPUT_LOG_PROBABILITIES = 3    /* log_softmax: the log of class probabilities */
};
/* enum tn_output_kind of m's output (after any dropout, the identity when predicting);
 * -1 for NULL. */
TN_API int tn_model_output_kind(const tn_model *m);

/* A context for batches of up to max_batch rows (1 .. 16777216, and within the memory
 * limit: beyond it TN_ENOMEM with the size it would take). Allocates all its scratch here,
 * one block of tn_ctx_size(m, max_batch) bytes; tn_predict then allocates nothing. */
TN_API int tn_ctx_new(const tn_model *m, size_t max_batch, tn_ctx **out, tn_error *err);
/* The exact bytes of a context for batches of up to max_batch rows: its bookkeeping plus
 * max_batch times the bytes per row of the model's buffer plan, in which activations that
 * are never live at the same time share memory (`tinynet info MODEL --memory` prints the
 * plan). 0 for a NULL model or a max_batch out of range. */
TN_API size_t tn_ctx_size(const tn_model *m, size_t max_batch);
/* A context in the caller's memory: size >= tn_ctx_size(m, max_batch) bytes at buf,
 * aligned as malloc's results are (alignof(max_align_t)). Allocates nothing, then or later;
 * buf stays the caller's and must outlive the context (tn_ctx_free on it frees nothing).
 * TN_ERANGE when size is too small, TN_EINVAL for a misaligned buf. */
TN_API int tn_ctx_new_in(const tn_model *m, size_t max_batch, void *buf, size_t size,
                         tn_ctx **out, tn_error *err);
TN_API void tn_ctx_free(tn_ctx *ctx);
/* The message of the last failed tn_predict on ctx ("" after a success). Valid until the
 * next call on ctx. */
TN_API const char *tn_ctx_errmsg(const tn_ctx *ctx);

/* Predicts batch rows. inputs[i] is a row-major batch x tn_model_input_width(i) array for
 * model input i, in input order, as the data files hold it: the input scaling stored in
 * the model ("unit", "standardize") is applied here, so do not scale the rows yourself.
 * Float features must be finite: a NaN or an infinity is TN_EDATA, with a message naming
 * the input, row and feature (tn_ctx_errmsg). Index inputs hold integral ids as floats,
 * each checked (an id outside [0, vocab) or not an integer is TN_EDATA, nothing is read
 * out of bounds). out receives batch x tn_model_output_width floats (their meaning:
 * tn_model_output_kind). A batch larger than max_batch is run in chunks of max_batch rows.
 * Returns TN_OK, TN_EINVAL (NULL arguments) or TN_EDATA; every input is checked before
 * anything is computed, so on an error out is untouched. */
TN_API int tn_predict(tn_ctx *ctx, const float *const *inputs, size_t batch, float *out);

#ifdef __cplusplus
}
#endif
#endif
