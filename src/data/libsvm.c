/* The "libsvm" data format: the sparse text format of LIBSVM and SVMlight, in which the
 * LIBSVM data sets are distributed. One row per line:
 *
 *     <label> <index>:<value> <index>:<value> ...      (indices increasing; absent = 0)
 *
 * The features fill the network's one float input (its width is the number of features;
 * indices start at "index_base", 1 as in LIBSVM's files). The label becomes the target by
 * what the loss needs: a class index (label - "label_base"; -1/+1 are classes 0/1 for a
 * two-way output), a 0/1 label (-1/+1 or 0/1), or the number itself for regression.
 *   "data": {"format": "libsvm", "train": F, "test": F | "holdout": 0.2,
 *            "index_base": 1, "label_base": 0}
 * Blank lines and '#' comments are skipped; a line for predict may omit the label. */
#include "data/format.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const tn_data_format tn__data_libsvm;

#define LIBSVM_MAX_BYTES ((size_t)4 << 30)

typedef struct libsvm_state {
    char *train, *test;     /* resolved paths (config only) */
    double holdout;
    long long index_base;   /* the index of the first feature: 1 (LIBSVM) or 0 */
    long long label_base;   /* subtracted from a label to give a class index */
} libsvm_state;

static const char *const libsvm_keys[] = {"train", "test", "holdout", "index_base",
                                          "label_base", NULL};

/* ---- reading ------------------------------------------------------------------------------ */

typedef struct reader {
    const char *name;       /* the file, for messages */
    const char *p, *end;    /* the text left */
    size_t line;
    tn_error *err;
} reader;

/* The next line without its end and comment; 0 at the end of the text. */
static int next_line(reader *rd, const char **s, size_t *n)
{
    if (rd->p >= rd->end)
        return 0;
    const char *nl = memchr(rd->p, '\n', (size_t)(rd->end - rd->p));
    const char *e = nl ? nl : rd->end;
    *s = rd->p;
    rd->p = nl ? nl + 1 : rd->end;
    rd->line++;
    const char *hash = memchr(*s, '#', (size_t)(e - *s));
    if (hash)
        e = hash;
    while (e > *s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
        e--;
    *n = (size_t)(e - *s);
    return 1;
}

static int fail(reader *rd, const char *fmt, const char *tok, size_t len)
{
    char shown[48];
    snprintf(shown, sizeof shown, "%.*s%s", len > 40 ? 40 : (int)len, tok, len > 40 ? "..." : "");
    char what[160];
    snprintf(what, sizeof what, fmt, shown);
    return tn__err(rd->err, TN_EDATA, "%s: line %zu: %s", rd->name, rd->line, what);
}

/* A whole token as a finite number. */
static int number(const char *tok, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, tok, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (*end || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* The target of a label for the loss's rule. */
static int target_of(reader *rd, const libsvm_state *s, const tn_target_rule *rule,
                     const char *tok, size_t len, double label, float *t)
{
    if (rule->kind == TN_TARGET_ANY) {
        *t = (float)label;
        return TN_OK;
    }
    if (rule->kind == TN_TARGET_PROB) {
        if (label != -1 && label != 0 && label != 1)
            return fail(rd, "label %s is not a binary label (-1/+1 or 0/1)", tok, len);
        *t = label > 0 ? 1.0f : 0.0f;
        return TN_OK;
    }
    double k = label - (double)s->label_base;
    if (rule->classes == 2 && (label == -1 || label == 1) && s->label_base == 0)
        k = label > 0 ? 1 : 0; /* a binary data set with a two-way output */
    if (k != floor(k) || k < 0 || k >= (double)rule->classes) {
        char what[96];
        snprintf(what, sizeof what, "label %%s is not a class in [%lld, %lld) (data.label_base "
                 "is %lld)", s->label_base, s->label_base + (long long)rule->classes,
                 s->label_base);
        return fail(rd, what, tok, len);
    }
    *t = (float)k;
    return TN_OK;
}

/* One line into row x (width features, zeroed) and *t; with_label: the first token is
 * the label (else it is optional: a line may start with a feature). */
static int parse_row(reader *rd, const libsvm_state *s, const tn_target_rule *targets,
                     const char *line, size_t n, size_t width, float *x, float *t)
{
    const char *p = line, *end = line + n;
    long long last = -1;
    int first = 1;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        const char *tok = p;
        while (p < end && *p != ' ' && *p != '\t')
            p++;
        size_t len = (size_t)(p - tok);
        if (!len)
            break;
        const char *colon = memchr(tok, ':', len);
        if (first && !colon) { /* the label */
            double label;
            first = 0;
            if (number(tok, len, &label))
                return fail(rd, "expected a label (a number), got \"%s\"", tok, len);
            if (targets) {
                int rc = target_of(rd, s, targets, tok, len, label, t);
                if (rc)
                    return rc;
            }
            continue;
        }
        if (first && targets)
            return fail(rd, "expected a label before the features, got \"%s\"", tok, len);
        first = 0;
        if (!colon)
            return fail(rd, "expected index:value, got \"%s\"", tok, len);
        if (colon - tok == 3 && memcmp(tok, "qid", 3) == 0)
            return fail(rd, "\"%s\": query ids (SVMlight ranking files) are not supported",
                        tok, len);
        double index, value;
        if (number(tok, (size_t)(colon - tok), &index) || index != floor(index))
            return fail(rd, "expected an integer feature index in \"%s\"", tok, len);
        if (number(colon + 1, (size_t)(tok + len - colon - 1), &value) || fabs(value) > 3.4e38)
            return fail(rd, "expected a finite number after the colon in \"%s\"", tok, len);
        /* The range in double first: a huge index must not overflow the conversion. */
        if (index < (double)s->index_base || index - (double)s->index_base >= (double)width) {
            char what[128];
            snprintf(what, sizeof what, "feature index in \"%%s\" is outside [%lld, %lld]: the "
                     "input has %zu features (data.index_base is %lld)", s->index_base,
                     s->index_base + (long long)width - 1, width, s->index_base);
            return fail(rd, what, tok, len);
        }
        long long k = (long long)index - s->index_base;
        if (k <= last)
            return fail(rd, "feature index in \"%s\" does not increase along the line", tok,
                        len);
        last = k;
        x[k] = (float)value;
    }
    if (targets && first)
        return fail(rd, "expected a label%s", "", 0);
    return TN_OK;
}

/* Every row of text: inputs (the network's one float input) and, with targets, one target
 * column following the rule. */
static int parse(const libsvm_state *s, const tn_data_ctx *c, const char *name,
                 const char *text, size_t len, const tn_target_rule *targets, tn_dataset **out,
                 tn_error *err)
{
    *out = NULL;
    const tn_net *net = c->net;
    reader rd = {name, text, text + len, 0, err};
    const char *line;
    size_t n, rows = 0;
    if (memchr(text, '\0', len))
        return tn__err(err, TN_EDATA, "%s: a NUL byte in the text (not a libsvm file?)", name);
    while (next_line(&rd, &line, &n))
        rows += n > 0;
    if (rows == 0)
        return tn__err(err, TN_EDATA, "%s: no rows", name);
    size_t width = net->nodes[0].width;
    int rc = tn__dataset_new(rows, 1, &width, targets ? 1 : 0, out, err);
    rd = (reader){name, text, text + len, 0, err};
    for (size_t r = 0; rc == TN_OK && next_line(&rd, &line, &n);) {
        if (!n)
            continue;
        rc = parse_row(&rd, s, targets, line, n, width, (*out)->x[0] + r * width,
                       targets ? (*out)->t + r : NULL);
        r++;
    }
    if (rc) {
        tn__dataset_free(*out);
        *out = NULL;
    }
    return rc;
}

static int read_file(const libsvm_state *s, const tn_data_ctx *c, const char *path,
                     const tn_target_rule *targets, tn_dataset **out, tn_error *err)
{
    unsigned char *text;
    size_t len;
    int rc = tn__read_file(path, LIBSVM_MAX_BYTES, &text, &len, err);
    if (rc == TN_OK)
        rc = parse(s, c, path, (const char *)text, len, targets, out, err);
    tn__free(text);
    return rc;
}

/* ---- the format ------------------------------------------------------------------------- */

static void libsvm_free(void *state)
{
    libsvm_state *s = state;
    if (s) {
        tn__free(s->train);
        tn__free(s->test);
    }
    tn__free(s);
}

/* The keys both the config and the model record carry, and the network it needs. */
static int parse_common(tn_jr *r, const cJSON *obj, const tn_data_ctx *c, libsvm_state *s)
{
    const tn_net *net = c->net;
    int rc = tn__data_check_keys(r, obj, &tn__data_libsvm);
    if (rc == TN_OK && (net->n_inputs != 1 || net->nodes[0].kind != TN_NODE_FLOAT_INPUT))
        rc = tn__jr_fail(r, "format", "\"libsvm\" needs a network with one float input (the "
                         "features), this one has %d input%s", net->n_inputs,
                         net->n_inputs == 1 ? " of ids" : "s");
    if (rc == TN_OK)
        rc = tn__jr_int(r, obj, "index_base", 0, 1, 0, 1, &s->index_base);
    if (rc == TN_OK)
        rc = tn__jr_int(r, obj, "label_base", 0, 0, -1000000, 1000000, &s->label_base);
    return rc;
}

static int libsvm_parse(tn_jr *r, const cJSON *obj, const tn_data_ctx *c, void **state)
{
    libsvm_state *s = tn__calloc(1, sizeof *s);
    if (!s)
        return tn__jr_oom(r, NULL);
    *state = s;
    int rc;
    if (!(rc = parse_common(r, obj, c, s)) &&
        !(rc = tn__data_path(r, obj, "train", 1, c->config, &s->train)) &&
        !(rc = tn__data_path(r, obj, "test", 0, c->config, &s->test)))
        rc = tn__data_parse_holdout(r, obj, s->test != NULL, "file", &s->holdout);
    return rc;
}

static size_t one_target(const void *state)
{
    (void)state;
    return 1;
}

static int libsvm_load(const void *state, const tn_data_ctx *c, unsigned long long seed,
                       tn_data_loaded *out, tn_error *err)
{
    const libsvm_state *s = state;
    int rc = read_file(s, c, s->train, &c->targets, &out->train, err);
    if (rc == TN_OK && s->test)
        rc = read_file(s, c, s->test, &c->targets, &out->test, err);
    if (rc == TN_OK)
        rc = tn__data_holdout(out, s->holdout, seed, err);
    return rc;
}

static int libsvm_record(const void *state, const tn_data_ctx *c, cJSON *obj)
{
    (void)c;
    const libsvm_state *s = state;
    return cJSON_AddNumberToObject(obj, "index_base", (double)s->index_base) &&
                   cJSON_AddNumberToObject(obj, "label_base", (double)s->label_base)
               ? TN_OK
               : TN_ENOMEM;
}

static int libsvm_from_record(tn_jr *r, const cJSON *obj, const tn_data_ctx *c, void **state)
{
    libsvm_state *s = tn__calloc(1, sizeof *s);
    if (!s)
        return tn__jr_oom(r, NULL);
    *state = s;
    return parse_common(r, obj, c, s);
}

static int libsvm_read(const void *state, const tn_data_ctx *c, const tn_data_source *src,
                       int with_targets, tn_dataset **out, tn_error *err)
{
    const libsvm_state *s = state;
    *out = NULL;
    int rc = tn__data_source_check(&tn__data_libsvm, src, 1, 1, err);
    if (rc)
        return rc;
    const tn_target_rule *targets = with_targets ? &c->targets : NULL;
    if (!src->text)
        return read_file(s, c, src->paths[0], targets, out, err);
    return parse(s, c, src->name, src->text, src->len, targets, out, err);
}

static const tn__keydoc libsvm_docs[] = {
    {"train", "the training file, relative to the config file (required)"},
    {"test", "the test file, read like train"},
    {"holdout", "instead of test: a fraction of the training rows kept aside (seeded), in "
                "[0, 0.9]"},
    {"index_base", "the index of the first feature: 1 (as in LIBSVM's files, the default) or 0"},
    {"label_base", "subtracted from a label to give a class index (default 0; -1/+1 are classes "
                  "0/1)"},
    {NULL, NULL}};

const tn_data_format tn__data_libsvm = {
    .name = "libsvm",
    .keys = libsvm_keys,
    .doc = "the sparse LIBSVM/SVMlight text format: `label index:value ...` per line",
    .key_docs = libsvm_docs,
    .sources = "a libsvm/svmlight file (label index:value ...)",
    .parse = libsvm_parse,
    .target_width = one_target,
    .load = libsvm_load,
    .record = libsvm_record,
    .from_record = libsvm_from_record,
    .read = libsvm_read,
    .free = libsvm_free,
};
