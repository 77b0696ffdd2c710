#include "core/text.h"

#include <stdio.h>
#include <string.h>

size_t tn__utf8_next(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

int tn__is_control(uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

const char *tn__name_problem(const char *s, char *why, size_t n)
{
    size_t len = strlen(s), chars = 0;
    if (len == 0)
        return "an empty name";
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = tn__utf8_next(s + i, len - i, &cp);
        if (k == 0) {
            snprintf(why, n, "not valid UTF-8 (byte %zu is 0x%02X)", i + 1,
                     (unsigned char)s[i]);
            return why;
        }
        if (tn__is_control(cp)) {
            snprintf(why, n, "character %zu is a control character (U+%04X)", chars + 1,
                     (unsigned)cp);
            return why;
        }
        i += k;
        chars++;
    }
    if (chars > TN_NAME_MAX_CHARS) {
        snprintf(why, n, "%zu characters long (at most %d)", chars, TN_NAME_MAX_CHARS);
        return why;
    }
    return NULL;
}

/* Appends what c (the bytes of one character, k of them) shows as to out. */
static void put(char *out, size_t cap, size_t *o, const char *piece, size_t k, int *full)
{
    if (!*full && *o + k < cap) {
        memcpy(out + *o, piece, k);
    } else {
        *full = 1;
    }
    *o += k;
}

size_t tn__text_escape(char *out, size_t cap, const char *s)
{
    size_t len = strlen(s), o = 0, kept = 0;
    int full = cap == 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = tn__utf8_next(s + i, len - i, &cp);
        char esc[8];
        if (k == 0 || tn__is_control(cp)) {
            size_t m;
            if (k && cp == '\n')
                m = (size_t)snprintf(esc, sizeof esc, "\\n");
            else if (k && cp == '\t')
                m = (size_t)snprintf(esc, sizeof esc, "\\t");
            else
                m = (size_t)snprintf(esc, sizeof esc, "\\x%02X", (unsigned char)s[i]);
            if (k > 1) /* a C1 control is two bytes: show both */
                m += (size_t)snprintf(esc + m, sizeof esc - m, "\\x%02X", (unsigned char)s[i + 1]);
            put(out, cap, &o, esc, m, &full);
            i += k ? k : 1;
        } else {
            put(out, cap, &o, s + i, k, &full);
            i += k;
        }
        if (!full)
            kept = o;
    }
    if (cap)
        out[kept] = '\0';
    return o;
}

void tn__text_elide(char *s, size_t len, size_t cap)
{
    if (len < cap)
        return;
    /* head + "..." + tail + NUL == cap; the tail holds the reason, so it gets the half. */
    size_t tail = (cap - 4) / 2, head = cap - 4 - tail;
    while (head > 0 && ((unsigned char)s[head] & 0xC0) == 0x80)
        head--; /* s[head] starts a character: cut before it */
    size_t from = len - tail;
    while (from < len && ((unsigned char)s[from] & 0xC0) == 0x80)
        from++;
    memcpy(s + head, "...", 3);
    memmove(s + head + 3, s + from, len - from);
    s[head + 3 + (len - from)] = '\0';
}
