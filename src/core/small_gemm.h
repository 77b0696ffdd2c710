/* Tiny products without BLAS's per-call overhead (core/small_gemm.c). */
#ifndef TN_CORE_SMALL_GEMM_H
#define TN_CORE_SMALL_GEMM_H

#include <stddef.h>

/* tn__sgemm's contract (core/blas.h). Computes the product and returns 1 when it is small
 * enough and the CPU has AVX2 and FMA, with the same bits as OpenBLAS's kernel; else
 * returns 0 and touches nothing. */
int tn__small_sgemm(int ta, int tb, size_t M, size_t N, size_t K, float alpha, const float *A,
                    size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc);

#endif
