/* CSV reader: every error message, the accepted dialects, the shipped data sets, and
 * robustness against truncated, mutated and out-of-memory input. */
#include "core/rng.h"
#include "data/csv.h"
#include "data/vocab.h"
#include "core/alloc.h"
#include "core/file.h"

#include "tn_check.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- Helpers ---------------------------------------------------------------------- */

static tn_table *parse_ok_n(const char *text, size_t len)
{
    tn_error e = {0};
    tn_table *t = NULL;
    int rc = tn__csv_parse("t.csv", text, len, &t, &e);
    ck_assert_msg(rc == TN_OK, "parse failed: %s", e.msg);
    ck_assert_ptr_nonnull(t);
    return t;
}

static tn_table *parse_ok(const char *text) { return parse_ok_n(text, strlen(text)); }

/* Asserts the code, a NULL result and that the message contains needle. */
static void expect_fail_n(const char *text, size_t len, int code, const char *needle)
{
    tn_error e = {0};
    tn_table *t = (tn_table *)&e; /* must be reset to NULL */
    int rc = tn__csv_parse("data/ring_train.csv", text, len, &t, &e);
    ck_assert_msg(rc == code, "rc %s, want %s (%s)", tn_status_name(rc), tn_status_name(code),
                  e.msg);
    ck_assert_int_eq(e.code, code);
    ck_assert_ptr_null(t);
    ck_assert_msg(strstr(e.msg, needle) != NULL, "message \"%s\" lacks \"%s\"", e.msg, needle);
}

static void expect_fail(const char *text, int code, const char *needle)
{
    expect_fail_n(text, strlen(text), code, needle);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
}

/* A fresh path under /tmp (the file exists, empty). */
static void temp_path(char *buf, size_t cap)
{
    snprintf(buf, cap, "/tmp/tn_csv_XXXXXX");
    int fd = mkstemp(buf);
    ck_assert_int_ge(fd, 0);
    close(fd);
}

#define EQ(a, b) ck_assert_float_eq_tol((a), (b), 1e-6f)

/* ---- Error messages --------------------------------------------------------------- */

START_TEST(test_err_not_a_number)
{
    tn_error e = {0};
    tn_table *t = NULL;
    const char *text = "x,y,label\n1,2,abc\n";
    int rc = tn__csv_parse("data/ring_train.csv", text, strlen(text), &t, &e);
    ck_assert_int_eq(rc, TN_EDATA);
    ck_assert_str_eq(e.msg,
                     "data/ring_train.csv: line 2: column \"label\": expected a number, got \"abc\"");
    expect_fail("x,y\n1,\n", TN_EDATA, "line 2: column \"y\": expected a number, got \"\"");
    expect_fail("x,y\n1, \n", TN_EDATA, "column \"y\": expected a number, got \"\"");
    expect_fail("x,y\n1 2,3\n", TN_EDATA, "column \"x\": expected a number, got \"1 2\"");
    expect_fail("x,y\n1,0x\n", TN_EDATA, "column \"y\": expected a number, got \"0x\"");
    expect_fail("x,y\n1,2.5.1\n", TN_EDATA, "got \"2.5.1\"");
    expect_fail("x,y\n1,\"2\"x\n", TN_EDATA, "line 2: field 2: expected a comma or the end of "
                "the line after a closing quote, got 'x'");
    expect_fail_n("x,y\n1,2\0003\n", 10, TN_EDATA, "column \"y\": expected a number, got \"2\\x003\"");
    /* A very long field is shown cut, not overflowing the message. */
    char long_field[2000];
    memset(long_field, 'z', sizeof long_field);
    memcpy(long_field, "x\n", 2);
    expect_fail_n(long_field, sizeof long_field, TN_EDATA, "got \"zzzz");
}
END_TEST

START_TEST(test_err_not_finite)
{
    expect_fail("a,x\n1,nan\n", TN_EDATA, "data/ring_train.csv: line 2: column \"x\": value is not finite (nan)");
    expect_fail("a,x\n1,-NaN\n", TN_EDATA, "column \"x\": value is not finite (nan)");
    expect_fail("a,x\n1,2\ninf,3\n", TN_EDATA, "line 3: column \"a\": value is not finite (inf)");
    expect_fail("a,x\n1,-Infinity\n", TN_EDATA, "value is not finite (inf)");
    /* Overflow in double (strtod gives HUGE_VAL and ERANGE) and in float only. */
    expect_fail("a,x\n1,1e999\n", TN_EDATA, "line 2: column \"x\": value out of float range (\"1e999\")");
    expect_fail("a,x\n-1e999,1\n", TN_EDATA, "column \"a\": value out of float range");
    expect_fail("a,x\n1,1e39\n", TN_EDATA, "column \"x\": value out of float range (\"1e39\")");
    expect_fail("a,x\n1,-3.5e38\n", TN_EDATA, "value out of float range");
}
END_TEST

START_TEST(test_err_field_count)
{
    expect_fail("x,y,label\n1,2,0\n\n# c\n1,2,1\n1,2\n", TN_EDATA,
         "data/ring_train.csv: line 6: expected 3 fields, got 2");
    expect_fail("x,y,label\n1,2,3,\n", TN_EDATA, "line 2: expected 3 fields, got 4");
    /* CRLF lines count as one line each. */
    expect_fail("x,y\r\n1,2\r\n3\r\n", TN_EDATA, "line 3: expected 2 fields, got 1");
    /* A tab-separated file does not split on commas. */
    expect_fail("x\ty\n1\t2\n1,5\n", TN_EDATA, "line 3: expected 2 fields, got 1");
}
END_TEST

START_TEST(test_err_empty_and_header)
{
    expect_fail("", TN_EDATA, "data/ring_train.csv: empty file (expected a header line)");
    expect_fail_n(NULL, 0, TN_EDATA, "empty file (expected a header line)");
    expect_fail("\n  \n# only a comment\r\n", TN_EDATA, "empty file (expected a header line)");
    expect_fail("x,y\n", TN_EDATA, "data/ring_train.csv: no data rows");
    expect_fail("x,y\n\n# nothing\n", TN_EDATA, "data/ring_train.csv: no data rows");
    expect_fail("x,y,x\n1,2,3\n", TN_EDATA, "data/ring_train.csv: line 1: duplicate column name \"x\"");
    expect_fail("# c\nx, \"x\"\n1,2\n", TN_EDATA, "line 2: duplicate column name \"x\"");
    expect_fail("x,,y\n1,2,3\n", TN_EDATA, "data/ring_train.csv: line 1: empty column name (column 2)");
    expect_fail("x,y,  \n1,2,3\n", TN_EDATA, "line 1: empty column name (column 3)");
    expect_fail("\"\",y\n1,2\n", TN_EDATA, "line 1: empty column name (column 1)");
    expect_fail("x,\"y\n1,2\n", TN_EDATA, "line 1: field 2: the quote opened here is never closed");
    expect_fail("x,a\"b\n1,2\n", TN_EDATA, "line 1: column 2: name contains a control character or a quote");
    expect_fail("x,a\001\n1,2\n", TN_EDATA, "line 1: column 2: name contains a control character");
}
END_TEST

/* Each row knows the line it came from, past comments and blank lines. */
START_TEST(test_row_lines)
{
    tn_error e = {0};
    tn_table *t = NULL;
    const char *text = "# made by hand\nx,y\n1,2\n\n# gap\n3,4\n5,6";
    ck_assert_int_eq(tn__csv_parse("n", text, strlen(text), &t, &e), TN_OK);
    ck_assert_uint_eq(t->rows, 3);
    ck_assert_uint_eq(t->lines[0], 3);
    ck_assert_uint_eq(t->lines[1], 6);
    ck_assert_uint_eq(t->lines[2], 7);
    tn__table_free(t);
}
END_TEST

START_TEST(test_err_arguments)
{
    tn_error e = {0};
    tn_table *t = NULL;
    ck_assert_int_eq(tn__csv_parse("n", "x\n1\n", 4, NULL, &e), TN_EINVAL);
    ck_assert_int_eq(tn__csv_parse("n", NULL, 4, &t, &e), TN_EINVAL);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(tn__csv_read(NULL, &t, &e), TN_EINVAL);
    ck_assert_int_eq(tn__csv_read("x", NULL, NULL), TN_EINVAL);
    /* err may be NULL; a NULL name still gives a message. */
    ck_assert_int_eq(tn__csv_parse(NULL, "x\n", 2, &t, NULL), TN_EDATA);
    ck_assert_int_eq(tn__csv_parse(NULL, "x\n", 2, &t, &e), TN_EDATA);
    ck_assert_str_eq(e.msg, "<memory>: no data rows");
}
END_TEST

START_TEST(test_err_files)
{
    tn_error e = {0};
    tn_table *t = NULL;
    int rc = tn__csv_read("/nonexistent-dir/none.csv", &t, &e);
    ck_assert_int_eq(rc, TN_EIO);
    ck_assert_int_eq(e.code, TN_EIO);
    ck_assert_ptr_null(t);
    ck_assert_str_eq(e.msg, "/nonexistent-dir/none.csv: cannot open: No such file or directory");

    rc = tn__csv_read("/tmp", &t, &e); /* opens, but is no file to read */
    ck_assert_int_eq(rc, TN_EIO);
    ck_assert_str_eq(e.msg, "/tmp: not a regular file (a directory)");

    /* Line numbers in a real file, with the path as the name. */
    char path[64], want[160];
    temp_path(path, sizeof path);
    char text[1024] = "x,label\n";
    for (int i = 2; i < 17; i++)
        strcat(text, i % 5 ? "0.5,1\n" : "\n");
    strcat(text, "0.25,abc\n");
    write_file(path, text);
    rc = tn__csv_read(path, &t, &e);
    unlink(path);
    ck_assert_int_eq(rc, TN_EDATA);
    snprintf(want, sizeof want, "%s: line 17: column \"label\": expected a number, got \"abc\"",
             path);
    ck_assert_str_eq(e.msg, want);
}
END_TEST

/* ---- Accepted input --------------------------------------------------------------- */

START_TEST(test_parse_basic)
{
    tn_table *t = parse_ok("x,y,label\n1,2,0\n-3.5,4e-2,1\n");
    ck_assert_uint_eq(t->rows, 2);
    ck_assert_uint_eq(t->cols, 3);
    ck_assert_str_eq(t->names[0], "x");
    ck_assert_str_eq(t->names[1], "y");
    ck_assert_str_eq(t->names[2], "label");
    const float want[] = {1, 2, 0, -3.5f, 0.04f, 1};
    for (int i = 0; i < 6; i++)
        EQ(t->values[i], want[i]);
    tn__table_free(t);
}
END_TEST

START_TEST(test_parse_tabs)
{
    tn_table *t = parse_ok("a\tb\n1\t2\n 3 \t 4 \n");
    ck_assert_uint_eq(t->rows, 2);
    ck_assert_uint_eq(t->cols, 2);
    ck_assert_str_eq(t->names[1], "b");
    EQ(t->values[2], 3);
    EQ(t->values[3], 4);
    tn__table_free(t);
    /* A comma anywhere in the header keeps comma separation; tabs are then blanks. */
    t = parse_ok("a,b\n1\t,\t2\n");
    ck_assert_uint_eq(t->cols, 2);
    EQ(t->values[1], 2);
    tn__table_free(t);
}
END_TEST

START_TEST(test_parse_crlf_comments_blanks)
{
    tn_table *t = parse_ok("# made by hand\r\n\r\nx,y\r\n  # indented comment\r\n1,2\r\n\r\n"
                           "   \r\n\t\n3,4\r\n");
    ck_assert_uint_eq(t->rows, 2);
    ck_assert_str_eq(t->names[1], "y");
    EQ(t->values[0], 1);
    EQ(t->values[3], 4);
    tn__table_free(t);
}
END_TEST

START_TEST(test_parse_spaces_quotes_bom)
{
    tn_table *t = parse_ok("  first , \"second name\" ,\"z\"\n  1 ,2,  3  \n");
    ck_assert_str_eq(t->names[0], "first");
    ck_assert_str_eq(t->names[1], "second name");
    ck_assert_str_eq(t->names[2], "z");
    EQ(t->values[0], 1);
    EQ(t->values[2], 3);
    tn__table_free(t);
    t = parse_ok("\xEF\xBB\xBFx\n1\n");
    ck_assert_str_eq(t->names[0], "x");
    tn__table_free(t);
}
END_TEST

START_TEST(test_parse_no_final_newline_and_numbers)
{
    tn_table *t = parse_ok("a,b,c,d,e,f\n1e3,-2.5E-2,+3.,.5,-0,1e-50\n7,8,9,10,11,12");
    ck_assert_uint_eq(t->rows, 2);
    const float want[] = {1000, -0.025f, 3, 0.5f, 0, 0, 7, 8, 9, 10, 11, 12};
    for (int i = 0; i < 12; i++)
        EQ(t->values[i], want[i]);
    tn__table_free(t);
    /* The largest float and its rounding neighbourhood are fine. */
    t = parse_ok("m\n3.40282347e38\n3.4028235e38\n-3.40282347e38\n");
    for (int i = 0; i < 3; i++)
        ck_assert(isfinite(t->values[i]) && fabsf(t->values[i]) > 3.4e38f);
    tn__table_free(t);
    /* One column, length-limited text that is not NUL-terminated. */
    const char buf[] = {'v', '\n', '4', '2', '9'};
    t = parse_ok_n(buf, 4);
    ck_assert_uint_eq(t->rows, 1);
    EQ(t->values[0], 42);
    tn__table_free(t);
}
END_TEST

START_TEST(test_parse_many_rows)
{
    /* Enough rows to grow the storage several times; every value lands in its place. */
    size_t n = 20000, cap = 32 + n * 32, len = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    len += (size_t)sprintf(text, "i,sq,neg\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, "%zu,%zu,-%zu\n", i, (i % 1000) * (i % 1000), i);
    tn_table *t = parse_ok_n(text, len);
    free(text);
    ck_assert_uint_eq(t->rows, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_float_eq(t->values[i * 3], (float)i);
        ck_assert_float_eq(t->values[i * 3 + 1], (float)((i % 1000) * (i % 1000)));
        ck_assert_float_eq(t->values[i * 3 + 2], -(float)i);
    }
    ck_assert_uint_eq((uintptr_t)t->values % 64, 0);
    tn__table_free(t);
}
END_TEST

START_TEST(test_table_column)
{
    tn_table *t = parse_ok("x, y ,\"label\"\n1,2,3\n");
    ck_assert_int_eq(tn__table_column(t, "x"), 0);
    ck_assert_int_eq(tn__table_column(t, "y"), 1);
    ck_assert_int_eq(tn__table_column(t, "label"), 2);
    ck_assert_int_eq(tn__table_column(t, "Label"), -1);
    ck_assert_int_eq(tn__table_column(t, ""), -1);
    ck_assert_int_eq(tn__table_column(t, NULL), -1);
    ck_assert_int_eq(tn__table_column(NULL, "x"), -1);
    tn__table_free(t);
    tn__table_free(NULL);
}
END_TEST

/* Standard input is read only when the CLI hands it over; for the library "-" is a name. */
START_TEST(test_read_stdin)
{
    char path[64];
    temp_path(path, sizeof path);
    write_file(path, "a,b\n1,2\n3,x\n");
    ck_assert_ptr_nonnull(freopen(path, "rb", stdin));
    tn_error e = {0};
    tn_table *t = NULL;
    unsigned char *buf;
    size_t len;
    ck_assert_int_eq(tn__read_stream("<stdin>", STDIN_FILENO, 1 << 20, &buf, &len, &e), TN_OK);
    ck_assert_uint_eq(len, 12);
    ck_assert_int_eq(tn__csv_parse("<stdin>", (const char *)buf, len, &t, &e), TN_EDATA);
    ck_assert_str_eq(e.msg, "<stdin>: line 3: column \"b\": expected a number, got \"x\"");
    tn__free(buf);
    /* exactly the cap is fine, one byte more is refused */
    ck_assert_ptr_nonnull(freopen(path, "rb", stdin));
    ck_assert_int_eq(tn__read_stream("<stdin>", STDIN_FILENO, 12, &buf, &len, &e), TN_OK);
    tn__free(buf);
    ck_assert_ptr_nonnull(freopen(path, "rb", stdin));
    ck_assert_int_eq(tn__read_stream("<stdin>", STDIN_FILENO, 11, &buf, &len, &e), TN_ERANGE);
    ck_assert_ptr_null(buf);
    unlink(path);
    ck_assert_int_eq(tn__csv_read("-", &t, &e), TN_EIO);
    ck_assert_str_eq(e.msg, "-: cannot open: No such file or directory");
}
END_TEST

/* ---- Shipped data ----------------------------------------------------------------- */

static tn_table *read_shipped(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", TN_SOURCE_DIR, rel);
    tn_error e = {0};
    tn_table *t = NULL;
    int rc = tn__csv_read(path, &t, &e);
    ck_assert_msg(rc == TN_OK, "%s", e.msg);
    return t;
}

static void check_ring(const char *rel, size_t rows)
{
    tn_table *t = read_shipped(rel);
    ck_assert_uint_eq(t->rows, rows);
    ck_assert_uint_eq(t->cols, 3);
    int cx = tn__table_column(t, "x"), cy = tn__table_column(t, "y");
    int cl = tn__table_column(t, "label");
    ck_assert(cx == 0 && cy == 1 && cl == 2);
    size_t count[2] = {0, 0};
    double rsum[2] = {0, 0};
    for (size_t i = 0; i < t->rows; i++) {
        const float *r = t->values + i * t->cols;
        ck_assert_msg(r[cl] == 0.0f || r[cl] == 1.0f, "%s row %zu: label %g", rel, i, r[cl]);
        int k = r[cl] == 1.0f;
        count[k]++;
        rsum[k] += hypot(r[cx], r[cy]);
    }
    /* Balanced within 10% of the total, and the rings are ordered. */
    size_t diff = count[0] > count[1] ? count[0] - count[1] : count[1] - count[0];
    ck_assert_msg(diff * 10 <= rows, "%s: classes %zu / %zu", rel, count[0], count[1]);
    ck_assert(rsum[0] / (double)count[0] < rsum[1] / (double)count[1]);
    tn__table_free(t);
}

START_TEST(test_shipped_rings)
{
    check_ring("data/ring_train.csv", 1000);
    check_ring("data/ring_test.csv", 500);
}
END_TEST

START_TEST(test_shipped_xor)
{
    tn_table *t = read_shipped("data/xor.csv");
    ck_assert_uint_eq(t->rows, 4);
    ck_assert_uint_eq(t->cols, 3);
    ck_assert_int_eq(tn__table_column(t, "x1"), 0);
    ck_assert_int_eq(tn__table_column(t, "x2"), 1);
    ck_assert_int_eq(tn__table_column(t, "label"), 2);
    int seen = 0;
    for (size_t i = 0; i < 4; i++) {
        const float *r = t->values + i * 3;
        int a = r[0] == 1.0f, b = r[1] == 1.0f;
        ck_assert(r[0] == (float)a && r[1] == (float)b);
        ck_assert_float_eq(r[2], (float)(a ^ b));
        seen |= 1 << (a * 2 + b);
    }
    ck_assert_int_eq(seen, 15); /* all four input pairs */
    tn__table_free(t);
}
END_TEST

/* ---- Robustness ------------------------------------------------------------------- */

static const char k_valid[] = "# ring sample\r\n"
                              "x, \"y\" ,label\r\n"
                              "-1.06224358,0.101556152,0\r\n"
                              "\r\n"
                              "1.2418983 , -5.03016889e-1 ,1\n"
                              "  # mid comment\n"
                              "1e3,.5,0";

/* Success must give a well-formed table; failure a NULL table and a message. */
static void check_outcome(int rc, tn_table *t, const tn_error *e, const char *what)
{
    if (rc == TN_OK) {
        ck_assert_ptr_nonnull(t);
        ck_assert(t->rows > 0 && t->cols > 0);
        for (size_t c = 0; c < t->cols; c++)
            ck_assert(t->names[c] && t->names[c][0]);
        for (size_t i = 0; i < t->rows * t->cols; i++)
            ck_assert_msg(isfinite(t->values[i]), "%s: non-finite value", what);
    } else {
        ck_assert_msg(rc == TN_EDATA, "%s: rc %s: %s", what, tn_status_name(rc), e->msg);
        ck_assert_ptr_null(t);
        ck_assert_int_eq(e->code, rc);
        ck_assert_msg(strncmp(e->msg, "fuzz.csv: ", 10) == 0, "%s: message %s", what, e->msg);
    }
}

/* Parses an exactly-sized heap copy, so ASan sees any read past len. */
static void parse_copy(const char *text, size_t len, const char *what)
{
    char *copy = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(copy);
    if (len)
        memcpy(copy, text, len);
    tn_error e = {0};
    tn_table *t = NULL;
    int rc = tn__csv_parse("fuzz.csv", copy, len, &t, &e);
    check_outcome(rc, t, &e, what);
    tn__table_free(t);
    free(copy);
}

START_TEST(test_truncations)
{
    size_t len = sizeof k_valid - 1;
    for (size_t k = 0; k <= len; k++) {
        char what[32];
        snprintf(what, sizeof what, "prefix %zu", k);
        parse_copy(k_valid, k, what);
    }
    /* The whole text must parse. */
    tn_table *t = parse_ok(k_valid);
    ck_assert_uint_eq(t->rows, 3);
    tn__table_free(t);
}
END_TEST

START_TEST(test_mutations)
{
    static const char alphabet[] = ",\n\r\t \"#0123456789.eE+-naifNAIF\0";
    size_t len = sizeof k_valid - 1;
    char buf[sizeof k_valid + 8];
    tn_rng r;
    tn__rng_seed(&r, 12345, TN_STREAM_DATA);
    for (int iter = 0; iter < 2000; iter++) {
        size_t n = len;
        memcpy(buf, k_valid, len);
        int edits = 1 + (int)tn__rng_below(&r, 4);
        for (int k = 0; k < edits; k++) {
            size_t at = tn__rng_below(&r, (uint32_t)n);
            buf[at] = tn__rng_below(&r, 2) ? alphabet[tn__rng_below(&r, sizeof alphabet)]
                                           : (char)tn__rng_below(&r, 256);
        }
        if (tn__rng_below(&r, 4) == 0)
            n = tn__rng_below(&r, (uint32_t)n + 1);
        char what[32];
        snprintf(what, sizeof what, "mutation %d", iter);
        parse_copy(buf, n, what);
    }
    /* And wholly random bytes. */
    for (int iter = 0; iter < 500; iter++) {
        size_t n = tn__rng_below(&r, sizeof buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = tn__rng_below(&r, 2) ? alphabet[tn__rng_below(&r, sizeof alphabet)]
                                          : (char)tn__rng_below(&r, 256);
        char what[32];
        snprintf(what, sizeof what, "random %d", iter);
        parse_copy(buf, n, what);
    }
}
END_TEST

/* Fails every allocation after the first g_budget ones. */
static long g_budget;
static void *budget_malloc(size_t n) { return g_budget-- > 0 ? malloc(n) : NULL; }
static void *budget_realloc(void *p, size_t n) { return g_budget-- > 0 ? realloc(p, n) : NULL; }

START_TEST(test_out_of_memory)
{
    /* 300 rows force the value block to grow; a long field grows the number buffer. */
    char text[16384];
    size_t len = (size_t)sprintf(text, "a,b\n1.000000000000000000000000000000000000000000000000"
                                       "000000000000000000000000000001,2\n");
    for (int i = 0; i < 300; i++)
        len += (size_t)sprintf(text + len, "%d,%d\n", i, -i);
    int ok = 0;
    for (long budget = 0; budget < 200 && !ok; budget++) {
        tn_error e = {0};
        tn_table *t = NULL;
        g_budget = budget;
        tn_replace_allocator(budget_malloc, budget_realloc, free);
        int rc = tn__csv_parse("oom.csv", text, len, &t, &e);
        tn_replace_allocator(NULL, NULL, NULL);
        if (rc == TN_OK) {
            ck_assert_uint_eq(t->rows, 301);
            ok = 1;
        } else {
            ck_assert_msg(rc == TN_ENOMEM, "budget %ld: %s", budget, e.msg);
            ck_assert_ptr_null(t);
            ck_assert_msg(strstr(e.msg, "out of memory") != NULL, "%s", e.msg);
        }
        tn__table_free(t);
    }
    ck_assert_msg(ok, "never succeeded within the allocation budget");
}
END_TEST


/* ---- RFC 4180 and column kinds (issue 11) ------------------------------------------ */

static int plan_kinds(void *ctx, tn_table *t, tn_error *err)
{
    (void)err;
    const char *kinds = ctx; /* one letter per column: n number, s skip, t text */
    for (size_t c = 0; c < t->cols && kinds[c]; c++)
        t->kind[c] = kinds[c] == 's' ? TN_COL_SKIP : kinds[c] == 't' ? TN_COL_TEXT : TN_COL_NUMBER;
    return TN_OK;
}

static tn_table *parse_kinds(const char *text, const char *kinds, int no_header, int skip_missing,
                             tn_error *e)
{
    tn_csv_opts o = {.no_header = no_header, .skip_missing = skip_missing, .plan = plan_kinds,
                     .ctx = (void *)kinds};
    tn_table *t = NULL;
    int rc = tn__csv_parse_opts("p.csv", text, strlen(text), &o, &t, e);
    ck_assert_msg(rc == TN_OK || t == NULL, "a failed parse left a table");
    return t;
}

START_TEST(test_rfc4180_quotes)
{
    tn_error e = {0};
    /* Quoted fields hold the delimiter, doubled quotes and line ends; lines count on. */
    const char *text = "\xEF\xBB\xBFid,\"note, long\",x\r\n"
                       "u0,\"hello, world\",1.5\r\n"
                       "u1,\"say \"\"hi\"\"\nsecond line\",2\r\n"
                       "u2,plain,3";
    tn_table *t = parse_kinds(text, "tsn", 0, 0, &e);
    ck_assert_msg(t != NULL, "%s", e.msg);
    ck_assert_uint_eq(t->rows, 3);
    ck_assert_str_eq(t->names[1], "note, long");
    ck_assert_uint_eq(t->lines[0], 2);
    ck_assert_uint_eq(t->lines[1], 3);
    ck_assert_uint_eq(t->lines[2], 5); /* the quoted newline moved it a line down */
    EQ(t->values[2 * 3 + 2], 3.0f);
    ck_assert_str_eq(t->text[0]->s[(size_t)t->values[1 * 3 + 0]], "u1");
    tn__table_free(t);
    /* An unused column holds anything; a bad value after a multi-line field has its line. */
    t = parse_kinds("a,b\n\"x\ny\",1\n\"z\",q\n", "sn", 0, 0, &e);
    ck_assert_ptr_null(t);
    ck_assert_str_eq(e.msg, "p.csv: line 4: column \"b\": expected a number, got \"q\"");
    t = parse_kinds("a,b\n\"never closed,1\n2,3\n", "sn", 0, 0, &e);
    ck_assert_ptr_null(t);
    ck_assert_str_eq(e.msg, "p.csv: line 2: field 1: the quote opened here is never closed");
}
END_TEST

START_TEST(test_headerless_and_missing)
{
    tn_error e = {0};
    tn_table *t = parse_kinds("5.1,3.5,setosa\n4.9,3,setosa\n6.3,2.5,virginica\n", "nnt", 1, 0, &e);
    ck_assert_msg(t != NULL, "%s", e.msg);
    ck_assert_uint_eq(t->rows, 3);
    ck_assert_int_eq(t->header, 0);
    ck_assert_str_eq(t->names[2], "3");
    ck_assert_uint_eq(t->text[2]->n, 2);
    ck_assert_uint_eq(t->lines[0], 1);
    tn__table_free(t);
    t = parse_kinds("1,2\n3,x\n", "nn", 1, 0, &e);
    ck_assert_ptr_null(t);
    ck_assert_str_eq(e.msg, "p.csv: line 2: column 2: expected a number, got \"x\"");
    /* Missing values: named, or rows dropped and counted when asked. */
    t = parse_kinds("a,b,c\n1,NA,x\n2,3,\n4,5,y\n", "nns", 0, 0, &e);
    ck_assert_ptr_null(t);
    ck_assert_msg(strstr(e.msg, "line 2: column \"b\": expected a number, got \"NA\" (a missing "
                         "value: \"missing\": \"skip\" drops such rows)"), "%s", e.msg);
    t = parse_kinds("a,b,c\n1,NA,x\n2,3,\n4,5,y\n", "nns", 0, 1, &e);
    ck_assert_msg(t != NULL, "%s", e.msg);
    ck_assert_uint_eq(t->rows, 2); /* the empty c is skipped, not missing */
    ck_assert_uint_eq(t->dropped, 1);
    ck_assert_uint_eq(t->lines[0], 3);
    tn__table_free(t);
}
END_TEST

START_TEST(test_stream_head)
{
    tn_error e = {0};
    tn_csv_opts o = {.head = "x,label\n", .head_len = 8, .first_line = 7};
    tn_table *t = NULL;
    ck_assert_int_eq(tn__csv_parse_opts("s", "1,2\n3,4", 7, &o, &t, &e), TN_OK);
    ck_assert_uint_eq(t->rows, 2);
    ck_assert_uint_eq(t->lines[1], 8);
    tn__table_free(t);
    ck_assert_int_eq(tn__csv_parse_opts("s", "1,2\n3,y\n", 8, &o, &t, &e), TN_EDATA);
    ck_assert_str_eq(e.msg, "s: line 8: column \"label\": expected a number, got \"y\"");
    ck_assert_uint_eq(tn__csv_first_record("# c\nx,\"a\nb\"\r\n1,2\n", 18), 11);
    ck_assert_int_eq(tn__csv_in_quotes("a,\"b\n", 5), 1);
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("errors");
    tcase_add_test(tc, test_row_lines);
    tcase_add_test(tc, test_err_not_a_number);
    tcase_add_test(tc, test_err_not_finite);
    tcase_add_test(tc, test_err_field_count);
    tcase_add_test(tc, test_err_empty_and_header);
    tcase_add_test(tc, test_err_arguments);
    tcase_add_test(tc, test_err_files);
    suite_add_tcase(s, tc);

    tc = tcase_create("parse");
    tcase_add_test(tc, test_parse_basic);
    tcase_add_test(tc, test_parse_tabs);
    tcase_add_test(tc, test_parse_crlf_comments_blanks);
    tcase_add_test(tc, test_parse_spaces_quotes_bom);
    tcase_add_test(tc, test_parse_no_final_newline_and_numbers);
    tcase_add_test(tc, test_parse_many_rows);
    tcase_add_test(tc, test_table_column);
    tcase_add_test(tc, test_read_stdin);
    tcase_add_test(tc, test_rfc4180_quotes);
    tcase_add_test(tc, test_headerless_and_missing);
    tcase_add_test(tc, test_stream_head);
    suite_add_tcase(s, tc);

    tc = tcase_create("data");
    tcase_add_test(tc, test_shipped_rings);
    tcase_add_test(tc, test_shipped_xor);
    suite_add_tcase(s, tc);

    tc = tcase_create("robustness");
    tcase_set_timeout(tc, 60); /* ASan builds are several times slower */
    tcase_add_test(tc, test_truncations);
    tcase_add_test(tc, test_mutations);
    tcase_add_test(tc, test_out_of_memory);
    suite_add_tcase(s, tc);
    return s;
}
