/* A numeric CSV/TSV table reader: one header line of column names, then rows of numbers.
 *
 * Format: comma-separated, or tab-separated when the header line holds a tab and no comma.
 * Names are trimmed of surrounding blanks, may be "quoted" (no quotes or delimiters
 * inside), must be non-empty and unique. Blank lines and lines whose first non-blank
 * character is '#' are skipped anywhere; CRLF and a missing final newline are accepted.
 * Every value must be a whole field (surrounding blanks allowed) that strtod accepts and
 * that is finite as a float.
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

typedef struct tn_table {
    size_t rows, cols;
    char **names;  /* [cols] column names from the header */
    float *values; /* [rows x cols] row-major, from tn__floats_alloc */
    size_t *lines; /* [rows] the 1-based line of the file each row came from */
} tn_table;

/* Reads a whole file and parses it. On failure *out is NULL. */
int tn__csv_read(const char *path, tn_table **out, tn_error *err);
/* Parses len bytes of text (need not be NUL-terminated; NUL bytes are data errors).
 * name is used in messages (NULL: "<memory>"). On failure *out is NULL. */
int tn__csv_parse(const char *name, const char *text, size_t len, tn_table **out,
                  tn_error *err);
/* Index of the column called name, or -1. */
int tn__table_column(const tn_table *t, const char *name);
void tn__table_free(tn_table *t); /* NULL is harmless */

#endif
