/* The .tnn container and the file helpers under it: CRC-32, byte layout, every way a file
 * can be cut short or corrupted, allocation discipline (nothing allocated before all checks
 * pass, no leaks on out-of-memory) and durable writes. */
#include "core/alloc.h"
#include "core/file.h"
#include "model/modelfile.h"

#include "tn_check.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- counting, failure-injecting allocator ---- */

static size_t g_mallocs, g_frees;
static long g_fail_after = -1; /* malloc number k (0-based) and later fail; -1 never */

static void *count_malloc(size_t n)
{
    if (g_fail_after >= 0 && (long)g_mallocs >= g_fail_after)
        return NULL;
    g_mallocs++;
    return malloc(n);
}

static void *count_realloc(void *p, size_t n)
{
    if (g_fail_after >= 0)
        return NULL;
    if (!p)
        g_mallocs++;
    return realloc(p, n);
}

static void count_free(void *p)
{
    if (p)
        g_frees++;
    free(p);
}

static void reset_counts(void)
{
    g_mallocs = g_frees = 0;
    g_fail_after = -1;
}

static void setup(void)
{
    reset_counts();
    tn_replace_allocator(count_malloc, count_realloc, count_free);
}

static void teardown(void) { tn_replace_allocator(NULL, NULL, NULL); }

/* ---- helpers ---- */

static float from_bits(uint32_t b)
{
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

static uint32_t to_bits(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

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

/* Reseal a hand-edited buffer so the test reaches the checks after the CRC. */
static void fix_crc(unsigned char *buf, size_t len) { put_u32(buf + len - 4, tn__crc32(0, buf, len - 4)); }

#define SMALL_HEADER                                                                          \
    "{\"arch\":\"mlp\",\"layers\":[{\"type\":\"dense\",\"in\":4,\"out\":6},"               \
    "{\"type\":\"relu\"},{\"type\":\"dense\",\"in\":6,\"out\":2}]}"
enum { SMALL_N = 44 }; /* 4*6+6 + 6*2+2 */

static void small_params(float *p)
{
    for (int i = 0; i < SMALL_N; i++)
        p[i] = (float)(i - 20) / 7.0f;
    p[0] = -0.0f;
    p[1] = from_bits(0x00000001u); /* smallest denormal */
    p[2] = from_bits(0x807fffffu); /* largest negative denormal */
    p[3] = 3.4028235e38f;
}

/* A real encoded file of a few hundred bytes, in plain malloc memory (not counted). */
static unsigned char *small_file(size_t *len)
{
    float p[SMALL_N];
    small_params(p);
    unsigned char *enc;
    tn_error err;
    ck_assert_int_eq(tn__modelfile_encode(SMALL_HEADER, p, SMALL_N, &enc, len, &err), TN_OK);
    unsigned char *copy = malloc(*len);
    memcpy(copy, enc, *len);
    tn__free(enc);
    return copy;
}

/* Offset of the parameter count in a file whose header is h bytes. */
static size_t count_off(size_t h) { return 12 + h; }

/* Decode buf with counters reset; asserts the failure left nothing allocated or set. */
static int decode_fails(const unsigned char *buf, size_t len, int allow, tn_error *err)
{
    tn_modelfile m;
    memset(&m, 0xAB, sizeof m);
    g_mallocs = g_frees = 0;
    err->code = 0;
    err->msg[0] = '\0';
    int rc = tn__modelfile_decode("m.tnn", buf, len, allow, &m, err);
    ck_assert_int_ne(rc, TN_OK);
    ck_assert_int_eq(err->code, rc);
    ck_assert_msg(g_mallocs == 0, "decode allocated %zu blocks before failing", g_mallocs);
    ck_assert_ptr_null(m.header);
    ck_assert_ptr_null(m.params);
    ck_assert_msg(strncmp(err->msg, "m.tnn: ", 7) == 0, "message not prefixed: %s", err->msg);
    return rc;
}

static void assert_has(const char *msg, const char *needle)
{
    ck_assert_msg(strstr(msg, needle) != NULL, "\"%s\" not in \"%s\"", needle, msg);
}

/* ---- CRC ---- */

START_TEST(crc32_check_value)
{
    const char *s = "123456789";
    ck_assert_uint_eq(tn__crc32(0, s, 9), 0xCBF43926u);
    ck_assert_uint_eq(tn__crc32(0, "", 0), 0);
    for (size_t cut = 0; cut <= 9; cut++)
        ck_assert_uint_eq(tn__crc32(tn__crc32(0, s, cut), s + cut, 9 - cut), 0xCBF43926u);
}
END_TEST

/* ---- layout and round trip ---- */

START_TEST(encode_golden_bytes)
{
    /* Built independently with Python's struct + zlib.crc32 (format version 3). */
    static const unsigned char want[] = {
        0x54, 0x4e, 0x4e, 0x31, 0x03, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
        0x7b, 0x7d, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x09, 0x66, 0x6c, 0x86};
    const float p[2] = {1.0f, -2.0f};
    unsigned char *buf;
    size_t len;
    tn_error err;
    ck_assert_int_eq(tn__modelfile_encode("{}", p, 2, &buf, &len, &err), TN_OK);
    ck_assert_uint_eq(len, sizeof want);
    ck_assert_mem_eq(buf, want, sizeof want);
    tn__free(buf);
    ck_assert_uint_eq(g_mallocs, g_frees);
}
END_TEST

START_TEST(round_trip_bit_exact)
{
    float p[SMALL_N];
    small_params(p);
    size_t len;
    unsigned char *buf = small_file(&len);
    ck_assert_uint_lt(len, 400);
    tn_modelfile m;
    tn_error err;
    ck_assert_int_eq(tn__modelfile_decode("m", buf, len, 0, &m, &err), TN_OK);
    ck_assert_str_eq(m.header, SMALL_HEADER);
    ck_assert_uint_eq(m.header_len, strlen(SMALL_HEADER));
    ck_assert_uint_eq(m.n_params, SMALL_N);
    ck_assert_uint_eq((uintptr_t)m.params % 64, 0);
    for (int i = 0; i < SMALL_N; i++)
        ck_assert_msg(to_bits(m.params[i]) == to_bits(p[i]), "param %d: %08x != %08x", i,
                      to_bits(m.params[i]), to_bits(p[i]));
    tn__modelfile_release(&m);
    ck_assert_ptr_null(m.header);
    tn__modelfile_release(&m); /* twice, and on a zeroed struct: harmless */
    tn__modelfile_release(NULL);
    ck_assert_uint_eq(g_mallocs, g_frees);
    free(buf);
}
END_TEST

START_TEST(empty_params_valid)
{
    unsigned char *buf;
    size_t len;
    tn_error err;
    ck_assert_int_eq(tn__modelfile_encode("{\"layers\":[]}", NULL, 0, &buf, &len, &err), TN_OK);
    ck_assert_uint_eq(len, 24 + 13);
    tn_modelfile m;
    ck_assert_int_eq(tn__modelfile_decode("m", buf, len, 0, &m, &err), TN_OK);
    ck_assert_uint_eq(m.n_params, 0);
    ck_assert_str_eq(m.header, "{\"layers\":[]}");
    tn__modelfile_release(&m);
    tn__free(buf);
    /* An empty header is structurally fine too; the JSON is the loader's concern. */
    ck_assert_int_eq(tn__modelfile_encode("", NULL, 0, &buf, &len, &err), TN_OK);
    ck_assert_int_eq(tn__modelfile_decode("m", buf, len, 0, &m, &err), TN_OK);
    ck_assert_uint_eq(m.header_len, 0);
    ck_assert_str_eq(m.header, "");
    tn__modelfile_release(&m);
    tn__free(buf);
    ck_assert_uint_eq(g_mallocs, g_frees);
}
END_TEST

/* ---- truncation and corruption ---- */

START_TEST(truncated_at_every_length)
{
    size_t len;
    unsigned char *full = small_file(&len);
    for (size_t cut = 0; cut < len; cut++) {
        /* An exactly-sized copy, so an over-read is caught by ASan. */
        unsigned char *b = malloc(cut ? cut : 1);
        memcpy(b, full, cut);
        tn_error err;
        int rc = decode_fails(cut ? b : NULL, cut, 0, &err);
        ck_assert_msg(rc == TN_EFORMAT, "cut %zu: %s (%s)", cut, tn_status_name(rc), err.msg);
        if (cut >= 4)
            assert_has(err.msg, "truncated");
        free(b);
    }
    free(full);
}
END_TEST

START_TEST(every_byte_flip_fails)
{
    size_t len;
    unsigned char *full = small_file(&len);
    unsigned char *b = malloc(len);
    const unsigned char masks[] = {0xFF, 0x01};
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < len; i++) {
            memcpy(b, full, len);
            b[i] ^= masks[k];
            tn_error err;
            int rc = decode_fails(b, len, 0, &err);
            ck_assert_msg(rc == TN_EFORMAT || rc == TN_EVERSION || rc == TN_ECHECKSUM,
                          "byte %zu ^ %02x: %s", i, masks[k], tn_status_name(rc));
        }
    free(b);
    free(full);
}
END_TEST

START_TEST(trailing_bytes)
{
    size_t len;
    unsigned char *full = small_file(&len);
    unsigned char *b = calloc(1, len + 100);
    memcpy(b, full, len);
    tn_error err;
    char want[128];
    ck_assert_int_eq(decode_fails(b, len + 1, 0, &err), TN_EFORMAT);
    snprintf(want, sizeof want, "1 trailing bytes after the checksum: expected %zu bytes, got %zu",
             len, len + 1);
    assert_has(err.msg, want);
    ck_assert_int_eq(decode_fails(b, len + 100, 0, &err), TN_EFORMAT);
    assert_has(err.msg, "100 trailing bytes");
    free(b);
    free(full);
}
END_TEST

START_TEST(bad_magic)
{
    size_t len;
    unsigned char *b = small_file(&len);
    b[3] = '2';
    tn_error err;
    ck_assert_int_eq(decode_fails(b, len, 0, &err), TN_EFORMAT);
    assert_has(err.msg, "not a tinynet model file");
    ck_assert_int_eq(decode_fails((const unsigned char *)"{\"json\": 1}", 11, 0, &err),
                     TN_EFORMAT);
    assert_has(err.msg, "bad magic");
    free(b);
}
END_TEST

START_TEST(versions)
{
    size_t len;
    unsigned char *b = small_file(&len);
    tn_error err;
    put_u32(b + 4, 0);
    fix_crc(b, len);
    ck_assert_int_eq(decode_fails(b, len, 0, &err), TN_EFORMAT);
    assert_has(err.msg, "version 0");
    put_u32(b + 4, TN_MODELFILE_VERSION + 1);
    fix_crc(b, len);
    ck_assert_int_eq(decode_fails(b, len, 0, &err), TN_EVERSION);
    put_u32(b + 4, 7);
    ck_assert_int_eq(decode_fails(b, len, 0, &err), TN_EVERSION);
    char want[128];
    snprintf(want, sizeof want, "m.tnn: model format version 7 is newer than this tinynet "
             "supports (%d)", TN_MODELFILE_VERSION);
    ck_assert_str_eq(err.msg, want);
    /* Every older version still loads. */
    for (uint32_t v = 1; v < TN_MODELFILE_VERSION; v++) {
        put_u32(b + 4, v);
        fix_crc(b, len);
        tn_modelfile mf;
        ck_assert_msg(tn__modelfile_decode("m.tnn", b, len, 0, &mf, &err) == TN_OK, "%s",
                      err.msg);
        tn__modelfile_release(&mf);
    }
    put_u32(b + 4, 0xFFFFFFFFu);
    ck_assert_int_eq(decode_fails(b, len, 0, &err), TN_EVERSION);
    free(b);
}
END_TEST

START_TEST(header_length_past_end)
{
    size_t len;
    unsigned char *b = small_file(&len);
    tn_error err;
    const uint32_t bad[] = {(uint32_t)len, (uint32_t)len - 23, 16u << 20, (16u << 20) + 1,
                            0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put_u32(b + 8, bad[i]);
        fix_crc(b, len);
        ck_assert_int_eq(decode_fails(b, len, 0, &err), TN_EFORMAT);
    }
    /* A shorter header makes the count and blob land on header text: still caught. */
    put_u32(b + 8, 10);
    fix_crc(b, len);
    ck_assert_int_eq(decode_fails(b, len, 0, &err), TN_EFORMAT);
    free(b);
}
END_TEST

START_TEST(huge_parameter_count)
{
    size_t len;
    unsigned char *b = small_file(&len);
    size_t off = count_off(strlen(SMALL_HEADER));
    /* 2^62 + SMALL_N is the nasty one: 4 * count wraps to exactly the real blob size, so
     * only the overflow check stands between it and a 2^62-float allocation. */
    const uint64_t overflow[] = {((uint64_t)1 << 62) + SMALL_N, (uint64_t)1 << 62, UINT64_MAX};
    const uint64_t bad[] = {(uint64_t)1 << 61, (uint64_t)1 << 32, SMALL_N + 1, SMALL_N - 1};
    tn_error err;
    for (size_t i = 0; i < sizeof overflow / sizeof overflow[0]; i++) {
        put_u64(b + off, overflow[i]);
        fix_crc(b, len);
        ck_assert_int_eq(decode_fails(b, len, 0, &err), TN_EFORMAT);
        assert_has(err.msg, "impossibly large");
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put_u64(b + off, bad[i]);
        fix_crc(b, len);
        ck_assert_int_eq(decode_fails(b, len, 0, &err), TN_EFORMAT);
    }
    free(b);
}
END_TEST

START_TEST(nul_in_header)
{
    size_t len;
    unsigned char *b = small_file(&len);
    b[12 + 5] = '\0';
    fix_crc(b, len);
    tn_error err;
    ck_assert_int_eq(decode_fails(b, len, 0, &err), TN_EFORMAT);
    assert_has(err.msg, "NUL byte at offset 17");
    free(b);
}
END_TEST

START_TEST(checksum_mismatch)
{
    size_t len;
    unsigned char *b = small_file(&len);
    b[len - 10] ^= 0x40; /* a weight bit */
    char want[96];
    snprintf(want, sizeof want, "stored 0x%08x, computed 0x%08x",
             (unsigned)(b[len - 4] | b[len - 3] << 8 | b[len - 2] << 16 | (uint32_t)b[len - 1] << 24),
             (unsigned)tn__crc32(0, b, len - 4));
    tn_error err;
    ck_assert_int_eq(decode_fails(b, len, 0, &err), TN_ECHECKSUM);
    assert_has(err.msg, want);
    free(b);
}
END_TEST

START_TEST(nonfinite_weights)
{
    size_t len;
    unsigned char *b = small_file(&len);
    size_t blob = count_off(strlen(SMALL_HEADER)) + 8;
    tn_error err;
    const struct { size_t idx; uint32_t bits; const char *what; } cases[] = {
        {7, 0x7fc00000u, "weight 7 is not finite (NaN)"},
        {SMALL_N - 1, 0x7f800000u, "weight 43 is not finite (+Inf)"},
        {0, 0xff800000u, "weight 0 is not finite (-Inf)"},
        {12, 0xffffffffu, "weight 12 is not finite (NaN)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char *c = malloc(len);
        memcpy(c, b, len);
        put_u32(c + blob + 4 * cases[i].idx, cases[i].bits);
        fix_crc(c, len);
        ck_assert_int_eq(decode_fails(c, len, 0, &err), TN_EFORMAT);
        assert_has(err.msg, cases[i].what);
        tn_modelfile m;
        ck_assert_int_eq(tn__modelfile_decode("m", c, len, 1, &m, &err), TN_OK);
        ck_assert_uint_eq(to_bits(m.params[cases[i].idx]), cases[i].bits);
        tn__modelfile_release(&m);
        free(c);
    }
    /* The encoder writes non-finite weights as they are; only the reader judges. */
    float p[3] = {1.0f, NAN, 2.0f};
    unsigned char *enc;
    size_t elen;
    ck_assert_int_eq(tn__modelfile_encode("{}", p, 3, &enc, &elen, &err), TN_OK);
    ck_assert_int_eq(decode_fails(enc, elen, 0, &err), TN_EFORMAT);
    assert_has(err.msg, "weight 1 ");
    tn__free(enc);
    free(b);
}
END_TEST

START_TEST(bad_arguments)
{
    tn_error err;
    unsigned char *buf;
    size_t len;
    tn_modelfile m;
    ck_assert_int_eq(tn__modelfile_encode(NULL, NULL, 0, &buf, &len, &err), TN_EINVAL);
    ck_assert_int_eq(tn__modelfile_encode("{}", NULL, 3, &buf, &len, &err), TN_EINVAL);
    ck_assert_int_eq(tn__modelfile_encode("{}", NULL, SIZE_MAX / 2, &buf, &len, NULL), TN_EINVAL);
    ck_assert_int_eq(tn__modelfile_decode("m", NULL, 5, 0, &m, &err), TN_EINVAL);
    ck_assert_int_eq(tn__modelfile_decode("m", NULL, 0, 0, &m, NULL), TN_EFORMAT);
    ck_assert_uint_eq(g_mallocs, 0);
}
END_TEST

/* ---- out of memory ---- */

START_TEST(decode_out_of_memory)
{
    size_t len;
    unsigned char *b = small_file(&len);
    tn_modelfile m;
    tn_error err;
    /* decode makes two allocations; fail each in turn, then let both succeed. */
    for (long k = 0; k < 2; k++) {
        reset_counts();
        g_fail_after = k;
        ck_assert_int_eq(tn__modelfile_decode("m.tnn", b, len, 0, &m, &err), TN_ENOMEM);
        assert_has(err.msg, "m.tnn: out of memory");
        ck_assert_ptr_null(m.header);
        ck_assert_ptr_null(m.params);
        ck_assert_uint_eq(g_mallocs, g_frees);
    }
    reset_counts();
    g_fail_after = 2;
    ck_assert_int_eq(tn__modelfile_decode("m.tnn", b, len, 0, &m, &err), TN_OK);
    tn__modelfile_release(&m);
    ck_assert_uint_eq(g_mallocs, g_frees);
    /* encode too */
    reset_counts();
    g_fail_after = 0;
    unsigned char *enc = (unsigned char *)"x";
    ck_assert_int_eq(tn__modelfile_encode("{}", NULL, 0, &enc, &len, &err), TN_ENOMEM);
    ck_assert_ptr_null(enc);
    free(b);
}
END_TEST

/* ---- files ---- */

static char g_dir[512];

static void make_tmpdir(void)
{
    snprintf(g_dir, sizeof g_dir, "%s/test_modelfile.XXXXXX", TN_BINARY_DIR);
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
}

static void path_in(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", g_dir, name);
}

/* Removes dir and everything in it (one level of subdirectories is enough here). */
static void rm_rf(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rm_rf(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int count_tmp_files(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

static void assert_content(const char *path, const char *want)
{
    unsigned char *buf;
    size_t len;
    tn_error err;
    ck_assert_msg(tn__read_file(path, 1 << 20, &buf, &len, &err) == TN_OK, "%s", err.msg);
    ck_assert_uint_eq(len, strlen(want));
    ck_assert_str_eq((char *)buf, want); /* also checks the NUL terminator */
    tn__free(buf);
}

static void files_setup(void)
{
    setup();
    make_tmpdir();
}

static void files_teardown(void)
{
    rm_rf(g_dir);
    teardown();
}

START_TEST(write_atomic_writes_and_replaces)
{
    char p[600];
    path_in(p, sizeof p, "a.txt");
    tn_error err;
    ck_assert_int_eq(tn__write_atomic(p, "hello", 5, &err), TN_OK);
    assert_content(p, "hello");
    chmod(p, 0640);
    ck_assert_int_eq(tn__write_atomic(p, "replaced!", 9, &err), TN_OK);
    assert_content(p, "replaced!");
    struct stat st;
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0640); /* permissions survive the replace */
    ck_assert_int_eq(tn__write_atomic(p, NULL, 0, &err), TN_OK);
    assert_content(p, "");
    ck_assert_int_eq(count_tmp_files(g_dir), 0);
    ck_assert_uint_eq(g_mallocs, g_frees);
}
END_TEST

START_TEST(write_atomic_missing_directory)
{
    char p[600];
    path_in(p, sizeof p, "no/such/dir/x.tnn");
    tn_error err;
    ck_assert_int_eq(tn__write_atomic(p, "x", 1, &err), TN_EIO);
    assert_has(err.msg, p);
    assert_has(err.msg, "create temporary file: No such file or directory");
    ck_assert_uint_eq(g_mallocs, g_frees);
}
END_TEST

START_TEST(write_atomic_refuses_non_regular_targets)
{
    /* A directory, even one that rename could not replace, is refused before anything is
     * written; so is a FIFO (a device takes the same path), which is left as it was. */
    char p[600], inner[700], fifo[600];
    path_in(p, sizeof p, "target");
    ck_assert_int_eq(mkdir(p, 0755), 0);
    snprintf(inner, sizeof inner, "%s/keep", p);
    tn_error err;
    ck_assert_int_eq(tn__write_atomic(inner, "old", 3, &err), TN_OK);
    ck_assert_int_eq(tn__write_atomic(p, "new", 3, &err), TN_EIO);
    assert_has(err.msg, "target: is a directory: give a file name");
    ck_assert_int_eq(tn__check_writable(p, &err), TN_EIO);
    assert_has(err.msg, "is a directory");
    assert_content(inner, "old");

    path_in(fifo, sizeof fifo, "pipe");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(tn__check_writable(fifo, &err), TN_EIO);
    assert_has(err.msg, "pipe: not a regular file (a named pipe): tinynet writes regular files "
               "only, and will not replace it");
    ck_assert_int_eq(tn__write_atomic(fifo, "new", 3, &err), TN_EIO);
    assert_has(err.msg, "not a regular file (a named pipe)");
    struct stat st;
    ck_assert_int_eq(lstat(fifo, &st), 0);
    ck_assert(S_ISFIFO(st.st_mode));

    /* Reading one is refused by its type at once, not after waiting for a writer. */
    unsigned char *buf;
    size_t len;
    ck_assert_int_eq(tn__read_file(fifo, 100, &buf, &len, &err), TN_EIO);
    assert_has(err.msg, "pipe: not a regular file (a named pipe)");
    ck_assert_int_eq(tn__read_file("", 100, &buf, &len, &err), TN_EIO);
    ck_assert_str_eq(err.msg, "an empty file name: give the path of a file");
    ck_assert_int_eq(tn__check_writable("", &err), TN_EIO);
    ck_assert_str_eq(err.msg, "an empty file name: give the path of a file");

    /* The directory a file would go in must be one. */
    char under[800];
    snprintf(under, sizeof under, "%s/x.tnn", inner);
    ck_assert_int_eq(tn__check_writable(under, &err), TN_EIO);
    assert_has(err.msg, "cannot write there: ");
    ck_assert_int_eq(count_tmp_files(g_dir), 0);
    ck_assert_uint_eq(g_mallocs, g_frees);
}
END_TEST

/* Creates path with content and the given modification time. */
static void make_file_at(const char *path, time_t mtime)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("partial", f);
    fclose(f);
    struct timeval tv[2] = {{mtime, 0}, {mtime, 0}};
    ck_assert_int_eq(utimes(path, tv), 0);
}

START_TEST(write_atomic_removes_stale_temps)
{
    /* What a kill -9 in an earlier run left: removed by the next write to the same path.
     * A name outside the pattern, a temp of another target and one newer than this
     * process are left alone. */
    char p[600], stale[700], other[700], odd[700], fresh[700];
    path_in(p, sizeof p, "m.tnn");
    snprintf(stale, sizeof stale, "%s.tmp.Ab3xY9", p);
    snprintf(odd, sizeof odd, "%s.tmp.Ab3x", p);
    snprintf(fresh, sizeof fresh, "%s.tmp.new123", p);
    path_in(other, sizeof other, "n.tnn.tmp.Ab3xY9");
    time_t old = time(NULL) - 3600 * 24 * 365;
    make_file_at(stale, old);
    make_file_at(odd, old);
    make_file_at(other, old);
    make_file_at(fresh, time(NULL) + 3600);
    tn_error err;
    /* A temporary file someone holds a lock on is a live write (a stopped process, a slow
     * disk), however old: left alone. */
    int held = open(stale, O_RDONLY);
    ck_assert_int_ge(held, 0);
    ck_assert_int_eq(flock(held, LOCK_EX), 0);
    ck_assert_int_eq(tn__write_atomic(p, "model", 5, &err), TN_OK);
    ck_assert_int_eq(access(stale, F_OK), 0);
    close(held);
    ck_assert_int_eq(tn__write_atomic(p, "model", 5, &err), TN_OK);
    assert_content(p, "model");
    ck_assert_int_ne(access(stale, F_OK), 0);
    ck_assert_int_eq(access(odd, F_OK), 0);
    ck_assert_int_eq(access(other, F_OK), 0);
    ck_assert_int_eq(access(fresh, F_OK), 0);
    ck_assert_uint_eq(g_mallocs, g_frees);
}
END_TEST

START_TEST(write_atomic_write_fails_keeps_old)
{
    /* A file-size limit makes write() itself fail (EFBIG) even as root. Done in a child
     * so the limit cannot leak into other tests when Check runs without fork. */
    char p[600];
    path_in(p, sizeof p, "model.tnn");
    tn_error err;
    ck_assert_int_eq(tn__write_atomic(p, "old model", 9, &err), TN_OK);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {64, 64};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(3);
        char big[4096];
        memset(big, 'n', sizeof big);
        int rc = tn__write_atomic(p, big, sizeof big, &err);
        _exit(rc == TN_EIO && strstr(err.msg, ": write: ") ? 0 : 1);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    assert_content(p, "old model");
    ck_assert_int_eq(count_tmp_files(g_dir), 0);
}
END_TEST

START_TEST(modelfile_write_read_round_trip)
{
    float w[SMALL_N];
    small_params(w);
    char p[600];
    path_in(p, sizeof p, "net.tnn");
    tn_error err;
    ck_assert_int_eq(tn__modelfile_write(p, SMALL_HEADER, w, SMALL_N, &err), TN_OK);
    tn_modelfile m;
    ck_assert_int_eq(tn__modelfile_read(p, 0, &m, &err), TN_OK);
    ck_assert_str_eq(m.header, SMALL_HEADER);
    ck_assert_uint_eq(m.n_params, SMALL_N);
    ck_assert_mem_eq(m.params, w, sizeof w);
    tn__modelfile_release(&m);
    ck_assert_int_eq(count_tmp_files(g_dir), 0);

    /* Errors from the file name the path. */
    FILE *f = fopen(p, "ab");
    fputc(0, f);
    fclose(f);
    ck_assert_int_eq(tn__modelfile_read(p, 0, &m, &err), TN_EFORMAT);
    ck_assert(strncmp(err.msg, p, strlen(p)) == 0);
    assert_has(err.msg, "trailing");
    ck_assert_ptr_null(m.params);

    path_in(p, sizeof p, "missing.tnn");
    ck_assert_int_eq(tn__modelfile_read(p, 0, &m, &err), TN_EIO);
    assert_has(err.msg, "open: No such file or directory");
    ck_assert_uint_eq(g_mallocs, g_frees);
}
END_TEST

START_TEST(read_file_limits)
{
    char p[600];
    path_in(p, sizeof p, "f.txt");
    tn_error err;
    ck_assert_int_eq(tn__write_atomic(p, "0123456789", 10, &err), TN_OK);
    unsigned char *buf = (unsigned char *)"x";
    size_t len = 99;
    reset_counts();
    ck_assert_int_eq(tn__read_file(p, 9, &buf, &len, &err), TN_ERANGE);
    assert_has(err.msg, "too large (10 bytes; the limit is 9)");
    ck_assert_ptr_null(buf);
    ck_assert_uint_eq(len, 0);
    ck_assert_uint_eq(g_mallocs, 0);
    ck_assert_int_eq(tn__read_file(p, 10, &buf, &len, &err), TN_OK);
    ck_assert_uint_eq(len, 10);
    ck_assert_int_eq(buf[10], 0);
    tn__free(buf);
    ck_assert_int_eq(tn__read_file(g_dir, 1 << 20, &buf, &len, &err), TN_EIO);
    assert_has(err.msg, "not a regular file");
    g_fail_after = (long)g_mallocs;
    ck_assert_int_eq(tn__read_file(p, 10, &buf, &len, &err), TN_ENOMEM);
    ck_assert_uint_eq(g_mallocs, g_frees);
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("modelfile");
    TCase *tc = tcase_create("container");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, crc32_check_value);
    tcase_add_test(tc, encode_golden_bytes);
    tcase_add_test(tc, round_trip_bit_exact);
    tcase_add_test(tc, empty_params_valid);
    tcase_add_test(tc, truncated_at_every_length);
    tcase_add_test(tc, every_byte_flip_fails);
    tcase_add_test(tc, trailing_bytes);
    tcase_add_test(tc, bad_magic);
    tcase_add_test(tc, versions);
    tcase_add_test(tc, header_length_past_end);
    tcase_add_test(tc, huge_parameter_count);
    tcase_add_test(tc, nul_in_header);
    tcase_add_test(tc, checksum_mismatch);
    tcase_add_test(tc, nonfinite_weights);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, decode_out_of_memory);
    suite_add_tcase(s, tc);

    TCase *tf = tcase_create("files");
    tcase_add_checked_fixture(tf, files_setup, files_teardown);
    tcase_add_test(tf, write_atomic_writes_and_replaces);
    tcase_add_test(tf, write_atomic_missing_directory);
    tcase_add_test(tf, write_atomic_refuses_non_regular_targets);
    tcase_add_test(tf, write_atomic_removes_stale_temps);
    tcase_add_test(tf, write_atomic_write_fails_keeps_old);
    tcase_add_test(tf, modelfile_write_read_round_trip);
    tcase_add_test(tf, read_file_limits);
    suite_add_tcase(s, tf);
    return s;
}
