/* Seconds on the monotonic clock, for timing epochs and runs (never for results). */
#ifndef TN_CORE_CLOCK_H
#define TN_CORE_CLOCK_H

#include <time.h>

static inline double tn__seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
