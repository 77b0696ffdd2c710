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

#define PCG_MULT 6364136223846793005ULL

static inline uint32_t pcg_output(uint64_t old)
{
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

void tn__rng_fill_u32(tn_rng *r, uint32_t *out, size_t n)
{
    size_t i = 0;
    if (n >= 8) {
        /* state_{k+4} = a^4 state_k + c (a^3 + a^2 + a + 1), modulo 2^64 */
        const uint64_t a = PCG_MULT, c = r->inc, a2 = a * a, a4 = a2 * a2;
        const uint64_t c4 = c * (a2 * a + a2 + a + 1);
        uint64_t s0 = r->state, s1 = s0 * a + c, s2 = s1 * a + c, s3 = s2 * a + c;
        for (; i + 4 <= n; i += 4) {
            out[i] = pcg_output(s0);
            out[i + 1] = pcg_output(s1);
            out[i + 2] = pcg_output(s2);
            out[i + 3] = pcg_output(s3);
            s0 = s0 * a4 + c4;
            s1 = s1 * a4 + c4;
            s2 = s2 * a4 + c4;
            s3 = s3 * a4 + c4;
        }
        r->state = s0; /* the state of draw i */
    }
    for (; i < n; i++)
        out[i] = tn__rng_u32(r);
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
