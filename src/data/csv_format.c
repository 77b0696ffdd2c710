/* The "csv" data format: a CSV/TSV table (data/csv.h) whose columns feed the network's
 * inputs and targets by name (or by position, 1-based, without a header line):
 *   "data": {"format": "csv", "train": F, "test": F | "holdout": 0.2,
 *            "inputs": [columns] | {"input name": [columns], ...} | "*",
 *            "target": column(s), "id": column, "ignore": [columns],
 *            "header": true, "missing": "error" | "skip"}
 * "*" is every column but the targets, the id and the ignored ones, in file order; columns
 * not used are skipped whatever they hold. A single target column of a class output may
 * hold class names: the training file's names, sorted, are the classes. The model records
 * the columns (expanded), the id column, the header setting and the class names, so eval
 * and predict read any CSV with those columns, in any order, among others. */
#include "data/format.h"

#include "core/alloc.h"
#include "core/error.h"
#include "data/csv.h"
#include "data/vocab.h"

#include <stdlib.h>

extern const tn_data_format tn__data_csv;

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Which data columns feed each network input, and which are targets. */
typedef struct tn_colspec {
    size_t n;
    char (*names)[TN_MAX_NAME];
    size_t *pos;            /* [n] the 1-based position of a column given by number, else 0 */
} tn_colspec;

typedef struct tn_columns {
    int n_inputs;
    tn_colspec in[TN_MAX_INPUTS];
    tn_colspec target;
} tn_columns;

typedef struct csv_state {
    char *train, *test;     /* resolved paths (config only) */
    double holdout;
    int star;               /* "inputs": "*", not yet expanded (the train file's header does) */
    tn_columns columns;
    tn_colspec id, ignore;  /* the key column (n 0 or 1), columns "*" leaves out */
    int no_header, skip_missing;
    tn_vocab *classes;      /* class names of the target (learned by load, or recorded) */
    tn_vocab *ids[TN_MAX_INPUTS]; /* the ids of each index input (learned, or recorded; NULL
                                   * in models from before: ids are numbers) */
} csv_state;

static const char *const csv_keys[] = {"train", "test", "holdout", "inputs", "target", "id",
                                       "ignore", "header", "missing", "classes", "ids", NULL};

/* ---- columns ----------------------------------------------------------------------------- */

static void columns_free(tn_columns *c)
{
    for (int i = 0; i < TN_MAX_INPUTS; i++) {
        tn__free(c->in[i].names);
        tn__free(c->in[i].pos);
    }
    tn__free(c->target.names);
    tn__free(c->target.pos);
    memset(c, 0, sizeof *c);
}

static void colspec_free(tn_colspec *c)
{
    tn__free(c->names);
    tn__free(c->pos);
    memset(c, 0, sizeof *c);
}

/* A column list: a column or an array of them; a column is a name, or a position (an
 * integer from 1) that names its column in files without a header line. */
static int parse_colspec(tn_jr *r, const cJSON *obj, const char *key, size_t want,
                         const char *what, int no_header, tn_colspec *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char got[64];
    int one = cJSON_IsString(v) || cJSON_IsNumber(v);
    size_t n = one ? 1 : cJSON_IsArray(v) ? (size_t)cJSON_GetArraySize(v) : 0;
    if (!one && !cJSON_IsArray(v))
        return tn__jr_fail(r, key, "expected a column name or an array of column names, got %s",
                           v ? tn__jr_describe(v, got, sizeof got) : "nothing");
    if (want && n != want)
        return tn__jr_fail(r, key, "%zu column%s given, but %s has %zu", n, n == 1 ? "" : "s",
                           what, want);
    if (n == 0)
        return tn__jr_fail(r, key, "expected at least one column name");
    out->names = tn__calloc(n, sizeof *out->names);
    out->pos = tn__calloc(n, sizeof *out->pos);
    if (!out->names || !out->pos)
        return tn__jr_oom(r, key);
    out->n = n;
    /* One name is checked as each name of an array is, by the one rule for names: a name
     * that does not fit is refused at its key, never cut (it could then match another). */
    size_t i = 0;
    const cJSON *item = one ? v : v->child;
    for (; item; item = one ? NULL : item->next) {
        size_t mark = tn__jr_push_key(r, key);
        if (!one)
            tn__jr_push_index(r, i);
        int rc = TN_OK;
        if (cJSON_IsNumber(item)) {
            double d = item->valuedouble;
            if (!(d >= 1 && d <= 1e6 && d == (double)(size_t)d))
                rc = tn__jr_fail(r, NULL, "a column position is an integer in [1, 1000000], "
                                 "got %s", tn__jr_describe(item, got, sizeof got));
            else
                out->pos[i] = (size_t)d;
            snprintf(out->names[i], TN_MAX_NAME, "%zu", out->pos[i]);
        } else if (cJSON_IsString(item) && no_header) {
            rc = tn__jr_fail(r, NULL, "without a header line (\"header\": false) columns are "
                             "given by position (1 is the first), got \"%s\"",
                             item->valuestring);
        } else if (cJSON_IsString(item)) {
            rc = tn__jr_check_name(r, NULL, item->valuestring);
            if (rc == TN_OK)
                snprintf(out->names[i], TN_MAX_NAME, "%s", item->valuestring);
        } else {
            rc = tn__jr_fail(r, NULL, "expected a column name, got %s",
                             tn__jr_describe(item, got, sizeof got));
        }
        tn__jr_pop(r, mark);
        if (rc)
            return rc;
        i++;
    }
    return TN_OK;
}

static int columns_parse(tn_jr *r, const cJSON *obj, const tn_net *net, int need_target,
                         int no_header, int *star, tn_columns *out)
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
                rc = parse_colspec(r, inputs, names[i], net->nodes[i].width, what, no_header,
                                   &out->in[i]);
        }
        tn__jr_pop(r, mark);
    } else if (!inputs) {
        rc = tn__jr_fail(r, "inputs", "missing (expected the data columns of each input)");
    } else if (star && cJSON_IsString(inputs) && strcmp(inputs->valuestring, "*") == 0) {
        if (net->n_inputs > 1)
            rc = tn__jr_fail(r, "inputs", "\"*\" feeds one input, the network has %d",
                             net->n_inputs);
        *star = 1;
    } else if (net->n_inputs > 1) {
        rc = tn__jr_fail(r, "inputs", "the network has %d inputs: give an object mapping each "
                         "input name to its columns", net->n_inputs);
    } else {
        snprintf(what, sizeof what, "input \"%s\"", net->nodes[0].name);
        rc = parse_colspec(r, obj, "inputs", net->nodes[0].width, what, no_header, &out->in[0]);
    }
    if (rc == TN_OK && (need_target || cJSON_GetObjectItemCaseSensitive(obj, "target")))
        rc = parse_colspec(r, obj, "target", 0, "", no_header, &out->target);
    if (rc)
        columns_free(out);
    return rc;
}

static cJSON *colspec_json(const tn_colspec *c)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < c->n; i++) {
        cJSON *s = c->pos && c->pos[i] ? cJSON_CreateNumber((double)c->pos[i])
                                       : cJSON_CreateString(c->names[i]);
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

static int find_column(const char *path, const tn_table *tab, const tn_colspec *spec, size_t k,
                       int *idx, tn_error *err)
{
    if (spec->pos && spec->pos[k]) {
        if (spec->pos[k] > tab->cols)
            return tn__err(err, TN_EDATA, "%s: no column %zu (the file has %zu columns)", path,
                           spec->pos[k], tab->cols);
        *idx = (int)spec->pos[k] - 1;
        return TN_OK;
    }
    *idx = tn__table_column(tab, spec->names[k]);
    if (*idx >= 0)
        return TN_OK;
    if (!tab->header)
        return tn__err(err, TN_EDATA, "%s: no column \"%s\": the file has no header line (columns "
                       "are numbered)", path, spec->names[k]);
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
    return tn__err(err, TN_EDATA, "%s: no column \"%s\" (the header has %zu columns, first \"%s\")",
                   path, spec->names[k], tab->cols, tab->names[0]);
}

static int find_columns(const char *path, const tn_table *tab, const tn_colspec *spec, int *idx,
                        tn_error *err)
{
    for (size_t k = 0; k < spec->n; k++) {
        int rc = find_column(path, tab, spec, k, &idx[k], err);
        if (rc)
            return rc;
    }
    return TN_OK;
}

static void gather(const tn_table *tab, const int *idx, size_t n, float *dst)
{
    for (size_t r = 0; r < tab->rows; r++)
        for (size_t k = 0; k < n; k++)
            dst[r * n + k] = tab->values[r * tab->cols + (size_t)idx[k]];
}

/* What one read of a file needs: the state (columns, classes), whether the targets are read,
 * and what the loss needs of them. */
typedef struct csv_reading {
    csv_state *s;
    const tn_net *net;
    const tn_target_rule *targets;  /* NULL: no targets */
    int learn;                      /* the training file: "*" and the classes are learned */
    const char *path;
    int id_col;                     /* the id column of this file, or -1 (not needed to read) */
} csv_reading;

/* A target column that may hold class names: one column of a class or 0/1 output. */
static int names_allowed(const csv_reading *rd)
{
    return rd->targets && rd->s->columns.target.n == 1 &&
           (rd->targets->kind == TN_TARGET_CLASS || rd->targets->kind == TN_TARGET_PROB);
}

static int is_in(const tn_colspec *spec, const tn_table *t, size_t c)
{
    for (size_t k = 0; k < spec->n; k++)
        if (spec->pos && spec->pos[k] ? spec->pos[k] == c + 1
                                      : strcmp(spec->names[k], t->names[c]) == 0)
            return 1;
    return 0;
}

/* "*": the columns of the training file but targets, id and ignored ones. */
static int expand_star(csv_reading *rd, const tn_table *t, tn_error *err)
{
    csv_state *s = rd->s;
    tn_colspec *in = &s->columns.in[0];
    size_t want = rd->net->nodes[0].width, n = 0;
    int at;
    for (size_t k = 0; k < s->ignore.n; k++) { /* a misspelt column would not be left out */
        int rc = find_column(rd->path, t, &s->ignore, k, &at, err);
        if (rc)
            return rc;
    }
    for (size_t c = 0; c < t->cols; c++)
        n += !is_in(&s->columns.target, t, c) && !is_in(&s->id, t, c) && !is_in(&s->ignore, t, c);
    if (n != want)
        return tn__err(err, TN_EDATA, "%s: \"inputs\": \"*\" gives %zu columns (all %zu but the "
                       "target, id and ignored ones), but input \"%s\" has width %zu", rd->path, n,
                       t->cols, rd->net->nodes[0].name, want);
    colspec_free(in);
    if (!(in->names = tn__calloc(n, sizeof *in->names)) || !(in->pos = tn__calloc(n, sizeof *in->pos)))
        return tn__err(err, TN_ENOMEM, "out of memory");
    for (size_t c = 0; c < t->cols; c++) {
        if (is_in(&s->columns.target, t, c) || is_in(&s->id, t, c) || is_in(&s->ignore, t, c))
            continue;
        snprintf(in->names[in->n], TN_MAX_NAME, "%s", t->names[c]);
        in->pos[in->n++] = t->header ? 0 : c + 1;
    }
    s->star = 0;
    return TN_OK;
}

/* The plan (data/csv.h): which columns are read, and how. */
static int plan(void *ctx, tn_table *t, tn_error *err)
{
    csv_reading *rd = ctx;
    csv_state *s = rd->s;
    int rc, idx[1];
    if (s->star && (rc = expand_star(rd, t, err)))
        return rc;
    for (size_t c = 0; c < t->cols; c++)
        t->kind[c] = TN_COL_SKIP;
    for (int i = 0; i < rd->net->n_inputs; i++)
        for (size_t k = 0; k < s->columns.in[i].n; k++) {
            if ((rc = find_column(rd->path, t, &s->columns.in[i], k, idx, err)))
                return rc;
            /* Ids are text looked up in a vocabulary (numbers in models from before). */
            int text = rd->net->nodes[i].kind == TN_NODE_INDEX_INPUT && (rd->learn || s->ids[i]);
            t->kind[idx[0]] = text ? TN_COL_TEXT : TN_COL_NUMBER;
        }
    for (size_t k = 0; rd->targets && k < s->columns.target.n; k++) {
        if ((rc = find_column(rd->path, t, &s->columns.target, k, idx, err)))
            return rc;
        t->kind[idx[0]] = names_allowed(rd) ? TN_COL_TEXT : TN_COL_NUMBER;
    }
    rd->id_col = -1;
    if (s->id.n) {
        /* The training file must have it; eval and predict pass it through if there. */
        tn_error quiet = {0};
        if ((rc = find_column(rd->path, t, &s->id, 0, idx, rd->learn ? err : &quiet)))
            return rd->learn ? rc : TN_OK;
        t->kind[idx[0]] = TN_COL_TEXT;
        rd->id_col = idx[0];
    }
    return TN_OK;
}

static int parse_number(const char *p, float *out)
{
    char *end;
    double d = strtod(p, &end);
    if (end == p || *end || !isfinite(d) || fabs(d) > 3.4e38)
        return -1;
    *out = (float)d;
    return 0;
}

/* The first row whose text in column col is entry k of its vocabulary, for messages. */
static size_t line_of(const tn_table *t, size_t col, size_t k)
{
    for (size_t r = 0; r < t->rows; r++)
        if (t->values[r * t->cols + col] == (float)k)
            return t->lines[r];
    return 0;
}

/* Turns the text of a target column into numbers (labels that are numbers, as before
 * names existed) or class indices (the recorded classes, or learned here, sorted). */
static int resolve_labels(csv_reading *rd, tn_table *t, size_t col, tn_error *err)
{
    csv_state *s = rd->s;
    tn_vocab *v = t->text[col];
    size_t n = v ? v->n : 0;
    float *map = tn__calloc(n ? n : 1, sizeof *map);
    char where[320];
    tn__table_label(t, col, where, sizeof where);
    if (!map)
        return tn__err(err, TN_ENOMEM, "out of memory");
    int rc = TN_OK, numeric = 1;
    for (size_t k = 0; k < n && numeric; k++)
        numeric = parse_number(v->s[k], &map[k]) == 0;
    if (numeric && !s->classes) {
        /* Numbers, as they always were. */
    } else if (s->classes) {
        for (size_t k = 0; k < n && rc == TN_OK; k++) {
            long c = tn__vocab_find(s->classes, v->s[k], strlen(v->s[k]));
            if (c < 0)
                rc = tn__err(err, TN_EDATA, "%s: line %zu: %s: \"%s\" is not one of the %zu "
                             "classes the model knows (first \"%s\")", rd->path,
                             line_of(t, col, k), where, v->s[k], s->classes->n,
                             s->classes->s[0]);
            map[k] = (float)c;
        }
    } else if (!rd->learn) {
        size_t k = 0;
        while (k < n && parse_number(v->s[k], &map[k]) == 0)
            k++;
        rc = tn__err(err, TN_EDATA, "%s: line %zu: %s: expected a number, got \"%s\" (the "
                     "model was trained on numbered classes)", rd->path, line_of(t, col, k),
                     where, v->s[k]);
    } else {
        size_t classes = rd->targets->kind == TN_TARGET_CLASS ? rd->targets->classes : 2;
        uint32_t *remap = tn__calloc(n, sizeof *remap);
        if (!remap)
            rc = tn__err(err, TN_ENOMEM, "out of memory");
        else if ((rc = tn__vocab_sort(v, remap)))
            rc = tn__err(err, TN_ENOMEM, "out of memory");
        else if (n > classes)
            rc = tn__err(err, TN_EDATA, "%s: %s holds %zu class names (\"%s\", \"%s\", ...), but "
                         "%s has %zu classes", rd->path, where, n, v->s[0], v->s[1],
                         rd->targets->needed_by, classes);
        for (size_t k = 0; rc == TN_OK && k < n; k++)
            map[k] = (float)remap[k];
        tn__free(remap);
        if (rc == TN_OK) {
            s->classes = v; /* the state keeps the names */
            t->text[col] = NULL;
        }
    }
    for (size_t r = 0; rc == TN_OK && r < t->rows; r++) {
        float *x = &t->values[r * t->cols + col];
        *x = map[(size_t)*x];
    }
    tn__free(map);
    return rc;
}

/* The ids of an index input's column as rows of its vocabulary: learned from the training
 * file (sorted), or looked up (an unseen id is an error naming its line). */
static int resolve_ids(csv_reading *rd, tn_table *t, size_t col, int input, tn_error *err)
{
    csv_state *s = rd->s;
    tn_vocab *v = t->text[col];
    size_t n = v ? v->n : 0;
    char where[320];
    tn__table_label(t, col, where, sizeof where);
    float *map = tn__calloc(n ? n : 1, sizeof *map);
    uint32_t *remap = tn__calloc(n ? n : 1, sizeof *remap);
    int rc = map && remap ? TN_OK : tn__err(err, TN_ENOMEM, "out of memory");
    if (rc == TN_OK && rd->learn) {
        if (tn__vocab_sort(v, remap))
            rc = tn__err(err, TN_ENOMEM, "out of memory");
        else if (n > rd->net->nodes[input].vocab)
            rc = tn__err(err, TN_EDATA, "%s: %s holds %zu distinct ids, but input \"%s\" has "
                         "size %zu (give it at least %zu)", rd->path, where, n,
                         rd->net->nodes[input].name, rd->net->nodes[input].vocab, n);
        for (size_t k = 0; rc == TN_OK && k < n; k++)
            map[k] = (float)remap[k];
        if (rc == TN_OK) {
            tn__vocab_free(s->ids[input]);
            s->ids[input] = v;
            t->text[col] = NULL;
        }
    } else {
        for (size_t k = 0; rc == TN_OK && k < n; k++) {
            long i = tn__vocab_find(s->ids[input], v->s[k], strlen(v->s[k]));
            if (i < 0)
                rc = tn__err(err, TN_EDATA, "%s: line %zu: %s: id \"%s\" is not among the %zu "
                             "ids of input \"%s\" seen in training", rd->path,
                             line_of(t, col, k), where, v->s[k], s->ids[input]->n,
                             rd->net->nodes[input].name);
            map[k] = (float)i;
        }
    }
    for (size_t r = 0; rc == TN_OK && r < t->rows; r++) {
        float *x = &t->values[r * t->cols + col];
        *x = map[(size_t)*x];
    }
    tn__free(map);
    tn__free(remap);
    return rc;
}

static int keys_of(const tn_table *t, size_t col, tn_dataset *d, tn_error *err)
{
    if (!(d->keys = tn__calloc(t->rows ? t->rows : 1, sizeof *d->keys)))
        return tn__err(err, TN_ENOMEM, "out of memory");
    for (size_t r = 0; r < t->rows; r++)
        if (!(d->keys[r] = tn__strdup(t->text[col]->s[(size_t)t->values[r * t->cols + col]])))
            return tn__err(err, TN_ENOMEM, "out of memory");
    return TN_OK;
}

/* Rows of a parsed table: the inputs from their columns (ids checked), and with targets
 * the target columns checked against the rule (path is the file named in messages). */
static int from_table(csv_reading *rd, tn_table *tab, tn_dataset **out, tn_error *err)
{
    *out = NULL;
    const tn_net *net = rd->net;
    const tn_columns *cols = &rd->s->columns;
    const char *path = rd->path;
    int rc;
    size_t widths[TN_MAX_INPUTS];
    for (int i = 0; i < net->n_inputs; i++)
        widths[i] = net->nodes[i].width;
    size_t tw = rd->targets ? cols->target.n : 0;
    tn_origin origin = {path, tab->lines};
    tn_dataset *d = NULL;
    int *idx = tn__calloc(tab->cols + 1, sizeof *idx);
    if (!idx)
        return tn__err(err, TN_ENOMEM, "out of memory");
    rc = tn__dataset_new(tab->rows, net->n_inputs, widths, tw, &d, err);
    for (int i = 0; rc == TN_OK && i < net->n_inputs; i++) {
        const tn_colspec *spec = &cols->in[i];
        if (spec->n > tab->cols)
            rc = tn__err(err, TN_EDATA, "%s: %zu columns for input \"%s\", the file has %zu", path,
                         spec->n, net->nodes[i].name, tab->cols);
        else if (!(rc = find_columns(path, tab, spec, idx, err))) {
            if (tab->kind[idx[0]] == TN_COL_TEXT)
                rc = resolve_ids(rd, tab, (size_t)idx[0], i, err);
            if (rc == TN_OK)
                gather(tab, idx, spec->n, d->x[i]);
            if (rc == TN_OK && net->nodes[i].kind == TN_NODE_INDEX_INPUT)
                rc = tn__check_ids(&origin, &net->nodes[i], spec->names[0], d->x[i], d->rows,
                                   err);
        }
    }
    if (rc == TN_OK && tw) {
        if (tw > tab->cols)
            rc = tn__err(err, TN_EDATA, "%s: %zu target columns, the file has %zu", path, tw,
                         tab->cols);
        else if (!(rc = find_columns(path, tab, &cols->target, idx, err))) {
            if (tab->kind[idx[0]] == TN_COL_TEXT)
                rc = resolve_labels(rd, tab, (size_t)idx[0], err);
            if (rc == TN_OK) {
                gather(tab, idx, tw, d->t);
                rc = tn__check_targets(&origin, rd->targets, d, cols->target.names[0], err);
            }
        }
    }
    if (rc == TN_OK && rd->id_col >= 0)
        rc = keys_of(tab, (size_t)rd->id_col, d, err);
    tn__free(idx);
    if (rc) {
        tn__dataset_free(d);
        return rc;
    }
    *out = d;
    return TN_OK;
}

static int read_text(csv_reading *rd, const tn_data_source *src, tn_dataset **out, tn_error *err)
{
    tn_table *tab = NULL;
    tn_csv_opts o = {.no_header = rd->s->no_header, .skip_missing = rd->s->skip_missing,
                     .plan = plan, .ctx = rd};
    *out = NULL;
    int rc;
    if (src && src->text) {
        o.head = src->head;
        o.head_len = src->head_len;
        o.first_line = src->first_line;
        rc = tn__csv_parse_opts(rd->path, src->text, src->len, &o, &tab, err);
        if (rc == TN_OK && tab->rows == 0) {
            size_t w[TN_MAX_INPUTS];
            for (int i = 0; i < rd->net->n_inputs; i++)
                w[i] = rd->net->nodes[i].width;
            rc = tn__dataset_new(0, rd->net->n_inputs, w, 0, out, err);
            tn__table_free(tab);
            return rc;
        }
    } else {
        rc = tn__csv_read_opts(rd->path, &o, &tab, err);
    }
    if (rc == TN_OK)
        rc = from_table(rd, tab, out, err);
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
    colspec_free(&s->id);
    colspec_free(&s->ignore);
    tn__vocab_free(s->classes);
    for (int i = 0; i < TN_MAX_INPUTS; i++)
        tn__vocab_free(s->ids[i]);
    tn__free(s);
}

/* The keys besides the columns: id, ignore, header, missing (config and record alike). */
static int parse_options(tn_jr *r, const cJSON *obj, csv_state *s)
{
    int header, rc, missing;
    static const char *const missing_names[] = {"error", "skip", NULL};
    if ((rc = tn__jr_bool(r, obj, "header", 0, 1, &header)) ||
        (rc = tn__jr_enum(r, obj, "missing", 0, 0, missing_names, &missing)))
        return rc;
    s->no_header = !header;
    s->skip_missing = missing == 1;
    if (cJSON_GetObjectItemCaseSensitive(obj, "id") &&
        (rc = parse_colspec(r, obj, "id", 1, "\"id\"", s->no_header, &s->id)))
        return rc;
    if (cJSON_GetObjectItemCaseSensitive(obj, "ignore") &&
        (rc = parse_colspec(r, obj, "ignore", 0, "", s->no_header, &s->ignore)))
        return rc;
    if (cJSON_GetObjectItemCaseSensitive(obj, "classes")) {
        if ((rc = tn__vocab_from_json(r, obj, "classes", &s->classes)))
            return rc;
    }
    return TN_OK;
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
        !(rc = tn__data_parse_holdout(r, obj, s->test != NULL, "file", &s->holdout)) &&
        !(rc = parse_options(r, obj, s)))
        rc = columns_parse(r, obj, c->net, 1, s->no_header, &s->star, &s->columns);
    if (rc == TN_OK && cJSON_GetObjectItemCaseSensitive(obj, "ids"))
        rc = tn__jr_fail(r, "ids", "the ids are learned from the training file and recorded in "
                         "the model, not given in a config");
    if (rc == TN_OK && s->ignore.n && !s->star)
        rc = tn__jr_fail(r, "ignore", "only \"inputs\": \"*\" takes columns to leave out (a "
                         "column not listed is not read)");
    return rc;
}

static size_t csv_target_width(const void *state)
{
    return ((const csv_state *)state)->columns.target.n;
}

static int csv_load(const void *state, const tn_data_ctx *c, unsigned long long seed,
                    tn_data_loaded *out, tn_error *err)
{
    for (int i = 0; i < TN_MAX_INPUTS; i++) {
        tn__vocab_free(((csv_state *)state)->ids[i]);
        ((csv_state *)state)->ids[i] = NULL;
    }
    /* Loading the training file learns what the model records: the columns of "*" and the
     * class names (the state is the config's own, not shared). */
    csv_state *s = (csv_state *)state;
    tn__vocab_free(s->classes);
    s->classes = NULL;
    csv_reading rd = {s, c->net, &c->targets, 1, s->train, -1};
    int rc = read_text(&rd, NULL, &out->train, err);
    if (rc == TN_OK && s->test) {
        rd.learn = 0;
        rd.path = s->test;
        rc = read_text(&rd, NULL, &out->test, err);
    }
    if (rc == TN_OK)
        rc = tn__data_holdout(out, s->holdout, seed, err);
    return rc;
}

static int csv_record(const void *state, const tn_data_ctx *c, cJSON *obj)
{
    const csv_state *s = state;
    /* Before the training file is read (info on a config), "*" is not yet columns. */
    int rc = s->star ? (cJSON_AddStringToObject(obj, "inputs", "*") ? TN_OK : TN_ENOMEM)
                     : columns_describe(&s->columns, c->net, obj);
    cJSON *a;
    if (rc == TN_OK && s->star && s->columns.target.n &&
        (!(a = colspec_json(&s->columns.target)) || !cJSON_AddItemToObject(obj, "target", a)))
        rc = TN_ENOMEM;
    if (rc == TN_OK && s->id.n &&
        (!(a = colspec_json(&s->id)) || !cJSON_AddItemToObject(obj, "id", a)))
        rc = TN_ENOMEM;
    if (rc == TN_OK && s->no_header && !cJSON_AddBoolToObject(obj, "header", 0))
        rc = TN_ENOMEM;
    if (rc == TN_OK && s->skip_missing && !cJSON_AddStringToObject(obj, "missing", "skip"))
        rc = TN_ENOMEM;
    if (rc == TN_OK && s->classes &&
        (!(a = tn__vocab_json(s->classes)) || !cJSON_AddItemToObject(obj, "classes", a)))
        rc = TN_ENOMEM;
    cJSON *ids = NULL;
    for (int i = 0; rc == TN_OK && i < c->net->n_inputs; i++) {
        if (!s->ids[i])
            continue;
        if ((!ids && !(ids = cJSON_AddObjectToObject(obj, "ids"))) ||
            !(a = tn__vocab_json(s->ids[i])) ||
            !cJSON_AddItemToObject(ids, c->net->nodes[i].name, a))
            rc = TN_ENOMEM;
    }
    return rc;
}

static int csv_from_record(tn_jr *r, const cJSON *obj, const tn_data_ctx *c, void **state)
{
    csv_state *s = tn__calloc(1, sizeof *s);
    if (!s)
        return tn__jr_oom(r, NULL);
    *state = s;
    int rc = parse_options(r, obj, s);
    if (rc == TN_OK)
        rc = columns_parse(r, obj, c->net, 0, s->no_header, NULL, &s->columns);
    if (rc == TN_OK && s->classes && c->targets.kind == TN_TARGET_CLASS &&
        s->classes->n > c->targets.classes)
        rc = tn__jr_fail(r, "classes", "%zu class names for an output of %zu classes",
                         s->classes->n, c->targets.classes);
    if (rc == TN_OK && s->classes && s->columns.target.n != 1)
        rc = tn__jr_fail(r, "classes", "class names need one target column");
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(obj, "ids");
    if (rc == TN_OK && ids) {
        const char *names[TN_MAX_INPUTS + 1];
        int n = 0;
        for (int i = 0; i < c->net->n_inputs; i++)
            if (c->net->nodes[i].kind == TN_NODE_INDEX_INPUT)
                names[n++] = c->net->nodes[i].name;
        names[n] = NULL;
        size_t mark = tn__jr_push_key(r, "ids");
        rc = cJSON_IsObject(ids) ? tn__jr_check_keys(r, ids, names)
                                 : tn__jr_fail(r, NULL, "expected an object");
        for (int i = 0; rc == TN_OK && i < c->net->n_inputs; i++) {
            const tn_node *in = &c->net->nodes[i];
            if (in->kind != TN_NODE_INDEX_INPUT || !cJSON_GetObjectItemCaseSensitive(ids, in->name))
                continue;
            rc = tn__vocab_from_json(r, ids, in->name, &s->ids[i]);
            if (rc == TN_OK && s->ids[i]->n > in->vocab)
                rc = tn__jr_fail(r, in->name, "%zu ids, but the input has size %zu",
                                 s->ids[i]->n, in->vocab);
        }
        tn__jr_pop(r, mark);
    }
    return rc;
}

static int csv_read(const void *state, const tn_data_ctx *c, const tn_data_source *src,
                    int with_targets, tn_dataset **out, tn_error *err)
{
    csv_state *s = (csv_state *)state; /* reading never learns (rd.learn 0) */
    *out = NULL;
    int rc = tn__data_source_check(&tn__data_csv, src, 1, 1, err);
    if (rc == TN_OK && with_targets && s->columns.target.n == 0)
        rc = tn__err(err, TN_EDATA, "the model records no target columns");
    if (rc)
        return rc;
    csv_reading rd = {s, c->net, with_targets ? &c->targets : NULL, 0,
                   src->text ? src->name : src->paths[0], -1};
    return read_text(&rd, src->text ? src : NULL, out, err);
}

static const char *csv_class_name(const cJSON *record, size_t k)
{
    const cJSON *a = record ? cJSON_GetObjectItemCaseSensitive(record, "classes") : NULL;
    const cJSON *v = cJSON_IsArray(a) && k < (size_t)cJSON_GetArraySize(a)
                         ? cJSON_GetArrayItem(a, (int)k) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int csv_stream_header(const void *state, const char *text, size_t len)
{
    (void)text;
    (void)len;
    return !((const csv_state *)state)->no_header;
}

static const tn__keydoc csv_docs[] = {
    {"train", "the training file, relative to the config file (required)"},
    {"test", "the test file, read like train"},
    {"holdout", "instead of test: a fraction of the training rows kept aside (seeded), in "
                "[0, 0.9]"},
    {"inputs", "the input columns: [names] for one input, {\"input name\": [names], ...} for "
              "several, or \"*\": every column but the target, id and ignored ones (required)"},
    {"target", "the target column, or [columns], one per output (required); one column of a "
               "class or 0/1 output may hold class names (the training file's, sorted)"},
    {"id", "a column that identifies rows (any text): predict passes it through"},
    {"ignore", "with \"inputs\": \"*\": columns left out (any content)"},
    {"header", "false: the file has no header line and columns are given by position "
               "(1 is the first) (default true)"},
    {"missing", "\"error\" (the default) or \"skip\": drop rows whose used field is empty or NA"},
    {"classes", "recorded in the model: the class names, learned from the training file"},
    {"ids", "recorded in the model: each index input's ids (integers or text) as the training "
            "file has them, sorted; an id not among them is an error"},
    {NULL, NULL}};

const tn_data_format tn__data_csv = {
    .name = "csv",
    .keys = csv_keys,
    .doc = "a CSV or TSV table (RFC 4180 quoting), with a header line or numbered columns, whose "
           "columns feed the inputs and the target (the default format)",
    .key_docs = csv_docs,
    .sources = "a CSV file (DATA.csv) with the columns the model was trained on",
    .parse = csv_parse,
    .target_width = csv_target_width,
    .load = csv_load,
    .record = csv_record,
    .from_record = csv_from_record,
    .read = csv_read,
    .class_name = csv_class_name,
    .stream_header = csv_stream_header,
    .free = csv_free,
};
