/* Tiny GEMMs without BLAS: for the products of nets like xor and ring (a few to a few
 * thousand multiply-adds), OpenBLAS's per-call work (argument checks, its lock, packing,
 * the dispatch) costs more than the arithmetic.
 *
 * Register-blocked: a block of rows of C (8 rows of one 8-float vector, or 4 rows of two)
 * stays in registers over the whole k loop, one broadcast of op(A)[i][k] times row k of
 * op(B) per step. Each element is computed as OpenBLAS's Haswell kernel computes it where
 * that kernel uses one chain: a zero accumulator, one FMA per k in ascending k, then
 * C = alpha * acc + C' in one FMA (C' = 0 for beta 0, C for beta 1, else beta * C). Only
 * those shapes are taken (see tn__small_sgemm), so every result keeps its bits
 * (tests/test_blas.c compares with cblas_sgemm bit for bit). op(B) is packed into a small
 * local buffer when it is transposed or its rows are not whole vectors. */
#include "core/small_gemm.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cblas.h>
#include <immintrin.h>
#include <pthread.h>
#include <string.h>

/* Products up to this many multiply-adds and at most 32 columns, with op(B) packed into
 * at most SMALL_PACK floats. Above, OpenBLAS's packed kernels win (its per-call cost is
 * amortised). */
enum { SMALL_MACS = 32768, SMALL_COLS = 32, SMALL_PACK = 2048 };

typedef struct small_args {
    size_t M, N, K;
    float alpha, beta;
    const float *A;
    size_t a_row, a_k; /* op(A)[i][k] = A[i * a_row + k * a_k] */
    const float *B;    /* op(B), K x N, rows ldb apart, readable up to a whole vector */
    size_t ldb;
    float *C;
    size_t ldc;
} small_args;

/* RB rows of C from row i, NV vectors of 8 columns from j: one FMA chain per element, k
 * ascending. RB and NV are constants once inlined: the unrolled accumulators (RB x NV,
 * enough independent chains to cover the FMA latency) are registers. */
__attribute__((target("avx2,fma"), always_inline)) static inline void
small_block(const small_args *g, size_t i, size_t j, const int RB, const int NV)
{
    __m256 acc[8][2];
#pragma GCC unroll 8
    for (int r = 0; r < RB; r++)
#pragma GCC unroll 2
        for (int v = 0; v < NV; v++)
            acc[r][v] = _mm256_setzero_ps();
    const float *a = g->A + i * g->a_row, *b = g->B + j;
    for (size_t k = 0; k < g->K; k++) {
        __m256 bk[2];
#pragma GCC unroll 2
        for (int v = 0; v < NV; v++)
            bk[v] = _mm256_loadu_ps(b + k * g->ldb + 8 * v);
#pragma GCC unroll 8
        for (int r = 0; r < RB; r++) {
            __m256 ar = _mm256_broadcast_ss(a + (size_t)r * g->a_row + k * g->a_k);
#pragma GCC unroll 2
            for (int v = 0; v < NV; v++)
                acc[r][v] = _mm256_fmadd_ps(ar, bk[v], acc[r][v]);
        }
    }
    /* C = alpha * acc + C', C' = 0 (beta 0), C (beta 1) or beta * C: one FMA, as OpenBLAS. */
    const __m256 alpha = _mm256_set1_ps(g->alpha);
#pragma GCC unroll 8
    for (int r = 0; r < RB; r++)
#pragma GCC unroll 2
        for (int v = 0; v < NV; v++) {
            size_t at = j + 8 * (size_t)v, cols = g->N - at < 8 ? g->N - at : 8;
            float *c = g->C + (i + (size_t)r) * g->ldc + at;
            if (cols == 8) {
                __m256 cv = _mm256_setzero_ps();
                if (g->beta != 0.0f) {
                    cv = _mm256_loadu_ps(c);
                    if (g->beta != 1.0f)
                        cv = _mm256_mul_ps(cv, _mm256_set1_ps(g->beta));
                }
                _mm256_storeu_ps(c, _mm256_fmadd_ps(acc[r][v], alpha, cv));
            } else { /* no masked stores: they are slow on AMD */
                float t[8];
                _mm256_storeu_ps(t, acc[r][v]);
                for (size_t q = 0; q < cols; q++) {
                    float cq = g->beta == 0.0f ? 0.0f : g->beta == 1.0f ? c[q] : c[q] * g->beta;
                    c[q] = __builtin_fmaf(t[q], g->alpha, cq);
                }
            }
        }
}

/* Columns two vectors at a time in blocks of 4 rows, a last single vector in blocks of 8;
 * the rows left over one at a time. */
__attribute__((target("avx2,fma"))) static void small_run(const small_args *g)
{
    size_t j = 0;
    for (; j + 8 < g->N; j += 16) {
        size_t i = 0;
        for (; i + 4 <= g->M; i += 4)
            small_block(g, i, j, 4, 2);
        for (; i < g->M; i++)
            small_block(g, i, j, 1, 2);
    }
    if (j < g->N) {
        size_t i = 0;
        for (; i + 8 <= g->M; i += 8)
            small_block(g, i, j, 8, 1);
        for (; i + 4 <= g->M; i += 4)
            small_block(g, i, j, 4, 1);
        for (; i < g->M; i++)
            small_block(g, i, j, 1, 1);
    }
}

int tn__small_sgemm_kernel(int ta, int tb, size_t M, size_t N, size_t K, float alpha,
                           const float *A, size_t lda, const float *B, size_t ldb, float beta,
                           float *C, size_t ldc)
{
    size_t np = (N + 7) & ~(size_t)7;
    /* alpha 0: BLAS only scales C (no product, so no NaN from it) */
    if (N > SMALL_COLS || K == 0 || alpha == 0.0f || M * N * K > SMALL_MACS ||
        K * np > SMALL_PACK)
        return 0;
    /* Where OpenBLAS's Haswell kernel sums in one chain too: its full blocks of at least 4
     * rows and 8 columns split k >= 8 into two chains (even and odd k) in an order that
     * also depends on the block sizes; those products stay with OpenBLAS, bit for bit. */
    if (M >= 4 && N >= 8 && K >= 8)
        return 0;
    /* One column uses one lane of eight: beyond a few rows OpenBLAS is faster (measured on
     * ring's 32 x 1 x 16 and 16 x 1 x 32; xor's 4 x 1 x 4 gains 3x). */
    if (N == 1 && M > 8)
        return 0;
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
        return 0;
    /* op(B) as K rows of np floats when it is transposed or its rows are not whole vectors
     * (a load must not run past the matrix): row k as a vector, zero beyond column N. */
    float bp[SMALL_PACK];
    if (tb || N % 8) {
        for (size_t k = 0; k < K; k++) {
            for (size_t j = 0; j < N; j++)
                bp[k * np + j] = tb ? B[j * ldb + k] : B[k * ldb + j];
            for (size_t j = N; j < np; j++)
                bp[k * np + j] = 0.0f;
        }
        B = bp;
        ldb = np;
    }
    small_args g = {M, N, K, alpha, beta, A, ta ? 1 : lda, ta ? lda : 1, B, ldb, C, ldc};
    small_run(&g);
    return 1;
}

/* The kernel reproduces OpenBLAS's Haswell kernel (also run on Zen); other kernels (the
 * SkylakeX ones OpenBLAS picks on an AVX-512 CPU, its small-matrix paths) sum in other
 * orders. So the kernel is used only when, at first use, it gives this OpenBLAS's bits on
 * probe products of every transposition and of the shapes it takes. No allocation: the
 * probe runs on the stack, once per process. */
enum { PROBE_CAP = 16 * 40 + 64 };
static int g_active;
static pthread_once_t g_probe_once = PTHREAD_ONCE_INIT;

static void probe(void)
{
    static const size_t dims[][3] = {{1, 1, 2}, {4, 4, 2}, {2, 16, 32}, {3, 9, 7},
                                     {8, 1, 4}, {5, 17, 3}, {16, 8, 4}, {7, 31, 1}};
    static const float ab[][2] = {{1.0f, 0.0f}, {1.0f, 1.0f}, {0.75f, 1.0f}, {1.0f, 0.5f}};
    float A[PROBE_CAP], B[PROBE_CAP], C1[PROBE_CAP], C2[PROBE_CAP];
    for (size_t i = 0; i < PROBE_CAP; i++) {
        A[i] = (float)((i * 7919u) % 1000u) / 997.0f - 0.5f;
        B[i] = (float)((i * 104729u) % 1000u) / 331.0f - 1.5f;
    }
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
        return;
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (size_t d = 0; d < sizeof dims / sizeof *dims; d++)
                for (size_t v = 0; v < sizeof ab / sizeof *ab; v++) {
                    size_t M = dims[d][0], N = dims[d][1], K = dims[d][2];
                    size_t lda = ta ? M : K, ldb = tb ? K : N;
                    for (size_t i = 0; i < PROBE_CAP; i++)
                        C1[i] = C2[i] = (float)(i % 13) - 6.0f;
                    if (!tn__small_sgemm_kernel(ta, tb, M, N, K, ab[v][0], A, lda, B, ldb,
                                                ab[v][1], C1, N))
                        continue;
                    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                                tb ? CblasTrans : CblasNoTrans, (blasint)M, (blasint)N,
                                (blasint)K, ab[v][0], A, (blasint)lda, B, (blasint)ldb,
                                ab[v][1], C2, (blasint)N);
                    if (memcmp(C1, C2, sizeof C1))
                        return;
                }
    g_active = 1;
}

int tn__small_sgemm_active(void)
{
    pthread_once(&g_probe_once, probe);
    return g_active;
}

int tn__small_sgemm(int ta, int tb, size_t M, size_t N, size_t K, float alpha, const float *A,
                    size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc)
{
    if (N > SMALL_COLS || M * N * K > SMALL_MACS || !tn__small_sgemm_active())
        return 0;
    return tn__small_sgemm_kernel(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

#else

int tn__small_sgemm_kernel(int ta, int tb, size_t M, size_t N, size_t K, float alpha,
                           const float *A, size_t lda, const float *B, size_t ldb, float beta,
                           float *C, size_t ldc)
{
    (void)ta, (void)tb, (void)M, (void)N, (void)K, (void)alpha, (void)A, (void)lda, (void)B;
    (void)ldb, (void)beta, (void)C, (void)ldc;
    return 0;
}

int tn__small_sgemm_active(void) { return 0; }

int tn__small_sgemm(int ta, int tb, size_t M, size_t N, size_t K, float alpha, const float *A,
                    size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc)
{
    return tn__small_sgemm_kernel(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

#endif
