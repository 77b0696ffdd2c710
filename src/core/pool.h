/* The one owner of threads: a persistent fork-join pool. A trainer creates one per run
 * (T - 1 workers, the caller is the T-th) and makes it the calling thread's current pool;
 * the kernels below (GEMM, element-wise sweeps, the optimizer) split their work across the
 * current pool, each part doing exactly what one serial call does for its range, so the
 * results keep their bits at any thread count (for products, with the BLAS kernels that
 * allow it: core/blas.c). With a pool in use OpenBLAS runs one thread:
 * the two never both spin. The current pool is per thread, so concurrent callers of the
 * runtime (which never set one) are unaffected. */
#ifndef TN_CORE_POOL_H
#define TN_CORE_POOL_H

#include "tinynet/tinynet.h"

#include <stddef.h>

typedef struct tn_pool tn_pool;

/* The step tuner's state (core/pool.c), in the header for its unit test. */
enum { TN__POOL_TUNE_WINDOW = 8 };
typedef struct tn_pool_tuner {
    int on;         /* results do not depend on splitting: the pool may choose */
    int split;      /* the mode in use: split jobs across the threads, or run them serially */
    int warm;       /* the run's first window is behind */
    int n;          /* steps timed in the current window */
    int windows;    /* windows of the better mode since the other was last timed */
    long jobs;      /* jobs split in timed steps (none in the first window: tuning turns off) */
    double t0;      /* the current step's start (0: none) */
    double t[TN__POOL_TUNE_WINDOW]; /* the current window's step times */
    double est[2];  /* the median step time of the last window of each mode (0: not yet) */
} tn_pool_tuner;

/* The fewest floats of element-wise work worth a part of a split: a few microseconds of
 * the cheapest sweeps (relu, a copy), more than a fork-join costs. Sweeps whose elements
 * cost more or less scale it. */
enum { TN__POOL_GRAIN = 8192 };

/* Runs part i of a job. */
typedef void (*tn_pool_fn)(void *arg, size_t i);
/* Runs the elements [lo, hi) of a range. */
typedef void (*tn_pool_range_fn)(void *arg, size_t lo, size_t hi);

/* threads in total, counting the caller (>= 1; 1 makes a pool with no workers). Returns
 * TN_OK, or TN_ENOMEM when memory or a thread cannot be had. */
int tn__pool_new(int threads, tn_pool **out);
void tn__pool_free(tn_pool *p);
int tn__pool_threads(const tn_pool *p); /* 1 for NULL */

/* Calls fn(arg, i) once for every i in [0, n) across the pool and returns when all are
 * done. Serial (in order, on the caller) for a NULL pool, one thread, n <= 1, or when
 * called from inside a job (nested). n < 2^20. */
void tn__pool_run(tn_pool *p, size_t n, tn_pool_fn fn, void *arg);

/* The calling thread's current pool (NULL: none, everything serial) and setting it; use
 * returns the previous one so a caller can restore it. */
tn_pool *tn__pool_current(void);
tn_pool *tn__pool_use(tn_pool *p);
/* Threads the current pool offers to a new job: 1 without a pool or inside a job. */
int tn__pool_width(void);

/* fn over [0, n) in at most tn__pool_width() contiguous ranges of about grain elements or
 * more, inner boundaries on multiples of align (16 floats keep parts on separate cache
 * lines), nearest an equal share; one call fn(arg, 0, n) when that makes one part. */
void tn__pool_for(size_t n, size_t grain, size_t align, tn_pool_range_fn fn, void *arg);

/* The step tuner. A trainer brackets each full step with begin/end; when tuning is on
 * (tn__pool_tune: only where splitting leaves every result's bits unchanged), the pool
 * times windows of TN__POOL_TUNE_WINDOW steps split and serial, keeps the faster, and
 * times the other again now and then (the machine changes: core/pool.c). Serial mode makes
 * tn__pool_width() 1. Off, the pool always splits; it turns itself off when nothing was
 * split in the first window (a network too small for any split). */
void tn__pool_tune(tn_pool *p, int on);
void tn__pool_step_begin(tn_pool *p); /* NULL: nothing */
void tn__pool_step_end(tn_pool *p);
int tn__pool_splitting(const tn_pool *p); /* the mode in use: 1 split, 0 serial */
/* One step's time into a tuner (the unit test drives it with made-up times). */
void tn__pool_tuner_sample(tn_pool_tuner *u, double seconds);
/* Process-wide override for tests and benchmarks; returns the previous policy. It acts at
 * the end of a pool's next timed step, and a pool keeps the mode it left until its next
 * tn__pool_tune. FLIP changes the mode every window even where tuning is off (tests:
 * results must not change); SERIAL or FLIP with kernels whose split products differ
 * (tn__blas_split_keeps_bits() == 0) give other bits than the count's own. */
enum { TN__POOL_TUNE_AUTO = -1, TN__POOL_TUNE_SERIAL = 0, TN__POOL_TUNE_SPLIT = 1,
       TN__POOL_TUNE_FLIP = 2 };
int tn__pool_tune_force(int policy);

/* For the crossover benchmark on a machine whose second core is busy: while on, each job
 * of a pool of several threads runs its parts one after the other on the caller, timing
 * each (thread CPU time); *sum gets the parts' total and *crit the largest part per job
 * (the critical path two idle cores would take), summed over jobs. Not thread-safe: one
 * benchmark thread. */
void tn__pool_profile(int on);
void tn__pool_profile_read(double *sum, double *crit, long long *jobs);

#endif
