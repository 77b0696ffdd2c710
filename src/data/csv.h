/* A CSV/TSV table reader (RFC 4180): a header line of column names (or none: columns are
 * then numbered from 1), then rows.
 *
 * Format: comma-separated, or tab-separated when the first line holds a tab and no comma.
 * A field may be "quoted": inside, the delimiter, CR and LF are data and "" is one quote;
 * blanks around a field (quoted or not) are trimmed. Names must be non-empty and unique.
 * Blank lines and lines whose first non-blank character is '#' are skipped between records;
 * CRLF, a UTF-8 byte-order mark and a missing final newline are accepted.
 *
 * Each column has a kind (tn_csv_opts.plan sets it once the header is known): a number
 * (the default: a field that strtod accepts whole and that is finite as a float), skipped
 * (anything at all), or text (kept in the column's vocabulary, the value being its index).
 * With skip_missing, a row whose used field is empty or "NA" is dropped and counted.
 *
 * Numbers are parsed with strtod, which follows LC_NUMERIC: the library never calls
 * setlocale, so a program that switches LC_NUMERIC to a decimal-comma locale must switch
 * it back to "C" before reading data.
 *
 * Errors are TN_EDATA (TN_EIO for open/read failures, TN_ENOMEM) with one message naming
 * the file, the 1-based line and the column where relevant:
 *   data/ring_train.csv: line 17: column "label": expected a number, got "abc" */
#ifndef TN_DATA_CSV_H
#define TN_DATA_CSV_H

#include "tinynet/tinynet.h"

#include <stddef.h>

#define TN_CSV_MAX_BYTES ((size_t)4 << 30) /* 4 GiB of text: far past any table in memory */

enum tn_col_kind { TN_COL_NUMBER, TN_COL_SKIP, TN_COL_TEXT };

typedef struct tn_vocab tn_vocab;

typedef struct tn_table {
    size_t rows, cols;
    char **names;  /* [cols] column names from the header, or "1", "2", ... without one */
    int header;    /* the names came from a header line */
    unsigned char *kind; /* [cols] enum tn_col_kind */
    tn_vocab **text;     /* [cols] the strings of a text column (values are their indices) */
    float *values; /* [rows x cols] row-major, from tn__floats_alloc (0 in skipped columns) */
    size_t *lines; /* [rows] the 1-based line of the file each row came from */
    size_t dropped; /* rows dropped for a missing value (skip_missing) */
} tn_table;

typedef struct tn_csv_opts {
    int no_header;      /* columns are numbered, the first line is data */
    int skip_missing;   /* drop rows with an empty or "NA" field in a column not skipped */
    /* Called once the columns are known (names, cols, header): sets kind[] (all numbers
     * before the call). A failure ends the parse with its status. */
    int (*plan)(void *ctx, tn_table *t, tn_error *err);
    void *ctx;
    /* Streaming: the header is read from head[0..head_len) (a file's first record), the
     * text holds later records only, the first of them at 1-based line first_line. */
    const char *head;
    size_t head_len, first_line;
} tn_csv_opts;

/* Reads a whole file and parses it. On failure *out is NULL. */
int tn__csv_read(const char *path, tn_table **out, tn_error *err);
int tn__csv_read_opts(const char *path, const tn_csv_opts *o, tn_table **out, tn_error *err);
/* Parses len bytes of text (need not be NUL-terminated; NUL bytes are data errors).
 * name is used in messages (NULL: "<memory>"). On failure *out is NULL. */
int tn__csv_parse(const char *name, const char *text, size_t len, tn_table **out,
                  tn_error *err);
int tn__csv_parse_opts(const char *name, const char *text, size_t len, const tn_csv_opts *o,
                       tn_table **out, tn_error *err);
/* How a column is named in messages: "column \"label\"" or "column 3". */
const char *tn__table_label(const tn_table *t, size_t col, char *buf, size_t n);
/* The byte length of the first record of text (a header line, quotes respected), without
 * its line end; blank and '#' lines before it are included. 0 when there is none. */
size_t tn__csv_first_record(const char *text, size_t len);
/* Whether text[0..len) ends inside a quoted field (an incomplete record). */
int tn__csv_in_quotes(const char *text, size_t len);
/* Index of the column called name, or -1. */
int tn__table_column(const tn_table *t, const char *name);
void tn__table_free(tn_table *t); /* NULL is harmless */

#endif
