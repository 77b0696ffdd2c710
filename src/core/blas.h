/* The one place that calls BLAS. Row-major float32 throughout. */
#ifndef TN_CORE_BLAS_H
#define TN_CORE_BLAS_H

#include <stddef.h>

/* C = alpha * op(A) * op(B) + beta * C, with op(A) M x K, op(B) K x N, C M x N (row-major);
 * ta/tb non-zero transpose A/B. lda/ldb/ldc are the row strides of the stored matrices. */
void tn__sgemm(int ta, int tb, size_t M, size_t N, size_t K, float alpha, const float *A,
               size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc);

/* The crossover: products of fewer multiply-adds stay on one thread when a pool is in use
 * (core/pool.h). Sets it when macs >= 0 (the crossover benchmark); returns the old one. */
double tn__blas_split_min(double macs);

/* Whether a product split by rows (above) has the bits of the whole, which depends on
 * OpenBLAS's kernels (measured, 0.3.21): yes for Haswell, Zen and Sandybridge; the
 * SkylakeX/Cooperlake ones pick small-matrix paths by size. Then results are the same
 * at any thread count, and whether to split may be decided by timing (core/pool.h). */
int tn__blas_split_keeps_bits(void);

/* Sets the BLAS thread count (results are bit-exact only for a fixed count). 0 = leave. */
void tn__blas_set_threads(int n);
int tn__blas_threads(void);

#endif
