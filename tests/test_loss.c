/* Losses: every registered loss is checked generically (finite values, batch sums, the
 * gradient against central differences of its own value, fused against unfused), so a new
 * loss is covered without editing this file; huber against hand-computed values and
 * through its JSON form. */
#include "loss/loss.h"

#include "tn_check.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define B 3     /* batch rows */
#define W 4     /* outputs per row */
#define H 1e-3  /* central-difference step */

static tn_loss defaults(const tn_loss_ops *ops)
{
    tn_loss l = {ops, {0}, 0};
    for (int i = 0; i < ops->n_params; i++)
        l.param[i] = ops->params[i].def;
    return l;
}

/* y = act(z) row-wise, with the module's default hyper-parameters; NULL act: y = z. */
static void apply(const tn_activation *act, const float *z, float *y, size_t rows, size_t cols)
{
    if (!act) {
        memcpy(y, z, rows * cols * sizeof *y);
        return;
    }
    float hyper[TN_ACT_MAX_PARAMS] = {0};
    for (int i = 0; i < act->n_params; i++)
        hyper[i] = act->params[i].def;
    tn_act_ctx c = {.hyper = hyper};
    act->forward(&c, z, y, rows, cols);
}

/* Logits: varied signs and sizes, no two equal in a row (no ties for argmax-like losses). */
static void logits(float *z)
{
    for (int j = 0; j < B * W; j++)
        z[j] = (float)(1.7 * sin(1.3 * j + 0.4) + 0.3 * (j % 3) - 0.2);
}

/* Targets as the module's kind demands: any numbers; 0/1 labels; class indices (tw = 1,
 * form 0), one-hot rows (form 1) or probability rows summing to 1 (form 2; both tw = W).
 * Returns tw. */
enum { CLASS_FORMS = 3 };
static size_t targets(int kind, int form, float *t)
{
    switch (kind) {
    case TN_TARGET_PROB:
        for (int j = 0; j < B * W; j++)
            t[j] = (float)((j * 7 + 3) % 5 < 2);
        return W;
    case TN_TARGET_CLASS:
        for (int i = 0; i < B; i++) {
            int k = (i * 3 + 1) % W;
            if (form == 0)
                t[i] = (float)k;
            for (int c = 0; form > 0 && c < W; c++) /* soft: 0.5 on k, the rest shared */
                t[i * W + c] = form == 1 ? (float)(c == k) : c == k ? 0.5f : 0.5f / (W - 1);
        }
        return form ? W : 1;
    default:
        for (int j = 0; j < B * W; j++)
            t[j] = (float)(1.1 * cos(0.9 * j) - 0.15);
        return W;
    }
}

/* The value of l at x (y when fused is 0, else the logits z). */
static double value(const tn_loss *l, const tn_activation *act, int fused, const float *x,
                    const float *t, size_t tw, size_t rows)
{
    return fused ? l->ops->eval_fused(l, x, t, tw, rows, W, NULL)
                 : l->ops->eval(l, act, x, t, tw, rows, W, NULL);
}

/* The value / B with coordinate j moved to x[j] + h (rounded to float); *step receives the
 * move actually made, so difference quotients are exact up to the loss's own curvature. */
static double moved(const tn_loss *l, const tn_activation *act, int fused, float *x,
                    const float *t, size_t tw, size_t j, double h, double *step)
{
    float keep = x[j];
    x[j] = (float)(keep + h);
    *step = (double)x[j] - keep;
    double v = value(l, act, fused, x, t, tw, B) / B;
    x[j] = keep;
    return v;
}

/* Checks one loss with output activation act on one batch: the value is finite and the same
 * with and without a gradient, it is the sum of the per-row values, and the gradient (of
 * the batch mean) matches central differences wherever the loss is smooth near the point:
 * the one-sided differences agree (a kink within h: they differ by its jump) and so do the
 * central ones with steps h and h / 2. */
static void check_case(const tn_loss *l, const tn_activation *act, int fused, const float *x0,
                       const float *t, size_t tw, const char *what)
{
    const char *name = l->ops->name;
    float x[B * W], g[B * W];
    memcpy(x, x0, sizeof x);
    for (int j = 0; j < B * W; j++)
        g[j] = NAN;
    double v = fused ? l->ops->eval_fused(l, x, t, tw, B, W, g)
                     : l->ops->eval(l, act, x, t, tw, B, W, g);
    ck_assert_msg(isfinite(v), "%s (%s): value %g", name, what, v);
    ck_assert_msg(memcmp(x, x0, sizeof x) == 0, "%s (%s): the input was written", name, what);
    double v0 = value(l, act, fused, x, t, tw, B);
    ck_assert_msg(v0 == v, "%s (%s): %.17g without a gradient, %.17g with", name, what, v0, v);
    double rows = 0;
    for (int i = 0; i < B; i++)
        rows += value(l, act, fused, x + i * W, t + i * tw, tw, 1);
    ck_assert_msg(fabs(rows - v) <= 1e-12 * fabs(v) + 1e-12,
                  "%s (%s): batch value %.17g, sum of rows %.17g", name, what, v, rows);
    int checked = 0;
    for (size_t j = 0; j < B * W; j++) {
        ck_assert_msg(isfinite(g[j]), "%s (%s): gradient[%zu] = %g", name, what, j, g[j]);
        double su, sd, hu, hd, f0 = v / B;
        double fu = moved(l, act, fused, x, t, tw, j, H, &su);
        double fd = moved(l, act, fused, x, t, tw, j, -H, &sd);
        double fu2 = moved(l, act, fused, x, t, tw, j, H / 2, &hu);
        double fd2 = moved(l, act, fused, x, t, tw, j, -H / 2, &hd);
        double fwd = (fu - f0) / su, bwd = (f0 - fd) / -sd;
        double c1 = (fu - fd) / (su - sd), c2 = (fu2 - fd2) / (hu - hd);
        double tol = 1e-3 * fabs(c2) + 1e-6;
        if (fabs(fwd - bwd) > 0.1 * (fabs(fwd) + fabs(bwd)) + 1e-4 || fabs(c1 - c2) > tol)
            continue; /* not smooth within h of this point */
        checked++;
        ck_assert_msg(fabs(g[j] - c2) <= tol, "%s (%s): gradient[%zu] = %.9g, differences %.9g",
                      name, what, j, g[j], c2);
    }
    /* Kinks are isolated: a test that skipped most outputs would test nothing. */
    ck_assert_msg(checked >= B * W * 3 / 4, "%s (%s): only %d of %d outputs smooth", name, what,
                  checked, B * W);
}

/* The output activations to try a loss with: those its check accepts (NULL: none), or,
 * when it has no check or takes probabilities (which most activations' outputs are not),
 * none and the one it fuses with. */
static size_t output_acts(const tn_loss *l, const tn_activation **acts, size_t max)
{
    size_t n = 0;
    if (!l->ops->check_output || l->ops->target == TN_TARGET_PROB) {
        acts[n++] = NULL;
        if (l->ops->fused_with)
            acts[n++] = l->ops->fused_with;
        return n;
    }
    if (tn__loss_check_output(l, NULL, NULL) == TN_OK)
        acts[n++] = NULL;
    for (size_t i = 0; i < tn_activation_count() && n < max; i++) {
        const tn_activation *a = tn_activation_at(i);
        if (!a->n_learnable && !(a->flags & TN_ACT_RANDOM) &&
            tn__loss_check_output(l, a, NULL) == TN_OK)
            acts[n++] = a;
    }
    return n;
}

START_TEST(every_loss_gradient_matches_differences)
{
    for (size_t i = 0; i < tn__loss_ops_count(); i++) {
        const tn_loss_ops *ops = tn__loss_ops_at(i);
        tn_loss l = defaults(ops);
        const tn_activation *acts[64];
        size_t n_acts = output_acts(&l, acts, 64);
        ck_assert_msg(n_acts > 0, "%s accepts no output activation", ops->name);
        if (ops->fused_with) {
            /* Fusion is by module identity: the registry must hand out that very module. */
            ck_assert_ptr_eq(tn_activation_find(ops->fused_with->name), ops->fused_with);
            ck_assert_ptr_nonnull(ops->eval_fused);
            ck_assert_int_eq(tn__loss_check_output(&l, ops->fused_with, NULL), TN_OK);
        }
        int forms = ops->target == TN_TARGET_CLASS ? CLASS_FORMS : 1;
        for (int form = 0; form < forms; form++) {
            float z[B * W], y[B * W], t[B * W];
            size_t tw = targets(ops->target, form, t);
            logits(z);
            for (size_t a = 0; a < n_acts; a++) {
                const tn_activation *act = acts[a];
                apply(act, z, y, B, W);
                if (!act && ops->target == TN_TARGET_PROB) /* probabilities for a 0/1 loss */
                    for (int j = 0; j < B * W; j++)
                        y[j] = 0.1f + 0.8f / (1.0f + expf(-z[j]));
                char what[96];
                snprintf(what, sizeof what, "output %s, target form %d", act ? act->name : "none",
                         form);
                check_case(&l, act, 0, y, t, tw, what);
                if (act && act == ops->fused_with) {
                    snprintf(what, sizeof what, "fused with %s, target form %d", act->name,
                             form);
                    check_case(&l, act, 1, z, t, tw, what);
                    /* The fused value is the loss of act(z). */
                    double vf = ops->eval_fused(&l, z, t, tw, B, W, NULL);
                    double vu = ops->eval(&l, act, y, t, tw, B, W, NULL);
                    ck_assert_msg(fabs(vf - vu) <= 1e-5 * fabs(vf) + 1e-6,
                                  "%s: fused %.9g, unfused %.9g", ops->name, vf, vu);
                }
            }
        }
    }
}
END_TEST

/* From logits of +-100 a fused loss stays finite, gradient included. */
START_TEST(fused_losses_are_finite_at_large_logits)
{
    for (size_t i = 0; i < tn__loss_ops_count(); i++) {
        const tn_loss_ops *ops = tn__loss_ops_at(i);
        if (!ops->fused_with)
            continue;
        tn_loss l = defaults(ops);
        float z[B * W], t[B * W], g[B * W];
        for (int j = 0; j < B * W; j++)
            z[j] = (j * 5) % 3 == 0 ? 100.0f : -100.0f;
        int forms = ops->target == TN_TARGET_CLASS ? CLASS_FORMS : 1;
        for (int form = 0; form < forms; form++) {
            size_t tw = targets(ops->target, form, t);
            double v = ops->eval_fused(&l, z, t, tw, B, W, g);
            ck_assert_msg(isfinite(v), "%s: %g", ops->name, v);
            for (int j = 0; j < B * W; j++)
                ck_assert_msg(isfinite(g[j]), "%s: gradient[%d] = %g", ops->name, j, g[j]);
        }
    }
}
END_TEST

START_TEST(registry_names_unique_and_found)
{
    size_t n = tn__loss_ops_count();
    ck_assert_uint_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        const tn_loss_ops *ops = tn__loss_ops_at(i);
        ck_assert_ptr_nonnull(ops);
        ck_assert_ptr_nonnull(ops->name);
        ck_assert_ptr_nonnull(ops->eval);
        ck_assert_ptr_eq(tn__loss_ops_find(ops->name), ops);
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(tn__loss_ops_at(j)->name, ops->name);
        ck_assert_int_le(ops->n_params, TN_LOSS_MAX_PARAMS);
        for (int p = 0; p < ops->n_params; p++) /* defaults inside (lo, hi] */
            ck_assert_msg(ops->params[p].def > ops->params[p].lo &&
                          ops->params[p].def <= ops->params[p].hi, "%s.%s", ops->name,
                          ops->params[p].name);
        /* A fused form needs the activation it fuses with, and the reverse. */
        ck_assert_int_eq(ops->fused_with != NULL, ops->eval_fused != NULL);
    }
    ck_assert_ptr_null(tn__loss_ops_at(n));
    ck_assert_ptr_null(tn__loss_ops_find("no such loss"));
    ck_assert_ptr_null(tn__loss_ops_find(NULL));
}
END_TEST

/* ---- JSON ------------------------------------------------------------------------------ */

/* Parses the text {"loss": ...}; err receives the message. */
static int parse_loss(const char *text, tn_loss *out, tn_error *err)
{
    cJSON *root;
    tn_error perr = {0};
    ck_assert_msg(tn__jr_parse("x.json", text, strlen(text), &root, &perr) == TN_OK, "%s",
                  perr.msg);
    tn_jr r;
    memset(err, 0, sizeof *err);
    tn__jr_init(&r, "x.json", err);
    int rc = tn__loss_parse(&r, root, "loss", out);
    cJSON_Delete(root);
    return rc;
}

/* Every loss, described, parses back to itself: a name, or an object with its parameters. */
START_TEST(every_loss_describe_round_trips)
{
    for (size_t i = 0; i < tn__loss_ops_count(); i++) {
        const tn_loss_ops *ops = tn__loss_ops_at(i);
        tn_loss l = defaults(ops), back;
        for (int p = 0; p < ops->n_params; p++) { /* not the default: the value is written */
            const tn_loss_param *q = &ops->params[p];
            l.param[p] = q->def < q->hi ? 0.5 * (q->def + q->hi) : 0.5 * (q->lo + q->def);
        }
        cJSON *root = cJSON_CreateObject();
        ck_assert_int_eq(tn__loss_describe(&l, root, "loss"), TN_OK);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "loss");
        if (ops->n_params == 0)
            ck_assert(cJSON_IsString(v));
        else
            ck_assert(cJSON_IsObject(v));
        char *text = cJSON_PrintUnformatted(root);
        tn_error err;
        ck_assert_msg(parse_loss(text, &back, &err) == TN_OK, "%s: %s: %s", ops->name, text,
                      err.msg);
        ck_assert_ptr_eq(back.ops, ops);
        for (int p = 0; p < ops->n_params; p++)
            ck_assert_double_eq(back.param[p], l.param[p]);
        free(text);
        cJSON_Delete(root);
    }
}
END_TEST

START_TEST(huber_parses_and_describes)
{
    tn_loss l;
    tn_error err;
    ck_assert_msg(parse_loss("{\"loss\": {\"type\": \"huber\", \"delta\": 0.5}}", &l, &err) ==
                  TN_OK, "%s", err.msg);
    ck_assert_ptr_eq(l.ops, tn__loss_ops_find("huber"));
    ck_assert_double_eq(l.param[0], 0.5);
    ck_assert_int_eq(parse_loss("{\"loss\": \"huber\"}", &l, &err), TN_OK);
    ck_assert_double_eq(l.param[0], 1.0); /* torch's default */
    ck_assert_int_eq(parse_loss("{\"loss\": {\"type\": \"huber\"}}", &l, &err), TN_OK);
    ck_assert_double_eq(l.param[0], 1.0);

    /* described: {"type": "huber", "delta": 0.5} and nothing else */
    ck_assert_int_eq(parse_loss("{\"loss\": {\"type\": \"huber\", \"delta\": 0.5}}", &l, &err),
                     TN_OK);
    cJSON *root = cJSON_CreateObject();
    ck_assert_int_eq(tn__loss_describe(&l, root, "loss"), TN_OK);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "loss");
    ck_assert(cJSON_IsObject(v));
    ck_assert_int_eq(cJSON_GetArraySize(v), 2);
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "type")), "huber");
    ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(v, "delta")), 0.5);
    cJSON_Delete(root);
}
END_TEST

static void expect_refused(const char *text, const char *msg)
{
    tn_loss l;
    tn_error err;
    ck_assert_msg(parse_loss(text, &l, &err) == TN_ECONFIG, "%s accepted", text);
    ck_assert_msg(strstr(err.msg, msg) != NULL, "message \"%s\" lacks \"%s\"", err.msg, msg);
}

START_TEST(huber_bad_delta_is_refused)
{
    expect_refused("{\"loss\": {\"type\": \"huber\", \"delta\": 0}}",
                   "x.json: loss.delta: expected a number in (0, ");
    expect_refused("{\"loss\": {\"type\": \"huber\", \"delta\": -1}}", "x.json: loss.delta: ");
    expect_refused("{\"loss\": {\"type\": \"huber\", \"delta\": \"x\"}}",
                   "x.json: loss.delta: expected a number");
    expect_refused("{\"loss\": {\"type\": \"huber\", \"delta\": null}}", "x.json: loss.delta: ");
    expect_refused("{\"loss\": {\"type\": \"huber\", \"delt\": 0.5}}",
                   "x.json: loss: unknown key \"delt\" (did you mean \"delta\"?)");
    expect_refused("{\"loss\": {\"type\": \"hubr\"}}", "(did you mean \"huber\"?)");
    expect_refused("{\"loss\": \"hubre\"}", "(did you mean \"huber\"?)");
}
END_TEST

/* ---- huber by hand ------------------------------------------------------------------------ */

/* B = 2 rows of W = 3 with d = y - t of 0.5, 2, -1 and -3, 1, 0.25: inside, outside and
 * exactly on |d| = 1 (both branches give the same there: huber is C1). */
static const float hy[6] = {1.5f, 2.0f, -0.5f, -2.0f, 1.25f, 0.75f};
static const float ht[6] = {1.0f, 0.0f, 0.5f, 1.0f, 0.25f, 0.5f};

static void check_huber(double delta, double want, const double *dwant)
{
    tn_loss l = defaults(tn__loss_ops_find("huber"));
    l.param[0] = delta;
    float g[6];
    double v = l.ops->eval(&l, NULL, hy, ht, 3, 2, 3, g);
    ck_assert_msg(fabs(v - want) <= 1e-12, "delta %g: %.17g, want %.17g", delta, v, want);
    for (int j = 0; j < 6; j++)
        ck_assert_msg(fabs(g[j] - dwant[j]) <= 1e-7 * fabs(dwant[j]), "delta %g: dy[%d] = %.9g, want %.9g",
                      delta, j, g[j], dwant[j]);
}

START_TEST(huber_hand_values)
{
    /* delta 1: 0.5 d^2 for |d| <= 1, else |d| - 0.5. Rows: (0.125 + 1.5 + 0.5) / 3 and
     * (2.5 + 0.5 + 0.03125) / 3; the batch value is their sum. Gradient, n = 6: d/n inside,
     * sign(d)/n outside (and d/n = sign(d)/n on the boundary). */
    const double d1[6] = {0.5 / 6, 1.0 / 6, -1.0 / 6, -1.0 / 6, 1.0 / 6, 0.25 / 6};
    check_huber(1.0, 2.125 / 3 + 3.03125 / 3, d1);
    /* delta 0.5: 0.5 d^2 for |d| <= 0.5, else 0.5 (|d| - 0.25); d = 0.5 is the boundary.
     * Rows: (0.125 + 0.875 + 0.375) / 3 and (1.375 + 0.375 + 0.03125) / 3. */
    const double d2[6] = {0.5 / 6, 0.5 / 6, -0.5 / 6, -0.5 / 6, 0.5 / 6, 0.25 / 6};
    check_huber(0.5, 1.375 / 3 + 1.78125 / 3, d2);

    /* One row alone is its mean over W; the batch of both is the sum of rows. */
    tn_loss l = defaults(tn__loss_ops_find("huber"));
    ck_assert_double_eq_tol(l.ops->eval(&l, NULL, hy, ht, 3, 1, 3, NULL), 2.125 / 3, 1e-15);
    ck_assert_double_eq_tol(l.ops->eval(&l, NULL, hy + 3, ht + 3, 3, 1, 3, NULL), 3.03125 / 3,
                            1e-15);
    /* W = 1: every output its own sample, nothing averaged but the gradient's 1/B. */
    float g[6];
    double v = l.ops->eval(&l, NULL, hy, ht, 1, 6, 1, g);
    ck_assert_double_eq_tol(v, 2.125 + 3.03125, 1e-15);
    ck_assert_float_eq_tol(g[1], 1.0f / 6, 1e-9f);
    ck_assert_float_eq_tol(g[5], 0.25f / 6, 1e-9f);
}
END_TEST

/* Small errors: huber is mse / 2, value and gradient. */
START_TEST(huber_is_half_mse_inside_delta)
{
    tn_loss h = defaults(tn__loss_ops_find("huber")), m = defaults(tn__loss_ops_find("mse"));
    float y[B * W], t[B * W], gh[B * W], gm[B * W];
    for (int j = 0; j < B * W; j++) {
        t[j] = (float)j * 0.25f;
        y[j] = t[j] + (float)((j % 5) - 2) * 0.2f; /* |d| <= 0.4 */
    }
    double vh = h.ops->eval(&h, NULL, y, t, W, B, W, gh);
    double vm = m.ops->eval(&m, NULL, y, t, W, B, W, gm);
    ck_assert_double_eq_tol(vh, vm / 2, 1e-12);
    for (int j = 0; j < B * W; j++)
        ck_assert_float_eq_tol(gh[j], gm[j] / 2, 1e-9f);
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("loss");
    TCase *all = tcase_create("registry");
    tcase_add_test(all, registry_names_unique_and_found);
    tcase_add_test(all, every_loss_gradient_matches_differences);
    tcase_add_test(all, fused_losses_are_finite_at_large_logits);
    tcase_add_test(all, every_loss_describe_round_trips);
    suite_add_tcase(s, all);
    TCase *huber = tcase_create("huber");
    tcase_add_test(huber, huber_hand_values);
    tcase_add_test(huber, huber_is_half_mse_inside_delta);
    tcase_add_test(huber, huber_parses_and_describes);
    tcase_add_test(huber, huber_bad_delta_is_refused);
    suite_add_tcase(s, huber);
    return s;
}
