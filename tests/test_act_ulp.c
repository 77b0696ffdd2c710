/* The error of the vectorized activation kernels (act/vmath.h), in float ulps, against
 * the double-precision libm code they replaced (kept here as the reference).
 *
 * Each module's forward and backward (dy = 1, default parameters) runs over every
 * SWEEP_STEP-th float of [-110, 110] (by bit pattern: about 2.2M inputs, all magnitudes
 * down to the denormals), a dense grid of [-2, 2] and the special values; the largest
 * error must stay within the bound stated in BOUNDS, which is what docs/ARCHITECTURE.md
 * and the kernels' comments claim. An error is |y - r| / ulp(r), ulp(r) the float spacing
 * at the double reference r (2^-149 below FLT_MIN). NaN must give NaN and an infinite or
 * overflowing reference the same infinity. The test prints the measured maxima. */
#include "act/vmath.h"
#include "act_ref_double.h"
#include "tinynet/activation.h"

#include "tn_check.h"

#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define SWEEP_STEP 997u
#define BLOCK 4096
/* Results below FLT_MIN: at most this many units of 2^-149 off (an ulp of FLT_MIN is 2^-149). */
#define SUB_BOUND 2.5

/* The bounds claimed (ulps), forward and backward: the measured maxima rounded up (gelu's
 * backward and every double-computed backward are correctly rounded but for the 1e-14 of
 * tn__vexp). Measured: sigmoid 2.13/3.71, bipolar_sigmoid 2.47/3.71, tanh 2.47/3.57, elu
 * and celu 0.89/0.92, selu 1.63/1.50, gelu 2.85/0.5, gelu_tanh 1.56/0.5, silu and swish
 * 1.54/0.5, mish 1.55/0.5, softplus 2.33/1.47. */
static const struct {
    const char *name;
    double (*f)(double), (*df)(double);
    double fwd, bwd;
} BOUNDS[] = {
    {"sigmoid", r_sigmoid, r_sigmoid_d, 2.5, 4},
    {"bipolar_sigmoid", r_bipolar, r_bipolar_d, 2.5, 4},
    {"tanh", r_tanh, r_tanh_d, 2.5, 4},
    {"elu", r_elu, r_elu_d, 1, 1},
    {"selu", r_selu, r_selu_d, 2, 2},
    {"celu", r_elu, r_elu_d, 1, 1},
    {"gelu", r_gelu, r_gelu_d, 3, 1},
    {"gelu_tanh", r_gelu_tanh, r_gelu_tanh_d, 2, 1},
    {"silu", r_silu, r_silu_d, 2, 1},
    {"swish", r_silu, r_silu_d, 2, 1},
    {"mish", r_mish, r_mish_d, 2, 1},
    {"softplus", r_softplus, r_softplus_d, 2.5, 2},
};

/* ---- The sweep -------------------------------------------------------------------------- */

static float bits_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* The inputs: returns how many, writing at most cap into x (call with x NULL to count). */
static size_t inputs(float *x, size_t cap)
{
    size_t n = 0;
#define PUT(v) do { if (x && n < cap) x[n] = (v); n++; } while (0)
    uint32_t top = 0x42dc0000u; /* 110.0f */
    for (uint32_t u = 0; u <= top; u += SWEEP_STEP) {
        PUT(bits_float(u));
        PUT(bits_float(u | 0x80000000u));
    }
    for (int i = -8192; i <= 8192; i++)
        PUT((float)i / 4096.0f);
    static const float special[] = {INFINITY, -INFINITY, NAN, FLT_MAX, -FLT_MAX, FLT_MIN,
                                    -FLT_MIN, 1e-45f, -1e-45f, 0.0f, -0.0f, 1e30f, -1e30f};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        PUT(special[i]);
#undef PUT
    return n;
}

static double ulp_of(double r)
{
    int e;
    if (fabs(r) < FLT_MIN)
        return ldexp(1.0, -149);
    frexp(r, &e); /* r = m 2^e, m in [0.5, 1) */
    return ldexp(1.0, e - 24);
}

typedef struct {
    double worst; /* ulps, over normal results */
    float at;
    double worst_sub; /* units of 2^-149, over results below FLT_MIN */
    float sub_at;
    size_t bad_special; /* NaN or infinity mismatches */
    float bad_at;
} err_stat;

static void account(err_stat *s, float x, float y, double r)
{
    float rf = (float)r;
    if (isnan(r) || isinf(rf)) {
        if (!(isnan(r) ? isnan(y) : y == rf)) {
            if (!s->bad_special)
                s->bad_at = x;
            s->bad_special++;
        }
        return;
    }
    double e = isfinite(y) ? fabs((double)y - r) / ulp_of(r) : INFINITY;
    if (fabs(r) < FLT_MIN) { /* gradual underflow: precision is absolute there */
        if (e > s->worst_sub || isnan(y)) {
            s->worst_sub = isnan(y) ? INFINITY : e;
            s->sub_at = x;
        }
        return;
    }
    if (e > s->worst || isnan(y)) {
        s->worst = isnan(y) ? INFINITY : e;
        s->at = x;
    }
}

START_TEST(test_ulp_sweep)
{
    const size_t k = (size_t)_i;
    const tn_activation *m = tn_activation_find(BOUNDS[k].name);
    ck_assert_msg(m != NULL, "%s not registered", BOUNDS[k].name);
    static float x[BLOCK], y[BLOCK], dx[BLOCK], ones[BLOCK];
    static float all[2400000];
    size_t n = inputs(NULL, 0);
    ck_assert_uint_le(n, sizeof all / sizeof all[0]);
    inputs(all, n);
    for (size_t i = 0; i < BLOCK; i++)
        ones[i] = 1.0f;
    tn_act_ctx ctx = {0};
    err_stat fs = {0}, bs = {0};
    for (size_t i0 = 0; i0 < n; i0 += BLOCK) {
        size_t nb = n - i0 < BLOCK ? n - i0 : BLOCK;
        memcpy(x, all + i0, nb * sizeof *x);
        m->forward(&ctx, x, y, 1, nb);
        m->backward(&ctx, x, y, ones, dx, NULL, 1, nb);
        for (size_t i = 0; i < nb; i++) {
            account(&fs, x[i], y[i], BOUNDS[k].f((double)x[i]));
            account(&bs, x[i], dx[i], BOUNDS[k].df((double)x[i]));
        }
    }
    printf("%-16s forward %5.2f ulp (x = %-13.9g) backward %5.2f ulp (x = %-13.9g) "
           "denormal results: %g, %g x 2^-149\n", m->name, fs.worst, (double)fs.at, bs.worst,
           (double)bs.at, fs.worst_sub, bs.worst_sub);
    ck_assert_msg(fs.worst_sub <= SUB_BOUND && bs.worst_sub <= SUB_BOUND,
                  "%s: denormal results off by %g (x = %g) and %g (x = %g) x 2^-149", m->name,
                  fs.worst_sub, (double)fs.sub_at, bs.worst_sub, (double)bs.sub_at);
    ck_assert_msg(!fs.bad_special, "%s: %zu NaN/inf mismatches, first at x = %g", m->name,
                  fs.bad_special, (double)fs.bad_at);
    ck_assert_msg(!bs.bad_special, "%s': %zu NaN/inf mismatches, first at x = %g", m->name,
                  bs.bad_special, (double)bs.bad_at);
    ck_assert_msg(fs.worst <= BOUNDS[k].fwd, "%s: %.2f ulp at x = %.9g, bound %.1f", m->name,
                  fs.worst, (double)fs.at, BOUNDS[k].fwd);
    ck_assert_msg(bs.worst <= BOUNDS[k].bwd, "%s': %.2f ulp at x = %.9g, bound %.1f", m->name,
                  bs.worst, (double)bs.at, BOUNDS[k].bwd);
}
END_TEST

/* The primitives themselves: float results of tn__vexpf, tn__vexpm1f and tn__vtanhf in
 * ulps, and tn__vexp's relative error in double. */
START_TEST(test_primitives)
{
    size_t n = inputs(NULL, 0);
    static float all[2400000];
    inputs(all, n);
    err_stat se = {0}, sm = {0}, st = {0};
    double worst_d = 0.0;
    float worst_d_at = 0.0f;
    for (size_t i = 0; i < n; i++) {
        float x = all[i];
        account(&se, x, tn__vexpf(x), exp((double)x));
        if (x <= 88.0f) /* its domain */
            account(&sm, x, tn__vexpm1f(x), expm1((double)x));
        account(&st, x, tn__vtanhf(x), tanh((double)x));
        double xd = (double)x * 6.5; /* reach the double range's ends */
        double r = exp(xd), g = tn__vexp(xd);
        if (xd >= -708.0 && xd <= 709.0) {
            double e = fabs(g - r) / r;
            if (e > worst_d) {
                worst_d = e;
                worst_d_at = x;
            }
        } else if (isnan(xd)) {
            ck_assert(isnan(g));
        }
    }
    printf("denormal results: vexpf %g, vexpm1f %g, vtanhf %g x 2^-149\n", se.worst_sub,
           sm.worst_sub, st.worst_sub);
    printf("vexpf %.2f ulp (x = %g), vexpm1f %.2f ulp (x = %g), vtanhf %.2f ulp (x = %g), "
           "vexp %.3g relative (x = %g)\n", se.worst, (double)se.at, sm.worst, (double)sm.at,
           st.worst, (double)st.at, worst_d, (double)worst_d_at * 6.5);
    ck_assert_uint_eq(se.bad_special + sm.bad_special + st.bad_special, 0);
    ck_assert_msg(se.worst <= 1.0, "vexpf: %.2f ulp", se.worst);
    ck_assert_msg(sm.worst <= 2.0, "vexpm1f: %.2f ulp", sm.worst);
    ck_assert_msg(st.worst <= 2.5, "vtanhf: %.2f ulp", st.worst);
    ck_assert_msg(worst_d <= 1e-14, "vexp: %.3g relative", worst_d);
    /* Zero's sign, which the ulp counts do not see: expm1 and tanh keep it (elu(-0) = -0). */
    ck_assert(signbit(tn__vexpm1f(-0.0f)) && !signbit(tn__vexpm1f(0.0f)));
    ck_assert(signbit(tn__vtanhf(-0.0f)) && !signbit(tn__vtanhf(0.0f)));
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("act_ulp");
    TCase *tc = tcase_create("sweep");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_ulp_sweep, 0, (int)(sizeof BOUNDS / sizeof BOUNDS[0]));
    tcase_add_test(tc, test_primitives);
    suite_add_tcase(s, tc);
    return s;
}
