/* core/pool.c: every part of every job runs exactly once, whatever the part count (zero,
 * one, many, more than threads), over many rounds, with the workers both spinning and
 * asleep between jobs; nested jobs run serially on the calling thread; tn__pool_for covers
 * its range exactly once with aligned boundaries; the step tuner keeps the faster mode,
 * finds a change of the machine, and obeys the forced policies. */
#include "core/pool.h"
#include "tn_check.h"

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

typedef struct counts {
    _Atomic int *hits;
    size_t n;
    tn_pool *pool;
    _Atomic int nested_parallel; /* a nested job reported more than one thread */
} counts;

static void count_part(void *arg, size_t i)
{
    counts *c = arg;
    atomic_fetch_add(&c->hits[i], 1);
}

static void check_once(counts *c, size_t n, const char *what, int round)
{
    for (size_t i = 0; i < n; i++) {
        int h = atomic_load(&c->hits[i]);
        ck_assert_msg(h == 1, "%s round %d: part %zu of %zu ran %d times", what, round, i, n, h);
        atomic_store(&c->hits[i], 0);
    }
}

START_TEST(every_part_once)
{
    tn_pool *p;
    ck_assert_int_eq(tn__pool_new(_i, &p), TN_OK);
    ck_assert_int_eq(tn__pool_threads(p), _i);
    enum { MAX = 1000 };
    counts c = {calloc(MAX, sizeof(_Atomic int)), MAX, p, 0};
    static const size_t sizes[] = {0, 1, 2, 3, 7, 64, 999};
    for (int round = 0; round < 3000; round++) {
        size_t n = sizes[(size_t)round % (sizeof sizes / sizeof sizes[0])];
        tn__pool_run(p, n, count_part, &c);
        check_once(&c, n, "run", round);
        if (round % 500 == 499) { /* let the workers fall asleep between jobs */
            struct timespec ts = {0, 3 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    free(c.hits);
    tn__pool_free(p);
}
END_TEST

static void nested_part(void *arg, size_t i)
{
    counts *c = arg;
    (void)i;
    /* Inside a job every further split runs on the thread that asks, in order. */
    if (tn__pool_width() != 1)
        atomic_store(&c->nested_parallel, 1);
    counts inner = {c->hits, c->n, c->pool, 0};
    tn__pool_run(c->pool, 4, count_part, &inner);
}

START_TEST(nested_jobs_run_serially)
{
    tn_pool *p;
    ck_assert_int_eq(tn__pool_new(2, &p), TN_OK);
    tn_pool *old = tn__pool_use(p);
    ck_assert_ptr_eq(tn__pool_current(), p);
    ck_assert_int_eq(tn__pool_width(), 2);
    counts c = {calloc(4, sizeof(_Atomic int)), 4, p, 0};
    for (int round = 0; round < 200; round++) {
        tn__pool_run(p, 3, nested_part, &c);
        for (size_t i = 0; i < 4; i++) { /* 3 outer parts, each running the 4 inner once */
            ck_assert_int_eq(atomic_load(&c.hits[i]), 3);
            atomic_store(&c.hits[i], 0);
        }
    }
    ck_assert_int_eq(atomic_load(&c.nested_parallel), 0);
    tn__pool_use(old);
    ck_assert_int_eq(tn__pool_width(), 1);
    free(c.hits);
    tn__pool_free(p);
}
END_TEST

typedef struct cover {
    _Atomic int *hits;
    size_t align;
    _Atomic int misaligned;
} cover;

static void cover_range(void *arg, size_t lo, size_t hi)
{
    cover *c = arg;
    if (lo % c->align)
        atomic_store(&c->misaligned, 1);
    for (size_t i = lo; i < hi; i++)
        atomic_fetch_add(&c->hits[i], 1);
}

START_TEST(ranges_cover_once)
{
    tn_pool *p;
    ck_assert_int_eq(tn__pool_new(_i, &p), TN_OK);
    tn_pool *old = tn__pool_use(p);
    enum { MAX = 5000 };
    cover c = {calloc(MAX, sizeof(_Atomic int)), 16, 0};
    static const size_t sizes[] = {0, 1, 15, 16, 17, 33, 100, 4096, 4999};
    static const size_t grains[] = {1, 16, 64, 1000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (size_t g = 0; g < sizeof grains / sizeof grains[0]; g++)
            for (int round = 0; round < 20; round++) {
                tn__pool_for(sizes[s], grains[g], 16, cover_range, &c);
                for (size_t i = 0; i < sizes[s]; i++) {
                    ck_assert_msg(atomic_load(&c.hits[i]) == 1, "n %zu grain %zu: element %zu "
                                  "covered %d times", sizes[s], grains[g], i,
                                  atomic_load(&c.hits[i]));
                    atomic_store(&c.hits[i], 0);
                }
            }
    ck_assert_int_eq(atomic_load(&c.misaligned), 0);
    tn__pool_use(old);
    free(c.hits);
    tn__pool_free(p);
}
END_TEST

/* Without a pool, or with one of one thread, everything runs on the caller, in order. */
typedef struct order { size_t next; int bad; } order;
static void in_order(void *arg, size_t i)
{
    order *o = arg;
    if (i != o->next++)
        o->bad = 1;
}

START_TEST(serial_without_pool)
{
    order o = {0, 0};
    tn__pool_run(NULL, 50, in_order, &o);
    ck_assert_int_eq(o.bad, 0);
    ck_assert_uint_eq(o.next, 50);
    tn_pool *p;
    ck_assert_int_eq(tn__pool_new(1, &p), TN_OK);
    o = (order){0, 0};
    tn__pool_run(p, 50, in_order, &o);
    ck_assert_int_eq(o.bad, 0);
    ck_assert_uint_eq(o.next, 50);
    tn__pool_free(p);
    tn__pool_free(NULL);
    ck_assert_int_eq(tn__pool_width(), 1);
}
END_TEST

/* Feeds windows of steps to a tuner: a split step takes split_s, a serial one serial_s.
 * Returns the mode in use after them. */
static int feed(tn_pool_tuner *u, int windows, double split_s, double serial_s, int *serial_windows)
{
    for (int w = 0; w < windows; w++) {
        if (!u->split && serial_windows)
            (*serial_windows)++;
        for (int k = 0; k < TN__POOL_TUNE_WINDOW; k++)
            tn__pool_tuner_sample(u, u->split ? split_s : serial_s);
    }
    return u->split;
}

START_TEST(tuner_keeps_the_faster_mode)
{
    tn_pool_tuner u = {.on = 1, .split = 1, .jobs = 1};
    /* Split twice as fast: after warming and one window of each, split; the serial mode is
     * timed again now and then, rarely (the two are far apart). */
    int serial = 0;
    ck_assert_int_eq(feed(&u, 3, 1e-3, 2e-3, NULL), 1);
    ck_assert_int_eq(feed(&u, 400, 1e-3, 2e-3, &serial), 1);
    ck_assert_msg(serial >= 2 && serial <= 5, "serial windows %d of 400", serial);
    /* The machine changes (the cores lose their fast link): serial after the first slow
     * window of split, which is now slower than serial's last estimate. */
    feed(&u, 130, 3e-3, 2e-3, NULL);
    ck_assert_int_eq(feed(&u, 1, 3e-3, 2e-3, NULL), 0);
    serial = 0;
    feed(&u, 400, 3e-3, 2e-3, &serial);
    ck_assert_msg(serial >= 390, "serial windows %d of 400 while serial is faster", serial);
    /* Close to each other: both timed more often. One outlier step per window (the median
     * ignores it) changes nothing. */
    tn_pool_tuner v = {.on = 1, .split = 1, .jobs = 1};
    int split_windows = 0;
    for (int w = 0; w < 400; w++) {
        split_windows += v.split;
        for (int k = 0; k < TN__POOL_TUNE_WINDOW; k++)
            tn__pool_tuner_sample(&v, k == 0 ? 1.0 : v.split ? 1.0e-3 : 1.1e-3);
    }
    ck_assert_msg(split_windows >= 380 && split_windows < 398, "split windows %d of 400",
                  split_windows);
    /* No job split in the first window (a net too small for any): tuning turns off. */
    tn_pool_tuner idle = {.on = 1, .split = 1};
    ck_assert_int_eq(feed(&idle, 5, 5e-3, 1e-3, NULL), 1);
    ck_assert_int_eq(idle.on, 0);
    /* Off (splitting would change results): always split, whatever the times. */
    tn_pool_tuner off = {.on = 0, .split = 1};
    ck_assert_int_eq(feed(&off, 50, 5e-3, 1e-3, NULL), 1);
}
END_TEST

START_TEST(tuner_width_follows_the_mode)
{
    tn_pool *p;
    ck_assert_int_eq(tn__pool_new(2, &p), TN_OK);
    tn_pool *old = tn__pool_use(p);
    ck_assert_int_eq(tn__pool_width(), 2);
    ck_assert_int_eq(tn__pool_tune_force(TN__POOL_TUNE_SERIAL), TN__POOL_TUNE_AUTO);
    tn__pool_step_begin(p);
    tn__pool_step_end(p);
    ck_assert_int_eq(tn__pool_splitting(p), 0);
    ck_assert_int_eq(tn__pool_width(), 1);
    tn__pool_tune_force(TN__POOL_TUNE_FLIP); /* every window, even with tuning off */
    int flips = 0, was = tn__pool_splitting(p);
    for (int k = 0; k < 4 * TN__POOL_TUNE_WINDOW; k++) {
        tn__pool_step_begin(p);
        tn__pool_step_end(p);
        flips += tn__pool_splitting(p) != was;
        was = tn__pool_splitting(p);
    }
    ck_assert_int_eq(flips, 4);
    tn__pool_tune_force(TN__POOL_TUNE_AUTO);
    tn__pool_tune(p, 0); /* off: split, and stays so */
    for (int k = 0; k < 4 * TN__POOL_TUNE_WINDOW; k++) {
        tn__pool_step_begin(p);
        tn__pool_step_end(p);
    }
    ck_assert_int_eq(tn__pool_width(), 2);
    tn__pool_use(old);
    tn__pool_free(p);
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("pool");
    TCase *tt = tcase_create("tuner");
    tcase_add_test(tt, tuner_keeps_the_faster_mode);
    tcase_add_test(tt, tuner_width_follows_the_mode);
    suite_add_tcase(s, tt);
    TCase *tc = tcase_create("units");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, every_part_once, 1, 4); /* 1 to 3 threads */
    tcase_add_test(tc, nested_jobs_run_serially);
    tcase_add_loop_test(tc, ranges_cover_once, 2, 4);
    tcase_add_test(tc, serial_without_pool);
    suite_add_tcase(s, tc);
    return s;
}
