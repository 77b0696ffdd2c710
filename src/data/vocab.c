/* Vocabularies: interned strings with an open-addressing hash index (FNV-1a). */
#include "data/vocab.h"

#include "core/alloc.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

tn_vocab *tn__vocab_new(void) { return tn__calloc(1, sizeof(tn_vocab)); }

void tn__vocab_free(tn_vocab *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++)
        tn__free(v->s[i]);
    tn__free(v->s);
    tn__free(v->slot);
    tn__free(v);
}

static size_t probe(const tn_vocab *v, const char *p, size_t n)
{
    size_t mask = v->n_slots - 1, i = (size_t)hash(p, n) & mask;
    while (v->slot[i]) {
        const char *s = v->s[v->slot[i] - 1];
        if (strlen(s) == n && memcmp(s, p, n) == 0)
            break;
        i = (i + 1) & mask;
    }
    return i;
}

static int rehash(tn_vocab *v, size_t n_slots)
{
    uint32_t *slot = tn__calloc(n_slots, sizeof *slot);
    if (!slot)
        return TN_ENOMEM;
    tn__free(v->slot);
    v->slot = slot;
    v->n_slots = n_slots;
    for (size_t k = 0; k < v->n; k++)
        v->slot[probe(v, v->s[k], strlen(v->s[k]))] = (uint32_t)k + 1;
    return TN_OK;
}

long tn__vocab_find(const tn_vocab *v, const char *p, size_t n)
{
    if (!v || !v->n_slots)
        return -1;
    size_t i = probe(v, p, n);
    return v->slot[i] ? (long)v->slot[i] - 1 : -1;
}

int tn__vocab_add(tn_vocab *v, const char *p, size_t n, uint32_t *index, int *added)
{
    if (added)
        *added = 0;
    long k = tn__vocab_find(v, p, n);
    if (k >= 0) {
        *index = (uint32_t)k;
        return TN_OK;
    }
    if (n > TN_VOCAB_MAX_LEN || v->n >= TN_VOCAB_MAX)
        return TN_ERANGE;
    if ((v->n + 1) * 2 >= v->n_slots && rehash(v, v->n_slots ? v->n_slots * 2 : 64))
        return TN_ENOMEM;
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        char **s = tn__realloc(v->s, cap * sizeof *s);
        if (!s)
            return TN_ENOMEM;
        v->s = s;
        v->cap = cap;
    }
    char *copy = tn__malloc(n + 1);
    if (!copy)
        return TN_ENOMEM;
    memcpy(copy, p, n);
    copy[n] = '\0';
    v->s[v->n] = copy;
    v->slot[probe(v, p, n)] = (uint32_t)v->n + 1;
    *index = (uint32_t)v->n++;
    if (added)
        *added = 1;
    return TN_OK;
}

static int is_integer(const char *s)
{
    if (*s == '-')
        s++;
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

int tn__vocab_all_integers(const tn_vocab *v)
{
    for (size_t i = 0; i < v->n; i++)
        if (!is_integer(v->s[i]))
            return 0;
    return 1;
}

/* Integers of any length by value (sign, then digits without leading zeros by length and
 * bytes), before every other string; ties ("07" and "7") and strings bytewise. */
static int compare_ids(const char *a, const char *b)
{
    int ia = is_integer(a), ib = is_integer(b);
    if (ia != ib)
        return ia ? -1 : 1;
    if (ia) {
        int na = *a == '-', nb = *b == '-';
        if (na != nb)
            return na ? -1 : 1;
        const char *da = a + na, *db = b + nb;
        while (*da == '0' && da[1])
            da++;
        while (*db == '0' && db[1])
            db++;
        size_t la = strlen(da), lb = strlen(db);
        int c = la != lb ? (la < lb ? -1 : 1) : strcmp(da, db);
        if (c)
            return na ? -c : c;
    }
    return strcmp(a, b);
}

typedef struct entry {
    char *s;
    uint32_t old;
} entry;

static int by_id(const void *x, const void *y)
{
    return compare_ids(((const entry *)x)->s, ((const entry *)y)->s);
}

int tn__vocab_sort(tn_vocab *v, uint32_t *remap)
{
    entry *e = tn__calloc(v->n ? v->n : 1, sizeof *e);
    if (!e)
        return TN_ENOMEM;
    for (size_t i = 0; i < v->n; i++)
        e[i] = (entry){v->s[i], (uint32_t)i};
    qsort(e, v->n, sizeof *e, by_id);
    for (size_t i = 0; i < v->n; i++) {
        v->s[i] = e[i].s;
        if (remap)
            remap[e[i].old] = (uint32_t)i;
    }
    tn__free(e);
    return v->n_slots ? rehash(v, v->n_slots) : TN_OK;
}

cJSON *tn__vocab_json(const tn_vocab *v)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < v->n; i++) {
        cJSON *s = cJSON_CreateString(v->s[i]);
        if (!s || !cJSON_AddItemToArray(a, s)) {
            cJSON_Delete(s);
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

int tn__vocab_from_json(tn_jr *r, const cJSON *obj, const char *key, tn_vocab **out)
{
    *out = NULL;
    const cJSON *a;
    int rc = tn__jr_array(r, obj, key, 1, &a);
    if (rc)
        return rc;
    tn_vocab *v = tn__vocab_new();
    if (!v)
        return tn__jr_oom(r, key);
    size_t mark = tn__jr_push_key(r, key), i = 0;
    for (const cJSON *it = a->child; rc == TN_OK && it; it = it->next, i++) {
        size_t m2 = tn__jr_push_index(r, i);
        char got[64];
        uint32_t k;
        int added;
        size_t n = cJSON_IsString(it) ? strlen(it->valuestring) : 0;
        if (!cJSON_IsString(it) || n == 0 || n > TN_VOCAB_MAX_LEN)
            rc = tn__jr_fail(r, NULL, "expected a string of 1 to %d bytes, got %s",
                             TN_VOCAB_MAX_LEN, tn__jr_describe(it, got, sizeof got));
        else if ((rc = tn__vocab_add(v, it->valuestring, n, &k, &added)))
            rc = rc == TN_ENOMEM ? tn__jr_oom(r, NULL)
                                 : tn__jr_fail(r, NULL, "more than %zu entries", TN_VOCAB_MAX);
        else if (!added)
            rc = tn__jr_fail(r, NULL, "\"%s\" is listed twice", it->valuestring);
        tn__jr_pop(r, m2);
    }
    if (rc == TN_OK && v->n == 0)
        rc = tn__jr_fail(r, NULL, "expected at least one entry");
    tn__jr_pop(r, mark);
    if (rc) {
        tn__vocab_free(v);
        return rc;
    }
    *out = v;
    return TN_OK;
}
