#include "train/config.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/json.h"
#include "model/scaling.h"
#include "loss/loss.h"
#include "model/model.h"

#include <stdio.h>
#include <string.h>

const char *const tn__data_format_names[] = {"csv", "idx", "fashion-mnist", "ratings",
                                              NULL};

static const char *const top_keys[] = {"name", "seed", "inputs", "layers", "loss",
                                       "optimizer", "train", "data", NULL};
static const char *const train_keys[] = {"epochs", "batch_size", "shuffle", "patience",
                                         "min_delta", "threads", NULL};
static const char *const data_keys[] = {"format", "train", "test", "holdout", "inputs",
                                        "target", "scaling", NULL};
static const char *const idx_data_keys[] = {"format", "train", "test", "holdout", "scaling",
                                            NULL};
static const char *const fashion_data_keys[] = {"format", "scaling", NULL};
static const char *const idx_file_keys[] = {"images", "labels", NULL};

/* ---- sections ----------------------------------------------------------------------- */

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
        !(rc = tn__jr_int(r, obj, "epochs", 1, 0, 1, TN_MAX_EPOCHS, &epochs)) &&
        !(rc = tn__jr_int(r, obj, "batch_size", 0, 32, 1, 1 << 20, &batch)) &&
        !(rc = tn__jr_bool(r, obj, "shuffle", 0, 1, &shuffle)) &&
        !(rc = tn__jr_int(r, obj, "patience", 0, 0, 0, TN_MAX_EPOCHS, &patience)) &&
        !(rc = tn__jr_num(r, obj, "min_delta", 0, 0, 0, 1e9, &min_delta)) &&
        !(rc = tn__jr_int(r, obj, "threads", 0, 1, 1, TN_MAX_THREADS, &threads))) {
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

/* {"images": FILE, "labels": FILE} at key; absent and not required leaves both NULL. */
static int parse_idx_files(tn_jr *r, const cJSON *obj, const char *key, int required,
                           const char *config, char **images, char **labels)
{
    const cJSON *o;
    int rc = tn__jr_object(r, obj, key, required, &o);
    if (rc || !o)
        return rc;
    size_t mark = tn__jr_push_key(r, key);
    const char *im, *lb;
    if (!(rc = tn__jr_check_keys(r, o, idx_file_keys)) &&
        !(rc = tn__jr_str(r, o, "images", 1, NULL, &im)) &&
        !(rc = tn__jr_str(r, o, "labels", 1, NULL, &lb)) &&
        (!(*images = resolve_path(config, im)) || !(*labels = resolve_path(config, lb))))
        rc = tn__jr_oom(r, NULL);
    tn__jr_pop(r, mark);
    return rc;
}

/* "idx" and "fashion-mnist": images into the one float input, class-index labels. */
static int parse_image_data(tn_jr *r, const cJSON *obj, tn_config *c)
{
    tn_data_cfg *d = &c->data;
    const char *fmt = tn__data_format_names[d->format];
    static const char *const csv_only[] = {"inputs", "target", NULL};
    static const char *const named_files[] = {"train", "test", "holdout", NULL};
    for (int i = 0; csv_only[i]; i++)
        if (cJSON_GetObjectItemCaseSensitive(obj, csv_only[i]))
            return tn__jr_fail(r, csv_only[i], "not used with format \"%s\": the images feed "
                               "the network's one float input and the labels are the target",
                               fmt);
    for (int i = 0; d->format == TN_DATA_FASHION && named_files[i]; i++)
        if (cJSON_GetObjectItemCaseSensitive(obj, named_files[i]))
            return tn__jr_fail(r, named_files[i], "not used with format \"fashion-mnist\": its "
                               "train and test files come from the dataset-fashion-mnist "
                               "package (format \"idx\" names files)");
    int rc = tn__jr_check_keys(r, obj, d->format == TN_DATA_IDX ? idx_data_keys
                                                                 : fashion_data_keys);
    if (rc == TN_OK && (c->net->n_inputs != 1 || c->net->nodes[0].kind != TN_NODE_FLOAT_INPUT))
        rc = tn__jr_fail(r, "format", "\"%s\" needs a network with one float input (the "
                         "flattened image), this one has %d input%s", fmt, c->net->n_inputs,
                         c->net->n_inputs == 1 ? " of ids" : "s");
    if (rc == TN_OK && c->loss.ops->target != TN_TARGET_CLASS)
        rc = tn__jr_fail(r, "format", "\"%s\" labels are class indices: the loss must be "
                         "\"categorical_crossentropy\", not \"%s\"", fmt,
                         c->loss.ops->name);
    if (rc == TN_OK && d->format == TN_DATA_IDX &&
        !(rc = parse_idx_files(r, obj, "train", 1, c->path, &d->train, &d->train_labels)) &&
        !(rc = parse_idx_files(r, obj, "test", 0, c->path, &d->test, &d->test_labels)) &&
        !(rc = tn__jr_num(r, obj, "holdout", 0, 0, 0, 0.9, &d->holdout)) && d->test &&
        cJSON_GetObjectItemCaseSensitive(obj, "holdout"))
        rc = tn__jr_fail(r, "holdout", "give either a test set or a holdout fraction, not both");
    return rc;
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
        rc = tn__jr_oom(r, NULL);
    tn_columns *cols = &d->columns;
    cols->n_inputs = c->net->n_inputs;
    for (int i = 0; rc == TN_OK && i < c->net->n_inputs; i++) {
        int user = strcmp(c->net->nodes[i].name, d->ratings.user_input) == 0;
        const char *col = d->ratings.header[user ? TN_RF_USER : TN_RF_ITEM];
        if (!(cols->in[i].names = tn__calloc(1, sizeof *cols->in[i].names)))
            return tn__jr_oom(r, NULL);
        cols->in[i].n = 1;
        snprintf(cols->in[i].names[0], TN_MAX_NAME, "%s", col);
    }
    if (rc == TN_OK && !(cols->target.names = tn__calloc(1, sizeof *cols->target.names)))
        return tn__jr_oom(r, NULL);
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
    tn_error e;
    if (!(rc = tn__jr_enum(r, obj, "format", 0, TN_DATA_CSV, tn__data_format_names, &d->format)) &&
        !(rc = tn__jr_enum(r, obj, "scaling", 0, TN_SCALING_NONE, tn__scaling_names,
                           &d->scaling)) &&
        d->scaling != TN_SCALING_NONE && tn__scaling_input(c->net, &e) < 0)
        rc = tn__jr_fail(r, "scaling", "%s", e.msg);
    if (rc == TN_OK && d->format != TN_DATA_CSV) {
        rc = d->format == TN_DATA_RATINGS ? parse_ratings(r, obj, c) : parse_image_data(r, obj, c);
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
            rc = tn__jr_oom(r, NULL);
    }
    if (rc == TN_OK)
        rc = tn__columns_parse(r, obj, c->net, 1, &d->columns);
    tn__jr_pop(r, mark);
    return rc;
}

static int parse_root(tn_jr *r, const cJSON *root, tn_config *c)
{
    long long seed;
    tn_error e;
    int rc;
    if ((rc = tn__jr_check_keys(r, root, top_keys)) ||
        (rc = tn__jr_int(r, root, "seed", 0, 1, 0, TN_MAX_SEED, &seed)) ||
        (rc = tn__net_from_json(r, root, &c->net)) ||
        (rc = tn__loss_parse(r, root, "loss", &c->loss)))
        return rc;
    const tn_layer *out = tn__net_output_layer(c->net);
    if (tn__loss_check_output(&c->loss, out->act ? out->act->m : NULL, &e))
        return tn__jr_fail(r, "loss", "%s", e.msg);
    if ((rc = tn__optim_parse(r, root, "optimizer", &c->optim)) || (rc = parse_train(r, root, c)) ||
        (rc = parse_data(r, root, c)))
        return rc;
    c->train.seed = (unsigned long long)seed;
    size_t tw = c->data.format == TN_DATA_CSV ? c->data.columns.target.n : 1;
    if (tn__loss_check_targets(&c->loss, c->net->nodes[c->net->output].width, tw, &e))
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
    tn__free(c->data.train_labels);
    tn__free(c->data.test_labels);
    tn__free(c->path);
    tn__free(c);
}

int tn__config_save_model(const tn_config *c, const char *path, const tn_scaling *scaling,
                          const cJSON *training, tn_error *err)
{
    cJSON *loss = tn__loss_json(&c->loss);
    int rc = loss ? tn__model_save(path, c->net, loss, &c->data.columns, scaling, training, err)
                  : tn__err(err, TN_ENOMEM, "%s: out of memory building the model header", path);
    cJSON_Delete(loss);
    return rc;
}
