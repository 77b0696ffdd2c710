/* libFuzzer harness for the IDX reader, plain and gzip-compressed: the input is a file's
 * bytes, taken as tn__idx_read takes them (gzip when it starts with 1f 8b, decompressed
 * with the reader's cap, then parsed), through the in-memory entry points.
 *
 * Checked beyond "no crash": decompression honours its cap exactly (the same data pass
 * with a cap of their size and fail with one byte less); a parsed file has the shape its
 * header claims and finite values; images and labels are paired as data/idx.h says. */
#include "fuzz_common.h"

#include "core/alloc.h"
#include "data/idx.h"

#include <math.h>

static void check_gunzip_cap(const uint8_t *data, size_t size, const unsigned char *plain,
                             size_t plain_len)
{
    unsigned char *again = NULL;
    size_t again_len = 0;
    tn_error err = {0};
    int rc = tn__gunzip("fuzz.gz", data, size, plain_len, &again, &again_len, &err);
    if (rc == TN_ENOMEM)
        return;
    FUZZ_CHECK(rc == TN_OK && again_len == plain_len && memcmp(again, plain, plain_len) == 0,
               "gunzip with a cap of exactly the output's %zu bytes: %s", plain_len, err.msg);
    tn__free(again);
    if (plain_len == 0)
        return;
    memset(&err, 0, sizeof err);
    rc = tn__gunzip("fuzz.gz", data, size, plain_len - 1, &again, &again_len, &err);
    FUZZ_CHECK(rc != TN_OK && again == NULL && again_len == 0,
               "gunzip of %zu bytes with a cap of one byte less succeeded", plain_len);
    fuzz_check_error(rc, &err, "gunzip over the cap");
}

/* The pairing rules of tn__idx_check_pair, on x and a partner made to fit (or not). */
static void check_pairs(const tn_idx *x)
{
    tn_error err = {0};
    if (x->ndim >= 2) {
        /* As images: zero labels of the same count pair with them. */
        float *zeros = tn__floats_alloc(x->count);
        if (!zeros)
            return;
        tn_idx labels = {0x08, 1, {x->count}, x->count, 1, zeros};
        int rc = tn__idx_check_pair(x, "images", &labels, "labels", 10, &err);
        FUZZ_CHECK(rc == TN_OK, "images with as many zero labels: %s", err.msg);
        tn__floats_free(zeros);
        return;
    }
    /* As labels: valid exactly when every value is a class in [0, 10). */
    float *pixels = tn__floats_alloc(x->count);
    if (!pixels)
        return;
    tn_idx images = {0x08, 2, {x->count, 1}, x->count, 1, pixels};
    int rc = tn__idx_check_pair(&images, "images", x, "labels", 10, &err);
    int valid = 1;
    for (size_t i = 0; i < x->count; i++)
        valid &= x->values[i] >= 0 && x->values[i] < 10 && x->values[i] == floorf(x->values[i]);
    FUZZ_CHECK((rc == TN_OK) == valid, "labels valid %d, check_pair says %s", valid,
               rc == TN_OK ? "ok" : err.msg);
    if (rc)
        fuzz_check_error(rc, &err, "checking labels");
    tn__floats_free(pixels);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const unsigned char *plain = data;
    unsigned char *unzipped = NULL;
    size_t plain_len = size;
    tn_error err = {0};
    int rc;
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        rc = tn__gunzip("fuzz.gz", data, size, TN_IDX_MAX_BYTES, &unzipped, &plain_len, &err);
        if (rc != TN_OK) {
            fuzz_check_error(rc, &err, "gunzip");
            FUZZ_CHECK(unzipped == NULL && plain_len == 0, "a failed gunzip left output");
            return 0;
        }
        check_gunzip_cap(data, size, unzipped, plain_len);
        plain = unzipped;
    }
    tn_idx *x = (tn_idx *)1; /* must become NULL on failure */
    memset(&err, 0, sizeof err);
    rc = tn__idx_parse("fuzz.idx", plain, plain_len, &x, &err);
    if (rc != TN_OK) {
        fuzz_check_error(rc, &err, "parsing IDX");
        FUZZ_CHECK(x == NULL, "a failed parse left a result");
    } else {
        fuzz_note("  accepted: type 0x%02x, %zu x %zu%s", (unsigned)x->type, x->count, x->item,
                  unzipped ? " (gzip)" : "");
        size_t n = 1;
        for (int i = 0; i < x->ndim; i++)
            n *= x->dims[i];
        FUZZ_CHECK(x->ndim >= 1 && x->ndim <= 4 && x->count == x->dims[0] &&
                       x->count * x->item == n && n > 0,
                   "shape: %d dimensions, %zu x %zu", x->ndim, x->count, x->item);
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(isfinite(x->values[i]), "value %zu is %g", i, (double)x->values[i]);
        check_pairs(x);
        tn__idx_free(x);
    }
    tn__free(unzipped);
    return 0;
}
