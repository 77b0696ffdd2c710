#include "train/session.h"

#include "dist/dist.h"
#include "train/shard.h"

#include "core/alloc.h"
#include "core/blas.h"
#include "core/error.h"
#include "core/file.h"
#include "core/text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int opened(tn_session *s, int rc)
{
    if (rc == TN_OK)
        s->threads = s->config->threads;
    return rc;
}

int tn__session_open(const char *config_path, tn_session *s, tn_error *err)
{
    memset(s, 0, sizeof *s);
    return opened(s, tn__config_load(config_path, &s->config, err));
}

int tn__session_open_text(const char *name, const char *text, size_t len, tn_session *s,
                          tn_error *err)
{
    memset(s, 0, sizeof *s);
    return opened(s, tn__config_parse(name, text, len, &s->config, err));
}

static int scaling_copy(tn_scaling *to, const tn_scaling *from, tn_error *err)
{
    *to = (tn_scaling){from->kind, from->input, from->n, NULL, NULL};
    if (from->n && (!(to->mean = tn__floats_alloc(from->n)) ||
                    !(to->std = tn__floats_alloc(from->n)))) {
        tn__scaling_free(to);
        return tn__err(err, TN_ENOMEM, "out of memory");
    }
    if (from->n) {
        memcpy(to->mean, from->mean, from->n * sizeof *to->mean);
        memcpy(to->std, from->std, from->n * sizeof *to->std);
    }
    return TN_OK;
}

static void free_reports(tn_session *s)
{
    for (int i = 0; i < 3; i++) {
        if (s->has_report[i])
            tn__report_release(&s->report[i]);
        s->has_report[i] = 0;
    }
}

static void free_data(tn_session *s)
{
    free_reports(s);
    tn__dataset_free(s->val);
    s->val = NULL;
    tn__data_loaded_free(&s->data);
    tn__scaling_free(&s->scaling);
    tn__shards_free(s->shards);
    s->shards = NULL;
    s->loaded = 0;
}

int tn__session_load_data(tn_session *s, tn_error *err)
{
    free_data(s);
    s->trained = 0; /* new rows, new scaling: no fit of the old ones may be saved */
    tn_config *c = s->config;
    tn_data_ctx ctx = tn__config_data_ctx(c);
    tn_data_loaded *d = &s->data;
    int rc = c->train.shards > 1
                 ? tn__shards_load(c->data.format, c->data.state, &ctx, c->train.seed,
                                   c->train.shards, c->train.validation, d, &s->val,
                                   &s->shards, err)
                 : c->data.format->load(c->data.state, &ctx, c->train.seed, d, err);
    if (rc == TN_OK && c->train.validation > 0 && !s->shards) {
        /* Held out before the scaling is fitted: the validation rows are unseen data. */
        tn_dataset *all = d->train;
        rc = tn__dataset_split_stream(all, c->train.validation, c->train.seed,
                                      TN_STREAM_VALIDATION, &d->train, &s->val, err);
        if (rc == TN_OK)
            tn__dataset_free(all);
        else
            tn__err_prefix(err, "train.validation");
    }
    if (rc == TN_OK && s->scaling_fixed)
        rc = scaling_copy(&s->scaling, &s->fixed_scaling, err);
    else if (rc == TN_OK && s->shards)
        rc = tn__shards_scaling(s->shards, &s->scaling, c->scaling, d->type_max, c->net,
                                d->train, err);
    else if (rc == TN_OK)
        rc = tn__scaling_fit(&s->scaling, c->scaling, d->type_max, c->net, d->train->x,
                             d->train->rows, err);
    if (rc == TN_OK) {
        tn__dataset_scale(d->train, &s->scaling);
        tn__dataset_scale(s->val, &s->scaling);
        tn__dataset_scale(d->test, &s->scaling);
    }
    if (rc) {
        free_data(s);
        return rc;
    }
    s->loaded = 1;
    s->data_seed = c->train.seed;
    s->ckpt.have_crc = 0;
    return TN_OK;
}

int tn__session_val_kind(const tn_session *s)
{
    return !s->data.test ? -1 : s->data.holdout ? 0 : 1;
}

int tn__session_init(tn_session *s, tn_error *err)
{
    tn_config *c = s->config;
    int fresh = s->loaded && s->data_seed == c->train.seed;
    int rc = fresh ? TN_OK : tn__session_load_data(s, err);
    s->trained = 0; /* the parameters start over */
    tn_net *net = c->net;
    if (rc == TN_OK) /* before initialising parameters that training could not hold */
        rc = tn__train_budget(net, &c->loss, &c->optim, &c->train, s->data.train, s->val, err);
    if (rc == TN_OK && s->resume)
        memcpy(net->P, s->resume->snap.P, net->n_params * sizeof *net->P);
    else if (rc == TN_OK && s->init_params)
        memcpy(net->P, s->init_params, net->n_params * sizeof *net->P);
    else if (rc == TN_OK)
        tn__net_init_params(net, c->train.seed);
    /* tinynet owns the threads: a fit at several threads splits its work across its own
     * pool (core/pool.h), and OpenBLAS runs one thread so the two never both spin. */
    tn__blas_set_threads(1);
    return rc;
}

/* ---- checkpoints ------------------------------------------------------------------- */

static void free_checkpoints(tn_session *s)
{
    for (int i = 0; i < s->ckpt.n_kept; i++)
        tn__free(s->ckpt.kept[i]);
    tn__free(s->ckpt.kept);
    tn__free(s->ckpt.base);
    tn__free(s->ckpt.last);
    memset(&s->ckpt, 0, sizeof s->ckpt);
}

int tn__session_set_checkpoints(tn_session *s, const char *base, int every_epochs,
                                long long every_steps, int keep, tn_error *err)
{
    if (every_epochs < 0 || every_steps < 0 || keep < 0)
        return tn__err(err, TN_ERANGE, "checkpoint intervals and the number kept cannot be "
                       "negative");
    free_checkpoints(s);
    if (!base)
        return TN_OK;
    if (!*base)
        return tn__err(err, TN_EINVAL, "an empty checkpoint name");
    if (!(s->ckpt.base = tn__strdup(base)) ||
        (keep > 0 && !(s->ckpt.kept = tn__calloc((size_t)keep, sizeof *s->ckpt.kept)))) {
        free_checkpoints(s);
        return tn__err(err, TN_ENOMEM, "out of memory");
    }
    s->ckpt.every_epochs = every_epochs;
    s->ckpt.every_steps = every_steps;
    s->ckpt.keep = keep;
    return TN_OK;
}

/* Remembers path as written; with a limit, removes the oldest this session wrote. The
 * same name written again (a resumed run) is not counted twice. */
static void keep_checkpoint(tn_session *s, char *path)
{
    tn__free(s->ckpt.last);
    s->ckpt.last = tn__strdup(path);
    if (s->ckpt.keep == 0) {
        tn__free(path);
        return;
    }
    for (int i = 0; i < s->ckpt.n_kept; i++)
        if (strcmp(s->ckpt.kept[i], path) == 0) {
            tn__free(path);
            return;
        }
    if (s->ckpt.n_kept == s->ckpt.keep) {
        (void)remove(s->ckpt.kept[0]); /* best effort: a missing old one is no error */
        tn__free(s->ckpt.kept[0]);
        memmove(s->ckpt.kept, s->ckpt.kept + 1, (size_t)(s->ckpt.keep - 1) * sizeof(char *));
        s->ckpt.n_kept--;
    }
    s->ckpt.kept[s->ckpt.n_kept++] = path;
}

static int write_checkpoint(void *user, const tn_train_snapshot *snap, tn_error *err)
{
    tn_session *s = user;
    const tn_config *c = s->config;
    const tn_train_state *st = &snap->state;
    if (!s->ckpt.have_crc) {
        s->ckpt.train_crc = tn__dataset_crc(s->data.train);
        s->ckpt.have_crc = 1;
    }
    char suffix[64];
    if (st->batch == 0)
        snprintf(suffix, sizeof suffix, "-epoch%d.ckpt", st->epoch - 1);
    else
        snprintf(suffix, sizeof suffix, "-epoch%d-batch%zu.ckpt", st->epoch, st->batch);
    size_t n = strlen(s->ckpt.base) + strlen(suffix) + 1;
    char *path = tn__malloc(n);
    if (!path)
        return tn__err(err, TN_ENOMEM, "out of memory");
    snprintf(path, n, "%s%s", s->ckpt.base, suffix);
    tn_ckpt_meta meta = {c->path, c->hash, c->train.seed, s->threads, c->train.epochs,
                         c->train.batch_size, s->data.train->rows, s->ckpt.train_crc,
                         (char *)c->optim.ops->name, NULL};
    cJSON *holder = cJSON_CreateObject();
    int rc = holder && tn__scaling_describe(&s->scaling, c->net, holder) == TN_OK
                 ? TN_OK : tn__err(err, TN_ENOMEM, "out of memory");
    meta.scaling = cJSON_GetObjectItemCaseSensitive(holder, "scaling");
    if (rc == TN_OK)
        rc = tn__checkpoint_write(path, &meta, snap, err);
    cJSON_Delete(holder);
    if (rc) {
        /* Training goes on: the model it makes is worth more than the checkpoint, and the
         * caller hears of the failure (tn_trainer_checkpoint_error). */
        tn__free(path);
        if (!s->ckpt.error.code) {
            s->ckpt.error = *err;
            tn__err_prefix(&s->ckpt.error, "writing a checkpoint");
        }
        tn__err_clear(err);
        return TN_OK;
    }
    const tn_train_hooks *h = s->ckpt.hooks;
    if (h && h->on_checkpoint)
        h->on_checkpoint(h->user, path);
    keep_checkpoint(s, path);
    return TN_OK;
}

static void drop_resume(tn_session *s)
{
    tn__checkpoint_release(s->resume);
    tn__free(s->resume);
    s->resume = NULL;
}

static void drop_init(tn_session *s)
{
    tn__floats_free(s->init_params);
    s->init_params = NULL;
}

/* Reads data with scaling sc from now on (NULL: fitted again), reading them again. */
static int fix_scaling(tn_session *s, const tn_scaling *sc, tn_error *err)
{
    tn__scaling_free(&s->fixed_scaling);
    s->scaling_fixed = 0;
    if (sc) {
        int rc = scaling_copy(&s->fixed_scaling, sc, err);
        if (rc)
            return rc;
        s->scaling_fixed = 1;
    }
    free_data(s);
    return TN_OK;
}

int tn__session_resume(tn_session *s, const char *path, unsigned flags, tn_error *err)
{
    tn_checkpoint *ck = tn__calloc(1, sizeof *ck);
    if (!ck)
        return tn__err(err, TN_ENOMEM, "out of memory");
    int rc = tn__checkpoint_read(path, ck, err);
    const tn_config *c = s->config;
    const tn_ckpt_meta *m = &ck->meta;
    int allow = (flags & TN__RESUME_ALLOW_CHANGES) != 0;
    if (rc) {
        /* below */
    } else if (ck->snap.n_params != c->net->n_params) {
        rc = tn__err(err, TN_ESHAPE, "%s: the checkpoint holds %zu parameters, the network of "
                     "%s has %zu", path, ck->snap.n_params, c->path, c->net->n_params);
    } else if (strcmp(m->optimizer, c->optim.ops->name) != 0) {
        rc = tn__err(err, TN_ECONFIG, "%s: the checkpoint's optimizer is %s, %s's is %s", path,
                     m->optimizer, c->path, c->optim.ops->name);
    } else if (!allow && m->config_hash != c->hash) {
        rc = tn__err(err, TN_ECONFIG, "%s: written by another config than %s (it was %s, since "
                     "changed; only train.epochs and train.threads may change): to continue "
                     "anyway, allow changes (train --allow-changes)", path, c->path, m->config);
    } else if (!allow && m->seed != c->train.seed) {
        rc = tn__err(err, TN_ECONFIG, "%s: written with seed %llu, this run has seed %llu", path,
                     m->seed, c->train.seed);
    } else if (!allow && m->threads != s->threads) {
        rc = tn__err(err, TN_ECONFIG, "%s: written at %d thread%s, this run has %d: the result "
                     "would not be bit-exact (give --threads %d, or allow changes)", path,
                     m->threads, m->threads == 1 ? "" : "s", s->threads, m->threads);
    } else if (ck->meta.batch_size != c->train.batch_size && ck->snap.state.batch > 0) {
        rc = tn__err(err, TN_ECONFIG, "%s: written in the middle of an epoch with batch size "
                     "%zu; this run's is %zu: resume mid-epoch with the same batch size", path,
                     ck->meta.batch_size, c->train.batch_size);
    } else if (ck->snap.state.epoch > c->train.epochs) {
        rc = tn__err(err, TN_ERANGE, "%s: the checkpoint has run all %d epochs of this run: "
                     "give more epochs (e.g. --epochs %d) to continue", path, c->train.epochs,
                     c->train.epochs + 1 > TN_MAX_EPOCHS ? TN_MAX_EPOCHS : ck->snap.state.epoch);
    }
    if (rc) {
        tn__checkpoint_release(ck);
        tn__free(ck);
        return rc;
    }
    /* The run goes on with the input scaling it had (fitted, or an --init model's). */
    tn_scaling sc = {0};
    if (rc == TN_OK && ck->scaling) {
        tn_jr r;
        tn__jr_init(&r, path, err);
        rc = tn__scaling_parse(&r, ck->scaling, c->net, &sc);
    }
    if (rc == TN_OK)
        rc = fix_scaling(s, &sc, err);
    tn__scaling_free(&sc);
    if (rc) {
        tn__checkpoint_release(ck);
        tn__free(ck);
        return rc;
    }
    drop_resume(s);
    drop_init(s);
    s->resume = ck;
    s->resume_flags = flags;
    s->trained = 0;
    return TN_OK;
}

/* Where m's tensors differ from the config's network, as a message; TN_OK when they agree. */
static int same_tensors(const tn_net *want, const tn_net *got, const char *name, tn_error *err)
{
    if (want->n_layers != got->n_layers)
        return tn__err(err, TN_ESHAPE, "%s has %d layers, the config's network %d", name,
                       got->n_layers, want->n_layers);
    for (int i = 0; i < want->n_layers; i++) {
        const tn_layer *a = &want->layers[i], *b = &got->layers[i];
        if (a->n_tensors != b->n_tensors || a->n_params != b->n_params ||
            strcmp(a->ops->type, b->ops->type) != 0)
            return tn__err(err, TN_ESHAPE, "%s: layers[%d] is a %s layer with %zu parameters, "
                           "the config's is a %s layer with %zu", name, i, b->ops->type,
                           b->n_params, a->ops->type, a->n_params);
        for (int k = 0; k < a->n_tensors; k++) {
            const tn_tensor_info *x = &a->tensors[k], *y = &b->tensors[k];
            if (x->rows != y->rows || x->cols != y->cols || strcmp(x->name, y->name) != 0)
                return tn__err(err, TN_ESHAPE, "%s: layers[%d] tensor %s is %zux%zu, the "
                               "config's %s is %zux%zu", name, i, y->name, y->rows, y->cols,
                               x->name, x->rows, x->cols);
        }
    }
    return TN_OK;
}

int tn__session_init_from(tn_session *s, const tn_model *m, tn_error *err)
{
    const tn_net *net = s->config->net;
    const char *name = m->source ? m->source : "the model";
    int rc = same_tensors(net, m->net, name, err);
    if (rc)
        return rc;
    drop_init(s);
    if (!(s->init_params = tn__floats_alloc(net->n_params ? net->n_params : 1)) ||
        fix_scaling(s, &m->scaling, err)) { /* the data are read again with it */
        drop_init(s);
        return tn__err(err, TN_ENOMEM, "out of memory");
    }
    memcpy(s->init_params, m->net->P, net->n_params * sizeof *net->P);
    drop_resume(s);
    s->trained = 0;
    return TN_OK;
}

/* What was chosen during training and on which rows, in words, for the report, the log
 * and the model. */
static void describe_choice(tn_session *s)
{
    const tn_config *c = s->config;
    size_t n = (s->shards ? s->shards->total : s->data.train->rows) +
               (s->val ? s->val->rows : 0);
    int stop = c->train.patience > 0, plateau = c->train.lr.kind == TN_LR_PLATEAU;
    const char *what = stop && plateau ? "the kept epoch and the learning-rate reductions"
                       : stop ? "the kept epoch" : "the learning-rate reductions";
    if (!stop && !plateau)
        snprintf(s->chosen_by, sizeof s->chosen_by, "nothing (the last epoch is kept)");
    else if (s->val)
        snprintf(s->chosen_by, sizeof s->chosen_by, "%s, on the validation rows (%zu of the "
                 "%zu training rows, held out with seed %llu)", what, s->val->rows, n,
                 c->train.seed);
    else
        snprintf(s->chosen_by, sizeof s->chosen_by, "%s, on the training loss "
                 "(train.validation is 0)", what);
}

int tn__session_fit(tn_session *s, const tn_train_hooks *hooks, tn_error *err)
{
    tn_config *c = s->config;
    s->trained = 0; /* whatever fails below, nothing stale may be saved */
    free_reports(s);
    int rc = tn__session_init(s, err);
    tn_checkpoint *ck = s->resume;
    /* Sharded: a checkpoint describes process 0's shards, which process 0 checks. */
    tn_checkpoint *check = s->shards && tn_dist_rank() > 0 ? NULL : ck;
    if (rc == TN_OK && check && check->meta.train_rows != s->data.train->rows)
        rc = tn__err(err, TN_EDATA, "the checkpoint was written with %zu training rows%s, "
                     "this run has %zu%s", ck->meta.train_rows, s->shards ? " in process 0's "
                     "shards" : "", s->data.train->rows, s->shards ? " (a sharded run "
                     "resumes at the number of processes that wrote it)" : "");
    if (rc == TN_OK && check && !(s->resume_flags & TN__RESUME_ALLOW_CHANGES)) {
        s->ckpt.train_crc = tn__dataset_crc(s->data.train);
        s->ckpt.have_crc = 1;
        if (s->ckpt.train_crc != ck->meta.train_crc)
            rc = tn__err(err, TN_EDATA, "the training rows differ from the checkpoint's (the "
                         "data files changed?): to continue anyway, allow changes");
    }
    /* Data parallel: every process reads the data; one that could not (or whose data do
     * not fit the checkpoint) stops them all. */
    int dist = tn_dist_size() > 1;
    if (dist)
        rc = tn_dist_agree(rc, err);
    if (rc)
        return rc;
    s->ckpt.hooks = hooks;
    tn__err_clear(&s->ckpt.error);
    if (s->ckpt.base) { /* what killed runs left of their checkpoints' temporary files */
        size_t n = strlen(s->ckpt.base) + 8;
        char *prefix = tn__malloc(n);
        if (prefix) {
            snprintf(prefix, n, "%s-epoch", s->ckpt.base);
            tn__remove_stale_temps(prefix, 1);
        }
        tn__free(prefix);
    }
    if (c->train.balanced) { /* from the rows trained on, as scikit-learn's "balanced" */
        size_t k = c->train.classes;
        if (!c->class_weight && !(c->class_weight = tn__calloc(k, sizeof *c->class_weight)))
            return tn__err(err, TN_ENOMEM, "out of memory");
        if (s->shards)
            rc = tn__shards_class_weights(s->shards, s->data.train, k, c->class_weight, err);
        else
            tn__class_weights_balanced(s->data.train, k, c->class_weight);
        c->train.class_weight = c->class_weight;
        if (rc)
            return rc;
    }
    tn_train_ctl ctl = {hooks, ck ? &ck->snap : NULL, s->ckpt.every_epochs,
                        s->ckpt.every_steps, s->ckpt.base ? write_checkpoint : NULL, s, dist,
                        s->threads, s->shards};
    if (tn_dist_rank() > 0) /* process 0 writes them */
        ctl.checkpoint = NULL;
    rc = tn__train(c->net, &c->loss, &c->optim, &c->train, s->data.train, s->val, &ctl,
                   &s->result, err);
    s->ckpt.hooks = NULL;
    /* The kept parameters, once over each split: loss, accuracy and the task's metrics in
     * one pass (the reports give the confusion matrices too). The test rows are seen here
     * for the first time. Process 0 evaluates, reports and saves. */
    tn_metrics sharded = {0}; /* sharded: every process's share of the training figures */
    if (s->shards) /* process 0 alone may have failed (its last checkpoint): all stop */
        rc = tn_dist_agree(rc, err);
    if (rc == TN_OK && s->shards)
        rc = tn__shards_evaluate(s->shards, c->net, &c->loss, s->data.train,
                                 c->train.batch_size, &sharded, err);
    if (tn_dist_rank() == 0) {
        const tn_dataset *split[3] = {s->shards ? NULL : s->data.train, s->val, s->data.test};
        if (rc == TN_OK && s->shards) {
            tn__shards_report(&sharded, &s->report[0]);
            s->has_report[0] = 1;
        }
        for (int i = 0; i < 3 && rc == TN_OK; i++) {
            if (!split[i])
                continue;
            rc = tn__evaluate_report(c->net, &c->loss, split[i], NULL, c->train.batch_size,
                                     c->train.threshold, &s->report[i], err);
            s->has_report[i] = rc == TN_OK;
        }
        if (rc == TN_OK) {
            s->final_train = s->report[0].m;
            if (s->val)
                s->result.val = s->report[1].m;
            describe_choice(s);
        }
    }
    s->fit_seed = c->train.seed;
    s->fit_threads = s->threads;
    s->trained = rc == TN_OK;
    if (rc == TN_OK) /* a second fit starts over, unless resumed again */
        drop_resume(s);
    return rc;
}

/* "<what>_loss" and "<what>_accuracy" (none for regression), as `train` prints them. */
static int add_metrics(cJSON *o, const char *what, const tn_metrics *m)
{
    char key[32];
    snprintf(key, sizeof key, "%s_loss", what);
    if (!cJSON_AddNumberToObject(o, key, m->loss))
        return 0;
    snprintf(key, sizeof key, "%s_accuracy", what);
    return isnan(m->accuracy) || cJSON_AddNumberToObject(o, key, m->accuracy) != NULL;
}

static cJSON *training_record(const tn_session *s)
{
    const tn_config *c = s->config;
    const tn_train_result *res = &s->result;
    int val = tn__session_val_kind(s);
    cJSON *o = cJSON_CreateObject();
    char config[4096]; /* escaped: a path need not be UTF-8, a model header must be */
    tn__text_escape(config, sizeof config, c->path);
    int ok = o && cJSON_AddStringToObject(o, "config", config) &&
             cJSON_AddNumberToObject(o, "seed", (double)s->fit_seed) &&
             cJSON_AddNumberToObject(o, "threads", s->fit_threads) &&
             cJSON_AddNumberToObject(o, "epochs", res->epochs_run) &&
             cJSON_AddNumberToObject(o, "best_epoch", res->best_epoch) &&
             (!res->interrupted || cJSON_AddBoolToObject(o, "interrupted", 1)) &&
             add_metrics(o, "train", &s->final_train) &&
             (!s->val || add_metrics(o, "validation", &s->report[1].m)) &&
             (val < 0 || add_metrics(o, val ? "test" : "holdout", &s->report[2].m)) &&
             (!s->val || cJSON_AddNumberToObject(o, "validation_rows", (double)s->val->rows)) &&
             cJSON_AddStringToObject(o, "chosen_by", s->chosen_by);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static void free_model(tn_session *s)
{
    cJSON_Delete(s->model.loss);
    cJSON_Delete(s->model.data);
    cJSON_Delete(s->model.training);
    memset(&s->model, 0, sizeof s->model);
}

int tn__session_model(tn_session *s, const tn_model **out, tn_error *err)
{
    const tn_config *c = s->config;
    *out = NULL;
    free_model(s);
    tn_data_ctx ctx = tn__config_data_ctx(c);
    cJSON *holder = cJSON_CreateObject();
    tn_model *m = &s->model;
    m->net = c->net;
    m->scaling = s->scaling; /* a view: the session owns the statistics */
    int ok = holder && tn__data_spec_record(&c->data, &ctx, holder) == TN_OK &&
             (m->data = cJSON_DetachItemFromObjectCaseSensitive(holder, "data")) &&
             (m->loss = tn__loss_json(&c->loss)) &&
             (!s->trained || (m->training = training_record(s)));
    cJSON_Delete(holder);
    if (!ok) {
        free_model(s);
        return tn__err(err, TN_ENOMEM, "out of memory building the model header");
    }
    *out = m;
    return TN_OK;
}

int tn__session_save(tn_session *s, const char *path, tn_error *err)
{
    if (!s->trained)
        return tn__err(err, TN_EINVAL, "%s: nothing to save: the network has not been trained",
                       path);
    const tn_model *m;
    int rc = tn__session_model(s, &m, err);
    if (rc)
        return tn__err_prefix(err, "%s", path);
    return tn__model_save(path, m, err);
}

void tn__session_close(tn_session *s)
{
    free_checkpoints(s);
    drop_resume(s);
    drop_init(s);
    tn__scaling_free(&s->fixed_scaling);
    free_model(s);
    free_data(s);
    tn__config_free(s->config);
    memset(s, 0, sizeof *s);
}
