/* tinynet/train.h: the public training API, a thin handle over a training session; the
 * registries' listing; the step accessors; the file helpers. */
#include "api/api.h"

#include "act/inst.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "inspect/stats.h"
#include "layers/layer.h"
#include "optim/optim.h"
#include "train/session.h"
#include "tinynet/train.h"

#include <math.h>
#include <string.h>

/* ---- the extension points ------------------------------------------------------------- */

size_t tn_extension_count(int kind)
{
    switch (kind) {
    case TN_EXT_ACTIVATION: return tn_activation_count();
    case TN_EXT_LAYER: return tn__layer_ops_count();
    case TN_EXT_LOSS: return tn__loss_ops_count();
    case TN_EXT_OPTIMIZER: return tn__optim_ops_count();
    case TN_EXT_DATA_FORMAT: return tn__data_format_count();
    default: return 0;
    }
}

const char *tn_extension_name(int kind, size_t i)
{
    if (i >= tn_extension_count(kind))
        return NULL;
    switch (kind) {
    case TN_EXT_ACTIVATION: return tn_activation_at(i)->name;
    case TN_EXT_LAYER: return tn__layer_ops_at(i)->type;
    case TN_EXT_LOSS: return tn__loss_ops_at(i)->name;
    case TN_EXT_OPTIMIZER: return tn__optim_ops_at(i)->name;
    default: return tn__data_format_at(i)->name;
    }
}

/* Appends key to keys (at most cap) and counts it. */
static void put_key(const char **keys, size_t cap, size_t *n, const char *key)
{
    if (*n < cap)
        keys[*n] = key;
    (*n)++;
}

size_t tn_extension_keys(int kind, size_t i, const char **keys, size_t cap)
{
    size_t n = 0;
    if (i < tn_extension_count(kind)) {
        if (kind == TN_EXT_ACTIVATION) {
            const tn_activation *a = tn_activation_at(i);
            for (int k = 0; k < a->n_params; k++)
                put_key(keys, cap, &n, a->params[k].name);
        } else if (kind == TN_EXT_LOSS) {
            const tn_loss_ops *l = tn__loss_ops_at(i);
            for (int k = 0; k < l->n_params; k++)
                put_key(keys, cap, &n, l->params[k].name);
        } else if (kind == TN_EXT_OPTIMIZER) {
            const tn_optim_ops *o = tn__optim_ops_at(i);
            put_key(keys, cap, &n, "lr");
            for (int k = 0; k < o->n_params; k++)
                put_key(keys, cap, &n, o->params[k].name);
            put_key(keys, cap, &n, "weight_decay");
            put_key(keys, cap, &n, "clip_norm");
        } else {
            const char *const *list = kind == TN_EXT_LAYER ? tn__layer_ops_at(i)->keys
                                                           : tn__data_format_at(i)->keys;
            for (size_t k = 0; list && list[k]; k++)
                put_key(keys, cap, &n, list[k]);
        }
    }
    if (keys)
        keys[n < cap ? n : cap] = NULL;
    return n;
}

/* ---- trainers ---------------------------------------------------------------------------- */

static int made(tn_trainer *t, int rc, tn_trainer **out)
{
    if (rc) {
        tn__free(t);
        return rc;
    }
    *out = t;
    return TN_OK;
}

int tn_trainer_new(const char *config_path, tn_trainer **out, tn_error *err)
{
    if (out)
        *out = NULL;
    if (!out || !config_path)
        return tn__err(err, TN_EINVAL, "tn_trainer_new: NULL %s", out ? "path" : "out");
    *out = NULL;
    tn_trainer *t = tn__calloc(1, sizeof *t);
    if (!t)
        return tn__err(err, TN_ENOMEM, "out of memory");
    return made(t, tn__session_open(config_path, &t->s, err), out);
}

int tn_trainer_new_text(const char *name, const char *json, size_t len, tn_trainer **out,
                        tn_error *err)
{
    if (out)
        *out = NULL;
    if (!out || !json)
        return tn__err(err, TN_EINVAL, "tn_trainer_new_text: NULL %s", out ? "text" : "out");
    *out = NULL;
    tn_trainer *t = tn__calloc(1, sizeof *t);
    if (!t)
        return tn__err(err, TN_ENOMEM, "out of memory");
    return made(t, tn__session_open_text(name ? name : "<config>", json, len, &t->s, err), out);
}

static int begin(tn_trainer *t)
{
    if (!t)
        return TN_EINVAL;
    tn__err_clear(&t->err);
    return TN_OK;
}

/* begin() for the functions that change the trainer: not from a hook of its own fit,
 * whose loop holds the network, the data and the session (the message stays in the
 * trainer's error, which the running fit then overwrites or returns). */
static int begin_change(tn_trainer *t, const char *fn)
{
    if (begin(t))
        return TN_EINVAL;
    if (t->fitting)
        return tn__err(&t->err, TN_EINVAL, "%s: called from a hook of the trainer's own "
                       "running tn_trainer_fit", fn);
    return TN_OK;
}

int tn_trainer_set_seed(tn_trainer *t, unsigned long long seed)
{
    if (begin_change(t, "tn_trainer_set_seed"))
        return TN_EINVAL;
    if (seed > (unsigned long long)TN_MAX_SEED)
        return tn__err(&t->err, TN_ERANGE, "seed %llu is out of range [0, 2^53]", seed);
    t->s.config->train.seed = seed; /* the session re-reads data drawn with another */
    return TN_OK;
}

int tn_trainer_set_epochs(tn_trainer *t, int epochs)
{
    if (begin_change(t, "tn_trainer_set_epochs"))
        return TN_EINVAL;
    if (epochs < 1 || epochs > TN_MAX_EPOCHS)
        return tn__err(&t->err, TN_ERANGE, "epochs %d is out of range [1, 1000000]", epochs);
    t->s.config->train.epochs = epochs;
    return TN_OK;
}

int tn_trainer_set_threads(tn_trainer *t, int threads)
{
    if (begin_change(t, "tn_trainer_set_threads"))
        return TN_EINVAL;
    if (threads < 1 || threads > TN_MAX_THREADS)
        return tn__err(&t->err, TN_ERANGE, "threads %d is out of range [1, 256]", threads);
    t->s.threads = threads;
    return TN_OK;
}

int tn_trainer_settings(const tn_trainer *t, tn_train_settings *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!t || !out)
        return TN_EINVAL;
    const tn_config *c = t->s.config;
    *out = (tn_train_settings){c->path, c->train.seed, c->train.epochs, c->train.batch_size,
                               t->s.threads};
    return TN_OK;
}

int tn_trainer_load_data(tn_trainer *t)
{
    return begin_change(t, "tn_trainer_load_data") ? TN_EINVAL
                                                     : tn__session_load_data(&t->s, &t->err);
}

int tn_trainer_init(tn_trainer *t)
{
    return begin_change(t, "tn_trainer_init") ? TN_EINVAL : tn__session_init(&t->s, &t->err);
}

/* The caller's should_stop, or a free asked from a hook: either ends the fit. */
static int wrapped_stop(void *user)
{
    tn_trainer *t = user;
    const tn_train_hooks *h = &t->user_hooks;
    return t->free_pending || (h->should_stop && h->should_stop(h->user));
}

#define WRAP(name, params, args)                                                           \
    static void wrapped_##name params                                                      \
    {                                                                                      \
        tn_trainer *t = user;                                                              \
        if (t->user_hooks.name && !t->free_pending)                                        \
            t->user_hooks.name args;                                                       \
    }
WRAP(on_batch, (void *user, int epoch, size_t batch, size_t n),
     (t->user_hooks.user, epoch, batch, n))
WRAP(on_step, (void *user, const tn_step *s), (t->user_hooks.user, s))
WRAP(on_epoch, (void *user, const tn_epoch_info *e), (t->user_hooks.user, e))
WRAP(on_checkpoint, (void *user, const char *path), (t->user_hooks.user, path))
#undef WRAP

int tn_trainer_fit(tn_trainer *t, const tn_train_hooks *hooks)
{
    if (begin_change(t, "tn_trainer_fit"))
        return TN_EINVAL;
    /* The hooks go through the trainer, so that one may free it safely: the fit then ends
     * after the current step and the trainer is freed here. */
    t->user_hooks = hooks ? *hooks : (tn_train_hooks){0};
    tn_train_hooks h = {t, wrapped_on_batch, wrapped_on_step, wrapped_on_epoch, wrapped_stop,
                        wrapped_on_checkpoint};
    t->fitting = 1;
    int rc = tn__session_fit(&t->s, &h, &t->err);
    t->fitting = 0;
    if (t->free_pending) {
        tn_trainer_free(t);
        return TN_EINVAL;
    }
    return rc;
}

const char *tn_trainer_checkpoint_error(const tn_trainer *t)
{
    return t && t->s.ckpt.error.code ? t->s.ckpt.error.msg : NULL;
}

int tn_trainer_set_checkpoints(tn_trainer *t, const char *base, int every_epochs,
                               long long every_steps, int keep)
{
    if (begin_change(t, "tn_trainer_set_checkpoints"))
        return TN_EINVAL;
    return tn__session_set_checkpoints(&t->s, base, every_epochs, every_steps, keep, &t->err);
}

const char *tn_trainer_last_checkpoint(const tn_trainer *t)
{
    return t ? t->s.ckpt.last : NULL;
}

int tn_trainer_resume(tn_trainer *t, const char *checkpoint_path, unsigned flags)
{
    if (begin_change(t, "tn_trainer_resume"))
        return TN_EINVAL;
    if (!checkpoint_path)
        return tn__err(&t->err, TN_EINVAL, "tn_trainer_resume: NULL path");
    if (flags & ~TN_RESUME_ALLOW_CHANGES)
        return tn__err(&t->err, TN_EINVAL, "tn_trainer_resume: unknown flags 0x%x", flags);
    return tn__session_resume(&t->s, checkpoint_path,
                              flags & TN_RESUME_ALLOW_CHANGES ? TN__RESUME_ALLOW_CHANGES : 0,
                              &t->err);
}

int tn_trainer_init_from(tn_trainer *t, const tn_model *m)
{
    if (begin_change(t, "tn_trainer_init_from"))
        return TN_EINVAL;
    if (!m)
        return tn__err(&t->err, TN_EINVAL, "tn_trainer_init_from: NULL model");
    return tn__session_init_from(&t->s, m, &t->err);
}

int tn_trainer_result(tn_trainer *t, tn_fit_result *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (begin(t))
        return TN_EINVAL;
    if (!out)
        return tn__err(&t->err, TN_EINVAL, "tn_trainer_result: NULL output");
    if (!t->s.trained)
        return tn__err(&t->err, TN_EINVAL, "the trainer has not been fitted");
    const tn_train_result *r = &t->s.result;
    *out = (tn_fit_result){r->epochs_run, r->best_epoch, r->stopped_early, t->s.final_train,
                           r->val, r->interrupted,
                           t->s.has_report[2] ? t->s.report[2].m : (tn_metrics){0, 0, 0}};
    return TN_OK;
}

const tn_data *tn_trainer_data(tn_trainer *t, int split)
{
    if (!t || !t->s.loaded || split < TN_SPLIT_TRAIN || split > TN_SPLIT_TEST)
        return NULL;
    tn_dataset *d = split == TN_SPLIT_TRAIN ? t->s.data.train
                    : split == TN_SPLIT_VAL ? t->s.val : t->s.data.test;
    if (!d)
        return NULL;
    t->split[split] = (tn_data){d, &t->s.scaling, 0}; /* a view, refreshed on every call */
    return &t->split[split];
}

int tn_trainer_val_kind(const tn_trainer *t) { return t ? tn__session_val_kind(&t->s) : -1; }

const tn_report *tn_trainer_report(tn_trainer *t, int split)
{
    if (!t || !t->s.trained || split < TN_SPLIT_TRAIN || split > TN_SPLIT_TEST ||
        !t->s.has_report[split])
        return NULL;
    return &t->s.report[split];
}

const char *tn_trainer_chosen_by(const tn_trainer *t)
{
    return t && t->s.trained ? t->s.chosen_by : NULL;
}

const tn_model *tn_trainer_model(tn_trainer *t)
{
    const tn_model *m = NULL;
    if (begin(t) == TN_OK)
        tn__session_model(&t->s, &m, &t->err);
    return m;
}

int tn_trainer_save(tn_trainer *t, const char *model_path)
{
    if (begin_change(t, "tn_trainer_save"))
        return TN_EINVAL;
    if (!model_path)
        return tn__err(&t->err, TN_EINVAL, "tn_trainer_save: NULL path");
    return tn__session_save(&t->s, model_path, &t->err);
}

const char *tn_trainer_errmsg(const tn_trainer *t)
{
    return t ? t->err.msg : "NULL trainer";
}

void tn_trainer_free(tn_trainer *t)
{
    if (!t)
        return;
    if (t->fitting) { /* from a hook: tn_trainer_fit frees it when the fit has ended */
        t->free_pending = 1;
        return;
    }
    tn__session_close(&t->s);
    tn__free(t);
}

/* ---- training steps ------------------------------------------------------------------- */

int tn_step_epoch(const tn_step *s) { return s ? s->epoch : 0; }
size_t tn_step_batch(const tn_step *s) { return s ? s->batch : 0; }
size_t tn_step_rows(const tn_step *s) { return s ? s->rows : 0; }

static const tn_layer *step_layer(const tn_step *s, size_t l)
{
    return s && l < (size_t)s->run->net->n_layers ? &s->run->net->layers[l] : NULL;
}

const float *tn_step_output(const tn_step *s, size_t l, size_t *cols)
{
    const tn_layer *L = step_layer(s, l);
    if (!L)
        return NULL;
    if (cols)
        *cols = L->width;
    return s->run->out[L->node];
}

const float *tn_step_grad(const tn_step *s, size_t l, size_t k, size_t *n)
{
    const tn_layer *L = step_layer(s, l);
    if (!L || k >= (size_t)L->n_tensors)
        return NULL;
    const tn_tensor_info *t = &L->tensors[k];
    if (n)
        *n = t->rows * t->cols;
    return s->run->G + L->param_off + t->offset;
}

double tn_step_grad_norm(const tn_step *s, size_t l)
{
    return step_layer(s, l) ? tn__layer_grad_norm(s->run, (int)l) : NAN;
}

/* ---- files ------------------------------------------------------------------------------ */

int tn_write_file(const char *path, const void *data, size_t len, tn_error *err)
{
    if (!path || (!data && len))
        return tn__err(err, TN_EINVAL, "tn_write_file: NULL %s", path ? "data" : "path");
    return tn__write_atomic(path, data, len, err);
}

int tn_check_writable(const char *path, tn_error *err)
{
    if (!path)
        return tn__err(err, TN_EINVAL, "tn_check_writable: NULL path");
    return tn__check_writable(path, err);
}

int tn_read_file(const char *path, size_t max_bytes, char **text, size_t *len, tn_error *err)
{
    if (text)
        *text = NULL;
    if (len)
        *len = 0;
    if (!path || !text || !len)
        return tn__err(err, TN_EINVAL, "tn_read_file: NULL argument");
    return tn__read_file(path, max_bytes, (unsigned char **)text, len, err);
}

int tn_read_fd(int fd, const char *name, size_t max_bytes, char **text, size_t *len,
               tn_error *err)
{
    if (text)
        *text = NULL;
    if (len)
        *len = 0;
    if (!text || !len)
        return tn__err(err, TN_EINVAL, "tn_read_fd: NULL output");
    return tn__read_stream(name ? name : "<stream>", fd, max_bytes, (unsigned char **)text, len,
                           err);
}

const char *tn_suggest(const char *word, const char *const *candidates)
{
    return word && candidates ? tn__jr_suggest(word, candidates) : NULL;
}
