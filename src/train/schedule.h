/* What changes over a training run besides the parameters: the learning rate of each
 * epoch (a schedule) and the weight of each training row's class. A schedule is a pure
 * function of the epoch, the planned epochs and, for reduce-on-plateau, of the state the
 * loop keeps (and a checkpoint saves): a resumed run sets the same rates. */
#ifndef TN_TRAIN_SCHEDULE_H
#define TN_TRAIN_SCHEDULE_H

#include "core/json.h"
#include "data/dataset.h"

#include <stddef.h>

enum tn_lr_kind { TN_LR_CONSTANT, TN_LR_STEP, TN_LR_EXPONENTIAL, TN_LR_COSINE, TN_LR_PLATEAU };

typedef struct tn_lr_schedule {
    int kind;            /* enum tn_lr_kind */
    int step_size;       /* step: epochs between two decays */
    double gamma;        /* step, exponential: the factor per decay */
    int warmup;          /* cosine: epochs of linear warm-up before the cosine */
    double min_lr;       /* cosine, plateau: the floor */
    double factor;       /* plateau: the factor of a reduction */
    int patience;        /* plateau: evaluations without improvement before one */
    double min_delta;    /* plateau: the least decrease of the monitored loss that counts */
} tn_lr_schedule;

/* Reduce-on-plateau's state, kept in the training state and its checkpoints. */
typedef struct tn_plateau {
    double scale;        /* the learning rate is the base times this (1 at the start) */
    double best;         /* the best monitored loss so far (INFINITY: none yet) */
    int wait;            /* evaluations since it improved */
} tn_plateau;

extern const char *const tn__lr_schedule_keys[];

/* "train.lr_schedule": absent is constant; {"type": "step"|"exponential"|"cosine"|
 * "plateau", keys...}. r is at "train". */
int tn__lr_schedule_parse(tn_jr *r, const cJSON *train, tn_lr_schedule *out);
/* The learning rate of epoch (1-based) of epochs, from base. */
double tn__lr_at(const tn_lr_schedule *s, double base, int epoch, int epochs,
                 const tn_plateau *p);
/* After an evaluated epoch: reduce-on-plateau sees the monitored loss. */
void tn__plateau_update(const tn_lr_schedule *s, double base, tn_plateau *p, double monitored);

/* "train.class_weights": absent (*n 0), "balanced" (*balanced), or one positive weight per
 * class ([w0, w1] for one binary output). classes: the output's class count. */
int tn__class_weights_parse(tn_jr *r, const cJSON *train, size_t classes, int *balanced,
                            double **weights, size_t *n);
/* The class of each row of a class target (an index column, one-hot or probabilities:
 * argmax; one [0, 1] column: >= 0.5) in [0, classes). */
size_t tn__target_class(const float *t, size_t tw, size_t classes);
/* "balanced": n / (classes x count of the class) over d's rows (scikit-learn's
 * compute_class_weight); a class with no rows gets 1. w holds classes values. */
void tn__class_weights_balanced(const tn_dataset *d, size_t classes, double *w);

#endif
