/* Data format modules: how rows come from files into datasets. One file per format plus
 * one line in data/registry.c.
 *
 * A format serves four moments:
 *   config   parse: the config's "data" object (its own keys; paths are resolved against
 *            the config file) -> the format's state;
 *   training load: the labelled training rows, and test rows when the config names them;
 *   model    record: what reading new data needs (columns, id base, class names, ...) into
 *            the model header's "data" object; from_record reads it back;
 *   use      read: one source named on the command line or handed over as text (eval and
 *            predict), with or without targets.
 * The generic keys of "data" are "format" and "scaling" (model/scaling.h, fitted by the
 * session). A format that takes "holdout" splits it off itself (tn__data_holdout). */
#ifndef TN_DATA_FORMAT_H
#define TN_DATA_FORMAT_H

#include "core/json.h"
#include "core/registry.h"
#include "data/dataset.h"
#include "graph/graph.h"
#include "model/model.h"

#include <stddef.h>
#include <stdint.h>

/* What a format is told about the network and the loss it feeds. */
typedef struct tn_data_ctx {
    const tn_net *net;
    tn_target_rule targets;  /* what the loss needs of the targets */
    const char *config;      /* the config file (parse: paths are relative to its directory) */
} tn_data_ctx;

/* The rows for training. */
typedef struct tn_data_loaded {
    tn_dataset *train;       /* labelled */
    tn_dataset *test;        /* labelled, or NULL when the config names none */
    int holdout;             /* test is a held-out part of the training file, not a test set */
    float type_max;          /* the largest value of the data's type ("unit" scaling), 0: none */
    void *extra;             /* what the format keeps for its own report (ratings), or NULL */
    void (*free_extra)(void *extra);
} tn_data_loaded;

/* Where eval and predict read from: files (one, or several for formats made of several
 * files), or text already in memory (standard input, read by the caller). */
typedef struct tn_data_source {
    const char *const *paths;
    int n_paths;
    const char *name;        /* text: the name used in messages ("<stdin>") */
    const char *text;
    size_t len;
    /* Streaming (text only): the source's header record, and the line text starts at
     * (formats with a header read it from head, the rows from text). */
    const char *head;
    size_t head_len, first_line;
} tn_data_source;

/* Sharded training (train/shard.h): which rows of the training file to keep, told once
 * the file's row count is known (the same list however often it is asked). */
typedef struct tn_row_select {
    int (*select)(void *user, size_t n_all, const uint32_t **rows, size_t *n, tn_error *err);
    void *user;
} tn_row_select;

typedef struct tn_data_format {
    const char *name;            /* registry key: "data": {"format": NAME} */
    const char *const *keys;     /* its own keys of "data", NULL-ended (for docs and checks) */
    const char *doc;             /* one line for the config reference: what it reads */
    const tn__keydoc *key_docs;  /* one line per key of keys, {NULL, NULL}-ended */
    const char *sources;         /* what read accepts, for usage messages ("DATA.csv") */
    /* r is at the "data" object. Checks its keys with tn__data_check_keys. */
    int (*parse)(tn_jr *r, const cJSON *obj, const tn_data_ctx *c, void **state);
    /* Target columns the loaded rows have (checked against the loss by the config). */
    size_t (*target_width)(const void *state);
    int (*load)(const void *state, const tn_data_ctx *c, unsigned long long seed,
                tn_data_loaded *out, tn_error *err);
    int (*record)(const void *state, const tn_data_ctx *c, cJSON *obj);
    int (*from_record)(tn_jr *r, const cJSON *obj, const tn_data_ctx *c, void **state);
    int (*read)(const void *state, const tn_data_ctx *c, const tn_data_source *src,
                int with_targets, tn_dataset **out, tn_error *err);
    /* The name of class k of a class output, from the model's record (may be NULL for
     * files from before it), or NULL (then classes are numbers). May be NULL. */
    const char *(*class_name)(const cJSON *record, size_t k);
    /* Streaming (predict reading a pipe): whether the first record of text (len bytes) is a
     * header that read must be given as the source's head. NULL: the format is read whole. */
    int (*stream_header)(const void *state, const char *text, size_t len);
    void (*free)(void *state);
    /* Optional: load, with out->train only the training file's rows sel chooses, in their
     * order, reading no more of the file than the format must; *read: the rows read.
     * NULL: the caller loads all rows and keeps the chosen ones. */
    int (*load_rows)(const void *state, const tn_data_ctx *c, unsigned long long seed,
                     const tn_row_select *sel, tn_data_loaded *out, size_t *read,
                     tn_error *err);
} tn_data_format;

size_t tn__data_format_count(void);
const tn_data_format *tn__data_format_at(size_t i);
const tn_data_format *tn__data_format_find(const char *name);
/* The names, NULL-terminated, from tn__malloc (tn__free it); NULL when out of memory. */
const char **tn__data_format_names(void);

/* A format with its state: what a config or a model carries. */
typedef struct tn_data_spec {
    const tn_data_format *format;
    void *state;
} tn_data_spec;

void tn__data_spec_free(tn_data_spec *s);

/* Reads "format" of obj (default "csv") and lets that format parse the rest. */
int tn__data_spec_parse(tn_jr *r, const cJSON *obj, const tn_data_ctx *c, tn_data_spec *out);
/* The model header's "data" object ({"format": NAME, ...}): write, and read back. */
int tn__data_spec_record(const tn_data_spec *s, const tn_data_ctx *c, cJSON *header);
int tn__data_spec_from_record(tn_jr *r, const cJSON *obj, const tn_data_ctx *c,
                              tn_data_spec *out);

/* The input format a model was trained on: its header's "data" record; for files from
 * before it was recorded, "columns" (csv), the training record's ratings settings, or
 * else IDX images. Messages name the model's file. */
int tn__data_spec_of_model(const tn_model *m, const tn_data_ctx *c, tn_data_spec *out,
                           tn_error *err);
/* The format module of m's record (or of its older forms), without reading its state. */
const tn_data_format *tn__data_format_of_model(const tn_model *m);

/* The keys every format's "data" object takes ("format", "scaling"), and their descriptions. */
extern const char *const tn__data_common_keys[];
extern const tn__keydoc tn__data_common_docs[];

/* For the formats' parse: every key of obj must be "format", one of the format's keys or
 * "scaling". */
int tn__data_check_keys(tn_jr *r, const cJSON *obj, const tn_data_format *f);
/* A data path as the config names it, relative to the config file's directory. */
int tn__data_path(tn_jr *r, const cJSON *obj, const char *key, int required, const char *config,
                  char **out);
/* "holdout" of obj (a fraction in [0, 0.9]; 0 when absent), refused beside a test set. */
int tn__data_parse_holdout(tn_jr *r, const cJSON *obj, int has_test, const char *what,
                           double *out);
/* Splits a seeded fraction of out->train off into out->test (nothing for 0). */
int tn__data_holdout(tn_data_loaded *out, double fraction, unsigned long long seed,
                     tn_error *err);
/* A format's load, for the helper below. */
typedef int (*tn_data_load_fn)(const void *state, const tn_data_ctx *c, unsigned long long seed,
                               tn_data_loaded *out, tn_error *err);
/* load_rows the simple way: load reads every row, the chosen ones are kept (*read: all). */
int tn__data_load_chosen(tn_data_load_fn load, const void *state, const tn_data_ctx *c,
                         unsigned long long seed, const tn_row_select *sel,
                         tn_data_loaded *out, size_t *read, tn_error *err);
/* Frees what load returned. */
void tn__data_loaded_free(tn_data_loaded *d);

/* The source has exactly n paths (or text when text_ok): else a TN_EINVAL naming what the
 * format reads. */
int tn__data_source_check(const tn_data_format *f, const tn_data_source *src, int n,
                          int text_ok, tn_error *err);

#endif
