/* Tiny products without BLAS's per-call overhead (core/small_gemm.c). */
#ifndef TN_CORE_SMALL_GEMM_H
#define TN_CORE_SMALL_GEMM_H

#include <stddef.h>

/* The kernel alone, whatever BLAS is linked (tests): 0 when the shape is not one it takes
 * or the CPU lacks AVX2/FMA. */
int tn__small_sgemm_kernel(int ta, int tb, size_t M, size_t N, size_t K, float alpha,
                           const float *A, size_t lda, const float *B, size_t ldb, float beta,
                           float *C, size_t ldc);
/* 1 when the kernel reproduces the linked OpenBLAS's bits (probed once per process). */
int tn__small_sgemm_active(void);
/* tn__sgemm's contract (core/blas.h). Computes the product and returns 1 when it is small
 * enough, the CPU has AVX2 and FMA and the kernel is active, with the same bits as
 * OpenBLAS; else returns 0 and touches nothing. */
int tn__small_sgemm(int ta, int tb, size_t M, size_t N, size_t K, float alpha, const float *A,
                    size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc);

#endif
