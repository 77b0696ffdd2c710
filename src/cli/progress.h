/* What `tinynet train` shows while it works: a progress line redrawn on a terminal
 * (nothing when stderr is not a terminal, unless --progress=always), a summary line every
 * few epochs (every epoch with -v, also when redirected), and an optional JSON-lines log
 * with one object per epoch. */
#ifndef TN_CLI_PROGRESS_H
#define TN_CLI_PROGRESS_H

#include "tinynet/inspect.h"
#include "tinynet/train.h"

#include <stdio.h>

typedef struct tn_progress {
    int bar;             /* redraw a progress line (a terminal, or --progress=always) */
    int summaries;       /* print epoch summary lines (the bar's conditions, or -v) */
    FILE *log;
    const char *log_path;
    const char *val_label; /* "test" or "validation", as the final report says */
    int every;           /* print a summary line every this many epochs */
    double started, last_draw;
    double epoch_started; /* the bar shows this epoch's time, not the run's */
    int log_errno;        /* the first failure to write the log */
    double last_flush;    /* when the log was last flushed (epoch lines are buffered) */
} tn_progress;

/* How a training run ended, for the log's end record. */
typedef struct tn_progress_end {
    const tn_fit_result *res;  /* NULL when it failed */
    const char *error;         /* the failure's message, or NULL */
    int signo;                 /* the signal that interrupted it, or 0 */
    const char *signal;        /* its name */
    const char *checkpoint;    /* the last checkpoint written, or NULL */
    const char *checkpoint_error; /* why a checkpoint could not be written, or NULL */
    const char *chosen_by;     /* which rows chose the kept epoch, or NULL */
    const tn_report *report[3]; /* the kept parameters on train, validation, test (or NULL) */
} tn_progress_end;

/* Starts the display and the log (its start record describes trainer t). */
int tn_progress_open(tn_progress *p, const char *log_path, tn_trainer *t, tn_error *err);
void tn_progress_batch(void *user, int epoch, size_t batch, size_t n_batches);
void tn_progress_epoch(void *user, const tn_epoch_info *r);
/* An on_checkpoint hook: a "checkpoint" record in the log. */
void tn_progress_checkpoint(void *user, const char *path);
/* Writes the log's end record and closes it; fails (with the reason) when any part of the
 * log could not be written. */
int tn_progress_close(tn_progress *p, const tn_progress_end *end, tn_error *err);

#endif
