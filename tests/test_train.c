/* The demos are tests: XOR reaches 4/4, the ring net its accuracy, the linear ring net
 * stays near chance. Plus reproducibility, early stopping, the no-allocation promise of the
 * training step, and the losses and optimizers against hand-derived values. */
#include "core/blas.h"
#include "loss/loss.h"
#include "optim/optim.h"
#include "train/session.h"
#include "tn_check.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A demo config in a training session, the one pipeline from a config to a model: the
 * tests change its settings (s.config) before fitting, and read its rows and result. */
typedef struct trained {
    tn_session s;
    tn_config *c;               /* s.config */
    tn_dataset *train, *test;   /* s.data.train, s.data.test, once loaded */
    tn_train_result res;        /* s.result, after a fit */
} trained;

static void load(const char *path, trained *t)
{
    tn_error err = {0};
    memset(t, 0, sizeof *t);
    ck_assert_msg(tn__session_open(path, &t->s, &err) == TN_OK, "%s", err.msg);
    t->s.threads = 1; /* the promised bit-exact reproduction is per thread count */
    ck_assert_msg(tn__session_load_data(&t->s, &err) == TN_OK, "%s", err.msg);
    t->c = t->s.config;
    t->train = t->s.data.train;
    t->test = t->s.data.test;
}

/* Initialises the parameters from the seed and trains (with the test rows as validation
 * data, when the config names them). */
static void fit(trained *t, const tn_train_hooks *hooks)
{
    tn_error err = {0};
    ck_assert_msg(tn__session_fit(&t->s, hooks, &err) == TN_OK, "%s", err.msg);
    /* A new seed re-reads the data (the split may depend on it). */
    t->train = t->s.data.train;
    t->test = t->s.data.test;
    t->res = t->s.result;
}

static double accuracy(trained *t, const tn_dataset *d)
{
    tn_metrics m;
    tn_error err = {0};
    ck_assert_msg(tn__evaluate(t->c->net, &t->c->loss, d, NULL, 64, &m, &err) == TN_OK, "%s",
                  err.msg);
    return m.accuracy;
}

static void release(trained *t)
{
    tn__session_close(&t->s);
}

START_TEST(xor_reaches_4_of_4)
{
    trained t;
    load("models/xor.json", &t);
    fit(&t, NULL);
    ck_assert_double_eq(accuracy(&t, t.train), 1.0);
    release(&t);
}
END_TEST

START_TEST(ring_reaches_98_percent)
{
    trained t;
    load("models/ring.json", &t);
    fit(&t, NULL);
    double acc = accuracy(&t, t.test);
    ck_assert_msg(acc >= 0.98, "ring test accuracy %.4f < 0.98", acc);
    release(&t);
}
END_TEST

/* Without a non-linearity the net is one linear map: no better than a straight cut. */
START_TEST(linear_ring_stays_near_chance)
{
    trained t;
    load("models/ring_linear.json", &t);
    fit(&t, NULL);
    double acc = accuracy(&t, t.test);
    ck_assert_msg(acc <= 0.65, "linear ring accuracy %.4f is not near chance", acc);
    release(&t);
}
END_TEST

START_TEST(same_seed_same_parameters)
{
    trained a, b;
    load("models/ring.json", &a);
    load("models/ring.json", &b);
    a.c->train.epochs = b.c->train.epochs = 3;
    fit(&a, NULL);
    fit(&b, NULL);
    ck_assert_int_eq(memcmp(a.c->net->P, b.c->net->P, a.c->net->n_params * sizeof(float)), 0);
    b.c->train.seed++;
    fit(&b, NULL);
    ck_assert_int_ne(memcmp(a.c->net->P, b.c->net->P, a.c->net->n_params * sizeof(float)), 0);
    release(&a);
    release(&b);
}
END_TEST

/* ---- no allocation in the training step ---------------------------------------------- */

static long n_allocs;
static void *counting_malloc(size_t n) { n_allocs++; return malloc(n); }
static void *counting_realloc(void *p, size_t n) { n_allocs++; return realloc(p, n); }

typedef struct alloc_probe {
    long after_first_batch, at_last_batch;
} alloc_probe;

static void probe_batch(void *user, int epoch, size_t batch, size_t n_batches)
{
    alloc_probe *p = user;
    if (epoch == 1 && batch == 1)
        p->after_first_batch = n_allocs;
    (void)n_batches;
    p->at_last_batch = n_allocs;
}

START_TEST(training_step_does_not_allocate)
{
    trained t;
    load("models/ring.json", &t);
    t.c->train.epochs = 3;
    alloc_probe probe = {-1, -1};
    tn_train_hooks hooks = {.user = &probe, .on_batch = probe_batch};
    tn_replace_allocator(counting_malloc, counting_realloc, free);
    n_allocs = 0;
    fit(&t, &hooks);
    tn_replace_allocator(NULL, NULL, NULL);
    ck_assert_int_gt(n_allocs, 0); /* the probe sees the library's allocations at all */
    /* The hook ran (not -1), after the library had allocated its buffers. */
    ck_assert_int_gt(probe.after_first_batch, 0);
    ck_assert_int_eq(probe.at_last_batch, probe.after_first_batch);
    release(&t);

    /* Nor between epochs with everything that runs there: validation rows with a tracked
     * ROC AUC, a plateau schedule, class weights. */
    load("models/ring.json", &t);
    t.c->train.epochs = 3;
    t.c->train.validation = 0.2;
    t.c->train.lr.kind = TN_LR_PLATEAU;
    t.c->train.lr.factor = 0.5;
    t.c->train.metrics[t.c->train.n_metrics++] = TN__M_AUC;
    static const double w[2] = {1, 3};
    t.c->train.class_weight = w;
    t.c->train.classes = 2;
    tn_error e = {0};
    ck_assert_msg(tn__session_load_data(&t.s, &e) == TN_OK, "%s", e.msg);
    probe = (alloc_probe){-1, -1};
    tn_replace_allocator(counting_malloc, counting_realloc, free);
    fit(&t, &hooks);
    tn_replace_allocator(NULL, NULL, NULL);
    ck_assert_int_gt(probe.after_first_batch, 0);
    ck_assert_int_eq(probe.at_last_batch, probe.after_first_batch);
    release(&t);
}
END_TEST

/* ---- class weights --------------------------------------------------------------------- */

/* The ring's first rows of one class (want) into a run's input and targets. */
static size_t rows_of(const tn_dataset *d, int want, size_t n, float *x, float *t)
{
    size_t k = 0;
    for (size_t r = 0; r < d->rows && k < n; r++)
        if ((d->t[r] >= 0.5f) == want) {
            memcpy(x + 2 * k, d->x[0] + 2 * r, 2 * sizeof(float));
            t[k++] = d->t[r];
        }
    return k;
}

static double batch_loss(trained *t, tn_run *run, const float *x, const float *tg, size_t B,
                         const double *w, float *grad)
{
    const tn_loss *loss = &t->c->loss;
    memcpy(run->out[0], x, 2 * B * sizeof(float));
    tn__run_forward(run, B);
    tn__run_zero_grad(run);
    double l = tn__loss_eval_run_weighted(loss, run, tg, 1, B, 1, w, 2);
    int out = t->c->net->n_layers - 1;
    if (grad) /* the fused output's dL/dz */
        memcpy(grad, tn__run_dpre(run, out), B * sizeof(float));
    return l;
}

START_TEST(class_weights_weigh_each_rows_loss)
{
    trained t;
    load("models/ring.json", &t);
    tn__net_init_params(t.c->net, 42);
    tn_run *run;
    tn_error err = {0};
    ck_assert_int_eq(tn__run_new(t.c->net, 16, tn__train_run_flags(&t.c->loss, t.c->net), 1,
                                 &run, &err), TN_OK);
    float x[32], tg[16], g0[16], g1[16];
    ck_assert_uint_eq(rows_of(t.train, 1, 6, x, tg), 6); /* rows 0-5 class 1, 6-15 class 0 */
    ck_assert_uint_eq(rows_of(t.train, 0, 10, x + 12, tg + 6), 10);
    double plain = batch_loss(&t, run, x, tg, 16, NULL, g0);
    /* Weights of 1: the same loss and gradient (row by row, so up to rounding). */
    const double ones[2] = {1, 1}, w[2] = {0.5, 3};
    ck_assert_double_eq_tol(batch_loss(&t, run, x, tg, 16, ones, g1), plain, 1e-9 * plain);
    for (int i = 0; i < 16; i++)
        ck_assert_float_eq_tol(g1[i], g0[i], 1e-7f);
    /* Weights 0.5 and 3: 3 x the class-1 rows' loss + 0.5 x the class-0 rows', each
     * computed unweighted in a batch of its own; the gradient of row r is w_r times its
     * unweighted gradient in the whole batch. */
    double pos = batch_loss(&t, run, x, tg, 6, NULL, NULL);
    double neg = batch_loss(&t, run, x + 12, tg + 6, 10, NULL, NULL);
    double weighted = batch_loss(&t, run, x, tg, 16, w, g1);
    ck_assert_double_eq_tol(weighted, 3 * pos + 0.5 * neg, 1e-6 * weighted);
    for (int i = 0; i < 16; i++)
        ck_assert_float_eq_tol(g1[i], (float)(i < 6 ? 3 : 0.5) * g0[i], 1e-7f);
    tn__run_free(run);
    release(&t);
}
END_TEST

/* ---- early stopping ------------------------------------------------------------------ */

typedef struct epochs_seen {
    int n;
    double val_loss[64];
} epochs_seen;

static void record_epoch(void *user, const tn_epoch_info *r)
{
    epochs_seen *e = user;
    e->val_loss[e->n++] = r->val.loss;
}

START_TEST(early_stopping_keeps_the_best_epoch)
{
    trained t;
    load("models/ring.json", &t);
    /* A learning rate this high makes the validation loss bounce, so patience triggers. */
    t.c->optim.lr = 0.5;
    t.c->train.epochs = 60;
    t.c->train.patience = 3;
    t.c->train.validation = 0.2;
    tn_error e = {0};
    ck_assert_msg(tn__session_load_data(&t.s, &e) == TN_OK, "%s", e.msg);
    ck_assert_uint_eq(t.s.val->rows, 200);
    ck_assert_uint_eq(t.s.data.train->rows, 800);
    epochs_seen seen = {0};
    tn_train_hooks hooks = {.user = &seen, .on_epoch = record_epoch};
    fit(&t, &hooks);
    ck_assert_int_eq(seen.n, t.res.epochs_run);
    /* Stopping happened: fewer epochs than configured, and after the best one. */
    ck_assert_int_lt(t.res.epochs_run, 60);
    ck_assert_int_lt(t.res.best_epoch, t.res.epochs_run);
    ck_assert_int_eq(t.res.stopped_early, 1);
    ck_assert_int_le(t.res.epochs_run, t.res.best_epoch + 3);
    double best = INFINITY;
    for (int i = 0; i < seen.n; i++)
        best = fmin(best, seen.val_loss[i]);
    ck_assert_double_eq(seen.val_loss[t.res.best_epoch - 1], best);
    tn_metrics m;
    tn_error err = {0};
    ck_assert_int_eq(tn__evaluate(t.c->net, &t.c->loss, t.s.val, NULL, 32, &m, &err), TN_OK);
    ck_assert_double_eq_tol(m.loss, best, 1e-9 + 1e-6 * best); /* restored, not the last */
    /* The validation rows chose; the test rows were evaluated once, after training, on
     * the kept parameters. */
    ck_assert_int_eq(tn__evaluate(t.c->net, &t.c->loss, t.test, NULL, 32, &m, &err), TN_OK);
    ck_assert(t.s.has_report[2]);
    ck_assert_double_eq(t.s.report[2].m.loss, m.loss);
    ck_assert(strstr(t.s.chosen_by, "the kept epoch, on the validation rows (200 of the 1000 training rows"));
    release(&t);
}
END_TEST

START_TEST(holdout_split_is_seeded_and_disjoint)
{
    trained t;
    load("models/ring.json", &t);
    tn_dataset *a, *b, *c, *d;
    tn_error err = {0};
    ck_assert_int_eq(tn__dataset_split(t.train, 0.2, 5, &a, &b, &err), TN_OK);
    ck_assert_int_eq(tn__dataset_split(t.train, 0.2, 5, &c, &d, &err), TN_OK);
    ck_assert_uint_eq(a->rows, 800);
    ck_assert_uint_eq(b->rows, 200);
    ck_assert_int_eq(memcmp(b->x[0], d->x[0], 200 * 2 * sizeof(float)), 0);
    double sum_all = 0, sum_parts = 0;
    for (size_t i = 0; i < 2000; i++)
        sum_all += t.train->x[0][i];
    for (size_t i = 0; i < 1600; i++)
        sum_parts += a->x[0][i];
    for (size_t i = 0; i < 400; i++)
        sum_parts += b->x[0][i];
    ck_assert_double_eq_tol(sum_all, sum_parts, 1e-3); /* a permutation, nothing lost */
    tn__dataset_free(c);
    tn__dataset_free(d);
    ck_assert_int_eq(tn__dataset_split(t.train, 0.0, 5, &c, &d, &err), TN_EDATA);
    ck_assert_ptr_null(c);
    tn__dataset_free(a);
    tn__dataset_free(b);
    release(&t);
}
END_TEST

/* ---- losses --------------------------------------------------------------------------- */

/* A one-layer net whose output activation is chosen, for driving the losses directly. */
static tn_net *one_layer(const char *act, int units)
{
    char json[512];
    snprintf(json, sizeof json,
             "{\"inputs\": [{\"name\": \"x\", \"size\": 3}], \"layers\": [{\"type\": \"dense\", "
             "\"units\": %d, \"activation\": \"%s\"}]}", units, act);
    cJSON *root;
    tn_error err = {0};
    ck_assert_int_eq(tn__jr_parse("t", json, strlen(json), &root, &err), TN_OK);
    tn_jr r;
    tn__jr_init(&r, "t", &err);
    tn_net *net;
    ck_assert_msg(tn__net_from_json(&r, root, &net) == TN_OK, "%s", err.msg);
    cJSON_Delete(root);
    tn__net_init_params(net, 9);
    return net;
}

/* d(loss)/d(parameter) by central differences in double against the backward pass. */
/* The built-in loss called name, with its default parameters. */
static tn_loss loss_named(const char *name)
{
    tn_loss l = {tn__loss_ops_find(name), {0}, 0};
    ck_assert_ptr_nonnull(l.ops);
    for (int i = 0; i < l.ops->n_params; i++)
        l.param[i] = l.ops->params[i].def;
    return l;
}

static void check_loss_gradient(const char *act, const char *loss_name, int units,
                                const float *t, size_t tw)
{
    tn_loss l = loss_named(loss_name);
    const tn_loss *loss = &l;
    tn_net *net = one_layer(act, units);
    tn_run *run;
    tn_error err = {0};
    const size_t B = 4;
    ck_assert_int_eq(tn__run_new(net, B, tn__train_run_flags(loss, net), 1, &run, &err), TN_OK);
    for (size_t i = 0; i < B * 3; i++)
        run->out[0][i] = (float)sin(1.7 * (double)i + 0.3) * 2.0f;
    tn__run_forward(run, B);
    tn__run_zero_grad(run);
    tn__loss_eval_run(loss, run, t, tw, B, 1);
    tn__run_backward(run, B);
    int nonzero = 0;
    for (size_t p = 0; p < net->n_params; p++) {
        float keep = net->P[p];
        const float eps = 1e-2f;
        net->P[p] = keep + eps;
        tn__run_forward(run, B);
        double up = tn__loss_eval_run(loss, run, t, tw, B, 0) / (double)B;
        net->P[p] = keep - eps;
        tn__run_forward(run, B);
        double down = tn__loss_eval_run(loss, run, t, tw, B, 0) / (double)B;
        net->P[p] = keep;
        double fd = (up - down) / (2.0 * eps), g = run->G[p];
        nonzero += fabs(g) > 1e-3;
        ck_assert_msg(fabs(fd - g) <= 2e-3 + 2e-2 * fabs(fd),
                      "%s/%s param %zu: backward %g, finite difference %g", act,
                      loss_name, p, g, fd);
    }
    ck_assert_int_ge(nonzero, (int)net->n_params / 2);
    tn__run_free(run);
    tn__net_free(net);
}

START_TEST(loss_gradients_match_finite_differences)
{
    const float bin[4] = {0, 1, 1, 0};
    const float cls[4] = {2, 0, 1, 2};
    const float onehot[12] = {0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1};
    const float reg[8] = {0.5f, -1, 2, 0.25f, -0.5f, 1, 0, 3};
    check_loss_gradient("sigmoid", "binary_crossentropy", 1, bin, 1);  /* fused */
    check_loss_gradient("tanh", "mse", 2, reg, 2);
    check_loss_gradient("softmax", "categorical_crossentropy", 3, cls, 1);  /* fused, class index */
    check_loss_gradient("softmax", "categorical_crossentropy", 3, onehot, 3); /* fused, one-hot */
    /* rows that do not sum to 1: the fused gradient is p * sum(t) - t, not p - t */
    const float soft[12] = {0.2f, 0.3f, 0.2f, 1, 1, 0, 0, 0, 0, 0.5f, 0.25f, 0.75f};
    check_loss_gradient("softmax", "categorical_crossentropy", 3, soft, 3);
    check_loss_gradient("log_softmax", "categorical_crossentropy", 3, cls, 1); /* outputs are log-probs */
    check_loss_gradient("log_softmax", "categorical_crossentropy", 3, onehot, 3);
}
END_TEST

/* From logits of +-100 the fused losses stay finite and exact. */
START_TEST(fused_losses_are_stable)
{
    tn_net *net = one_layer("sigmoid", 1);
    tn_run *run;
    tn_error err = {0};
    ck_assert_int_eq(tn__run_new(net, 2, TN_RUN_TRAINING | TN_RUN_FUSED_OUTPUT, 1, &run, &err),
                     TN_OK);
    memset(net->P, 0, net->n_params * sizeof(float));
    net->P[net->n_params - 1] = 100.0f; /* bias: z = 100 for every row */
    tn__run_forward(run, 2);
    const float t[2] = {0, 1};
    tn_loss bce = loss_named("binary_crossentropy");
    double l = tn__loss_eval_run(&bce, run, t, 1, 2, 1);
    ck_assert(isfinite(l));
    ck_assert_double_eq_tol(l, 100.0, 1e-9); /* -log(1 - sigmoid(100)) = 100 + tiny, + 0 */
    float *dz = tn__run_dpre(run, 0);
    ck_assert_float_eq_tol(dz[0], 0.5f, 1e-6f);
    ck_assert_float_eq_tol(dz[1], 0.0f, 1e-6f);
    tn__run_free(run);
    tn__net_free(net);
}
END_TEST

/* With a log_softmax output the loss is -log p of the target class, not of a clamped y. */
START_TEST(log_softmax_cross_entropy_value)
{
    tn_net *a = one_layer("softmax", 3), *b = one_layer("log_softmax", 3);
    tn_run *ra, *rb;
    tn_error err = {0};
    ck_assert_int_eq(tn__run_new(a, 4, 0, 1, &ra, &err), TN_OK);
    ck_assert_int_eq(tn__run_new(b, 4, 0, 1, &rb, &err), TN_OK);
    for (size_t i = 0; i < 12; i++)
        ra->out[0][i] = rb->out[0][i] = (float)cos((double)i);
    tn__run_forward(ra, 4);
    tn__run_forward(rb, 4);
    const float cls[4] = {2, 0, 1, 2};
    tn_loss cce = loss_named("categorical_crossentropy");
    double la = tn__loss_eval_run(&cce, ra, cls, 1, 4, 0);
    double lb = tn__loss_eval_run(&cce, rb, cls, 1, 4, 0);
    ck_assert(la > 0.1);
    ck_assert_double_eq_tol(la, lb, 1e-5);
    tn__run_free(ra);
    tn__run_free(rb);
    tn__net_free(a);
    tn__net_free(b);
}
END_TEST

/* Without early stopping the result is the last epoch, whatever the losses did. */
static void keep_last(void *user, const tn_epoch_info *r)
{
    *(tn_metrics *)user = r->train;
}

START_TEST(result_is_the_last_epoch_without_patience)
{
    trained t;
    load("models/ring.json", &t);
    t.c->optim.lr = 0.5; /* bouncing losses: the last epoch is not the best */
    t.c->train.epochs = 12;
    tn_metrics last = {0};
    tn_train_hooks hooks = {.user = &last, .on_epoch = keep_last};
    fit(&t, &hooks);
    ck_assert_int_eq(t.res.best_epoch, 12);
    ck_assert_double_eq(t.res.train.loss, last.loss);
    release(&t);
}
END_TEST

/* The loop itself, on rows made here: a validation set it cannot score is refused. */
START_TEST(validation_targets_are_checked)
{
    trained t;
    load("models/ring.json", &t);
    tn_dataset *train, *bad;
    tn_error err = {0};
    size_t w[1] = {2};
    ck_assert_int_eq(tn__dataset_new(8, 1, w, 1, &train, &err), TN_OK);
    memset(train->x[0], 0, 8 * 2 * sizeof(float)); /* zeros: valid rows and targets */
    memset(train->t, 0, 8 * sizeof(float));
    ck_assert_int_eq(tn__dataset_new(5, 1, w, 2, &bad, &err), TN_OK);
    ck_assert_int_eq(tn__train(t.c->net, &t.c->loss, &t.c->optim, &t.c->train, train, bad, NULL,
                               &t.res, &err), TN_ESHAPE);
    ck_assert_ptr_nonnull(strstr(err.msg, "1 output but 2 target columns"));
    tn__dataset_free(bad);
    ck_assert_int_eq(tn__dataset_new(5, 1, w, 0, &bad, &err), TN_OK);
    ck_assert_int_eq(tn__train(t.c->net, &t.c->loss, &t.c->optim, &t.c->train, train, bad, NULL,
                               &t.res, &err), TN_EDATA);
    ck_assert_ptr_nonnull(strstr(err.msg, "the validation data has no targets"));
    tn__dataset_free(bad);
    tn__dataset_free(train);
    release(&t);
}
END_TEST

/* ---- optimizers against values worked by hand (PyTorch's update rules) ---------------- */

/* Lazy Adam against dense Adam on P = [2 dense | a 3 x 2 table | 2 dense] over two steps:
 * step 1 uses table rows {0, 2}, step 2 row {2}. Where the math says they must agree they
 * agree bit for bit: every element after step 1 (rows never used have zero moments, which
 * dense Adam leaves in place too), the dense elements and row 2 after step 2. Row 0, skipped
 * by lazy Adam in step 2, is where they part (dense Adam keeps moving it on its moments). */
START_TEST(lazy_adam_updates_only_used_rows)
{
    enum { N = 10, OFF = 2, DIM = 2 };
    tn_optim_cfg c;
    tn_error err = {0};
    tn__optim_defaults(&c, tn__optim_ops_find("adam"));
    c.lr = 0.1;
    ck_assert(!tn__optim_lazy_rows(&c));
    tn_optim *dense, *lazy;
    ck_assert_int_eq(tn__optim_new(&c, N, &dense, &err), TN_OK);
    c.p[3] = 1; /* lazy */
    ck_assert(tn__optim_lazy_rows(&c));
    ck_assert_int_eq(tn__optim_new(&c, N, &lazy, &err), TN_OK);
    uint32_t rows[2];
    tn_optim_rows table = {.offset = OFF, .n_rows = 3, .dim = DIM, .rows = rows};
    lazy->tables = &table;
    lazy->n_tables = 1;
    float Pd[N], Pl[N], G[N];
    for (int i = 0; i < N; i++)
        Pd[i] = Pl[i] = 0.1f * (float)(i + 1);
    static const uint32_t used[2][2] = {{0, 2}, {2, 2}};
    static const size_t n_used[2] = {2, 1};
    for (int step = 0; step < 2; step++) {
        memcpy(rows, used[step], sizeof rows);
        table.n_touched = n_used[step];
        for (int i = 0; i < N; i++) {
            int r = i >= OFF && i < OFF + 3 * DIM ? (i - OFF) / DIM : -1;
            int in_batch = r < 0 || r == (int)used[step][0] || r == (int)used[step][1];
            G[i] = in_batch ? 0.3f - 0.07f * (float)i * (float)(step + 1) : 0.0f;
        }
        float Gd[N];
        memcpy(Gd, G, sizeof Gd);
        tn__optim_step(dense, Pd, Gd);
        tn__optim_step(lazy, Pl, G);
        if (step == 0)
            ck_assert_mem_eq(Pd, Pl, sizeof Pd);
    }
    for (int i = 0; i < N; i++) {
        int row0 = i >= OFF && i < OFF + DIM;
        if (row0) {
            ck_assert_float_ne(Pd[i], Pl[i]);               /* dense moved it ... */
            ck_assert_float_eq_tol(Pl[i], 0.1f * (float)i, 1e-6f); /* lazy: step 1 only */
        } else {
            ck_assert_float_eq(Pd[i], Pl[i]);
        }
    }
    /* Row 1, never used, never moved. */
    ck_assert_float_eq(Pl[OFF + DIM], 0.1f * (float)(OFF + DIM + 1));
    tn__optim_free(dense);
    tn__optim_free(lazy);
}
END_TEST

START_TEST(optimizer_steps_match_reference)
{
    tn_optim_cfg c;
    tn_optim *o;
    tn_error err = {0};
    float P[1], G[1];

    tn__optim_defaults(&c, tn__optim_ops_find("sgd"));
    c.lr = 0.1;
    c.p[0] = 0.9; /* momentum */
    ck_assert_int_eq(tn__optim_new(&c, 1, &o, &err), TN_OK);
    P[0] = 1.0f;
    G[0] = 1.0f;
    tn__optim_step(o, P, G); /* v = 1, p = 0.9 */
    G[0] = 1.0f;
    tn__optim_step(o, P, G); /* v = 1.9, p = 0.71 */
    ck_assert_float_eq_tol(P[0], 0.71f, 1e-6f);
    tn__optim_free(o);

    c.p[1] = 1; /* nesterov */
    ck_assert_int_eq(tn__optim_new(&c, 1, &o, &err), TN_OK);
    P[0] = 1.0f;
    G[0] = 1.0f;
    tn__optim_step(o, P, G); /* v = 1, step g + 0.9 v = 1.9 -> p = 0.81 */
    ck_assert_float_eq_tol(P[0], 0.81f, 1e-6f);
    tn__optim_free(o);

    tn__optim_defaults(&c, tn__optim_ops_find("adam"));
    c.lr = 0.1;
    ck_assert_int_eq(tn__optim_new(&c, 1, &o, &err), TN_OK);
    P[0] = 1.0f;
    G[0] = 0.5f;
    tn__optim_step(o, P, G); /* bias-corrected first step moves by lr * g/|g| */
    ck_assert_float_eq_tol(P[0], 0.9f, 1e-6f);
    G[0] = -0.25f;
    tn__optim_step(o, P, G);
    /* m = 0.9*0.05 - 0.025 = 0.02, v = 0.999*0.00025 + 0.001*0.0625 = 0.00031225;
     * mhat = 0.02/0.19, vhat = 0.00031225/0.001999: p = 0.9 - 0.1*mhat/sqrt(vhat). */
    double mhat = 0.02 / 0.19, vhat = 0.00031225 / (1 - 0.999 * 0.999);
    ck_assert_float_eq_tol(P[0], (float)(0.9 - 0.1 * mhat / (sqrt(vhat) + 1e-8)), 1e-6f);
    tn__optim_free(o);

    tn__optim_defaults(&c, tn__optim_ops_find("sgd"));
    c.lr = 0.1;
    c.weight_decay = 0.5;
    ck_assert_int_eq(tn__optim_new(&c, 1, &o, &err), TN_OK);
    P[0] = 2.0f;
    G[0] = 0.0f;
    tn__optim_step(o, P, G); /* g = 0 + 0.5 * 2 = 1 -> p = 1.9 */
    ck_assert_float_eq_tol(P[0], 1.9f, 1e-6f);
    tn__optim_free(o);
}
END_TEST

Suite *tn_check_suite(void)
{
    tn__blas_set_threads(1); /* the promised bit-exact reproduction is per thread count */
    Suite *s = suite_create("train");
    TCase *demos = tcase_create("demos");
    tcase_set_timeout(demos, 120);
    tcase_add_test(demos, xor_reaches_4_of_4);
    tcase_add_test(demos, ring_reaches_98_percent);
    tcase_add_test(demos, linear_ring_stays_near_chance);
    tcase_add_test(demos, same_seed_same_parameters);
    tcase_add_test(demos, training_step_does_not_allocate);
    tcase_add_test(demos, early_stopping_keeps_the_best_epoch);
    tcase_add_test(demos, holdout_split_is_seeded_and_disjoint);
    tcase_add_test(demos, result_is_the_last_epoch_without_patience);
    tcase_add_test(demos, class_weights_weigh_each_rows_loss);
    tcase_add_test(demos, validation_targets_are_checked);
    suite_add_tcase(s, demos);
    TCase *units = tcase_create("units");
    tcase_add_test(units, loss_gradients_match_finite_differences);
    tcase_add_test(units, fused_losses_are_stable);
    tcase_add_test(units, log_softmax_cross_entropy_value);
    tcase_add_test(units, optimizer_steps_match_reference);
    tcase_add_test(units, lazy_adam_updates_only_used_rows);
    suite_add_tcase(s, units);
    return s;
}
