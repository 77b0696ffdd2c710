/* A vocabulary: distinct strings (ids, class names, keys) numbered 0..n-1, with a hash
 * index for lookup. Built in order of first appearance, then usually sorted
 * (tn__vocab_sort) so that the numbering depends on the set of strings only, never on the
 * order of the rows: integer ids in numeric order first, then other strings bytewise. That
 * order keeps a file whose ids are 0..n-1 (or 1..n) numbered as the ids themselves, and a
 * file whose ids are changed by any order-keeping renaming (gaps, prefixes of one width)
 * numbered the same. */
#ifndef TN_DATA_VOCAB_H
#define TN_DATA_VOCAB_H

#include "core/json.h"
#include "tinynet/tinynet.h"

#include <stddef.h>
#include <stdint.h>

#define TN_VOCAB_MAX ((size_t)1 << 24) /* ids are carried in floats: exact below 2^24 */
#define TN_VOCAB_MAX_LEN 255           /* bytes of one id or class name */

typedef struct tn_vocab {
    size_t n;
    char **s;          /* [n] NUL-terminated */
    size_t cap;        /* of s */
    uint32_t *slot;    /* [n_slots]: index + 1, or 0 when empty */
    size_t n_slots;    /* a power of two, more than 2 n */
} tn_vocab;

tn_vocab *tn__vocab_new(void);
void tn__vocab_free(tn_vocab *v);
/* The index of the string p[0..n): its existing index, or a new one (*added = 1; added may
 * be NULL). TN_ENOMEM, or TN_ERANGE past TN_VOCAB_MAX entries or TN_VOCAB_MAX_LEN bytes. */
int tn__vocab_add(tn_vocab *v, const char *p, size_t n, uint32_t *index, int *added);
/* The index of p[0..n), or -1. */
long tn__vocab_find(const tn_vocab *v, const char *p, size_t n);
/* Sorts (integers numerically, then other strings bytewise); remap (may be NULL, else
 * [n]) receives each old index's new one. */
int tn__vocab_sort(tn_vocab *v, uint32_t *remap);
/* 1 when every entry is an integer (digits with an optional leading '-'). */
int tn__vocab_all_integers(const tn_vocab *v);
/* As a JSON array of strings, and back (each entry a string of 1..TN_VOCAB_MAX_LEN bytes,
 * no duplicates; r names the key in messages). */
cJSON *tn__vocab_json(const tn_vocab *v);
int tn__vocab_from_json(tn_jr *r, const cJSON *obj, const char *key, tn_vocab **out);

#endif
