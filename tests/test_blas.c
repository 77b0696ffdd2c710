/* core/blas.c: one-row products go to sgemv (the batch-1 path), the rest to sgemm. Both
 * forms against a plain double-precision product: the forward (op(B) = B) and the backward
 * dx (op(B) = B^T) shapes, beta 0 and 1, and an A transposed one-row case (still sgemm).
 * core/small_gemm.c: tiny products, bit for bit what cblas_sgemm gives. */
#include "core/blas.h"
#include "core/pool.h"
#include "core/small_gemm.h"
#include "tn_check.h"

#include <cblas.h>
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static float value(size_t i, size_t salt) { return (float)((i * 37 + salt * 11) % 29) / 29.0f - 0.4f; }

/* C (M x N) = op(A) op(B) + beta C in double, for the same row-major storage. */
static void reference(int ta, int tb, size_t M, size_t N, size_t K, const float *A, size_t lda,
                      const float *B, size_t ldb, float beta, const float *C0, size_t ldc,
                      double *out)
{
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            double s = beta != 0.0f ? (double)C0[i * ldc + j] : 0.0;
            for (size_t k = 0; k < K; k++) {
                double a = ta ? A[k * lda + i] : A[i * lda + k];
                double b = tb ? B[j * ldb + k] : B[k * ldb + j];
                s += a * b;
            }
            out[i * N + j] = s;
        }
}

START_TEST(one_row_products)
{
    static const size_t shapes[][2] = {{784, 256}, {256, 128}, {128, 10}, {2, 16}, {16, 1}, {1, 7}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int tb = 0; tb < 2; tb++)
            for (int beta1 = 0; beta1 < 2; beta1++)
                for (int ta = 0; ta < 2; ta++) {
                    size_t K = shapes[s][0], N = shapes[s][1], M = 1;
                    float *A = malloc(K * sizeof *A), *B = malloc(K * N * sizeof *B);
                    float *C = malloc(N * sizeof *C), *C0 = malloc(N * sizeof *C0);
                    double *want = malloc(N * sizeof *want);
                    for (size_t i = 0; i < K; i++)
                        A[i] = value(i, 1);
                    for (size_t i = 0; i < K * N; i++)
                        B[i] = value(i, 2);
                    for (size_t i = 0; i < N; i++)
                        C[i] = C0[i] = value(i, 3);
                    float beta = beta1 ? 1.0f : 0.0f;
                    /* A is 1 x K (lda K), or stored K x 1 when transposed (lda 1). */
                    size_t lda = ta ? 1 : K, ldb = tb ? K : N;
                    tn__sgemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, beta, C, N);
                    reference(ta, tb, M, N, K, A, lda, B, ldb, beta, C0, N, want);
                    for (size_t j = 0; j < N; j++)
                        ck_assert_msg(fabs(C[j] - want[j]) <= 1e-5 * (1 + fabs(want[j])),
                                      "K %zu N %zu ta %d tb %d beta %g: c[%zu] = %.9g, want %.9g",
                                      K, N, ta, tb, beta, j, (double)C[j], want[j]);
                    free(A), free(B), free(C), free(C0), free(want);
                }
}
END_TEST

/* With a pool, tn__sgemm splits large products by rows of C across threads. For the three
 * shapes of a dense layer's step (forward, dW = x^T dz, dx = dz W^T), odd sizes and beta 0
 * and 1, a split product is the same bits every time, and with the kernels that allow it
 * (tn__blas_split_keeps_bits, core/blas.h) the bits of the unsplit product. */
START_TEST(split_products_keep_bits)
{
    static const size_t shapes[][5] = {
        /* M, N, K, ta, tb */
        {128, 256, 784, 0, 0}, {784, 256, 128, 1, 0}, {128, 784, 256, 0, 1},
        {128, 10, 128, 0, 0},  {256, 64, 64, 0, 0},   {64, 32, 256, 1, 0},
        {256, 64, 32, 0, 1},   {100, 37, 300, 0, 0},  {33, 513, 129, 0, 0},
        {40, 700, 96, 1, 1},   {1000, 3, 50, 0, 0},   {77, 200, 1000, 0, 1}};
    tn__blas_set_threads(1); /* as training runs it with a pool */
    const int exact = tn__blas_split_keeps_bits();
    tn_pool *p;
    ck_assert_int_eq(tn__pool_new(_i, &p), TN_OK);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int beta1 = 0; beta1 < 2; beta1++) {
            size_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
            int ta = (int)shapes[s][3], tb = (int)shapes[s][4];
            float *A = malloc(M * K * sizeof *A), *B = malloc(K * N * sizeof *B);
            float *C1 = malloc(M * N * sizeof *C1), *C2 = malloc(M * N * sizeof *C2);
            float *C3 = malloc(M * N * sizeof *C3);
            for (size_t i = 0; i < M * K; i++)
                A[i] = value(i, 5) * 1.37f;
            for (size_t i = 0; i < K * N; i++)
                B[i] = value(i, 6) / 3.1f;
            for (size_t i = 0; i < M * N; i++)
                C1[i] = C2[i] = C3[i] = value(i, 7);
            size_t lda = ta ? M : K, ldb = tb ? K : N;
            float beta = beta1 ? 1.0f : 0.0f;
            tn__sgemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, beta, C1, N);
            tn_pool *old = tn__pool_use(p);
            tn__sgemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, beta, C2, N);
            tn__sgemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, beta, C3, N);
            tn__pool_use(old);
            ck_assert_msg(!memcmp(C2, C3, M * N * sizeof *C2), "%d threads, M %zu N %zu K %zu: "
                          "a split product changes from call to call", _i, M, N, K);
            for (size_t i = 0; exact && i < M * N; i++)
                ck_assert_msg(memcmp(&C1[i], &C2[i], sizeof *C1) == 0,
                              "%d threads, M %zu N %zu K %zu ta %d tb %d beta %g: c[%zu] = %.9g "
                              "split, %.9g whole", _i, M, N, K, ta, tb, (double)beta, i,
                              (double)C2[i], (double)C1[i]);
            free(A), free(B), free(C1), free(C2), free(C3);
        }
    tn__pool_free(p);
}
END_TEST

/* The small kernel's sums (core/small_gemm.c): one FMA chain per element in ascending k,
 * then c = fma(acc, alpha, beta * c), beta 0 and 1 exact. */
static float small_reference(int ta, int tb, size_t i, size_t j, size_t K, float alpha,
                             const float *A, size_t lda, const float *B, size_t ldb, float beta,
                             float c)
{
    float acc = 0.0f;
    for (size_t k = 0; k < K; k++)
        acc = fmaf(ta ? A[k * lda + i] : A[i * lda + k], tb ? B[j * ldb + k] : B[k * ldb + j],
                   acc);
    return fmaf(acc, alpha, beta == 0.0f ? 0.0f : beta == 1.0f ? c : c * beta);
}

/* Every shape the small kernel takes (all four transpositions, row strides wider than the
 * rows, beta 0, 1 and 0.5, alpha 1 and 0.75) computes the chains above, the padding of C
 * untouched; where the kernel is active (it reproduced the linked OpenBLAS's bits on its
 * probe: always with OpenBLAS's Haswell and Zen kernels), also cblas_sgemm's bits. With
 * other kernels (SkylakeX, Cooperlake) the kernel stays off and BLAS computes everything. */
START_TEST(small_products_keep_sgemm_bits)
{
    enum { CAP = 40 * 40 + 64 };
    static const size_t Ms[] = {1, 2, 3, 4, 5, 7, 8, 9, 16, 32, 33};
    static const size_t Ns[] = {1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32};
    static const size_t Ks[] = {1, 2, 3, 4, 7, 8, 9, 16, 32};
    static const float betas[] = {0.0f, 1.0f, 0.5f};
    float A[CAP], B[CAP], C0[CAP], C1[CAP], C2[CAP];
    const char *core = openblas_get_corename();
    int active = tn__small_sgemm_active();
    if (strcmp(core, "Haswell") == 0 || strcmp(core, "Zen") == 0)
        ck_assert_msg(active, "the small kernel is off with OpenBLAS's %s kernels", core);
    for (size_t i = 0; i < CAP; i++)
        A[i] = value(i, 1), B[i] = value(i, 2) * 1.37f, C0[i] = value(i, 3);
    size_t taken = 0;
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (size_t m = 0; m < sizeof Ms / sizeof *Ms; m++)
                for (size_t n = 0; n < sizeof Ns / sizeof *Ns; n++)
                    for (size_t k = 0; k < sizeof Ks / sizeof *Ks; k++)
                        for (int b = 0; b < 6; b++) {
                            size_t M = Ms[m], N = Ns[n], K = Ks[k];
                            size_t lda = (ta ? M : K) + 1, ldb = (tb ? K : N) + 2, ldc = N + 3;
                            float alpha = b < 3 ? 1.0f : 0.75f, beta = betas[b % 3];
                            memcpy(C1, C0, sizeof C1);
                            memcpy(C2, C0, sizeof C2);
                            if (!tn__small_sgemm_kernel(ta, tb, M, N, K, alpha, A, lda, B, ldb,
                                                        beta, C1, ldc))
                                continue;
                            taken++;
                            for (size_t i = 0; i < M; i++)
                                for (size_t j = 0; j < N; j++)
                                    C2[i * ldc + j] = small_reference(ta, tb, i, j, K, alpha, A,
                                                                      lda, B, ldb, beta,
                                                                      C0[i * ldc + j]);
                            ck_assert_msg(!memcmp(C1, C2, sizeof C1),
                                          "chains: ta %d tb %d M %zu N %zu K %zu alpha %g beta %g",
                                          ta, tb, M, N, K, (double)alpha, (double)beta);
                            if (!active)
                                continue;
                            memcpy(C2, C0, sizeof C2);
                            cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                                        tb ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K,
                                        alpha, A, (int)lda, B, (int)ldb, beta, C2, (int)ldc);
                            ck_assert_msg(!memcmp(C1, C2, sizeof C1),
                                          "%s: ta %d tb %d M %zu N %zu K %zu alpha %g beta %g",
                                          core, ta, tb, M, N, K, (double)alpha, (double)beta);
                        }
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        ck_assert_uint_gt(taken, 1000);
        float c[64] = {0};
        ck_assert(tn__small_sgemm_kernel(0, 0, 4, 4, 2, 1.0f, A, 2, B, 4, 1.0f, c, 4)); /* xor */
        ck_assert(tn__small_sgemm_kernel(1, 0, 2, 16, 32, 1.0f, A, 2, B, 16, 1.0f, C1, 16));
        ck_assert(!tn__small_sgemm_kernel(0, 0, 32, 16, 16, 1.0f, A, 16, B, 16, 1.0f, C1, 16));
        ck_assert_int_eq(tn__small_sgemm(0, 0, 4, 4, 2, 1.0f, A, 2, B, 4, 1.0f, c, 4), active);
    }
#endif
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("blas");
    TCase *tc = tcase_create("units");
    tcase_set_timeout(tc, 60); /* the double references, on a loaded machine */
    tcase_add_test(tc, one_row_products);
    tcase_add_loop_test(tc, split_products_keep_bits, 2, 4);
    tcase_add_test(tc, small_products_keep_sgemm_bits);
    suite_add_tcase(s, tc);
    return s;
}
