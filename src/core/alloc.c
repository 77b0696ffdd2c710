#define _DEFAULT_SOURCE /* madvise's MADV_HUGEPAGE (glibc), beside _POSIX_C_SOURCE */
#include "core/alloc.h"

#include "tinynet/tinynet.h"

#include "core/error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

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

/* ---- the memory budget ------------------------------------------------------------------ */

static unsigned long long g_limit; /* 0: the default, computed when asked */

void tn_set_memory_limit(unsigned long long bytes) { g_limit = bytes; }

/* A small file read whole with plain system calls (no stdio: its buffers would bypass
 * tn_replace_allocator); 0 bytes when it cannot be read. */
static size_t read_small(const char *path, char *buf, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t got = read(fd, buf, n - 1);
    close(fd);
    buf[got > 0 ? got : 0] = '\0';
    return got > 0 ? (size_t)got : 0;
}

/* The memory limit of this process's cgroup: v2 ("0::/path" in /proc/self/cgroup, its
 * memory.max) or v1 (the "memory" controller's memory.limit_in_bytes); 0 when there is
 * none ("max", or a v1 limit near 2^63 that means none). */
static unsigned long long cgroup_limit(void)
{
    char cg[4096], file[4400], val[64];
    if (!read_small("/proc/self/cgroup", cg, sizeof cg))
        return 0;
    unsigned long long best = 0;
    for (char *line = cg, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c1 = *c2 = '\0';
        const char *ctrl = c1 + 1, *path = c2 + 1;
        if (!*ctrl) /* v2 */
            snprintf(file, sizeof file, "/sys/fs/cgroup%s/memory.max", path);
        else if (strstr(ctrl, "memory"))
            snprintf(file, sizeof file, "/sys/fs/cgroup/memory%s/memory.limit_in_bytes", path);
        else
            continue;
        unsigned long long v;
        if (read_small(file, val, sizeof val) && sscanf(val, "%llu", &v) == 1 &&
            v < (1ULL << 62) && (!best || v < best))
            best = v;
    }
    return best;
}

/* The machine's (or cgroup's) memory, read once per process: the budget is checked before
 * every large allocation, and a streamed `predict` makes several per record; reading the
 * cgroup files each time cost 6 opens and 2 sysinfo calls a record. */
static unsigned long long g_default;
static pthread_once_t g_default_once = PTHREAD_ONCE_INIT;

static void compute_default_limit(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    unsigned long long phys = pages > 0 && page > 0
                                  ? (unsigned long long)pages * (unsigned long long)page : 0;
    unsigned long long cg = cgroup_limit();
    if (cg && (cg < phys || !phys))
        phys = cg;
    g_default = phys ? phys / 4 * 3 : (unsigned long long)SIZE_MAX;
}

unsigned long long tn_memory_limit(void)
{
    if (g_limit)
        return g_limit;
    pthread_once(&g_default_once, compute_default_limit);
    return g_default;
}

size_t tn__mem_limit(void)
{
    unsigned long long l = tn_memory_limit();
    return l > SIZE_MAX ? SIZE_MAX : (size_t)l;
}

const char *tn__fmt_bytes(double bytes, char *buf, size_t n)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (bytes >= 1024 && u < 6) {
        bytes /= 1024;
        u++;
    }
    snprintf(buf, n, u ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
    return buf;
}

int tn__mem_check(double bytes, const char *what, tn_error *err)
{
    double limit = (double)tn__mem_limit();
    if (bytes <= limit)
        return TN_OK;
    char need[32], have[32];
    return tn__err(err, TN_ENOMEM, "%s needs %s, more than the memory limit (%s%s; raise it "
                   "with --memory-limit or TN_MEMORY_LIMIT, or tn_set_memory_limit in C)", what,
                   tn__fmt_bytes(bytes, need, sizeof need), tn__fmt_bytes(limit, have, sizeof have),
                   g_limit ? "" : ", 3/4 of this machine's memory");
}

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

/* Large float buffers (a dataset, the arena of a big batch) are asked to be backed by huge
 * pages where the kernel does that on request (Linux THP "madvise", Debian's default):
 * first touching 188 MB of Fashion-MNIST images took ~46,000 page faults of 4 KiB. Advice
 * only: it changes no value, and is ignored where unsupported. */
static void advise_huge(void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const uintptr_t page = 4096, huge = (uintptr_t)2 << 20;
    if (bytes < 2 * huge)
        return;
    uintptr_t lo = ((uintptr_t)p + page - 1) & ~(page - 1);
    uintptr_t hi = ((uintptr_t)p + bytes) & ~(page - 1);
    (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)p, (void)bytes;
#endif
}

float *tn__floats_alloc_raw(size_t n)
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
    advise_huge(aligned, bytes);
    return (float *)aligned;
}

float *tn__floats_alloc(size_t n)
{
    float *p = tn__floats_alloc_raw(n);
    if (p)
        memset(p, 0, (n ? n : 1) * sizeof *p);
    return p;
}

void tn__floats_free(float *p)
{
    if (!p)
        return;
    unsigned char *raw;
    memcpy(&raw, (unsigned char *)p - sizeof raw, sizeof raw);
    tn__free(raw);
}
