/* The public training API of train.h: a thin handle over a tn_session. */
#include "train/session.h"

#include "core/alloc.h"
#include "core/error.h"
#include "tinynet/train.h"

struct tn_trainer {
    tn_session s;
    tn_error err;
    tn_epoch_fn on_epoch;
    void *user;
};

int tn_trainer_new(const char *config_path, tn_trainer **out, tn_error *err)
{
    if (!out || !config_path)
        return tn__err(err, TN_EINVAL, "tn_trainer_new: NULL %s", out ? "path" : "out");
    *out = NULL;
    tn_trainer *t = tn__calloc(1, sizeof *t);
    if (!t)
        return tn__err(err, TN_ENOMEM, "out of memory");
    int rc = tn__session_open(config_path, &t->s, err);
    if (rc) {
        tn__free(t);
        return rc;
    }
    *out = t;
    return TN_OK;
}

static int begin(tn_trainer *t)
{
    if (!t)
        return TN_EINVAL;
    tn__err_clear(&t->err);
    return TN_OK;
}

int tn_trainer_set_seed(tn_trainer *t, unsigned long long seed)
{
    if (begin(t))
        return TN_EINVAL;
    if (seed > (unsigned long long)TN_MAX_SEED)
        return tn__err(&t->err, TN_ERANGE, "seed %llu is out of range [0, 2^53]", seed);
    t->s.config->train.seed = seed; /* tn__session_fit re-reads data drawn with another */
    return TN_OK;
}

int tn_trainer_set_epochs(tn_trainer *t, int epochs)
{
    if (begin(t))
        return TN_EINVAL;
    if (epochs < 1 || epochs > TN_MAX_EPOCHS)
        return tn__err(&t->err, TN_ERANGE, "epochs %d is out of range [1, 1000000]", epochs);
    t->s.config->train.epochs = epochs;
    return TN_OK;
}

int tn_trainer_set_threads(tn_trainer *t, int threads)
{
    if (begin(t))
        return TN_EINVAL;
    if (threads < 1 || threads > TN_MAX_THREADS)
        return tn__err(&t->err, TN_ERANGE, "threads %d is out of range [1, 256]", threads);
    t->s.threads = threads;
    return TN_OK;
}

static void forward_epoch(void *user, const tn_epoch_report *r)
{
    const tn_trainer *t = user;
    tn_epoch_info info = {r->epoch, r->epochs, r->train.loss, r->train.acc, r->has_val,
                          r->val.loss, r->val.acc, r->seconds};
    t->on_epoch(t->user, &info);
}

int tn_trainer_fit(tn_trainer *t, tn_epoch_fn on_epoch, void *user)
{
    if (begin(t))
        return TN_EINVAL;
    t->on_epoch = on_epoch;
    t->user = user;
    tn_train_hooks hooks = {.user = t, .on_epoch = on_epoch ? forward_epoch : NULL};
    return tn__session_fit(&t->s, &hooks, &t->err);
}

int tn_trainer_evaluate(tn_trainer *t, int on_test, double *loss, double *accuracy)
{
    if (begin(t))
        return TN_EINVAL;
    if (!t->s.trained)
        return tn__err(&t->err, TN_EINVAL, "the network has not been trained");
    if (on_test && !t->s.val)
        return tn__err(&t->err, TN_ENOTFOUND, "the config has no test or holdout data");
    const tn_metrics *m = on_test ? &t->s.result.val : &t->s.final_train;
    if (loss)
        *loss = m->loss;
    if (accuracy)
        *accuracy = m->acc;
    return TN_OK;
}

int tn_trainer_save(tn_trainer *t, const char *model_path)
{
    if (begin(t))
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
    tn__session_close(&t->s);
    tn__free(t);
}
