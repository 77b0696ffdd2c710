/* The "csv" data format: a numeric CSV/TSV table (data/csv.h) whose columns feed the
 * network's inputs and targets by name:
 *   "data": {"format": "csv", "train": F, "test": F | "holdout": 0.2,
 *            "inputs": [columns] | {"input name": [columns], ...}, "target": column(s)}
 * The model records the columns ({"inputs": {...}, "target": [...]}), so eval and predict
 * read any CSV with those columns, in any order, among others. */
#include "data/format.h"

#include "core/alloc.h"
#include "core/error.h"
#include "data/csv.h"

extern const tn_data_format tn__data_csv;

#include <stdio.h>
#include <string.h>

/* Which data columns feed each network input, and which are targets. */
typedef struct tn_colspec {
    size_t n;
    char (*names)[TN_MAX_NAME];
} tn_colspec;

typedef struct tn_columns {
    int n_inputs;
    tn_colspec in[TN_MAX_INPUTS];
    tn_colspec target;
} tn_columns;

typedef struct csv_state {
    char *train, *test;     /* resolved paths (config only) */
    double holdout;
    tn_columns columns;
} csv_state;

static const char *const csv_keys[] = {"train", "test", "holdout", "inputs", "target", NULL};

/* ---- columns ----------------------------------------------------------------------------- */

static void columns_free(tn_columns *c)
{
    for (int i = 0; i < TN_MAX_INPUTS; i++)
        tn__free(c->in[i].names);
    tn__free(c->target.names);
    memset(c, 0, sizeof *c);
}

/* A column list: a string (one column) or an array of strings. */
static int parse_colspec(tn_jr *r, const cJSON *obj, const char *key, size_t want,
                         const char *what, tn_colspec *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char got[64];
    size_t n = cJSON_IsString(v) ? 1 : cJSON_IsArray(v) ? (size_t)cJSON_GetArraySize(v) : 0;
    if (!cJSON_IsString(v) && !cJSON_IsArray(v))
        return tn__jr_fail(r, key, "expected a column name or an array of column names, got %s",
                           v ? tn__jr_describe(v, got, sizeof got) : "nothing");
    if (want && n != want)
        return tn__jr_fail(r, key, "%zu column%s given, but %s has %zu", n, n == 1 ? "" : "s",
                           what, want);
    if (n == 0)
        return tn__jr_fail(r, key, "expected at least one column name");
    out->names = tn__calloc(n, sizeof *out->names);
    if (!out->names)
        return tn__jr_oom(r, key);
    out->n = n;
    /* One name is checked as each name of an array is, by the one rule for names: a name
     * that does not fit is refused at its key, never cut (it could then match another). */
    size_t i = 0;
    const cJSON *item = cJSON_IsString(v) ? v : v->child;
    for (; item; item = cJSON_IsString(v) ? NULL : item->next) {
        size_t mark = tn__jr_push_key(r, key);
        if (!cJSON_IsString(v))
            tn__jr_push_index(r, i);
        int rc = cJSON_IsString(item)
                     ? tn__jr_check_name(r, NULL, item->valuestring)
                     : tn__jr_fail(r, NULL, "expected a column name, got %s",
                                   tn__jr_describe(item, got, sizeof got));
        tn__jr_pop(r, mark);
        if (rc)
            return rc;
        snprintf(out->names[i++], TN_MAX_NAME, "%s", item->valuestring);
    }
    return TN_OK;
}

static int columns_parse(tn_jr *r, const cJSON *obj, const tn_net *net, int need_target,
                      tn_columns *out)
{
    memset(out, 0, sizeof *out);
    out->n_inputs = net->n_inputs;
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(obj, "inputs");
    int rc = TN_OK;
    char what[TN_MAX_NAME + 16];
    if (cJSON_IsObject(inputs)) {
        const char *names[TN_MAX_INPUTS + 1];
        for (int i = 0; i < net->n_inputs; i++)
            names[i] = net->nodes[i].name;
        names[net->n_inputs] = NULL;
        size_t mark = tn__jr_push_key(r, "inputs");
        rc = tn__jr_check_keys(r, inputs, names);
        for (int i = 0; rc == TN_OK && i < net->n_inputs; i++) {
            if (!cJSON_GetObjectItemCaseSensitive(inputs, names[i]))
                rc = tn__jr_fail(r, NULL, "no columns given for input \"%s\"", names[i]);
            snprintf(what, sizeof what, "input \"%s\"", names[i]);
            if (rc == TN_OK)
                rc = parse_colspec(r, inputs, names[i], net->nodes[i].width, what, &out->in[i]);
        }
        tn__jr_pop(r, mark);
    } else if (!inputs) {
        rc = tn__jr_fail(r, "inputs", "missing (expected the data columns of each input)");
    } else if (net->n_inputs > 1) {
        rc = tn__jr_fail(r, "inputs", "the network has %d inputs: give an object mapping each "
                         "input name to its columns", net->n_inputs);
    } else {
        snprintf(what, sizeof what, "input \"%s\"", net->nodes[0].name);
        rc = parse_colspec(r, obj, "inputs", net->nodes[0].width, what, &out->in[0]);
    }
    if (rc == TN_OK && (need_target || cJSON_GetObjectItemCaseSensitive(obj, "target")))
        rc = parse_colspec(r, obj, "target", 0, "", &out->target);
    if (rc)
        columns_free(out);
    return rc;
}

static cJSON *colspec_json(const tn_colspec *c)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < c->n; i++) {
        cJSON *s = cJSON_CreateString(c->names[i]);
        if (!s || !cJSON_AddItemToArray(a, s)) {
            cJSON_Delete(s);
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

static int columns_describe(const tn_columns *c, const tn_net *net, cJSON *obj)
{
    cJSON *inputs = cJSON_AddObjectToObject(obj, "inputs");
    if (!inputs)
        return TN_ENOMEM;
    for (int i = 0; i < c->n_inputs; i++) {
        cJSON *a = colspec_json(&c->in[i]);
        if (!a || !cJSON_AddItemToObject(inputs, net->nodes[i].name, a)) {
            cJSON_Delete(a);
            return TN_ENOMEM;
        }
    }
    if (c->target.n) {
        cJSON *a = colspec_json(&c->target);
        if (!a || !cJSON_AddItemToObject(obj, "target", a)) {
            cJSON_Delete(a);
            return TN_ENOMEM;
        }
    }
    return TN_OK;
}


/* ---- rows ------------------------------------------------------------------------------- */
static int find_columns(const char *path, const tn_table *tab, const tn_colspec *spec, int *idx,
                        tn_error *err)
{
    for (size_t k = 0; k < spec->n; k++) {
        idx[k] = tn__table_column(tab, spec->names[k]);
        if (idx[k] >= 0)
            continue;
        const char **names = tn__calloc(tab->cols + 1, sizeof *names);
        const char *hint = NULL;
        if (names) {
            for (size_t c = 0; c < tab->cols; c++)
                names[c] = tab->names[c];
            hint = tn__jr_suggest(spec->names[k], names);
        }
        tn__free(names); /* hint points into tab, not into names */
        if (hint)
            return tn__err(err, TN_EDATA, "%s: no column \"%s\" (did you mean \"%s\"?)", path,
                           spec->names[k], hint);
        return tn__err(err, TN_EDATA, "%s: no column \"%s\" (the header has %zu columns, "
                       "first \"%s\")", path, spec->names[k], tab->cols, tab->names[0]);
    }
    return TN_OK;
}

static void gather(const tn_table *tab, const int *idx, size_t n, float *dst)
{
    for (size_t r = 0; r < tab->rows; r++)
        for (size_t k = 0; k < n; k++)
            dst[r * n + k] = tab->values[r * tab->cols + (size_t)idx[k]];
}

/* Rows of a parsed table: the inputs from their columns (ids checked), and with targets
 * the target columns checked against the rule (name is the file named in messages). */
static int from_table(const char *path, const tn_table *tab, const tn_net *net,
                      const tn_columns *cols, const tn_target_rule *targets, tn_dataset **out,
                      tn_error *err)
{
    *out = NULL;
    int rc;
    size_t widths[TN_MAX_INPUTS];
    for (int i = 0; i < net->n_inputs; i++)
        widths[i] = net->nodes[i].width;
    size_t tw = targets ? cols->target.n : 0;
    tn_origin origin = {path, tab->lines};
    tn_dataset *d = NULL;
    int idx[4096];
    rc = tn__dataset_new(tab->rows, net->n_inputs, widths, tw, &d, err);
    for (int i = 0; rc == TN_OK && i < net->n_inputs; i++) {
        const tn_colspec *spec = &cols->in[i];
        if (spec->n > sizeof idx / sizeof idx[0])
            rc = tn__err(err, TN_EDATA, "%s: too many columns for one input", path);
        else if (!(rc = find_columns(path, tab, spec, idx, err))) {
            gather(tab, idx, spec->n, d->x[i]);
            if (net->nodes[i].kind == TN_NODE_INDEX_INPUT)
                rc = tn__check_ids(&origin, &net->nodes[i], spec->names[0], d->x[i], d->rows,
                                   err);
        }
    }
    if (rc == TN_OK && tw) {
        if (tw > sizeof idx / sizeof idx[0])
            rc = tn__err(err, TN_EDATA, "%s: too many target columns", path);
        else if (!(rc = find_columns(path, tab, &cols->target, idx, err))) {
            gather(tab, idx, tw, d->t);
            rc = tn__check_targets(&origin, targets, d, cols->target.names[0], err);
        }
    }
    if (rc) {
        tn__dataset_free(d);
        return rc;
    }
    *out = d;
    return TN_OK;
}

static int read_file(const char *path, const tn_net *net, const tn_columns *cols,
                     const tn_target_rule *targets, tn_dataset **out, tn_error *err)
{
    tn_table *tab;
    *out = NULL;
    int rc = tn__csv_read(path, &tab, err);
    if (rc == TN_OK)
        rc = from_table(path, tab, net, cols, targets, out, err);
    tn__table_free(tab);
    return rc;
}

/* ---- the format --------------------------------------------------------------------------- */

static void csv_free(void *state)
{
    csv_state *s = state;
    if (!s)
        return;
    tn__free(s->train);
    tn__free(s->test);
    columns_free(&s->columns);
    tn__free(s);
}

static int csv_parse(tn_jr *r, const cJSON *obj, const tn_data_ctx *c, void **state)
{
    csv_state *s = tn__calloc(1, sizeof *s);
    if (!s)
        return tn__jr_oom(r, NULL);
    *state = s;
    int rc;
    if (!(rc = tn__data_check_keys(r, obj, &tn__data_csv)) &&
        !(rc = tn__data_path(r, obj, "train", 1, c->config, &s->train)) &&
        !(rc = tn__data_path(r, obj, "test", 0, c->config, &s->test)) &&
        !(rc = tn__data_parse_holdout(r, obj, s->test != NULL, "file", &s->holdout)))
        rc = columns_parse(r, obj, c->net, 1, &s->columns);
    return rc;
}

static size_t csv_target_width(const void *state)
{
    return ((const csv_state *)state)->columns.target.n;
}

static int csv_load(const void *state, const tn_data_ctx *c, unsigned long long seed,
                    tn_data_loaded *out, tn_error *err)
{
    const csv_state *s = state;
    int rc = read_file(s->train, c->net, &s->columns, &c->targets, &out->train, err);
    if (rc == TN_OK && s->test)
        rc = read_file(s->test, c->net, &s->columns, &c->targets, &out->test, err);
    if (rc == TN_OK)
        rc = tn__data_holdout(out, s->holdout, seed, err);
    return rc;
}

static int csv_record(const void *state, const tn_data_ctx *c, cJSON *obj)
{
    const csv_state *s = state;
    return columns_describe(&s->columns, c->net, obj);
}

static int csv_from_record(tn_jr *r, const cJSON *obj, const tn_data_ctx *c, void **state)
{
    csv_state *s = tn__calloc(1, sizeof *s);
    if (!s)
        return tn__jr_oom(r, NULL);
    *state = s;
    return columns_parse(r, obj, c->net, 0, &s->columns);
}

static int csv_read(const void *state, const tn_data_ctx *c, const tn_data_source *src,
                    int with_targets, tn_dataset **out, tn_error *err)
{
    const csv_state *s = state;
    *out = NULL;
    int rc = tn__data_source_check(&tn__data_csv, src, 1, 1, err);
    if (rc == TN_OK && with_targets && s->columns.target.n == 0)
        rc = tn__err(err, TN_EDATA, "the model records no target columns");
    if (rc)
        return rc;
    const tn_target_rule *targets = with_targets ? &c->targets : NULL;
    if (!src->text)
        return read_file(src->paths[0], c->net, &s->columns, targets, out, err);
    tn_table *tab;
    rc = tn__csv_parse(src->name, src->text, src->len, &tab, err);
    if (rc == TN_OK)
        rc = from_table(src->name, tab, c->net, &s->columns, targets, out, err);
    tn__table_free(tab);
    return rc;
}

static const tn__keydoc csv_docs[] = {
    {"train", "the training file, relative to the config file (required)"},
    {"test", "the test file, read like train"},
    {"holdout", "instead of test: a fraction of the training rows kept aside (seeded), in "
                "[0, 0.9]"},
    {"inputs", "the input columns: [names] for one input, {\"input name\": [names], ...} for "
              "several (required)"},
    {"target", "the target column, or [columns], one per output (required)"},
    {NULL, NULL}};

const tn_data_format tn__data_csv = {
    .name = "csv",
    .keys = csv_keys,
    .doc = "a numeric CSV or TSV table with a header line, whose columns feed the inputs and the "
           "target by name (the default format)",
    .key_docs = csv_docs,
    .sources = "a CSV file (DATA.csv) with the columns the model was trained on",
    .parse = csv_parse,
    .target_width = csv_target_width,
    .load = csv_load,
    .record = csv_record,
    .from_record = csv_from_record,
    .read = csv_read,
    .free = csv_free,
};
