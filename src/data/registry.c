/* The data formats known by name: one line per format. */
#include "data/format.h"

#include "core/registry.h"

#define FORMATS(X, T)                \
    X(T, tn__data_csv)               \
    X(T, tn__data_idx)               \
    X(T, tn__data_fashion)           \
    X(T, tn__data_ratings)           \
    X(T, tn__data_libsvm)            \
    /* one line per data format, above this one */

TN__REGISTRY_TABLE(tn_data_format, FORMATS, formats);
TN__REGISTRY_FUNCS(tn_data_format, tn__data_format, formats, name)
