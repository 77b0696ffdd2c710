/* Strict JSON reading with precise messages; see json.h. */
#include "core/json.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/text.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cJSON keeps a global error record (see tn__jr_parse). */
static pthread_mutex_t cjson_parse_lock = PTHREAD_MUTEX_INITIALIZER;

enum {
    JR_QUOTE_MAX = 40,     /* bytes of a quoted string shown before "..." */
    JR_SUGGEST_MAX = 64,   /* longer words get no suggestion (bounds the DP on the stack) */
    JR_DUP_LINEAR = 16     /* objects up to this size are checked pairwise, larger sorted */
};

/* ---- Small string builder: appends never overflow, the text is cut instead ---------- */

typedef struct sbuf {
    char *p;
    size_t n;   /* capacity including the NUL; > 0 */
    size_t len; /* bytes written, <= n - 1 */
} sbuf;

static void sb_init(sbuf *b, char *p, size_t n)
{
    b->p = p;
    b->n = n;
    b->len = 0;
    p[0] = '\0';
}

static void sb_putn(sbuf *b, const char *s, size_t k)
{
    size_t room = b->n - 1 - b->len;
    if (k > room)
        k = room;
    memcpy(b->p + b->len, s, k);
    b->len += k;
    b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->p + b->len, b->n - b->len, fmt, ap);
    va_end(ap);
    if (k > 0)
        b->len += (size_t)k < b->n - b->len ? (size_t)k : b->n - 1 - b->len;
}

/* s in double quotes with JSON escapes; after JR_QUOTE_MAX bytes it is cut (at a UTF-8
 * character boundary) and "..." marks the cut, so a huge value cannot swamp a message. */
static void sb_quote(sbuf *b, const char *s)
{
    size_t len = strlen(s), show = len;
    if (len > JR_QUOTE_MAX) {
        show = JR_QUOTE_MAX;
        while (show > 0 && ((unsigned char)s[show] & 0xC0) == 0x80)
            show--;
    }
    sb_putn(b, "\"", 1);
    for (size_t i = 0; i < show; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            sb_printf(b, "\\%c", c);
        else if (c == '\n')
            sb_puts(b, "\\n");
        else if (c == '\t')
            sb_puts(b, "\\t");
        else if (c == '\r')
            sb_puts(b, "\\r");
        else if (c < 0x20 || c == 0x7F)
            sb_printf(b, "\\u%04X", c);
        else
            sb_putn(b, (const char *)&s[i], 1);
    }
    if (show < len)
        sb_puts(b, "...");
    sb_putn(b, "\"", 1);
}

/* Shortest "%.Ng" that reads back as the same double: 0.1 prints as 0.1, not
 * 0.10000000000000001, and integers print without an exponent up to 15 digits. */
static void sb_number(sbuf *b, double v)
{
    char tmp[40];
    if (!isfinite(v)) {
        sb_puts(b, isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    sb_puts(b, tmp);
}

/* ---- Describing values and the ranges we expected ----------------------------------- */

const char *tn__jr_describe(const cJSON *v, char *buf, size_t n)
{
    if (!buf || n == 0)
        return buf;
    sbuf b;
    sb_init(&b, buf, n);
    if (!v)
        sb_puts(&b, "nothing");
    else if (cJSON_IsString(v))
        sb_quote(&b, v->valuestring ? v->valuestring : "");
    else if (cJSON_IsNumber(v) && !isfinite(v->valuedouble))
        sb_puts(&b, "a number too large to represent");
    else if (cJSON_IsNumber(v))
        sb_number(&b, v->valuedouble);
    else if (cJSON_IsTrue(v))
        sb_puts(&b, "true");
    else if (cJSON_IsFalse(v))
        sb_puts(&b, "false");
    else if (cJSON_IsNull(v))
        sb_puts(&b, "null");
    else if (cJSON_IsObject(v))
        sb_puts(&b, "an object");
    else if (cJSON_IsArray(v))
        sb_puts(&b, "an array");
    else
        sb_puts(&b, "an invalid value");
    return buf;
}

static void int_what(char *buf, size_t n, long long lo, long long hi)
{
    /* Sizes have a cap far above any sane value: name the kind first, the cap after. */
    const char *kind = lo == 1 ? "a positive integer" : lo == 0 ? "a non-negative integer" : NULL;
    if (kind && hi == LLONG_MAX)
        snprintf(buf, n, "%s", kind);
    else if (kind && hi >= 1000)
        snprintf(buf, n, "%s (at most %lld)", kind, hi);
    else
        snprintf(buf, n, "an integer in [%lld, %lld]", lo, hi);
}

static void num_what(char *buf, size_t n, double lo, double hi, int open_lo)
{
    sbuf b;
    sb_init(&b, buf, n);
    if (hi >= DBL_MAX && lo == 0) {
        sb_puts(&b, open_lo ? "a positive number" : "a non-negative number");
    } else if (hi >= DBL_MAX && lo <= -DBL_MAX && !open_lo) {
        sb_puts(&b, "a number");
    } else if (hi >= DBL_MAX) {
        sb_puts(&b, open_lo ? "a number > " : "a number >= ");
        sb_number(&b, lo);
    } else {
        sb_puts(&b, open_lo ? "a number in (" : "a number in [");
        sb_number(&b, lo);
        sb_puts(&b, ", ");
        sb_number(&b, hi);
        sb_puts(&b, "]");
    }
}

/* ---- Suggestions --------------------------------------------------------------------- */

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* Optimal string alignment distance (Damerau-Levenshtein where a transposed pair counts
 * as one edit, so "adma" is 1 from "adam"), with three rolling rows on the stack. */
static size_t osa_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > JR_SUGGEST_MAX || lb > JR_SUGGEST_MAX)
        return SIZE_MAX;
    size_t rows[3][JR_SUGGEST_MAX + 1];
    size_t *pp = rows[0], *p = rows[1], *c = rows[2];
    for (size_t j = 0; j <= lb; j++)
        p[j] = j;
    for (size_t i = 1; i <= la; i++) {
        c[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            c[j] = min3(p[j] + 1, c[j - 1] + 1, p[j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < c[j])
                c[j] = pp[j - 2] + 1;
        }
        size_t *t = pp;
        pp = p;
        p = c;
        c = t;
    }
    return p[lb];
}

const char *tn__jr_suggest(const char *word, const char *const *candidates)
{
    if (!word || !candidates)
        return NULL;
    size_t limit = strlen(word) / 3, best_d = SIZE_MAX;
    if (limit < 1)
        limit = 1;
    const char *best = NULL;
    for (size_t i = 0; candidates[i]; i++) {
        size_t d = osa_distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best_d <= limit ? best : NULL;
}

/* `"a", "b", "c"` for messages; a long list is cut by the builder's capacity. */
static void sb_list(sbuf *b, const char *const *items)
{
    for (size_t i = 0; items[i]; i++) {
        if (i)
            sb_puts(b, ", ");
        sb_quote(b, items[i]);
    }
}

/* ---- Path stack ---------------------------------------------------------------------- */

void tn__jr_init(tn_jr *r, const char *file, tn_error *err)
{
    r->file = file ? file : "(json)";
    r->err = err;
    r->path[0] = '\0';
    r->path_len = 0;
}

/* Regular content stays below this, so "..." always fits after it and popping to any mark
 * restores the exact earlier path. path_len == sizeof path - 1 means "already cut". */
#define JR_PATH_ROOM (sizeof(((tn_jr *)0)->path) - 4)

static size_t path_append(tn_jr *r, const char *seg, size_t k)
{
    size_t mark = r->path_len;
    if (mark > JR_PATH_ROOM)
        return mark;
    if (mark + k > JR_PATH_ROOM) {
        memcpy(r->path + mark, seg, JR_PATH_ROOM - mark);
        memcpy(r->path + JR_PATH_ROOM, "...", 4);
        r->path_len = JR_PATH_ROOM + 3;
        return mark;
    }
    memcpy(r->path + mark, seg, k);
    r->path_len = mark + k;
    r->path[r->path_len] = '\0';
    return mark;
}

static int is_plain_key(const char *key)
{
    if (!*key)
        return 0;
    for (const char *s = key; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

size_t tn__jr_push_key(tn_jr *r, const char *key)
{
    char seg[JR_QUOTE_MAX * 6 + 16];
    sbuf b;
    sb_init(&b, seg, sizeof seg);
    if (!key)
        key = "";
    if (is_plain_key(key)) {
        if (r->path_len)
            sb_putn(&b, ".", 1);
        sb_puts(&b, key);
    } else { /* "a.b" as a key must not read as two levels */
        sb_putn(&b, "[", 1);
        sb_quote(&b, key);
        sb_putn(&b, "]", 1);
    }
    return path_append(r, seg, b.len);
}

size_t tn__jr_push_index(tn_jr *r, size_t i)
{
    char seg[32];
    int k = snprintf(seg, sizeof seg, "[%zu]", i);
    return path_append(r, seg, (size_t)k);
}

void tn__jr_pop(tn_jr *r, size_t mark)
{
    if (mark <= r->path_len) {
        r->path_len = mark;
        r->path[mark] = '\0';
    }
}

/* ---- Errors at a path ---------------------------------------------------------------- */

static int jr_vfail(tn_jr *r, const char *key, const char *fmt, va_list ap)
{
    char msg[sizeof(((tn_error *)0)->msg)];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t mark = key ? tn__jr_push_key(r, key) : r->path_len;
    if (r->path_len)
        tn__err(r->err, TN_ECONFIG, "%s: %s: %s", r->file, r->path, msg);
    else
        tn__err(r->err, TN_ECONFIG, "%s: %s", r->file, msg);
    tn__jr_pop(r, mark);
    return TN_ECONFIG;
}

int tn__jr_fail(tn_jr *r, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = jr_vfail(r, key, fmt, ap);
    va_end(ap);
    return rc;
}

int tn__jr_oom(tn_jr *r, const char *key)
{
    tn__jr_fail(r, key, "out of memory");
    if (r->err)
        r->err->code = TN_ENOMEM;
    return TN_ENOMEM;
}

static int fail_got(tn_jr *r, const char *key, const char *what, const cJSON *v)
{
    char got[JR_QUOTE_MAX * 6 + 16];
    return tn__jr_fail(r, key, "expected %s, got %s", what, tn__jr_describe(v, got, sizeof got));
}

/* Finds key in obj: TN_OK with *item NULL when absent and optional. */
static int lookup(tn_jr *r, const cJSON *obj, const char *key, int required, const char *what,
                  const cJSON **item)
{
    *item = NULL;
    if (!cJSON_IsObject(obj))
        return fail_got(r, NULL, "an object", obj);
    *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!*item && required)
        return tn__jr_fail(r, key, "missing (expected %s)", what);
    return TN_OK;
}

/* ---- Typed getters ------------------------------------------------------------------- */

int tn__jr_int(tn_jr *r, const cJSON *obj, const char *key, int required, long long def,
               long long lo, long long hi, long long *out)
{
    char what[96];
    const cJSON *v;
    int_what(what, sizeof what, lo, hi);
    int rc = lookup(r, obj, key, required, what, &v);
    if (rc || !v) {
        if (!rc)
            *out = def;
        return rc;
    }
    /* Only valuedouble: valueint saturates 3e9 and 1e400 and truncates 1.5. */
    double d = v->valuedouble;
    if (!cJSON_IsNumber(v) || !isfinite(d) || d != floor(d))
        return fail_got(r, key, what, v);
    /* 2^63 is exact in a double; checking before the cast keeps the cast defined. */
    if (d < -9223372036854775808.0 || d >= 9223372036854775808.0)
        return fail_got(r, key, what, v);
    long long x = (long long)d;
    if (x < lo || x > hi)
        return fail_got(r, key, what, v);
    if (fabs(d) > 9007199254740992.0) {
        char got[64];
        return tn__jr_fail(r, key, "expected %s, got %s (integers beyond 2^53 cannot be read exactly)",
                           what, tn__jr_describe(v, got, sizeof got));
    }
    *out = x;
    return TN_OK;
}

static int get_num(tn_jr *r, const cJSON *obj, const char *key, int required, double def,
                   double lo, double hi, int open_lo, double *out)
{
    char what[96];
    const cJSON *v;
    num_what(what, sizeof what, lo, hi, open_lo);
    int rc = lookup(r, obj, key, required, what, &v);
    if (rc || !v) {
        if (!rc)
            *out = def;
        return rc;
    }
    double d = v->valuedouble;
    if (!cJSON_IsNumber(v) || !isfinite(d) || (open_lo ? d <= lo : d < lo) || d > hi)
        return fail_got(r, key, what, v);
    *out = d;
    return TN_OK;
}

int tn__jr_num(tn_jr *r, const cJSON *obj, const char *key, int required, double def,
               double lo, double hi, double *out)
{
    return get_num(r, obj, key, required, def, lo, hi, 0, out);
}

int tn__jr_num_open_lo(tn_jr *r, const cJSON *obj, const char *key, int required, double def,
                       double lo, double hi, double *out)
{
    return get_num(r, obj, key, required, def, lo, hi, 1, out);
}

int tn__jr_bool(tn_jr *r, const cJSON *obj, const char *key, int required, int def, int *out)
{
    const char *what = "true or false";
    const cJSON *v;
    int rc = lookup(r, obj, key, required, what, &v);
    if (rc || !v) {
        if (!rc)
            *out = def;
        return rc;
    }
    if (!cJSON_IsBool(v))
        return fail_got(r, key, what, v);
    *out = cJSON_IsTrue(v) ? 1 : 0;
    return TN_OK;
}

int tn__jr_str(tn_jr *r, const cJSON *obj, const char *key, int required, const char *def,
               const char **out)
{
    const char *what = "a non-empty string";
    const cJSON *v;
    int rc = lookup(r, obj, key, required, what, &v);
    if (rc || !v) {
        if (!rc)
            *out = def;
        return rc;
    }
    if (!cJSON_IsString(v) || !v->valuestring || !v->valuestring[0])
        return fail_got(r, key, what, v);
    *out = v->valuestring;
    return TN_OK;
}

int tn__jr_check_name(tn_jr *r, const char *key, const char *name)
{
    char why[96];
    const char *problem = tn__name_problem(name, why, sizeof why);
    if (!problem)
        return TN_OK;
    return tn__jr_fail(r, key, "expected a name of 1 to %d printable characters: %s",
                       TN_NAME_MAX_CHARS, problem);
}

int tn__jr_enum(tn_jr *r, const cJSON *obj, const char *key, int required, int def,
                const char *const *choices, int *index)
{
    char what[sizeof(((tn_error *)0)->msg) / 2];
    sbuf b;
    sb_init(&b, what, sizeof what);
    sb_puts(&b, "one of ");
    sb_list(&b, choices);
    const cJSON *v;
    int rc = lookup(r, obj, key, required, what, &v);
    if (rc || !v) {
        if (!rc)
            *index = def;
        return rc;
    }
    if (cJSON_IsString(v) && v->valuestring) {
        for (int i = 0; choices[i]; i++) {
            if (strcmp(v->valuestring, choices[i]) == 0) {
                *index = i;
                return TN_OK;
            }
        }
        const char *hint = tn__jr_suggest(v->valuestring, choices);
        if (hint) {
            char got[JR_QUOTE_MAX * 6 + 16], mean[JR_QUOTE_MAX * 6 + 16];
            sbuf g, m;
            sb_init(&g, got, sizeof got);
            sb_quote(&g, v->valuestring);
            sb_init(&m, mean, sizeof mean);
            sb_quote(&m, hint);
            return tn__jr_fail(r, key, "expected %s, got %s (did you mean %s?)", what, got, mean);
        }
    }
    return fail_got(r, key, what, v);
}

static int get_container(tn_jr *r, const cJSON *obj, const char *key, int required, int want_obj,
                         const cJSON **out)
{
    const char *what = want_obj ? "an object" : "an array";
    const cJSON *v;
    *out = NULL;
    int rc = lookup(r, obj, key, required, what, &v);
    if (rc || !v)
        return rc;
    if (want_obj ? !cJSON_IsObject(v) : !cJSON_IsArray(v))
        return fail_got(r, key, what, v);
    *out = v;
    return TN_OK;
}

int tn__jr_object(tn_jr *r, const cJSON *obj, const char *key, int required, const cJSON **out)
{
    return get_container(r, obj, key, required, 1, out);
}

int tn__jr_array(tn_jr *r, const cJSON *obj, const char *key, int required, const cJSON **out)
{
    return get_container(r, obj, key, required, 0, out);
}

static int in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

int tn__jr_check_keys(tn_jr *r, const cJSON *obj, const char *const *allowed)
{
    if (!cJSON_IsObject(obj))
        return fail_got(r, NULL, "an object", obj);
    const cJSON *child;
    cJSON_ArrayForEach(child, obj)
    {
        if (in_list(child->string, allowed))
            continue;
        char msg[sizeof(((tn_error *)0)->msg)];
        sbuf b;
        sb_init(&b, msg, sizeof msg);
        sb_puts(&b, "unknown key ");
        sb_quote(&b, child->string);
        const char *hint = tn__jr_suggest(child->string, allowed);
        if (hint) {
            sb_puts(&b, " (did you mean ");
            sb_quote(&b, hint);
            sb_puts(&b, "?)");
        } else if (allowed[0]) {
            sb_puts(&b, " (allowed: ");
            sb_list(&b, allowed);
            sb_puts(&b, ")");
        } else {
            sb_puts(&b, " (no keys are allowed here)");
        }
        return tn__jr_fail(r, NULL, "%s", msg);
    }
    return TN_OK;
}

/* ---- Parsing ------------------------------------------------------------------------- */

/* 1-based line and column of byte offset pos; columns count UTF-8 characters, not bytes,
 * so they match what an editor shows. */
static void line_col(const char *s, size_t pos, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < pos; i++) {
        if (s[i] == '\n') {
            ++*line;
            *col = 1;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            ++*col;
        }
    }
}

/* The first syntax error found by the validator: its byte offset and what it is. */
typedef struct jr_issue {
    size_t pos;
    char msg[160];
} jr_issue;

/* A recognizer for RFC 8259 JSON, run before cJSON: cJSON's failure offset is sometimes
 * one past the culprit (`{"a":1,}`) or inside an unterminated string, and cJSON accepts
 * raw NUL bytes (it stops at them), control characters in strings, \u0000 (it cuts the
 * string there) and numbers like "01" or "1.". This finds all of those at their exact
 * position; cJSON then only builds the tree. */
typedef struct jv {
    const char *s;
    size_t len, i;
    int depth;
    jr_issue *iss;
} jv;

enum { JR_MAX_DEPTH = 1000 }; /* cJSON's CJSON_NESTING_LIMIT */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Value of four hex digits (already checked). */
static unsigned hex4(const char *t)
{
    unsigned u = 0;
    for (int k = 0; k < 4; k++)
        u = u * 16 + (unsigned)(is_digit(t[k]) ? t[k] - '0' : (t[k] | 0x20) - 'a' + 10);
    return u;
}

static int jv_fail(jv *v, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int jv_fail(jv *v, size_t pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->iss->msg, sizeof v->iss->msg, fmt, ap);
    va_end(ap);
    v->iss->pos = pos;
    return -1;
}

/* "invalid JSON near 'x' (expected ...)" at the current position; a multi-byte UTF-8
 * character is shown whole, other unprintable bytes as \xNN. */
static int jv_unexpected(jv *v, const char *expected)
{
    char near[16];
    size_t i = v->i;
    unsigned char c = i < v->len ? (unsigned char)v->s[i] : 0;
    if (i >= v->len)
        return jv_fail(v, i, "invalid JSON: unexpected end of input (expected %s)", expected);
    if (c == '\0')
        return jv_fail(v, i, "unexpected NUL byte");
    if (c > 0x20 && c < 0x7F) {
        snprintf(near, sizeof near, "%c", c);
    } else if (c >= 0xC0) {
        size_t k = 1;
        while (k < 4 && i + k < v->len && ((unsigned char)v->s[i + k] & 0xC0) == 0x80)
            k++;
        snprintf(near, sizeof near, "%.*s", (int)k, v->s + i);
    } else {
        snprintf(near, sizeof near, "\\x%02X", c);
    }
    return jv_fail(v, i, "invalid JSON near '%s' (expected %s)", near, expected);
}

static void jv_ws(jv *v)
{
    while (v->i < v->len && (v->s[v->i] == ' ' || v->s[v->i] == '\t' || v->s[v->i] == '\n' ||
                             v->s[v->i] == '\r'))
        v->i++;
}

static int jv_string(jv *v)
{
    size_t open = v->i++;
    const char *s = v->s;
    for (; v->i < v->len && s[v->i] != '"'; v->i++) {
        unsigned char c = (unsigned char)s[v->i];
        if (c == '\0')
            return jv_fail(v, v->i, "unexpected NUL byte");
        if (c == '\n')
            return jv_fail(v, v->i, "line break inside a string (missing closing quote?)");
        if (c < 0x20)
            return jv_fail(v, v->i, "control character U+%04X inside a string (write it as an escape)", c);
        if (c >= 0x80) { /* RFC 8259: JSON text is UTF-8; what is not would reach the model */
            uint32_t cp;
            size_t k = tn__utf8_next(s + v->i, v->len - v->i, &cp);
            if (k == 0)
                return jv_fail(v, v->i, "invalid UTF-8 in a string (byte 0x%02X)", c);
            v->i += k - 1;
            continue;
        }
        if (c != '\\')
            continue;
        size_t esc = v->i++;
        char e = v->i < v->len ? s[v->i] : '\0';
        if (e == 'u') {
            if (v->i + 4 >= v->len || !is_hex(s[v->i + 1]) || !is_hex(s[v->i + 2]) ||
                !is_hex(s[v->i + 3]) || !is_hex(s[v->i + 4]))
                return jv_fail(v, esc, "invalid \\u escape in a string (expected 4 hex digits)");
            unsigned u = hex4(s + v->i + 1);
            if (u == 0)
                return jv_fail(v, esc, "\\u0000 (NUL) is not allowed in a string");
            v->i += 4;
            /* cJSON rejects unpaired UTF-16 surrogates; say so here, at the escape. */
            if (u >= 0xDC00 && u <= 0xDFFF)
                return jv_fail(v, esc, "unpaired UTF-16 surrogate \\u%04X in a string", u);
            if (u >= 0xD800 && u <= 0xDBFF) {
                const char *t = s + v->i + 1;
                if (v->i + 6 >= v->len || t[0] != '\\' || t[1] != 'u' || !is_hex(t[2]) ||
                    !is_hex(t[3]) || !is_hex(t[4]) || !is_hex(t[5]) ||
                    hex4(t + 2) < 0xDC00 || hex4(t + 2) > 0xDFFF)
                    return jv_fail(v, esc, "unpaired UTF-16 surrogate \\u%04X in a string", u);
                v->i += 6;
            }
        } else if (!e || !strchr("\"\\/bfnrt", e)) {
            return jv_fail(v, esc, "invalid escape in a string (expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
    }
    if (v->i >= v->len)
        return jv_fail(v, open, "unterminated string");
    v->i++;
    return 0;
}

/* RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and nothing number-like after. */
static int jv_number(jv *v)
{
    const char *s = v->s;
    size_t start = v->i, i = v->i, n = v->len;
    int ok = 1;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && is_digit(s[i]))
        while (i < n && is_digit(s[i]))
            i++;
    else
        ok = 0;
    if (ok && i < n && s[i] == '.') {
        ok = ++i < n && is_digit(s[i]);
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (ok && i < n && (s[i] == 'e' || s[i] == 'E')) {
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        ok = i < n && is_digit(s[i]);
        while (i < n && is_digit(s[i]))
            i++;
    }
    /* "01", "1.5.2", "1e5e": the run of number characters must be one number. */
    size_t j = i;
    while (j < n && (is_digit(s[j]) || strchr("+-.eE", s[j]) != NULL) && s[j] != '\0')
        j++;
    if (!ok || j != i) {
        int k = j - start > 32 ? 32 : (int)(j - start);
        return jv_fail(v, start, "invalid JSON number \"%.*s%s\"", k, s + start,
                       j - start > 32 ? "..." : "");
    }
    v->i = i;
    return 0;
}

static int jv_literal(jv *v, const char *word)
{
    size_t k = strlen(word);
    if (v->len - v->i < k || memcmp(v->s + v->i, word, k) != 0)
        return jv_unexpected(v, "a JSON value");
    v->i += k;
    return 0;
}

static int jv_value(jv *v);

/* Object or array: open is '{' or '['; members are "key": value or value. */
static int jv_container(jv *v, char close)
{
    int obj = close == '}';
    if (++v->depth > JR_MAX_DEPTH)
        return jv_fail(v, v->i, "nesting deeper than %d levels", JR_MAX_DEPTH);
    v->i++;
    jv_ws(v);
    if (v->i < v->len && v->s[v->i] == close) {
        v->i++;
        v->depth--;
        return 0;
    }
    for (;;) {
        if (obj) {
            if (v->i >= v->len || v->s[v->i] != '"')
                return jv_unexpected(v, "a key in double quotes");
            if (jv_string(v))
                return -1;
            jv_ws(v);
            if (v->i >= v->len || v->s[v->i] != ':')
                return jv_unexpected(v, "':'");
            v->i++;
            jv_ws(v);
        }
        if (jv_value(v))
            return -1;
        jv_ws(v);
        if (v->i < v->len && v->s[v->i] == close) {
            v->i++;
            v->depth--;
            return 0;
        }
        if (v->i >= v->len || v->s[v->i] != ',')
            return jv_unexpected(v, obj ? "',' or '}'" : "',' or ']'");
        v->i++;
        jv_ws(v);
    }
}

static int jv_value(jv *v)
{
    char c = v->i < v->len ? v->s[v->i] : '\0';
    switch (c) {
    case '{': return jv_container(v, '}');
    case '[': return jv_container(v, ']');
    case '"': return jv_string(v);
    case 't': return jv_literal(v, "true");
    case 'f': return jv_literal(v, "false");
    case 'n': return jv_literal(v, "null");
    default:
        if (c == '-' || is_digit(c))
            return jv_number(v);
        return jv_unexpected(v, "a JSON value");
    }
}

/* 0 when s[0..len) is one JSON value with only whitespace around it (a UTF-8 BOM first is
 * allowed, as cJSON skips it); else -1 and *iss. */
static int jr_validate(const char *s, size_t len, jr_issue *iss)
{
    jv v = {s, len, 0, 0, iss};
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        v.i = 3;
    jv_ws(&v);
    if (jv_value(&v))
        return -1;
    jv_ws(&v);
    if (v.i < len)
        return jv_unexpected(&v, "the end of the document");
    return 0;
}

static int err_at(tn_error *err, const char *file, const char *s, size_t pos, const char *msg)
{
    size_t line, col;
    line_col(s, pos, &line, &col);
    return tn__err(err, TN_ECONFIG, "%s:%zu:%zu: %s", file, line, col, msg);
}

/* Fallback when cJSON rejects what the validator accepted (it should not). */
static int err_cjson(tn_error *err, const char *file, const char *s, size_t len, size_t pos)
{
    if (pos >= len)
        return err_at(err, file, s, len, "invalid JSON: unexpected end of input");
    char msg[64];
    unsigned char c = (unsigned char)s[pos];
    if (c > 0x20 && c < 0x7F)
        snprintf(msg, sizeof msg, "invalid JSON near '%c'", c);
    else
        snprintf(msg, sizeof msg, "invalid JSON near '\\x%02X'", c);
    return err_at(err, file, s, pos, msg);
}

typedef struct keyref {
    const cJSON *item;
    size_t pos; /* position in the object */
} keyref;

static int cmp_keyref(const void *a, const void *b)
{
    const keyref *x = a, *y = b;
    int c = strcmp(x->item->string, y->item->string);
    return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* The duplicate whose second occurrence comes first in the document, or NULL. */
static const cJSON *first_duplicate(tn_jr *r, const cJSON *obj, int *rc)
{
    size_t n = 0;
    const cJSON *c, *d;
    cJSON_ArrayForEach(c, obj) n++;
    if (n <= JR_DUP_LINEAR) {
        cJSON_ArrayForEach(c, obj)
            for (d = obj->child; d != c; d = d->next)
                if (strcmp(c->string, d->string) == 0)
                    return c;
        return NULL;
    }
    /* Sorting keeps a huge object from costing n^2 string compares. */
    keyref *v = tn__malloc(n * sizeof *v);
    if (!v) {
        *rc = tn__err(r->err, TN_ENOMEM, "%s: out of memory", r->file);
        return NULL;
    }
    size_t i = 0;
    cJSON_ArrayForEach(c, obj)
    {
        v[i].item = c;
        v[i].pos = i;
        i++;
    }
    qsort(v, n, sizeof *v, cmp_keyref);
    const keyref *best = NULL;
    /* Within a run of equal keys the second entry is the key's first repetition. */
    for (i = 1; i < n; i++)
        if (strcmp(v[i].item->string, v[i - 1].item->string) == 0 &&
            (i < 2 || strcmp(v[i - 1].item->string, v[i - 2].item->string) != 0) &&
            (!best || v[i].pos < best->pos))
            best = &v[i];
    const cJSON *dup = best ? best->item : NULL;
    tn__free(v);
    return dup;
}

/* cJSON keeps duplicate keys and lookups return the first: reject them at every depth. */
static int check_duplicates(tn_jr *r, const cJSON *v)
{
    int rc = TN_OK;
    if (cJSON_IsObject(v)) {
        const cJSON *dup = first_duplicate(r, v, &rc);
        if (rc)
            return rc;
        if (dup) {
            char key[JR_QUOTE_MAX * 6 + 16];
            sbuf b;
            sb_init(&b, key, sizeof key);
            sb_quote(&b, dup->string);
            return tn__jr_fail(r, NULL, "duplicate key %s", key);
        }
    }
    size_t i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, v)
    {
        size_t mark = cJSON_IsObject(v) ? tn__jr_push_key(r, c->string) : tn__jr_push_index(r, i++);
        rc = check_duplicates(r, c);
        tn__jr_pop(r, mark);
        if (rc)
            return rc;
    }
    return TN_OK;
}

static int is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return 0;
    return 1;
}

/* Parses s[0..len) where s[len] == '\0'. */
static int parse_terminated(const char *file, const char *s, size_t len, cJSON **out, tn_error *err)
{
    *out = NULL;
    if (is_blank(s, len))
        return tn__err(err, TN_ECONFIG, "%s: empty document (expected a JSON value)", file);
    jr_issue iss;
    if (jr_validate(s, len, &iss))
        return err_at(err, file, s, iss.pos, iss.msg);
    /* The length includes the NUL: with require_null_terminated cJSON demands that the
     * value is followed by whitespace and then exactly that NUL. The end pointer is ours,
     * not the global cJSON_GetErrorPtr(). */
    const char *end = NULL;
    /* cJSON 1.7.15 resets and sets a global error record in every parse: serialise the call
     * so models and configs can be loaded from several threads at once. */
    pthread_mutex_lock(&cjson_parse_lock);
    cJSON *doc = cJSON_ParseWithLengthOpts(s, len + 1, &end, 1);
    pthread_mutex_unlock(&cjson_parse_lock);
    if (!doc)
        return err_cjson(err, file, s, len, end ? (size_t)(end - s) : 0);
    tn_jr r;
    tn__jr_init(&r, file, err);
    int rc = check_duplicates(&r, doc);
    if (rc) {
        cJSON_Delete(doc);
        return rc;
    }
    *out = doc;
    return TN_OK;
}

int tn__jr_parse(const char *file, const char *text, size_t len, cJSON **out, tn_error *err)
{
    *out = NULL;
    if (!file)
        file = "(json)";
    if (!text && len)
        return tn__err(err, TN_EINVAL, "%s: no text to parse", file);
    if (len == SIZE_MAX)
        return tn__err(err, TN_ENOMEM, "%s: out of memory", file);
    /* cJSON needs the terminating NUL inside the buffer it is given. */
    char *s = tn__malloc(len + 1);
    if (!s)
        return tn__err(err, TN_ENOMEM, "%s: out of memory", file);
    if (len)
        memcpy(s, text, len);
    s[len] = '\0';
    int rc = parse_terminated(file, s, len, out, err);
    tn__free(s);
    return rc;
}

int tn__jr_load_file(const char *file, size_t max_bytes, cJSON **out, tn_error *err)
{
    *out = NULL;
    if (!file)
        return tn__err(err, TN_EINVAL, "no file name given");
    unsigned char *s = NULL;
    size_t len = 0;
    int rc = tn__read_file(file, max_bytes, &s, &len, err);
    if (rc == TN_ERANGE) /* too large for a config is a config error */
        rc = err ? (err->code = TN_ECONFIG) : TN_ECONFIG;
    if (rc)
        return rc;
    rc = parse_terminated(file, (char *)s, len, out, err);
    tn__free(s);
    return rc;
}
