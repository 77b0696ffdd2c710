/* A training session: a config, its data, the trained network and how to save it. The
 * one place that composes io (config, data, model files) with net (training), shared by
 * `tinynet train` and the public tn_trainer API of train.h. */
#ifndef TN_TRAIN_SESSION_H
#define TN_TRAIN_SESSION_H

#include "train/config.h"
#include "data/ratings.h"
#include "model/scaling.h"
#include "train/train.h"

typedef struct tn_session {
    tn_config *config;
    int threads;              /* BLAS threads for training (recorded in the model) */
    tn_dataset *train, *val;  /* val: the test set, a holdout, or NULL */
    int val_is_test;
    tn_scaling scaling;       /* fitted on train, applied to both, saved with the model */
    tn_implicit *im;          /* ratings data only: what the ranking report needs */
    tn_rank_set *ranks;
    unsigned long long data_seed; /* the seed the data were split and sampled with */
    int trained;              /* the last fit succeeded: result and the fields below hold */
    tn_train_result result;   /* result.val: the kept parameters on val, in inference mode */
    tn_metrics final_train;   /* the kept parameters on the training data, inference mode */
    unsigned long long fit_seed; /* the seed and thread count the fit ran with */
    int fit_threads;
} tn_session;

/* Parses the config; the data are read by tn__session_load_data, after any override of
 * the seed (which also fixes the holdout split and negative sampling). */
int tn__session_open(const char *config_path, tn_session *s, tn_error *err);
int tn__session_load_data(tn_session *s, tn_error *err);
/* Initialises the parameters from the seed and trains, reading the data first if they
 * are not loaded yet or were loaded with another seed; then evaluates the result (in
 * inference mode) on the training and validation data. */
int tn__session_fit(tn_session *s, const tn_train_hooks *hooks, tn_error *err);
/* The trained model, its scaling and a record of the training (seed, threads, epochs,
 * metrics, and for ratings data what `recommend` needs), written atomically. */
int tn__session_save(const tn_session *s, const char *path, tn_error *err);
void tn__session_close(tn_session *s);

#endif
