#include "core/alloc.h"

#include "tinynet/tinynet.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *(*g_malloc)(size_t) = malloc;
static void *(*g_realloc)(void *, size_t) = realloc;
static void (*g_free)(void *) = free;

void tn_replace_allocator(void *(*malloc_fn)(size_t), void *(*realloc_fn)(void *, size_t),
                          void (*free_fn)(void *))
{
    g_malloc = malloc_fn ? malloc_fn : malloc;
    g_realloc = realloc_fn ? realloc_fn : realloc;
    g_free = free_fn ? free_fn : free;
}

void *tn__malloc(size_t n) { return g_malloc(n ? n : 1); }
void *tn__realloc(void *p, size_t n) { return g_realloc(p, n ? n : 1); }
void tn__free(void *p)
{
    if (p)
        g_free(p);
}

void tn_free(void *p) { tn__free(p); }

int tn__mul_size(size_t a, size_t b, size_t *out)
{
    if (a && b > SIZE_MAX / a)
        return -1;
    *out = a * b;
    return 0;
}

void *tn__calloc(size_t count, size_t size)
{
    size_t n;
    if (tn__mul_size(count, size, &n))
        return NULL;
    void *p = tn__malloc(n);
    if (p)
        memset(p, 0, n ? n : 1);
    return p;
}

char *tn__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = tn__malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Over-allocate and keep the raw pointer just before the aligned block, so the
 * replaceable hooks need no aligned variant. */
#define TN__ALIGN 64

float *tn__floats_alloc(size_t n)
{
    size_t bytes;
    if (tn__mul_size(n ? n : 1, sizeof(float), &bytes) || bytes > SIZE_MAX - 2 * TN__ALIGN)
        return NULL;
    unsigned char *raw = tn__malloc(bytes + 2 * TN__ALIGN);
    if (!raw)
        return NULL;
    uintptr_t start = ((uintptr_t)raw + TN__ALIGN + TN__ALIGN - 1) & ~(uintptr_t)(TN__ALIGN - 1);
    unsigned char *aligned = (unsigned char *)start;
    memcpy(aligned - sizeof raw, &raw, sizeof raw);
    memset(aligned, 0, bytes);
    return (float *)aligned;
}

void tn__floats_free(float *p)
{
    if (!p)
        return;
    unsigned char *raw;
    memcpy(&raw, (unsigned char *)p - sizeof raw, sizeof raw);
    tn__free(raw);
}
