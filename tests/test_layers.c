/* Layer modules: dense, dropout, embedding, concat, maxout, layer_norm.
 *
 * The core is a generic central-difference gradient check over a whole small network
 * built from JSON (float, eps 1e-3, rtol 1e-2 plus a small atol; see PITFALLS.md). The
 * scalar is L = sum(y * R) for a fixed random R at the output. It checks
 *  - every parameter gradient in run->G, and
 *  - the gradient of every layer node but the output (run->dout), by perturbing the node's
 *    output and re-running only the layers after it: this covers each layer's dx.
 * A mismatch at a kink (relu at 0, a maxout tie) is recognised by one-sided differences
 * that disagree by enough to explain it; it is skipped and counted. A case fails if more
 * than a tenth are skipped, if too few gradients are non-zero, or (self-test) if the
 * checker misses a 5% error.
 * Dropout is checked in training mode with a fixed mask: before a forward starting at
 * layer l, the noise stream is reset to the state it had before layer l in the reference
 * forward, so every perturbed forward draws the same masks.
 *
 * Then behaviour tests per layer, configuration errors with their messages, and the
 * describe() round trip. */
#include "core/rng.h"
#include "core/json.h"
#include "graph/graph.h"
#include "tinynet/train.h"

#include "tn_check.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building networks from JSON -------------------------------------------------------- */

/* JSON is written with single quotes in C strings; build() turns them into double quotes. */
static tn_net *build(const char *json, tn_error *err)
{
    size_t n = strlen(json);
    char *text = malloc(n + 1);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i <= n; i++)
        text[i] = json[i] == '\'' ? '"' : json[i];
    memset(err, 0, sizeof *err);
    cJSON *root = NULL;
    tn_net *net = NULL;
    if (tn__jr_parse("test.json", text, n, &root, err) == TN_OK) {
        tn_jr r;
        tn__jr_init(&r, "test.json", err);
        if (tn__net_from_json(&r, root, &net) != TN_OK)
            net = NULL;
    }
    cJSON_Delete(root);
    free(text);
    return net;
}

static tn_net *build_ok(const char *json)
{
    tn_error err;
    tn_net *net = build(json, &err);
    ck_assert_msg(net != NULL, "build failed: %s", err.msg);
    return net;
}

/* The build must fail with TN_ECONFIG and a message containing both parts. */
static void expect_error(const char *json, const char *part1, const char *part2)
{
    tn_error err;
    tn_net *net = build(json, &err);
    ck_assert_msg(net == NULL, "expected an error for %s", json);
    ck_assert_int_eq(err.code, TN_ECONFIG);
    ck_assert_msg(strstr(err.msg, part1), "message \"%s\" lacks \"%s\"", err.msg, part1);
    if (part2)
        ck_assert_msg(strstr(err.msg, part2), "message \"%s\" lacks \"%s\"", err.msg, part2);
}

static float uniform_pm1(tn_rng *rng) { return 2.0f * tn__rng_uniform(rng) - 1.0f; }

/* Fills the inputs: floats U(-1, 1); index inputs from ids (cycled, taken modulo the
 * vocabulary) or a default pattern. */
static void fill_inputs(const tn_net *net, tn_run *run, size_t B, const int *ids, size_t n_ids,
                        tn_rng *rng)
{
    for (int k = 0; k < net->n_inputs; k++) {
        const tn_node *nd = &net->nodes[k];
        float *x = run->out[k];
        if (nd->kind == TN_NODE_INDEX_INPUT) {
            for (size_t i = 0; i < B; i++) {
                size_t id = ids ? (size_t)ids[i % n_ids] : (i * 7 + 3 + (size_t)k);
                x[i] = (float)(id % nd->vocab);
            }
        } else {
            for (size_t i = 0; i < B * nd->width; i++)
                x[i] = uniform_pm1(rng);
        }
    }
}

/* ---- the gradient checker --------------------------------------------------------------- */

typedef struct gc {
    tn_net *net;
    tn_run *run;
    size_t B;
    float *R;                        /* (B, output width) upstream gradient */
    tn_rng noise_at[TN_MAX_NODES];   /* noise state before each layer's forward */
} gc;

typedef struct gc_stats {
    size_t checked, failed, skipped, nonzero;
    double max_rel;     /* over gradients with max(|analytic|, |numeric|) >= 1e-2 */
    double max_abs;
    char worst[160];
} gc_stats;

#define GC_EPS 1e-3f
#define GC_RTOL 1e-2
#define GC_ATOL 5e-4
#define GC_NONZERO 1e-3

/* jitter > 0 adds U(-jitter, jitter) to every parameter after init: a constant init (a
 * gain of 1) would hide a gradient that forgets to multiply by it. */
static void gc_setup(gc *g, const char *json, size_t B, const int *ids, size_t n_ids,
                     double jitter, unsigned long long seed)
{
    memset(g, 0, sizeof *g);
    g->net = build_ok(json);
    g->B = B;
    tn__net_init_params(g->net, seed);
    tn_error err;
    ck_assert_int_eq(tn__run_new(g->net, B, 1, seed + 1, &g->run, &err), TN_OK);
    tn_rng rng;
    tn__rng_seed(&rng, seed, TN_STREAM_DATA);
    for (size_t k = 0; jitter > 0 && k < g->net->n_params; k++)
        g->net->P[k] += (float)jitter * uniform_pm1(&rng);
    fill_inputs(g->net, g->run, B, ids, n_ids, &rng);
    size_t n_out = B * g->net->nodes[g->net->output].width;
    g->R = malloc(n_out * sizeof *g->R);
    ck_assert_ptr_nonnull(g->R);
    for (size_t i = 0; i < n_out; i++)
        g->R[i] = uniform_pm1(&rng);
    g->noise_at[0] = g->run->noise;
}

static void gc_free(gc *g)
{
    free(g->R);
    tn__run_free(g->run);
    tn__net_free(g->net);
}

/* Runs layers first.. in order, each starting from the recorded noise state (record: the
 * reference pass, which records it). Returns L = sum(y * R) in double. */
static double gc_forward(gc *g, int first, int record)
{
    const tn_net *net = g->net;
    tn_run *run = g->run;
    run->noise = g->noise_at[first];
    for (int l = first; l < net->n_layers; l++) {
        if (record)
            g->noise_at[l] = run->noise;
        else
            run->noise = g->noise_at[l];
        tn__run_forward_layer(run, l, g->B);
    }
    const float *y = run->out[net->output];
    double L = 0;
    for (size_t i = 0; i < g->B * net->nodes[net->output].width; i++)
        L += (double)y[i] * (double)g->R[i];
    return L;
}

/* Compares one analytic gradient a with differences of L at v+hp and v-hm (hp, hm > 0). */
static void gc_compare(gc_stats *s, double a, double L0, double Lp, double Lm, double hp,
                       double hm, const char *what, size_t index)
{
    double dc = (Lp - Lm) / (hp + hm), dp = (Lp - L0) / hp, dm = (L0 - Lm) / hm;
    double err = fabs(a - dc), mag = fmax(fabs(a), fabs(dc)), tol = GC_ATOL + GC_RTOL * mag;
    /* With a kink (slopes s1, s2) inside [v - hm, v + hp], the central difference lies
     * between s1 and s2 and |s - dc| <= |dp - dm| / 2 for the slope s at v. On a smooth
     * stretch dp - dm is only f'' * eps, so a wrong gradient there still fails. */
    if (err > tol && err <= 0.5 * fabs(dp - dm) + tol) {
        s->skipped++;
        return;
    }
    s->checked++;
    if (fabs(a) > GC_NONZERO)
        s->nonzero++;
    if (err > s->max_abs)
        s->max_abs = err;
    if (mag >= 1e-2 && err / mag > s->max_rel)
        s->max_rel = err / mag;
    if (err > tol) {
        if (!s->failed)
            snprintf(s->worst, sizeof s->worst, "%s[%zu]: analytic %.6g, numeric %.6g", what,
                     index, a, dc);
        s->failed++;
    }
}

/* Self-test corruptions of the analytic gradients: none, all * 1.05, or only the largest
 * parameter gradient * 1.05. */
enum { GC_EXACT, GC_CORRUPT_ALL, GC_CORRUPT_ONE };

/* Analytic gradients against numeric ones. */
static gc_stats gc_check(gc *g, int corrupt)
{
    tn_net *net = g->net;
    tn_run *run = g->run;
    gc_stats s = {0};
    size_t n_out = g->B * net->nodes[net->output].width;

    double L0 = gc_forward(g, 0, 1);
    tn__run_zero_grad(run);
    memcpy(run->dout[net->output], g->R, n_out * sizeof *g->R);
    tn__run_backward(run, g->B);
    float *ga = malloc((net->n_params + 1) * sizeof *ga);
    float *da[TN_MAX_NODES] = {0};
    ck_assert_ptr_nonnull(ga);
    memcpy(ga, run->G, net->n_params * sizeof *ga);
    double scale = corrupt == GC_CORRUPT_ALL ? 1.05 : 1.0;
    if (corrupt == GC_CORRUPT_ONE) {
        size_t big = 0;
        for (size_t k = 1; k < net->n_params; k++)
            if (fabsf(ga[k]) > fabsf(ga[big]))
                big = k;
        ga[big] *= 1.05f;
    }
    for (int l = 0; l < net->n_layers; l++) {
        int n = net->layers[l].node;
        size_t m = g->B * net->nodes[n].width;
        da[n] = malloc((m + 1) * sizeof *da[n]);
        ck_assert_ptr_nonnull(da[n]);
        memcpy(da[n], run->dout[n], m * sizeof *da[n]);
    }

    /* (a) parameters: a layer's parameters only change layers from it onwards. */
    for (int l = 0; l < net->n_layers; l++) {
        const tn_layer *L = &net->layers[l];
        for (size_t k = 0; k < L->n_params; k++) {
            float *p = &net->P[L->param_off + k], v = *p;
            float vp = v + GC_EPS, vm = v - GC_EPS;
            *p = vp;
            double Lp = gc_forward(g, l, 0);
            *p = vm;
            double Lm = gc_forward(g, l, 0);
            *p = v;
            gc_compare(&s, scale * ga[L->param_off + k], L0, Lp, Lm, (double)vp - v,
                       (double)v - vm, L->name, k);
        }
        gc_forward(g, l, 0); /* later layers read this layer's output: restore it */
    }
    /* (b) every layer node but the output: perturb it, re-run only the layers after it. */
    for (int l = 0; l + 1 < net->n_layers; l++) {
        int n = net->layers[l].node;
        float *x = run->out[n];
        char what[TN_MAX_NAME + 8];
        snprintf(what, sizeof what, "d(%s)", net->nodes[n].name);
        for (size_t e = 0; e < g->B * net->nodes[n].width; e++) {
            float v = x[e], vp = v + GC_EPS, vm = v - GC_EPS;
            x[e] = vp;
            double Lp = gc_forward(g, l + 1, 0);
            x[e] = vm;
            double Lm = gc_forward(g, l + 1, 0);
            x[e] = v;
            gc_compare(&s, scale * da[n][e], L0, Lp, Lm, (double)vp - v, (double)v - vm,
                       what, e);
        }
        gc_forward(g, l + 1, 0);
    }
    ck_assert(fabs(gc_forward(g, 0, 0) - L0) == 0.0); /* the reference state is restored */
    free(ga);
    for (int i = 0; i < TN_MAX_NODES; i++)
        free(da[i]);
    return s;
}

/* ---- gradient-check cases --------------------------------------------------------------- */

typedef struct gc_case {
    const char *name;
    const char *json;
    size_t batch;
    int ids[8];          /* for index inputs (cycled); all zero = default pattern */
    size_t n_ids;
    double min_nonzero;  /* fraction of checked gradients that must be non-zero */
    double jitter;       /* added to the initial parameters, see gc_setup */
} gc_case;

#define RECOMMENDER                                                                          \
    "{'inputs': [{'name': 'user', 'type': 'index', 'size': 50},"                             \
    "            {'name': 'item', 'type': 'index', 'size': 40}],"                            \
    " 'layers': [{'name': 'user_vec', 'type': 'embedding', 'input': 'user', 'dim': 8},"      \
    "            {'name': 'item_vec', 'type': 'embedding', 'input': 'item', 'dim': 8},"      \
    "            {'type': 'concat', 'inputs': ['user_vec', 'item_vec']},"                    \
    "            {'type': 'dense', 'units': 16, 'activation': 'relu'},"                      \
    "            {'type': 'dense', 'units': 8, 'activation': 'relu'},"                       \
    "            {'type': 'dropout', 'rate': 0.2},"                                          \
    "            {'type': 'dense', 'units': 1, 'activation': 'sigmoid'}]}"

static const gc_case cases[] = {
    {"dense tanh, bias", "{'inputs': [{'name': 'x', 'size': 5}], 'layers': ["
     "{'type': 'dense', 'units': 7, 'activation': 'tanh'},"
     "{'type': 'dense', 'units': 3}]}", 4, {0}, 0, 0.5, 0},
    {"dense relu, no bias", "{'inputs': [{'name': 'x', 'size': 5}], 'layers': ["
     "{'type': 'dense', 'units': 7, 'activation': 'relu', 'bias': false},"
     "{'type': 'dense', 'units': 3, 'activation': 'tanh', 'bias': false}]}", 4, {0}, 0, 0.3, 0},
    {"dense relu bias, tanh", "{'inputs': [{'name': 'x', 'size': 4}], 'layers': ["
     "{'type': 'dense', 'units': 6, 'activation': 'relu', 'bias': true},"
     "{'type': 'dense', 'units': 5, 'activation': 'tanh', 'bias': true},"
     "{'type': 'dense', 'units': 2}]}", 5, {0}, 0, 0.3, 0},
    {"dropout (fixed mask)", "{'inputs': [{'name': 'x', 'size': 6}], 'layers': ["
     "{'type': 'dense', 'units': 8, 'activation': 'tanh'},"
     "{'type': 'dropout', 'rate': 0.3},"
     "{'type': 'dense', 'units': 2, 'activation': 'sigmoid'}]}", 6, {0}, 0, 0.3, 0},
    {"two dropouts", "{'inputs': [{'name': 'x', 'size': 6}], 'layers': ["
     "{'type': 'dropout', 'rate': 0.5},"
     "{'type': 'dense', 'units': 8, 'activation': 'tanh'},"
     "{'type': 'dropout', 'rate': 0.25},"
     "{'type': 'dense', 'units': 2}]}", 6, {0}, 0, 0.3, 0},
    {"embedding, repeated ids", "{'inputs': [{'name': 'u', 'type': 'index', 'size': 6}],"
     "'layers': [{'type': 'embedding', 'dim': 4},"
     "{'type': 'dense', 'units': 2, 'activation': 'tanh'}]}", 4, {3, 1, 3, 3}, 4, 0.3, 0},
    {"concat: embedding + float path", "{'inputs': [{'name': 'u', 'type': 'index', 'size': 7},"
     "{'name': 'f', 'size': 3}], 'layers': ["
     "{'name': 'eu', 'type': 'embedding', 'input': 'u', 'dim': 4},"
     "{'name': 'fv', 'type': 'dense', 'input': 'f', 'units': 5, 'activation': 'tanh'},"
     "{'type': 'concat', 'inputs': ['eu', 'fv']},"
     "{'type': 'dense', 'units': 3, 'activation': 'tanh'}]}", 5, {2, 5, 2, 0, 6}, 5, 0.3, 0},
    {"concat: two embeddings", "{'inputs': [{'name': 'u', 'type': 'index', 'size': 9},"
     "{'name': 'i', 'type': 'index', 'size': 5}], 'layers': ["
     "{'name': 'eu', 'type': 'embedding', 'input': 'u', 'dim': 3},"
     "{'name': 'ei', 'type': 'embedding', 'input': 'i', 'dim': 2, 'init': 'glorot_uniform'},"
     "{'type': 'concat', 'inputs': ['ei', 'eu']},"
     "{'type': 'dense', 'units': 2}]}", 4, {0}, 0, 0.2, 0},
    {"maxout inside", "{'inputs': [{'name': 'x', 'size': 5}], 'layers': ["
     "{'type': 'dense', 'units': 6, 'activation': 'tanh'},"
     "{'type': 'maxout', 'units': 4, 'pieces': 3},"
     "{'type': 'dense', 'units': 2, 'activation': 'tanh'}]}", 6, {0}, 0, 0.3, 0},
    {"maxout first and last", "{'inputs': [{'name': 'x', 'size': 4}], 'layers': ["
     "{'type': 'maxout', 'units': 3, 'pieces': 2, 'init': 'he_normal'}]}", 5, {0}, 0, 0.3, 0},
    {"recommender (fixed dropout mask)", RECOMMENDER, 8, {3, 1, 3, 3, 7, 49, 0, 3}, 8, 0.05, 0},
    {"layer_norm between dense", "{'inputs': [{'name': 'x', 'size': 5}], 'layers': ["
     "{'type': 'dense', 'units': 6},"
     "{'type': 'layer_norm'},"
     "{'type': 'dense', 'units': 3, 'activation': 'tanh'}]}", 5, {0}, 0, 0.3, 0.3},
    {"layer_norm reads the input", "{'inputs': [{'name': 'x', 'size': 7}], 'layers': ["
     "{'type': 'layer_norm'},"
     "{'type': 'dense', 'units': 3, 'activation': 'tanh'}]}", 4, {0}, 0, 0.3, 0.3},
    {"layer_norm last, eps 0.1", "{'inputs': [{'name': 'x', 'size': 4}], 'layers': ["
     "{'type': 'dense', 'units': 5, 'activation': 'tanh'},"
     "{'type': 'layer_norm', 'eps': 0.1}]}", 6, {0}, 0, 0.3, 0.3},
};
#define N_CASES ((int)(sizeof cases / sizeof cases[0]))

/* The verdict of a check: NULL when it passes, else why not. */
static const char *gc_verdict(const gc_stats *s, double min_nonzero)
{
    if (s->failed)
        return "wrong gradients";
    if (s->checked == 0 || (double)s->nonzero < min_nonzero * (double)s->checked)
        return "too few non-zero gradients";
    if (s->skipped * 10 > s->checked)
        return "too many points skipped as kinks";
    return NULL;
}

START_TEST(test_gradcheck)
{
    const gc_case *c = &cases[_i];
    gc g;
    gc_setup(&g, c->json, c->batch, c->n_ids ? c->ids : NULL, c->n_ids, c->jitter,
             1000 + (unsigned)_i);
    gc_stats s = gc_check(&g, GC_EXACT);
    fprintf(stderr, "gradcheck %-34s checked %4zu nonzero %4zu skipped %2zu failed %zu  "
                    "max rel %.2e  max abs %.2e\n", c->name, s.checked, s.nonzero, s.skipped,
            s.failed, s.max_rel, s.max_abs);
    ck_assert_msg(s.failed == 0, "%s: %zu of %zu gradients wrong, first %s", c->name, s.failed,
                  s.checked, s.worst);
    ck_assert_msg(s.checked > 0 && (double)s.nonzero >= c->min_nonzero * (double)s.checked,
                  "%s: only %zu of %zu gradients are non-zero", c->name, s.nonzero, s.checked);
    ck_assert_msg(s.skipped * 10 <= s.checked, "%s: %zu points skipped as kinks", c->name,
                  s.skipped);
    ck_assert_ptr_null(gc_verdict(&s, c->min_nonzero));
    /* a dropout layer really dropped some values and kept others in the checked forward */
    for (int l = 0; l < g.net->n_layers; l++) {
        const tn_layer *L = &g.net->layers[l];
        if (strcmp(L->ops->type, "dropout") != 0)
            continue;
        const float *m = g.run->io[l].work;
        size_t dropped = 0, n = g.B * L->width;
        for (size_t i = 0; i < n; i++)
            dropped += m[i] == 0.0f;
        ck_assert_msg(dropped > 0 && dropped < n, "%s: %zu of %zu dropped", L->name, dropped, n);
    }
    gc_free(&g);
}
END_TEST

/* Every registered layer type is in some case above, so a new type fails here, by name,
 * until it has a gradient check (the list of types is the registry's, not a copy). */
START_TEST(test_gradcheck_covers_every_type)
{
    size_t n = tn_extension_count(TN_EXT_LAYER);
    ck_assert_uint_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        const char *type = tn_extension_name(TN_EXT_LAYER, i);
        char key[96];
        snprintf(key, sizeof key, "'type': '%s'", type);
        int found = 0;
        for (int k = 0; k < N_CASES && !found; k++)
            found = strstr(cases[k].json, key) != NULL;
        ck_assert_msg(found, "layer type '%s' is registered but has no gradient-check case in "
                      "test_layers.c", type);
    }
}
END_TEST

/* The checker must be able to fail: a 5% error in every analytic gradient, or in the
 * largest parameter gradient alone, is caught. */
START_TEST(test_gradcheck_detects_errors)
{
    for (int k = 0; k < N_CASES; k++) {
        gc g;
        gc_setup(&g, cases[k].json, cases[k].batch, cases[k].n_ids ? cases[k].ids : NULL,
                 cases[k].n_ids, cases[k].jitter, 1000 + (unsigned)k);
        gc_stats s = gc_check(&g, GC_CORRUPT_ALL);
        ck_assert_msg(gc_verdict(&s, cases[k].min_nonzero) != NULL,
                      "%s: a 5%% error everywhere went unnoticed", cases[k].name);
        ck_assert_msg(s.failed > 0, "%s: no single failure", cases[k].name);
        gc_free(&g);
        gc_setup(&g, cases[k].json, cases[k].batch, cases[k].n_ids ? cases[k].ids : NULL,
                 cases[k].n_ids, cases[k].jitter, 1000 + (unsigned)k);
        s = gc_check(&g, GC_CORRUPT_ONE);
        ck_assert_msg(s.failed == 1, "%s: a 5%% error in one gradient: %zu failures",
                      cases[k].name, s.failed);
        gc_free(&g);
    }
}
END_TEST

/* ---- dropout ---------------------------------------------------------------------------- */

#define DROPOUT_NET "{'inputs': [{'name': 'x', 'size': 1000}], 'layers': " \
                    "[{'type': 'dropout', 'rate': 0.2}]}"

static void run_dropout(tn_net *net, int training, unsigned long long seed, float *y_out)
{
    tn_run *run;
    tn_error err;
    ck_assert_int_eq(tn__run_new(net, 10, training, seed, &run, &err), TN_OK);
    for (size_t i = 0; i < 10 * 1000; i++)
        run->out[0][i] = 1.0f + (float)(i % 7);
    tn__run_forward(run, 10);
    memcpy(y_out, run->out[net->output], 10 * 1000 * sizeof *y_out);
    tn__run_free(run);
}

START_TEST(test_dropout_train)
{
    tn_net *net = build_ok(DROPOUT_NET);
    static float y1[10000], y2[10000], y3[10000];
    run_dropout(net, 1, 7, y1);
    size_t kept = 0;
    float scale = (float)(1.0 / (1.0 - 0.2));
    for (size_t i = 0; i < 10000; i++) {
        float x = 1.0f + (float)(i % 7);
        if (y1[i] != 0.0f) {
            kept++;
            ck_assert_float_eq_tol(y1[i], x * scale, 1e-6f * x);
        }
    }
    /* Binomial(10000, 0.8): sd 0.004, so +-0.02 is five sd. */
    ck_assert_double_eq_tol((double)kept / 10000.0, 0.8, 0.02);
    run_dropout(net, 1, 7, y2);
    ck_assert_mem_eq(y1, y2, sizeof y1);           /* same seed, same mask */
    run_dropout(net, 1, 8, y3);
    ck_assert_int_ne(memcmp(y1, y3, sizeof y1), 0); /* another seed, another mask */
    tn__net_free(net);
}
END_TEST

/* The block-wise mask is the mask of one tn__rng_uniform draw per element, in order, and
 * leaves the noise stream where those draws leave it (the next batch's mask, checkpoints).
 * 10 x 1003: blocks of 256 and a tail that is not a multiple of the four chains. */
START_TEST(test_dropout_mask_is_serial_draws)
{
    tn_net *net = build_ok("{'inputs': [{'name': 'x', 'size': 1003}], 'layers': "
                           "[{'type': 'dropout', 'rate': 0.3}]}");
    tn_run *run;
    tn_error err;
    ck_assert_int_eq(tn__run_new(net, 10, 1, 11, &run, &err), TN_OK);
    tn_rng serial = run->noise;
    float scale = (float)(1.0 / (1.0 - 0.3));
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < 10 * 1003; i++)
            run->out[0][i] = 1.0f + (float)(i % 5);
        tn__run_forward(run, pass ? 7 : 10);
        for (size_t i = 0; i < (pass ? 7u : 10u) * 1003; i++) {
            float m = tn__rng_uniform(&serial) >= 0.3f ? scale : 0.0f;
            ck_assert_float_eq(run->out[net->output][i], run->out[0][i] * m);
        }
        ck_assert_uint_eq(run->noise.state, serial.state);
    }
    tn__run_free(run);
    tn__net_free(net);
}
END_TEST

/* tn__rng_fill_u32 gives the draws of tn__rng_u32, for every length around the chains'. */
START_TEST(test_rng_fill_is_serial)
{
    for (size_t n = 0; n < 40; n++) {
        tn_rng a, b;
        tn__rng_seed(&a, 1000 + n, TN_STREAM_NOISE);
        b = a;
        uint32_t out[40];
        tn__rng_fill_u32(&a, out, n);
        for (size_t i = 0; i < n; i++)
            ck_assert_uint_eq(out[i], tn__rng_u32(&b));
        ck_assert_uint_eq(a.state, b.state);
        ck_assert_uint_eq(tn__rng_u32(&a), tn__rng_u32(&b));
    }
}
END_TEST

START_TEST(test_dropout_inference_and_backward)
{
    tn_net *net = build_ok(DROPOUT_NET);
    static float y[10000];
    run_dropout(net, 0, 7, y);
    for (size_t i = 0; i < 10000; i++)
        ck_assert_float_eq(y[i], 1.0f + (float)(i % 7));
    tn__net_free(net);

    /* Backward: dx += dy * mask, added to what is there. */
    net = build_ok("{'inputs': [{'name': 'x', 'size': 50}], 'layers': ["
                   "{'type': 'dense', 'units': 40}, {'type': 'dropout', 'rate': 0.5}]}");
    tn__net_init_params(net, 3);
    tn_run *run;
    tn_error err;
    ck_assert_int_eq(tn__run_new(net, 4, 1, 9, &run, &err), TN_OK);
    for (size_t i = 0; i < 4 * 50; i++)
        run->out[0][i] = 0.5f;
    tn__run_forward(run, 4);
    tn__run_zero_grad(run);
    int d = net->layers[0].node;
    for (size_t i = 0; i < 4 * 40; i++) {
        run->dout[net->output][i] = 1.0f;
        run->dout[d][i] = 0.25f;
    }
    net->layers[1].ops->backward(&net->layers[1], &run->io[1], 4);
    size_t zeros = 0;
    for (size_t i = 0; i < 4 * 40; i++) {
        float y = run->out[net->output][i], x = run->out[d][i];
        if (y == 0.0f && x != 0.0f) {
            zeros++;
            ck_assert_float_eq(run->dout[d][i], 0.25f);
        } else
            ck_assert_float_eq(run->dout[d][i], 0.25f + 2.0f);
    }
    ck_assert_uint_gt(zeros, 40);
    ck_assert_uint_lt(zeros, 120);
    char buf[64];
    net->layers[1].ops->summary(&net->layers[1], buf, sizeof buf);
    ck_assert_str_eq(buf, "rate=0.5");
    tn__run_free(run);
    tn__net_free(net);
}
END_TEST

START_TEST(test_dropout_rate_zero)
{
    tn_net *net = build_ok("{'inputs': [{'name': 'x', 'size': 1000}], 'layers': "
                           "[{'type': 'dropout', 'rate': 0}]}");
    static float y[10000];
    run_dropout(net, 1, 7, y);
    for (size_t i = 0; i < 10000; i++)
        ck_assert_float_eq(y[i], 1.0f + (float)(i % 7));
    tn__net_free(net);
}
END_TEST

/* ---- embedding -------------------------------------------------------------------------- */

#define EMB_NET "{'inputs': [{'name': 'u', 'type': 'index', 'size': 10}], 'layers': " \
                "[{'name': 'e', 'type': 'embedding', 'dim': 4}]}"

START_TEST(test_embedding_repeated_ids)
{
    tn_net *net = build_ok(EMB_NET);
    tn__net_init_params(net, 5);
    ck_assert_uint_eq(net->n_params, 40);
    ck_assert_int_eq(net->layers[0].n_tensors, 1);
    ck_assert_str_eq(net->layers[0].tensors[0].name, "E");
    ck_assert_uint_eq(net->layers[0].tensors[0].rows, 10);
    ck_assert_uint_eq(net->layers[0].tensors[0].cols, 4);
    tn_run *run;
    tn_error err;
    ck_assert_int_eq(tn__run_new(net, 4, 1, 1, &run, &err), TN_OK);
    const int ids[4] = {3, 1, 3, 3};
    for (int i = 0; i < 4; i++)
        run->out[0][i] = (float)ids[i];
    tn__run_forward(run, 4);
    const float *E = net->P, *y = run->out[net->output];
    for (int i = 0; i < 4; i++)
        ck_assert_mem_eq(y + i * 4, E + ids[i] * 4, 4 * sizeof *y);

    tn__run_zero_grad(run);
    float *dy = run->dout[net->output];
    for (int i = 0; i < 16; i++)
        dy[i] = (float)(i + 1) * 0.125f;
    tn__run_backward(run, 4);
    for (int row = 0; row < 10; row++)
        for (int j = 0; j < 4; j++) {
            float want = 0.0f;
            for (int i = 0; i < 4; i++)
                if (ids[i] == row)
                    want += dy[i * 4 + j];
            /* rows outside the batch get exactly zero; row 3 sums all three */
            ck_assert_float_eq(run->G[row * 4 + j], want);
        }
    ck_assert_float_eq(run->G[3 * 4 + 0], 0.125f * (1 + 9 + 13));
    tn__run_free(run);
    tn__net_free(net);
}
END_TEST

START_TEST(test_embedding_bad_ids)
{
    tn_net *net = build_ok(EMB_NET);
    tn__net_init_params(net, 5);
    tn_run *run;
    tn_error err;
    ck_assert_int_eq(tn__run_new(net, 4, 1, 1, &run, &err), TN_OK);
    const float ids[4] = {10.0f, -1.0f, NAN, 9.0f};
    memcpy(run->out[0], ids, sizeof ids);
    tn__run_forward(run, 4);
    const float *y = run->out[net->output];
    for (int i = 0; i < 12; i++)
        ck_assert_float_eq(y[i], 0.0f);
    ck_assert_mem_eq(y + 12, net->P + 9 * 4, 4 * sizeof *y);
    tn__run_zero_grad(run);
    for (int i = 0; i < 16; i++)
        run->dout[net->output][i] = 1.0f;
    tn__run_backward(run, 4);
    for (int k = 0; k < 40; k++)
        ck_assert_float_eq(run->G[k], k >= 36 ? 1.0f : 0.0f);
    tn__run_free(run);
    tn__net_free(net);
}
END_TEST

START_TEST(test_embedding_init)
{
    tn_net *net = build_ok("{'inputs': [{'name': 'u', 'type': 'index', 'size': 100}],"
                           "'layers': [{'type': 'embedding', 'dim': 20}]}");
    tn__net_init_params(net, 5);
    double sum2 = 0;
    for (size_t i = 0; i < net->n_params; i++) {
        ck_assert(net->P[i] >= -0.05f && net->P[i] <= 0.05f);
        sum2 += (double)net->P[i] * net->P[i];
    }
    /* U(-0.05, 0.05) has variance 0.05^2 / 3 */
    ck_assert_double_eq_tol(sum2 / (double)net->n_params, 0.0025 / 3, 0.0025 / 3 * 0.1);
    char buf[64];
    net->layers[0].ops->summary(&net->layers[0], buf, sizeof buf);
    ck_assert_str_eq(buf, "100 x 20, uniform");
    tn__net_free(net);

    net = build_ok("{'inputs': [{'name': 'u', 'type': 'index', 'size': 100}],"
                   "'layers': [{'type': 'embedding', 'dim': 20, 'init': 'zeros'}]}");
    tn__net_init_params(net, 5);
    for (size_t i = 0; i < net->n_params; i++)
        ck_assert_float_eq(net->P[i], 0.0f);
    tn__net_free(net);
}
END_TEST

/* ---- concat and maxout forward ---------------------------------------------------------- */

START_TEST(test_concat_forward)
{
    tn_net *net = build_ok("{'inputs': [{'name': 'a', 'size': 2}, {'name': 'b', 'size': 3},"
                           "{'name': 'c', 'size': 1}], 'layers': ["
                           "{'type': 'concat', 'inputs': ['b', 'a', 'c']}]}");
    ck_assert_uint_eq(net->layers[0].width, 6);
    ck_assert_uint_eq(net->n_params, 0);
    tn_run *run;
    tn_error err;
    ck_assert_int_eq(tn__run_new(net, 2, 0, 1, &run, &err), TN_OK);
    const float a[4] = {1, 2, 3, 4}, b[6] = {10, 20, 30, 40, 50, 60}, c[2] = {-1, -2};
    memcpy(run->out[0], a, sizeof a);
    memcpy(run->out[1], b, sizeof b);
    memcpy(run->out[2], c, sizeof c);
    tn__run_forward(run, 2);
    const float want[12] = {10, 20, 30, 1, 2, -1, 40, 50, 60, 3, 4, -2};
    ck_assert_mem_eq(run->out[net->output], want, sizeof want);
    tn__run_free(run);
    tn__net_free(net);
}
END_TEST

START_TEST(test_maxout_forward)
{
    tn_net *net = build_ok("{'inputs': [{'name': 'x', 'size': 3}], 'layers': ["
                           "{'type': 'maxout', 'units': 2, 'pieces': 3}]}");
    const tn_layer *L = &net->layers[0];
    ck_assert_uint_eq(L->width, 2);
    ck_assert_uint_eq(net->n_params, 3 * 6 + 6);
    ck_assert_int_eq(L->n_tensors, 2);
    ck_assert_str_eq(L->tensors[0].name, "W");
    ck_assert_uint_eq(L->tensors[0].rows, 3);
    ck_assert_uint_eq(L->tensors[0].cols, 6);
    ck_assert_str_eq(L->tensors[1].name, "b");
    ck_assert_uint_eq(L->tensors[1].rows, 1);
    ck_assert_uint_eq(L->tensors[1].cols, 6);
    ck_assert_uint_eq(L->tensors[1].offset, 18);
    tn__net_init_params(net, 11);
    for (int k = 0; k < 6; k++)
        net->P[18 + k] = 0.1f * (float)k;  /* a non-zero bias */
    tn_run *run;
    tn_error err;
    ck_assert_int_eq(tn__run_new(net, 3, 0, 1, &run, &err), TN_OK);
    tn_rng rng;
    tn__rng_seed(&rng, 4, TN_STREAM_DATA);
    for (int i = 0; i < 9; i++)
        run->out[0][i] = uniform_pm1(&rng);
    tn__run_forward(run, 3);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++) {
            double best = -INFINITY;
            for (int k = 0; k < 3; k++) {
                double z = net->P[18 + j * 3 + k];
                for (int f = 0; f < 3; f++)
                    z += (double)run->out[0][i * 3 + f] * net->P[f * 6 + j * 3 + k];
                best = fmax(best, z);
            }
            ck_assert_double_eq_tol(run->out[net->output][i * 2 + j], best, 1e-5);
        }
    tn__run_free(run);
    tn__net_free(net);
}
END_TEST

/* ---- layer_norm ------------------------------------------------------------------------ */

#define LN_NET "{'inputs': [{'name': 'x', 'size': 5}], 'layers': [{'type': 'layer_norm'}]}"

/* y = gain * (x - mean) / sqrt(var + eps) + bias per row, from the formula in double. */
static void layer_norm_ref(const float *x, const float *gain, const float *bias, size_t W,
                           double eps, double *y)
{
    double mean = 0, var = 0;
    for (size_t j = 0; j < W; j++)
        mean += x[j];
    mean /= (double)W;
    for (size_t j = 0; j < W; j++)
        var += (x[j] - mean) * (x[j] - mean);
    var /= (double)W;
    for (size_t j = 0; j < W; j++)
        y[j] = gain[j] * (x[j] - mean) / sqrt(var + eps) + bias[j];
}

START_TEST(test_layer_norm_forward)
{
    tn_net *net = build_ok(LN_NET);
    const tn_layer *L = &net->layers[0];
    ck_assert_str_eq(L->name, "layer_norm_1");
    ck_assert_uint_eq(L->width, 5);
    ck_assert_uint_eq(net->n_params, 10);
    ck_assert_ptr_null(L->act);
    ck_assert_int_eq(L->n_tensors, 2);
    ck_assert_str_eq(L->tensors[0].name, "gain");
    ck_assert_uint_eq(L->tensors[0].rows, 1);
    ck_assert_uint_eq(L->tensors[0].cols, 5);
    ck_assert_uint_eq(L->tensors[0].offset, 0);
    ck_assert_str_eq(L->tensors[1].name, "bias");
    ck_assert_uint_eq(L->tensors[1].rows, 1);
    ck_assert_uint_eq(L->tensors[1].cols, 5);
    ck_assert_uint_eq(L->tensors[1].offset, 5);
    char buf[64];
    L->ops->summary(L, buf, sizeof buf);
    ck_assert_str_eq(buf, "eps=1e-05");

    /* a spread row, a constant row (variance 0: y = bias), a row far from 0 */
    const float x[15] = {0.5f, -1.25f, 2.0f, 0.75f, -0.1f,
                         0.7f, 0.7f, 0.7f, 0.7f, 0.7f,
                         1000.5f, 1000.25f, 999.75f, 1001.0f, 999.5f};
    const float gain[5] = {1.5f, -0.5f, 0.25f, 2.0f, 1.0f};
    const float bias[5] = {0.1f, -0.2f, 0.3f, 0.0f, -1.0f};
    memcpy(net->P, gain, sizeof gain);
    memcpy(net->P + 5, bias, sizeof bias);
    tn_run *run;
    tn_error err;
    ck_assert_int_eq(tn__run_new(net, 3, 0, 1, &run, &err), TN_OK);
    memcpy(run->out[0], x, sizeof x);
    tn__run_forward(run, 3);
    const float *y = run->out[net->output];
    for (int i = 0; i < 3; i++) {
        double want[5];
        layer_norm_ref(x + i * 5, gain, bias, 5, 1e-5, want);
        for (int j = 0; j < 5; j++)
            ck_assert_msg(fabs(y[i * 5 + j] - want[j]) <= 1e-5 * fabs(want[j]) + 1e-6,
                          "y[%d][%d] = %.9g, want %.9g", i, j, y[i * 5 + j], want[j]);
    }
    ck_assert_mem_eq(y + 5, bias, sizeof bias);

    /* gain 1, bias 0 (the init): each row has mean 0 and variance var / (var + eps) ~ 1 */
    tn__net_init_params(net, 3);
    tn__run_forward(run, 3);
    for (int i = 0; i < 3; i++) {
        double mean = 0, var = 0;
        for (int j = 0; j < 5; j++)
            mean += y[i * 5 + j] / 5.0;
        for (int j = 0; j < 5; j++)
            var += (y[i * 5 + j] - mean) * (y[i * 5 + j] - mean) / 5.0;
        ck_assert_double_eq_tol(mean, 0.0, 1e-6);
        ck_assert_double_eq_tol(var, i == 1 ? 0.0 : 1.0, 1e-4);
    }
    tn__run_free(run);
    tn__net_free(net);
}
END_TEST

/* gain 1 and bias 0 without drawing from the rng: the dense layers around a layer_norm get
 * the same weights as without it. */
START_TEST(test_layer_norm_init)
{
    tn_net *a = build_ok("{'inputs': [{'name': 'x', 'size': 5}], 'layers': ["
                         "{'type': 'dense', 'units': 6}, {'type': 'layer_norm'},"
                         "{'type': 'dense', 'units': 3}]}");
    tn_net *b = build_ok("{'inputs': [{'name': 'x', 'size': 5}], 'layers': ["
                         "{'type': 'dense', 'units': 6}, {'type': 'dense', 'units': 3}]}");
    tn__net_init_params(a, 17);
    tn__net_init_params(b, 17);
    const tn_layer *ln = &a->layers[1];
    ck_assert_uint_eq(ln->n_params, 12);
    for (int j = 0; j < 6; j++) {
        ck_assert_float_eq(a->P[ln->param_off + j], 1.0f);
        ck_assert_float_eq(a->P[ln->param_off + 6 + j], 0.0f);
    }
    ck_assert_mem_eq(a->P, b->P, 36 * sizeof *a->P);
    ck_assert_mem_eq(a->P + a->layers[2].param_off, b->P + b->layers[1].param_off,
                     21 * sizeof *a->P);
    tn__net_free(a);
    tn__net_free(b);
}
END_TEST

/* Backward ADDS the formula's gradients to what is in dx and G. */
START_TEST(test_layer_norm_backward_adds)
{
    tn_net *net = build_ok("{'inputs': [{'name': 'x', 'size': 3}], 'layers': ["
                           "{'type': 'dense', 'units': 4}, {'type': 'layer_norm', 'eps': 0.01}]}");
    tn__net_init_params(net, 6);
    const float gain[4] = {0.5f, -1.5f, 2.0f, 1.25f};
    const tn_layer *L = &net->layers[1];
    memcpy(net->P + L->param_off, gain, sizeof gain);
    tn_run *run;
    tn_error err;
    ck_assert_int_eq(tn__run_new(net, 2, 1, 1, &run, &err), TN_OK);
    tn_rng rng;
    tn__rng_seed(&rng, 12, TN_STREAM_DATA);
    for (int i = 0; i < 6; i++)
        run->out[0][i] = uniform_pm1(&rng);
    tn__run_forward(run, 2);
    tn__run_zero_grad(run);
    int d = net->layers[0].node;
    float *G = run->G + L->param_off, *dx = run->dout[d];
    const float *x = run->out[d], *dy = run->dout[net->output];
    for (int k = 0; k < 8; k++) {
        run->dout[net->output][k] = uniform_pm1(&rng);
        dx[k] = 0.25f;
        G[k] = 0.5f;
    }
    L->ops->backward(L, &run->io[1], 2);
    double dgain[4] = {0}, dbias[4] = {0};
    for (int i = 0; i < 2; i++) {
        const float *xi = x + i * 4, *dyi = dy + i * 4;
        double mean = 0, var = 0, xhat[4], g[4], m1 = 0, m2 = 0, sum = 0;
        for (int j = 0; j < 4; j++)
            mean += xi[j] / 4.0;
        for (int j = 0; j < 4; j++)
            var += (xi[j] - mean) * (xi[j] - mean) / 4.0;
        double rstd = 1.0 / sqrt(var + 0.01);
        for (int j = 0; j < 4; j++) {
            xhat[j] = (xi[j] - mean) * rstd;
            g[j] = dyi[j] * gain[j];
            m1 += g[j] / 4.0;
            m2 += g[j] * xhat[j] / 4.0;
            dgain[j] += dyi[j] * xhat[j];
            dbias[j] += dyi[j];
        }
        for (int j = 0; j < 4; j++) {
            double want = 0.25 + rstd * (g[j] - m1 - xhat[j] * m2);
            ck_assert_double_eq_tol(dx[i * 4 + j], want, 1e-5);
            sum += dx[i * 4 + j] - 0.25; /* the mean is removed: a row's dx sums to 0 */
        }
        ck_assert_double_eq_tol(sum, 0.0, 1e-5);
    }
    for (int j = 0; j < 4; j++) {
        ck_assert_double_eq_tol(G[j], 0.5 + dgain[j], 1e-5);
        ck_assert_double_eq_tol(G[4 + j], 0.5 + dbias[j], 1e-5);
    }
    tn__run_free(run);
    tn__net_free(net);
}
END_TEST

/* ---- configuration errors --------------------------------------------------------------- */

START_TEST(test_config_errors)
{
    expect_error("{'inputs': [{'name': 'x', 'size': 3}], 'layers': "
                 "[{'type': 'embedding', 'input': 'x', 'dim': 4}]}",
                 "layers[0]: an embedding reads an index input", "\"x\" is a float input");
    expect_error("{'inputs': [{'name': 'x', 'size': 3}], 'layers': "
                 "[{'type': 'dense', 'units': 2}, {'type': 'embedding', 'dim': 4}]}",
                 "layers[1]: an embedding reads an index input", "\"dense_1\" is a layer");
    expect_error("{'inputs': [{'name': 'u', 'type': 'index', 'size': 3}], 'layers': "
                 "[{'type': 'embedding'}]}", "layers[0].dim: missing",
                 "(expected a positive integer (at most 16777216))");
    expect_error("{'inputs': [{'name': 'u', 'type': 'index', 'size': 3}], 'layers': "
                 "[{'type': 'embedding', 'dim': 0}]}",
                 "layers[0].dim: expected a positive integer (at most 16777216), got 0", NULL);
    expect_error("{'inputs': [{'name': 'u', 'type': 'index', 'size': 3}], 'layers': "
                 "[{'type': 'embedding', 'dim': 2, 'init': 'unifrom'}]}",
                 "layers[0].init:", "(did you mean \"uniform\"?)");
    expect_error("{'inputs': [{'name': 'x', 'size': 3}], 'layers': "
                 "[{'type': 'concat', 'inputs': ['x']}]}",
                 "a concat layer takes at least 2 inputs, got 1", NULL);
    expect_error("{'inputs': [{'name': 'x', 'size': 3}, {'name': 'u', 'type': 'index', "
                 "'size': 5}], 'layers': [{'type': 'concat', 'inputs': ['x', 'u']}]}",
                 "input \"u\" holds integer ids", "only an embedding");
    expect_error("{'inputs': [{'name': 'x', 'size': 3}], 'layers': "
                 "[{'type': 'dropout', 'rate': 1.0}]}",
                 "layers[0].rate: expected a number in [0, 1), got 1", NULL);
    expect_error("{'inputs': [{'name': 'x', 'size': 3}], 'layers': "
                 "[{'type': 'dropout', 'rate': -0.1}]}",
                 "layers[0].rate: expected a number in [0, 1), got -0.1", NULL);
    expect_error("{'inputs': [{'name': 'x', 'size': 3}], 'layers': [{'type': 'dropout'}]}",
                 "layers[0].rate: missing", NULL);
    expect_error("{'inputs': [{'name': 'x', 'size': 3}], 'layers': "
                 "[{'type': 'dropout', 'rate': '0.2'}]}", "layers[0].rate: expected a number",
                 "got \"0.2\"");
    expect_error("{'inputs': [{'name': 'x', 'size': 3}], 'layers': "
                 "[{'type': 'dropout', 'rat': 0.2}]}", "unknown key \"rat\"",
                 "did you mean \"rate\"?");
    expect_error("{'inputs': [{'name': 'x', 'size': 3}], 'layers': "
                 "[{'type': 'maxout', 'units': 2, 'pieces': 1}]}",
                 "layers[0].pieces: expected an integer in [2, 64], got 1", NULL);
    expect_error("{'inputs': [{'name': 'x', 'size': 3}], 'layers': "
                 "[{'type': 'maxout', 'units': 2, 'pieces': 65}]}",
                 "layers[0].pieces: expected an integer in [2, 64], got 65", NULL);
    expect_error("{'inputs': [{'name': 'x', 'size': 3}], 'layers': "
                 "[{'type': 'maxout', 'pieces': 2}]}", "layers[0].units: missing", NULL);
    expect_error("{'inputs': [{'name': 'x', 'size': 3}], 'layers': "
                 "[{'type': 'maxout', 'units': 16777216, 'pieces': 2}]}",
                 "units * pieces = 33554432 is more than 16777216", NULL);
    expect_error("{'inputs': [{'name': 'u', 'type': 'index', 'size': 3}], 'layers': "
                 "[{'type': 'maxout', 'units': 2, 'pieces': 2}]}",
                 "input \"u\" holds integer ids", NULL);
    expect_error("{'inputs': [{'name': 'x', 'size': 3}], 'layers': "
                 "[{'type': 'layer_norm', 'eps': 0}]}",
                 "layers[0].eps: expected a number in (0, 1], got 0", NULL);
    expect_error("{'inputs': [{'name': 'x', 'size': 3}], 'layers': "
                 "[{'type': 'layer_norm', 'eps': -1e-5}]}",
                 "layers[0].eps: expected a number in (0, 1], got -1e-05", NULL);
    expect_error("{'inputs': [{'name': 'x', 'size': 3}], 'layers': "
                 "[{'type': 'layer_norm', 'eps': 2}]}",
                 "layers[0].eps: expected a number in (0, 1], got 2", NULL);
    expect_error("{'inputs': [{'name': 'x', 'size': 3}], 'layers': "
                 "[{'type': 'layer_norm', 'eps': '1e-5'}]}",
                 "layers[0].eps: expected a number in (0, 1]", "got \"1e-5\"");
    expect_error("{'inputs': [{'name': 'x', 'size': 3}], 'layers': "
                 "[{'type': 'layer_norm', 'esp': 1e-3}]}", "layers[0]: unknown key \"esp\"",
                 "(did you mean \"eps\"?)");
    expect_error("{'inputs': [{'name': 'u', 'type': 'index', 'size': 5}], 'layers': "
                 "[{'type': 'layer_norm'}]}",
                 "layers[0]: input \"u\" holds integer ids; only an embedding layer can "
                 "read it", NULL);
    expect_error("{'inputs': [{'name': 'x', 'size': 3}, {'name': 'z', 'size': 3}], "
                 "'layers': [{'type': 'layer_norm', 'inputs': ['x', 'z']}]}",
                 "a layer_norm layer takes 1 input, got 2", NULL);
}
END_TEST

/* More than 64 inputs: the message says "at most" (graph.c used to say "at least"). */
START_TEST(test_concat_too_many_inputs)
{
    char json[8192] = "{'inputs': [{'name': 'x', 'size': 1}], 'layers': [";
    char names[4096] = "";
    for (int i = 0; i < 65; i++) {
        char l[96];
        snprintf(l, sizeof l, "{'name': 'd%d', 'type': 'dense', 'input': 'x', 'units': 1},", i);
        strcat(json, l);
        snprintf(l, sizeof l, "%s'd%d'", i ? ", " : "", i);
        strcat(names, l);
    }
    strcat(json, "{'type': 'concat', 'inputs': [");
    strcat(json, names);
    strcat(json, "]}]}");
    expect_error(json, "a concat layer takes at most 64 inputs, got 65", NULL);
}
END_TEST

/* ---- describe() round trip -------------------------------------------------------------- */

static char *describe_text(const tn_net *net)
{
    cJSON *obj = cJSON_CreateObject();
    ck_assert_int_eq(tn__net_describe(net, obj), TN_OK);
    char *s = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    ck_assert_ptr_nonnull(s);
    return s;
}

START_TEST(test_describe_round_trip)
{
    const char *json =
        "{'inputs': [{'name': 'user', 'type': 'index', 'size': 50},"
        "            {'name': 'item', 'type': 'index', 'size': 40},"
        "            {'name': 'f', 'size': 3}],"
        " 'layers': [{'name': 'user_vec', 'type': 'embedding', 'input': 'user', 'dim': 8},"
        "            {'name': 'item_vec', 'type': 'embedding', 'input': 'item', 'dim': 6,"
        "             'init': 'xavier_normal'},"
        "            {'name': 'fn', 'type': 'layer_norm', 'input': 'f'},"
        "            {'type': 'maxout', 'input': 'fn', 'units': 4, 'pieces': 3},"
        "            {'type': 'concat', 'inputs': ['user_vec', 'item_vec', 'maxout_1']},"
        "            {'type': 'dense', 'units': 16, 'activation': 'relu'},"
        "            {'type': 'layer_norm', 'eps': 0.001},"
        "            {'type': 'dropout', 'rate': 0.2},"
        "            {'type': 'dense', 'units': 1, 'activation': 'sigmoid'}]}";
    tn_net *a = build_ok(json);
    tn__net_init_params(a, 21);
    char *text = describe_text(a);
    /* defaults are written out, aliases normalised */
    ck_assert_ptr_nonnull(strstr(text, "\"dim\":8,\"init\":\"uniform\""));
    ck_assert_ptr_nonnull(strstr(text, "\"dim\":6,\"init\":\"glorot_normal\""));
    ck_assert_ptr_nonnull(strstr(text, "\"units\":4,\"pieces\":3,\"init\":\"glorot_uniform\""));
    ck_assert_ptr_nonnull(strstr(text, "\"rate\":0.2"));
    ck_assert_ptr_nonnull(strstr(text, "\"name\":\"fn\",\"inputs\":[\"f\"],\"eps\":1e-05"));
    ck_assert_ptr_nonnull(strstr(text, "\"name\":\"layer_norm_2\",\"inputs\":[\"dense_1\"],"
                                       "\"eps\":0.001"));
    ck_assert_ptr_nonnull(strstr(text, "\"inputs\":[\"user_vec\",\"item_vec\",\"maxout_1\"]"));

    tn_error err;
    tn_net *b = build(text, &err);
    ck_assert_msg(b != NULL, "re-parse failed: %s\n%s", err.msg, text);
    ck_assert_uint_eq(b->n_params, a->n_params);
    ck_assert_int_eq(b->n_layers, a->n_layers);
    for (int l = 0; l < a->n_layers; l++) {
        const tn_layer *la = &a->layers[l], *lb = &b->layers[l];
        ck_assert_str_eq(la->name, lb->name);
        ck_assert_uint_eq(la->width, lb->width);
        ck_assert_int_eq(la->n_tensors, lb->n_tensors);
        for (int t = 0; t < la->n_tensors; t++) {
            ck_assert_str_eq(la->tensors[t].name, lb->tensors[t].name);
            ck_assert_uint_eq(la->tensors[t].rows, lb->tensors[t].rows);
            ck_assert_uint_eq(la->tensors[t].cols, lb->tensors[t].cols);
            ck_assert_uint_eq(la->tensors[t].offset, lb->tensors[t].offset);
        }
    }
    char *text2 = describe_text(b);
    ck_assert_str_eq(text, text2);
    memcpy(b->P, a->P, a->n_params * sizeof *a->P);

    /* same forward output, in inference and in training mode with the same seed */
    for (int training = 0; training <= 1; training++) {
        tn_run *ra, *rb;
        ck_assert_int_eq(tn__run_new(a, 6, training, 5, &ra, &err), TN_OK);
        ck_assert_int_eq(tn__run_new(b, 6, training, 5, &rb, &err), TN_OK);
        tn_rng r1, r2;
        tn__rng_seed(&r1, 8, TN_STREAM_DATA);
        tn__rng_seed(&r2, 8, TN_STREAM_DATA);
        const int ids[6] = {0, 49, 3, 3, 17, 39};
        fill_inputs(a, ra, 6, ids, 6, &r1);
        fill_inputs(b, rb, 6, ids, 6, &r2);
        tn__run_forward(ra, 6);
        tn__run_forward(rb, 6);
        ck_assert_mem_eq(ra->out[a->output], rb->out[b->output], 6 * sizeof(float));
        tn__run_free(ra);
        tn__run_free(rb);
    }
    cJSON_free(text);
    cJSON_free(text2);
    tn__net_free(a);
    tn__net_free(b);
}
END_TEST

/* ---- the suite -------------------------------------------------------------------------- */

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("layers");
    TCase *tc = tcase_create("gradcheck");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_gradcheck, 0, N_CASES);
    tcase_add_test(tc, test_gradcheck_detects_errors);
    tcase_add_test(tc, test_gradcheck_covers_every_type);
    suite_add_tcase(s, tc);

    tc = tcase_create("behaviour");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_dropout_train);
    tcase_add_test(tc, test_dropout_mask_is_serial_draws);
    tcase_add_test(tc, test_rng_fill_is_serial);
    tcase_add_test(tc, test_dropout_inference_and_backward);
    tcase_add_test(tc, test_dropout_rate_zero);
    tcase_add_test(tc, test_embedding_repeated_ids);
    tcase_add_test(tc, test_embedding_bad_ids);
    tcase_add_test(tc, test_embedding_init);
    tcase_add_test(tc, test_concat_forward);
    tcase_add_test(tc, test_maxout_forward);
    tcase_add_test(tc, test_layer_norm_forward);
    tcase_add_test(tc, test_layer_norm_init);
    tcase_add_test(tc, test_layer_norm_backward_adds);
    suite_add_tcase(s, tc);

    tc = tcase_create("config");
    tcase_add_test(tc, test_config_errors);
    tcase_add_test(tc, test_concat_too_many_inputs);
    tcase_add_test(tc, test_describe_round_trip);
    suite_add_tcase(s, tc);
    return s;
}
