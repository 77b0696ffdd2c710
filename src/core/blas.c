#include "core/blas.h"
#include "core/small_gemm.h"

#include <cblas.h>

void tn__sgemm(int ta, int tb, size_t M, size_t N, size_t K, float alpha, const float *A,
               size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc)
{
    if (M == 0 || N == 0)
        return;
    if (M == 1 && !ta && K > 0) {
        /* One row (batch-1 prediction): sgemv, which OpenBLAS runs 5-7x faster than sgemm
         * with M = 1. Its sums are in another order: results agree with the batched
         * product to float rounding, not bit for bit (tests/test_runtime.c bounds it). */
        if (tb) /* op(B) = B^T with B stored N x K: c = B a */
            cblas_sgemv(CblasRowMajor, CblasNoTrans, (blasint)N, (blasint)K, alpha, B,
                        (blasint)ldb, A, 1, beta, C, 1);
        else    /* B stored K x N: c = B^T a */
            cblas_sgemv(CblasRowMajor, CblasTrans, (blasint)K, (blasint)N, alpha, B,
                        (blasint)ldb, A, 1, beta, C, 1);
        return;
    }
    if (tn__small_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc))
        return; /* tiny products: no BLAS call overhead, the same bits (core/small_gemm.c) */
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (blasint)M, (blasint)N, (blasint)K, alpha, A, (blasint)lda, B, (blasint)ldb, beta,
                C, (blasint)ldc);
}

void tn__blas_set_threads(int n)
{
    if (n > 0)
        openblas_set_num_threads(n);
}

int tn__blas_threads(void) { return openblas_get_num_threads(); }
