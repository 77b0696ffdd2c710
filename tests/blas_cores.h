/* Which of OpenBLAS's kernels split products keep their bits with (core/blas.c splits a
 * product by rows of C at multiples of 12). Measured with OpenBLAS 0.3.21: the Haswell,
 * Zen and Sandybridge kernels sum every element of a row block as the whole product does;
 * the SkylakeX/Cooperlake ones (an AVX-512 CPU's default) pick small-matrix paths by the
 * product's size, so a part's sums can differ from the whole's. There the training threads
 * give results reproducible for their count, but not those of one thread. */
#ifndef TN_TESTS_BLAS_CORES_H
#define TN_TESTS_BLAS_CORES_H

#include <cblas.h>
#include <string.h>

static inline int split_keeps_bits(void)
{
    const char *core = openblas_get_corename();
    return strcmp(core, "Haswell") == 0 || strcmp(core, "Zen") == 0 ||
           strcmp(core, "Sandybridge") == 0;
}

#endif
