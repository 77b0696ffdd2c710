#include "io/config.h"

#include "core/alloc.h"
#include "core/error.h"
#include "io/fileutil.h"
#include "io/jsonread.h"
#include "net/loss.h"

#include <stdio.h>
#include <string.h>

const char *const tn__data_format_names[] = {"csv", "ratings", NULL};

static const char *const top_keys[] = {"name", "seed", "inputs", "layers", "loss",
                                       "optimizer", "train", "data", NULL};
static const char *const train_keys[] = {"epochs", "batch_size", "shuffle", "patience",
                                         "min_delta", "threads", NULL};
static const char *const data_keys[] = {"format", "train", "test", "holdout", "inputs",
                                        "target", NULL};
static const char *const sgd_keys[] = {"type", "lr", "momentum", "nesterov", "weight_decay",
                                       "clip_norm", NULL};
static const char *const adam_keys[] = {"type", "lr", "beta1", "beta2", "eps", "weight_decay",
                                        "clip_norm", NULL};

/* ---- columns ------------------------------------------------------------------------ */

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
        return tn__jr_fail(r, key, "out of memory");
    out->n = n;
    if (cJSON_IsString(v)) {
        snprintf(out->names[0], TN_MAX_NAME, "%s", v->valuestring);
        return TN_OK;
    }
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, v) {
        if (!cJSON_IsString(item) || !item->valuestring[0] ||
            strlen(item->valuestring) >= TN_MAX_NAME) {
            size_t mark = tn__jr_push_key(r, key);
            tn__jr_push_index(r, i);
            int rc = tn__jr_fail(r, NULL, "expected a column name (1 to %d characters), got %s",
                                 TN_MAX_NAME - 1, tn__jr_describe(item, got, sizeof got));
            tn__jr_pop(r, mark);
            return rc;
        }
        snprintf(out->names[i++], TN_MAX_NAME, "%s", item->valuestring);
    }
    return TN_OK;
}

int tn__columns_parse(tn_jr *r, const cJSON *obj, const tn_net *net, int need_target,
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
        tn__columns_free(out);
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

int tn__columns_describe(const tn_columns *c, const tn_net *net, cJSON *obj)
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

void tn__columns_free(tn_columns *c)
{
    for (int i = 0; i < TN_MAX_INPUTS; i++)
        tn__free(c->in[i].names);
    tn__free(c->target.names);
    memset(c, 0, sizeof *c);
}

/* ---- sections ----------------------------------------------------------------------- */

static int parse_optimizer(tn_jr *r, const cJSON *root, tn_optim_cfg *o)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "optimizer");
    int kind, rc;
    if (!v || cJSON_IsString(v)) {
        if ((rc = tn__jr_enum(r, root, "optimizer", 0, TN_OPTIM_ADAM, tn__optim_names, &kind)))
            return rc;
        tn__optim_defaults(o, kind);
        return TN_OK;
    }
    const cJSON *obj;
    if ((rc = tn__jr_object(r, root, "optimizer", 1, &obj)))
        return rc;
    size_t mark = tn__jr_push_key(r, "optimizer");
    if ((rc = tn__jr_enum(r, obj, "type", 1, 0, tn__optim_names, &kind)) == TN_OK) {
        tn__optim_defaults(o, kind);
        rc = tn__jr_check_keys(r, obj, kind == TN_OPTIM_SGD ? sgd_keys : adam_keys);
    }
    if (rc == TN_OK)
        rc = tn__jr_num_open_lo(r, obj, "lr", 0, o->lr, 0, 10, &o->lr);
    if (rc == TN_OK)
        rc = tn__jr_num(r, obj, "weight_decay", 0, o->weight_decay, 0, 1, &o->weight_decay);
    if (rc == TN_OK)
        rc = tn__jr_num(r, obj, "clip_norm", 0, 0, 0, 1e6, &o->clip_norm);
    if (rc == TN_OK && kind == TN_OPTIM_SGD) {
        if (!(rc = tn__jr_num(r, obj, "momentum", 0, 0, 0, 0.999999, &o->momentum)))
            rc = tn__jr_bool(r, obj, "nesterov", 0, 0, &o->nesterov);
        if (rc == TN_OK && o->nesterov && o->momentum == 0)
            rc = tn__jr_fail(r, "nesterov", "nesterov needs a momentum above 0");
    } else if (rc == TN_OK) {
        if (!(rc = tn__jr_num(r, obj, "beta1", 0, o->beta1, 0, 0.999999, &o->beta1)) &&
            !(rc = tn__jr_num(r, obj, "beta2", 0, o->beta2, 0, 0.999999999, &o->beta2)))
            rc = tn__jr_num_open_lo(r, obj, "eps", 0, o->eps, 0, 1, &o->eps);
    }
    tn__jr_pop(r, mark);
    return rc;
}

static int parse_train(tn_jr *r, const cJSON *root, tn_config *c)
{
    const cJSON *obj;
    int rc = tn__jr_object(r, root, "train", 1, &obj);
    if (rc)
        return rc;
    size_t mark = tn__jr_push_key(r, "train");
    long long epochs, batch, patience, threads;
    double min_delta;
    int shuffle;
    if (!(rc = tn__jr_check_keys(r, obj, train_keys)) &&
        !(rc = tn__jr_int(r, obj, "epochs", 1, 0, 1, 1000000, &epochs)) &&
        !(rc = tn__jr_int(r, obj, "batch_size", 0, 32, 1, 1 << 20, &batch)) &&
        !(rc = tn__jr_bool(r, obj, "shuffle", 0, 1, &shuffle)) &&
        !(rc = tn__jr_int(r, obj, "patience", 0, 0, 0, 1000000, &patience)) &&
        !(rc = tn__jr_num(r, obj, "min_delta", 0, 0, 0, 1e9, &min_delta)) &&
        !(rc = tn__jr_int(r, obj, "threads", 0, 1, 1, 256, &threads))) {
        c->train.epochs = (int)epochs;
        c->train.batch_size = (size_t)batch;
        c->train.shuffle = shuffle;
        c->train.patience = (int)patience;
        c->train.min_delta = min_delta;
        c->threads = (int)threads;
    }
    tn__jr_pop(r, mark);
    return rc;
}

/* Data paths are relative to the config file, so a config works from any directory. */
static char *resolve_path(const char *config_path, const char *p)
{
    const char *slash = strrchr(config_path, '/');
    if (p[0] == '/' || !slash || strcmp(p, "-") == 0)
        return tn__strdup(p);
    size_t dir = (size_t)(slash - config_path) + 1, n = dir + strlen(p) + 1;
    char *s = tn__malloc(n);
    if (s)
        snprintf(s, n, "%.*s%s", (int)dir, config_path, p);
    return s;
}

/* Ratings data: its own keys (io/ratings.c); the columns recorded for the model name the
 * user and item columns, so `tinynet predict` reads a CSV with the same header. */
static int parse_ratings(tn_jr *r, const cJSON *obj, tn_config *c)
{
    tn_data_cfg *d = &c->data;
    const char *train;
    int rc = tn__ratings_cfg_parse(r, obj, c->net, &d->ratings);
    if (rc == TN_OK)
        rc = tn__jr_str(r, obj, "train", 1, NULL, &train);
    if (rc == TN_OK && !(d->train = resolve_path(c->path, train)))
        rc = tn__jr_fail(r, NULL, "out of memory");
    tn_columns *cols = &d->columns;
    cols->n_inputs = c->net->n_inputs;
    for (int i = 0; rc == TN_OK && i < c->net->n_inputs; i++) {
        int user = strcmp(c->net->nodes[i].name, d->ratings.user_input) == 0;
        const char *col = d->ratings.header[user ? TN_RF_USER : TN_RF_ITEM];
        if (!(cols->in[i].names = tn__calloc(1, sizeof *cols->in[i].names)))
            return tn__jr_fail(r, NULL, "out of memory");
        cols->in[i].n = 1;
        snprintf(cols->in[i].names[0], TN_MAX_NAME, "%s", col);
    }
    if (rc == TN_OK && !(cols->target.names = tn__calloc(1, sizeof *cols->target.names)))
        return tn__jr_fail(r, NULL, "out of memory");
    if (rc == TN_OK) {
        cols->target.n = 1;
        snprintf(cols->target.names[0], TN_MAX_NAME, "label");
    }
    return rc;
}

static int parse_data(tn_jr *r, const cJSON *root, tn_config *c)
{
    const cJSON *obj;
    int rc = tn__jr_object(r, root, "data", 1, &obj);
    if (rc)
        return rc;
    size_t mark = tn__jr_push_key(r, "data");
    const char *train, *test;
    tn_data_cfg *d = &c->data;
    if (!(rc = tn__jr_enum(r, obj, "format", 0, TN_DATA_CSV, tn__data_format_names,
                           &d->format)) && d->format == TN_DATA_RATINGS) {
        rc = parse_ratings(r, obj, c);
        tn__jr_pop(r, mark);
        return rc;
    }
    if (rc == TN_OK && !(rc = tn__jr_check_keys(r, obj, data_keys)) &&
        !(rc = tn__jr_str(r, obj, "train", 1, NULL, &train)) &&
        !(rc = tn__jr_str(r, obj, "test", 0, NULL, &test)) &&
        !(rc = tn__jr_num(r, obj, "holdout", 0, 0, 0, 0.9, &d->holdout))) {
        if (test && cJSON_GetObjectItemCaseSensitive(obj, "holdout"))
            rc = tn__jr_fail(r, "holdout", "give either a test file or a holdout fraction, "
                             "not both");
        else if (!(d->train = resolve_path(c->path, train)) ||
                 (test && !(d->test = resolve_path(c->path, test))))
            rc = tn__jr_fail(r, NULL, "out of memory");
    }
    if (rc == TN_OK)
        rc = tn__columns_parse(r, obj, c->net, 1, &d->columns);
    tn__jr_pop(r, mark);
    return rc;
}

static int parse_root(tn_jr *r, const cJSON *root, tn_config *c)
{
    long long seed;
    int rc;
    if ((rc = tn__jr_check_keys(r, root, top_keys)) ||
        (rc = tn__jr_int(r, root, "seed", 0, 1, 0, (1LL << 53), &seed)) ||
        (rc = tn__net_from_json(r, root, &c->net)) ||
        (rc = tn__jr_enum(r, root, "loss", 1, 0, tn__loss_names, &c->loss)) ||
        (rc = parse_optimizer(r, root, &c->optim)) || (rc = parse_train(r, root, c)) ||
        (rc = parse_data(r, root, c)))
        return rc;
    c->train.seed = (unsigned long long)seed;
    if (c->net->n_inputs > TN_MAX_INPUTS)
        return tn__jr_fail(r, "inputs", "at most %d inputs are supported", TN_MAX_INPUTS);
    tn_error e;
    if (tn__loss_check_targets(c->loss, c->net->nodes[c->net->output].width,
                               c->data.columns.target.n, &e))
        return tn__jr_fail(r, "data", "target: %s", e.msg);
    return TN_OK;
}

int tn__config_parse(const char *path, const char *text, size_t len, tn_config **out,
                     tn_error *err)
{
    *out = NULL;
    cJSON *root;
    int rc = tn__jr_parse(path, text, len, &root, err);
    if (rc)
        return rc;
    tn_config *c = tn__calloc(1, sizeof *c);
    if (!c || !(c->path = tn__strdup(path))) {
        tn__free(c);
        cJSON_Delete(root);
        return tn__err(err, TN_ENOMEM, "out of memory");
    }
    tn_jr r;
    tn__jr_init(&r, path, err);
    rc = parse_root(&r, root, c);
    cJSON_Delete(root);
    if (rc) {
        tn__config_free(c);
        return rc;
    }
    *out = c;
    return TN_OK;
}

int tn__config_load(const char *path, tn_config **out, tn_error *err)
{
    unsigned char *text;
    size_t len;
    *out = NULL;
    int rc = tn__read_file(path, TN_CONFIG_MAX_BYTES, &text, &len, err);
    if (rc)
        return rc;
    rc = tn__config_parse(path, (const char *)text, len, out, err);
    tn__free(text);
    return rc;
}

void tn__config_free(tn_config *c)
{
    if (!c)
        return;
    tn__net_free(c->net);
    tn__columns_free(&c->data.columns);
    tn__free(c->data.train);
    tn__free(c->data.test);
    tn__free(c->path);
    tn__free(c);
}
