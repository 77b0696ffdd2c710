/* libFuzzer harness for the numeric CSV/TSV reader (tn__csv_parse, under the "csv" data
 * format and eval of ratings models). The input is the file's text as it is: NUL bytes,
 * no final newline, a BOM, any bytes at all.
 *
 * A table that parses must be what data/csv.h promises: rows and columns, unique non-empty
 * names that tn__table_column finds, finite values, rows from strictly increasing lines. */
#include "fuzz_common.h"

#include "data/csv.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tn_table *t = (tn_table *)1; /* must become NULL on failure */
    tn_error err = {0};
    int rc = tn__csv_parse("fuzz.csv", (const char *)data, size, &t, &err);
    if (rc != TN_OK) {
        fuzz_check_error(rc, &err, "parsing CSV");
        FUZZ_CHECK(t == NULL, "a failed parse left a table");
        return 0;
    }
    fuzz_note("  accepted: %zu rows x %zu columns", t->rows, t->cols);
    FUZZ_CHECK(t->rows > 0 && t->cols > 0, "%zu rows x %zu columns", t->rows, t->cols);
    /* Lookups are linear: check the first 64 columns, not every one of a 8000-wide header. */
    for (size_t c = 0; c < t->cols; c++) {
        FUZZ_CHECK(t->names[c] && t->names[c][0], "column %zu has no name", c);
        FUZZ_CHECK(c >= 64 || tn__table_column(t, t->names[c]) == (int)c,
                   "column \"%s\" is not found at %zu", t->names[c], c);
    }
    for (size_t r = 0; r < t->rows; r++) {
        FUZZ_CHECK(t->lines[r] >= 2 && (r == 0 || t->lines[r] > t->lines[r - 1]),
                   "row %zu comes from line %zu", r, t->lines[r]);
        for (size_t c = 0; c < t->cols; c++)
            FUZZ_CHECK(isfinite(t->values[r * t->cols + c]), "row %zu column %zu is %g", r, c,
                       (double)t->values[r * t->cols + c]);
    }
    FUZZ_CHECK(tn__table_column(t, "\x01 no such column") == -1, "a column that is not there");
    tn__table_free(t);
    return 0;
}
