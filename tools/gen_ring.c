/* gen_ring: two concentric noisy rings as CSV (header x,y,label), for a small non-linear
 * classification problem.
 *
 * Class 0 lies on radius 1.0, class 1 on radius 2.0; each point has a uniform angle and
 * Gaussian radial noise (sd 0.2), so the classes overlap a little (the optimal boundary
 * r = 1.5 is 2.5 sd from each ring). Classes are balanced (class 0 gets the odd point)
 * and the rows are shuffled. Output is a function of (seed, n) only.
 *
 * The shipped files were made with exactly:
 *   build/gen_ring --seed 7 --n 1000 data/ring_train.csv
 *   build/gen_ring --seed 8 --n 500  data/ring_test.csv
 * (regenerating gives byte-identical files with glibc's libm.)
 *
 * Usage: gen_ring [--seed S] [--n N] OUT.csv   (OUT "-" writes to stdout) */
#include "core/rng.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RING_R0 1.0
#define RING_R1 2.0
#define RING_SD 0.2
#define RING_MAX_N 100000000u

typedef struct point {
    float x, y;
    int label;
} point;

/* Fills pts[n]: the first ceil(n/2) on ring 0, the rest on ring 1, then shuffles. Points
 * use TN_STREAM_DATA and the order TN_STREAM_SHUFFLE, so each is stable on its own. */
static void gen_ring(point *pts, uint32_t *order, size_t n, uint64_t seed)
{
    tn_rng rd, rs;
    tn__rng_seed(&rd, seed, TN_STREAM_DATA);
    tn__rng_seed(&rs, seed, TN_STREAM_SHUFFLE);
    size_t n0 = (n + 1) / 2;
    for (size_t i = 0; i < n; i++) {
        int label = i >= n0;
        double theta = 6.283185307179586 * tn__rng_uniform_d(&rd);
        double r = (label ? RING_R1 : RING_R0) + RING_SD * tn__rng_normal(&rd);
        pts[i] = (point){(float)(r * cos(theta)), (float)(r * sin(theta)), label};
        order[i] = (uint32_t)i;
    }
    tn__rng_shuffle(&rs, order, n);
}

/* Floats are printed with %.9g so they read back bit-exactly. Returns 0 or -1. */
static int write_csv(FILE *f, const point *pts, const uint32_t *order, size_t n)
{
    if (fputs("x,y,label\n", f) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const point *p = &pts[order[i]];
        if (fprintf(f, "%.9g,%.9g,%d\n", p->x, p->y, p->label) < 0)
            return -1;
    }
    return 0;
}

/* Makes the rename itself durable; failure here only weakens durability, so it is
 * reported but not fatal. */
static void sync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash == path ? 1 : slash - path), path);
    int fd = open(dir, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0)
        fprintf(stderr, "gen_ring: warning: cannot sync directory %s: %s\n", dir, strerror(errno));
    if (fd >= 0)
        close(fd);
}

/* Writes to OUT.tmp.PID, syncs, then renames over OUT: readers see the old file or the
 * whole new one, never a torn one. */
static int write_atomic(const char *out, const point *pts, const uint32_t *order, size_t n)
{
    if (strcmp(out, "-") == 0)
        return write_csv(stdout, pts, order, n) || fflush(stdout) ? -1 : 0;
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid()) >= (int)sizeof tmp) {
        fprintf(stderr, "gen_ring: %s: path too long\n", out);
        return -1;
    }
    FILE *f = fopen(tmp, "wx");
    if (!f) {
        fprintf(stderr, "gen_ring: %s: cannot create: %s\n", tmp, strerror(errno));
        return -1;
    }
    errno = 0;
    int bad = write_csv(f, pts, order, n) != 0 || fflush(f) != 0 || fsync(fileno(f)) != 0;
    int e = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (!bad && rename(tmp, out) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        fprintf(stderr, "gen_ring: %s: write failed: %s\n", out, strerror(e));
        unlink(tmp);
        return -1;
    }
    sync_dir_of(out);
    return 0;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

static int usage(FILE *f)
{
    fprintf(f, "usage: gen_ring [--seed S] [--n N] OUT.csv\n"
               "  two noisy concentric rings (radius %.1f and %.1f, radial sd %.2f) as x,y,label\n"
               "  --seed S  random seed (default 7)\n"
               "  --n N     number of points, 1..%u (default 1000)\n"
               "  OUT.csv   output file, written atomically; - for stdout\n",
            RING_R0, RING_R1, RING_SD, RING_MAX_N);
    return f == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
    uint64_t seed = 7, n = 1000;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return usage(stdout);
        if (strcmp(a, "--seed") == 0) {
            if (parse_u64(i + 1 < argc ? argv[++i] : NULL, UINT64_MAX, &seed))
                return fprintf(stderr, "gen_ring: --seed needs a non-negative integer\n"), 2;
        } else if (strcmp(a, "--n") == 0) {
            if (parse_u64(i + 1 < argc ? argv[++i] : NULL, RING_MAX_N, &n) || n == 0)
                return fprintf(stderr, "gen_ring: --n needs an integer in 1..%u\n", RING_MAX_N), 2;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "gen_ring: unknown option %s\n", a);
            return usage(stderr);
        } else if (out) {
            fprintf(stderr, "gen_ring: more than one output file\n");
            return usage(stderr);
        } else {
            out = a;
        }
    }
    if (!out)
        return usage(stderr);

    point *pts = malloc((size_t)n * sizeof *pts);
    uint32_t *order = malloc((size_t)n * sizeof *order);
    if (!pts || !order) {
        fprintf(stderr, "gen_ring: out of memory for %llu points\n", (unsigned long long)n);
        free(pts);
        free(order);
        return 1;
    }
    gen_ring(pts, order, (size_t)n, seed);
    int rc = write_atomic(out, pts, order, (size_t)n);
    free(pts);
    free(order);
    return rc ? 1 : 0;
}
