/* libFuzzer harness for the model loader (tools/fuzz.sh builds and runs it).
 *
 * The first byte picks a mode: even, the rest is loaded as it is (container checks); odd,
 * the CRC at the end is recomputed first, so the fuzzer gets past the checksum into the
 * JSON header, the architecture and the tensor checks. A loaded model is also run once
 * through a context, so the shapes it claims are exercised. */
#include "core/file.h"
#include "tinynet/tinynet.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int reseal = data[0] & 1;
    size_t len = size - 1;
    /* An exact-size heap copy so ASan sees any read past the end. */
    unsigned char *buf = malloc(len ? len : 1);
    if (!buf)
        return 0;
    memcpy(buf, data + 1, len);
    if (reseal && len >= 4) {
        uint32_t crc = tn__crc32(0, buf, len - 4);
        for (int i = 0; i < 4; i++)
            buf[len - 4 + i] = (unsigned char)(crc >> (8 * i));
    }
    tn_model *m = NULL;
    tn_error err;
    unsigned flags = (data[0] & 2) ? TN_LOAD_ALLOW_NONFINITE : 0;
    if (tn_model_load_buffer(buf, len, flags, &m, &err) == TN_OK) {
        tn_ctx *ctx;
        size_t n = tn_model_n_inputs(m);
        if (n <= 16 && tn_ctx_new(m, 2, &ctx, &err) == TN_OK) {
            float *in[16] = {0};
            float *out = calloc(2 * tn_model_output_width(m), sizeof(float));
            int ok = out != NULL;
            for (size_t i = 0; i < n && ok; i++)
                ok = (in[i] = calloc(2 * tn_model_input_width(m, i), sizeof(float))) != NULL;
            if (ok)
                tn_predict(ctx, (const float *const *)in, 2, out);
            for (size_t i = 0; i < n; i++)
                free(in[i]);
            free(out);
            tn_ctx_free(ctx);
        }
        tn_model_free(m);
    }
    free(buf);
    return 0;
}
