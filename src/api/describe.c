/* tinynet/inspect.h: what a model is made of, a drawing of it, layer statistics. */
#include "api/api.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/text.h"
#include "inspect/dot.h"
#include "inspect/stats.h"
#include "tinynet/inspect.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const tn_layer *layer(const tn_model *m, size_t l)
{
    return m && l < (size_t)m->net->n_layers ? &m->net->layers[l] : NULL;
}

size_t tn_model_n_params(const tn_model *m) { return m ? m->net->n_params : 0; }
size_t tn_model_n_layers(const tn_model *m) { return m ? (size_t)m->net->n_layers : 0; }

const char *tn_model_layer_name(const tn_model *m, size_t l)
{
    const tn_layer *L = layer(m, l);
    return L ? L->name : NULL;
}

const char *tn_model_layer_type(const tn_model *m, size_t l)
{
    const tn_layer *L = layer(m, l);
    return L ? L->ops->type : NULL;
}

size_t tn_model_layer_width(const tn_model *m, size_t l)
{
    const tn_layer *L = layer(m, l);
    return L ? L->width : 0;
}

size_t tn_model_layer_params(const tn_model *m, size_t l)
{
    const tn_layer *L = layer(m, l);
    return L ? L->n_params : 0;
}

size_t tn_model_layer_n_inputs(const tn_model *m, size_t l)
{
    const tn_layer *L = layer(m, l);
    return L ? (size_t)L->n_in : 0;
}

const char *tn_model_layer_input(const tn_model *m, size_t l, size_t j)
{
    const tn_layer *L = layer(m, l);
    return L && j < (size_t)L->n_in ? m->net->nodes[L->in[j]].name : NULL;
}

const tn_activation *tn_model_layer_activation(const tn_model *m, size_t l)
{
    const tn_layer *L = layer(m, l);
    return L && L->act ? L->act->m : NULL;
}

void tn_model_layer_summary(const tn_model *m, size_t l, char *buf, size_t n)
{
    const tn_layer *L = layer(m, l);
    if (!buf || !n)
        return;
    buf[0] = '\0';
    if (L && L->ops->summary)
        L->ops->summary(L, buf, n);
}

const char *tn_model_tensor(const tn_model *m, size_t l, size_t k, size_t *rows, size_t *cols)
{
    const tn_layer *L = layer(m, l);
    if (!L || k >= (size_t)L->n_tensors)
        return NULL;
    if (rows)
        *rows = L->tensors[k].rows;
    if (cols)
        *cols = L->tensors[k].cols;
    return L->tensors[k].name;
}

const char *tn_model_scaling(const tn_model *m, size_t *input, size_t *values)
{
    if (!m)
        return NULL;
    if (input)
        *input = m->scaling.kind ? (size_t)m->scaling.input : 0;
    if (values)
        *values = m->scaling.n;
    return tn__scaling_names[m->scaling.kind];
}

/* A growing text buffer for the _text functions. */
typedef struct text {
    char *p;
    size_t n, cap;
    int oom;
} text;

static void put(text *t, const char *s)
{
    size_t k = strlen(s);
    if (t->oom)
        return;
    if (t->n + k + 1 > t->cap) {
        size_t cap = (t->n + k + 1) * 2;
        char *p = tn__realloc(t->p, cap);
        if (!p) {
            t->oom = 1;
            return;
        }
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->n, s, k + 1);
    t->n += k;
}

/* Text from a model's record (paths, names, values) as it is safe to print: control
 * characters escaped, so a crafted header cannot drive the reader's terminal. */
static void put_safe(text *t, const char *s)
{
    char buf[512];
    size_t n = tn__text_escape(buf, sizeof buf, s);
    if (n < sizeof buf) {
        put(t, buf);
        return;
    }
    char *big = tn__malloc(n + 1);
    if (!big) {
        t->oom = 1;
        return;
    }
    tn__text_escape(big, n + 1, s);
    put(t, big);
    tn__free(big);
}

static int done(text *t, char **out, tn_error *err)
{
    if (!t->p && !t->oom)
        put(t, "");
    if (t->oom) {
        tn__free(t->p);
        return tn__err(err, TN_ENOMEM, "out of memory");
    }
    *out = t->p;
    return TN_OK;
}

/* "  input NAME <- a, b" per input and "  target <- c" from a record's "inputs"/"target"
 * lists of column names, as CSV-like formats record them. */
/* A column of a CSV record: its name, or "column N" by position. */
static void put_column(text *t, const cJSON *c)
{
    char num[48];
    if (cJSON_IsNumber(c)) {
        snprintf(num, sizeof num, "column %.0f", c->valuedouble);
        put(t, num);
    } else {
        put_safe(t, cJSON_IsString(c) ? c->valuestring : "?");
    }
}

/* A long list (a vocabulary) as its size and ends: 400 ("7" ... "3997"). */
static void put_list(text *t, const cJSON *a)
{
    int n = cJSON_GetArraySize(a);
    char num[32];
    snprintf(num, sizeof num, "%d (", n);
    put(t, num);
    for (int k = 0; k < n; k++) {
        if (n > 6 && k == 3) {
            put(t, " ...");
            k = n - 2;
            continue;
        }
        const cJSON *v = cJSON_GetArrayItem(a, k);
        put(t, k ? ", \"" : "\"");
        put_safe(t, cJSON_IsString(v) ? v->valuestring : "?");
        put(t, "\"");
    }
    put(t, ")");
}

static void column_lines(text *t, const tn_model *m, const cJSON *rec)
{
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(rec, "inputs");
    const cJSON *target = cJSON_GetObjectItemCaseSensitive(rec, "target");
    char line[TN_MAX_NAME + 32];
    if (cJSON_IsString(inputs)) /* "*" in a config not yet read */
        put(t, "  inputs           <- * (every column but the target, id and ignored ones)\n");
    for (int i = 0; cJSON_IsObject(inputs) && i < m->net->n_inputs; i++) {
        const cJSON *cols = cJSON_GetObjectItemCaseSensitive(inputs, m->net->nodes[i].name);
        snprintf(line, sizeof line, "  input %-10s <- ", m->net->nodes[i].name);
        put(t, line);
        const cJSON *c;
        int k = 0;
        cJSON_ArrayForEach(c, cols) {
            put(t, k++ ? ", " : "");
            put_column(t, c);
        }
        put(t, "\n");
    }
    if (cJSON_IsArray(target)) {
        put(t, "  target           <- ");
        const cJSON *c;
        int k = 0;
        cJSON_ArrayForEach(c, target) {
            put(t, k++ ? ", " : "");
            put_column(t, c);
        }
        put(t, "\n");
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(rec, "id");
    if (cJSON_IsArray(id) && id->child) {
        put(t, "  id               <- ");
        put_column(t, id->child);
        put(t, "\n");
    }
    if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(rec, "header")))
        put(t, "  header           none (columns by position)\n");
    if (cJSON_GetObjectItemCaseSensitive(rec, "missing"))
        put(t, "  missing          rows with an empty or NA field are skipped\n");
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(rec, "ids"), *v;
    if (!cJSON_IsObject(ids))
        ids = NULL;
    cJSON_ArrayForEach(v, ids) {
        snprintf(line, sizeof line, "  ids of %-9s ", v->string);
        put(t, line);
        if (cJSON_IsArray(v))
            put_list(t, v);
        put(t, "\n");
    }
}

/* One line per member of obj but skip: "key<TAB>value", or aligned "  key   value";
 * numbers as integers when integral. */
static void record_lines(text *t, const cJSON *obj, const char *skip, int aligned)
{
    const cJSON *v;
    char num[64];
    cJSON_ArrayForEach(v, obj) {
        if (skip && strcmp(v->string, skip) == 0)
            continue;
        size_t key_at = t->n;
        put(t, aligned ? "  " : "");
        put_safe(t, v->string);
        if (aligned) { /* the key padded to 16 columns and a space, as "%-16s " */
            size_t w = t->oom ? 16 : t->n - key_at - 2;
            do
                put(t, " ");
            while (++w < 17);
        } else {
            put(t, "\t");
        }
        if (cJSON_IsString(v)) {
            put_safe(t, v->valuestring);
        } else if (cJSON_IsNumber(v) && fabs(v->valuedouble) < 9e15 &&
                   v->valuedouble == (double)(long long)v->valuedouble) {
            snprintf(num, sizeof num, "%lld", (long long)v->valuedouble);
            put(t, num);
        } else if (cJSON_IsNumber(v)) {
            snprintf(num, sizeof num, "%.6f", v->valuedouble);
            put(t, num);
        } else if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 6) {
            put_list(t, v); /* a vocabulary: its size and ends */
        } else {
            char *s = cJSON_PrintUnformatted(v);
            put_safe(t, s ? s : "?");
            cJSON_free(s);
        }
        put(t, "\n");
    }
}

int tn_model_data_text(const tn_model *m, char **out, tn_error *err)
{
    if (out)
        *out = NULL;
    if (!m || !out)
        return tn__err(err, TN_EINVAL, "tn_model_data_text: NULL argument");
    *out = NULL;
    text t = {0};
    const char *format = tn_model_data_format(m);
    const cJSON *legacy = m->training ? cJSON_GetObjectItemCaseSensitive(m->training, "data")
                                      : NULL;
    const cJSON *rec = m->data ? m->data : legacy ? legacy : m->columns;
    char line[128];
    snprintf(line, sizeof line, "  %-16s %s\n", "format", format ? format : "?");
    put(&t, line);
    if (rec && cJSON_GetObjectItemCaseSensitive(rec, "inputs"))
        column_lines(&t, m, rec);
    else if (rec)
        record_lines(&t, rec, "format", 1);
    return done(&t, out, err);
}

int tn_model_training_text(const tn_model *m, char **out, tn_error *err)
{
    if (out)
        *out = NULL;
    if (!m || !out)
        return tn__err(err, TN_EINVAL, "tn_model_training_text: NULL argument");
    *out = NULL;
    text t = {0};
    if (m->training)
        record_lines(&t, m->training, NULL, 0);
    return done(&t, out, err);
}

int tn_model_file_version(const tn_model *m) { return m ? m->version : 0; }

int tn_model_dot(const tn_model *m, const tn_dot_options *opt, char **out, size_t *len,
                 tn_error *err)
{
    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    if (!m || !out || !len)
        return tn__err(err, TN_EINVAL, "tn_model_dot: NULL argument");
    tn_dot_opts o = {opt ? opt->left_to_right : 0, opt ? opt->expand : 0};
    return tn__net_dot(m->net, &o, out, len, err);
}

int tn_layer_stats_compute(const tn_model *m, const tn_data *d, size_t batch,
                           tn_layer_stats *out, tn_error *err)
{
    if (!m || !d || !out)
        return tn__err(err, TN_EINVAL, "tn_layer_stats_compute: NULL argument");
    if (batch == 0)
        return tn__err(err, TN_EINVAL, "tn_layer_stats_compute: batch 0");
    return tn__layer_stats(m->net, d->rows, &m->scaling, batch, out, err);
}
