/* Seeded PCG32 (O'Neill): the state lives in the caller's struct, never in a global.
 * One seed feeds several streams (init, shuffle, dropout), so changing the batch order
 * does not change the initial weights. */
#ifndef TN_CORE_RNG_H
#define TN_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct tn_rng {
    uint64_t state;
    uint64_t inc;
} tn_rng;

enum {
    TN_STREAM_INIT = 1, TN_STREAM_SHUFFLE = 2, TN_STREAM_NOISE = 3, TN_STREAM_DATA = 4,
    TN_STREAM_NEGATIVES = 5, /* training negatives of ratings data */
    TN_STREAM_EVAL = 6,      /* the ranking evaluation set, apart so it stays put */
    TN_STREAM_VALIDATION = 7 /* the validation rows held out of the training rows */
};

void tn__rng_seed(tn_rng *r, uint64_t seed, uint64_t stream);

/* Inline: dropout and rrelu draw one number per element. */
static inline uint32_t tn__rng_u32(tn_rng *r)
{
    uint64_t old = r->state;
    r->state = old * 6364136223846793005ULL + r->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

/* n draws of tn__rng_u32 into out, the same numbers in the same order, r advanced past
 * them: four chains a jump of four steps apart, so the multiply of one draw does not wait
 * for the last (dropout masks: about 3x faster than one call per draw). */
void tn__rng_fill_u32(tn_rng *r, uint32_t *out, size_t n);

/* [0, 1), 24 random bits */
static inline float tn__rng_uniform(tn_rng *r)
{
    return (float)(tn__rng_u32(r) >> 8) * (1.0f / 16777216.0f);
}

uint32_t tn__rng_below(tn_rng *r, uint32_t n); /* uniform in [0, n), unbiased; n > 0 */
double tn__rng_uniform_d(tn_rng *r);           /* [0, 1), 53 random bits */
double tn__rng_normal(tn_rng *r);              /* standard normal (Box-Muller) */
void tn__rng_shuffle(tn_rng *r, uint32_t *a, size_t n); /* Fisher-Yates */
/* Moves the stream delta draws of tn__rng_u32 ahead in O(log delta) steps (Brown's jump
 * ahead): a process of a data-parallel run skips the other processes' dropout draws. */
void tn__rng_advance(tn_rng *r, uint64_t delta);

#endif
