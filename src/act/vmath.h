/* Branch-free exponential-family kernels the activation loops inline, so that GCC
 * vectorizes them (no libm call in a loop, selects instead of branches, no integer
 * conversion of a float: the exponent comes from the bits of a rounded sum).
 *
 * Cody-Waite range reduction e^x = 2^n e^r, n = round(x / ln 2), |r| <= ln2/2, then a
 * polynomial: Cephes' minimax for expf, Taylor to degree 11 for the double tn__vexp
 * (truncation below 1e-14: far under float's rounding, which is all its users need).
 * Every function propagates NaN (the clamps are selects whose comparisons a NaN fails,
 * and a NaN reaches the result through the polynomial), saturates at both ends like
 * libm (e^x -> 0 or +inf) and gives float denormals by scaling 2^n in two normal steps.
 *
 * Measured accuracy (tests/test_act_ulp.c, test_primitives and test_ulp_sweep, against
 * double libm over every 61st float of [-104, 89] and a dense grid near 0): see the bounds
 * listed there and in docs/ARCHITECTURE.md. The arithmetic is IEEE single/double with -ffp-contract=off (the
 * project default), so a build for any x86-64 level gives the same bits. */
#ifndef TN_ACT_VMATH_H
#define TN_ACT_VMATH_H

#include <stdint.h>

#define TN__LOG2E 1.44269504088896340736
#define TN__LN2_HI_F 0.693359375f        /* Cephes: 9 bits, so n * hi is exact */
#define TN__LN2_LO_F -2.12194440e-4f
#define TN__LN2_HI 6.93147180369123816490e-01 /* fdlibm: 32 bits, n * hi exact */
#define TN__LN2_LO 1.90821492927058770002e-10
#define TN__RND_F 0x1.8p23f /* x + RND - RND rounds x to an integer, |x| < 2^22 */
#define TN__RND 0x1.8p52

/* Bit casts through unions (defined in C99 and C11; no <string.h>: exported code is
 * freestanding). */
static inline uint32_t tn__fbits(float f)
{
    union { float f; uint32_t u; } v;
    v.f = f;
    return v.u;
}
static inline float tn__bitsf(uint32_t u)
{
    union { float f; uint32_t u; } v;
    v.u = u;
    return v.f;
}
static inline uint64_t tn__dbits(double d)
{
    union { double d; uint64_t u; } v;
    v.d = d;
    return v.u;
}
static inline double tn__bitsd(uint64_t u)
{
    union { double d; uint64_t u; } v;
    v.u = u;
    return v.d;
}

/* Selects (not fminf/fmaxf): a NaN fails the comparison and passes through. */
#define TN__CLAMP(x, lo, hi) ((x) < (lo) ? (lo) : (x) > (hi) ? (hi) : (x))

/* e^r - 1 - r over |r| <= ln2/2, divided by r^2 (Cephes expf's minimax). */
static inline float tn__expf_poly(float r)
{
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    return p;
}

/* 2^n for an integral n given as the bits of t = n + TN__RND_F, as two factors (a, b),
 * each a normal float, for n in [-150, 128]: p * a * b rounds once, into a denormal
 * where the result is one. */
static inline void tn__exp2_split(float t, float *a, float *b)
{
    int32_t n = (int32_t)(tn__fbits(t) - tn__fbits(TN__RND_F));
    int32_t n1 = n >> 1; /* arithmetic shift (GCC): floor(n / 2) */
    *a = tn__bitsf((uint32_t)(n1 + 127) << 23);
    *b = tn__bitsf((uint32_t)(n - n1 + 127) << 23);
}

/* e^x in float: at most 1 ulp from the correctly rounded result (measured). */
static inline float tn__vexpf(float x)
{
    x = TN__CLAMP(x, -104.0f, 89.0f); /* beyond: 0 and +inf, reached by the scaling */
    float t = x * (float)TN__LOG2E + TN__RND_F;
    float n = t - TN__RND_F;
    float r = (x - n * TN__LN2_HI_F) - n * TN__LN2_LO_F;
    float p = tn__expf_poly(r) * (r * r) + r + 1.0f;
    float a, b;
    tn__exp2_split(t, &a, &b);
    return p * a * b;
}

/* e^x to float accuracy (the same polynomial, ~1 float ulp) for a double x, returned as a
 * double: the argument's own low bits count (exp(-x^2/2), exp(beta x)), and a tiny result
 * keeps its float precision instead of becoming a float denormal before it is multiplied
 * (x e^x, e / (1 + e)). 0 below x = -708. */
static inline double tn__vexpf_d(double x)
{
    double c = TN__CLAMP(x, -708.0, 709.0);
    double t = c * TN__LOG2E + TN__RND;
    double n = t - TN__RND;
    float r = (float)(c - n * 0.69314718055994530942); /* error ~1e-16 * |n|: enough */
    float p = tn__expf_poly(r) * (r * r) + r + 1.0f;
    int64_t ni = (int64_t)(tn__dbits(t) - tn__dbits(TN__RND));
    double y = (double)p * tn__bitsd((uint64_t)(ni + 1023) << 52);
    return x < -708.0 ? 0.0 : y;
}

/* e^x - 1 in float, accurate near 0 (no cancellation): 2^n (e^r - 1) + (2^n - 1) with
 * e^r - 1 from the polynomial without its 1. For x <= 88 (its users pass x <= 0); below
 * -30 it is -1. */
static inline float tn__vexpm1f(float x)
{
    x = TN__CLAMP(x, -30.0f, 88.0f); /* e^-30 - 1 is -1 in float */
    float t = x * (float)TN__LOG2E + TN__RND_F;
    float n = t - TN__RND_F;
    float r = (x - n * TN__LN2_HI_F) - n * TN__LN2_LO_F;
    float q = tn__expf_poly(r) * (r * r) + r; /* e^r - 1 */
    int32_t ni = (int32_t)(tn__fbits(t) - tn__fbits(TN__RND_F));
    float s = tn__bitsf((uint32_t)(ni + 127) << 23); /* 2^n, n in [-44, 127] */
    return x == 0.0f ? x : s * q + (s - 1.0f); /* expm1(-0) = -0, as libm */
}

/* log(1 + u) for u in [0, 1] (the softplus term, u = e^-|x|): 2 atanh(s), s = u / (2 + u)
 * <= 1/3, by its series to s^13 (truncation < 2e-8 relative). */
static inline float tn__vlog1pf_unit(float u)
{
    float s = u / (2.0f + u), z = s * s;
    float p = 1.0f / 13.0f;
    p = p * z + 1.0f / 11.0f;
    p = p * z + 1.0f / 9.0f;
    p = p * z + 1.0f / 7.0f;
    p = p * z + 1.0f / 5.0f;
    p = p * z + 1.0f / 3.0f;
    float s2 = s + s;
    return s2 + s2 * (z * p);
}

/* tanh in float: 1 - 2/(e^2|x| + 1) written with e^-2|x| - 1 = m, so tanh|x| = -m/(m+2)
 * has no cancellation near 0 (m from tn__vexpm1f) and is exactly 1 beyond |x| ~ 9. */
static inline float tn__vtanhf(float x)
{
    float a = x < 0.0f ? -x : x; /* NaN: stays NaN */
    float m = tn__vexpm1f(-2.0f * a);
    float t = -m / (m + 2.0f);
    return x < 0.0f ? -t : (x == 0.0f ? x : t); /* tanh(-0) = -0 */
}

/* 1 / (1 + e^-x) as one division of (x >= 0 ? 1 : e) by 1 + e, e = e^-|x| <= 1. */
static inline float tn__vsigmoidf(float x)
{
    float a = x < 0.0f ? -x : x;
    float e = tn__vexpf(-a);
    return (x >= 0.0f ? 1.0f : e) / (1.0f + e);
}

/* s(x)(1 - s(x)) = e / (1 + e)^2, e = e^-|x|: no 1 - s cancellation. */
static inline float tn__vsigmoid_gradf(float x)
{
    float a = x < 0.0f ? -x : x;
    float e = tn__vexpf(-a), d = 1.0f + e;
    return e / (d * d);
}

/* 1 - tanh(x)^2 = 4e / (1 + e)^2, e = e^-2|x|. */
static inline float tn__vtanh_gradf(float x)
{
    float a = x < 0.0f ? -x : x;
    float e = tn__vexpf(-2.0f * a), d = 1.0f + e;
    return 4.0f * e / (d * d);
}

/* ---- double: for derivatives that cancel (silu' = 0 near x = -1.28, and the like), where
 * float's rounding of its terms would be amplified past the 1e-6 the tests hold. */

/* e^x in double, relative error < 1e-14 (truncation 6e-15 plus rounding); 0 below
 * x = -708 (so 2^n is one normal double; e^-708 is 0 to every float user, and 0 keeps the
 * reference's inf * 0 = NaN at x = -inf). For x <= 709 (its users pass x <= 0): above,
 * 2^n may round to +inf before e^x is reached. */
static inline double tn__vexp(double x)
{
    double c = TN__CLAMP(x, -708.0, 710.0);
    double t = c * TN__LOG2E + TN__RND;
    double n = t - TN__RND;
    double r = (c - n * TN__LN2_HI) - n * TN__LN2_LO;
    double p = 1.0 / 39916800.0; /* 1/11! */
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    int64_t ni = (int64_t)(tn__dbits(t) - tn__dbits(TN__RND));
    double y = p * tn__bitsd((uint64_t)(ni + 1023) << 52); /* n = 1024: 2^1024 = inf */
    return x < -708.0 ? 0.0 : y;
}

/* 1/(1+e^-x) and e/(1+e)^2 in double from one e = e^-|x|. */
static inline double tn__vsigmoid(double x, double *grad)
{
    double a = x < 0.0 ? -x : x;
    double e = tn__vexp(-a), d = 1.0 + e;
    *grad = e / (d * d);
    return (x >= 0.0 ? 1.0 : e) / d;
}

/* ---- The modules' forward formulas -------------------------------------------------------
 * Here, not in the module files, because src/export/c_act.c emits this whole file into
 * exported C: the exported network then computes the library's bits. Parameters arrive as
 * the module reads them: float alpha, double beta and threshold. */

#define TN__SQRT1_2 0.70710678118654752440084436210485
#define TN__SQRT_2_OVER_PI 0.79788456080286535587989211986876
#define TN__GELU_TANH_C 0.044715
#define TN__SELU_ALPHA 1.6732632423543772848170429916717
#define TN__SELU_SCALE 1.0507009873554804934193349852946

/* sigmoid of a double argument, its exponential to float accuracy: for products and
 * sums (beta x, 2u) whose float rounding the tail would amplify, and for x sigmoid(x),
 * whose sigmoid may be below float's normal range when the product is not. */
static inline double tn__vsigmoid_fd(double v)
{
    double e = tn__vexpf_d(v < 0.0 ? v : -v);
    return (v >= 0.0 ? 1.0 : e) / (1.0 + e);
}

/* elu and celu (alpha (e^(x/alpha) - 1) for x <= 0): in float; x / alpha is rounded once,
 * which expm1 cannot amplify (|t e^t / (e^t - 1)| <= 1 for t <= 0). */
static inline float tn__k_elu(float alpha, float x)
{
    return x > 0.0f ? x : alpha * tn__vexpm1f(x);
}
static inline float tn__k_celu(float alpha, float x)
{
    return x > 0.0f ? x : alpha * tn__vexpm1f(x / alpha);
}
/* selu: the products by the double constants round once, so the positive side keeps the
 * bits of a double computation. */
static inline double tn__k_selu(float x)
{
    return x > 0.0f ? TN__SELU_SCALE * (double)x
                    : (TN__SELU_SCALE * TN__SELU_ALPHA) * (double)tn__vexpm1f(x);
}

/* erfc(z) = t e^(-a^2 + P(t)), a = |z|, t = 1 / (1 + a/2), P the Chebyshev fit of
 * Numerical Recipes' erfcc (relative error < 1.2e-7), in double so that a^2 keeps its low
 * bits, the exponential to float accuracy; erfc(-a) = 2 - erfc(a). */
static inline double tn__verfc_fd(double z)
{
    double a = z < 0.0 ? -z : z;
    double t = 1.0 / (1.0 + 0.5 * a);
    double p = 0.17087277;
    p = p * t - 0.82215223;
    p = p * t + 1.48851587;
    p = p * t - 1.13520398;
    p = p * t + 0.27886807;
    p = p * t - 0.18628806;
    p = p * t + 0.09678418;
    p = p * t + 0.37409196;
    p = p * t + 1.00002368;
    double e = t * tn__vexpf_d(-a * a - 1.26551223 + t * p);
    return z >= 0.0 ? e : 2.0 - e;
}
/* gelu = 0.5 x erfc(-x / sqrt 2): no cancellation for negative x. */
static inline double tn__k_gelu(double x) { return 0.5 * x * tn__verfc_fd(-x * TN__SQRT1_2); }

/* gelu_tanh = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3) in double. */
static inline double tn__gelu_tanh_u(double x)
{
    return TN__SQRT_2_OVER_PI * (x + TN__GELU_TANH_C * x * x * x);
}
static inline double tn__k_gelu_tanh(double x) { return x * tn__vsigmoid_fd(2.0 * tn__gelu_tanh_u(x)); }

static inline double tn__k_silu(double x) { return x * tn__vsigmoid_fd(x); }
static inline double tn__k_swish(double beta, double x) { return x * tn__vsigmoid_fd(beta * x); }

/* mish = x tanh(log(1 + e^x)): with e = e^x, tanh(log(1 + e)) = e(e + 2) / (e(e + 2) + 2);
 * for x > 0 the same in n = e^-x: (1 + 2n) / (1 + 2n + 2n^2); one e = e^-|x|, selects. */
static inline double tn__k_mish(double x)
{
    double e = tn__vexpf_d(x <= 0.0 ? x : -x);
    double num = x <= 0.0 ? e * (e + 2.0) : 1.0 + 2.0 * e;
    double den = num + (x <= 0.0 ? 2.0 : 2.0 * e * e);
    return x * (num / den);
}

/* softplus (torch.nn.Softplus): x where beta x > threshold, else
 * (max(bx, 0) + log1p(e^-|bx|)) / beta, bx = beta x in double (exact). */
static inline double tn__k_softplus(double beta, double threshold, double x)
{
    double bx = beta * x, a = bx < 0.0 ? -bx : bx;
    double l = (double)tn__vlog1pf_unit((float)tn__vexpf_d(-a));
    return bx > threshold ? x : ((bx > 0.0 ? bx : 0.0) + l) / beta;
}

#endif
