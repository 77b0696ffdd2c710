/* A training session: a config, its data, the network being trained and the model it
 * becomes. The one way from a config to a trained model: `tinynet train` and `study`, the
 * public tn_trainer API of train.h, the tests and the benchmarks all go through it.
 *
 *   open (config) -> load_data (format module, holdout, scaling fitted on the training
 *   rows) -> init (parameters from the seed) -> fit (the loop) -> model / save. */
#ifndef TN_TRAIN_SESSION_H
#define TN_TRAIN_SESSION_H

#include "data/format.h"
#include "model/model.h"
#include "model/scaling.h"
#include "train/checkpoint.h"
#include "train/config.h"
#include "train/loop.h"

typedef struct tn_session {
    tn_config *config;
    int threads;              /* BLAS threads for training (recorded in the model) */
    tn_data_loaded data;      /* train; test (a test set or a holdout; NULL: none); extra */
    tn_dataset *val;          /* validation rows held out of the training rows (NULL: none);
                               * data.train is then the rest */
    tn_scaling scaling;       /* fitted on train, applied to all, saved with the model */
    struct tn_shards *shards; /* train.shards > 1: data.train is this process's shards */
    int loaded;               /* data holds the rows read with data_seed */
    unsigned long long data_seed;
    int trained;              /* the last fit succeeded: result and the fields below hold */
    tn_train_result result;   /* result.val: the kept parameters on the validation rows */
    tn_metrics final_train;   /* the kept parameters on the training rows, inference mode */
    tn_report report[3];      /* the kept parameters on train, validation, test: one pass each */
    int has_report[3];
    char chosen_by[192];      /* which rows chose the kept epoch, in words */
    unsigned long long fit_seed; /* the seed and thread count the fit ran with */
    int fit_threads;
    tn_model model;           /* a view of the trained model (tn__session_model) */

    /* Checkpoints of the next fits: "<base>-epoch<E>.ckpt" after epoch E, or
     * "<base>-epoch<E>-batch<B>.ckpt" after batch B of epoch E; the last `keep` this
     * session wrote stay (0: all). */
    struct {
        char *base;
        int every_epochs, keep;
        long long every_steps;
        char **kept;          /* [keep] the newest last; ring of written paths */
        int n_kept;
        char *last;           /* the last one written */
        uint32_t train_crc;   /* of this fit's training rows, computed once */
        int have_crc;
        tn_error error;       /* the first checkpoint that could not be written (code 0: none):
                               * training goes on without it */
        const tn_train_hooks *hooks;
    } ckpt;
    tn_checkpoint *resume;    /* the next fit continues from it (NULL: from the seed) */
    unsigned resume_flags;
    float *init_params;       /* the next fit starts from these (tn__session_init_from) */
    tn_scaling fixed_scaling; /* the input scaling data are read with instead of a fitted one:
                               * an init model's, or a resumed checkpoint's */
    int scaling_fixed;
} tn_session;

/* Resume flags (the public TN_RESUME_* of tinynet/train.h). */
#define TN__RESUME_ALLOW_CHANGES 1u

/* Parses the config file, or config text (name labels messages and is the directory data
 * paths are relative to). The data are read by tn__session_load_data, after any override
 * of the seed (which also fixes the holdout split and negative sampling). */
int tn__session_open(const char *config_path, tn_session *s, tn_error *err);
int tn__session_open_text(const char *name, const char *text, size_t len, tn_session *s,
                          tn_error *err);
int tn__session_load_data(tn_session *s, tn_error *err);
/* The test rows are a test set (1), a holdout from the training rows (0); none: -1. The
 * validation rows (s->val) are another thing: held out of the training rows, they monitor
 * training; the test rows are evaluated once, after it. */
int tn__session_val_kind(const tn_session *s);
/* Initialises the parameters from the seed, reading the data first when they are not
 * loaded yet or were loaded with another seed. */
int tn__session_init(tn_session *s, tn_error *err);
/* Initialises, trains, then evaluates the kept parameters (in inference mode) on the
 * training and test rows. */
int tn__session_fit(tn_session *s, const tn_train_hooks *hooks, tn_error *err);
/* Checkpoints for the next fits (base NULL: none; every_* 0: not by that; a stop is
 * always written, the last epoch with an interval). */
int tn__session_set_checkpoints(tn_session *s, const char *base, int every_epochs,
                                long long every_steps, int keep, tn_error *err);
/* The next fit continues the checkpoint at path: refused when it was written by another
 * config, seed, thread count or training data (unless TN__RESUME_ALLOW_CHANGES), another
 * optimizer or network, or when it has no epochs left to run. */
int tn__session_resume(tn_session *s, const char *path, unsigned flags, tn_error *err);
/* The next fit starts from m's parameters and input scaling, with a fresh optimizer; m's
 * network must have the config's tensors. The data are read again at the fit. */
int tn__session_init_from(tn_session *s, const tn_model *m, tn_error *err);

/* The model as it would be saved: the network, its loss, input format, scaling and a
 * record of the training. Valid until the next open/fit/close. */
int tn__session_model(tn_session *s, const tn_model **out, tn_error *err);
/* Writes the trained model atomically. */
int tn__session_save(tn_session *s, const char *path, tn_error *err);
void tn__session_close(tn_session *s);

#endif
