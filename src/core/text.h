/* Text from files and users, made safe to keep and to print: UTF-8 decoding, the one rule
 * for names, and escaping for messages and printouts (a name or path holding ESC or a
 * newline must not drive the user's terminal or break a line-oriented output). */
#ifndef TN_CORE_TEXT_H
#define TN_CORE_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* The longest name of a network, input, layer or column, in characters (code points). */
#define TN_NAME_MAX_CHARS 63

/* Length in bytes of the valid UTF-8 sequence at s (at most n bytes available), storing
 * its code point; 0 when the bytes there are not valid UTF-8 (overlong, surrogate, past
 * U+10FFFF, cut short). */
size_t tn__utf8_next(const char *s, size_t n, uint32_t *cp);
/* Whether a code point must not reach a terminal as it is: C0 controls, DEL, C1 controls. */
int tn__is_control(uint32_t cp);

/* Checks s against the one rule for names: 1 to TN_NAME_MAX_CHARS characters, valid UTF-8,
 * no control characters. Returns NULL, or why not (a static string with the details in
 * why, at most n bytes). */
const char *tn__name_problem(const char *s, char *why, size_t n);

/* Copies s into out (cap bytes, always NUL-terminated) with control characters written as
 * \n, \t or \xHH and bytes that are not UTF-8 as \xHH. Returns the length the whole
 * escaped text has (which may exceed cap - 1: the copy is then cut at a character). */
size_t tn__text_escape(char *out, size_t cap, const char *s);
/* Makes s[0..] fit cap bytes (NUL included) by replacing its middle with "...", cutting at
 * character boundaries, so that both ends of a long message (what and why) survive. */
void tn__text_elide(char *s, size_t len, size_t cap);

#endif
