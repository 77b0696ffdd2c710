/* tinynet training API: build a network from a JSON config, train, evaluate, save; the
 * registries of the five extension points; the hooks that watch a training run. */
#ifndef TINYNET_TRAIN_H
#define TINYNET_TRAIN_H

#include "tinynet/activation.h"
#include "tinynet/data.h"
#include "tinynet/tinynet.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- The extension points ------------------------------------------------------------
 *
 * Activations, layer types, losses, optimizers and data formats are each a registry of
 * modules with a name (used in JSON) and the JSON keys it accepts. These list them: for
 * documentation, completion and tests that must cover every module. */
enum tn_extension {
    TN_EXT_ACTIVATION, /* "activation": NAME or {"type": NAME, params...} */
    TN_EXT_LAYER,      /* "layers": [{"type": NAME, keys...}] */
    TN_EXT_LOSS,       /* "loss": NAME or {"type": NAME, params...} */
    TN_EXT_OPTIMIZER,  /* "optimizer": NAME or {"type": NAME, keys...} */
    TN_EXT_DATA_FORMAT /* "data": {"format": NAME, keys...} */
};
TN_API size_t tn_extension_count(int kind);            /* 0 for an unknown kind */
TN_API const char *tn_extension_name(int kind, size_t i); /* NULL when i is out of range */
/* The JSON keys module i accepts besides "type"/"format" (a layer's common keys "name",
 * "input", "inputs" and the data section's "scaling" are not listed). Writes at most cap
 * of them and a NULL after them into keys (which holds cap + 1 entries; the strings are
 * the library's) and returns how many there are. */
TN_API size_t tn_extension_keys(int kind, size_t i, const char **keys, size_t cap);

/* ---- The config reference --------------------------------------------------------------
 *
 * Every key the JSON config accepts has a one-line description, kept beside the code that
 * reads it; `tinynet help config` prints them all (docs/config.md, tinynet-config(5)), and
 * a test fails when a key has none. */

/* What module i computes or reads, in one line (an activation: its formula); NULL when i
 * is out of range. */
TN_API const char *tn_extension_doc(int kind, size_t i);
/* The description of key, one of module i's keys as tn_extension_keys lists them, with its
 * default and range where the module's table holds them ("the slope for x < 0 (default
 * 0.01, in [0, 1])"), into buf (n bytes, cut if longer). TN_ENOTFOUND (and "" in buf) when
 * key is not one of its keys or has no description. */
TN_API int tn_extension_key_doc(int kind, size_t i, const char *key, char *buf, size_t n);

/* The config's own sections. TN_CONFIG_LAYER and TN_CONFIG_DATA hold the keys every layer
 * type or data format takes besides its own. */
enum tn_config_section {
    TN_CONFIG_TOP,   /* the top-level object */
    TN_CONFIG_INPUT, /* each object of "inputs" */
    TN_CONFIG_LAYER, /* each object of "layers" */
    TN_CONFIG_TRAIN, /* "train" */
    TN_CONFIG_DATA   /* "data" */
};
/* The keys of a section, as tn_extension_keys writes them (at most cap, then a NULL);
 * returns how many there are (0 for an unknown section). */
TN_API size_t tn_config_keys(int section, const char **keys, size_t cap);
/* The description of a section's key into buf, as tn_extension_key_doc. */
TN_API int tn_config_key_doc(int section, const char *key, char *buf, size_t n);

/* ---- Training from a JSON config ------------------------------------------------------
 *
 * The C face of `tinynet train`: a trainer holds one config (the JSON format of the
 * README), its data, its network and the model it becomes. Typical use:
 *
 *     tn_trainer *t;
 *     if (tn_trainer_new("models/ring.json", &t, &err)) { puts(err.msg); ... }
 *     if (tn_trainer_fit(t, NULL) || tn_trainer_save(t, "ring.tnn"))
 *         puts(tn_trainer_errmsg(t));
 *     tn_trainer_free(t);
 *
 * Activations registered with tn_activation_register before tn_trainer_new may be named in
 * the config. A trainer is used by one thread at a time, and its functions must not be
 * called from inside its own hooks. Results are bit-exact for a given build, seed and
 * thread count. */

typedef struct tn_trainer tn_trainer;

/* After every epoch. val: the validation rows, held out of the training rows (the
 * config's train.validation), which monitor training; a test set is never seen during
 * training: it is evaluated once, after it (tn_trainer_report). */
typedef struct tn_epoch_info {
    int epoch, epochs;           /* 1-based */
    tn_metrics train;            /* over the epoch's batches, in training mode */
    tn_metrics val;              /* after the epoch, in inference mode (if has_val) */
    int has_val;                 /* the validation rows were evaluated after this epoch */
    int improved;                /* the monitored loss (val, else train) improved */
    double seconds;
    double lr;                   /* the learning rate of this epoch */
    /* The config's "metrics" on the validation rows when has_val, indexed as
     * tn_metric_name lists them; NaN for the metrics not tracked. */
    double val_metric[TN_METRIC_COUNT];
} tn_epoch_info;

/* One training step, after backward and before the optimizer: read access to the batch's
 * layer outputs and the gradients of the batch-mean loss. Valid during the hook only. */
typedef struct tn_step tn_step;
TN_API int tn_step_epoch(const tn_step *s);        /* 1-based */
TN_API size_t tn_step_batch(const tn_step *s);     /* 1-based batch of the epoch */
TN_API size_t tn_step_rows(const tn_step *s);      /* rows in this batch */
/* Layer l's output (rows x *cols, row-major), NULL when l is out of range. */
TN_API const float *tn_step_output(const tn_step *s, size_t l, size_t *cols);
/* The gradient of tensor k of layer l (*n floats, laid out as tn_model_tensor shows), or
 * NULL when there is no such tensor. */
TN_API const float *tn_step_grad(const tn_step *s, size_t l, size_t k, size_t *n);
/* The Frobenius norm of the gradient of layer l's first tensor (its weights), in double;
 * NaN for a layer without parameters. */
TN_API double tn_step_grad_norm(const tn_step *s, size_t l);

typedef struct tn_train_hooks {
    void *user;
    void (*on_batch)(void *user, int epoch, size_t batch, size_t n_batches); /* after a step */
    void (*on_step)(void *user, const tn_step *s);       /* before the optimizer */
    void (*on_epoch)(void *user, const tn_epoch_info *e);
    /* Asked after every step: nonzero ends the fit there, as a success with
     * tn_fit_result.interrupted set (and a checkpoint first, when they are set). Answer from
     * a flag: a signal handler may set it. */
    int (*should_stop)(void *user);
    /* After a checkpoint file is written; path is valid during the call. */
    void (*on_checkpoint)(void *user, const char *path);
} tn_train_hooks;

/* Parses the config file (its data are read by tn_trainer_load_data or when needed). */
TN_API int tn_trainer_new(const char *config_path, tn_trainer **out, tn_error *err);
/* The same from config text; name is used in messages and data paths are relative to its
 * directory (as for a file of that name). */
TN_API int tn_trainer_new_text(const char *name, const char *json, size_t len,
                               tn_trainer **out, tn_error *err);
/* Overrides of the config, before the data are read: the seed (initialisation,
 * shuffling, holdout split, negative sampling, dropout; at most 2^53, as the model file
 * records it), the number of epochs (1 to 1000000), the BLAS thread count (1 to 256; a
 * process-wide OpenBLAS setting, applied by tn_trainer_init and tn_trainer_fit). Out of
 * range: TN_ERANGE. */
TN_API int tn_trainer_set_seed(tn_trainer *t, unsigned long long seed);
TN_API int tn_trainer_set_epochs(tn_trainer *t, int epochs);
TN_API int tn_trainer_set_threads(tn_trainer *t, int threads);

typedef struct tn_train_settings {
    const char *config;          /* the config's path (or the name given to _new_text) */
    unsigned long long seed;
    int epochs;
    size_t batch_size;
    int threads;
} tn_train_settings;
TN_API int tn_trainer_settings(const tn_trainer *t, tn_train_settings *out);

/* Reads the data the config names (format module, holdout split, scaling fitted on the
 * training rows), so that errors in them come before any training. */
TN_API int tn_trainer_load_data(tn_trainer *t);
/* Initialises the network's parameters: from the seed, or from what tn_trainer_resume or
 * tn_trainer_init_from gave (reading the data if needed). */
TN_API int tn_trainer_init(tn_trainer *t);
/* Initialises, trains (hooks may be NULL), then evaluates the kept parameters on the
 * training and validation rows. May be called again to train afresh (a resume or an
 * init_from applies to one fit). Not from inside its own hooks: the trainer's functions
 * called from a hook of its running fit return TN_EINVAL (reading ones work), and
 * tn_trainer_free there ends the fit after the current step and frees the trainer when
 * tn_trainer_fit returns, with TN_EINVAL. */
TN_API int tn_trainer_fit(tn_trainer *t, const tn_train_hooks *hooks);

/* Checkpoints of the next fits, written atomically (temporary file, fsync, rename, and
 * the directory synced) to "<base>-epoch<E>.ckpt" after every every_epochs-th epoch E and
 * to "<base>-epoch<E>-batch<B>.ckpt" after every every_steps-th step (B: batches of
 * epoch E done); 0 turns either off. With an interval, the end of the last epoch is
 * written too (so a finished run can be given more epochs); a stop asked by should_stop
 * always is. Of the files a trainer writes, the last `keep` stay
 * (0: all). base NULL: no checkpoints (the default). */
TN_API int tn_trainer_set_checkpoints(tn_trainer *t, const char *base, int every_epochs,
                                      long long every_steps, int keep);
/* The path of the last checkpoint written, or NULL. Owned by the trainer. */
TN_API const char *tn_trainer_last_checkpoint(const tn_trainer *t);
/* Why the first checkpoint of the last fit that could not be written failed, or NULL. A
 * checkpoint that fails does not end the fit (the model it makes is worth more): the
 * caller decides what the failure means. */
TN_API const char *tn_trainer_checkpoint_error(const tn_trainer *t);

/* The next fit continues the checkpoint at path bit for bit (at the same thread count):
 * parameters, optimizer state and step, every random stream, the epoch and batch, the
 * early-stopping state. Refused (TN_ECONFIG, TN_EDATA, with what differs) when it was
 * written with another config (but for train.epochs, which may grow, and train.threads),
 * seed, thread count or training rows, unless flags has TN_RESUME_ALLOW_CHANGES; always
 * when the network or optimizer differ or no epochs are left (TN_ERANGE). */
#define TN_RESUME_ALLOW_CHANGES 1u
TN_API int tn_trainer_resume(tn_trainer *t, const char *checkpoint_path, unsigned flags);
/* The next fit starts from m's parameters, with a fresh optimizer (fine-tuning, or more
 * epochs of a saved model): m's network must have the tensors of the config's (else
 * TN_ESHAPE naming the first that differs). Its input scaling replaces the one the data
 * would be fitted with, so the parameters see the inputs they were trained on; the data
 * are read again. m may be freed afterwards. */
TN_API int tn_trainer_init_from(tn_trainer *t, const tn_model *m);

typedef struct tn_fit_result {
    int epochs_run;              /* epochs completed */
    int best_epoch;              /* the parameters kept are from this epoch */
    int stopped_early;
    tn_metrics train;            /* the kept parameters on the training rows */
    tn_metrics val;              /* ... on the validation rows (rows 0 when none) */
    int interrupted;             /* should_stop ended it: the parameters are the last step's
                                  * (with patience, the best epoch's) */
    tn_metrics test;             /* ... on the test rows (a test set or a holdout of the
                                  * training file), evaluated once after training; rows 0
                                  * when none */
} tn_fit_result;
/* TN_EINVAL (with a message) when the trainer has not been fitted successfully. */
TN_API int tn_trainer_result(tn_trainer *t, tn_fit_result *out);

/* TN_SPLIT_TRAIN: the rows trained on; TN_SPLIT_VAL: the validation rows held out of them
 * (train.validation); TN_SPLIT_TEST: the test rows (a test set, or a holdout of the
 * training file). */
enum tn_split { TN_SPLIT_TRAIN, TN_SPLIT_VAL, TN_SPLIT_TEST };
/* The rows of a split (inputs scaled as the network sees them), NULL when the data are
 * not loaded or the split has no rows. Owned by the trainer. */
TN_API const tn_data *tn_trainer_data(tn_trainer *t, int split);
/* The test rows are a test set (1), a holdout of the training file (0), or absent (-1). */
TN_API int tn_trainer_val_kind(const tn_trainer *t);
/* The kept parameters' evaluation report (tinynet/data.h: loss, accuracy, the task's
 * metrics, the confusion matrix) on a split, from the one pass over its rows after the
 * last fit; NULL before a successful fit or when the split has no rows. Owned by the
 * trainer. */
TN_API const tn_report *tn_trainer_report(tn_trainer *t, int split);
/* What was chosen during training and on which rows, in words ("the kept epoch, on the
 * validation rows (100 of the 1000 training rows, held out with seed 42)", "nothing (the
 * last epoch is kept)"), for reports; NULL before a successful fit. */
TN_API const char *tn_trainer_chosen_by(const tn_trainer *t);

/* The model being trained, as tn_trainer_save would write it (before fitting: the network
 * with its initial parameters): usable with every tn_model function of tinynet.h,
 * data.h and inspect.h, but owned by the trainer and valid until its next call. */
TN_API const tn_model *tn_trainer_model(tn_trainer *t);
/* Writes the trained model (.tnn) atomically: tn_model_load reads it back. TN_EINVAL
 * unless the last fit succeeded (init and reading the data again start over). */
TN_API int tn_trainer_save(tn_trainer *t, const char *model_path);
/* The message of the trainer's last failure ("" after a success). */
TN_API const char *tn_trainer_errmsg(const tn_trainer *t);
TN_API void tn_trainer_free(tn_trainer *t);

/* ---- Files ------------------------------------------------------------------------- */

/* Writes len bytes to path durably: a temporary file beside it, synced and renamed over
 * path; on failure the old file is untouched and no temporary file is left. */
TN_API int tn_write_file(const char *path, const void *data, size_t len, tn_error *err);
/* Whether tn_write_file could write path (its directory exists and is writable), so a long
 * job can fail before it starts rather than at the end. */
TN_API int tn_check_writable(const char *path, tn_error *err);
/* Reads a whole regular file (refused when it is not one, or larger than max_bytes);
 * *text is NUL-terminated, tn_free it. */
TN_API int tn_read_file(const char *path, size_t max_bytes, char **text, size_t *len,
                        tn_error *err);
/* Reads an open file descriptor (a pipe, a terminal, standard input the caller hands over)
 * to its end, at most max_bytes (more is TN_ERANGE); *text is NUL-terminated (*len excludes
 * the NUL), tn_free it. name is used in messages. */
TN_API int tn_read_fd(int fd, const char *name, size_t max_bytes, char **text, size_t *len,
                      tn_error *err);
/* The candidate closest to word by edit distance when it is close enough to be a likely
 * typo (for "did you mean"), or NULL; candidates is NULL-terminated. */
TN_API const char *tn_suggest(const char *word, const char *const *candidates);

#ifdef __cplusplus
}
#endif
#endif
