/* The training loop, evaluation and prediction over datasets in memory. */
#ifndef TN_TRAIN_LOOP_H
#define TN_TRAIN_LOOP_H

#include "data/dataset.h"
#include "loss/loss.h"
#include "graph/graph.h"
#include "optim/optim.h"
#include "train/metrics.h"
#include "train/schedule.h"
#include "tinynet/train.h"

typedef struct tn_train_cfg {
    int epochs;
    size_t batch_size;
    int patience;           /* stop after this many epochs without improvement (0 = never) */
    double min_delta;       /* the smallest decrease of the monitored loss that counts */
    int shuffle;
    unsigned long long seed;
    /* Choices during training see only the training rows: a seeded fraction of them is
     * held out as validation rows (the session splits them off), which early stopping and
     * reduce-on-plateau monitor; without them, the training loss is monitored. */
    double validation;      /* the fraction held out (0: none) */
    int validation_given;   /* the config set it (else it defaults by what monitors) */
    int eval_every;         /* evaluate the validation rows every N epochs and at the last
                             * (0: never) */
    tn_lr_schedule lr;      /* the learning rate of each epoch */
    int balanced;           /* class weights "balanced": computed from the training rows */
    const double *class_weight; /* [classes] the weight of each class's rows, or NULL */
    size_t classes;
    int metrics[TN__M_COUNT]; /* tracked on the validation rows at each evaluation */
    int n_metrics;
    double threshold;       /* binary metrics: a score >= threshold predicts class 1 */
    int shards;             /* train.shards (train/shard.h); 1: one shuffle of all rows */
} tn_train_cfg;

/* tn_metrics (tinynet/data.h), tn_epoch_info and tn_train_hooks (tinynet/train.h) are the
 * public ones: the loop reports in the terms the API gives its users. */

/* What on_step hooks see: the training run after backward. */
struct tn_step {
    const tn_run *run;
    int epoch;
    size_t batch;            /* 1-based, in the epoch */
    size_t rows;             /* in this batch (data parallel: this process's share of it) */
};

typedef struct tn_train_result {
    int epochs_run;         /* epochs completed */
    int best_epoch;         /* the parameters left in net->P are from this epoch */
    int stopped_early;
    int interrupted;        /* should_stop asked: net->P is from the last step taken */
    tn_metrics train, val;  /* at best_epoch */
} tn_train_result;

/* Where a training run stands between two steps. With the parameters, the optimizer's
 * state and the best parameters it is all a checkpoint holds to continue bit for bit:
 * the batches of an epoch are the shuffle stream's permutation, so the stream is kept as
 * it was before the epoch's shuffle and the permutation is drawn again on resume. */
typedef struct tn_train_state {
    int epoch;              /* the epoch in progress, 1-based */
    size_t batch;           /* its batches done (0: it has not started) */
    tn_rng shuffle;         /* the shuffle stream before this epoch's shuffle */
    tn_rng noise;           /* the training run's dropout and rrelu stream */
    double total;           /* this epoch's summed loss over the batches done ... */
    size_t correct;         /* ... and its correct rows */
    double best;            /* the best monitored loss so far (INFINITY: none yet) */
    int since_best;         /* evaluations since it */
    tn_plateau plateau;     /* reduce-on-plateau's state */
    tn_train_result res;    /* as it stands after the epochs done */
} tn_train_state;

/* A training run's state as a checkpoint sees it (written), or as a resume gives it
 * (read; P is then already in net->P). */
typedef struct tn_train_snapshot {
    tn_train_state state;
    long long opt_t;                         /* optimizer steps taken */
    int opt_blocks;                          /* its state blocks, each n_params floats */
    float *opt_state[TN_OPTIM_MAX_STATE];
    float *best;                             /* the best epoch's parameters (patience > 0) */
    const float *P;                          /* the parameters (written snapshots) */
    size_t n_params;
} tn_train_snapshot;

/* How a run is driven beyond its config: the user's hooks, a state to resume from, and
 * checkpoints, written every so many epochs or steps and when should_stop asks. */
typedef struct tn_train_ctl {
    const tn_train_hooks *hooks;
    const tn_train_snapshot *resume;         /* NULL: start from the seed */
    int every_epochs;                        /* 0: not by epochs */
    long long every_steps;                   /* 0: not by steps */
    /* Writes one checkpoint (NULL: none are written). A stop is always written; with an
     * interval, so is the last epoch's end. */
    int (*checkpoint)(void *user, const tn_train_snapshot *s, tn_error *err);
    void *user;
    /* Data parallel (dist/dist.h): each batch is split across the processes, whose
     * gradients, losses and stop requests are summed before the optimizer step. */
    int distributed;
    /* Threads of the run (0 or 1: one). Above one the run owns a pool of that many
     * (core/pool.h) that the kernels split their work across, with OpenBLAS at one thread;
     * results are reproducible for a thread count, and those of one thread where the BLAS
     * kernels allow (tn__blas_split_keeps_bits, core/blas.h); there the pool also times
     * steps split and serial and keeps the faster (core/pool.h), except under MPI. */
    int threads;
    /* train.shards > 1 (train/shard.h): the training rows are this process's shards,
     * batched as sh says (the loop plans its batches); NULL: one shuffle of all rows. */
    struct tn_shards *shards;
} tn_train_ctl;

/* The flags of the training run context for this loss (TN_RUN_TRAINING, and
 * TN_RUN_FUSED_OUTPUT when the loss is computed with the output activation): the one
 * place where fusion is decided. */
unsigned tn__train_run_flags(const tn_loss *loss, const tn_net *net);
/* The loss of the batch in run (after a forward), summed over the rows; with grad, writes
 * the gradient that starts backward: dL/dy of the output, or dL/dz when fused (the run
 * must have been made with tn__train_run_flags). t is batch x tw. */
double tn__loss_eval_run(const tn_loss *loss, tn_run *run, const float *t, size_t tw, size_t B,
                         int grad);
/* The same with each row's loss and gradient weighted by its class's weight (w[classes];
 * NULL: tn__loss_eval_run): the sum of w_row x loss_row, the gradient of its batch mean. */
double tn__loss_eval_run_weighted(const tn_loss *loss, tn_run *run, const float *t, size_t tw,
                                  size_t B, int grad, const double *w, size_t classes);

/* What a run of tn__train holds at once (parameters, optimizer state, best parameters, the
 * data, both run contexts) against the memory budget: TN_ENOMEM with the figure, naming
 * train.batch_size, before anything is allocated or initialised. */
int tn__train_budget(const tn_net *net, const tn_loss *loss, const tn_optim_cfg *oc,
                     const tn_train_cfg *tc, const tn_dataset *train, const tn_dataset *val,
                     tn_error *err);
/* Trains net->P. ctl may be NULL (no hooks, no checkpoints, from the start). A resumed run
 * continues from ctl->resume exactly as the run that wrote it would have; should_stop
 * ends it after the current step (res->interrupted, a checkpoint when ctl->checkpoint). */
int tn__train(tn_net *net, const tn_loss *loss, const tn_optim_cfg *oc, const tn_train_cfg *tc,
              const tn_dataset *train, const tn_dataset *val, const tn_train_ctl *ctl,
              tn_train_result *res, tn_error *err);
/* Evaluation and prediction in inference mode, batch rows at a time. scale: the model's
 * input scaling, applied to each batch when d is not scaled yet (NULL: none). */
int tn__evaluate(const tn_net *net, const tn_loss *loss, const tn_dataset *d,
                 const tn_scaling *scale, size_t batch, tn_metrics *m, tn_error *err);
/* The same pass with every metric of the task (train/metrics.h) into rep (which owns
 * buffers after a success: tn__report_release). */
int tn__evaluate_report(const tn_net *net, const tn_loss *loss, const tn_dataset *d,
                        const tn_scaling *scale, size_t batch, double threshold,
                        tn_report *rep, tn_error *err);
void tn__report_release(tn_report *rep);
/* Fills cm (output-width x output-width, row = true class, column = predicted) for a class
 * output (width > 1) and labelled data; its sum is d->rows, its trace the correct count. */
int tn__confusion(const tn_net *net, const tn_dataset *d, const tn_scaling *scale,
                  size_t batch, size_t *cm, tn_error *err);
/* Writes rows x output-width predictions into out. */
int tn__predict(const tn_net *net, const tn_dataset *d, const tn_scaling *scale, size_t batch,
                float *out, tn_error *err);

#endif
