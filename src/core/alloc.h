/* Every allocation of the library goes through these, so tests can inject failures
 * (tn_replace_allocator). Float buffers are 64-byte aligned for SIMD and BLAS. */
#ifndef TN_CORE_ALLOC_H
#define TN_CORE_ALLOC_H

#include <stddef.h>

void *tn__malloc(size_t n);
void *tn__calloc(size_t count, size_t size); /* overflow-checked, zeroed */
void *tn__realloc(void *p, size_t n);
void tn__free(void *p);
char *tn__strdup(const char *s);

float *tn__floats_alloc(size_t n); /* zeroed, 64-byte aligned; NULL on overflow/OOM */
void tn__floats_free(float *p);

/* a*b without overflow: returns 0 and sets *out, or returns -1. */
int tn__mul_size(size_t a, size_t b, size_t *out);

#endif
