/* Copies of short float rows: an embedding's vector, a bias, one sample's inputs. Below a
 * few hundred bytes a call to memcpy costs more than the copy (the recommender made
 * thousands of such calls a step); the library is compiled with
 * -fno-tree-loop-distribute-patterns (CMakeLists.txt) so that GCC keeps the loop a loop. */
#ifndef TN_CORE_COPY_H
#define TN_CORE_COPY_H

#include <stddef.h>
#include <string.h>

static inline void tn__copy_floats(float *restrict dst, const float *restrict src, size_t n)
{
    if (n >= 128) {
        memcpy(dst, src, n * sizeof *dst);
        return;
    }
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i];
}

#endif
