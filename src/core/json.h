/* Strict JSON config reader: every config and model-header parser of tinynet reads its
 * JSON through this, so that every mistake in a file becomes one precise message:
 *
 *   models/x.json: layers[2].units: expected a positive integer, got "64"
 *   models/x.json: optimizer: unknown key "learnig_rate" (did you mean "learning_rate"?)
 *   models/x.json:7:12: invalid JSON near '}'
 *
 * cJSON alone is lenient (trailing garbage, duplicate keys, \u0000 cutting strings, raw
 * control characters in strings, "01", saturating valueint); tn__jr_parse closes those gaps
 * and the typed getters read only valuedouble, with finiteness, integrality and ranges.
 *
 * Locale: cJSON converts numbers with the locale's decimal point and the messages here
 * print numbers with "%g". The library never calls setlocale; the CLI keeps the C locale
 * (the default for a program that does not call setlocale), and embedding programs that
 * change LC_NUMERIC get locale-formatted numbers in messages.
 *
 * Every error code is TN_ECONFIG unless noted (TN_EIO for unreadable files, TN_ENOMEM). */
#ifndef TN_CORE_JSON_H
#define TN_CORE_JSON_H

#include "tinynet/tinynet.h"

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct tn_jr {  /* one reader per document */
    const char *file;   /* shown at the start of every message */
    tn_error *err;
    char path[256];     /* current JSON path, e.g. "layers[2]" ("" at the root) */
    size_t path_len;
} tn_jr;

/* Parse text strictly: nothing but whitespace may follow the value, duplicate keys in any
 * object at any depth are errors naming the path and key, \u0000 in a string, raw NUL
 * bytes, unescaped control characters and unpaired \\uD800-style surrogates in strings and
 * non-RFC-8259 numbers ("01", "1.")
 * are errors with line:column, as is invalid JSON ("<file>:L:C: invalid JSON near 'c'";
 * lines and columns are 1-based, columns count UTF-8 characters). A whitespace-only text
 * is "<file>: empty document (expected a JSON value)". text need not be NUL-terminated.
 * On success *out owns the tree (cJSON_Delete); on failure *out is NULL. */
int tn__jr_parse(const char *file, const char *text, size_t len, cJSON **out, tn_error *err);
/* Read a whole regular file with tn__read_file (a larger one than max_bytes is TN_ECONFIG,
 * "<file>: file is too large (N bytes; the limit is M)"; what is not a regular file, or
 * cannot be opened or read, TN_EIO with tn__read_file's message) and tn__jr_parse it. */
int tn__jr_load_file(const char *file, size_t max_bytes, cJSON **out, tn_error *err);

void tn__jr_init(tn_jr *r, const char *file, tn_error *err);
/* Path stack: push returns a mark to pop back to. Keys that are not plain identifiers
 * render as ["a b"]; a path longer than the buffer ends in "...". */
size_t tn__jr_push_key(tn_jr *r, const char *key); /* "a" -> "a.key" (or "key" at root) */
size_t tn__jr_push_index(tn_jr *r, size_t i);      /* "a" -> "a[3]" */
void tn__jr_pop(tn_jr *r, size_t mark);

/* Typed getters on object `obj` (the object at the current path). If the key is absent:
 * required -> "<file>: <path>.<key>: missing (expected <what>)"; otherwise *out = def and
 * TN_OK. Type or range failure -> "<file>: <path>.<key>: expected <what>, got <value>".
 * JSON null is a value like any other (an error), not "absent". If obj itself is not an
 * object: "<file>: <path>: expected an object, got <value>".
 *
 * Integers: from valuedouble, finite, integral, in [lo, hi], and |v| <= 2^53 (beyond that a
 * double cannot hold every integer, so the file's digits might not be what is read).
 * <what>: lo==1 && hi==LLONG_MAX -> "a positive integer", lo==0 && hi==LLONG_MAX -> "a
 * non-negative integer", else "an integer in [lo, hi]". */
int tn__jr_int(tn_jr *r, const cJSON *obj, const char *key, int required, long long def,
               long long lo, long long hi, long long *out);
/* Numbers: finite and in [lo, hi] ("a number in [lo, hi]"; hi >= DBL_MAX gives "a
 * non-negative number" for lo == 0, "a number" for lo <= -DBL_MAX, else "a number >= lo"). */
int tn__jr_num(tn_jr *r, const cJSON *obj, const char *key, int required, double def,
               double lo, double hi, double *out);
/* (lo, hi], e.g. lr > 0: "a number in (lo, hi]"; "a positive number" for lo == 0 and
 * hi >= DBL_MAX, else "a number > lo" when hi >= DBL_MAX. */
int tn__jr_num_open_lo(tn_jr *r, const cJSON *obj, const char *key, int required, double def,
                       double lo, double hi, double *out);
int tn__jr_bool(tn_jr *r, const cJSON *obj, const char *key, int required, int def, int *out);
/* A non-empty string; *out points into the cJSON tree (or is def). */
int tn__jr_str(tn_jr *r, const cJSON *obj, const char *key, int required, const char *def,
               const char **out);
/* The name rule of core/text.h (1 to 63 characters, valid UTF-8, no control characters)
 * for name, read at key: "<file>: <path>.<key>: expected a name of 1 to 63 printable
 * characters: <what is wrong>". TN_OK when it passes. */
int tn__jr_check_name(tn_jr *r, const char *key, const char *name);
/* A string that must be one of choices (NULL-terminated): `expected one of "sgd", "adam",
 * got "adma" (did you mean "adam"?)`. *index receives the position (def when absent). */
int tn__jr_enum(tn_jr *r, const cJSON *obj, const char *key, int required, int def,
                const char *const *choices, int *index);
/* Require an object / array at key: "expected an object, got 3". Absent and not required:
 * *out = NULL. */
int tn__jr_object(tn_jr *r, const cJSON *obj, const char *key, int required, const cJSON **out);
int tn__jr_array(tn_jr *r, const cJSON *obj, const char *key, int required, const cJSON **out);
/* Error at the current path (key may be NULL): "<file>: <path>[.<key>]: <message>", or
 * "<file>: <message>" at the root without a key. Returns TN_ECONFIG. */
int tn__jr_fail(tn_jr *r, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Every key of obj must be in allowed (NULL-terminated): otherwise `unknown key "x" (did
 * you mean "y"?)`, or `unknown key "x" (allowed: "a", "b")` when nothing is close. Also an
 * error when obj is not an object. */
/* Out of memory while reading: the same message form, but status TN_ENOMEM. */
int tn__jr_oom(tn_jr *r, const char *key);
int tn__jr_check_keys(tn_jr *r, const cJSON *obj, const char *const *allowed);
/* Closest candidate by Damerau-Levenshtein (optimal string alignment) distance, if that
 * distance is <= max(1, strlen(word)/3); ties go to the earlier candidate. Else NULL. */
const char *tn__jr_suggest(const char *word, const char *const *candidates);
/* Render a value for messages into buf and return buf: "\"64\"" (escaped, long strings cut
 * with "..."), "1.5", "3000000000", "true", "null", "an object", "an array", "a number too
 * large to represent" (cJSON turns 1e400 into inf), "nothing" for NULL. */
const char *tn__jr_describe(const cJSON *v, char *buf, size_t n);

/* ---- writing (core/json_write.c) ----------------------------------------------------- */

/* Adds obj[key] as a module with parameters is written: its name alone when n is 0, else
 * {"type": name, keys[i]: values[i], ...} (activations, losses). TN_ENOMEM on failure. */
int tn__json_add_module(cJSON *obj, const char *key, const char *name, int n,
                        const char *const *keys, const double *values);

#endif
