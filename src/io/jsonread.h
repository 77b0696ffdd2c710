/* PLACEHOLDER until the json branch lands: declarations only, same API. */
#ifndef TN_IO_JSONREAD_H
#define TN_IO_JSONREAD_H
#include "tinynet/tinynet.h"
#include <cjson/cJSON.h>
#include <stddef.h>
typedef struct tn_jr {
    const char *file;
    tn_error *err;
    char path[256];
    size_t path_len;
} tn_jr;
int tn__jr_parse(const char *file, const char *text, size_t len, cJSON **out, tn_error *err);
int tn__jr_load_file(const char *file, size_t max_bytes, cJSON **out, tn_error *err);
void tn__jr_init(tn_jr *r, const char *file, tn_error *err);
size_t tn__jr_push_key(tn_jr *r, const char *key);
size_t tn__jr_push_index(tn_jr *r, size_t i);
void tn__jr_pop(tn_jr *r, size_t mark);
int tn__jr_int(tn_jr *r, const cJSON *obj, const char *key, int required, long long def,
               long long lo, long long hi, long long *out);
int tn__jr_num(tn_jr *r, const cJSON *obj, const char *key, int required, double def,
               double lo, double hi, double *out);
int tn__jr_num_open_lo(tn_jr *r, const cJSON *obj, const char *key, int required, double def,
               double lo, double hi, double *out);
int tn__jr_bool(tn_jr *r, const cJSON *obj, const char *key, int required, int def, int *out);
int tn__jr_str(tn_jr *r, const cJSON *obj, const char *key, int required, const char *def,
               const char **out);
int tn__jr_enum(tn_jr *r, const cJSON *obj, const char *key, int required, int def,
                const char *const *choices, int *index);
int tn__jr_object(tn_jr *r, const cJSON *obj, const char *key, int required, const cJSON **out);
int tn__jr_array(tn_jr *r, const cJSON *obj, const char *key, int required, const cJSON **out);
int tn__jr_fail(tn_jr *r, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int tn__jr_check_keys(tn_jr *r, const cJSON *obj, const char *const *allowed);
const char *tn__jr_suggest(const char *word, const char *const *candidates);
const char *tn__jr_describe(const cJSON *v, char *buf, size_t n);
#endif
