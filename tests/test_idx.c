/* IDX reader: every error message, all element types, gzip (plain, multi-member, corrupt,
 * truncated, over the cap), image/label pairing, out-of-memory, and how the Debian
 * Fashion-MNIST files are located (the files themselves are checked by test_fashion.c,
 * which is skipped when the package is not installed). */
#include "core/alloc.h"
#include "data/idx.h"

#include "tn_check.h"

#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* ---- Helpers ---------------------------------------------------------------------- */

/* Writes an IDX header for type/ndim/dims followed by n data bytes into buf; returns the
 * length. */
static size_t make_idx(unsigned char *buf, int type, int ndim, const uint32_t *dims,
                       const unsigned char *data, size_t n)
{
    size_t len = 0;
    buf[len++] = 0;
    buf[len++] = 0;
    buf[len++] = (unsigned char)type;
    buf[len++] = (unsigned char)ndim;
    for (int i = 0; i < ndim; i++) {
        buf[len++] = (unsigned char)(dims[i] >> 24);
        buf[len++] = (unsigned char)(dims[i] >> 16);
        buf[len++] = (unsigned char)(dims[i] >> 8);
        buf[len++] = (unsigned char)dims[i];
    }
    if (n)
        memcpy(buf + len, data, n);
    return len + n;
}

/* The reference file: 2x3x2 unsigned bytes 0, 23, 46, ... (28 bytes in all). */
static size_t small_file(unsigned char *buf)
{
    const uint32_t dims[3] = {2, 3, 2};
    unsigned char data[12];
    for (int i = 0; i < 12; i++)
        data[i] = (unsigned char)(i * 23);
    return make_idx(buf, 0x08, 3, dims, data, sizeof data);
}

static void check_small(const tn_idx *x)
{
    ck_assert_int_eq(x->type, 0x08);
    ck_assert_int_eq(x->ndim, 3);
    ck_assert_uint_eq(x->dims[0], 2);
    ck_assert_uint_eq(x->dims[1], 3);
    ck_assert_uint_eq(x->dims[2], 2);
    ck_assert_uint_eq(x->dims[3], 0);
    ck_assert_uint_eq(x->count, 2);
    ck_assert_uint_eq(x->item, 6);
    for (int i = 0; i < 12; i++)
        ck_assert_float_eq(x->values[i], (float)(i * 23));
}

static tn_idx *parse_ok(const unsigned char *buf, size_t len)
{
    tn_error e = {0};
    tn_idx *x = NULL;
    int rc = tn__idx_parse("t.idx", buf, len, &x, &e);
    ck_assert_msg(rc == TN_OK, "parse failed: %s", e.msg);
    ck_assert_ptr_nonnull(x);
    return x;
}

/* Asserts the code, a NULL result and that the message contains needle. */
static void expect_fail(const unsigned char *buf, size_t len, int code, const char *needle)
{
    tn_error e = {0};
    tn_idx *x = (tn_idx *)&e; /* must be reset to NULL */
    int rc = tn__idx_parse("t.idx", buf, len, &x, &e);
    ck_assert_msg(rc == code, "rc %s, want %s (%s)", tn_status_name(rc), tn_status_name(code),
                  e.msg);
    ck_assert_int_eq(e.code, code);
    ck_assert_ptr_null(x);
    ck_assert_msg(strstr(e.msg, needle) != NULL, "message \"%s\" lacks \"%s\"", e.msg, needle);
}

/* gzip-compresses in memory (a real gzip member, as gzip(1) writes it). */
static size_t gzip_bytes(const unsigned char *in, size_t len, unsigned char *out, size_t cap)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                     Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t n = zs.total_out;
    deflateEnd(&zs);
    return n;
}

static char g_dir[4096];

/* A fresh directory under the build tree for this test's files. */
static void make_dir(void)
{
    snprintf(g_dir, sizeof g_dir, "%s/tn_idx_XXXXXX", TN_BINARY_DIR);
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
}

static void remove_dir(void)
{
    DIR *d = opendir(g_dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *ent;
    char path[8192];
    while ((ent = readdir(d)) != NULL) {
        if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", g_dir, ent->d_name);
        ck_assert_int_eq(unlink(path), 0);
    }
    closedir(d);
    ck_assert_int_eq(rmdir(g_dir), 0);
}

static void dir_path(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", g_dir, name);
}

static void write_raw(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/* Writes a gzip file the way most tools do, through zlib's gz* API. */
static void write_gz(const char *path, const void *data, size_t len)
{
    gzFile g = gzopen(path, "wb");
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(gzwrite(g, data, (unsigned)len), (int)len);
    ck_assert_int_eq(gzclose(g), Z_OK);
}

static void expect_read_fail(const char *path, int code, const char *needle)
{
    tn_error e = {0};
    tn_idx *x = (tn_idx *)&e;
    int rc = tn__idx_read(path, &x, &e);
    ck_assert_msg(rc == code, "rc %s, want %s (%s)", tn_status_name(rc), tn_status_name(code),
                  e.msg);
    ck_assert_ptr_null(x);
    ck_assert_msg(strstr(e.msg, needle) != NULL, "message \"%s\" lacks \"%s\"", e.msg, needle);
    ck_assert_msg(strstr(e.msg, path) != NULL, "message \"%s\" does not name %s", e.msg, path);
}

/* ---- Round trips ------------------------------------------------------------------ */

START_TEST(test_roundtrip_bytes)
{
    unsigned char buf[64];
    tn_idx *x = parse_ok(buf, small_file(buf));
    check_small(x);
    tn__idx_free(x);

    /* Labels: 1-D, item 1, the full byte range. */
    const uint32_t n = 4;
    const unsigned char lab[4] = {0, 9, 128, 255};
    x = parse_ok(buf, make_idx(buf, 0x08, 1, &n, lab, 4));
    ck_assert_int_eq(x->ndim, 1);
    ck_assert_uint_eq(x->count, 4);
    ck_assert_uint_eq(x->item, 1);
    ck_assert_float_eq(x->values[2], 128.0f);
    ck_assert_float_eq(x->values[3], 255.0f);
    tn__idx_free(x);

    /* Four dimensions. */
    const uint32_t d4[4] = {1, 2, 1, 2};
    x = parse_ok(buf, make_idx(buf, 0x08, 4, d4, lab, 4));
    ck_assert_uint_eq(x->count, 1);
    ck_assert_uint_eq(x->item, 4);
    tn__idx_free(x);
    tn__idx_free(NULL);
}
END_TEST

START_TEST(test_roundtrip_types)
{
    unsigned char buf[128];
    const uint32_t two = 2;
    tn_idx *x;

    const unsigned char i8[2] = {0x80, 0x7f};
    x = parse_ok(buf, make_idx(buf, 0x09, 1, &two, i8, 2));
    ck_assert_float_eq(x->values[0], -128.0f);
    ck_assert_float_eq(x->values[1], 127.0f);
    tn__idx_free(x);

    const unsigned char i16[4] = {0xfe, 0xd4, 0x03, 0xe8}; /* -300, 1000 */
    x = parse_ok(buf, make_idx(buf, 0x0B, 1, &two, i16, 4));
    ck_assert_float_eq(x->values[0], -300.0f);
    ck_assert_float_eq(x->values[1], 1000.0f);
    tn__idx_free(x);

    const unsigned char i32[8] = {0xff, 0xfe, 0xee, 0x90, 0x01, 0x00, 0x00, 0x00};
    x = parse_ok(buf, make_idx(buf, 0x0C, 1, &two, i32, 8)); /* -70000, 2^24 */
    ck_assert_float_eq(x->values[0], -70000.0f);
    ck_assert_float_eq(x->values[1], 16777216.0f);
    tn__idx_free(x);

    const unsigned char f32[8] = {0x3f, 0xc0, 0, 0, 0xc0, 0x10, 0, 0}; /* 1.5, -2.25 */
    x = parse_ok(buf, make_idx(buf, 0x0D, 1, &two, f32, 8));
    ck_assert_float_eq(x->values[0], 1.5f);
    ck_assert_float_eq(x->values[1], -2.25f);
    tn__idx_free(x);

    const unsigned char f64[16] = {0x40, 0x0c, 0, 0, 0, 0, 0, 0,  /* 3.5 */
                                   0xbf, 0xe0, 0, 0, 0, 0, 0, 0}; /* -0.5 */
    x = parse_ok(buf, make_idx(buf, 0x0E, 1, &two, f64, 16));
    ck_assert_float_eq(x->values[0], 3.5f);
    ck_assert_float_eq(x->values[1], -0.5f);
    tn__idx_free(x);

    /* Non-finite floats and doubles beyond float range are data a network cannot use. */
    const unsigned char nan32[8] = {0x3f, 0xc0, 0, 0, 0x7f, 0xc0, 0, 0};
    expect_fail(buf, make_idx(buf, 0x0D, 1, &two, nan32, 8), TN_EFORMAT,
                "t.idx: value 1 is not finite");
    const unsigned char big64[16] = {0x40, 0x0c, 0, 0, 0, 0, 0, 0,
                                     0x7e, 0x37, 0xe4, 0x3c, 0x88, 0x00, 0x75, 0x9c}; /* 1e300 */
    expect_fail(buf, make_idx(buf, 0x0E, 1, &two, big64, 16), TN_EFORMAT,
                "t.idx: value 1 (1e+300) is not a finite float");
}
END_TEST

START_TEST(test_roundtrip_files)
{
    unsigned char buf[64], half[2][64];
    size_t len = small_file(buf);
    char plain[8192], gz[8192], multi[8192];
    make_dir();
    dir_path(plain, sizeof plain, "small-idx3-ubyte");
    dir_path(gz, sizeof gz, "small-idx3-ubyte.gz");
    dir_path(multi, sizeof multi, "multi.gz");
    write_raw(plain, buf, len);
    write_gz(gz, buf, len);
    /* Two gzip members concatenated (cat a.gz b.gz) decompress to the joined data. */
    size_t n0 = gzip_bytes(buf, 10, half[0], sizeof half[0]);
    size_t n1 = gzip_bytes(buf + 10, len - 10, half[1], sizeof half[1]);
    unsigned char both[128];
    memcpy(both, half[0], n0);
    memcpy(both + n0, half[1], n1);
    write_raw(multi, both, n0 + n1);

    const char *paths[3] = {plain, gz, multi};
    for (int i = 0; i < 3; i++) {
        tn_error e = {0};
        tn_idx *x = NULL;
        int rc = tn__idx_read(paths[i], &x, &e);
        ck_assert_msg(rc == TN_OK, "%s: %s", paths[i], e.msg);
        check_small(x);
        tn__idx_free(x);
    }
    remove_dir();
}
END_TEST

/* ---- Chosen items only (sharded training) -------------------------------------------- */

typedef struct chooser {
    const uint32_t *rows;
    size_t n, asked;
} chooser;

static int choose(void *user, size_t count, const uint32_t **rows, size_t *n, tn_error *err)
{
    (void)err;
    chooser *c = user;
    c->asked = count;
    *rows = c->rows;
    *n = c->n;
    return TN_OK;
}

START_TEST(test_read_rows)
{
    /* 7 items of 3 bytes, item i holding 10 i, 10 i + 1, 10 i + 2 */
    const uint32_t d[2] = {7, 3};
    unsigned char data[21], buf[64];
    for (int i = 0; i < 21; i++)
        data[i] = (unsigned char)(10 * (i / 3) + i % 3);
    size_t len = make_idx(buf, 0x08, 2, d, data, sizeof data);
    char plain[8192], gz[8192];
    make_dir();
    dir_path(plain, sizeof plain, "rows-idx2-ubyte");
    dir_path(gz, sizeof gz, "rows-idx2-ubyte.gz");
    write_raw(plain, buf, len);
    write_gz(gz, buf, len);
    const uint32_t rows[4] = {1, 2, 3, 6}; /* a run of three, then one */
    const char *paths[2] = {plain, gz};
    for (int i = 0; i < 2; i++) {
        chooser c = {rows, 4, 0};
        tn_error e = {0};
        tn_idx *x = NULL;
        size_t count = 0;
        int rc = tn__idx_read_rows(paths[i], choose, &c, &x, &count, &e);
        ck_assert_msg(rc == TN_OK, "%s: %s", paths[i], e.msg);
        ck_assert_uint_eq(c.asked, 7);
        ck_assert_uint_eq(count, 7);
        ck_assert_uint_eq(x->count, 4);
        ck_assert_uint_eq(x->dims[0], 4);
        ck_assert_uint_eq(x->item, 3);
        for (int r = 0; r < 4; r++)
            for (int j = 0; j < 3; j++)
                ck_assert_float_eq(x->values[r * 3 + j], (float)(10 * rows[r] + (uint32_t)j));
        tn__idx_free(x);
    }
    /* A truncated file is refused before anything is chosen, naming it. */
    write_raw(plain, buf, len - 4);
    chooser c = {rows, 4, 0};
    tn_error e = {0};
    tn_idx *x = NULL;
    size_t count = 0;
    ck_assert_int_eq(tn__idx_read_rows(plain, choose, &c, &x, &count, &e), TN_EFORMAT);
    ck_assert_ptr_null(x);
    ck_assert_uint_eq(c.asked, 0);
    ck_assert_msg(strstr(e.msg, "truncated") && strstr(e.msg, plain), "%s", e.msg);
    write_raw(plain, buf, 10); /* inside the header */
    ck_assert_int_eq(tn__idx_read_rows(plain, choose, &c, &x, &count, &e), TN_EFORMAT);
    ck_assert_ptr_null(x);
    remove_dir();
}
END_TEST

/* ---- Header errors ---------------------------------------------------------------- */

START_TEST(test_err_magic)
{
    unsigned char buf[64];
    size_t len = small_file(buf);
    buf[0] = 0x12, buf[1] = 0x34, buf[2] = 0x56, buf[3] = 0x78;
    expect_fail(buf, len, TN_EFORMAT, "t.idx: not an IDX file (magic 0x12345678)");
    buf[0] = 0;
    expect_fail(buf, len, TN_EFORMAT, "t.idx: not an IDX file (magic 0x00345678)");
    /* An uncompressed gzip file handed to the parser is not IDX either. */
    unsigned char gz[64];
    size_t gzlen = gzip_bytes(buf, len, gz, sizeof gz);
    expect_fail(gz, gzlen, TN_EFORMAT, "t.idx: not an IDX file (magic 0x1f8b0800)");

    len = small_file(buf);
    buf[2] = 0x07;
    expect_fail(buf, len, TN_EFORMAT, "t.idx: unsupported IDX data type 0x07 (magic 0x00000703");
    buf[2] = 0x0F;
    expect_fail(buf, len, TN_EFORMAT, "unsupported IDX data type 0x0f");
}
END_TEST

START_TEST(test_err_dimensions)
{
    unsigned char buf[64];
    const uint32_t dims[5] = {1, 1, 1, 1, 1};
    const unsigned char one = 7;
    expect_fail(buf, make_idx(buf, 0x08, 0, dims, &one, 1), TN_EFORMAT,
                "t.idx: unsupported number of dimensions 0 (magic 0x00000800; 1 to 4 supported)");
    expect_fail(buf, make_idx(buf, 0x08, 5, dims, &one, 1), TN_EFORMAT,
                "t.idx: unsupported number of dimensions 5 (magic 0x00000805; 1 to 4 supported)");
    const unsigned char many[4] = {0, 0, 0x08, 0xff};
    expect_fail(many, 4, TN_EFORMAT, "unsupported number of dimensions 255");
    /* The same 1x1x1x1 file with ndim 4 is fine. */
    tn__idx_free(parse_ok(buf, make_idx(buf, 0x08, 4, dims, &one, 1)));
}
END_TEST

START_TEST(test_err_zero_dim)
{
    unsigned char buf[64];
    const uint32_t d1[3] = {3, 0, 2}, d2[1] = {0}, d3[2] = {5, 0};
    expect_fail(buf, make_idx(buf, 0x08, 3, d1, NULL, 0), TN_EFORMAT,
                "t.idx: dimension 2 is 0 (shape 3x0x2)");
    expect_fail(buf, make_idx(buf, 0x08, 1, d2, NULL, 0), TN_EFORMAT,
                "t.idx: dimension 1 is 0 (shape 0)");
    expect_fail(buf, make_idx(buf, 0x0D, 2, d3, NULL, 0), TN_EFORMAT,
                "t.idx: dimension 2 is 0 (shape 5x0)");
}
END_TEST

/* ---- Data size errors ------------------------------------------------------------- */

START_TEST(test_err_truncated_every_length)
{
    unsigned char buf[64];
    size_t len = small_file(buf); /* 4 magic + 12 dims + 12 data */
    ck_assert_uint_eq(len, 28);
    char want[128];
    for (size_t n = 0; n < len; n++) {
        if (n < 4)
            snprintf(want, sizeof want, "t.idx: truncated: 4-byte IDX magic expected, %zu present",
                     n);
        else if (n < 16)
            snprintf(want, sizeof want,
                     "t.idx: truncated: 16-byte header (3 dimensions) expected, %zu present", n);
        else
            snprintf(want, sizeof want,
                     "t.idx: truncated: 2x3x2 bytes of data expected, %zu present", n - 16);
        expect_fail(buf, n, TN_EFORMAT, want);
    }
    tn__idx_free(parse_ok(buf, len));

    /* Wider types count values and bytes. */
    const uint32_t d[2] = {2, 3};
    unsigned char data[24] = {0};
    size_t wlen = make_idx(buf, 0x0C, 2, d, data, 24);
    for (size_t n = 12; n < wlen; n++) {
        snprintf(want, sizeof want,
                 "t.idx: truncated: 2x3 int32 values (24 bytes) of data expected, %zu present",
                 n - 12);
        expect_fail(buf, n, TN_EFORMAT, want);
    }
}
END_TEST

START_TEST(test_err_truncated_large)
{
    /* A Fashion-MNIST header with a few bytes of data: refused before allocating. */
    unsigned char buf[2048];
    const uint32_t d[3] = {60000, 28, 28};
    unsigned char data[1234];
    memset(data, 1, sizeof data);
    expect_fail(buf, make_idx(buf, 0x08, 3, d, data, 1234), TN_EFORMAT,
                "t.idx: truncated: 60000x28x28 bytes of data expected, 1234 present");
    /* Dimensions whose product overflows size_t. */
    const uint32_t huge[4] = {0xffffffffu, 0xffffffffu, 0xffffffffu, 2};
    expect_fail(buf, make_idx(buf, 0x0E, 4, huge, data, 8), TN_EFORMAT,
                "t.idx: truncated: 4294967295x4294967295x4294967295x2 float64 values (too many "
                "bytes) of data expected, 8 present");
    const uint32_t big[2] = {0x80000000u, 0x80000000u};
    expect_fail(buf, make_idx(buf, 0x08, 2, big, data, 3), TN_EFORMAT,
                "truncated: 2147483648x2147483648 bytes of data expected, 3 present");
}
END_TEST

START_TEST(test_err_trailing)
{
    unsigned char buf[64];
    size_t len = small_file(buf);
    buf[len] = buf[len + 1] = buf[len + 2] = 0;
    expect_fail(buf, len + 1, TN_EFORMAT, "t.idx: 1 trailing bytes after the 2x3x2 bytes of data");
    expect_fail(buf, len + 3, TN_EFORMAT, "t.idx: 3 trailing bytes after the 2x3x2 bytes of data");
    const uint32_t d = 1;
    const unsigned char f[8] = {0x3f, 0x80, 0, 0, 0, 0, 0, 0};
    expect_fail(buf, make_idx(buf, 0x0D, 1, &d, f, 8), TN_EFORMAT,
                "t.idx: 4 trailing bytes after the 1 float32 values (4 bytes) of data");
}
END_TEST

/* ---- gzip errors ------------------------------------------------------------------ */

START_TEST(test_err_gzip_corrupt)
{
    unsigned char buf[64], gz[128], bad[128];
    size_t len = small_file(buf);
    size_t gzlen = gzip_bytes(buf, len, gz, sizeof gz);
    /* Every single-byte change is caught, except in the header fields zlib ignores
     * (bytes 4..9: modification time, extra flags, OS). */
    for (size_t i = 0; i < gzlen; i++) {
        if (i >= 4 && i <= 9)
            continue;
        memcpy(bad, gz, gzlen);
        bad[i] ^= 0x55;
        tn_error e = {0};
        unsigned char *out = (unsigned char *)&e;
        size_t out_len = 99;
        int rc = tn__gunzip("t.gz", bad, gzlen, 1000, &out, &out_len, &e);
        ck_assert_msg(rc == TN_EFORMAT, "byte %zu: rc %s (%s)", i, tn_status_name(rc), e.msg);
        ck_assert_ptr_null(out);
        ck_assert_uint_eq(out_len, 0);
        ck_assert_msg(strstr(e.msg, "t.gz: gzip data is corrupt: ") == e.msg, "byte %zu: %s", i,
                      e.msg);
    }
    /* Specific zlib reasons come through. */
    memcpy(bad, gz, gzlen);
    bad[gzlen - 8] ^= 1; /* CRC-32 in the trailer */
    tn_error e = {0};
    unsigned char *out;
    size_t out_len;
    ck_assert_int_eq(tn__gunzip("t.gz", bad, gzlen, 1000, &out, &out_len, &e), TN_EFORMAT);
    ck_assert_str_eq(e.msg, "t.gz: gzip data is corrupt: incorrect data check");
    memcpy(bad, gz, gzlen);
    bad[gzlen - 4] ^= 1; /* ISIZE */
    ck_assert_int_eq(tn__gunzip("t.gz", bad, gzlen, 1000, &out, &out_len, &e), TN_EFORMAT);
    ck_assert_str_eq(e.msg, "t.gz: gzip data is corrupt: incorrect length check");

    /* Every truncation of the compressed stream. */
    for (size_t n = 0; n < gzlen; n++) {
        int rc = tn__gunzip("t.gz", gz, n, 1000, &out, &out_len, &e);
        ck_assert_msg(rc == TN_EFORMAT, "length %zu: %s", n, e.msg);
        ck_assert_msg(strstr(e.msg, "t.gz: gzip data is corrupt: ") == e.msg, "%s", e.msg);
    }
    ck_assert_int_eq(tn__gunzip("t.gz", gz, 3, 1000, &out, &out_len, &e), TN_EFORMAT);
    ck_assert_str_eq(e.msg, "t.gz: gzip data is corrupt: unexpected end of stream");

    /* Garbage after a complete member. */
    memcpy(bad, gz, gzlen);
    bad[gzlen] = 0;
    ck_assert_int_eq(tn__gunzip("t.gz", bad, gzlen + 1, 1000, &out, &out_len, &e), TN_EFORMAT);
    ck_assert_str_eq(e.msg, "t.gz: gzip data is corrupt: trailing garbage after the gzip stream");

    /* Through the file reader: the message names the file. */
    char path[8192];
    make_dir();
    dir_path(path, sizeof path, "bad.gz");
    memcpy(bad, gz, gzlen);
    bad[gzlen - 8] ^= 1;
    write_raw(path, bad, gzlen);
    expect_read_fail(path, TN_EFORMAT, ": gzip data is corrupt: incorrect data check");
    write_raw(path, gz, gzlen / 2);
    expect_read_fail(path, TN_EFORMAT, ": gzip data is corrupt: unexpected end of stream");
    /* A valid gzip of a bad IDX file reports the IDX error for the same file. */
    write_gz(path, buf, len - 1);
    expect_read_fail(path, TN_EFORMAT, ": truncated: 2x3x2 bytes of data expected, 11 present");
    remove_dir();
}
END_TEST

START_TEST(test_gzip_cap)
{
    static unsigned char zeros[20000], gz[4096];
    size_t gzlen = gzip_bytes(zeros, sizeof zeros, gz, sizeof gz);
    tn_error e = {0};
    unsigned char *out = NULL;
    size_t out_len = 0;
    ck_assert_int_eq(tn__gunzip("bomb.gz", gz, gzlen, 19999, &out, &out_len, &e), TN_EFORMAT);
    ck_assert_str_eq(e.msg, "bomb.gz: decompressed data exceeds the limit of 19999 bytes");
    ck_assert_ptr_null(out);
    ck_assert_int_eq(tn__gunzip("bomb.gz", gz, gzlen, 100, &out, &out_len, &e), TN_EFORMAT);
    ck_assert_str_eq(e.msg, "bomb.gz: decompressed data exceeds the limit of 100 bytes");
    ck_assert_int_eq(tn__gunzip("bomb.gz", gz, gzlen, 20000, &out, &out_len, &e), TN_OK);
    ck_assert_uint_eq(out_len, 20000);
    ck_assert_int_eq(memcmp(out, zeros, out_len), 0);
    tn__free(out);
    /* A wrong size hint in the trailer only costs reallocations... and fails the check. */
    gz[gzlen - 2] = 0x7f;
    ck_assert_int_eq(tn__gunzip("bomb.gz", gz, gzlen, 1000000, &out, &out_len, &e), TN_EFORMAT);
    ck_assert_str_eq(e.msg, "bomb.gz: gzip data is corrupt: incorrect length check");
}
END_TEST

START_TEST(test_err_files)
{
    char path[8192];
    make_dir();
    dir_path(path, sizeof path, "missing-idx1-ubyte");
    expect_read_fail(path, TN_EIO, "missing-idx1-ubyte");
    dir_path(path, sizeof path, "empty");
    write_raw(path, "", 0);
    expect_read_fail(path, TN_EFORMAT, ": truncated: 4-byte IDX magic expected, 0 present");
    expect_read_fail(g_dir, TN_EIO, g_dir); /* a directory */
    remove_dir();

    tn_error e = {0};
    tn_idx *x;
    ck_assert_int_eq(tn__idx_read(NULL, &x, &e), TN_EINVAL);
    ck_assert_int_eq(tn__idx_read("x", NULL, &e), TN_EINVAL);
    ck_assert_int_eq(tn__idx_parse("x", NULL, 4, &x, &e), TN_EINVAL);
    ck_assert_int_eq(tn__idx_parse("x", NULL, 0, &x, NULL), TN_EFORMAT);
    ck_assert_int_eq(tn__idx_parse(NULL, (const unsigned char *)"ab", 2, &x, &e), TN_EFORMAT);
    ck_assert_str_eq(e.msg, "<memory>: truncated: 4-byte IDX magic expected, 2 present");
}
END_TEST

/* ---- Images and labels ------------------------------------------------------------ */

static tn_idx *labels_of(const unsigned char *lab, uint32_t n, int type)
{
    unsigned char buf[256];
    return parse_ok(buf, make_idx(buf, type, 1, &n, lab, n * (type == 0x0D ? 4u : 1u)));
}

static void expect_pair_fail(const tn_idx *img, const tn_idx *lab, size_t n_classes, int code,
                             const char *want)
{
    tn_error e = {0};
    int rc = tn__idx_check_pair(img, "img.idx", lab, "lab.idx", n_classes, &e);
    ck_assert_msg(rc == code, "rc %s, want %s (%s)", tn_status_name(rc), tn_status_name(code),
                  e.msg);
    ck_assert_str_eq(e.msg, want);
}

START_TEST(test_pair)
{
    unsigned char buf[64];
    tn_idx *img = parse_ok(buf, small_file(buf)); /* 2 images of 3x2 */
    const unsigned char l3[3] = {0, 1, 2}, l2[2] = {9, 0}, l10[2] = {3, 10}, neg[2] = {0, 0xff};
    tn_idx *lab = labels_of(l2, 2, 0x08);
    tn_error e = {0};
    ck_assert_int_eq(tn__idx_check_pair(img, "img.idx", lab, "lab.idx", 10, &e), TN_OK);
    expect_pair_fail(img, lab, 9, TN_EDATA,
                     "lab.idx: label 0 is 9, expected an integer in [0, 9)");
    tn__idx_free(lab);

    lab = labels_of(l3, 3, 0x08);
    expect_pair_fail(img, lab, 10, TN_ESHAPE, "img.idx has 2 images but lab.idx has 3 labels");
    tn__idx_free(lab);

    lab = labels_of(l10, 2, 0x08);
    expect_pair_fail(img, lab, 10, TN_EDATA,
                     "lab.idx: label 1 is 10, expected an integer in [0, 10)");
    tn__idx_free(lab);

    lab = labels_of(neg, 2, 0x09); /* int8: -1 */
    expect_pair_fail(img, lab, 10, TN_EDATA,
                     "lab.idx: label 1 is -1, expected an integer in [0, 10)");
    tn__idx_free(lab);

    const unsigned char half[8] = {0x3f, 0x80, 0, 0, 0x40, 0x20, 0, 0}; /* 1.0, 2.5 */
    lab = labels_of(half, 2, 0x0D);
    expect_pair_fail(img, lab, 10, TN_EDATA,
                     "lab.idx: label 1 is 2.5, expected an integer in [0, 10)");

    /* Shapes: images need a feature dimension, labels must be 1-D. */
    expect_pair_fail(lab, lab, 10, TN_ESHAPE,
                     "img.idx: images need at least 2 dimensions (count x features), got 1");
    expect_pair_fail(img, img, 10, TN_ESHAPE, "lab.idx: labels must be 1-D, got 3 dimensions");
    ck_assert_int_eq(tn__idx_check_pair(img, "i", NULL, "l", 10, &e), TN_EINVAL);
    ck_assert_int_eq(tn__idx_check_pair(img, "i", lab, "l", 0, &e), TN_EINVAL);
    tn__idx_free(lab);
    tn__idx_free(img);
}
END_TEST

/* ---- Fashion-MNIST ---------------------------------------------------------------- */

START_TEST(test_fashion_classes)
{
    ck_assert_str_eq(tn__fashion_classes[0], "T-shirt/top");
    ck_assert_str_eq(tn__fashion_classes[5], "Sandal");
    ck_assert_str_eq(tn__fashion_classes[9], "Ankle boot");
    ck_assert_int_eq(TN_FASHION_CLASSES, 10);
}
END_TEST

START_TEST(test_fashion_paths_errors)
{
    char img[8192], lab[8192];
    tn_error e = {0};
    setenv("TN_FASHION_MNIST_DIR", "/nonexistent/fashion", 1);
    ck_assert_int_eq(tn__fashion_paths(0, img, sizeof img, lab, sizeof lab, &e), TN_ENOTFOUND);
    ck_assert_msg(strstr(e.msg, "/nonexistent/fashion/train-images-idx3-ubyte.gz not found") &&
                      strstr(e.msg, "`apt-get install dataset-fashion-mnist`"),
                  "%s", e.msg);
    ck_assert_int_eq(tn__fashion_paths(2, img, sizeof img, lab, sizeof lab, &e), TN_EINVAL);
    ck_assert_int_eq(tn__fashion_paths(0, img, 8, lab, sizeof lab, &e), TN_ERANGE);

    /* Uncompressed files are found too; the .gz wins when both exist. */
    make_dir();
    setenv("TN_FASHION_MNIST_DIR", g_dir, 1);
    char p[8192];
    dir_path(p, sizeof p, "t10k-images-idx3-ubyte");
    write_raw(p, "x", 1);
    ck_assert_int_eq(tn__fashion_paths(1, img, sizeof img, lab, sizeof lab, &e), TN_ENOTFOUND);
    ck_assert_msg(strstr(e.msg, "t10k-labels-idx1-ubyte.gz not found"), "%s", e.msg);
    dir_path(p, sizeof p, "t10k-labels-idx1-ubyte.gz");
    write_raw(p, "x", 1);
    ck_assert_int_eq(tn__fashion_paths(1, img, sizeof img, lab, sizeof lab, &e), TN_OK);
    dir_path(p, sizeof p, "t10k-images-idx3-ubyte");
    ck_assert_str_eq(img, p);
    dir_path(p, sizeof p, "t10k-labels-idx1-ubyte.gz");
    ck_assert_str_eq(lab, p);
    remove_dir();
    unsetenv("TN_FASHION_MNIST_DIR");
}
END_TEST

/* ---- Out of memory ---------------------------------------------------------------- */

/* Fails every allocation after the first g_budget ones. */
static long g_budget;
static void *budget_malloc(size_t n) { return g_budget-- > 0 ? malloc(n) : NULL; }
static void *budget_realloc(void *p, size_t n) { return g_budget-- > 0 ? realloc(p, n) : NULL; }

START_TEST(test_out_of_memory)
{
    /* Two gzip members: the size hint in the trailer is the short last member's, so the
     * output buffer has to grow as well. */
    static unsigned char buf[20100], data[20000], gz[16384];
    const uint32_t d[2] = {100, 200};
    for (int i = 0; i < 20000; i++)
        data[i] = (unsigned char)(i % 251);
    size_t len = make_idx(buf, 0x08, 2, d, data, 20000);
    size_t gzlen = gzip_bytes(buf, 19000, gz, sizeof gz);
    gzlen += gzip_bytes(buf + 19000, len - 19000, gz + gzlen, sizeof gz - gzlen);
    char path[8192];
    make_dir();
    dir_path(path, sizeof path, "oom.gz");
    write_raw(path, gz, gzlen);
    int ok = 0, failures = 0;
    for (long budget = 0; budget < 100 && !ok; budget++) {
        tn_error e = {0};
        tn_idx *x = NULL;
        g_budget = budget;
        tn_replace_allocator(budget_malloc, budget_realloc, free);
        int rc = tn__idx_read(path, &x, &e);
        tn_replace_allocator(NULL, NULL, NULL);
        if (rc == TN_OK) {
            ck_assert_uint_eq(x->count, 100);
            ok = 1;
        } else {
            ck_assert_msg(rc == TN_ENOMEM, "budget %ld: %s", budget, e.msg);
            ck_assert_ptr_null(x);
            ck_assert_msg(strstr(e.msg, "out of memory") != NULL, "%s", e.msg);
            failures++;
        }
        tn__idx_free(x);
    }
    ck_assert_msg(ok, "never succeeded within the allocation budget");
    ck_assert_int_ge(failures, 4);
    remove_dir();
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("idx");
    TCase *tc = tcase_create("roundtrip");
    tcase_add_test(tc, test_roundtrip_bytes);
    tcase_add_test(tc, test_roundtrip_types);
    tcase_add_test(tc, test_roundtrip_files);
    tcase_add_test(tc, test_read_rows);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, test_err_magic);
    tcase_add_test(tc, test_err_dimensions);
    tcase_add_test(tc, test_err_zero_dim);
    tcase_add_test(tc, test_err_truncated_every_length);
    tcase_add_test(tc, test_err_truncated_large);
    tcase_add_test(tc, test_err_trailing);
    tcase_add_test(tc, test_err_gzip_corrupt);
    tcase_add_test(tc, test_gzip_cap);
    tcase_add_test(tc, test_err_files);
    tcase_add_test(tc, test_out_of_memory);
    suite_add_tcase(s, tc);

    tc = tcase_create("pairs");
    tcase_add_test(tc, test_pair);
    suite_add_tcase(s, tc);

    tc = tcase_create("fashion");
    tcase_add_test(tc, test_fashion_classes);
    tcase_add_test(tc, test_fashion_paths_errors);
    suite_add_tcase(s, tc);
    return s;
}
