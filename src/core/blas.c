#include "core/blas.h"
#include "core/small_gemm.h"

#include "core/pool.h"

#include <cblas.h>
#include <string.h>

/* Products below this many multiply-adds run on one thread: splitting them costs more
 * than it gains. One thread runs ~50 G multiply-adds/s on the training shapes (bench_pool),
 * so this is ~2.5 us of work, a few times a fork-join and the second call's overhead;
 * bench_pool measures the crossover per shape on a quiet machine. */
static double split_min_macs = 131072.0;
/* Parts hold at least this many rows and start on multiples of it. OpenBLAS's kernels sum
 * an element of C in an order that depends on its row's place in the kernel's unroll of
 * row-major rows (12 for the Haswell sgemm kernel, which this machine's Zen runs; 4 or 8
 * for others): parts that start on such a multiple get the bits of the whole product.
 * Splitting by columns never did (measured, OpenBLAS 0.3.21), so only rows are split;
 * tests/test_blas.c checks the bits. */
#define SPLIT_ALIGN 12

static void gemm_one(int ta, int tb, size_t M, size_t N, size_t K, float alpha, const float *A,
                     size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc)
{
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (blasint)M, (blasint)N, (blasint)K, alpha, A, (blasint)lda, B, (blasint)ldb, beta,
                C, (blasint)ldc);
}

typedef struct gemm_job {
    int ta, tb;
    size_t N, K, lda, ldb, ldc;
    float alpha, beta;
    const float *A, *B;
    float *C;
} gemm_job;

/* Rows [lo, hi) of C (op(A)'s rows): each element the same K-long sum as in the whole. */
static void gemm_rows(void *arg, size_t lo, size_t hi)
{
    const gemm_job *j = arg;
    gemm_one(j->ta, j->tb, hi - lo, j->N, j->K, j->alpha, j->ta ? j->A + lo : j->A + lo * j->lda,
             j->lda, j->B, j->ldb, j->beta, j->C + lo * j->ldc, j->ldc);
}

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
    /* With a pool (training at several threads), large products are split by rows of C,
     * never along K: the sums keep their order and their bits. */
    if (tn__pool_width() > 1 && M >= 2 * SPLIT_ALIGN &&
        (double)M * (double)N * (double)K >= split_min_macs) {
        gemm_job j = {ta, tb, N, K, lda, ldb, ldc, alpha, beta, A, B, C};
        tn__pool_for(M, SPLIT_ALIGN, SPLIT_ALIGN, gemm_rows, &j);
        return;
    }
    gemm_one(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

double tn__blas_split_min(double macs)
{
    double old = split_min_macs;
    if (macs >= 0)
        split_min_macs = macs;
    return old;
}

int tn__blas_split_keeps_bits(void)
{
    const char *core = openblas_get_corename();
    return core && (!strcmp(core, "Haswell") || !strcmp(core, "Zen") ||
                    !strcmp(core, "Sandybridge"));
}

void tn__blas_set_threads(int n)
{
    if (n > 0)
        openblas_set_num_threads(n);
}

int tn__blas_threads(void) { return openblas_get_num_threads(); }
