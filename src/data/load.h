/* Turns data files into tn_dataset rows for a network, using a column mapping. */
#ifndef TN_DATA_LOAD_H
#define TN_DATA_LOAD_H

#include "train/config.h"
#include "data/csv.h"
#include "model/scaling.h"
#include "train/train.h"

/* Reads a CSV file and maps its columns to the network's inputs, and to targets checked
 * against the rule when targets is not NULL. Validates ids of index inputs. */
int tn__data_load_csv(const char *path, const tn_net *net, const tn_columns *cols,
                      const tn_target_rule *targets, tn_dataset **out, tn_error *err);
/* The same from a parsed table (name is the file named in messages). */
int tn__data_from_table(const char *name, const tn_table *tab, const tn_net *net,
                        const tn_columns *cols, const tn_target_rule *targets,
                        tn_dataset **out, tn_error *err);

/* Reads IDX images (any count x ... shape, flattened per item) into the network's one float
 * input, and with labels (may be NULL) class-index targets checked against the output
 * width (tn__idx_check_pair). *type_max: the largest value of the images' type (255 for
 * bytes; 0 for float types, which have none), for "unit" scaling. */
int tn__data_load_idx(const char *images, const char *labels, const tn_net *net,
                      tn_dataset **out, float *type_max, tn_error *err);
/* The Fashion-MNIST files of Debian's package (tn__fashion_paths); which: 0 train, 1 test. */
int tn__data_load_fashion(int which, const tn_net *net, tn_dataset **out, float *type_max,
                          tn_error *err);
/* Everything a config's data section names: the training rows, the test rows (or the
 * held-out part of train, *val_is_test 0; *val NULL when neither), and the scaling fitted
 * on the training rows and applied to both. */
int tn__data_load_config(const tn_config *c, tn_dataset **train, tn_dataset **val,
                         int *val_is_test, tn_scaling *scaling, tn_error *err);

#endif
