/* Writing models: the .tnn container (magic, version, header, parameters, CRC), the JSON
 * header (architecture, loss, input format, scaling, tensors, training record), and the
 * input scaling fitted on training rows. Apart from the loaders, so a predict-only program
 * links no writer. */
#include "model/model.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "model/modelfile.h"

#include <math.h>
#include <string.h>


/* ---- the container ------------------------------------------------------------------- */

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

int tn__modelfile_encode(const char *header, const float *params, size_t n, unsigned char **out,
                         size_t *len, tn_error *err)
{
    if (!header || (!params && n > 0) || !out || !len)
        return tn__err(err, TN_EINVAL, "tn__modelfile_encode: NULL argument");
    *out = NULL;
    *len = 0;
    size_t hlen = strlen(header), blob, total;
    if (hlen > TN_MODELFILE_MAX_HEADER)
        return tn__err(err, TN_EINVAL, "model header is %zu bytes; the limit is %zu", hlen,
                       TN_MODELFILE_MAX_HEADER);
    if (tn__mul_size(n, 4, &blob) || blob > SIZE_MAX - TN_MODELFILE_MIN_SIZE - hlen)
        return tn__err(err, TN_EINVAL, "too many parameters for a model file (%zu)", n);
    total = TN_MODELFILE_MIN_SIZE + hlen + blob;
    unsigned char *buf = tn__malloc(total);
    if (!buf)
        return tn__err(err, TN_ENOMEM, "out of memory encoding a %zu-byte model file", total);

    unsigned char *p = buf;
    memcpy(p, TN_MODELFILE_MAGIC, 4);
    put_u32(p + TN_MODELFILE_OFF_VERSION, TN_MODELFILE_VERSION);
    put_u32(p + TN_MODELFILE_OFF_HLEN, (uint32_t)hlen);
    memcpy(p + TN_MODELFILE_OFF_HEADER, header, hlen);
    p += TN_MODELFILE_OFF_HEADER + hlen;
    put_u64(p, (uint64_t)n);
    p += 8;
    for (size_t i = 0; i < n; i++, p += 4) {
        uint32_t bits;
        memcpy(&bits, &params[i], sizeof bits);
        put_u32(p, bits);
    }
    put_u32(p, tn__crc32(0, buf, total - 4));
    *out = buf;
    *len = total;
    return TN_OK;
}

/* The container written piecewise: the floats go out in chunks, little-endian, with the
 * CRC kept as they pass, so no image of the file is ever held in memory. */
typedef struct blocks_out {
    const char *header;
    size_t hlen;
    const float *const *blocks;
    size_t k, n;
} blocks_out;

static void put_crc(tn_sink *sink, uint32_t *crc, const void *p, size_t len)
{
    *crc = tn__crc32(*crc, p, len);
    tn__sink_put(sink, p, len);
}

static void produce_blocks(void *user, tn_sink *sink)
{
    const blocks_out *b = user;
    unsigned char head[TN_MODELFILE_OFF_HEADER], chunk[4096], count[8];
    uint32_t crc = 0;
    memcpy(head, TN_MODELFILE_MAGIC, 4);
    put_u32(head + TN_MODELFILE_OFF_VERSION, TN_MODELFILE_VERSION);
    put_u32(head + TN_MODELFILE_OFF_HLEN, (uint32_t)b->hlen);
    put_crc(sink, &crc, head, sizeof head);
    put_crc(sink, &crc, b->header, b->hlen);
    put_u64(count, (uint64_t)(b->k * b->n));
    put_crc(sink, &crc, count, sizeof count);
    for (size_t j = 0; j < b->k && !sink->failed; j++) {
        const float *f = b->blocks[j];
        for (size_t i = 0; i < b->n;) {
            size_t m = 0;
            for (; m < sizeof chunk / 4 && i < b->n; m++, i++) {
                uint32_t bits;
                memcpy(&bits, &f[i], sizeof bits);
                put_u32(chunk + 4 * m, bits);
            }
            put_crc(sink, &crc, chunk, 4 * m);
        }
    }
    unsigned char tail[4];
    put_u32(tail, crc);
    tn__sink_put(sink, tail, sizeof tail);
}

int tn__modelfile_write_blocks(const char *path, const char *header, const float *const *blocks,
                               size_t k, size_t n, tn_error *err)
{
    size_t hlen = strlen(header), total;
    if (hlen > TN_MODELFILE_MAX_HEADER)
        return tn__err(err, TN_EINVAL, "%s: the header is %zu bytes; the limit is %zu", path,
                       hlen, TN_MODELFILE_MAX_HEADER);
    if (tn__mul_size(k, n, &total) || total > SIZE_MAX / 4)
        return tn__err(err, TN_EINVAL, "%s: too many parameters for a file", path);
    blocks_out b = {header, hlen, blocks, k, n};
    return tn__write_atomic_with(path, produce_blocks, &b, err);
}

int tn__modelfile_write(const char *path, const char *header, const float *params, size_t n,
                        tn_error *err)
{
    unsigned char *buf;
    size_t len;
    int rc = tn__modelfile_encode(header, params, n, &buf, &len, err);
    if (rc != TN_OK) {
        if (err)
            tn__err_prefix(err, "%s", path ? path : "(null)");
        return rc;
    }
    rc = tn__write_atomic(path, buf, len, err);
    tn__free(buf);
    return rc;
}

/* ---- the scaling ---------------------------------------------------------------------- */

static int alloc_stats(tn_scaling *s, size_t n)
{
    s->n = n;
    s->mean = tn__floats_alloc(n);
    s->std = tn__floats_alloc(n);
    return s->mean && s->std ? 0 : -1;
}

int tn__scaling_fit(tn_scaling *s, int kind, float type_max, const tn_net *net,
                    float *const *inputs, size_t rows, tn_error *err)
{
    memset(s, 0, sizeof *s);
    if (kind == TN_SCALING_NONE)
        return TN_OK;
    int in = tn__scaling_input(net, err);
    if (in < 0)
        return TN_ECONFIG;
    s->kind = kind;
    s->input = in;
    size_t W = net->nodes[in].width;
    const float *x = inputs[in];
    if (alloc_stats(s, kind == TN_SCALING_UNIT ? 1 : W)) {
        tn__scaling_free(s);
        return tn__err(err, TN_ENOMEM, "out of memory for the scaling statistics");
    }
    if (kind == TN_SCALING_UNIT) {
        float m = type_max;
        for (size_t i = 0; type_max <= 0 && i < rows * W; i++)
            m = fabsf(x[i]) > m ? fabsf(x[i]) : m;
        s->std[0] = m > 0 ? m : 1;
        return TN_OK;
    }
    /* Two passes in double: a one-pass sum of squares loses the variance of large values. */
    for (size_t j = 0; j < W; j++) {
        double sum = 0, ss = 0;
        for (size_t r = 0; r < rows; r++)
            sum += x[r * W + j];
        double mean = rows ? sum / (double)rows : 0;
        for (size_t r = 0; r < rows; r++)
            ss += (x[r * W + j] - mean) * (x[r * W + j] - mean);
        double sd = rows ? sqrt(ss / (double)rows) : 0;
        s->mean[j] = (float)mean;
        s->std[j] = sd < TN_SCALING_MIN_STD ? 1.0f : (float)sd;
    }
    return TN_OK;
}

static cJSON *float_array(const float *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++) {
        cJSON *x = cJSON_CreateNumber((double)v[i]);
        if (!x || !cJSON_AddItemToArray(a, x)) {
            cJSON_Delete(x);
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

int tn__scaling_describe(const tn_scaling *s, const tn_net *net, cJSON *header)
{
    if (!s || s->kind == TN_SCALING_NONE)
        return TN_OK;
    cJSON *o = cJSON_AddObjectToObject(header, "scaling"), *mean = NULL, *std = NULL;
    int ok = o && cJSON_AddStringToObject(o, "kind", tn__scaling_names[s->kind]) &&
             cJSON_AddStringToObject(o, "input", net->nodes[s->input].name) &&
             (mean = float_array(s->mean, s->n)) && cJSON_AddItemToObject(o, "mean", mean) &&
             (std = float_array(s->std, s->n)) && cJSON_AddItemToObject(o, "std", std);
    if (!ok) {
        /* Whichever array was created but not attached is ours to free. */
        if (mean && !cJSON_GetObjectItemCaseSensitive(o, "mean"))
            cJSON_Delete(mean);
        if (std && !cJSON_GetObjectItemCaseSensitive(o, "std"))
            cJSON_Delete(std);
        return TN_ENOMEM;
    }
    return TN_OK;
}

/* ---- the header ---------------------------------------------------------------------- */

static cJSON *tensor_json(const tn_layer *L, const tn_tensor_info *t)
{
    int dims[2] = {(int)t->rows, (int)t->cols}; /* both <= TN_MAX_WIDTH */
    cJSON *o = cJSON_CreateObject(), *shape = cJSON_CreateIntArray(dims, 2);
    if (!o || !shape || !cJSON_AddStringToObject(o, "layer", L->name) ||
        !cJSON_AddStringToObject(o, "name", t->name) || !cJSON_AddItemToObject(o, "shape", shape)) {
        cJSON_Delete(o);
        cJSON_Delete(shape);
        return NULL;
    }
    return o;
}

/* Adds a deep copy of v as obj[key]. */
static int add_copy(cJSON *obj, const char *key, const cJSON *v)
{
    cJSON *copy = cJSON_Duplicate(v, 1);
    if (copy && cJSON_AddItemToObject(obj, key, copy))
        return 1;
    cJSON_Delete(copy);
    return 0;
}

static char *build_header(const tn_model *m)
{
    const tn_net *net = m->net;
    cJSON *h = cJSON_CreateObject(), *tensors = NULL;
    int ok = h && cJSON_AddStringToObject(h, "format", TN_MODEL_FORMAT) &&
             cJSON_AddStringToObject(h, "name", net->name) && tn__net_describe(net, h) == TN_OK &&
             add_copy(h, "loss", m->loss) && (!m->data || add_copy(h, "data", m->data)) &&
             tn__scaling_describe(&m->scaling, net, h) == TN_OK &&
             (tensors = cJSON_AddArrayToObject(h, "tensors"));
    for (int i = 0; ok && i < net->n_layers; i++) {
        const tn_layer *L = &net->layers[i];
        for (int k = 0; ok && k < L->n_tensors; k++) {
            cJSON *t = tensor_json(L, &L->tensors[k]);
            ok = t && cJSON_AddItemToArray(tensors, t);
            if (!ok)
                cJSON_Delete(t);
        }
    }
    if (ok && m->training)
        ok = add_copy(h, "training", m->training);
    char *text = ok ? cJSON_PrintUnformatted(h) : NULL;
    cJSON_Delete(h);
    return text;
}

int tn__model_encode(const tn_model *m, unsigned char **out, size_t *len, tn_error *err)
{
    char *header = build_header(m);
    if (!header) {
        *out = NULL;
        *len = 0;
        return tn__err(err, TN_ENOMEM, "out of memory building the model header");
    }
    int rc = tn__modelfile_encode(header, m->net->P, m->net->n_params, out, len, err);
    cJSON_free(header);
    return rc;
}

int tn__model_save(const char *path, const tn_model *m, tn_error *err)
{
    unsigned char *buf;
    size_t len;
    int rc = tn__model_encode(m, &buf, &len, err);
    if (rc != TN_OK) {
        if (err)
            tn__err_prefix(err, "%s", path ? path : "(null)");
        return rc;
    }
    rc = tn__write_atomic(path, buf, len, err);
    tn__free(buf);
    return rc;
}

