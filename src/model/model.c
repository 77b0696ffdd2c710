#include "model/model.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"
#include "core/text.h"
#include "graph/quant.h"
#include "model/modelfile.h"

#include <stdio.h>
#include <string.h>


/* "columns" is read from files written before the input format was recorded in "data". */
static const char *const header_keys[] = {"format", "name", "inputs", "layers", "loss",
                                          "data", "columns", "scaling", "tensors", "training",
                                          NULL};
static const char *const tensor_keys[] = {"layer", "name", "shape", NULL};

/* Every tensor in the header must be, in order, the tensor the architecture implies. */
static int check_tensors(tn_jr *r, const cJSON *root, const tn_net *net, size_t n_params)
{
    const cJSON *arr;
    int rc = tn__jr_array(r, root, "tensors", 1, &arr);
    if (rc)
        return rc;
    const cJSON *t = arr ? arr->child : NULL;
    size_t mark = tn__jr_push_key(r, "tensors"), k = 0;
    for (int i = 0; rc == TN_OK && i < net->n_layers; i++) {
        const tn_layer *L = &net->layers[i];
        for (int j = 0; rc == TN_OK && j < L->n_tensors; j++, k++, t = t->next) {
            const tn_tensor_info *want = &L->tensors[j];
            if (!t) {
                rc = tn__jr_fail(r, NULL, "tensor %s.%s is missing", L->name, want->name);
                break;
            }
            size_t m2 = tn__jr_push_index(r, k);
            const char *layer, *name;
            const cJSON *shape;
            if (!(rc = tn__jr_check_keys(r, t, tensor_keys)) &&
                !(rc = tn__jr_str(r, t, "layer", 1, NULL, &layer)) &&
                !(rc = tn__jr_str(r, t, "name", 1, NULL, &name)) &&
                !(rc = tn__jr_array(r, t, "shape", 1, &shape))) {
                const cJSON *a = cJSON_GetArrayItem(shape, 0), *b = cJSON_GetArrayItem(shape, 1);
                int shape_ok = cJSON_GetArraySize(shape) == 2 && cJSON_IsNumber(a) &&
                               cJSON_IsNumber(b) && a->valuedouble == (double)want->rows &&
                               b->valuedouble == (double)want->cols;
                if (strcmp(layer, L->name) != 0 || strcmp(name, want->name) != 0)
                    rc = tn__jr_fail(r, NULL, "expected tensor %s.%s, found %s.%s", L->name,
                                     want->name, layer, name);
                else if (!shape_ok)
                    rc = tn__jr_fail(r, "shape", "tensor %s.%s: the architecture needs shape "
                                     "[%zu, %zu]", L->name, want->name, want->rows, want->cols);
            }
            tn__jr_pop(r, m2);
        }
    }
    if (rc == TN_OK && t)
        rc = tn__jr_fail(r, NULL, "%d tensors listed, the architecture has %zu",
                         cJSON_GetArraySize(arr), k);
    tn__jr_pop(r, mark);
    if (rc == TN_OK && n_params != net->n_params)
        rc = tn__jr_fail(r, NULL, "the file holds %zu parameters, the architecture %zu",
                         n_params, net->n_params);
    return rc;
}

/* Whatever the input format, recorded target columns are one per output, or one class
 * index: a header that claims otherwise is refused when loaded, not at its first eval. */
static int check_targets(tn_jr *r, const char *key, const cJSON *rec, const tn_net *net)
{
    const cJSON *t = rec ? cJSON_GetObjectItemCaseSensitive(rec, "target") : NULL;
    if (!t)
        return TN_OK;
    size_t W = net->nodes[net->output].width;
    size_t n = cJSON_IsString(t) ? 1 : cJSON_IsArray(t) ? (size_t)cJSON_GetArraySize(t) : 0;
    size_t mark = tn__jr_push_key(r, key);
    int rc = TN_OK;
    if (n == 0)
        rc = tn__jr_fail(r, "target", "expected a column name or an array of them");
    else if (n != W && n != 1)
        rc = tn__jr_fail(r, "target", "%zu target columns for a network with %zu output%s "
                         "(expected %zu, or 1 holding a class index)", n, W, W == 1 ? "" : "s",
                         W);
    tn__jr_pop(r, mark);
    return rc;
}

/* The loss is kept as written: the training side knows the losses (a predict-only program
 * links none of them); here only its form is checked, a name or an object with a "type". */
static int parse_loss(tn_jr *r, const cJSON *root, tn_model *m)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "loss");
    const char *name;
    int rc;
    if (cJSON_IsObject(v)) {
        size_t mark = tn__jr_push_key(r, "loss");
        rc = tn__jr_str(r, v, "type", 1, NULL, &name);
        tn__jr_pop(r, mark);
    } else {
        rc = tn__jr_str(r, root, "loss", 1, NULL, &name);
    }
    if (rc == TN_OK && !(m->loss = cJSON_Duplicate(v, 1)))
        rc = tn__jr_oom(r, "loss");
    return rc;
}

static int parse_header(tn_jr *r, const cJSON *root, size_t n_params, tn_model *m)
{
    const char *format;
    int rc;
    if ((rc = tn__jr_str(r, root, "format", 1, NULL, &format)))
        return rc;
    if (strcmp(format, "tinynet-checkpoint") == 0) /* a message, not a dependency on train/ */
        return tn__jr_fail(r, "format", "this is a training checkpoint, not a model: continue "
                           "it with `tinynet train CONFIG --resume FILE`");
    if (strcmp(format, TN_MODEL_FORMAT) != 0)
        return tn__jr_fail(r, "format", "expected \"%s\", got \"%.64s\"", TN_MODEL_FORMAT,
                           format);
    if ((rc = tn__jr_check_keys(r, root, header_keys)))
        return rc;
    const cJSON *data, *cols, *training, *scaling;
    if ((rc = tn__net_from_json_limit(r, root, n_params, &m->net)) ||
        (rc = parse_loss(r, root, m)) ||
        (rc = tn__jr_object(r, root, "data", 0, &data)) ||
        (rc = tn__jr_object(r, root, "columns", 0, &cols)) ||
        (rc = tn__jr_object(r, root, "scaling", 0, &scaling)))
        return rc;
    /* The input format is the data side's to interpret (eval, predict); a predict-only
     * program needs none of it. Kept as written, after a check of its form. */
    if (data) {
        size_t mark = tn__jr_push_key(r, "data");
        const char *format;
        rc = tn__jr_str(r, data, "format", 1, NULL, &format);
        tn__jr_pop(r, mark);
    }
    if (rc == TN_OK && ((data && !(m->data = cJSON_Duplicate(data, 1))) ||
                        (cols && !(m->columns = cJSON_Duplicate(cols, 1)))))
        rc = tn__jr_oom(r, NULL);
    if (rc == TN_OK && scaling)
        rc = tn__scaling_parse(r, scaling, m->net, &m->scaling);
    if (rc == TN_OK)
        rc = check_targets(r, data ? "data" : "columns", data ? data : cols, m->net);
    if (rc || (rc = check_tensors(r, root, m->net, n_params)) ||
        (rc = tn__jr_object(r, root, "training", 0, &training)))
        return rc;
    if (training && !(m->training = cJSON_Duplicate(training, 1)))
        return tn__jr_oom(r, "training");
    return TN_OK;
}

static int decode_container(const char *name, tn_modelfile *mf, tn_model **out, tn_error *err)
{
    char label[300];
    snprintf(label, sizeof label, "%s: header", name);
    cJSON *root;
    /* Files written before text was checked may hold bytes that are not UTF-8 (a config
     * path from a Latin-1 file system): shown as '?', not a reason to refuse the model. */
    for (size_t i = 0; i < mf->header_len;) {
        uint32_t cp;
        size_t k = tn__utf8_next(mf->header + i, mf->header_len - i, &cp);
        if (k == 0)
            mf->header[i++] = '?';
        else
            i += k;
    }
    int rc = tn__jr_parse(label, mf->header, mf->header_len, &root, err);
    if (rc) {
        /* Bad JSON in a model file is a malformed file, not a bad config. */
        if (rc != TN_ENOMEM) {
            rc = TN_EFORMAT;
            if (err)
                err->code = rc;
        }
        return rc;
    }
    tn_model *m = tn__calloc(1, sizeof *m);
    if (!m || !(m->source = tn__strdup(name))) {
        tn__free(m);
        cJSON_Delete(root);
        return tn__err(err, TN_ENOMEM, "out of memory");
    }
    tn_jr r;
    tn__jr_init(&r, label, err);
    rc = parse_header(&r, root, mf->n_params, m);
    cJSON_Delete(root);
    if (rc) {
        /* A header the architecture parser rejects is a malformed file (out of memory is
         * not the file's fault). */
        if (rc != TN_ENOMEM)
            rc = TN_EFORMAT;
        if (err)
            err->code = rc;
        tn__model_free(m);
        return rc;
    }
    memcpy(m->net->P, mf->params, mf->n_params * sizeof *mf->params);
    m->version = mf->version;
    *out = m;
    return TN_OK;
}

int tn__model_open(const char *name, const unsigned char *buf, size_t len, unsigned flags,
                   tn_model **out, tn_error *err)
{
    if (!out)
        return tn__err(err, TN_EINVAL, "tn__model_open: NULL argument");
    *out = NULL;
    int allow_nonfinite = (flags & TN__MODEL_ALLOW_NONFINITE) != 0;
    tn_modelfile mf = {0};
    int rc = buf ? tn__modelfile_decode(name, buf, len, allow_nonfinite, &mf, err)
                 : tn__modelfile_read(name, allow_nonfinite, &mf, err);
    if (rc == TN_OK)
        rc = decode_container(name ? name : "model", &mf, out, err);
    tn__modelfile_release(&mf);
    return rc;
}

int tn__model_decode(const char *name, const unsigned char *buf, size_t len, tn_model **out,
                     tn_error *err)
{
    if (!buf && out)
        *out = NULL;
    if (!buf)
        return tn__err(err, TN_EINVAL, "%s: NULL buffer", name ? name : "model");
    return tn__model_open(name, buf, len, 0, out, err);
}

int tn__model_load(const char *path, tn_model **out, tn_error *err)
{
    if (!path && out)
        *out = NULL;
    if (!path)
        return tn__err(err, TN_EINVAL, "tn__model_load: NULL path");
    return tn__model_open(path, NULL, 0, 0, out, err);
}

void tn__model_free(tn_model *m)
{
    if (!m)
        return;
    if (m->base) { /* a view: only its int8 form and name are its own */
        tn__qnet_free(m->quant);
        tn__free(m->source);
        tn__free(m);
        return;
    }
    tn__net_free(m->net);
    cJSON_Delete(m->data);
    cJSON_Delete(m->columns);
    tn__scaling_free(&m->scaling);
    tn__free(m->source);
    cJSON_Delete(m->loss);
    cJSON_Delete(m->training);
    tn__free(m);
}
