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
} tn_progress;

/* Starts the display and the log (its start record describes trainer t). */
int tn_progress_open(tn_progress *p, const char *log_path, tn_trainer *t, tn_error *err);
void tn_progress_batch(void *user, int epoch, size_t batch, size_t n_batches);
void tn_progress_epoch(void *user, const tn_epoch_info *r);
/* res NULL: training failed (no end record). Fails when the log could not be written. */
int tn_progress_close(tn_progress *p, const tn_fit_result *res, tn_error *err);

#endif
