/* Hostile model files through the public loader: every cut of a real model, every byte of
 * a small one flipped, header edits with a valid CRC (shapes against the architecture,
 * layers far larger than the file), overflowing counts, non-finite weights. Each must be
 * a clean error with a message: no crash, no leak, nothing read out of bounds (run under
 * the ASan build too). */
#include "rt_util.h"
#include "core/alloc.h"
#include "core/file.h"
#include "model/modelfile.h"
#include "tinynet/tinynet.h"
#include "tn_check.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define RING_MODEL TN_BINARY_DIR "/test_hostile_ring.tnn"
#define XOR_MODEL TN_BINARY_DIR "/test_hostile_xor.tnn"

static unsigned char *g_ring, *g_xor;
static size_t g_ring_len, g_xor_len;

static void setup(void)
{
    rt_train_model(TN_SOURCE_DIR "/models/ring.json", 1, RING_MODEL);
    rt_train_model(TN_SOURCE_DIR "/models/xor.json", 1, XOR_MODEL);
    g_ring = rt_read(RING_MODEL, &g_ring_len);
    g_xor = rt_read(XOR_MODEL, &g_xor_len);
    remove(RING_MODEL);
    remove(XOR_MODEL);
}

static void teardown(void)
{
    tn_free(g_ring);
    tn_free(g_xor);
}

/* Loads buf; expects failure with the given code (0: any error) and a message. */
static void expect_reject(const void *buf, size_t len, unsigned flags, int code, const char *what)
{
    tn_model *m = (tn_model *)&m; /* must be reset to NULL */
    tn_error err = {0};
    int rc = tn_model_load_buffer(buf, len, flags, &m, &err);
    ck_assert_msg(rc != TN_OK, "%s: accepted", what);
    ck_assert_msg(code == 0 || rc == code, "%s: got %s (%s), want %s", what, tn_status_name(rc),
                  err.msg, tn_status_name(code));
    ck_assert_int_eq(err.code, rc);
    ck_assert_msg(err.msg[0] != '\0', "%s: no message", what);
    ck_assert_ptr_null(m);
}

/* Rebuilds a container around an edited header and parameters, with a correct CRC. */
static unsigned char *reseal(const unsigned char *buf, size_t len, const char *from,
                             const char *to, size_t *out_len)
{
    tn_modelfile mf;
    tn_error err = {0};
    ck_assert_int_eq(tn__modelfile_decode("t", buf, len, 1, &mf, &err), TN_OK);
    char *h = malloc(mf.header_len + strlen(to) + 1);
    char *at = from ? strstr(mf.header, from) : NULL;
    ck_assert_msg(!from || at, "\"%s\" not in the header", from);
    if (at) {
        size_t pre = (size_t)(at - mf.header);
        memcpy(h, mf.header, pre);
        strcpy(h + pre, to);
        strcat(h, at + strlen(from));
    } else {
        strcpy(h, mf.header);
    }
    unsigned char *out;
    ck_assert_int_eq(tn__modelfile_encode(h, mf.params, mf.n_params, &out, out_len, &err), TN_OK);
    free(h);
    tn__modelfile_release(&mf);
    return out;
}

START_TEST(valid_files_load)
{
    tn_model *m;
    tn_error err = {0};
    ck_assert_int_eq(tn_model_load_buffer(g_ring, g_ring_len, 0, &m, &err), TN_OK);
    tn_model_free(m);
    ck_assert_int_eq(tn_model_load_buffer(g_xor, g_xor_len, 0, &m, &err), TN_OK);
    tn_model_free(m);
}
END_TEST

START_TEST(every_truncation)
{
    char what[64];
    for (size_t n = 0; n < g_ring_len; n++) {
        snprintf(what, sizeof what, "cut at %zu", n);
        /* A heap copy of exactly n bytes so ASan sees any read past the cut. */
        unsigned char *cut = malloc(n ? n : 1);
        memcpy(cut, g_ring, n);
        expect_reject(cut, n, 0, TN_EFORMAT, what);
        free(cut);
    }
    /* and one byte too many */
    unsigned char *longer = malloc(g_ring_len + 1);
    memcpy(longer, g_ring, g_ring_len);
    longer[g_ring_len] = 0;
    expect_reject(longer, g_ring_len + 1, 0, TN_EFORMAT, "trailing byte");
    free(longer);
}
END_TEST

START_TEST(every_byte_flipped)
{
    unsigned char *b = malloc(g_xor_len);
    char what[64];
    for (size_t i = 0; i < g_xor_len; i++) {
        for (int mask = 1; mask <= 0x80; mask <<= 7) { /* lowest bit and top bit */
            memcpy(b, g_xor, g_xor_len);
            b[i] ^= (unsigned char)mask;
            snprintf(what, sizeof what, "byte %zu ^ 0x%02x", i, mask);
            expect_reject(b, g_xor_len, 0, 0, what);
        }
    }
    free(b);
}
END_TEST

/* Behind a valid CRC: every header byte replaced by characters that change JSON structure.
 * Some results are valid models (a renamed layer); the point is no crash and no leak. */
START_TEST(every_header_byte_resealed)
{
    tn_modelfile mf;
    tn_error err = {0};
    ck_assert_int_eq(tn__modelfile_decode("t", g_xor, g_xor_len, 0, &mf, &err), TN_OK);
    static const char repl[] = {'0', '9', '"', '{', ']', ',', '-', 'e', ' ', '\x7f'};
    size_t accepted = 0, total = 0;
    for (size_t i = 0; i < mf.header_len; i++) {
        for (size_t k = 0; k < sizeof repl; k++) {
            char saved = mf.header[i];
            if (saved == repl[k])
                continue;
            mf.header[i] = repl[k];
            unsigned char *buf;
            size_t len;
            ck_assert_int_eq(tn__modelfile_encode(mf.header, mf.params, mf.n_params, &buf, &len,
                                                  &err), TN_OK);
            tn_model *m;
            tn_error e2 = {0};
            int rc = tn_model_load_buffer(buf, len, 0, &m, &e2);
            if (rc == TN_OK) {
                accepted++;
                tn_model_free(m);
            } else {
                ck_assert_msg(e2.msg[0], "byte %zu: no message", i);
                ck_assert_ptr_null(m);
            }
            total++;
            tn__free(buf);
            mf.header[i] = saved;
        }
    }
    ck_assert_uint_lt(accepted, total / 4);
    tn__modelfile_release(&mf);
}
END_TEST

START_TEST(header_edits)
{
    size_t len;
    unsigned char *b;
    struct { const char *from, *to, *why; int code; } cases[] = {
        /* a shape that disagrees with the architecture */
        {"\"shape\":[2,16]", "\"shape\":[2,17]", "W shape", TN_EFORMAT},
        {"\"shape\":[1,16]", "\"shape\":[16,1]", "b shape", TN_EFORMAT},
        /* layers far larger than the file: must fail before allocating 2^48 floats */
        {"\"units\":16", "\"units\":16777216", "huge layer", TN_EFORMAT},
        {"\"size\":2", "\"size\":16777216", "huge input", TN_EFORMAT},
        {"\"units\":16", "\"units\":1e300", "units 1e300", TN_EFORMAT},
        {"\"units\":16", "\"units\":-1", "negative units", TN_EFORMAT},
        {"\"format\":\"tinynet-model\"", "\"format\":\"other\"", "format", TN_EFORMAT},
        {"{", "[", "not an object", TN_EFORMAT},
        {"\"loss\":", "\"loss\":1,\"loss\":", "duplicate key", TN_EFORMAT},
        {"\"layers\":[", "\"layers\":[{\"type\":\"dense\",\"units\":16},", "extra layer",
         TN_EFORMAT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        b = reseal(g_ring, g_ring_len, cases[i].from, cases[i].to, &len);
        expect_reject(b, len, 0, cases[i].code, cases[i].why);
        tn__free(b);
    }
    /* Both hidden layers huge: 2^48 weights claimed by a 2 KB file. */
    b = reseal(g_ring, g_ring_len, "\"units\":16", "\"units\":16777216", &len);
    unsigned char *b2 = reseal(b, len, "\"units\":16", "\"units\":16777216", &len);
    expect_reject(b2, len, 0, TN_EFORMAT, "two huge layers");
    tn__free(b);
    tn__free(b2);
}
END_TEST

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void fix_crc(unsigned char *b, size_t len)
{
    put_u32(b + len - 4, tn__crc32(0, b, len - 4));
}

START_TEST(container_lies)
{
    unsigned char *b = malloc(g_ring_len);
    memcpy(b, g_ring, g_ring_len);
    uint32_t hlen = (uint32_t)b[8] | (uint32_t)b[9] << 8 | (uint32_t)b[10] << 16 | (uint32_t)b[11] << 24;
    size_t count_at = 12 + hlen;

    /* parameter count whose byte size overflows size_t, and one merely far too large */
    static const uint64_t counts[] = {UINT64_MAX, (uint64_t)1 << 62, (uint64_t)1 << 40, 1};
    for (size_t k = 0; k < 4; k++) {
        memcpy(b, g_ring, g_ring_len);
        for (int i = 0; i < 8; i++)
            b[count_at + i] = (unsigned char)(counts[k] >> (8 * i));
        fix_crc(b, g_ring_len);
        expect_reject(b, g_ring_len, 0, TN_EFORMAT, "parameter count");
    }
    /* header length past the end, and the maximum u32 */
    memcpy(b, g_ring, g_ring_len);
    put_u32(b + 8, 0xffffffffu);
    fix_crc(b, g_ring_len);
    expect_reject(b, g_ring_len, 0, TN_EFORMAT, "header length");
    memcpy(b, g_ring, g_ring_len);
    put_u32(b + 8, (uint32_t)g_ring_len);
    fix_crc(b, g_ring_len);
    expect_reject(b, g_ring_len, 0, TN_EFORMAT, "header length = file");
    /* magic, versions */
    memcpy(b, g_ring, g_ring_len);
    b[0] = 'X';
    expect_reject(b, g_ring_len, 0, TN_EFORMAT, "magic");
    memcpy(b, g_ring, g_ring_len);
    put_u32(b + 4, TN_MODELFILE_VERSION + 1);
    fix_crc(b, g_ring_len);
    expect_reject(b, g_ring_len, 0, TN_EVERSION, "newer version");
    memcpy(b, g_ring, g_ring_len);
    put_u32(b + 4, 0);
    fix_crc(b, g_ring_len);
    expect_reject(b, g_ring_len, 0, TN_EFORMAT, "version 0");
    memcpy(b, g_ring, g_ring_len);
    b[g_ring_len - 1] ^= 1;
    expect_reject(b, g_ring_len, 0, TN_ECHECKSUM, "crc");
    free(b);
}
END_TEST

START_TEST(nonfinite_weights)
{
    tn_modelfile mf;
    tn_error err = {0};
    ck_assert_int_eq(tn__modelfile_decode("t", g_ring, g_ring_len, 0, &mf, &err), TN_OK);
    const float bad[] = {NAN, INFINITY, -INFINITY};
    for (int k = 0; k < 3; k++) {
        float saved = mf.params[5];
        mf.params[5] = bad[k];
        unsigned char *buf;
        size_t len;
        ck_assert_int_eq(tn__modelfile_encode(mf.header, mf.params, mf.n_params, &buf, &len,
                                              &err), TN_OK);
        expect_reject(buf, len, 0, TN_EFORMAT, "non-finite weight");
        tn_model *m;
        ck_assert_int_eq(tn_model_load_buffer(buf, len, TN_LOAD_ALLOW_NONFINITE, &m, &err),
                         TN_OK);
        tn_model_free(m);
        tn__free(buf);
        mf.params[5] = saved;
    }
    tn__modelfile_release(&mf);
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("runtime_hostile");
    TCase *tc = tcase_create("hostile");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, valid_files_load);
    tcase_add_test(tc, every_truncation);
    tcase_add_test(tc, every_byte_flipped);
    tcase_add_test(tc, every_header_byte_resealed);
    tcase_add_test(tc, header_edits);
    tcase_add_test(tc, container_lies);
    tcase_add_test(tc, nonfinite_weights);
    suite_add_tcase(s, tc);
    return s;
}
