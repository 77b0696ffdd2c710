/* Tests for the strict JSON reader: exact message text and status for each failure. */
#include "core/json.h"

#include "tn_check.h"

#include <check.h>
#include <limits.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parses text (must succeed) and returns the tree; owned by the test. */
static cJSON *doc_of(const char *text)
{
    tn_error e = {0};
    cJSON *d = NULL;
    int rc = tn__jr_parse("t.json", text, strlen(text), &d, &e);
    ck_assert_msg(rc == TN_OK, "parse failed: %s", e.msg);
    return d;
}

/* Parses text (must fail with code) and checks the whole message. */
static void parse_fails(const char *text, size_t len, int code, const char *msg)
{
    tn_error e = {0};
    cJSON *d = (cJSON *)1;
    int rc = tn__jr_parse("t.json", text, len, &d, &e);
    ck_assert_int_eq(rc, code);
    ck_assert_int_eq(e.code, code);
    ck_assert_ptr_null(d);
    ck_assert_str_eq(e.msg, msg);
}

static void parse_fails_s(const char *text, const char *msg)
{
    parse_fails(text, strlen(text), TN_ECONFIG, msg);
}

/* ---- Parsing --------------------------------------------------------------------------- */

START_TEST(invalid_json_line_col)
{
    parse_fails_s("{\"a\": }", "t.json:1:7: invalid JSON near '}' (expected a JSON value)");
    parse_fails_s("{\n  \"a\": 1,\n  \"b\": [1, 2,\n    3\n  }\n}",
                  "t.json:5:3: invalid JSON near '}' (expected ',' or ']')");
    parse_fails_s("{\n  \"a\": 1\n  \"b\": 2\n}", "t.json:3:3: invalid JSON near '\"' (expected ',' or '}')");
    parse_fails_s("{\"a\":1,}", "t.json:1:8: invalid JSON near '}' (expected a key in double quotes)");
    parse_fails_s("[1, 2", "t.json:1:6: invalid JSON: unexpected end of input (expected ',' or ']')");
    parse_fails_s("[tru]", "t.json:1:2: invalid JSON near 't' (expected a JSON value)");
    /* columns count characters: "é" is two bytes, one column */
    parse_fails_s("[\"\xC3\xA9\" x]", "t.json:1:6: invalid JSON near 'x' (expected ',' or ']')");
    parse_fails_s("{\"a\": \"abc}", "t.json:1:7: unterminated string");
    parse_fails_s("{\"a\": \"x\ny\"}", "t.json:1:9: line break inside a string (missing closing quote?)");
    parse_fails_s("[\"a\tb\"]", "t.json:1:4: control character U+0009 inside a string (write it as an escape)");
    parse_fails_s("[\"\\ud800x\"]", "t.json:1:3: unpaired UTF-16 surrogate \\uD800 in a string");
    parse_fails_s("[\"\\udc00\"]", "t.json:1:3: unpaired UTF-16 surrogate \\uDC00 in a string");
    parse_fails_s("[01]", "t.json:1:2: invalid JSON number \"01\"");
    parse_fails_s("[1.]", "t.json:1:2: invalid JSON number \"1.\"");
    parse_fails_s("[\"\\q\"]", "t.json:1:3: invalid escape in a string (expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
}
END_TEST

START_TEST(trailing_garbage)
{
    parse_fails_s("{\"a\":1} x", "t.json:1:9: invalid JSON near 'x' (expected the end of the document)");
    parse_fails_s("{\"a\":1}{}", "t.json:1:8: invalid JSON near '{' (expected the end of the document)");
    /* cJSON treats a NUL as the end of text: bytes after it must still be rejected */
    parse_fails("{\"a\":1}\0x", 9, TN_ECONFIG, "t.json:1:8: unexpected NUL byte");
    cJSON *d = doc_of("[\"\\ud83d\\ude00\"]"); /* a valid pair: U+1F600 */
    ck_assert_str_eq(cJSON_GetArrayItem(d, 0)->valuestring, "\xF0\x9F\x98\x80");
    cJSON_Delete(d);
    d = doc_of(" \n{\"a\":1}\n\t ");
    cJSON_Delete(d);
}
END_TEST

START_TEST(duplicate_keys)
{
    parse_fails_s("{\"a\": 1, \"a\": 2}", "t.json: duplicate key \"a\"");
    parse_fails_s("{\"layers\": [{\"units\": 1}, {\"act\": {\"alpha\": 1, \"alpha\": 2}}]}",
                  "t.json: layers[1].act: duplicate key \"alpha\"");
    parse_fails_s("{\"x\": {\"b c\": {\"k\": 1, \"k\": 2}}}", "t.json: x[\"b c\"]: duplicate key \"k\"");
    /* a large object takes the sorting path; the earliest repetition is named */
    char big[4096];
    size_t n = 0;
    n += (size_t)snprintf(big + n, sizeof big - n, "{\"o\": {");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "\"k%d\": %d, ", i, i);
    snprintf(big + n, sizeof big - n, "\"k30\": 0, \"k7\": 0}}");
    parse_fails_s(big, "t.json: o: duplicate key \"k30\"");
    /* the same key in different objects is fine */
    cJSON *d = doc_of("{\"a\": {\"k\": 1}, \"b\": {\"k\": 2}, \"c\": [{\"k\": 1}, {\"k\": 2}]}");
    cJSON_Delete(d);
}
END_TEST

START_TEST(embedded_nul)
{
    parse_fails_s("{\"a\": \"x\\u0000y\"}", "t.json:1:9: \\u0000 (NUL) is not allowed in a string");
    parse_fails_s("{\"\\u0000\": 1}", "t.json:1:3: \\u0000 (NUL) is not allowed in a string");
    parse_fails("[\"x\0y\"]", 7, TN_ECONFIG, "t.json:1:4: unexpected NUL byte");
    /* an escaped backslash followed by "u0000" is just text */
    cJSON *d = doc_of("{\"a\": \"\\\\u0000\"}");
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(d, "a")->valuestring, "\\u0000");
    cJSON_Delete(d);
}
END_TEST

START_TEST(empty_document)
{
    parse_fails("", 0, TN_ECONFIG, "t.json: empty document (expected a JSON value)");
    parse_fails_s(" \n\t", "t.json: empty document (expected a JSON value)");
}
END_TEST

START_TEST(parse_not_terminated)
{
    /* text need not be NUL-terminated: only len bytes are read */
    const char text[] = {'[', '1', ']', 'x'};
    tn_error e = {0};
    cJSON *d = NULL;
    ck_assert_int_eq(tn__jr_parse("t.json", text, 3, &d, &e), TN_OK);
    ck_assert(cJSON_IsArray(d));
    cJSON_Delete(d);
}
END_TEST

/* ---- Files ----------------------------------------------------------------------------- */

static char tmp_path[512];

static void write_tmp(const char *text, size_t len)
{
    snprintf(tmp_path, sizeof tmp_path, "%s/jsonread_XXXXXX", TN_BINARY_DIR);
    int fd = mkstemp(tmp_path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
}

START_TEST(file_ok_and_cap)
{
    const char *text = "{\"units\": 64}";
    size_t len = strlen(text);
    write_tmp(text, len);
    tn_error e = {0};
    cJSON *d = NULL;
    ck_assert_int_eq(tn__jr_load_file(tmp_path, len, &d, &e), TN_OK); /* exactly the cap */
    ck_assert_double_eq(cJSON_GetObjectItemCaseSensitive(d, "units")->valuedouble, 64);
    cJSON_Delete(d);

    char want[600];
    d = (cJSON *)1;
    ck_assert_int_eq(tn__jr_load_file(tmp_path, len - 1, &d, &e), TN_ECONFIG);
    ck_assert_ptr_null(d);
    snprintf(want, sizeof want, "%s: file is too large (%zu bytes; the limit is %zu)", tmp_path,
             len, len - 1);
    ck_assert_str_eq(e.msg, want);
    unlink(tmp_path);
}
END_TEST

START_TEST(file_large)
{
    /* bigger than the first read buffer, to exercise growth */
    size_t n = 20000;
    char *text = malloc(n);
    ck_assert_ptr_nonnull(text);
    memset(text, ' ', n);
    memcpy(text + n - 9, "[1, 2, 3]", 9);
    write_tmp(text, n);
    free(text);
    tn_error e = {0};
    cJSON *d = NULL;
    ck_assert_int_eq(tn__jr_load_file(tmp_path, 1 << 20, &d, &e), TN_OK);
    ck_assert_int_eq(cJSON_GetArraySize(d), 3);
    cJSON_Delete(d);
    ck_assert_int_eq(tn__jr_load_file(tmp_path, 10000, &d, &e), TN_ECONFIG);
    ck_assert_ptr_nonnull(strstr(e.msg, ": file is too large (20000 bytes; the limit is 10000)"));
    unlink(tmp_path);
}
END_TEST

START_TEST(file_empty_and_invalid)
{
    char want[600];
    tn_error e = {0};
    cJSON *d = NULL;
    write_tmp("", 0);
    ck_assert_int_eq(tn__jr_load_file(tmp_path, 100, &d, &e), TN_ECONFIG);
    snprintf(want, sizeof want, "%s: empty document (expected a JSON value)", tmp_path);
    ck_assert_str_eq(e.msg, want);
    unlink(tmp_path);

    const char *dup = "{\n  \"a\": 1,\n  \"a\": 2\n}\n";
    write_tmp(dup, strlen(dup));
    ck_assert_int_eq(tn__jr_load_file(tmp_path, 100, &d, &e), TN_ECONFIG);
    snprintf(want, sizeof want, "%s: duplicate key \"a\"", tmp_path);
    ck_assert_str_eq(e.msg, want);
    unlink(tmp_path);
}
END_TEST

START_TEST(file_missing)
{
    tn_error e = {0};
    cJSON *d = (cJSON *)1;
    ck_assert_int_eq(tn__jr_load_file("no/such/file.json", 100, &d, &e), TN_EIO);
    ck_assert_int_eq(e.code, TN_EIO);
    ck_assert_ptr_null(d);
    ck_assert_str_eq(e.msg, "no/such/file.json: cannot open: No such file or directory");
}
END_TEST

/* ---- Getters --------------------------------------------------------------------------- */

static tn_error g_err;
static tn_jr g_r;

static void reader_setup(void)
{
    memset(&g_err, 0, sizeof g_err);
    tn__jr_init(&g_r, "m.json", &g_err);
}

#define ASSERT_FAIL(call, text)                       \
    do {                                              \
        ck_assert_int_eq((call), TN_ECONFIG);         \
        ck_assert_int_eq(g_err.code, TN_ECONFIG);     \
        ck_assert_str_eq(g_err.msg, (text));          \
    } while (0)

START_TEST(int_errors)
{
    cJSON *d = doc_of("{\"s\": \"64\", \"f\": 1.5, \"big\": 3000000000, \"inf\": 1e400, \"neg\": -3,"
                      " \"b\": true, \"n\": null, \"o\": {}, \"a\": [1], \"huge\": 1e19,"
                      " \"p53\": 9007199254740994}");
    tn_jr *r = &g_r;
    long long v = 7;
    size_t m = tn__jr_push_key(r, "layers");
    tn__jr_push_index(r, 2);
    ASSERT_FAIL(tn__jr_int(r, d, "s", 1, 0, 1, LLONG_MAX, &v),
                "m.json: layers[2].s: expected a positive integer, got \"64\"");
    ASSERT_FAIL(tn__jr_int(r, d, "f", 1, 0, 0, LLONG_MAX, &v),
                "m.json: layers[2].f: expected a non-negative integer, got 1.5");
    ASSERT_FAIL(tn__jr_int(r, d, "big", 1, 0, INT_MIN, INT_MAX, &v),
                "m.json: layers[2].big: expected an integer in [-2147483648, 2147483647], got 3000000000");
    ASSERT_FAIL(tn__jr_int(r, d, "inf", 1, 0, 1, LLONG_MAX, &v),
                "m.json: layers[2].inf: expected a positive integer, got a number too large to represent");
    ASSERT_FAIL(tn__jr_int(r, d, "neg", 1, 0, 1, LLONG_MAX, &v),
                "m.json: layers[2].neg: expected a positive integer, got -3");
    ASSERT_FAIL(tn__jr_int(r, d, "b", 1, 0, 1, LLONG_MAX, &v),
                "m.json: layers[2].b: expected a positive integer, got true");
    ASSERT_FAIL(tn__jr_int(r, d, "n", 0, 5, 1, LLONG_MAX, &v),
                "m.json: layers[2].n: expected a positive integer, got null");
    ASSERT_FAIL(tn__jr_int(r, d, "o", 1, 0, 1, LLONG_MAX, &v),
                "m.json: layers[2].o: expected a positive integer, got an object");
    ASSERT_FAIL(tn__jr_int(r, d, "a", 1, 0, 1, LLONG_MAX, &v),
                "m.json: layers[2].a: expected a positive integer, got an array");
    ASSERT_FAIL(tn__jr_int(r, d, "huge", 1, 0, 1, LLONG_MAX, &v),
                "m.json: layers[2].huge: expected a positive integer, got 1e+19");
    ASSERT_FAIL(tn__jr_int(r, d, "p53", 1, 0, 1, LLONG_MAX, &v),
                "m.json: layers[2].p53: expected a positive integer, got 9007199254740994 "
                "(integers beyond 2^53 cannot be read exactly)");
    ASSERT_FAIL(tn__jr_int(r, d, "units", 1, 0, 1, LLONG_MAX, &v),
                "m.json: layers[2].units: missing (expected a positive integer)");
    ck_assert_int_eq(v, 7); /* untouched on failure */
    tn__jr_pop(r, m);
    ck_assert_str_eq(r->path, "");
    ck_assert_uint_eq(r->path_len, 0);
    cJSON_Delete(d);
}
END_TEST

START_TEST(int_values)
{
    cJSON *d = doc_of("{\"one\": 1, \"zero\": 0, \"p53\": 9007199254740992, \"m53\": -9007199254740992,"
                      " \"e\": 1e3, \"lo\": -5, \"hi\": 5, \"negzero\": -0}");
    tn_jr *r = &g_r;
    long long v = 0;
    ck_assert_int_eq(tn__jr_int(r, d, "one", 1, 0, 1, LLONG_MAX, &v), TN_OK);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(tn__jr_int(r, d, "zero", 1, 9, 0, LLONG_MAX, &v), TN_OK);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(tn__jr_int(r, d, "p53", 1, 0, 1, LLONG_MAX, &v), TN_OK);
    ck_assert(v == 9007199254740992LL);
    ck_assert_int_eq(tn__jr_int(r, d, "m53", 1, 0, LLONG_MIN, LLONG_MAX, &v), TN_OK);
    ck_assert(v == -9007199254740992LL);
    ck_assert_int_eq(tn__jr_int(r, d, "e", 1, 0, 1, 1000, &v), TN_OK);
    ck_assert_int_eq(v, 1000);
    ck_assert_int_eq(tn__jr_int(r, d, "lo", 1, 0, -5, 5, &v), TN_OK);
    ck_assert_int_eq(v, -5);
    ck_assert_int_eq(tn__jr_int(r, d, "hi", 1, 0, -5, 5, &v), TN_OK);
    ck_assert_int_eq(v, 5);
    ck_assert_int_eq(tn__jr_int(r, d, "negzero", 1, 3, 0, 0, &v), TN_OK);
    ck_assert_int_eq(v, 0);
    ASSERT_FAIL(tn__jr_int(r, d, "hi", 1, 0, -5, 4, &v), "m.json: hi: expected an integer in [-5, 4], got 5");
    ASSERT_FAIL(tn__jr_int(r, d, "lo", 1, 0, -4, 5, &v), "m.json: lo: expected an integer in [-4, 5], got -5");
    /* optional and absent: the default */
    ck_assert_int_eq(tn__jr_int(r, d, "epochs", 0, 42, 1, LLONG_MAX, &v), TN_OK);
    ck_assert_int_eq(v, 42);
    cJSON_Delete(d);
}
END_TEST

START_TEST(num_getters)
{
    cJSON *d = doc_of("{\"lr\": 0.001, \"zero\": 0, \"neg\": -0.5, \"rate\": 1, \"inf\": -1e400,"
                      " \"s\": \"0.1\", \"tiny\": 5e-324, \"max\": 1.7976931348623157e308}");
    tn_jr *r = &g_r;
    double x = 0;
    ck_assert_int_eq(tn__jr_num_open_lo(r, d, "lr", 1, 0, 0, DBL_MAX, &x), TN_OK);
    ck_assert(x == 0.001);
    ASSERT_FAIL(tn__jr_num_open_lo(r, d, "zero", 1, 0, 0, DBL_MAX, &x),
                "m.json: zero: expected a positive number, got 0");
    ASSERT_FAIL(tn__jr_num_open_lo(r, d, "neg", 1, 0, 0, 1, &x),
                "m.json: neg: expected a number in (0, 1], got -0.5");
    ck_assert_int_eq(tn__jr_num_open_lo(r, d, "tiny", 1, 0, 0, 1, &x), TN_OK);
    ck_assert(x == 5e-324);
    ck_assert_int_eq(tn__jr_num(r, d, "rate", 1, 0, 0, 1, &x), TN_OK); /* closed hi edge */
    ck_assert(x == 1.0);
    ck_assert_int_eq(tn__jr_num(r, d, "zero", 1, 9, 0, 1, &x), TN_OK); /* closed lo edge */
    ck_assert(x == 0.0);
    ck_assert_int_eq(tn__jr_num(r, d, "max", 1, 0, 0, DBL_MAX, &x), TN_OK);
    ck_assert(x == DBL_MAX);
    ASSERT_FAIL(tn__jr_num(r, d, "rate", 1, 0, 0, 0.5, &x), "m.json: rate: expected a number in [0, 0.5], got 1");
    ASSERT_FAIL(tn__jr_num(r, d, "neg", 1, 0, 0, DBL_MAX, &x),
                "m.json: neg: expected a non-negative number, got -0.5");
    ASSERT_FAIL(tn__jr_num(r, d, "inf", 1, 0, -DBL_MAX, DBL_MAX, &x),
                "m.json: inf: expected a number, got a number too large to represent");
    ASSERT_FAIL(tn__jr_num(r, d, "s", 1, 0, 0, 1, &x), "m.json: s: expected a number in [0, 1], got \"0.1\"");
    ASSERT_FAIL(tn__jr_num(r, d, "dropout", 1, 0, 0, 1, &x), "m.json: dropout: missing (expected a number in [0, 1])");
    ck_assert_int_eq(tn__jr_num(r, d, "dropout", 0, 0.25, 0, 1, &x), TN_OK);
    ck_assert(x == 0.25);
    cJSON_Delete(d);
}
END_TEST

START_TEST(bool_str_getters)
{
    cJSON *d = doc_of("{\"t\": true, \"f\": false, \"one\": 1, \"name\": \"ring\", \"empty\": \"\", \"n\": null}");
    tn_jr *r = &g_r;
    int b = -1;
    const char *s = NULL;
    ck_assert_int_eq(tn__jr_bool(r, d, "t", 1, 0, &b), TN_OK);
    ck_assert_int_eq(b, 1);
    ck_assert_int_eq(tn__jr_bool(r, d, "f", 1, 1, &b), TN_OK);
    ck_assert_int_eq(b, 0);
    ck_assert_int_eq(tn__jr_bool(r, d, "shuffle", 0, 1, &b), TN_OK);
    ck_assert_int_eq(b, 1);
    ASSERT_FAIL(tn__jr_bool(r, d, "one", 1, 0, &b), "m.json: one: expected true or false, got 1");
    ASSERT_FAIL(tn__jr_bool(r, d, "shuffle", 1, 0, &b), "m.json: shuffle: missing (expected true or false)");
    ck_assert_int_eq(tn__jr_str(r, d, "name", 1, NULL, &s), TN_OK);
    ck_assert_str_eq(s, "ring");
    ck_assert_int_eq(tn__jr_str(r, d, "title", 0, "untitled", &s), TN_OK);
    ck_assert_str_eq(s, "untitled");
    ASSERT_FAIL(tn__jr_str(r, d, "empty", 1, NULL, &s), "m.json: empty: expected a non-empty string, got \"\"");
    ASSERT_FAIL(tn__jr_str(r, d, "n", 1, NULL, &s), "m.json: n: expected a non-empty string, got null");
    ASSERT_FAIL(tn__jr_str(r, d, "one", 1, NULL, &s), "m.json: one: expected a non-empty string, got 1");
    cJSON_Delete(d);
}
END_TEST

START_TEST(enum_getter)
{
    static const char *const opts[] = {"sgd", "momentum", "adam", NULL};
    cJSON *d = doc_of("{\"a\": \"adam\", \"typo\": \"adma\", \"far\": \"lbfgs\", \"num\": 3, \"case\": \"SGD\"}");
    tn_jr *r = &g_r;
    int i = -1;
    size_t m = tn__jr_push_key(r, "optimizer");
    ck_assert_int_eq(tn__jr_enum(r, d, "a", 1, 0, opts, &i), TN_OK);
    ck_assert_int_eq(i, 2);
    ck_assert_int_eq(tn__jr_enum(r, d, "type", 0, 1, opts, &i), TN_OK);
    ck_assert_int_eq(i, 1);
    ASSERT_FAIL(tn__jr_enum(r, d, "typo", 1, 0, opts, &i),
                "m.json: optimizer.typo: expected one of \"sgd\", \"momentum\", \"adam\", got \"adma\" "
                "(did you mean \"adam\"?)");
    ASSERT_FAIL(tn__jr_enum(r, d, "far", 1, 0, opts, &i),
                "m.json: optimizer.far: expected one of \"sgd\", \"momentum\", \"adam\", got \"lbfgs\"");
    ASSERT_FAIL(tn__jr_enum(r, d, "num", 1, 0, opts, &i),
                "m.json: optimizer.num: expected one of \"sgd\", \"momentum\", \"adam\", got 3");
    ASSERT_FAIL(tn__jr_enum(r, d, "type", 1, 0, opts, &i),
                "m.json: optimizer.type: missing (expected one of \"sgd\", \"momentum\", \"adam\")");
    tn__jr_pop(r, m);
    cJSON_Delete(d);
}
END_TEST

START_TEST(object_array_getters)
{
    cJSON *d = doc_of("{\"o\": {\"x\": 1}, \"a\": [1, 2], \"n\": 3}");
    tn_jr *r = &g_r;
    const cJSON *v = (const cJSON *)1;
    ck_assert_int_eq(tn__jr_object(r, d, "o", 1, &v), TN_OK);
    ck_assert(cJSON_IsObject(v));
    ck_assert_int_eq(tn__jr_array(r, d, "a", 1, &v), TN_OK);
    ck_assert_int_eq(cJSON_GetArraySize(v), 2);
    ck_assert_int_eq(tn__jr_object(r, d, "train", 0, &v), TN_OK);
    ck_assert_ptr_null(v);
    ASSERT_FAIL(tn__jr_object(r, d, "n", 1, &v), "m.json: n: expected an object, got 3");
    ASSERT_FAIL(tn__jr_array(r, d, "o", 1, &v), "m.json: o: expected an array, got an object");
    ASSERT_FAIL(tn__jr_array(r, d, "layers", 1, &v), "m.json: layers: missing (expected an array)");
    /* a getter on something that is not an object names the current path */
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(d, "a");
    long long x;
    size_t m = tn__jr_push_key(r, "a");
    ASSERT_FAIL(tn__jr_int(r, arr, "units", 1, 0, 1, LLONG_MAX, &x), "m.json: a: expected an object, got an array");
    tn__jr_pop(r, m);
    cJSON_Delete(d);
}
END_TEST

START_TEST(check_keys)
{
    static const char *const allowed[] = {"type", "learning_rate", "momentum", NULL};
    static const char *const none[] = {NULL};
    cJSON *d = doc_of("{\"opt\": {\"type\": \"sgd\", \"learnig_rate\": 0.1}, \"x\": {\"zzz\": 1},"
                      " \"ok\": {\"momentum\": 0.9}, \"e\": {\"a\": 1}, \"n\": 2}");
    tn_jr *r = &g_r;
    size_t m = tn__jr_push_key(r, "optimizer");
    ASSERT_FAIL(tn__jr_check_keys(r, cJSON_GetObjectItemCaseSensitive(d, "opt"), allowed),
                "m.json: optimizer: unknown key \"learnig_rate\" (did you mean \"learning_rate\"?)");
    ASSERT_FAIL(tn__jr_check_keys(r, cJSON_GetObjectItemCaseSensitive(d, "x"), allowed),
                "m.json: optimizer: unknown key \"zzz\" (allowed: \"type\", \"learning_rate\", \"momentum\")");
    ASSERT_FAIL(tn__jr_check_keys(r, cJSON_GetObjectItemCaseSensitive(d, "e"), none),
                "m.json: optimizer: unknown key \"a\" (no keys are allowed here)");
    ASSERT_FAIL(tn__jr_check_keys(r, cJSON_GetObjectItemCaseSensitive(d, "n"), allowed),
                "m.json: optimizer: expected an object, got 2");
    ck_assert_int_eq(tn__jr_check_keys(r, cJSON_GetObjectItemCaseSensitive(d, "ok"), allowed), TN_OK);
    tn__jr_pop(r, m);
    /* at the root there is no path part; "x" and "e" are both 1 edit from "n": ties go to
     * the earlier candidate */
    static const char *const top[] = {"opt", "x", "ok", "e", NULL};
    ASSERT_FAIL(tn__jr_check_keys(r, d, top), "m.json: unknown key \"n\" (did you mean \"x\"?)");
    cJSON_Delete(d);
}
END_TEST

START_TEST(nested_path)
{
    cJSON *d = doc_of("{\"alpha\": \"0.1\"}");
    tn_jr *r = &g_r;
    size_t m0 = tn__jr_push_key(r, "layers");
    ck_assert_str_eq(r->path, "layers");
    size_t m1 = tn__jr_push_index(r, 2);
    size_t m2 = tn__jr_push_key(r, "activation");
    ck_assert_str_eq(r->path, "layers[2].activation");
    double a;
    ASSERT_FAIL(tn__jr_num(r, d, "alpha", 1, 0, 0, 1, &a),
                "m.json: layers[2].activation.alpha: expected a number in [0, 1], got \"0.1\"");
    ASSERT_FAIL(tn__jr_fail(r, NULL, "unknown activation %s", "\"x\""),
                "m.json: layers[2].activation: unknown activation \"x\"");
    tn__jr_pop(r, m2);
    ck_assert_str_eq(r->path, "layers[2]");
    tn__jr_pop(r, m1);
    tn__jr_push_index(r, 10);
    ck_assert_str_eq(r->path, "layers[10]");
    tn__jr_pop(r, m0);
    ASSERT_FAIL(tn__jr_fail(r, NULL, "no layers"), "m.json: no layers");
    ASSERT_FAIL(tn__jr_fail(r, "loss", "unknown loss"), "m.json: loss: unknown loss");
    /* keys that are not identifiers are quoted so a dot cannot fake a level */
    tn__jr_push_key(r, "a.b");
    ck_assert_str_eq(r->path, "[\"a.b\"]");
    tn__jr_push_key(r, "c");
    ck_assert_str_eq(r->path, "[\"a.b\"].c");
    cJSON_Delete(d);
}
END_TEST

START_TEST(long_path_truncated)
{
    tn_jr *r = &g_r;
    size_t marks[100];
    for (int i = 0; i < 100; i++)
        marks[i] = tn__jr_push_key(r, "abcdefgh");
    ck_assert_uint_eq(strlen(r->path), r->path_len);
    ck_assert_uint_lt(r->path_len, sizeof r->path);
    ck_assert_str_eq(r->path + r->path_len - 3, "...");
    tn__jr_pop(r, marks[3]);
    ck_assert_str_eq(r->path, "abcdefgh.abcdefgh.abcdefgh");
}
END_TEST

START_TEST(describe_values)
{
    cJSON *d = doc_of("[\"64\", 1.5, 3000000000, 0.1, -2, 1e400, true, false, null, {}, [],"
                      " \"a\\\"b\\\\c\\nd\\u0001\", \"0123456789012345678901234567890123456789XYZ\", 1e-7]");
    char buf[128];
    const char *want[] = {"\"64\"", "1.5", "3000000000", "0.1", "-2", "a number too large to represent",
                          "true", "false", "null", "an object", "an array",
                          "\"a\\\"b\\\\c\\nd\\u0001\"", "\"0123456789012345678901234567890123456789...\"",
                          "1e-07"};
    int i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, d)
    {
        ck_assert_str_eq(tn__jr_describe(v, buf, sizeof buf), want[i]);
        i++;
    }
    ck_assert_int_eq(i, 14);
    ck_assert_str_eq(tn__jr_describe(NULL, buf, sizeof buf), "nothing");
    /* a small buffer cuts, never overflows */
    char small[5];
    ck_assert_str_eq(tn__jr_describe(cJSON_GetArrayItem(d, 12), small, sizeof small), "\"012");
    cJSON_Delete(d);
}
END_TEST

START_TEST(describe_utf8_cut)
{
    /* 39 ASCII bytes then "é": the cut must not split the two-byte character */
    cJSON *d = doc_of("\"012345678901234567890123456789012345678\xC3\xA9xyz\"");
    char buf[128];
    ck_assert_str_eq(tn__jr_describe(d, buf, sizeof buf), "\"012345678901234567890123456789012345678...\"");
    cJSON_Delete(d);
}
END_TEST

START_TEST(suggest_words)
{
    static const char *const acts[] = {"relu", "leaky_relu", "sigmoid", "tanh", "softmax", NULL};
    static const char *const opts[] = {"sgd", "momentum", "adam", NULL};
    ck_assert_str_eq(tn__jr_suggest("adma", opts), "adam"); /* transposition = 1 edit */
    ck_assert_str_eq(tn__jr_suggest("sigmod", acts), "sigmoid");
    ck_assert_str_eq(tn__jr_suggest("leaky_rleu", acts), "leaky_relu");
    ck_assert_str_eq(tn__jr_suggest("rleu", acts), "relu");
    ck_assert_str_eq(tn__jr_suggest("tahn", acts), "tanh");
    ck_assert_str_eq(tn__jr_suggest("softmx", acts), "softmax");
    ck_assert_str_eq(tn__jr_suggest("gelu", acts), "relu"); /* 1 edit, limit max(1, 4/3) */
    ck_assert_ptr_null(tn__jr_suggest("mish", acts));       /* 3 edits from tanh */
    ck_assert_ptr_null(tn__jr_suggest("sigm", acts));       /* 3 edits: limit is 1 for 4 letters */
    ck_assert_ptr_null(tn__jr_suggest("lbfgs", opts));
    ck_assert_ptr_null(tn__jr_suggest("completely_different", acts));
    ck_assert_ptr_null(tn__jr_suggest("x", (const char *const[]){NULL}));
    /* the closer one wins, regardless of order */
    ck_assert_str_eq(tn__jr_suggest("momentun", opts), "momentum");
    ck_assert_str_eq(tn__jr_suggest("learning_rat", (const char *const[]){"learning", "learning_rate", NULL}),
                     "learning_rate");
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("jsonread");
    TCase *p = tcase_create("parse");
    tcase_add_test(p, invalid_json_line_col);
    tcase_add_test(p, trailing_garbage);
    tcase_add_test(p, duplicate_keys);
    tcase_add_test(p, embedded_nul);
    tcase_add_test(p, empty_document);
    tcase_add_test(p, parse_not_terminated);
    suite_add_tcase(s, p);
    TCase *f = tcase_create("file");
    tcase_add_test(f, file_ok_and_cap);
    tcase_add_test(f, file_large);
    tcase_add_test(f, file_empty_and_invalid);
    tcase_add_test(f, file_missing);
    suite_add_tcase(s, f);
    TCase *g = tcase_create("getters");
    tcase_add_checked_fixture(g, reader_setup, NULL);
    tcase_add_test(g, int_errors);
    tcase_add_test(g, int_values);
    tcase_add_test(g, num_getters);
    tcase_add_test(g, bool_str_getters);
    tcase_add_test(g, enum_getter);
    tcase_add_test(g, object_array_getters);
    tcase_add_test(g, check_keys);
    tcase_add_test(g, nested_path);
    tcase_add_test(g, long_path_truncated);
    tcase_add_test(g, describe_values);
    tcase_add_test(g, describe_utf8_cut);
    tcase_add_test(g, suggest_words);
    suite_add_tcase(s, g);
    return s;
}
