/* Activation registry and modules.
 *
 * Every built-in found through tn_activation_at is checked, so a new module is covered
 * without editing this file -- and fails here until it has a reference below:
 *  - values on a grid against an independent long double reference (PyTorch definitions);
 *  - backward with dy = 1 against the reference derivative (PyTorch's choice at kinks);
 *  - a central-difference gradient check in float (eps 1e-3, rtol 1e-2, see PITFALLS.md),
 *    away from kinks, guarded against a trivially zero gradient;
 *  - finite outputs and gradients at extreme inputs, with parameters at their range ends.
 * Then prelu's learnable gradient, rrelu's train/eval behaviour, non-default parameters,
 * metadata, and the registry itself. */
#include "core/rng.h"
#include "tinynet/train.h"

#include "tn_check.h"

#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef long double ld;

#define LD_PI 3.141592653589793238462643383279502884L
#define SELU_ALPHA 1.6732632423543772848170429916717L
#define SELU_SCALE 1.0507009873554804934193349852946L

#define VAL_RTOL 1e-6L
#define VAL_ATOL 1e-12L
#define MAX_N 256

static size_t n_builtins; /* tn_activation_count() before any test registers more */

/* ---- Reference definitions --------------------------------------------------------------
 * Written from the torch.nn documentation in long double, deliberately naive (no stable
 * rewrites): long double's range (e^11356) holds e^x for every x tested. */

static ld ref_sigmoid(ld x) { return 1.0L / (1.0L + expl(-x)); }

/* f(x) and f'(x) of an element-wise module with hyper-parameters h; 0 if unknown. */
static int ref_eval(const char *name, const double *h, ld x, ld *f, ld *df)
{
    if (strcmp(name, "identity") == 0) {
        *f = x, *df = 1;
    } else if (strcmp(name, "binary_step") == 0) {
        *f = x >= 0 ? 1 : 0, *df = 0;
    } else if (strcmp(name, "sigmoid") == 0) {
        ld s = ref_sigmoid(x);
        *f = s, *df = s * (1 - s);
    } else if (strcmp(name, "bipolar_sigmoid") == 0) {
        ld e = expl(-x);
        *f = isinf(e) ? -1.0L : (1 - e) / (1 + e);
        *df = (1 - *f * *f) / 2;
    } else if (strcmp(name, "tanh") == 0) {
        *f = tanhl(x), *df = 1 - *f * *f;
    } else if (strcmp(name, "relu") == 0) {
        *f = x > 0 ? x : 0, *df = x > 0 ? 1 : 0;
    } else if (strcmp(name, "relu6") == 0) {
        *f = fminl(fmaxl(x, 0), 6), *df = (x > 0 && x < 6) ? 1 : 0;
    } else if (strcmp(name, "leaky_relu") == 0) {
        *f = x > 0 ? x : h[0] * x, *df = x > 0 ? 1 : h[0];
    } else if (strcmp(name, "prelu") == 0) { /* slope = "init" (the learnable's start) */
        *f = x > 0 ? x : h[1] * x, *df = x > 0 ? 1 : h[1];
    } else if (strcmp(name, "rrelu") == 0) { /* inference: mean slope */
        ld a = ((ld)h[0] + (ld)h[1]) / 2;
        *f = x >= 0 ? x : a * x, *df = x > 0 ? 1 : a;
    } else if (strcmp(name, "elu") == 0) {
        *f = x > 0 ? x : h[0] * (expl(x) - 1), *df = x > 0 ? 1 : h[0] * expl(x);
    } else if (strcmp(name, "selu") == 0) {
        *f = SELU_SCALE * (x > 0 ? x : SELU_ALPHA * (expl(x) - 1));
        *df = SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * expl(x));
    } else if (strcmp(name, "celu") == 0) {
        ld a = h[0];
        *f = fmaxl(0, x) + fminl(0, a * (expl(x / a) - 1));
        *df = x > 0 ? 1 : expl(x / a);
    } else if (strcmp(name, "gelu") == 0) {
        ld phi = 0.5L * (1 + erfl(x / sqrtl(2)));
        *f = x * phi;
        *df = phi + x * expl(-x * x / 2) / sqrtl(2 * LD_PI);
    } else if (strcmp(name, "gelu_tanh") == 0) {
        ld k = sqrtl(2 / LD_PI), t = tanhl(k * (x + 0.044715L * x * x * x));
        *f = 0.5L * x * (1 + t);
        *df = 0.5L * (1 + t) + 0.5L * x * (1 - t * t) * k * (1 + 3 * 0.044715L * x * x);
    } else if (strcmp(name, "silu") == 0) {
        ld s = ref_sigmoid(x);
        *f = x * s, *df = s + x * s * (1 - s);
    } else if (strcmp(name, "swish") == 0) {
        ld b = h[0], s = ref_sigmoid(b * x);
        *f = x * s, *df = s + b * x * s * (1 - s);
    } else if (strcmp(name, "mish") == 0) {
        ld t = tanhl(log1pl(expl(x)));
        *f = x * t, *df = t + x * (1 - t * t) * ref_sigmoid(x);
    } else if (strcmp(name, "softplus") == 0) {
        ld b = h[0], lin = b * x > (ld)h[1];
        *f = lin ? x : log1pl(expl(b * x)) / b;
        *df = lin ? 1 : ref_sigmoid(b * x);
    } else if (strcmp(name, "softsign") == 0) {
        *f = x / (1 + fabsl(x)), *df = 1 / ((1 + fabsl(x)) * (1 + fabsl(x)));
    } else if (strcmp(name, "hard_sigmoid") == 0) {
        *f = fminl(fmaxl(x + 3, 0), 6) / 6, *df = (x > -3 && x < 3) ? 1.0L / 6 : 0;
    } else if (strcmp(name, "hard_swish") == 0) {
        *f = x * fminl(fmaxl(x + 3, 0), 6) / 6;
        *df = x < -3 ? 0 : x <= 3 ? x / 3 + 0.5L : 1;
    } else {
        return 0;
    }
    return 1;
}

/* Row-wise modules: y over one row, and the vector-Jacobian product dx for upstream dy. */
static int ref_row(const char *name, const float *x, const float *dy, size_t cols, ld *y, ld *dx)
{
    int is_log = strcmp(name, "log_softmax") == 0;
    if (!is_log && strcmp(name, "softmax") != 0)
        return 0;
    ld sum = 0, dot = 0, dsum = 0;
    for (size_t j = 0; j < cols; j++)
        sum += expl(x[j]);
    for (size_t j = 0; j < cols; j++) {
        ld s = expl(x[j]) / sum;
        y[j] = is_log ? x[j] - logl(sum) : s;
        dot += (ld)dy[j] * s;
        dsum += dy[j];
    }
    for (size_t j = 0; j < cols; j++) {
        ld s = expl(x[j]) / sum;
        dx[j] = is_log ? dy[j] - s * dsum : s * (dy[j] - dot);
    }
    return 1;
}

static int ref_known(const char *name)
{
    double h[TN_ACT_MAX_PARAMS] = {1, 1, 1, 1};
    ld f, df;
    float x = 0, dy = 0;
    return ref_eval(name, h, 0, &f, &df) || ref_row(name, &x, &dy, 1, &f, &df);
}

/* ---- Helpers -------------------------------------------------------------------------- */

typedef struct {
    float hyper[TN_ACT_MAX_PARAMS];
    double h[TN_ACT_MAX_PARAMS]; /* the same, for the reference */
    float learn[MAX_N];
    tn_act_ctx ctx;
} setup;

/* Context for m over `cols` units: hyper (NULL = defaults), learnables at their init. */
static void make_ctx(setup *s, const tn_activation *m, const float *hyper, size_t cols,
                     int training, tn_rng *rng)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < m->n_params; i++) {
        s->hyper[i] = hyper ? hyper[i] : m->params[i].def;
        s->h[i] = s->hyper[i];
    }
    s->ctx.hyper = s->hyper;
    if (m->n_learnable) {
        size_t n = m->n_learnable(s->hyper, cols);
        ck_assert_msg(n >= 1 && n <= MAX_N, "%s: n_learnable = %zu", m->name, n);
        m->init_learnable(s->hyper, s->learn, n);
        s->ctx.learn = s->learn;
        s->ctx.n_learn = n;
    }
    s->ctx.training = training;
    s->ctx.rng = rng;
}

static int close_to(ld got, ld want, ld rtol, ld atol)
{
    return fabsl(got - want) <= rtol * fabsl(want) + atol;
}

static int is_rowwise(const tn_activation *m) { return (m->flags & TN_ACT_ROWWISE) != 0; }

/* -8..8 step 0.25, then large and extreme values. */
static size_t make_grid(float *g)
{
    static const float extra[] = {20, -20, 20.5f, -20.5f, 88, -88, 89, -89, 100, -100, 1e3f, -1e3f, 1e4f, -1e4f};
    size_t n = 0;
    for (int i = -32; i <= 32; i++)
        g[n++] = 0.25f * (float)i;
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
        g[n++] = extra[i];
    return n;
}

static double uniform(tn_rng *r, double lo, double hi) { return lo + (hi - lo) * tn__rng_uniform_d(r); }

/* ---- Values and closed-form derivative on the grid ------------------------------------ */

static void check_elementwise(const tn_activation *m, const float *hyper)
{
    float x[MAX_N], y[MAX_N], dx[MAX_N], ones[MAX_N];
    size_t n = make_grid(x);
    setup s;
    make_ctx(&s, m, hyper, n, 0, NULL);
    m->forward(&s.ctx, x, y, 1, n);
    for (size_t i = 0; i < n; i++)
        ones[i] = 1.0f;
    m->backward(&s.ctx, x, y, ones, dx, NULL, 1, n);
    for (size_t i = 0; i < n; i++) {
        ld f, df;
        ck_assert_msg(ref_eval(m->name, s.h, x[i], &f, &df), "%s: no reference", m->name);
        ck_assert_msg(close_to(y[i], f, VAL_RTOL, VAL_ATOL), "%s(%g) = %.9g, want %.12Lg",
                      m->name, (double)x[i], (double)y[i], f);
        ck_assert_msg(close_to(dx[i], df, VAL_RTOL, VAL_ATOL), "%s'(%g) = %.9g, want %.12Lg",
                      m->name, (double)x[i], (double)dx[i], df);
    }
    /* dx aliasing dy gives the same answer. */
    m->backward(&s.ctx, x, y, ones, ones, NULL, 1, n);
    ck_assert_msg(memcmp(ones, dx, n * sizeof *dx) == 0, "%s: in-place backward differs", m->name);
}

static void check_rowwise(const tn_activation *m)
{
    enum { COLS = 4 };
    float g[MAX_N], x[MAX_N], y[MAX_N], dy[MAX_N], dx[MAX_N];
    size_t ng = make_grid(g), rows = ng / COLS + 3, n = rows * COLS;
    tn_rng rng;
    tn__rng_seed(&rng, 7, 1);
    for (size_t i = 0; i < n; i++) { /* mix small and huge values within rows */
        x[i] = g[(i * 7) % ng];
        dy[i] = (float)uniform(&rng, -1, 1);
    }
    /* special rows: all equal; one dominating; a tie for the maximum */
    for (size_t j = 0; j < COLS; j++) {
        x[(rows - 3) * COLS + j] = 3.5f;
        x[(rows - 2) * COLS + j] = j == 0 ? 30.0f : -2.0f;
        x[(rows - 1) * COLS + j] = j < 2 ? 1e4f : -1e4f;
    }
    setup s;
    make_ctx(&s, m, NULL, COLS, 0, NULL);
    m->forward(&s.ctx, x, y, rows, COLS);
    m->backward(&s.ctx, x, y, dy, dx, NULL, rows, COLS);
    for (size_t r = 0; r < rows; r++) {
        ld fy[COLS], fdx[COLS];
        ck_assert_msg(ref_row(m->name, x + r * COLS, dy + r * COLS, COLS, fy, fdx),
                      "%s: no reference", m->name);
        for (size_t j = 0; j < COLS; j++) {
            size_t i = r * COLS + j;
            ck_assert_msg(close_to(y[i], fy[j], VAL_RTOL, VAL_ATOL),
                          "%s row %zu col %zu (x %g): got %.9g, want %.12Lg", m->name, r, j,
                          (double)x[i], (double)y[i], fy[j]);
            /* backward reads the rounded y, and dy - sum(dy*y) can cancel: looser */
            ck_assert_msg(close_to(dx[i], fdx[j], 1e-5L, 1e-6L),
                          "%s' row %zu col %zu (x %g): got %.9g, want %.12Lg", m->name, r, j,
                          (double)x[i], (double)dx[i], fdx[j]);
        }
    }
    memcpy(g, dy, n * sizeof *dy);
    m->backward(&s.ctx, x, y, g, g, NULL, rows, COLS);
    ck_assert_msg(memcmp(g, dx, n * sizeof *dx) == 0, "%s: in-place backward differs", m->name);
}

START_TEST(test_reference_values)
{
    const tn_activation *m = tn_activation_at((size_t)_i);
    ck_assert_ptr_nonnull(m);
    ck_assert_msg(ref_known(m->name), "built-in '%s' has no reference in test_act.c", m->name);
    if (is_rowwise(m))
        check_rowwise(m);
    else
        check_elementwise(m, NULL);
}
END_TEST

/* ---- Finite-difference gradient check -------------------------------------------------- */

static int near_kink(double x)
{
    static const double kinks[] = {0, -3, 3, 6};
    for (size_t k = 0; k < sizeof kinks / sizeof kinks[0]; k++)
        if (fabs(x - kinks[k]) < 0.05)
            return 1;
    return 0;
}

/* L = sum(dy * f(x)) in double over the block. */
static double loss(const tn_activation *m, const tn_act_ctx *c, const float *x, const float *dy,
                   float *y, size_t rows, size_t cols)
{
    m->forward(c, x, y, rows, cols);
    double l = 0;
    for (size_t i = 0; i < rows * cols; i++)
        l += (double)dy[i] * (double)y[i];
    return l;
}

/* Error the float rounding of y can put into a central difference with step h: half an
 * ulp of each output that changed, weighted by |dy|. */
static double roundoff(const float *dy, const float *yp, const float *ym, size_t n, double h)
{
    double b = 0;
    for (size_t k = 0; k < n; k++)
        if (yp[k] != ym[k])
            b += fabs(dy[k]) * (fabs(yp[k]) + fabs(ym[k])) * FLT_EPSILON / 2;
    return b / h;
}

START_TEST(test_gradient_fd)
{
    enum { ROWS = 3, COLS = 5, N = ROWS * COLS };
    const float eps = 1e-3f;
    const tn_activation *m = tn_activation_at((size_t)_i);
    float x[N], dy[N], dx[N], y[N], yp[N], ym[N];
    tn_rng rng;
    tn__rng_seed(&rng, 1234, (uint64_t)_i);
    for (size_t i = 0; i < N; i++) {
        do
            x[i] = (float)uniform(&rng, -4, 4);
        while (near_kink(x[i]));
        dy[i] = (float)uniform(&rng, -1, 1);
    }
    setup s;
    make_ctx(&s, m, NULL, COLS, 0, NULL);
    m->forward(&s.ctx, x, y, ROWS, COLS);
    m->backward(&s.ctx, x, y, dy, dx, NULL, ROWS, COLS);
    int nontrivial = 0;
    for (size_t i = 0; i < N; i++) {
        float x0 = x[i];
        x[i] = x0 + eps;
        float xp = x[i];
        double lp = loss(m, &s.ctx, x, dy, yp, ROWS, COLS);
        x[i] = x0 - eps;
        float xm = x[i];
        double lm = loss(m, &s.ctx, x, dy, ym, ROWS, COLS);
        x[i] = x0;
        double h = (double)xp - (double)xm; /* the step actually taken in float */
        double num = (lp - lm) / h, ana = dx[i];
        double tol = 1e-2 * fmax(fabs(num), fabs(ana)) + roundoff(dy, yp, ym, N, h) + 1e-6;
        ck_assert_msg(fabs(num - ana) <= tol,
                      "%s: d/dx at x = %g (dy %g): backward %.7g, finite difference %.7g",
                      m->name, (double)x0, (double)dy[i], ana, num);
        if (m->flags & TN_ACT_ZERO_GRAD)
            ck_assert_msg(ana == 0.0, "%s: nonzero gradient %g at x = %g", m->name, ana,
                          (double)x0);
        nontrivial += fabs(ana) > 1e-2;
    }
    if (!(m->flags & TN_ACT_ZERO_GRAD))
        ck_assert_msg(nontrivial >= N / 2, "%s: gradient is trivially small (%d of %d checked)",
                      m->name, nontrivial, N);
}
END_TEST

/* ---- Extremes: finite everywhere, parameters at defaults and at both range ends -------- */

static void check_finite(const tn_activation *m, const float *hyper, const char *what)
{
    static const float xs[] = {1e4f, -1e4f, 1e3f, -1e3f, 88, -88, 89, -89, 20.5f, -20.5f, 0};
    enum { N = sizeof xs / sizeof xs[0] };
    float y[N], dy[N], dx[N];
    for (size_t i = 0; i < N; i++)
        dy[i] = (i % 2) ? -1.5f : 1.0f;
    /* one row of all values, and each value alone in its row */
    for (size_t shape = 0; shape < 2; shape++) {
        size_t rows = shape ? N : 1, cols = shape ? 1 : N;
        setup s;
        make_ctx(&s, m, hyper, cols, 0, NULL);
        m->forward(&s.ctx, xs, y, rows, cols);
        m->backward(&s.ctx, xs, y, dy, dx, NULL, rows, cols);
        for (size_t i = 0; i < N; i++) {
            ck_assert_msg(isfinite(y[i]), "%s (%s): y(%g) = %g", m->name, what, (double)xs[i],
                          (double)y[i]);
            ck_assert_msg(isfinite(dx[i]), "%s (%s): dx(%g) = %g", m->name, what,
                          (double)xs[i], (double)dx[i]);
        }
    }
}

START_TEST(test_extremes_finite)
{
    const tn_activation *m = tn_activation_at((size_t)_i);
    check_finite(m, NULL, "defaults");
    for (int p = 0; p < m->n_params; p++) {
        float h[TN_ACT_MAX_PARAMS];
        for (int k = 0; k < m->n_params; k++)
            h[k] = m->params[k].def;
        char what[64];
        h[p] = m->params[p].min;
        snprintf(what, sizeof what, "%s = %g", m->params[p].name, (double)h[p]);
        check_finite(m, h, what);
        h[p] = m->params[p].max;
        snprintf(what, sizeof what, "%s = %g", m->params[p].name, (double)h[p]);
        check_finite(m, h, what);
    }
}
END_TEST

/* ---- Metadata ---------------------------------------------------------------------- */

static int one_ascii_line(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7e)
            return 0;
    return 1;
}

static const char *expected_init(const char *name)
{
    static const char *he[] = {"relu", "relu6", "leaky_relu", "prelu", "rrelu", "elu", "celu",
                               "gelu", "gelu_tanh", "silu", "swish", "mish", "hard_swish"};
    for (size_t i = 0; i < sizeof he / sizeof he[0]; i++)
        if (strcmp(name, he[i]) == 0)
            return "he_uniform";
    return strcmp(name, "selu") == 0 ? "lecun_normal" : NULL;
}

START_TEST(test_metadata)
{
    const tn_activation *m = tn_activation_at((size_t)_i);
    ck_assert_msg(one_ascii_line(m->formula), "%s: formula", m->name);
    ck_assert_msg(one_ascii_line(m->range), "%s: range", m->name);
    const char *want = expected_init(m->name);
    ck_assert_msg(want ? (m->default_init && strcmp(m->default_init, want) == 0) : !m->default_init,
                  "%s: default_init %s, want %s", m->name,
                  m->default_init ? m->default_init : "NULL", want ? want : "NULL");
    ck_assert_int_ge(m->n_params, 0);
    ck_assert_int_le(m->n_params, TN_ACT_MAX_PARAMS);
    for (int p = 0; p < m->n_params; p++)
        ck_assert_msg(m->params[p].min <= m->params[p].def && m->params[p].def <= m->params[p].max,
                      "%s: param %s default out of range", m->name, m->params[p].name);
    ck_assert(!m->n_learnable == !m->init_learnable);
    ck_assert_msg(tn_activation_find(m->name) == m, "%s: find does not return it", m->name);
}
END_TEST

/* ---- Non-default parameters ---------------------------------------------------------- */

START_TEST(test_params)
{
    static const struct { const char *name; float h[2]; } cases[] = {
        {"leaky_relu", {0.1f}}, {"softplus", {2.0f, 20.0f}}, {"swish", {2.0f}},
        {"elu", {0.5f}}, {"celu", {0.5f}}, {"softplus", {0.5f, 5.0f}}, {"rrelu", {0.1f, 0.3f}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const tn_activation *m = tn_activation_find(cases[k].name);
        ck_assert_msg(m != NULL, "%s missing", cases[k].name);
        check_elementwise(m, cases[k].h);
    }
    /* hyper = NULL means the defaults */
    const tn_activation *m = tn_activation_find("leaky_relu");
    float x = -2.0f, y = 0;
    tn_act_ctx c = {0};
    m->forward(&c, &x, &y, 1, 1);
    ck_assert_float_eq_tol(y, -0.02f, 1e-9f);
}
END_TEST

/* ---- prelu: learnable slope ------------------------------------------------------------ */

static void check_prelu_dlearn(int per_unit)
{
    enum { ROWS = 4, COLS = 3, N = ROWS * COLS };
    const tn_activation *m = tn_activation_find("prelu");
    ck_assert_ptr_nonnull(m);
    float hyper[2] = {(float)per_unit, 0.25f}, x[N], dy[N], y[N], dx[N];
    float dlearn[COLS] = {0.5f, 0.5f, 0.5f};
    tn_rng rng;
    tn__rng_seed(&rng, 99, 3);
    for (size_t i = 0; i < N; i++) {
        x[i] = (float)uniform(&rng, -3, 3);
        dy[i] = (float)uniform(&rng, -1, 1);
    }
    setup s;
    make_ctx(&s, m, hyper, COLS, 1, NULL);
    size_t nl = s.ctx.n_learn;
    ck_assert_uint_eq(nl, per_unit ? COLS : 1);
    for (size_t k = 0; k < nl; k++) /* distinct slopes, so a mixed-up index shows */
        s.learn[k] = 0.1f + 0.1f * (float)k;
    m->forward(&s.ctx, x, y, ROWS, COLS);
    m->backward(&s.ctx, x, y, dy, dx, dlearn, ROWS, COLS);
    float once[COLS];
    memcpy(once, dlearn, sizeof once);
    m->backward(&s.ctx, x, y, dy, dx, dlearn, ROWS, COLS);
    const double eps = 1e-3;
    for (size_t k = 0; k < nl; k++) {
        float a0 = s.learn[k];
        s.learn[k] = (float)(a0 + eps);
        double lp = loss(m, &s.ctx, x, dy, y, ROWS, COLS);
        s.learn[k] = (float)(a0 - eps);
        double lm = loss(m, &s.ctx, x, dy, y, ROWS, COLS);
        double h = (double)(float)(a0 + eps) - (double)(float)(a0 - eps);
        s.learn[k] = a0;
        double num = (lp - lm) / h, got = once[k] - 0.5;
        ck_assert_msg(fabs(num) > 1e-2, "prelu: trivial dlearn[%zu]", k);
        ck_assert_msg(fabs(got - num) <= 1e-2 * fabs(num) + 1e-4,
                      "prelu per_unit=%d: dlearn[%zu] = %g, finite difference %g", per_unit, k,
                      got, num);
        /* added, not assigned */
        ck_assert_msg(fabs((dlearn[k] - 0.5) - 2 * got) <= 1e-5 * fabs(got) + 1e-6,
                      "prelu: dlearn[%zu] does not accumulate (%g after two calls)", k,
                      (double)dlearn[k]);
    }
    for (size_t k = nl; k < COLS; k++)
        ck_assert_msg(dlearn[k] == 0.5f, "prelu: wrote dlearn[%zu] beyond n_learn", k);
    /* dx: slope of the element's own column */
    for (size_t i = 0; i < N; i++) {
        double a = s.learn[per_unit ? i % COLS : 0];
        double want = x[i] > 0 ? dy[i] : a * dy[i];
        ck_assert_msg(fabs(dx[i] - want) <= 1e-6 * fabs(want) + 1e-7, "prelu dx[%zu]", i);
    }
}

START_TEST(test_prelu_shared) { check_prelu_dlearn(0); }
END_TEST

START_TEST(test_prelu_per_unit) { check_prelu_dlearn(1); }
END_TEST

/* ---- rrelu: random slope in training, mean slope in inference -------------------------- */

START_TEST(test_rrelu_modes)
{
    enum { N = 200 };
    const tn_activation *m = tn_activation_find("rrelu");
    ck_assert_ptr_nonnull(m);
    ck_assert(m->flags & TN_ACT_RANDOM);
    const double lo = m->params[0].def, hi = m->params[1].def;
    float x[N], y[N], y2[N], dy[N], dx[N];
    for (size_t i = 0; i < N; i++) {
        x[i] = (i % 4 == 3) ? 0.5f + (float)i : -0.5f - 0.01f * (float)i;
        dy[i] = 1.0f;
    }
    tn_rng r1, r2;
    tn__rng_seed(&r1, 42, TN_STREAM_NOISE);
    tn__rng_seed(&r2, 42, TN_STREAM_NOISE);
    setup s;
    make_ctx(&s, m, NULL, N, 1, &r1);
    m->forward(&s.ctx, x, y, 1, N);
    m->backward(&s.ctx, x, y, dy, dx, NULL, 1, N);
    double first = -1;
    int differ = 0;
    for (size_t i = 0; i < N; i++) {
        if (x[i] > 0) {
            ck_assert_msg(y[i] == x[i] && dx[i] == 1.0f, "rrelu: positive x changed");
            continue;
        }
        double a = (double)y[i] / x[i];
        ck_assert_msg(a >= lo - 1e-6 && a <= hi + 1e-6, "rrelu: slope %g outside [%g, %g]", a,
                      lo, hi);
        ck_assert_msg(fabs(dx[i] - a) <= 1e-6 * a, "rrelu: backward slope %g, forward %g",
                      (double)dx[i], a);
        if (first < 0)
            first = a;
        differ += fabs(a - first) > 1e-4;
    }
    ck_assert_msg(differ > N / 2, "rrelu: slopes do not vary (%d differ)", differ);
    /* same seed, same output */
    s.ctx.rng = &r2;
    m->forward(&s.ctx, x, y2, 1, N);
    ck_assert(memcmp(y, y2, sizeof y) == 0);
    /* inference: the mean slope, no draws */
    tn_rng before = r2;
    s.ctx.training = 0;
    m->forward(&s.ctx, x, y2, 1, N);
    m->backward(&s.ctx, x, y2, dy, dx, NULL, 1, N);
    ck_assert(memcmp(&before, &r2, sizeof before) == 0);
    for (size_t i = 0; i < N; i++)
        if (x[i] < 0) {
            ck_assert_msg(fabs(y2[i] - (lo + hi) / 2 * x[i]) <= 1e-6 * fabs(x[i]), "rrelu eval y");
            ck_assert_msg(fabs(dx[i] - (lo + hi) / 2) <= 1e-6, "rrelu eval dx");
        }
}
END_TEST

/* ---- Registry -------------------------------------------------------------------------- */

static void cube_forward(const tn_act_ctx *c, const float *x, float *y, size_t rows, size_t cols)
{
    float k = c && c->hyper ? c->hyper[0] : 1.0f;
    for (size_t i = 0; i < rows * cols; i++)
        y[i] = k * x[i] * x[i] * x[i];
}

static void cube_backward(const tn_act_ctx *c, const float *x, const float *y, const float *dy,
                          float *dx, float *dlearn, size_t rows, size_t cols)
{
    (void)y, (void)dlearn;
    float k = c && c->hyper ? c->hyper[0] : 1.0f;
    for (size_t i = 0; i < rows * cols; i++)
        dx[i] = 3 * k * x[i] * x[i] * dy[i];
}

static size_t one_learnable(const float *hyper, size_t cols) { (void)hyper, (void)cols; return 1; }

static int register_fails(const tn_activation *m, const char *msg_part)
{
    tn_error err = {0};
    int rc = tn_activation_register(m, &err);
    ck_assert_msg(rc == TN_EINVAL, "expected TN_EINVAL, got %d", rc);
    ck_assert_int_eq(err.code, TN_EINVAL);
    ck_assert_msg(strstr(err.msg, msg_part) != NULL, "message '%s' lacks '%s'", err.msg,
                  msg_part);
    return 1;
}

START_TEST(test_registry)
{
    /* The modules are the registry's, as the public listing names them (not a copy of
     * the list here, which a new module would make stale): each is found by its name. */
    size_t n0 = tn_activation_count();
    ck_assert_uint_gt(n0, 0);
    ck_assert_uint_eq(tn_extension_count(TN_EXT_ACTIVATION), n0);
    for (size_t i = 0; i < n0; i++) {
        const char *name = tn_extension_name(TN_EXT_ACTIVATION, i);
        ck_assert_ptr_nonnull(name);
        const tn_activation *m = tn_activation_find(name);
        ck_assert_msg(m && strcmp(m->name, name) == 0 && m == tn_activation_at(i),
                      "'%s' not found", name);
    }
    for (size_t i = 0; i < n0; i++)
        for (size_t j = i + 1; j < n0; j++)
            ck_assert_str_ne(tn_activation_at(i)->name, tn_activation_at(j)->name);
    ck_assert_ptr_null(tn_activation_find("ReLU"));
    ck_assert_ptr_null(tn_activation_find("relu "));
    ck_assert_ptr_null(tn_activation_find("logistic"));
    ck_assert_ptr_null(tn_activation_find(""));
    ck_assert_ptr_null(tn_activation_find(NULL));
    ck_assert_ptr_null(tn_activation_at(n0));

    static const tn_activation cube = {
        .name = "test_cube", .formula = "y = k * x^3", .range = "(-inf, inf)",
        .n_params = 1, .params = {{.name = "k", .def = 1.0f, .min = 0.0f, .max = 10.0f}},
        .forward = cube_forward, .backward = cube_backward};
    tn_error err = {0};
    ck_assert_int_eq(tn_activation_register(&cube, &err), TN_OK);
    ck_assert_ptr_eq(tn_activation_find("test_cube"), &cube);
    ck_assert_uint_eq(tn_activation_count(), n0 + 1);
    ck_assert_ptr_eq(tn_activation_at(n0), &cube);
    float h = 2.0f, x = 3.0f, y = 0;
    tn_act_ctx c = {.hyper = &h};
    tn_activation_find("test_cube")->forward(&c, &x, &y, 1, 1);
    ck_assert_float_eq(y, 54.0f);

    /* rejections */
    register_fails(&cube, "already registered");
    tn_activation bad = cube;
    bad.name = "relu";
    register_fails(&bad, "already registered");
    bad.name = "";
    register_fails(&bad, "no name");
    bad.name = NULL;
    register_fails(&bad, "no name");
    register_fails(NULL, "NULL");
    bad = cube, bad.name = "test_nofwd", bad.forward = NULL;
    register_fails(&bad, "forward is NULL");
    bad = cube, bad.name = "test_nobwd", bad.backward = NULL;
    register_fails(&bad, "backward is NULL");
    bad = cube, bad.name = "test_baddef", bad.params[0].def = 11.0f;
    register_fails(&bad, "default 11 is outside its range [0, 10]");
    bad = cube, bad.name = "test_nandef", bad.params[0].def = NAN;
    register_fails(&bad, "outside its range");
    bad = cube, bad.name = "test_badrange", bad.params[0].min = 5, bad.params[0].max = 1,
    bad.params[0].def = 3;
    register_fails(&bad, "invalid range");
    bad = cube, bad.name = "test_noparamname", bad.params[0].name = NULL;
    register_fails(&bad, "has no name");
    bad = cube, bad.name = "test_nparams", bad.n_params = TN_ACT_MAX_PARAMS + 1;
    register_fails(&bad, "n_params");
    bad = cube, bad.name = "test_learn", bad.n_learnable = one_learnable;
    register_fails(&bad, "n_learnable and init_learnable");
    bad = cube, bad.name = "test_flags", bad.flags = 1u << 10;
    register_fails(&bad, "unknown flags");
    ck_assert_uint_eq(tn_activation_count(), n0 + 1);
    ck_assert_ptr_null(tn_activation_find("test_nofwd"));
    tn_activation_register(&cube, NULL); /* err may be NULL */

    /* the custom table is bounded, with a clear message */
    static tn_activation many[80];
    static char many_names[80][16];
    int rc = TN_OK;
    size_t k = 0;
    for (; k < 80 && rc == TN_OK; k++) {
        snprintf(many_names[k], sizeof many_names[k], "test_m%zu", k);
        many[k] = cube;
        many[k].name = many_names[k];
        rc = tn_activation_register(&many[k], &err);
    }
    ck_assert_int_eq(rc, TN_EINVAL);
    ck_assert_msg(strstr(err.msg, "too many custom activations"), "message: %s", err.msg);
    ck_assert_uint_eq(k - 1, 63); /* test_cube holds the first of the 64 slots */
    ck_assert_uint_eq(tn_activation_count(), n0 + 64);
}
END_TEST

Suite *tn_check_suite(void)
{
    /* Before any test registers more: the loops below cover the registered modules. */
    n_builtins = tn_activation_count();
    Suite *s = suite_create("act");
    int n = (int)n_builtins;

    TCase *tc = tcase_create("reference");
    tcase_add_loop_test(tc, test_reference_values, 0, n);
    tcase_add_loop_test(tc, test_metadata, 0, n);
    tcase_add_test(tc, test_params);
    suite_add_tcase(s, tc);

    tc = tcase_create("gradient");
    tcase_add_loop_test(tc, test_gradient_fd, 0, n);
    tcase_add_test(tc, test_prelu_shared);
    tcase_add_test(tc, test_prelu_per_unit);
    suite_add_tcase(s, tc);

    tc = tcase_create("extremes");
    tcase_add_loop_test(tc, test_extremes_finite, 0, n);
    suite_add_tcase(s, tc);

    tc = tcase_create("rrelu");
    tcase_add_test(tc, test_rrelu_modes);
    suite_add_tcase(s, tc);

    /* last: it registers modules, which in CK_FORK=no mode would persist */
    tc = tcase_create("registry");
    tcase_add_test(tc, test_registry);
    suite_add_tcase(s, tc);
    return s;
}
