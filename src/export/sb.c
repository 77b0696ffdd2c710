#include "export/sb.h"

#include "core/alloc.h"
#include "tinynet/tinynet.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int grow(tn_sb *b, size_t more)
{
    if (b->failed)
        return 0;
    if (b->len + more + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *s = tn__realloc(b->s, cap);
    if (!s) {
        b->failed = 1;
        return 0;
    }
    b->s = s;
    b->cap = cap;
    return 1;
}

void tn__sb_put(tn_sb *b, const void *data, size_t n)
{
    if (!grow(b, n))
        return;
    memcpy(b->s + b->len, data, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void tn__sb_printf(tn_sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* %.9g (float) or %.17g (double) round-trip; a literal needs a point or an exponent. */
static void number(tn_sb *b, double v, int digits, const char *suffix)
{
    char t[48];
    snprintf(t, sizeof t, "%.*g", digits, v);
    int plain = strpbrk(t, ".e") == NULL;
    tn__sb_printf(b, "%s%s%s", t, plain ? ".0" : "", suffix);
}

void tn__sb_float(tn_sb *b, float v) { number(b, (double)v, 9, "f"); }
void tn__sb_double(tn_sb *b, double v) { number(b, v, 17, ""); }

int tn__sb_done(tn_sb *b, char **out, size_t *len)
{
    if (b->failed || !grow(b, 0)) {
        tn__sb_free(b);
        return TN_ENOMEM;
    }
    *out = b->s;
    if (len)
        *len = b->len;
    b->s = NULL;
    b->len = b->cap = 0;
    return TN_OK;
}

void tn__sb_free(tn_sb *b)
{
    tn__free(b->s);
    memset(b, 0, sizeof *b);
}
