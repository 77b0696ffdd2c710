/* tinynet: status codes, errors and the inference runtime.
 *
 * This is the only header a program that loads a model and predicts needs. It exposes
 * opaque handles and plain C types; no cJSON or BLAS type appears here. */
#ifndef TINYNET_TINYNET_H
#define TINYNET_TINYNET_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TN_BUILDING)
#define TN_API __attribute__((visibility("default")))
#else
#define TN_API
#endif

#define TN_VERSION_STRING "0.1.0"

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
TN_API const char *tn_version(void);           /* "0.1.0" */

/* Replace the allocator used for every allocation the library makes (process-wide; call
 * before creating any object). Passing NULLs restores malloc/realloc/free. */
TN_API void tn_replace_allocator(void *(*malloc_fn)(size_t), void *(*realloc_fn)(void *, size_t),
                                 void (*free_fn)(void *));

#ifdef __cplusplus
}
#endif
#endif
