/* The "idx" data format: images and labels in IDX files (the MNIST layout, plain or gzip,
 * data/idx.h); the images, flattened, feed the network's one float input and the labels
 * are class indices:
 *   "data": {"format": "idx", "train": {"images": F, "labels": F},
 *            "test": {"images": F, "labels": F} | "holdout": 0.1}
 * eval reads IMAGES LABELS, predict IMAGES. The functions shared with "fashion-mnist",
 * which reads the same files from Debian's package, are declared in data/idx.h. */
#include "data/format.h"

#include "core/alloc.h"
#include "core/error.h"
#include "data/idx.h"

#include <string.h>

extern const tn_data_format tn__data_idx;

typedef struct idx_state {
    char *train, *train_labels; /* resolved paths (config only) */
    char *test, *test_labels;
    double holdout;
} idx_state;

static const char *const idx_keys[] = {"train", "test", "holdout", NULL};
static const char *const idx_file_keys[] = {"images", "labels", NULL};

int tn__data_image_checks(tn_jr *r, const cJSON *obj, const char *fmt)
{
    static const char *const csv_only[] = {"inputs", "target", NULL};
    for (int i = 0; csv_only[i]; i++)
        if (cJSON_GetObjectItemCaseSensitive(obj, csv_only[i]))
            return tn__jr_fail(r, csv_only[i], "not used with format \"%s\": the images feed "
                               "the network's one float input and the labels are the target",
                               fmt);
    return TN_OK;
}

int tn__data_image_net(tn_jr *r, const tn_data_ctx *c, const char *fmt)
{
    const tn_net *net = c->net;
    if (net->n_inputs != 1 || net->nodes[0].kind != TN_NODE_FLOAT_INPUT)
        return tn__jr_fail(r, "format", "\"%s\" needs a network with one float input (the "
                           "flattened image), this one has %d input%s", fmt, net->n_inputs,
                           net->n_inputs == 1 ? " of ids" : "s");
    if (c->targets.kind != TN_TARGET_CLASS)
        return tn__jr_fail(r, "format", "\"%s\" labels are class indices: the loss must be "
                           "\"categorical_crossentropy\", not \"%s\"", fmt,
                           c->targets.needed_by);
    return TN_OK;
}

static float idx_type_max(int type)
{
    switch (type) {
    case 0x08: return 255.0f;
    case 0x09: return 127.0f;
    case 0x0B: return 32767.0f;
    case 0x0C: return 2147483647.0f;
    default: return 0.0f; /* float types */
    }
}

int tn__data_load_idx(const char *images, const char *labels, const tn_net *net,
                      tn_dataset **out, float *type_max, tn_error *err)
{
    return tn__data_load_idx_rows(images, labels, net, NULL, out, type_max, err);
}

/* For tn__idx_read_rows: the labels file must count the images' items. */
typedef struct pair_select {
    const tn_row_select *sel;
    const char *images;
    size_t count;       /* the images' (0: not read yet) */
} pair_select;

static int select_pair(void *user, size_t count, const uint32_t **rows, size_t *n,
                       tn_error *err)
{
    pair_select *p = user;
    if (p->count && count != p->count)
        return tn__err(err, TN_ESHAPE, "the labels file has %zu items, the images file "
                       "(%s) %zu", count, p->images, p->count);
    p->count = count;
    return p->sel->select(p->sel->user, count, rows, n, err);
}

int tn__data_load_idx_rows(const char *images, const char *labels, const tn_net *net,
                           const tn_row_select *sel, tn_dataset **out, float *type_max,
                           tn_error *err)
{
    *out = NULL;
    tn_idx *im = NULL, *lb = NULL;
    tn_dataset *d = NULL;
    size_t W = net->nodes[net->output].width, n_im = 0, n_lb = 0; /* the files' items */
    pair_select ps = {sel, images, 0};
    int rc = sel ? tn__idx_read_rows(images, select_pair, &ps, &im, &n_im, err)
                 : tn__idx_read(images, &im, err);
    if (rc == TN_OK && labels &&
        !(rc = sel ? tn__idx_read_rows(labels, select_pair, &ps, &lb, &n_lb, err)
                   : tn__idx_read(labels, &lb, err)))
        rc = tn__idx_check_pair(im, images, lb, labels, W, err);
    if (rc == TN_OK && im->ndim < 2)
        rc = tn__err(err, TN_ESHAPE, "%s: images need at least 2 dimensions (count x "
                     "features), got %d", images, im->ndim);
    if (rc == TN_OK && (net->n_inputs != 1 || net->nodes[0].kind != TN_NODE_FLOAT_INPUT))
        rc = tn__err(err, TN_ESHAPE, "%s: images feed a network with one float input",
                     images);
    if (rc == TN_OK && im->item != net->nodes[0].width)
        rc = tn__err(err, TN_ESHAPE, "%s: each image has %zu values, but input \"%s\" has "
                     "width %zu", images, im->item, net->nodes[0].name, net->nodes[0].width);
    if (rc == TN_OK && !(d = tn__calloc(1, sizeof *d)))
        rc = tn__err(err, TN_ENOMEM, "out of memory");
    if (rc == TN_OK) {
        /* The reader's float buffers become the dataset's: no copy of 47 M values. */
        d->rows = im->count;
        d->n_inputs = 1;
        d->width[0] = im->item;
        d->x[0] = im->values;
        im->values = NULL;
        if (lb) {
            d->t = lb->values;
            d->t_width = 1;
            lb->values = NULL;
        }
        *type_max = idx_type_max(im->type);
        *out = d;
    }
    tn__idx_free(im);
    tn__idx_free(lb);
    return rc;
}


int tn__data_read_images(const tn_data_source *src, const tn_net *net, int with_targets,
                         tn_dataset **out, tn_error *err)
{
    size_t W = net->nodes[net->output].width;
    float type_max;
    *out = NULL;
    if (with_targets && W < 2)
        return tn__err(err, TN_ESHAPE, "the model has 1 output, and class labels need one "
                       "output per class (a softmax layer)");
    return tn__data_load_idx(src->paths[0], with_targets ? src->paths[1] : NULL, net, out,
                             &type_max, err);
}

/* {"images": FILE, "labels": FILE} at key; absent and not required leaves both NULL. */
static int parse_files(tn_jr *r, const cJSON *obj, const char *key, int required,
                       const char *config, char **images, char **labels)
{
    const cJSON *o;
    int rc = tn__jr_object(r, obj, key, required, &o);
    if (rc || !o)
        return rc;
    size_t mark = tn__jr_push_key(r, key);
    if (!(rc = tn__jr_check_keys(r, o, idx_file_keys)) &&
        !(rc = tn__data_path(r, o, "images", 1, config, images)))
        rc = tn__data_path(r, o, "labels", 1, config, labels);
    tn__jr_pop(r, mark);
    return rc;
}

static void idx_free(void *state)
{
    idx_state *s = state;
    if (!s)
        return;
    tn__free(s->train);
    tn__free(s->train_labels);
    tn__free(s->test);
    tn__free(s->test_labels);
    tn__free(s);
}

static int idx_parse(tn_jr *r, const cJSON *obj, const tn_data_ctx *c, void **state)
{
    idx_state *s = tn__calloc(1, sizeof *s);
    if (!s)
        return tn__jr_oom(r, NULL);
    *state = s;
    int rc;
    if (!(rc = tn__data_image_checks(r, obj, "idx")) &&
        !(rc = tn__data_check_keys(r, obj, &tn__data_idx)) &&
        !(rc = tn__data_image_net(r, c, "idx")) &&
        !(rc = parse_files(r, obj, "train", 1, c->config, &s->train, &s->train_labels)) &&
        !(rc = parse_files(r, obj, "test", 0, c->config, &s->test, &s->test_labels)))
        rc = tn__data_parse_holdout(r, obj, s->test != NULL, "set", &s->holdout);
    return rc;
}

static size_t one_target(const void *state)
{
    (void)state;
    return 1;
}

static int idx_load(const void *state, const tn_data_ctx *c, unsigned long long seed,
                    tn_data_loaded *out, tn_error *err)
{
    const idx_state *s = state;
    float unused;
    int rc = tn__data_load_idx(s->train, s->train_labels, c->net, &out->train, &out->type_max,
                               err);
    if (rc == TN_OK && s->test)
        rc = tn__data_load_idx(s->test, s->test_labels, c->net, &out->test, &unused, err);
    if (rc == TN_OK)
        rc = tn__data_holdout(out, s->holdout, seed, err);
    return rc;
}

static int idx_load_rows(const void *state, const tn_data_ctx *c, unsigned long long seed,
                         const tn_row_select *sel, tn_data_loaded *out, size_t *read,
                         tn_error *err)
{
    const idx_state *s = state;
    if (s->holdout > 0) /* the holdout is drawn over all rows: read whole, keep the chosen */
        return tn__data_load_chosen(idx_load, state, c, seed, sel, out, read, err);
    float unused;
    int rc = tn__data_load_idx_rows(s->train, s->train_labels, c->net, sel, &out->train,
                                    &out->type_max, err);
    if (rc == TN_OK && s->test)
        rc = tn__data_load_idx(s->test, s->test_labels, c->net, &out->test, &unused, err);
    *read = rc == TN_OK ? out->train->rows : 0;
    return rc;
}

static int idx_from_record(tn_jr *r, const cJSON *obj, const tn_data_ctx *c, void **state)
{
    (void)obj, (void)c;
    if (!(*state = tn__calloc(1, sizeof(idx_state))))
        return tn__jr_oom(r, NULL);
    return TN_OK;
}

static int idx_read(const void *state, const tn_data_ctx *c, const tn_data_source *src,
                    int with_targets, tn_dataset **out, tn_error *err)
{
    (void)state;
    *out = NULL;
    /* Models from before the format was recorded are "idx" whatever they were trained on:
     * the Fashion-MNIST keyword still reads Debian's files for them. */
    if (tn__data_fashion_keyword(src))
        return tn__data_read_fashion(src->paths[0], c->net, out, err);
    int rc = tn__data_source_check(&tn__data_idx, src, with_targets ? 2 : 1, 0, err);
    return rc ? rc : tn__data_read_images(src, c->net, with_targets, out, err);
}

static const tn__keydoc idx_docs[] = {
    {"train", "the training set: {\"images\": FILE, \"labels\": FILE}, relative to the config file "
             "(required)"},
    {"test", "the test set: {\"images\": FILE, \"labels\": FILE}"},
    {"holdout", "instead of test: a fraction of the training rows kept aside (seeded), in "
                "[0, 0.9]"},
    {NULL, NULL}};

const tn_data_format tn__data_idx = {
    .name = "idx",
    .keys = idx_keys,
    .doc = "images and labels in IDX files (the MNIST layout), plain or gzip-compressed",
    .key_docs = idx_docs,
    .sources = "IDX files: IMAGES LABELS (IMAGES alone to predict), plain or .gz",
    .parse = idx_parse,
    .target_width = one_target,
    .load = idx_load,
    .from_record = idx_from_record,
    .read = idx_read,
    .free = idx_free,
    .load_rows = idx_load_rows,
};
