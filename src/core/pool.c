/* The fork-join pool (core/pool.h).
 *
 * A job is published as one 64-bit ticket: its generation, its part count and the next
 * part to claim. A thread claims a part by a compare-and-swap that also checks the
 * generation and the count, so a worker waking late can never claim a part of a job that
 * has ended or run a newer job's function with an older count; the job's function and
 * argument are read only after a successful claim, while the job cannot end. Parts are
 * claimed dynamically: if the worker is slow to wake (the machine is loaded), the caller
 * does the parts itself. Idle workers spin a short while (the gap between two kernels of
 * a step) and then sleep on a condition variable, so they do not burn a core between
 * epochs or after training.
 *
 * The step tuner: a split pays only when the parts' data move between the cores quickly
 * enough. On a virtual machine that changes with the host's placement of the two vCPUs
 * (the recommender's 2-thread step measured 0.25 s one minute, 0.47 s the next, against
 * 0.36 s on one thread), so a trainer whose results do not depend on splitting lets the
 * pool time its steps in windows, with and without splitting, and keep the faster. */
#include "core/pool.h"

#include "core/alloc.h"
#include "core/clock.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define POOL_PAUSE() _mm_pause()
#else
#define POOL_PAUSE() ((void)0)
#endif

/* Spins of an idle worker before it sleeps: about 50-100 us, longer than the serial
 * stretches inside a training step, far shorter than an evaluation pass. */
#define SPINS 4000
/* Pauses of a caller waiting for a worker's part before it yields its core: short, so a
 * worker that lost its core (a loaded machine) gets one back soon. */
#define YIELD_AFTER 256

/* Windows (of TN__POOL_TUNE_WINDOW steps; the median is the estimate) between timings of
 * the mode not in use: often while the two are close, rarely once one is far ahead. */
#define TUNE_EXPLORE_CLOSE 32
#define TUNE_EXPLORE_FAR 128

#define PART_BITS 20
#define PART_MASK ((UINT64_C(1) << PART_BITS) - 1)
#define GEN_SHIFT (2 * PART_BITS)

struct tn_pool {
    int threads;
    pthread_t *workers;
    int n_started;
    _Atomic uint64_t ticket;    /* generation << 40 | parts << 20 | next part */
    _Atomic size_t done;        /* parts of the current job finished */
    tn_pool_fn fn;
    void *arg;
    int busy;                   /* a job is running (the caller's nested calls run serially) */
    _Atomic int sleepers;
    _Atomic int stop;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    tn_pool_tuner tune;
};

static _Thread_local tn_pool *current;
static _Thread_local int in_job; /* this thread is running a part (workers: always) */

static uint64_t gen_of(uint64_t t) { return t >> GEN_SHIFT; }

/* Claims and runs parts of the job of generation gen until none is left. */
static void work(tn_pool *p, uint64_t gen)
{
    uint64_t t = atomic_load_explicit(&p->ticket, memory_order_acquire);
    for (;;) {
        if (gen_of(t) != gen)
            return;
        uint64_t next = t & PART_MASK, n = (t >> PART_BITS) & PART_MASK;
        if (next >= n)
            return;
        if (!atomic_compare_exchange_weak_explicit(&p->ticket, &t, t + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue;
        p->fn(p->arg, (size_t)next);
        atomic_fetch_add_explicit(&p->done, 1, memory_order_release);
        t = atomic_load_explicit(&p->ticket, memory_order_acquire);
    }
}

static void *worker_main(void *arg)
{
    tn_pool *p = arg;
    in_job = 1; /* anything a part calls runs serially on this thread */
    uint64_t seen = 0;
    for (;;) {
        uint64_t t = atomic_load_explicit(&p->ticket, memory_order_acquire);
        for (int i = 0; i < SPINS && gen_of(t) == seen; i++) {
            POOL_PAUSE();
            t = atomic_load_explicit(&p->ticket, memory_order_acquire);
        }
        if (gen_of(t) == seen) {
            pthread_mutex_lock(&p->lock);
            atomic_fetch_add(&p->sleepers, 1);
            while (gen_of(t = atomic_load(&p->ticket)) == seen && !atomic_load(&p->stop))
                pthread_cond_wait(&p->wake, &p->lock);
            atomic_fetch_sub(&p->sleepers, 1);
            pthread_mutex_unlock(&p->lock);
        }
        if (atomic_load(&p->stop))
            return NULL;
        seen = gen_of(t);
        work(p, seen);
    }
}

int tn__pool_new(int threads, tn_pool **out)
{
    *out = NULL;
    if (threads < 1)
        threads = 1;
    tn_pool *p = tn__calloc(1, sizeof *p);
    if (!p)
        return TN_ENOMEM;
    p->threads = threads;
    p->tune.split = 1;
    atomic_init(&p->ticket, 0);
    atomic_init(&p->done, 0);
    atomic_init(&p->sleepers, 0);
    atomic_init(&p->stop, 0);
    if (pthread_mutex_init(&p->lock, NULL)) {
        tn__free(p);
        return TN_ENOMEM;
    }
    if (pthread_cond_init(&p->wake, NULL)) {
        pthread_mutex_destroy(&p->lock);
        tn__free(p);
        return TN_ENOMEM;
    }
    if (threads > 1 && !(p->workers = tn__calloc((size_t)threads - 1, sizeof *p->workers))) {
        tn__pool_free(p);
        return TN_ENOMEM;
    }
    for (int i = 0; i < threads - 1; i++) {
        if (pthread_create(&p->workers[i], NULL, worker_main, p)) {
            tn__pool_free(p);
            return TN_ENOMEM;
        }
        p->n_started++;
    }
    *out = p;
    return TN_OK;
}

void tn__pool_free(tn_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    atomic_store(&p->stop, 1);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->n_started; i++)
        pthread_join(p->workers[i], NULL);
    if (current == p)
        current = NULL;
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    tn__free(p->workers);
    tn__free(p);
}

int tn__pool_threads(const tn_pool *p) { return p ? p->threads : 1; }

static _Atomic int tune_forced = TN__POOL_TUNE_AUTO;

int tn__pool_tune_force(int policy) { return atomic_exchange(&tune_forced, policy); }

void tn__pool_tune(tn_pool *p, int on)
{
    if (p)
        p->tune = (tn_pool_tuner){.on = on, .split = 1};
}

int tn__pool_splitting(const tn_pool *p) { return p && p->threads > 1 && p->tune.split; }

static double median_of(double *t, int n)
{
    for (int i = 1; i < n; i++) /* insertion sort: a handful of values */
        for (int j = i; j > 0 && t[j] < t[j - 1]; j--) {
            double x = t[j];
            t[j] = t[j - 1], t[j - 1] = x;
        }
    return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

void tn__pool_tuner_sample(tn_pool_tuner *u, double seconds)
{
    int force = atomic_load_explicit(&tune_forced, memory_order_relaxed);
    if (force == TN__POOL_TUNE_SPLIT || force == TN__POOL_TUNE_SERIAL) {
        u->split = force == TN__POOL_TUNE_SPLIT;
        return;
    }
    if (!u->on && force != TN__POOL_TUNE_FLIP)
        return;
    u->t[u->n++] = seconds;
    if (u->n < TN__POOL_TUNE_WINDOW)
        return;
    double med = median_of(u->t, u->n);
    u->n = 0;
    if (force == TN__POOL_TUNE_FLIP) { /* tests: another mode every window */
        u->split = !u->split;
        return;
    }
    if (!u->warm) { /* the run's first window: cold caches, first touches */
        u->warm = 1;
        if (!u->jobs)
            u->on = 0; /* nothing here is large enough to split: nothing to time */
        return;
    }
    int m = u->split;
    u->est[m] = med;
    if (u->est[!m] == 0) { /* the other mode was never timed */
        u->split = !m;
        return;
    }
    int best = u->est[1] <= u->est[0];
    double lo = u->est[best], hi = u->est[!best];
    int explore = hi > 1.25 * lo ? TUNE_EXPLORE_FAR : TUNE_EXPLORE_CLOSE;
    if (m != best) {
        u->split = best;
        u->windows = 0;
    } else if (++u->windows >= explore) {
        u->split = !best; /* one window of the other: has the machine changed? */
        u->windows = 0;
    }
}

void tn__pool_step_begin(tn_pool *p)
{
    /* Only while the tuner has something to time: a clock read is ~25 ns, a tenth of a
     * percent of a 20 us step but measurable on xor's 0.6 us steps. */
    int forced = atomic_load_explicit(&tune_forced, memory_order_relaxed) != TN__POOL_TUNE_AUTO;
    if (p && p->threads > 1 && (p->tune.on || forced))
        p->tune.t0 = tn__seconds();
}

void tn__pool_step_end(tn_pool *p)
{
    if (p && p->threads > 1 && p->tune.t0 > 0) {
        tn__pool_tuner_sample(&p->tune, tn__seconds() - p->tune.t0);
        p->tune.t0 = 0;
    }
}

static int profiling;
static double prof_sum, prof_crit;
static long long prof_jobs;

void tn__pool_profile(int on)
{
    profiling = on;
    prof_sum = prof_crit = 0;
    prof_jobs = 0;
}

void tn__pool_profile_read(double *sum, double *crit, long long *jobs)
{
    *sum = prof_sum, *crit = prof_crit, *jobs = prof_jobs;
}

static double thread_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The parts one by one on the caller, each timed: the shares of threads running them. */
static void run_profiled(tn_pool *p, size_t n, tn_pool_fn fn, void *arg)
{
    double share[64] = {0}, total = 0;
    p->busy = 1;
    in_job = 1;
    for (size_t i = 0; i < n; i++) {
        double t0 = thread_seconds();
        fn(arg, i);
        double t = thread_seconds() - t0;
        share[i % (size_t)p->threads % 64] += t;
        total += t;
    }
    in_job = 0;
    p->busy = 0;
    double crit = 0;
    for (int k = 0; k < p->threads && k < 64; k++)
        crit = share[k] > crit ? share[k] : crit;
    prof_sum += total;
    prof_crit += crit;
    prof_jobs++;
}

void tn__pool_run(tn_pool *p, size_t n, tn_pool_fn fn, void *arg)
{
    if (!p || p->threads < 2 || n <= 1 || p->busy || in_job || n > PART_MASK) {
        for (size_t i = 0; i < n; i++)
            fn(arg, i);
        return;
    }
    if (profiling) {
        run_profiled(p, n, fn, arg);
        return;
    }
    p->busy = 1;
    if (p->tune.t0 > 0) /* inside a timed step: the tuner has something to decide */
        p->tune.jobs++;
    p->fn = fn;
    p->arg = arg;
    atomic_store_explicit(&p->done, 0, memory_order_relaxed);
    uint64_t gen = (gen_of(atomic_load_explicit(&p->ticket, memory_order_relaxed)) + 1) &
                   ((UINT64_C(1) << (64 - GEN_SHIFT)) - 1); /* wraps within its bits */
    /* seq_cst: ordered against a worker's "sleepers++ then read the ticket" */
    atomic_store(&p->ticket, gen << GEN_SHIFT | (uint64_t)n << PART_BITS);
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->lock);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->lock);
    }
    in_job = 1;
    work(p, gen);
    in_job = 0;
    /* The parts still running were claimed by workers that are running them; on a loaded
     * machine one may have lost its core, so after a while the caller yields its own. */
    for (int i = 0; atomic_load_explicit(&p->done, memory_order_acquire) < n; i++) {
        if (i < YIELD_AFTER)
            POOL_PAUSE();
        else
            sched_yield();
    }
    p->busy = 0;
}

tn_pool *tn__pool_current(void) { return current; }

tn_pool *tn__pool_use(tn_pool *p)
{
    tn_pool *old = current;
    current = p;
    return old;
}

int tn__pool_width(void)
{
    return current && !in_job && !current->busy && current->tune.split ? current->threads : 1;
}

typedef struct range_job {
    tn_pool_range_fn fn;
    void *arg;
    size_t n, parts, align;
} range_job;

/* Where part i starts: an equal share, rounded to the nearest multiple of align. */
static size_t range_end(const range_job *j, size_t i)
{
    if (i >= j->parts)
        return j->n;
    size_t e = j->n / j->parts * i + j->n % j->parts * i / j->parts;
    e = (e + j->align / 2) / j->align * j->align;
    return e < j->n ? e : j->n;
}

static void range_part(void *arg, size_t i)
{
    const range_job *j = arg;
    size_t lo = range_end(j, i), hi = range_end(j, i + 1);
    if (hi > lo)
        j->fn(j->arg, lo, hi);
}

void tn__pool_for(size_t n, size_t grain, size_t align, tn_pool_range_fn fn, void *arg)
{
    size_t parts = (size_t)tn__pool_width();
    if (grain < 1)
        grain = 1;
    if (align < 1)
        align = 1;
    if (parts > n / grain)
        parts = n / grain;
    if (parts <= 1) {
        if (n)
            fn(arg, 0, n);
        return;
    }
    range_job j = {fn, arg, n, parts, align};
    tn__pool_run(current, parts, range_part, &j);
}
