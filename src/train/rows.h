/* The rows of the embedding tables each training batch used, listed for an optimizer that
 * updates them lazily (adam's "lazy": tn_optim_rows). Allocated with the trainer; listing
 * a batch allocates nothing. */
#ifndef TN_TRAIN_ROWS_H
#define TN_TRAIN_ROWS_H

#include "graph/graph.h"
#include "optim/optim.h"

typedef struct tn_row_lists tn_row_lists;

/* Lists for every embedding of run's network (batches up to max_batch) and points
 * opt->tables at them. *out is NULL (and opt unchanged) when the network has none. */
int tn__row_lists_new(const tn_run *run, size_t max_batch, tn_optim *opt, tn_row_lists **out,
                      tn_error *err);
/* Lists the rows of the batch now in the run's index inputs (B rows). */
void tn__row_lists_collect(tn_row_lists *l, size_t B);
/* Data parallel: lists the rows of the global batch, this process's `mine` rows and every
 * other process's (their ids gathered, in process order): every process updates the same
 * rows, as one process would (a collective). */
int tn__row_lists_collect_all(tn_row_lists *l, size_t mine, tn_error *err);
void tn__row_lists_free(tn_row_lists *l);

#endif
