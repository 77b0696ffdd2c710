/* Structure-aware libFuzzer harness for the model header: the fuzzer writes the JSON
 * header, the harness wraps it in a valid .tnn container (model/modelfile.h: "TNN1", u32
 * version, u32 header length, the header, u64 parameter count, float32 parameters, CRC-32
 * of all before it; little-endian), so every input reaches the header's validation (the
 * architecture, loss, input format record, scaling, tensors) instead of dying at the
 * checksum.
 *
 * Input: a selector byte, the header (up to the first NUL byte), and after that NUL,
 * optional data text that a loaded model then reads in its recorded format (tn_data_parse:
 * the CSV, ratings and libsvm readers against a fuzzed network and record) and evaluates.
 * Selector bits:
 *   0-1  parameter count: 0 the count the header's "tensors" shapes add up to; 1 one more;
 *        2 one fewer; 3 none
 *   2    container version 1 instead of 3 (the current one)
 *   3    a NaN weight, loaded with TN_LOAD_ALLOW_NONFINITE
 *   4    read the data with targets (eval) rather than without (predict)
 *
 * Checked: a model that loads holds the count and version it was given, its tensors
 * account for every parameter, it predicts, and data it accepts can be run through it. */
#include "fuzz_common.h"

#include "core/file.h"

#include <cjson/cJSON.h>
#include <math.h>

/* Parameters a header may ask for here: 4 MB of weights keeps executions fast. */
#define FUZZ_MAX_PARAMS ((size_t)1 << 20)

/* The parameter count the header's tensor shapes add up to (0 when they make no sense). */
static size_t claimed_params(const char *header, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(header, len);
    const cJSON *tensors = cJSON_GetObjectItemCaseSensitive(root, "tensors"), *t;
    size_t total = 0;
    cJSON_ArrayForEach(t, tensors) {
        const cJSON *shape = cJSON_GetObjectItemCaseSensitive(t, "shape");
        double n = 1;
        const cJSON *d;
        cJSON_ArrayForEach(d, shape) {
            n *= cJSON_IsNumber(d) && d->valuedouble >= 0 ? d->valuedouble : 0;
        }
        if (!(n >= 0 && n <= (double)FUZZ_MAX_PARAMS) || n != floor(n) ||
            total + (size_t)n > FUZZ_MAX_PARAMS) {
            total = 0;
            break;
        }
        total += (size_t)n;
    }
    cJSON_Delete(root);
    return total;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* The container of the format spec, written here independently of the library's writer. */
static unsigned char *container(const char *header, size_t hlen, uint32_t version, size_t n,
                                int nan_weight, size_t *out_len)
{
    size_t len = 4 + 4 + 4 + hlen + 8 + 4 * n + 4;
    unsigned char *buf = malloc(len), *p = buf;
    if (!buf)
        return NULL;
    memcpy(p, "TNN1", 4);
    put_u32(p + 4, version);
    put_u32(p + 8, (uint32_t)hlen);
    memcpy(p + 12, header, hlen);
    p += 12 + hlen;
    put_u32(p, (uint32_t)n);
    put_u32(p + 4, (uint32_t)((uint64_t)n >> 32));
    p += 8;
    for (size_t i = 0; i < n; i++, p += 4) {
        /* Small, varied, finite weights: outputs stay finite through a few layers. */
        float w = nan_weight && i == 0 ? NAN : (float)((int)(i % 7) - 3) / 8.0f;
        uint32_t bits;
        memcpy(&bits, &w, sizeof bits);
        put_u32(p, bits);
    }
    put_u32(p, tn__crc32(0, buf, len - 4));
    *out_len = len;
    return buf;
}

/* Data in the model's format: read, then predicted, evaluated and described. */
static void read_data(const tn_model *m, const char *text, size_t len, int targets)
{
    tn_data *d = (tn_data *)1; /* must become NULL on failure */
    tn_error err = {0};
    int rc = tn_data_parse(m, "fuzz-data", text, len, targets ? TN_DATA_TARGETS : 0, &d, &err);
    if (rc != TN_OK) {
        fuzz_check_error(rc, &err, "reading data for a model");
        FUZZ_CHECK(d == NULL, "a failed read left data");
        return;
    }
    size_t rows = tn_data_rows(d), W = tn_model_output_width(m);
    fuzz_note("  data accepted: %zu rows%s", rows, targets ? " with targets" : "");
    FUZZ_CHECK(rows > 0 && tn_data_has_targets(d) == targets, "%zu rows, targets %d", rows,
               tn_data_has_targets(d));
    if (rows * W <= FUZZ_MAX_WIDTHS && fuzz_model_widths(m) != SIZE_MAX) {
        /* Rows the model's own reader accepted must run through it. */
        float *out = calloc(rows * W, sizeof *out);
        rc = out ? tn_predict_data(m, d, out, &err) : TN_OK;
        FUZZ_CHECK(rc == TN_OK || rc == TN_ENOMEM, "predicting accepted rows: %s", err.msg);
        free(out);
        tn_metrics met;
        rc = targets ? tn_evaluate(m, d, &met, &err) : TN_OK;
        FUZZ_CHECK(rc == TN_OK || rc == TN_ENOMEM, "evaluating accepted rows: %s", err.msg);
        size_t *cm = W >= 2 && W <= 64 ? calloc(W * W, sizeof *cm) : NULL;
        if (cm && targets && (rc = tn_confusion(m, d, cm, &err)) == TN_OK) {
            size_t total = 0;
            for (size_t k = 0; k < W * W; k++)
                total += cm[k];
            FUZZ_CHECK(total == rows, "the confusion matrix counts %zu of %zu rows", total,
                       rows);
        }
        free(cm);
        tn_layer_stats *stats = calloc(tn_model_n_layers(m), sizeof *stats);
        rc = stats ? tn_layer_stats_compute(m, d, 7, stats, &err) : TN_OK;
        FUZZ_CHECK(rc == TN_OK || rc == TN_ENOMEM, "layer statistics: %s", err.msg);
        free(stats);
    }
    for (size_t i = 0; i < tn_model_n_inputs(m) && tn_model_input_width(m, i) <= 4096; i++) {
        float row[4096];
        FUZZ_CHECK(tn_data_row(d, i, rows - 1, row) == TN_OK, "row %zu of input %zu", rows - 1,
                   i);
    }
    size_t tw;
    FUZZ_CHECK(!targets || tn_data_target(d, 0, &tw), "no targets in row 0");
    tn_data_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned sel = data[0];
    const char *header = (const char *)data + 1;
    const char *nul = memchr(header, '\0', size - 1);
    size_t hlen = nul ? (size_t)(nul - header) : size - 1;
    size_t n = claimed_params(header, hlen);
    switch (sel & 3) {
    case 1: n++; break;
    case 2: n = n ? n - 1 : 0; break;
    case 3: n = 0; break;
    }
    uint32_t version = (sel & 4) ? 1 : 3;
    int nan_weight = (sel & 8) && n > 0;
    size_t len;
    unsigned char *file = container(header, hlen, version, n, nan_weight, &len);
    if (!file)
        return 0;
    tn_model *m = (tn_model *)1; /* must become NULL on failure */
    tn_error err = {0};
    int rc = tn_model_load_buffer(file, len, nan_weight ? TN_LOAD_ALLOW_NONFINITE : 0, &m, &err);
    free(file);
    if (rc != TN_OK) {
        fuzz_check_error(rc, &err, "loading a model");
        FUZZ_CHECK(m == NULL, "a failed load left a model");
        /* The container is valid: only the header may be refused. */
        FUZZ_CHECK(rc == TN_EFORMAT || rc == TN_ENOMEM, "a valid container refused: %s",
                   err.msg);
        return 0;
    }
    FUZZ_CHECK(tn_model_n_params(m) == n && tn_model_file_version(m) == (int)version,
               "loaded %zu parameters of version %d from %zu of version %u",
               tn_model_n_params(m), tn_model_file_version(m), n, (unsigned)version);
    fuzz_note("  accepted: %zu parameters, version %u, format %s", n, (unsigned)version,
              tn_model_data_format(m) ? tn_model_data_format(m) : "?");
    fuzz_inspect_model(m);
    fuzz_run_model(m, NULL);
    if (nul)
        read_data(m, nul + 1, size - 1 - hlen - 1, (sel & 16) != 0);
    tn_model_free(m);
    return 0;
}
