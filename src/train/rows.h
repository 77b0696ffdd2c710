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
void tn__row_lists_free(tn_row_lists *l);

#endif
