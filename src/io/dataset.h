/* Turns data files into tn_dataset rows for a network, using a column mapping. */
#ifndef TN_IO_DATASET_H
#define TN_IO_DATASET_H

#include "io/config.h"
#include "net/train.h"

/* Reads a CSV file and maps its columns to the network's inputs (and targets when
 * with_target). Validates ids of index inputs and targets against the loss. */
int tn__data_load_csv(const char *path, const tn_net *net, const tn_columns *cols,
                      int with_target, int loss, tn_dataset **out, tn_error *err);

#endif
