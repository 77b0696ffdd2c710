/* The training loop, evaluation and prediction over datasets in memory: everything is
 * allocated before the first batch; each step copies a shuffled batch into the bound input
 * buffers, runs forward, loss, backward and the optimizer without allocating. */
#include "train/loop.h"

#include "core/alloc.h"
#include "core/blas.h"
#include "core/clock.h"
#include "core/copy.h"
#include "core/error.h"
#include "core/pool.h"
#include "dist/dist.h"
#include "loss/loss.h"
#include "train/rows.h"
#include "train/shard.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Copies rows idx[0..b) (or first..first+b when idx is NULL) into the run's input buffers
 * and into t (may be NULL), and scales them when d is not scaled yet (scale may be NULL):
 * the same float operations as scaling the whole dataset, so the same bits. */
typedef struct batch_job {
    const tn_dataset *d;
    const uint32_t *idx;
    size_t first;
    tn_run *run;
    float *t;
} batch_job;

static void load_rows(void *arg, size_t lo, size_t hi)
{
    const batch_job *j = arg;
    const tn_dataset *d = j->d;
    for (size_t r = lo; r < hi; r++) {
        size_t row = j->idx ? j->idx[j->first + r] : j->first + r;
        for (int i = 0; i < d->n_inputs; i++)
            tn__copy_floats(j->run->out[i] + r * d->width[i], d->x[i] + row * d->width[i],
                            d->width[i]);
        if (j->t)
            tn__copy_floats(j->t + r * d->t_width, d->t + row * d->t_width, d->t_width);
    }
}

static void load_batch(const tn_dataset *d, const tn_scaling *scale, const uint32_t *idx,
                       size_t first, size_t b, tn_run *run, float *t)
{
    size_t row_floats = d->t_width; /* rows split across the training threads, if any */
    for (int i = 0; i < d->n_inputs; i++)
        row_floats += d->width[i];
    batch_job j = {d, idx, first, run, t};
    tn__pool_for(b, TN__POOL_GRAIN / (row_floats + 1) + 1, 1, load_rows, &j);
    if (scale && scale->kind != TN_SCALING_NONE && !d->scaled)
        tn__scaling_apply_rows(scale, run->out[scale->input], b, d->width[scale->input]);
}

/* A dataset with targets that fit the network and the loss. */
static int check_labelled(const tn_net *net, const tn_loss *loss, const tn_dataset *d, const char *what,
                          tn_error *err)
{
    int rc = tn__dataset_check(net, d, err);
    if (rc == TN_OK && !d->t)
        rc = tn__err(err, TN_EDATA, "the %s data has no targets", what);
    if (rc == TN_OK)
        rc = tn__loss_check_targets(loss, net->nodes[net->output].width, d->t_width, err);
    return rc;
}

unsigned tn__train_run_flags(const tn_loss *loss, const tn_net *net)
{
    const tn_layer *L = tn__net_output_layer(net);
    int fused = L->act && tn__loss_fuses(loss, L->act->m);
    return TN_RUN_TRAINING | (fused ? TN_RUN_FUSED_OUTPUT : 0);
}

double tn__loss_eval_run(const tn_loss *loss, tn_run *run, const float *t, size_t tw, size_t B,
                         int grad)
{
    const tn_net *net = run->net;
    int out = net->n_layers - 1;
    const tn_layer *L = &net->layers[out];
    const tn_activation *act = L->act ? L->act->m : NULL;
    if (tn__loss_fuses(loss, act))
        return loss->ops->eval_fused(loss, tn__run_pre(run, out), t, tw, B, L->width,
                                     grad ? tn__run_dpre(run, out) : NULL);
    return loss->ops->eval(loss, act, run->out[net->output], t, tw, B, L->width,
                           grad ? run->dout[net->output] : NULL);
}

double tn__loss_eval_run_weighted(const tn_loss *loss, tn_run *run, const float *t, size_t tw,
                                  size_t B, int grad, const double *w, size_t classes)
{
    if (!w)
        return tn__loss_eval_run(loss, run, t, tw, B, grad);
    /* Row by row (each a batch of one, whose gradient is of that row alone), then each
     * row's gradient scaled by its weight over B: the gradient of the weighted batch mean. */
    const tn_net *net = run->net;
    int out = net->n_layers - 1;
    const tn_layer *L = &net->layers[out];
    const tn_activation *act = L->act ? L->act->m : NULL;
    int fused = tn__loss_fuses(loss, act);
    size_t W = L->width;
    float *y = fused ? tn__run_pre(run, out) : run->out[net->output];
    float *dy = !grad ? NULL : fused ? tn__run_dpre(run, out) : run->dout[net->output];
    double total = 0, mean_rows = (double)tn__loss_mean_rows(loss, B);
    tn_loss one = *loss; /* each row alone; the mean is over mean_rows (a process's share) */
    one.mean_rows = 0;
    for (size_t r = 0; r < B; r++) {
        double wr = w[tn__target_class(t + r * tw, tw, classes)];
        float *dr = dy ? dy + r * W : NULL;
        double l = fused ? one.ops->eval_fused(&one, y + r * W, t + r * tw, tw, 1, W, dr)
                         : one.ops->eval(&one, act, y + r * W, t + r * tw, tw, 1, W, dr);
        total += wr * l;
        float f = (float)(wr / mean_rows);
        for (size_t k = 0; dr && k < W; k++)
            dr[k] *= f;
    }
    return total;
}

/* Evaluates with an existing inference run (and its target buffer); acc (may be NULL)
 * receives every batch's outputs for the task's metrics. */
static void evaluate_with(const tn_net *net, const tn_loss *loss, const tn_dataset *d,
                          const tn_scaling *scale, tn_run *run, float *t, tn_metric_acc *acc,
                          tn_metrics *m)
{
    double total = 0;
    size_t correct = 0, W = net->nodes[net->output].width;
    for (size_t first = 0; first < d->rows; first += run->max_batch) {
        size_t b = d->rows - first < run->max_batch ? d->rows - first : run->max_batch;
        load_batch(d, scale, NULL, first, b, run, t);
        tn__run_forward(run, b);
        total += tn__loss_eval_run(loss, run, t, d->t_width, b, 0);
        correct += tn__loss_correct(loss, run->out[net->output], W, t, d->t_width, b);
        if (acc)
            tn__metrics_add(acc, run->out[net->output], t, b);
    }
    m->rows = d->rows;
    m->loss = total / (double)d->rows;
    m->accuracy = tn__loss_has_accuracy(loss) ? (double)correct / (double)d->rows : NAN;
}

typedef struct trainer {
    tn_run *run, *eval_run;
    tn_optim *opt;
    uint32_t *perm;
    float *t, *best;
    tn_metric_acc acc;          /* the tracked metrics of the validation rows */
    double values[TN__M_COUNT];
    tn_row_lists *rows;         /* each batch's embedding rows, for a lazy optimizer */
    tn_train_snapshot snap;     /* what the last checkpoint was given */
    int stop_asked;             /* data parallel: a process was asked to stop at this step */
    double step_loss;           /* data parallel: the step's loss, summed over the processes */
    size_t step_rows;           /* data parallel: this process's rows of the step */
    tn_dist_plan *plan;         /* data parallel: embedding tables exchanged as rows */
} trainer;

static const tn_train_snapshot *snapshot_of(trainer *s, const tn_net *net, tn_train_state *st);

static void trainer_free(trainer *s)
{
    tn__run_free(s->run);
    tn__run_free(s->eval_run);
    tn__optim_free(s->opt);
    tn__free(s->perm);
    tn__floats_free(s->t);
    tn__floats_free(s->best);
    tn__metrics_free(&s->acc);
    tn__row_lists_free(s->rows);
    tn__dist_plan_free(s->plan);
}

/* Data parallel: the embedding tables, which dist may exchange as the rows a batch
 * touches (their ids are the run's index inputs). */
static int dist_plan(trainer *s, const tn_net *net, size_t max_batch, tn_error *err)
{
    tn_dist_table tables[TN_DIST_MAX_TABLES];
    int n = 0;
    for (int l = 0; l < net->n_layers && n < TN_DIST_MAX_TABLES; l++) {
        const tn_layer *L = &net->layers[l];
        if ((L->ops->flags & TN_LAYER_READS_IDS) && L->n_tensors == 1 &&
            L->tensors[0].rows * L->tensors[0].cols <= L->n_params)
            tables[n++] = (tn_dist_table){L->param_off, L->tensors[0].rows,
                                          L->tensors[0].cols, s->run->out[L->in[0]]};
    }
    return tn__dist_plan_new(net->n_params, tables, n, max_batch, &s->plan, err);
}

int tn__train_budget(const tn_net *net, const tn_loss *loss, const tn_optim_cfg *oc,
                     const tn_train_cfg *tc, const tn_dataset *train, const tn_dataset *val,
                     tn_error *err)
{
    size_t bs = tc->batch_size, tw = train->t_width;
    unsigned flags = tn__train_run_flags(loss, net);
    int blocks = oc->ops->n_state ? oc->ops->n_state(oc) : 0;
    double floats = (double)tn__run_floats(net, bs, flags) +
                    (val ? (double)tn__run_floats(net, bs, 0) : 0) +
                    (double)net->n_params * (1 + blocks + (tc->patience > 0)) +
                    (double)bs * (double)tw + (double)train->rows; /* targets, permutation */
    for (int i = 0; i < train->n_inputs; i++)
        floats += (double)train->rows * (double)train->width[i];
    for (int i = 0; val && i < val->n_inputs; i++)
        floats += (double)val->rows * (double)val->width[i];
    char what[128];
    snprintf(what, sizeof what, "training (parameters, %s state, data, and activations for "
             "train.batch_size %zu)", oc->ops->name, bs);
    return tn__mem_check(floats * sizeof(float), what, err);
}

static int trainer_init(trainer *s, tn_net *net, const tn_loss *loss, const tn_optim_cfg *oc,
                        const tn_train_cfg *tc, const tn_dataset *train, const tn_dataset *val,
                        tn_error *err)
{
    size_t bs = tc->batch_size, tw = train->t_width;
    unsigned flags = tn__train_run_flags(loss, net);
    int rc = tn__train_budget(net, loss, oc, tc, train, val, err);
    if (rc)
        return rc;
    rc = tn__run_new(net, bs, flags, tc->seed, &s->run, err);
    if (rc == TN_OK && val)
        rc = tn__run_new(net, bs, 0, tc->seed, &s->eval_run, err);
    if (rc == TN_OK)
        rc = tn__optim_new(oc, net->n_params, &s->opt, err);
    if (rc == TN_OK && (!(s->perm = tn__calloc(train->rows, sizeof *s->perm)) ||
                        !(s->t = tn__floats_alloc(bs * tw)) ||
                        (tc->patience > 0 && !(s->best = tn__floats_alloc(net->n_params)))))
        rc = tn__err(err, TN_ENOMEM, "out of memory");
    if (rc == TN_OK && val && tc->n_metrics > 0)
        rc = tn__metrics_init(&s->acc, tn__metrics_task(loss, net->nodes[net->output].width),
                              net->nodes[net->output].width, val->t_width, val->rows,
                              tc->threshold, err);
    if (rc == TN_OK && tn__optim_lazy_rows(oc))
        rc = tn__row_lists_new(s->run, bs, s->opt, &s->rows, err);
    return rc;
}

static int diverged(tn_error *err, int epoch, size_t batch, double loss)
{
    return tn__err(err, TN_ERANGE, "training diverged in epoch %d, batch %zu (loss is %g): "
                   "lower the learning rate", epoch, batch, loss);
}

#define TN__DIST_DIVERGED (-1)

/* One step's forward and backward in a data-parallel run: this process computes its rows
 * [lo, hi) of the global batch of b rows (dropout skipping the others' draws), its loss
 * gradient as their share of the batch's mean; then the gradients, the loss, the correct
 * rows and the stop requests are summed over the processes. Every process ends with the
 * same G and figures; TN__DIST_DIVERGED when a loss was not finite (s->step_loss holds
 * the sum). s->step_rows: this process's rows, which the run holds. */
static int dist_step(trainer *s, const tn_net *net, const tn_loss *loss,
                     const tn_train_cfg *tc, const tn_dataset *d, size_t k, size_t b,
                     const tn_train_ctl *ctl, tn_train_state *st, tn_error *err)
{
    const tn_train_hooks *h = ctl->hooks;
    size_t lo, hi, n, first, W = net->nodes[net->output].width;
    if (ctl->shards) { /* its shards' rows of the batch */
        tn__shards_batch(ctl->shards, k, &first, &lo, &n);
        hi = lo + n;
    } else { /* its share of the batch */
        tn__dist_split(b, &lo, &hi);
        n = hi - lo;
        first = k * tc->batch_size + lo;
    }
    s->step_rows = n;
    double stats[TN_DIST_NSTATS] = {0};
    tn__run_zero_grad(s->run);
    if (n > 0) {
        load_batch(d, NULL, s->perm, first, n, s->run, s->t);
        s->run->noise_skip[0] = lo;
        s->run->noise_skip[1] = b - hi;
        tn__run_forward(s->run, n);
        tn_loss part = *loss; /* its gradient: these rows' share of the batch's mean */
        part.mean_rows = b;
        double l = tn__loss_eval_run_weighted(&part, s->run, s->t, d->t_width, n, 1,
                                              tc->class_weight, tc->classes);
        stats[TN_DIST_LOSS] = l;
        stats[TN_DIST_DIVERGED] = !isfinite(l);
        stats[TN_DIST_CORRECT] = (double)tn__loss_correct(loss, s->run->out[net->output], W,
                                                          s->t, d->t_width, n);
        if (isfinite(l))
            tn__run_backward(s->run, n);
    } else { /* no rows here: the stream still moves past the others' */
        s->run->noise_skip[0] = 0;
        s->run->noise_skip[1] = b;
        tn__run_forward(s->run, 0);
    }
    s->run->noise_skip[0] = s->run->noise_skip[1] = 0;
    stats[TN_DIST_STOP] = h && h->should_stop && h->should_stop(h->user);
    int rc = tn__dist_reduce_step(s->plan, s->run->G, net->n_params, n, stats, err);
    if (rc)
        return rc;
    s->step_loss = stats[TN_DIST_LOSS];
    if (stats[TN_DIST_DIVERGED] > 0)
        return TN__DIST_DIVERGED;
    st->total += stats[TN_DIST_LOSS];
    st->correct += (size_t)stats[TN_DIST_CORRECT];
    s->stop_asked = stats[TN_DIST_STOP] > 0;
    return TN_OK;
}

/* The rest of an epoch from st->batch on: the permutation is drawn from st->shuffle (the
 * stream as it was before this epoch), batches before st->batch are skipped. Stops after
 * a step when should_stop asks (*stopped). Leaves st->shuffle advanced past the epoch's
 * shuffle only when the epoch is complete. */
static int train_epoch(trainer *s, tn_net *net, const tn_loss *loss, const tn_train_cfg *tc,
                       const tn_dataset *d, tn_train_state *st, const tn_train_ctl *ctl,
                       int *stopped, tn_error *err)
{
    const tn_train_hooks *h = ctl ? ctl->hooks : NULL;
    size_t bs = tc->batch_size, W = net->nodes[net->output].width;
    tn_shards *sh = ctl ? ctl->shards : NULL;
    size_t rows = sh ? sh->total : d->rows; /* of all processes */
    size_t n_batches = (rows + bs - 1) / bs;
    int epoch = st->epoch;
    tn_rng shuffle = st->shuffle;
    if (sh) {
        tn__shards_order(sh, &shuffle, tc->shuffle, s->perm);
    } else {
        for (size_t i = 0; i < d->rows; i++)
            s->perm[i] = (uint32_t)i;
        if (tc->shuffle)
            tn__rng_shuffle(&shuffle, s->perm, d->rows);
    }
    int dist = ctl && ctl->distributed;
    tn_pool *pool = tn__pool_current(); /* the run's threads: full steps are timed */
    for (size_t k = st->batch; k < n_batches; k++) {
        size_t first = k * bs, b = rows - first < bs ? rows - first : bs;
        if (b == bs)
            tn__pool_step_begin(pool);
        if (dist) {
            int rc = dist_step(s, net, loss, tc, d, k, b, ctl, st, err);
            if (rc)
                return rc == TN__DIST_DIVERGED ? diverged(err, epoch, k + 1, s->step_loss) : rc;
        } else {
            load_batch(d, NULL, s->perm, first, b, s->run, s->t);
            tn__run_forward(s->run, b);
            tn__run_zero_grad(s->run);
            double l = tn__loss_eval_run_weighted(loss, s->run, s->t, d->t_width, b, 1,
                                                  tc->class_weight, tc->classes);
            if (!isfinite(l))
                return diverged(err, epoch, k + 1, l);
            st->total += l;
            st->correct += tn__loss_correct(loss, s->run->out[net->output], W, s->t,
                                            d->t_width, b);
            tn__run_backward(s->run, b);
        }
        if (h && h->on_step) {
            tn_step step = {s->run, epoch, k + 1, dist ? s->step_rows : b};
            h->on_step(h->user, &step);
        }
        if (s->rows && dist) { /* every process's rows: all update the same rows */
            int rc = tn__row_lists_collect_all(s->rows, s->step_rows, err);
            if (rc)
                return rc;
        } else if (s->rows) {
            tn__row_lists_collect(s->rows, b);
        }
        tn__optim_step(s->opt, net->P, s->run->G);
        if (b == bs)
            tn__pool_step_end(pool);
        st->batch = k + 1;
        if (h && h->on_batch)
            h->on_batch(h->user, epoch, k + 1, n_batches);
        if (dist ? s->stop_asked : h && h->should_stop && h->should_stop(h->user)) {
            *stopped = 1;
            return TN_OK;
        }
        if (ctl && ctl->checkpoint && ctl->every_steps > 0 && k + 1 < n_batches &&
            s->opt->t % ctl->every_steps == 0) {
            int rc = ctl->checkpoint(ctl->user, snapshot_of(s, net, st), err);
            if (rc)
                return rc;
        }
    }
    st->shuffle = shuffle;
    return TN_OK;
}

/* The current state for a checkpoint (the noise stream lives in the run). */
static const tn_train_snapshot *snapshot_of(trainer *s, const tn_net *net, tn_train_state *st)
{
    st->noise = s->run->noise;
    tn_train_snapshot *snap = &s->snap;
    *snap = (tn_train_snapshot){.state = *st, .opt_t = s->opt->t, .best = s->best,
                                .P = net->P, .n_params = net->n_params};
    while (snap->opt_blocks < TN_OPTIM_MAX_STATE && s->opt->state[snap->opt_blocks]) {
        snap->opt_state[snap->opt_blocks] = s->opt->state[snap->opt_blocks];
        snap->opt_blocks++;
    }
    return snap;
}

/* Takes up a checkpoint's state: the optimizer's step and moments, the best parameters,
 * the noise stream (the parameters are already in net->P). */
static int resume_from(trainer *s, const tn_net *net, const tn_train_cfg *tc,
                       size_t train_rows, const tn_train_snapshot *r, tn_train_state *st,
                       tn_error *err)
{
    size_t n_batches = (train_rows + tc->batch_size - 1) / tc->batch_size;
    if (r->state.batch > n_batches)
        return tn__err(err, TN_ESHAPE, "the checkpoint is after batch %zu of an epoch, which "
                       "has %zu batches here", r->state.batch, n_batches);
    int blocks = 0;
    while (blocks < TN_OPTIM_MAX_STATE && s->opt->state[blocks])
        blocks++;
    if (r->n_params != net->n_params || r->opt_blocks != blocks ||
        (tc->patience > 0) != (r->best != NULL))
        return tn__err(err, TN_ESHAPE, "the checkpoint does not fit this run (%zu parameters, "
                       "%d optimizer blocks%s; the run has %zu, %d%s)", r->n_params,
                       r->opt_blocks, r->best ? ", best parameters" : "", net->n_params, blocks,
                       tc->patience > 0 ? ", patience" : "");
    s->opt->t = r->opt_t;
    for (int i = 0; i < blocks; i++)
        memcpy(s->opt->state[i], r->opt_state[i], net->n_params * sizeof(float));
    if (r->best)
        memcpy(s->best, r->best, net->n_params * sizeof(float));
    *st = r->state;
    s->run->noise = st->noise;
    return TN_OK;
}

int tn__train(tn_net *net, const tn_loss *loss, const tn_optim_cfg *oc, const tn_train_cfg *tc,
              const tn_dataset *train, const tn_dataset *val, const tn_train_ctl *ctl,
              tn_train_result *res, tn_error *err)
{
    memset(res, 0, sizeof *res);
    int rc = check_labelled(net, loss, train, "training", err);
    if (rc == TN_OK && val)
        rc = check_labelled(net, loss, val, "validation", err);
    /* Training and validation targets share one batch buffer. */
    if (rc == TN_OK && val && val->t_width != train->t_width)
        rc = tn__err(err, TN_ESHAPE, "the validation data has %zu target columns, the training "
                     "data %zu", val->t_width, train->t_width);
    if (rc == TN_OK && train->rows > UINT32_MAX)
        rc = tn__err(err, TN_EDATA, "too many rows (%zu)", train->rows);
    if (rc == TN_OK && (tc->epochs < 1 || tc->batch_size < 1))
        rc = tn__err(err, TN_EINVAL, "epochs and batch size must be positive");
    if (ctl && ctl->distributed) /* the processes' data may differ: all stop, or none */
        rc = tn_dist_agree(rc, err);
    if (rc)
        return rc;
    const tn_train_hooks *hooks = ctl ? ctl->hooks : NULL;
    /* The training rows of all processes (sharded: this process holds its shards'). */
    size_t n_train = ctl && ctl->shards ? ctl->shards->total : train->rows;
    trainer s = {0};
    rc = trainer_init(&s, net, loss, oc, tc, train, val, err);
    if (rc == TN_OK && ctl && ctl->shards)
        rc = tn__shards_plan(ctl->shards, tc->batch_size, err);
    tn_pool *pool = NULL, *outer = NULL; /* the run's threads, created once, before any step */
    if (rc == TN_OK && ctl && ctl->threads > 1 &&
        (rc = tn__pool_new(ctl->threads, &pool)) != TN_OK)
        rc = tn__err(err, rc, "cannot start %d training threads", ctl->threads);
    if (pool) { /* the run owns the threads: OpenBLAS's would spin beside them */
        tn__blas_set_threads(1);
        outer = tn__pool_use(pool);
        /* Where splitting keeps every bit, whether it pays is timed, not assumed; not
         * under MPI, where a step's time is also the other processes' (the reductions). */
        tn__pool_tune(pool, tn__blas_split_keeps_bits() && !(ctl && ctl->distributed));
    }
    tn_train_state st = {.epoch = 1, .best = INFINITY, .plateau = {1, INFINITY, 0}};
    tn__rng_seed(&st.shuffle, tc->seed, TN_STREAM_SHUFFLE);
    if (rc == TN_OK && ctl && ctl->resume)
        rc = resume_from(&s, net, tc, n_train, ctl->resume, &st, err);
    if (rc == TN_OK && ctl && ctl->distributed)
        rc = dist_plan(&s, net, tc->batch_size, err);
    if (ctl && ctl->distributed) /* no process may be left waiting in the first step */
        rc = tn_dist_agree(rc, err);
    int stopped = 0;
    /* A resumed run whose patience was already spent stops where the run it continues
     * stopped, as an uninterrupted run with more epochs would have. */
    int spent = tc->patience > 0 && st.batch == 0 && st.res.epochs_run > 0 &&
                st.since_best >= tc->patience;
    if (spent)
        st.res.stopped_early = st.res.epochs_run < tc->epochs;
    while (rc == TN_OK && !spent && st.epoch <= tc->epochs) {
        int epoch = st.epoch;
        tn_epoch_info rep = {.epoch = epoch, .epochs = tc->epochs};
        for (int k = 0; k < TN_METRIC_COUNT; k++)
            rep.val_metric[k] = NAN;
        /* The schedule is a function of the epoch and the saved plateau state: a resumed
         * run sets the rate the straight run did. Constant leaves the configured bits. */
        rep.lr = tn__lr_at(&tc->lr, oc->lr, epoch, tc->epochs, &st.plateau);
        s.opt->cfg.lr = rep.lr;
        double t0 = tn__seconds();
        rc = train_epoch(&s, net, loss, tc, train, &st, ctl, &stopped, err);
        if (rc || stopped)
            break;
        rep.train.rows = n_train;
        rep.train.loss = st.total / (double)n_train;
        rep.train.accuracy = tn__loss_has_accuracy(loss)
                                 ? (double)st.correct / (double)n_train : NAN;
        /* Without validation rows the training loss is what there is to monitor (every
         * epoch); with them, the evaluations every eval_every epochs and at the last. */
        int evaluated = !val || (tc->eval_every > 0 &&
                                 (epoch % tc->eval_every == 0 || epoch == tc->epochs));
        if (val && evaluated) {
            rep.has_val = 1;
            if (s.acc.task)
                tn__metrics_reset(&s.acc);
            evaluate_with(net, loss, val, NULL, s.eval_run, s.t, tc->n_metrics ? &s.acc : NULL,
                          &rep.val);
            if (tc->n_metrics && (rc = tn__metrics_compute(&s.acc, s.values, err)))
                break;
            s.values[TN__M_LOSS] = rep.val.loss;
            for (int k = 0; k < tc->n_metrics; k++)
                rep.val_metric[tc->metrics[k]] = s.values[tc->metrics[k]];
        }
        rep.seconds = tn__seconds() - t0;
        double monitored = val ? rep.val.loss : rep.train.loss;
        rep.improved = evaluated && monitored < st.best - tc->min_delta;
        if (evaluated) {
            if (rep.improved || epoch == 1) {
                st.best = monitored < st.best ? monitored : st.best;
                st.since_best = 0;
            } else {
                st.since_best++;
            }
            tn__plateau_update(&tc->lr, oc->lr, &st.plateau, monitored);
        }
        /* The result is the last epoch, or with early stopping the best one, whose
         * parameters are restored at the end, as a user expects. */
        st.res.epochs_run = epoch;
        if (tc->patience == 0 || (evaluated && st.since_best == 0)) {
            st.res.best_epoch = epoch;
            st.res.train = rep.train;
            if (evaluated)
                st.res.val = rep.val;
            if (tc->patience > 0)
                memcpy(s.best, net->P, net->n_params * sizeof *net->P);
        }
        int early = tc->patience > 0 && evaluated && st.since_best >= tc->patience;
        st.res.stopped_early = early && epoch < tc->epochs;
        st.epoch = epoch + 1;
        st.batch = 0;
        st.total = 0;
        st.correct = 0;
        if (hooks && hooks->on_epoch)
            hooks->on_epoch(hooks->user, &rep);
        /* Periodic checkpoints end with one at the end, so a finished run can be given
         * more epochs; without them, only a stop writes one. */
        int periodic = ctl && ctl->checkpoint && (ctl->every_epochs > 0 || ctl->every_steps > 0);
        int last = early || st.epoch > tc->epochs;
        /* A step interval that ends on an epoch's last batch is written here, at the epoch's
         * end, where the state is complete. */
        int due = periodic && ((ctl->every_epochs > 0 && epoch % ctl->every_epochs == 0) ||
                               (ctl->every_steps > 0 && s.opt->t % ctl->every_steps == 0));
        if (periodic && (last || due))
            rc = ctl->checkpoint(ctl->user, snapshot_of(&s, net, &st), err);
        if (early)
            break;
    }
    if (rc == TN_OK && stopped && ctl && ctl->checkpoint)
        rc = ctl->checkpoint(ctl->user, snapshot_of(&s, net, &st), err);
    *res = st.res;
    res->interrupted = stopped;
    if (rc == TN_OK && tc->patience > 0 && res->best_epoch > 0)
        memcpy(net->P, s.best, net->n_params * sizeof *net->P);
    if (pool)
        tn__pool_use(outer);
    tn__pool_free(pool);
    trainer_free(&s);
    return rc;
}

int tn__evaluate(const tn_net *net, const tn_loss *loss, const tn_dataset *d,
                 const tn_scaling *scale, size_t batch, tn_metrics *m, tn_error *err)
{
    int rc = check_labelled(net, loss, d, "evaluation", err);
    if (rc)
        return rc;
    tn_run *run;
    float *t = NULL;
    if ((rc = tn__run_new(net, batch, 0, 0, &run, err)))
        return rc;
    if (!(t = tn__floats_alloc(batch * d->t_width)))
        rc = tn__err(err, TN_ENOMEM, "out of memory");
    else
        evaluate_with(net, loss, d, scale, run, t, NULL, m);
    tn__floats_free(t);
    tn__run_free(run);
    return rc;
}

void tn__report_release(tn_report *rep)
{
    tn__metrics_free(&rep->acc);
}

int tn__evaluate_report(const tn_net *net, const tn_loss *loss, const tn_dataset *d,
                        const tn_scaling *scale, size_t batch, double threshold,
                        tn_report *rep, tn_error *err)
{
    memset(rep, 0, sizeof *rep);
    size_t W = net->nodes[net->output].width;
    int rc = check_labelled(net, loss, d, "evaluation", err);
    if (rc == TN_OK)
        rc = tn__metrics_init(&rep->acc, tn__metrics_task(loss, W), W, d->t_width, d->rows,
                              threshold, err);
    tn_run *run = NULL;
    float *t = NULL;
    if (rc == TN_OK)
        rc = tn__run_new(net, batch, 0, 0, &run, err);
    if (rc == TN_OK && !(t = tn__floats_alloc(batch * d->t_width)))
        rc = tn__err(err, TN_ENOMEM, "out of memory");
    if (rc == TN_OK) {
        evaluate_with(net, loss, d, scale, run, t, &rep->acc, &rep->m);
        rc = tn__metrics_compute(&rep->acc, rep->v, err);
        rep->v[TN__M_LOSS] = rep->m.loss;
        if (isnan(rep->v[TN__M_ACCURACY]))
            rep->v[TN__M_ACCURACY] = rep->m.accuracy;
    }
    tn__floats_free(t);
    tn__run_free(run);
    if (rc)
        tn__report_release(rep);
    return rc;
}

int tn__confusion(const tn_net *net, const tn_dataset *d, const tn_scaling *scale,
                  size_t batch, size_t *cm, tn_error *err)
{
    size_t W = net->nodes[net->output].width;
    int rc = tn__dataset_check(net, d, err);
    if (rc == TN_OK && (!d->t || W < 2))
        rc = tn__err(err, TN_EDATA, "a confusion matrix needs labelled data and a class output");
    if (rc == TN_OK && d->t_width != 1 && d->t_width != W)
        rc = tn__err(err, TN_ESHAPE, "a confusion matrix needs one target column (the class "
                     "index) or %zu (one per class), got %zu", W, d->t_width);
    for (size_t i = 0; rc == TN_OK && d->t_width == 1 && i < d->rows; i++)
        if (!(d->t[i] >= 0 && d->t[i] < (float)W) || d->t[i] != floorf(d->t[i]))
            rc = tn__err(err, TN_EDATA, "a confusion matrix needs class indices in [0, %zu): "
                         "row %zu holds %g", W, i + 1, (double)d->t[i]);
    tn_run *run;
    if (rc || (rc = tn__run_new(net, batch, 0, 0, &run, err)))
        return rc;
    memset(cm, 0, W * W * sizeof *cm);
    for (size_t first = 0; first < d->rows; first += batch) {
        size_t b = d->rows - first < batch ? d->rows - first : batch;
        load_batch(d, scale, NULL, first, b, run, NULL);
        tn__run_forward(run, b);
        tn__loss_confusion_add(run->out[net->output], W, d->t + first * d->t_width, d->t_width,
                               b, cm);
    }
    tn__run_free(run);
    return TN_OK;
}

int tn__predict(const tn_net *net, const tn_dataset *d, const tn_scaling *scale, size_t batch,
                float *out, tn_error *err)
{
    int rc = tn__dataset_check(net, d, err);
    tn_run *run;
    if (rc || (rc = tn__run_new(net, batch, 0, 0, &run, err)))
        return rc;
    size_t W = net->nodes[net->output].width;
    for (size_t first = 0; first < d->rows; first += batch) {
        size_t b = d->rows - first < batch ? d->rows - first : batch;
        load_batch(d, scale, NULL, first, b, run, NULL);
        tn__run_forward(run, b);
        memcpy(out + first * W, run->out[net->output], b * W * sizeof *out);
    }
    tn__run_free(run);
    return TN_OK;
}
