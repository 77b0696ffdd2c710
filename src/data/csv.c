/* Numeric CSV/TSV reader. The text is walked as (pointer, length) spans, never as C
 * strings, so NUL bytes and a missing final newline need no special care; only a single
 * number is copied out, NUL-terminated, for strtod. */
#include "data/csv.h"

#include "core/file.h"

#include "core/alloc.h"
#include "core/error.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Doubles at or above this magnitude round to infinity as float (FLT_MAX + half an ulp);
 * below it the conversion is defined and finite. */
#define TN__FLOAT_OVERFLOW 0x1.ffffffp127

typedef struct span {
    const char *p;
    size_t n;
} span;

typedef struct parser {
    const char *name;      /* for messages */
    const char *cur, *end; /* unread text */
    size_t line;           /* 1-based number of the line last taken */
    char delim;
    char *num;             /* NUL-terminated copy of one field, for strtod */
    size_t num_cap;
    size_t cap_rows;       /* rows t->values has room for */
    tn_table *t;
    tn_error *err;
} parser;

/* ---- Lines and fields ------------------------------------------------------------- */

/* Takes the next line without its "\n" or "\r\n"; returns 0 at the end of the text. */
static int next_line(parser *ps, span *line)
{
    if (ps->cur >= ps->end)
        return 0;
    size_t left = (size_t)(ps->end - ps->cur);
    const char *nl = memchr(ps->cur, '\n', left);
    size_t n = nl ? (size_t)(nl - ps->cur) : left;
    line->p = ps->cur;
    line->n = (n > 0 && ps->cur[n - 1] == '\r') ? n - 1 : n;
    ps->cur = nl ? nl + 1 : ps->end;
    ps->line++;
    return 1;
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

static span trim(span s)
{
    while (s.n > 0 && is_blank(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && is_blank(s.p[s.n - 1]))
        s.n--;
    return s;
}

/* Blank lines and '#' comments carry no data anywhere in the file. */
static int is_skipped(span line)
{
    span s = trim(line);
    return s.n == 0 || s.p[0] == '#';
}

static size_t count_fields(span line, char delim)
{
    size_t n = 1;
    for (size_t i = 0; i < line.n; i++)
        n += line.p[i] == delim;
    return n;
}

/* Splits the next field off *rest (which must hold at least one more field). */
static span next_field(span *rest, char delim)
{
    const char *d = rest->n ? memchr(rest->p, delim, rest->n) : NULL;
    span f = {rest->p, d ? (size_t)(d - rest->p) : rest->n};
    if (d) {
        rest->p = d + 1;
        rest->n -= f.n + 1;
    } else {
        rest->p += f.n;
        rest->n = 0;
    }
    return f;
}

/* Writes s quoted for a message: printable ASCII as is, other bytes as \xHH, long text
 * cut with "...", so that random bytes cannot garble the terminal or the buffer. */
static void show(char *dst, size_t cap, span s)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, limit = 40;
    dst[o++] = '"';
    for (size_t i = 0; i < s.n && i < limit && o + 8 < cap; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c == '"' || c == '\\') {
            dst[o++] = '\\';
            dst[o++] = (char)c;
        } else if (c >= 0x20 && c < 0x7f) {
            dst[o++] = (char)c;
        } else {
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
        }
    }
    if (s.n > limit) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o++] = '"';
    dst[o] = '\0';
}

/* ---- Header ----------------------------------------------------------------------- */

/* Strips one pair of surrounding quotes; names are simple, so any other quote is an
 * error rather than an escape to interpret. Returns 0 or -1. */
static int unquote(span *s)
{
    if (s->n >= 2 && s->p[0] == '"' && s->p[s->n - 1] == '"') {
        s->p++;
        s->n -= 2;
    }
    return memchr(s->p, '"', s->n) ? -1 : 0;
}

static int has_control(span s)
{
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c < 0x20 || c == 0x7f)
            return 1;
    }
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorting a copy keeps the check O(n log n) for absurdly wide headers. */
static int check_unique(parser *ps)
{
    tn_table *t = ps->t;
    char **sorted = tn__calloc(t->cols, sizeof *sorted);
    if (!sorted)
        return tn__err(ps->err, TN_ENOMEM, "%s: out of memory reading the header", ps->name);
    memcpy(sorted, t->names, t->cols * sizeof *sorted);
    qsort(sorted, t->cols, sizeof *sorted, cmp_names);
    int rc = TN_OK;
    for (size_t i = 1; i < t->cols && rc == TN_OK; i++)
        if (strcmp(sorted[i - 1], sorted[i]) == 0)
            rc = tn__err(ps->err, TN_EDATA, "%s: line %zu: duplicate column name \"%s\"",
                         ps->name, ps->line, sorted[i]);
    tn__free(sorted);
    return rc;
}

static int parse_name(parser *ps, span f, size_t col)
{
    span s = trim(f);
    if (unquote(&s))
        return tn__err(ps->err, TN_EDATA, "%s: line %zu: column %zu: bad quoted name", ps->name,
                       ps->line, col + 1);
    if (s.n == 0)
        return tn__err(ps->err, TN_EDATA, "%s: line %zu: empty column name (column %zu)",
                       ps->name, ps->line, col + 1);
    if (has_control(s))
        return tn__err(ps->err, TN_EDATA,
                       "%s: line %zu: column %zu: name contains a control character",
                       ps->name, ps->line, col + 1);
    char *name = tn__malloc(s.n + 1);
    if (!name)
        return tn__err(ps->err, TN_ENOMEM, "%s: out of memory reading the header", ps->name);
    memcpy(name, s.p, s.n);
    name[s.n] = '\0';
    ps->t->names[col] = name;
    return TN_OK;
}

static int parse_header(parser *ps, span line)
{
    int has_tab = memchr(line.p, '\t', line.n) != NULL;
    int has_comma = memchr(line.p, ',', line.n) != NULL;
    ps->delim = (has_tab && !has_comma) ? '\t' : ',';

    size_t cols = count_fields(line, ps->delim);
    ps->t->names = tn__calloc(cols, sizeof *ps->t->names);
    if (!ps->t->names)
        return tn__err(ps->err, TN_ENOMEM, "%s: out of memory reading the header", ps->name);
    ps->t->cols = cols; /* names are NULL until parsed, so a partial table frees cleanly */

    span rest = line;
    for (size_t c = 0; c < cols; c++) {
        int rc = parse_name(ps, next_field(&rest, ps->delim), c);
        if (rc)
            return rc;
    }
    return check_unique(ps);
}

/* ---- Rows ------------------------------------------------------------------------- */

static int parse_value(parser *ps, span field, size_t col, float *out)
{
    span s = trim(field);
    char shown[200];
    if (s.n + 1 > ps->num_cap) {
        size_t cap = ps->num_cap ? ps->num_cap : 64;
        while (cap < s.n + 1)
            cap = cap > SIZE_MAX / 2 ? s.n + 1 : cap * 2;
        char *p = tn__realloc(ps->num, cap);
        if (!p)
            return tn__err(ps->err, TN_ENOMEM, "%s: line %zu: out of memory", ps->name,
                           ps->line);
        ps->num = p;
        ps->num_cap = cap;
    }
    memcpy(ps->num, s.p, s.n);
    ps->num[s.n] = '\0';

    const char *colname = ps->t->names[col];
    errno = 0;
    char *end;
    double d = strtod(ps->num, &end);
    int overflow = errno == ERANGE && isinf(d); /* underflow (ERANGE, tiny) is fine */
    if (s.n == 0 || end != ps->num + s.n) {
        show(shown, sizeof shown, s);
        return tn__err(ps->err, TN_EDATA, "%s: line %zu: column \"%s\": expected a number, got %s",
                       ps->name, ps->line, colname, shown);
    }
    if (isnan(d) || (isinf(d) && !overflow))
        return tn__err(ps->err, TN_EDATA, "%s: line %zu: column \"%s\": value is not finite (%s)",
                       ps->name, ps->line, colname, isnan(d) ? "nan" : "inf");
    if (fabs(d) >= TN__FLOAT_OVERFLOW) {
        show(shown, sizeof shown, s);
        return tn__err(ps->err, TN_EDATA,
                       "%s: line %zu: column \"%s\": value out of float range (%s)", ps->name,
                       ps->line, colname, shown);
    }
    *out = (float)d;
    return TN_OK;
}

/* Doubles the row capacity: amortised O(1) per row, no per-row allocation. */
static int grow_rows(parser *ps)
{
    tn_table *t = ps->t;
    size_t cap = ps->cap_rows ? ps->cap_rows : 64, n;
    if (ps->cap_rows) {
        if (cap > SIZE_MAX / 2)
            cap = SIZE_MAX; /* tn__mul_size below then fails */
        else
            cap *= 2;
    }
    float *v = tn__mul_size(cap, t->cols, &n) ? NULL : tn__floats_alloc(n);
    if (!v)
        return tn__err(ps->err, TN_ENOMEM, "%s: line %zu: out of memory (%zu rows)", ps->name,
                       ps->line, t->rows);
    size_t bytes;
    size_t *lines = tn__mul_size(cap, sizeof *lines, &bytes) ? NULL : tn__realloc(t->lines, bytes);
    if (!lines) {
        tn__floats_free(v);
        return tn__err(ps->err, TN_ENOMEM, "%s: line %zu: out of memory (%zu rows)", ps->name,
                       ps->line, t->rows);
    }
    t->lines = lines;
    if (t->values)
        memcpy(v, t->values, t->rows * t->cols * sizeof *v);
    tn__floats_free(t->values);
    t->values = v;
    ps->cap_rows = cap;
    return TN_OK;
}

static int parse_row(parser *ps, span line)
{
    tn_table *t = ps->t;
    size_t got = count_fields(line, ps->delim);
    if (got != t->cols)
        return tn__err(ps->err, TN_EDATA, "%s: line %zu: expected %zu fields, got %zu", ps->name,
                       ps->line, t->cols, got);
    if (t->rows == ps->cap_rows) {
        int rc = grow_rows(ps);
        if (rc)
            return rc;
    }
    float *row = t->values + t->rows * t->cols;
    span rest = line;
    for (size_t c = 0; c < t->cols; c++) {
        int rc = parse_value(ps, next_field(&rest, ps->delim), c, &row[c]);
        if (rc)
            return rc;
    }
    t->lines[t->rows++] = ps->line;
    return TN_OK;
}

/* ---- Entry points ----------------------------------------------------------------- */

static int parse_all(parser *ps)
{
    span line;
    int found = 0;
    while (!found && next_line(ps, &line))
        found = !is_skipped(line);
    if (!found)
        return tn__err(ps->err, TN_EDATA, "%s: empty file (expected a header line)", ps->name);
    int rc = parse_header(ps, line);
    while (rc == TN_OK && next_line(ps, &line))
        if (!is_skipped(line))
            rc = parse_row(ps, line);
    if (rc == TN_OK && ps->t->rows == 0)
        rc = tn__err(ps->err, TN_EDATA, "%s: no data rows", ps->name);
    return rc;
}

int tn__csv_parse(const char *name, const char *text, size_t len, tn_table **out, tn_error *err)
{
    if (!out)
        return tn__err(err, TN_EINVAL, "tn__csv_parse: out is NULL");
    *out = NULL;
    if (!text && len)
        return tn__err(err, TN_EINVAL, "tn__csv_parse: text is NULL");
    if (!text)
        text = ""; /* NULL + 0 is not valid pointer arithmetic */

    parser ps = {.name = name ? name : "<memory>", .cur = text, .end = text + len, .err = err};
    /* A UTF-8 byte-order mark (spreadsheet exports) is not part of the first name. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        ps.cur += 3;
    ps.t = tn__calloc(1, sizeof *ps.t);
    if (!ps.t)
        return tn__err(err, TN_ENOMEM, "%s: out of memory", ps.name);
    int rc = parse_all(&ps);
    tn__free(ps.num);
    if (rc) {
        tn__table_free(ps.t);
        return rc;
    }
    *out = ps.t;
    return TN_OK;
}

int tn__csv_read(const char *path, tn_table **out, tn_error *err)
{
    if (!out)
        return tn__err(err, TN_EINVAL, "tn__csv_read: out is NULL");
    *out = NULL;
    if (!path)
        return tn__err(err, TN_EINVAL, "tn__csv_read: path is NULL");
    const char *name = path;
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc = tn__read_file(path, TN_CSV_MAX_BYTES, &buf, &len, err);
    if (rc)
        return rc;
    rc = tn__csv_parse(name, (const char *)buf, len, out, err);
    tn__free(buf);
    return rc;
}

int tn__table_column(const tn_table *t, const char *name)
{
    if (!t || !name)
        return -1;
    for (size_t c = 0; c < t->cols && c <= INT_MAX; c++)
        if (strcmp(t->names[c], name) == 0)
            return (int)c;
    return -1;
}

void tn__table_free(tn_table *t)
{
    if (!t)
        return;
    for (size_t c = 0; t->names && c < t->cols; c++)
        tn__free(t->names[c]);
    tn__free(t->names);
    tn__floats_free(t->values);
    tn__free(t->lines);
    tn__free(t);
}
