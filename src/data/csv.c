/* CSV/TSV reader (RFC 4180). The text is walked byte by byte into one buffer of the
 * record's unquoted fields, never as C strings, so NUL bytes and a missing final newline
 * need no special care; only a single number is copied out, NUL-terminated, for strtod. */
#include "data/csv.h"

#include "core/file.h"
#include "data/vocab.h"

#include "core/alloc.h"
#include "core/error.h"

#include <ctype.h>
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
    size_t line;           /* 1-based number of the line ps->cur is on */
    size_t rec_line;       /* the line the record being read starts on */
    char delim;
    char *num;             /* NUL-terminated copy of one field, for strtod */
    size_t num_cap;
    char *buf;             /* the fields of one record, unquoted, one after another */
    size_t buf_cap;
    span *fields;          /* [fields_cap] into buf (p is an offset until the record ends) */
    size_t fields_cap, n_fields;
    size_t cap_rows;       /* rows t->values has room for */
    const tn_csv_opts *o;
    tn_table *t;
    tn_error *err;
} parser;

/* ---- Records and fields ----------------------------------------------------------- */

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

/* Skips blank lines and '#' comment lines at the start of a record; 0 at the end. */
static int skip_to_record(parser *ps)
{
    while (ps->cur < ps->end) {
        const char *nl = memchr(ps->cur, '\n', (size_t)(ps->end - ps->cur));
        span line = {ps->cur, nl ? (size_t)(nl - ps->cur) : (size_t)(ps->end - ps->cur)};
        if (line.n && line.p[line.n - 1] == '\r')
            line.n--;
        span s = trim(line);
        if (s.n && s.p[0] != '#')
            return 1;
        ps->cur = nl ? nl + 1 : ps->end;
        ps->line++;
    }
    return 0;
}

static int put(parser *ps, size_t *at, char c)
{
    if (*at == ps->buf_cap) {
        size_t cap = ps->buf_cap ? ps->buf_cap * 2 : 256;
        char *p = tn__realloc(ps->buf, cap);
        if (!p)
            return tn__err(ps->err, TN_ENOMEM, "%s: line %zu: out of memory", ps->name, ps->line);
        ps->buf = p;
        ps->buf_cap = cap;
    }
    ps->buf[(*at)++] = c;
    return TN_OK;
}

static int add_field(parser *ps, size_t off, size_t n)
{
    if (ps->n_fields == ps->fields_cap) {
        size_t cap = ps->fields_cap ? ps->fields_cap * 2 : 16;
        span *f = tn__realloc(ps->fields, cap * sizeof *f);
        if (!f)
            return tn__err(ps->err, TN_ENOMEM, "%s: line %zu: out of memory", ps->name, ps->line);
        ps->fields = f;
        ps->fields_cap = cap;
    }
    ps->fields[ps->n_fields++] = (span){(const char *)(uintptr_t)off, n};
    return TN_OK;
}

/* Reads one record (RFC 4180) at ps->cur into ps->fields, which then point into ps->buf.
 * ps->line is the record's first line on return; the next record starts a line later (or
 * more, after newlines inside quotes). */
static int read_record(parser *ps, size_t *first_line)
{
    *first_line = ps->line;
    ps->n_fields = 0;
    size_t at = 0;
    int rc;
    for (;;) {
        size_t start = at;
        while (ps->cur < ps->end && is_blank(*ps->cur))
            ps->cur++;
        if (ps->cur < ps->end && *ps->cur == '"') {
            size_t opened = ps->line;
            ps->cur++;
            for (;;) {
                if (ps->cur >= ps->end)
                    return tn__err(ps->err, TN_EDATA, "%s: line %zu: field %zu: the quote "
                                   "opened here is never closed", ps->name, opened,
                                   ps->n_fields + 1);
                char c = *ps->cur++;
                if (c == '"') {
                    if (ps->cur < ps->end && *ps->cur == '"')
                        ps->cur++;
                    else
                        break;
                } else if (c == '\n') {
                    ps->line++;
                }
                if ((rc = put(ps, &at, c)))
                    return rc;
            }
            while (ps->cur < ps->end && is_blank(*ps->cur))
                ps->cur++;
            if (ps->cur < ps->end && *ps->cur != ps->delim && *ps->cur != '\n' &&
                !(*ps->cur == '\r' && (ps->cur + 1 == ps->end || ps->cur[1] == '\n')))
                return tn__err(ps->err, TN_EDATA, "%s: line %zu: field %zu: expected %s or "
                               "the end of the line after a closing quote, got '%c'", ps->name,
                               ps->line, ps->n_fields + 1,
                               ps->delim == '\t' ? "a tab" : "a comma",
                               isprint((unsigned char)*ps->cur) ? *ps->cur : '?');
            if ((rc = add_field(ps, start, at - start)))
                return rc;
        } else {
            while (ps->cur < ps->end && *ps->cur != ps->delim && *ps->cur != '\n')
                if ((rc = put(ps, &at, *ps->cur++)))
                    return rc;
            size_t n = at - start;
            if (n && ps->buf[start + n - 1] == '\r' && (ps->cur == ps->end || *ps->cur == '\n'))
                n--;
            while (n && is_blank(ps->buf[start + n - 1]))
                n--;
            if ((rc = add_field(ps, start, n)))
                return rc;
        }
        if (ps->cur < ps->end && *ps->cur == '\r')
            ps->cur++; /* only a CR before LF or the end is left here */
        if (ps->cur >= ps->end)
            break;
        if (*ps->cur++ == '\n') {
            ps->line++;
            break;
        }
    }
    /* Offsets into buf, which is still NULL when every field of the record is empty. */
    const char *base = ps->buf ? ps->buf : "";
    for (size_t k = 0; k < ps->n_fields; k++)
        ps->fields[k].p = base + (uintptr_t)ps->fields[k].p;
    return TN_OK;
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
                         ps->name, ps->rec_line, sorted[i]);
    tn__free(sorted);
    return rc;
}

static int set_name(parser *ps, size_t col, const char *p, size_t n)
{
    char *name = tn__malloc(n + 1);
    if (!name)
        return tn__err(ps->err, TN_ENOMEM, "%s: out of memory reading the header", ps->name);
    memcpy(name, p, n);
    name[n] = '\0';
    ps->t->names[col] = name;
    return TN_OK;
}

static int parse_name(parser *ps, span s, size_t col)
{
    if (s.n == 0)
        return tn__err(ps->err, TN_EDATA, "%s: line %zu: empty column name (column %zu)",
                       ps->name, ps->rec_line, col + 1);
    if (has_control(s) || memchr(s.p, '"', s.n))
        return tn__err(ps->err, TN_EDATA,
                       "%s: line %zu: column %zu: name contains a control character or a quote",
                       ps->name, ps->rec_line, col + 1);
    return set_name(ps, col, s.p, s.n);
}

/* The columns: from the record just read (a header), or numbered for its field count. */
static int make_columns(parser *ps, int header)
{
    tn_table *t = ps->t;
    size_t cols = ps->n_fields;
    t->header = header;
    if (!(t->names = tn__calloc(cols, sizeof *t->names)) ||
        !(t->kind = tn__calloc(cols, 1)) || !(t->text = tn__calloc(cols, sizeof *t->text)))
        return tn__err(ps->err, TN_ENOMEM, "%s: out of memory reading the header", ps->name);
    t->cols = cols; /* names are NULL until parsed, so a partial table frees cleanly */
    for (size_t c = 0; c < cols; c++) {
        char num[24];
        int n = snprintf(num, sizeof num, "%zu", c + 1);
        int rc = header ? parse_name(ps, ps->fields[c], c) : set_name(ps, c, num, (size_t)n);
        if (rc)
            return rc;
    }
    return header ? check_unique(ps) : TN_OK;
}

const char *tn__table_label(const tn_table *t, size_t col, char *buf, size_t n)
{
    if (t->header)
        snprintf(buf, n, "column \"%s\"", t->names[col]);
    else
        snprintf(buf, n, "column %zu", col + 1);
    return buf;
}

/* ---- Rows ------------------------------------------------------------------------- */

static int parse_value(parser *ps, span s, size_t col, float *out)
{
    char shown[200], where[320];
    if (s.n + 1 > ps->num_cap) {
        size_t cap = ps->num_cap ? ps->num_cap : 64;
        while (cap < s.n + 1)
            cap = cap > SIZE_MAX / 2 ? s.n + 1 : cap * 2;
        char *p = tn__realloc(ps->num, cap);
        if (!p)
            return tn__err(ps->err, TN_ENOMEM, "%s: line %zu: out of memory", ps->name,
                           ps->rec_line);
        ps->num = p;
        ps->num_cap = cap;
    }
    memcpy(ps->num, s.p, s.n);
    ps->num[s.n] = '\0';

    tn__table_label(ps->t, col, where, sizeof where);
    errno = 0;
    char *end;
    double d = strtod(ps->num, &end);
    int overflow = errno == ERANGE && isinf(d); /* underflow (ERANGE, tiny) is fine */
    if (s.n == 0 || end != ps->num + s.n) {
        show(shown, sizeof shown, s);
        return tn__err(ps->err, TN_EDATA, "%s: line %zu: %s: expected a number, got %s%s",
                       ps->name, ps->rec_line, where, shown,
                       s.n == 0 || (s.n == 2 && memcmp(s.p, "NA", 2) == 0)
                           ? " (a missing value: \"missing\": \"skip\" drops such rows)"
                           : "");
    }
    if (isnan(d) || (isinf(d) && !overflow))
        return tn__err(ps->err, TN_EDATA, "%s: line %zu: %s: value is not finite (%s)",
                       ps->name, ps->rec_line, where, isnan(d) ? "nan" : "inf");
    if (fabs(d) >= TN__FLOAT_OVERFLOW) {
        show(shown, sizeof shown, s);
        return tn__err(ps->err, TN_EDATA, "%s: line %zu: %s: value out of float range (%s)",
                       ps->name, ps->rec_line, where, shown);
    }
    *out = (float)d;
    return TN_OK;
}

static int parse_text(parser *ps, span s, size_t col, float *out)
{
    tn_table *t = ps->t;
    char where[320], shown[200];
    if (!t->text[col] && !(t->text[col] = tn__vocab_new()))
        return tn__err(ps->err, TN_ENOMEM, "%s: line %zu: out of memory", ps->name, ps->rec_line);
    uint32_t k;
    int rc = s.n == 0 ? TN_EDATA : tn__vocab_add(t->text[col], s.p, s.n, &k, NULL);
    if (rc == TN_ENOMEM)
        return tn__err(ps->err, TN_ENOMEM, "%s: line %zu: out of memory", ps->name, ps->rec_line);
    tn__table_label(t, col, where, sizeof where);
    show(shown, sizeof shown, s);
    if (rc == TN_EDATA)
        return tn__err(ps->err, TN_EDATA, "%s: line %zu: %s: expected text, got an empty field",
                       ps->name, ps->rec_line, where);
    if (rc)
        return tn__err(ps->err, TN_EDATA, "%s: line %zu: %s: %s is longer than %d bytes, or the "
                       "column has more than %zu distinct values", ps->name, ps->rec_line, where,
                       shown, TN_VOCAB_MAX_LEN, TN_VOCAB_MAX);
    if (memchr(s.p, '\0', s.n))
        return tn__err(ps->err, TN_EDATA, "%s: line %zu: %s: a NUL byte in %s", ps->name,
                       ps->rec_line, where, shown);
    *out = (float)k;
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
                       ps->rec_line, t->rows);
    size_t bytes;
    size_t *lines = tn__mul_size(cap, sizeof *lines, &bytes) ? NULL : tn__realloc(t->lines, bytes);
    if (!lines) {
        tn__floats_free(v);
        return tn__err(ps->err, TN_ENOMEM, "%s: line %zu: out of memory (%zu rows)", ps->name,
                       ps->rec_line, t->rows);
    }
    t->lines = lines;
    if (t->values)
        memcpy(v, t->values, t->rows * t->cols * sizeof *v);
    tn__floats_free(t->values);
    t->values = v;
    ps->cap_rows = cap;
    return TN_OK;
}

static int is_missing(span s) { return s.n == 0 || (s.n == 2 && memcmp(s.p, "NA", 2) == 0); }

static int parse_row(parser *ps)
{
    tn_table *t = ps->t;
    if (ps->n_fields != t->cols)
        return tn__err(ps->err, TN_EDATA, "%s: line %zu: expected %zu fields, got %zu", ps->name,
                       ps->rec_line, t->cols, ps->n_fields);
    if (ps->o->skip_missing)
        for (size_t c = 0; c < t->cols; c++)
            if (t->kind[c] != TN_COL_SKIP && is_missing(ps->fields[c])) {
                t->dropped++;
                return TN_OK;
            }
    if (t->rows == ps->cap_rows) {
        int rc = grow_rows(ps);
        if (rc)
            return rc;
    }
    float *row = t->values + t->rows * t->cols;
    for (size_t c = 0; c < t->cols; c++) {
        int rc = t->kind[c] == TN_COL_SKIP   ? TN_OK
                 : t->kind[c] == TN_COL_TEXT ? parse_text(ps, ps->fields[c], c, &row[c])
                                             : parse_value(ps, ps->fields[c], c, &row[c]);
        if (rc)
            return rc;
    }
    t->lines[t->rows++] = ps->rec_line;
    return TN_OK;
}

/* ---- Entry points ----------------------------------------------------------------- */

static void choose_delim(parser *ps)
{
    const char *nl = memchr(ps->cur, '\n', (size_t)(ps->end - ps->cur));
    size_t n = nl ? (size_t)(nl - ps->cur) : (size_t)(ps->end - ps->cur);
    int has_tab = memchr(ps->cur, '\t', n) != NULL;
    int has_comma = memchr(ps->cur, ',', n) != NULL;
    ps->delim = (has_tab && !has_comma) ? '\t' : ',';
}

/* The header (or the numbered columns of the first record) and the plan. */
static int parse_head(parser *ps, int *first_is_data)
{
    *first_is_data = 0;
    if (!skip_to_record(ps))
        return tn__err(ps->err, TN_EDATA, "%s: empty file (expected %s)", ps->name,
                       ps->o->no_header ? "rows" : "a header line");
    choose_delim(ps);
    int rc = read_record(ps, &ps->rec_line);
    if (rc == TN_OK)
        rc = make_columns(ps, !ps->o->no_header);
    if (rc == TN_OK && ps->o->plan)
        rc = ps->o->plan(ps->o->ctx, ps->t, ps->err);
    *first_is_data = ps->o->no_header;
    return rc;
}

static int parse_rows(parser *ps, int have_record)
{
    int rc = have_record ? parse_row(ps) : TN_OK;
    while (rc == TN_OK && skip_to_record(ps))
        if (!(rc = read_record(ps, &ps->rec_line)))
            rc = parse_row(ps);
    return rc;
}

static int parse_all(parser *ps, const char *text, size_t len)
{
    const tn_csv_opts *o = ps->o;
    int first_is_data, rc;
    if (o->head) {
        /* The header from its own text; the rows from the text, at their own lines. */
        ps->cur = o->head;
        ps->end = o->head + o->head_len;
        ps->line = 1;
        if (ps->end - ps->cur >= 3 && memcmp(ps->cur, "\xEF\xBB\xBF", 3) == 0)
            ps->cur += 3;
        if ((rc = parse_head(ps, &first_is_data)))
            return rc;
        ps->cur = text;
        ps->end = text + len;
        ps->line = o->first_line ? o->first_line : 2;
        rc = parse_rows(ps, first_is_data);
        return rc ? rc : ps->t->rows || len ? TN_OK : TN_OK; /* a stream may pause anywhere */
    }
    if ((rc = parse_head(ps, &first_is_data)) || (rc = parse_rows(ps, first_is_data)))
        return rc;
    if (ps->t->rows == 0)
        return tn__err(ps->err, TN_EDATA, "%s: no data rows%s", ps->name,
                       ps->t->dropped ? " (every row has a missing value)" : "");
    return TN_OK;
}

int tn__csv_parse_opts(const char *name, const char *text, size_t len, const tn_csv_opts *o,
                       tn_table **out, tn_error *err)
{
    if (!out)
        return tn__err(err, TN_EINVAL, "tn__csv_parse: out is NULL");
    *out = NULL;
    if (!text && len)
        return tn__err(err, TN_EINVAL, "tn__csv_parse: text is NULL");
    if (!text)
        text = ""; /* NULL + 0 is not valid pointer arithmetic */
    static const tn_csv_opts defaults = {0};
    parser ps = {.name = name ? name : "<memory>", .cur = text, .end = text + len, .line = 1,
                 .o = o ? o : &defaults, .err = err};
    /* A UTF-8 byte-order mark (spreadsheet exports) is not part of the first name. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        ps.cur += 3;
    ps.t = tn__calloc(1, sizeof *ps.t);
    if (!ps.t)
        return tn__err(err, TN_ENOMEM, "%s: out of memory", ps.name);
    int rc = parse_all(&ps, text, len);
    tn__free(ps.num);
    tn__free(ps.buf);
    tn__free(ps.fields);
    if (rc) {
        tn__table_free(ps.t);
        return rc;
    }
    *out = ps.t;
    return TN_OK;
}

int tn__csv_parse(const char *name, const char *text, size_t len, tn_table **out, tn_error *err)
{
    return tn__csv_parse_opts(name, text, len, NULL, out, err);
}

int tn__csv_read_opts(const char *path, const tn_csv_opts *o, tn_table **out, tn_error *err)
{
    if (!out)
        return tn__err(err, TN_EINVAL, "tn__csv_read: out is NULL");
    *out = NULL;
    if (!path)
        return tn__err(err, TN_EINVAL, "tn__csv_read: path is NULL");
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc = tn__read_file(path, TN_CSV_MAX_BYTES, &buf, &len, err);
    if (rc)
        return rc;
    rc = tn__csv_parse_opts(path, (const char *)buf, len, o, out, err);
    tn__free(buf);
    return rc;
}

int tn__csv_read(const char *path, tn_table **out, tn_error *err)
{
    return tn__csv_read_opts(path, NULL, out, err);
}

int tn__csv_in_quotes(const char *text, size_t len)
{
    int in = 0;
    for (size_t i = 0; i < len; i++)
        in ^= text[i] == '"';
    return in;
}

size_t tn__csv_first_record(const char *text, size_t len)
{
    size_t i = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    /* Past blank and comment lines, then to the first line end outside quotes. */
    for (;;) {
        size_t j = i;
        while (j < len && is_blank(text[j]))
            j++;
        if (j < len && text[j] != '#' && text[j] != '\n' && text[j] != '\r')
            break;
        const char *nl = memchr(text + i, '\n', len - i);
        if (!nl)
            return 0;
        i = (size_t)(nl - text) + 1;
    }
    int in = 0;
    for (; i < len; i++) {
        in ^= text[i] == '"';
        if (!in && text[i] == '\n')
            return i && text[i - 1] == '\r' ? i - 1 : i;
    }
    return 0;
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
    for (size_t c = 0; t->text && c < t->cols; c++)
        tn__vocab_free(t->text[c]);
    tn__free(t->names);
    tn__free(t->kind);
    tn__free(t->text);
    tn__floats_free(t->values);
    tn__free(t->lines);
    tn__free(t);
}
