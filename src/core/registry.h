/* The shape every registry of tinynet shares (activations, layers, losses, optimizers,
 * data formats): a table of module pointers, generated from one list macro so that a new
 * module is one line, and the count / at / find-by-name functions over it. */
#ifndef TN_CORE_REGISTRY_H
#define TN_CORE_REGISTRY_H

#include "core/alloc.h"

#include <stddef.h>
#include <string.h>

/* LIST(X, T) is X(T, module) once per module. TN__REGISTRY_TABLE expands it into extern
 * declarations of the module objects (of type const T) and a table of their addresses. */
#define TN__REGISTRY_TABLE(T, LIST, table)                                                 \
    LIST(TN__REGISTRY_EXTERN, T)                                                           \
    static const T *const table[] = {LIST(TN__REGISTRY_ENTRY, T)}

#define TN__REGISTRY_EXTERN(T, m) extern const T m;
#define TN__REGISTRY_ENTRY(T, m) &m,

/* Defines prefix_count(), prefix_at(i), prefix_find(name) and prefix_names() over table,
 * whose modules have their name in the member key. prefix_names() is a NULL-terminated
 * array of the names (for the JSON enum reader) from tn__malloc, or NULL when out of
 * memory; tn__free it. */
#define TN__REGISTRY_FUNCS(T, prefix, table, key)                                          \
    size_t prefix##_count(void) { return sizeof table / sizeof table[0]; }                 \
    const T *prefix##_at(size_t i) { return i < prefix##_count() ? table[i] : NULL; }      \
    const T *prefix##_find(const char *name)                                               \
    {                                                                                      \
        for (size_t i = 0; name && i < prefix##_count(); i++)                              \
            if (strcmp(table[i]->key, name) == 0)                                          \
                return table[i];                                                           \
        return NULL;                                                                       \
    }                                                                                      \
    const char **prefix##_names(void)                                                      \
    {                                                                                      \
        size_t n = prefix##_count();                                                       \
        const char **names = tn__malloc((n + 1) * sizeof *names);                          \
        for (size_t i = 0; names && i < n; i++)                                            \
            names[i] = table[i]->key;                                                      \
        if (names)                                                                         \
            names[n] = NULL;                                                               \
        return names;                                                                      \
    }

/* One JSON key's one-line description, for the generated config reference (`tinynet help
 * config`, docs/config.md). A module's table of them ends with {NULL, NULL}; each entry
 * names one of the module's keys, and a test fails when a key has none. */
typedef struct tn__keydoc {
    const char *key, *doc;
} tn__keydoc;

/* The description of key in table t, or NULL. */
static inline const char *tn__keydoc_find(const tn__keydoc *t, const char *key)
{
    for (; t && key && t->key; t++)
        if (strcmp(t->key, key) == 0)
            return t->doc;
    return NULL;
}

/* A predict-only build (the tinynet_rt library, compiled with TN_FORWARD_ONLY) links no
 * backward pass and no JSON writer: module tables name those functions through
 * TN__TRAINING(f), NULL there, and the functions sit in #if TN__TRAINING_CODE blocks
 * (TN__TRAINING_PART(...) inside macros that generate them). */
#ifdef TN_FORWARD_ONLY
#define TN__TRAINING(f) NULL
#define TN__TRAINING_CODE 0
#define TN__TRAINING_PART(...)
#else
#define TN__TRAINING(f) f
#define TN__TRAINING_CODE 1
#define TN__TRAINING_PART(...) __VA_ARGS__
#endif

#endif
