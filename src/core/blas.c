#include "core/blas.h"

#include <cblas.h>

void tn__sgemm(int ta, int tb, size_t M, size_t N, size_t K, float alpha, const float *A,
               size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc)
{
    if (M == 0 || N == 0)
        return;
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
