/* A growing text buffer for the generators (C source, the memory bill) and a byte buffer for
 * the ONNX writer. A failed allocation is sticky: every later append does nothing and
 * tn__sb_done reports TN_ENOMEM once, so callers check one status at the end. */
#ifndef TN_EXPORT_SB_H
#define TN_EXPORT_SB_H

#include <stddef.h>

typedef struct tn_sb {
    char *s;
    size_t len, cap;
    int failed;
} tn_sb;

void tn__sb_printf(tn_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tn__sb_put(tn_sb *b, const void *data, size_t n);
/* A float as a C literal that reads back as the same float ("0.5f", "-1e-05f", "0.0f"). */
void tn__sb_float(tn_sb *b, float v);
/* A double as a C literal that reads back as the same double. */
void tn__sb_double(tn_sb *b, double v);
/* TN_OK with *out the NUL-terminated text (tn_free it) and *len, or TN_ENOMEM. */
int tn__sb_done(tn_sb *b, char **out, size_t *len);
void tn__sb_free(tn_sb *b);

#endif
