/* Internal error helpers: fill a tn_error and return its code in one statement. */
#ifndef TN_CORE_ERROR_H
#define TN_CORE_ERROR_H

#include "tinynet/tinynet.h"

/* Sets err (if not NULL) to code and a printf-formatted message; returns code. */
int tn__err(tn_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prefixes an existing message: "prefix: old message". Returns err->code. */
int tn__err_prefix(tn_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "<path>: <what>: <strerror(errnum)>" (strerror_r: strerror is not thread-safe). */
int tn__err_errno(tn_error *err, int code, const char *path, const char *what, int errnum);
void tn__err_clear(tn_error *err);

#endif
