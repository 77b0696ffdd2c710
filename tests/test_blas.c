/* core/blas.c: one-row products go to sgemv (the batch-1 path), the rest to sgemm. Both
 * forms against a plain double-precision product: the forward (op(B) = B) and the backward
 * dx (op(B) = B^T) shapes, beta 0 and 1, and an A transposed one-row case (still sgemm). */
#include "core/blas.h"
#include "tn_check.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>

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

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("blas");
    TCase *tc = tcase_create("units");
    tcase_add_test(tc, one_row_products);
    suite_add_tcase(s, tc);
    return s;
}
