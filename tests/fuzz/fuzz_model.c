/* libFuzzer harness for the model loader (tn_model_load_buffer): the container as a whole.
 *
 * The first byte picks a mode: bit 0 clear, the rest is loaded as it is (container checks);
 * set, the CRC at the end is recomputed first, so the fuzzer gets past the checksum into
 * the JSON header, the architecture and the tensor checks. Bit 1: TN_LOAD_ALLOW_NONFINITE.
 * A loaded model is described (inspect.h) and run once through a context, so the shapes
 * it claims are exercised. fuzz_model_header.c fuzzes the header alone, inside a valid
 * container. */
#include "fuzz_common.h"

#include "core/file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int reseal = data[0] & 1;
    size_t len = size - 1;
    /* An exact-size heap copy (resealing writes to it) so ASan sees any read past the end. */
    unsigned char *buf = malloc(len ? len : 1);
    if (!buf)
        return 0;
    memcpy(buf, data + 1, len);
    if (reseal && len >= 4) {
        uint32_t crc = tn__crc32(0, buf, len - 4);
        for (int i = 0; i < 4; i++)
            buf[len - 4 + i] = (unsigned char)(crc >> (8 * i));
    }
    tn_model *m = (tn_model *)1; /* must become NULL on failure */
    tn_error err = {0};
    unsigned flags = (data[0] & 2) ? TN_LOAD_ALLOW_NONFINITE : 0;
    int rc = tn_model_load_buffer(buf, len, flags, &m, &err);
    if (rc == TN_OK) {
        fuzz_note("  accepted: %zu parameters", tn_model_n_params(m));
        fuzz_inspect_model(m);
        fuzz_run_model(m, NULL);
        tn_model_free(m);
    } else {
        fuzz_check_error(rc, &err, "loading a model");
        FUZZ_CHECK(m == NULL, "a failed load left a model");
    }
    free(buf);
    return 0;
}
