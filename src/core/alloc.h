/* Every allocation of the library goes through these, so tests can inject failures
 * (tn_replace_allocator). Float buffers are 64-byte aligned for SIMD and BLAS. */
#ifndef TN_CORE_ALLOC_H
#define TN_CORE_ALLOC_H

#include "tinynet/tinynet.h"

#include <stddef.h>

void *tn__malloc(size_t n);
void *tn__calloc(size_t count, size_t size); /* overflow-checked, zeroed */
void *tn__realloc(void *p, size_t n);
void tn__free(void *p);
char *tn__strdup(const char *s);

float *tn__floats_alloc(size_t n); /* zeroed, 64-byte aligned; NULL on overflow/OOM */
/* The same, not zeroed: for a buffer the caller writes whole at once (an IDX file's
 * 47 M values: zeroing them was a pass of its own). */
float *tn__floats_alloc_raw(size_t n);
void tn__floats_free(float *p);

/* The memory budget (tn_set_memory_limit): the limit in bytes, and the check made before
 * each large allocation: TN_OK, or TN_ENOMEM with "<what> needs <size>, more than the
 * memory limit (<limit>)" and how to raise it. */
size_t tn__mem_limit(void);
int tn__mem_check(double bytes, const char *what, tn_error *err);
/* "512 B", "18.6 MiB", "2.3 GiB". */
const char *tn__fmt_bytes(double bytes, char *buf, size_t n);

/* a*b without overflow: returns 0 and sets *out, or returns -1. */
int tn__mul_size(size_t a, size_t b, size_t *out);

#endif
