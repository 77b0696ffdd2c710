/* The "fashion-mnist" data format: Fashion-MNIST from Debian's dataset-fashion-mnist
 * package (or $TN_FASHION_MNIST_DIR), located when the data is loaded so a config parses
 * without the package; IDX files like the "idx" format, with the ten class names.
 *   "data": {"format": "fashion-mnist", "scaling": "unit"}
 * eval and predict read fashion-mnist:test (or :train), or IDX files like "idx". */
#include "data/format.h"

#include "core/alloc.h"
#include "core/error.h"
#include "data/idx.h"

#include <string.h>

extern const tn_data_format tn__data_fashion;

static int fashion_parse(tn_jr *r, const cJSON *obj, const tn_data_ctx *c, void **state)
{
    static const char *const named_files[] = {"train", "test", "holdout", NULL};
    *state = NULL;
    int rc = tn__data_image_checks(r, obj, "fashion-mnist");
    for (int i = 0; rc == TN_OK && named_files[i]; i++)
        if (cJSON_GetObjectItemCaseSensitive(obj, named_files[i]))
            rc = tn__jr_fail(r, named_files[i], "not used with format \"fashion-mnist\": its "
                             "train and test files come from the dataset-fashion-mnist "
                             "package (format \"idx\" names files)");
    if (rc == TN_OK)
        rc = tn__data_check_keys(r, obj, &tn__data_fashion);
    if (rc == TN_OK)
        rc = tn__data_image_net(r, c, "fashion-mnist");
    return rc;
}

static size_t one_target(const void *state)
{
    (void)state;
    return 1;
}

/* which: 0 train, 1 test; sel: the rows to keep (NULL: all). */
static int load_set(int which, const tn_net *net, const tn_row_select *sel, tn_dataset **out,
                    float *type_max, tn_error *err)
{
    char images[4096], labels[4096];
    *out = NULL;
    int rc = tn__fashion_paths(which, images, sizeof images, labels, sizeof labels, err);
    return rc ? rc : tn__data_load_idx_rows(images, labels, net, sel, out, type_max, err);
}

static int fashion_load(const void *state, const tn_data_ctx *c, unsigned long long seed,
                        tn_data_loaded *out, tn_error *err)
{
    (void)state, (void)seed;
    float unused;
    int rc = load_set(0, c->net, NULL, &out->train, &out->type_max, err);
    return rc ? rc : load_set(1, c->net, NULL, &out->test, &unused, err);
}

static int fashion_load_rows(const void *state, const tn_data_ctx *c, unsigned long long seed,
                             const tn_row_select *sel, tn_data_loaded *out, size_t *read,
                             tn_error *err)
{
    (void)state, (void)seed;
    float unused;
    int rc = load_set(0, c->net, sel, &out->train, &out->type_max, err);
    if (rc == TN_OK)
        rc = load_set(1, c->net, NULL, &out->test, &unused, err);
    *read = rc == TN_OK ? out->train->rows : 0;
    return rc;
}

static int fashion_from_record(tn_jr *r, const cJSON *obj, const tn_data_ctx *c, void **state)
{
    (void)r, (void)obj, (void)c;
    *state = NULL;
    return TN_OK;
}

int tn__data_fashion_keyword(const tn_data_source *src)
{
    return !src->text && src->n_paths == 1 && strncmp(src->paths[0], "fashion-mnist:", 14) == 0;
}

int tn__data_read_fashion(const char *keyword, const tn_net *net, tn_dataset **out,
                          tn_error *err)
{
    const char *set = keyword + 14;
    *out = NULL;
    if (strcmp(set, "train") != 0 && strcmp(set, "test") != 0)
        return tn__err(err, TN_EINVAL, "%s: expected fashion-mnist:train or fashion-mnist:test",
                       keyword);
    if (net->nodes[net->output].width < 2)
        return tn__err(err, TN_ESHAPE, "the model has 1 output, and class labels need one "
                       "output per class (a softmax layer)");
    float type_max;
    return load_set(strcmp(set, "test") == 0, net, NULL, out, &type_max, err);
}

static int fashion_read(const void *state, const tn_data_ctx *c, const tn_data_source *src,
                        int with_targets, tn_dataset **out, tn_error *err)
{
    (void)state;
    *out = NULL;
    if (tn__data_fashion_keyword(src))
        return tn__data_read_fashion(src->paths[0], c->net, out, err);
    int rc = tn__data_source_check(&tn__data_fashion, src, with_targets ? 2 : 1, 0, err);
    return rc ? rc : tn__data_read_images(src, c->net, with_targets, out, err);
}

static const char *fashion_class_name(const cJSON *record, size_t k)
{
    (void)record;
    return k < TN_FASHION_CLASSES ? tn__fashion_classes[k] : NULL;
}

const tn_data_format tn__data_fashion = {
    .name = "fashion-mnist",
    .doc = "Fashion-MNIST from Debian's dataset-fashion-mnist package (or "
           "$TN_FASHION_MNIST_DIR): 60000 training and 10000 test images of 10 classes",
    .sources = "fashion-mnist:test (or :train), or IDX files IMAGES LABELS",
    .parse = fashion_parse,
    .target_width = one_target,
    .load = fashion_load,
    .from_record = fashion_from_record,
    .read = fashion_read,
    .class_name = fashion_class_name,
    .load_rows = fashion_load_rows,
};
