#include "core/rng.h"

#include "tinynet/activation.h"

#include <math.h>

void tn__rng_seed(tn_rng *r, uint64_t seed, uint64_t stream)
{
    r->state = 0;
    r->inc = (stream << 1u) | 1u;
    (void)tn__rng_u32(r);
    r->state += seed;
    (void)tn__rng_u32(r);
}

uint32_t tn__rng_below(tn_rng *r, uint32_t n)
{
    uint32_t threshold = (uint32_t)(-n) % n; /* reject the biased low range */
    for (;;) {
        uint32_t x = tn__rng_u32(r);
        if (x >= threshold)
            return x % n;
    }
}

double tn__rng_uniform_d(tn_rng *r)
{
    uint64_t hi = tn__rng_u32(r) >> 5, lo = tn__rng_u32(r) >> 6;
    return (double)(hi * 67108864ULL + lo) * (1.0 / 9007199254740992.0);
}

double tn__rng_normal(tn_rng *r)
{
    double u1 = 1.0 - tn__rng_uniform_d(r); /* (0, 1]: log is finite */
    double u2 = tn__rng_uniform_d(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

void tn__rng_shuffle(tn_rng *r, uint32_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = tn__rng_below(r, (uint32_t)i);
        uint32_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

/* Public face of the stream, for custom activation modules. */
float tn_rng_uniform(tn_rng *r) { return tn__rng_uniform(r); }

void tn__rng_advance(tn_rng *r, uint64_t delta)
{
    uint64_t mult = 6364136223846793005ULL, plus = r->inc, acc_mult = 1, acc_plus = 0;
    while (delta > 0) {
        if (delta & 1) {
            acc_mult *= mult;
            acc_plus = acc_plus * mult + plus;
        }
        plus = (mult + 1) * plus;
        mult *= mult;
        delta >>= 1;
    }
    r->state = acc_mult * r->state + acc_plus;
}
