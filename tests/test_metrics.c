/* Metrics by task (train/metrics.c) against scikit-learn (tests/metrics_ref.h, made by
 * tools/ref/gen_metrics_ref.py) and hand-computed cases; learning-rate schedules and class
 * weights (train/schedule.c) against their formulas. */
#include "tn_check.h"

#include "metrics_ref.h"
#include "train/metrics.h"
#include "train/schedule.h"

#include <math.h>
#include <string.h>

#define NEAR(a, b) ck_assert_msg(fabs((double)(a) - (double)(b)) <= 1e-12 * (1 + fabs((double)(b))), "%.17g != %.17g", \
                                 (double)(a), (double)(b))

static void run_acc(tn_metric_acc *a, int task, size_t W, size_t tw, size_t rows, double th,
                    const float *y, const float *t, double *v)
{
    ck_assert_int_eq(tn__metrics_init(a, task, W, tw, rows, th, NULL), TN_OK);
    /* In uneven batches, as an evaluation feeds it. */
    for (size_t first = 0; first < rows; first += 7) {
        size_t b = rows - first < 7 ? rows - first : 7;
        tn__metrics_add(a, y + first * W, t + first * tw, b);
    }
    ck_assert_int_eq(tn__metrics_compute(a, v, NULL), TN_OK);
}

START_TEST(binary_matches_sklearn)
{
    tn_metric_acc a;
    double v[TN__M_COUNT];
    run_acc(&a, TN__TASK_BINARY, 1, 1, BIN_ROWS, 0.5, bin_score, bin_label, v);
    NEAR(v[TN__M_PRECISION], bin_precision_50);
    NEAR(v[TN__M_RECALL], bin_recall_50);
    NEAR(v[TN__M_F1], bin_f1_50);
    NEAR(v[TN__M_ACCURACY], bin_accuracy_50);
    NEAR(v[TN__M_AUC], bin_auc); /* the scores are on a grid of 0.05: many ties */
    ck_assert(isnan(v[TN__M_MSE]) && isnan(v[TN__M_MACRO_F1]));
    size_t sum = 0;
    for (int k = 0; k < 4; k++)
        sum += a.cm[k];
    ck_assert_uint_eq(sum, BIN_ROWS);
    tn__metrics_free(&a);
    run_acc(&a, TN__TASK_BINARY, 1, 1, BIN_ROWS, 0.3, bin_score, bin_label, v);
    NEAR(v[TN__M_PRECISION], bin_precision_30);
    NEAR(v[TN__M_RECALL], bin_recall_30);
    NEAR(v[TN__M_F1], bin_f1_30);
    NEAR(v[TN__M_ACCURACY], bin_accuracy_30);
    NEAR(v[TN__M_AUC], bin_auc); /* the threshold does not move the AUC */
    tn__metrics_free(&a);
}
END_TEST

START_TEST(auc_by_hand)
{
    double auc;
    /* scikit-learn's documented example: 0.75. */
    const float s1[] = {0.1f, 0.4f, 0.35f, 0.8f}, l1[] = {0, 0, 1, 1};
    ck_assert_int_eq(tn__roc_auc(s1, l1, 4, &auc, NULL), TN_OK);
    NEAR(auc, 0.75);
    /* All tied: one half. One positive tied with one of two negatives, above the other:
     * (1 + 0.5) / 2. */
    const float s2[] = {0.5f, 0.5f, 0.5f, 0.5f}, l2[] = {0, 1, 0, 1};
    ck_assert_int_eq(tn__roc_auc(s2, l2, 4, &auc, NULL), TN_OK);
    NEAR(auc, 0.5);
    const float s3[] = {0.2f, 0.6f, 0.6f}, l3[] = {0, 0, 1};
    ck_assert_int_eq(tn__roc_auc(s3, l3, 3, &auc, NULL), TN_OK);
    NEAR(auc, 0.75);
    /* One class only: no AUC. */
    ck_assert_int_eq(tn__roc_auc(s3, l3, 2, &auc, NULL), TN_OK);
    ck_assert(isnan(auc));
}
END_TEST

START_TEST(binary_without_positive_predictions)
{
    /* Nothing predicted positive: precision 0 (scikit-learn's zero_division), F1 0. */
    const float y[] = {0.1f, 0.2f, 0.3f}, t[] = {1, 0, 1};
    tn_metric_acc a;
    double v[TN__M_COUNT];
    run_acc(&a, TN__TASK_BINARY, 1, 1, 3, 0.5, y, t, v);
    NEAR(v[TN__M_PRECISION], 0);
    NEAR(v[TN__M_RECALL], 0);
    NEAR(v[TN__M_F1], 0);
    NEAR(v[TN__M_ACCURACY], 1.0 / 3);
    NEAR(v[TN__M_AUC], 0.5); /* 0.3 above the negative 0.2, 0.1 below it */
    tn__metrics_free(&a);
}
END_TEST

START_TEST(multiclass_matches_sklearn)
{
    tn_metric_acc a;
    double v[TN__M_COUNT];
    run_acc(&a, TN__TASK_MULTICLASS, MULTI_W, 1, MULTI_ROWS, 0.5, multi_out, multi_target, v);
    NEAR(v[TN__M_ACCURACY], multi_accuracy);
    /* Class 3 never occurs in the targets but is predicted: it counts in the averages. */
    NEAR(v[TN__M_MACRO_PRECISION], multi_macro_precision);
    NEAR(v[TN__M_MACRO_RECALL], multi_macro_recall);
    NEAR(v[TN__M_MACRO_F1], multi_macro_f1);
    for (size_t k = 0; k < MULTI_W; k++) {
        double p, r, f;
        size_t n;
        tn__metrics_class(&a, k, &p, &r, &f, &n);
        NEAR(p, multi_class_precision[k]);
        NEAR(r, multi_class_recall[k]);
        NEAR(f, multi_class_f1[k]);
        ck_assert_uint_eq(n, (size_t)multi_class_support[k]);
    }
    ck_assert(isnan(v[TN__M_AUC]) && isnan(v[TN__M_R2]));
    tn__metrics_free(&a);
}
END_TEST

START_TEST(macro_skips_classes_never_seen)
{
    /* Three outputs; class 2 is neither a target nor a prediction: the averages are over
     * classes 0 and 1. One-hot targets. Class 0: p 1/2 r 1; class 1: p 1 r 1/2. */
    const float y[] = {0.9f, 0.1f, 0, 0.2f, 0.7f, 0.1f, 0.6f, 0.3f, 0.1f};
    const float t[] = {1, 0, 0, 0, 1, 0, 0, 1, 0};
    tn_metric_acc a;
    double v[TN__M_COUNT];
    run_acc(&a, TN__TASK_MULTICLASS, 3, 3, 3, 0.5, y, t, v);
    NEAR(v[TN__M_MACRO_PRECISION], 0.75);
    NEAR(v[TN__M_MACRO_RECALL], 0.75);
    NEAR(v[TN__M_MACRO_F1], (2.0 / 3 + 2.0 / 3) / 2);
    NEAR(v[TN__M_ACCURACY], 2.0 / 3);
    tn__metrics_free(&a);
}
END_TEST

START_TEST(regression_matches_sklearn)
{
    tn_metric_acc a;
    double v[TN__M_COUNT];
    run_acc(&a, TN__TASK_REGRESSION, REG_W, REG_W, REG_ROWS, 0.5, reg_out, reg_target, v);
    /* Welford's sums in double against numpy's: a few ulps apart at most. */
    ck_assert(fabs(v[TN__M_MSE] - reg_mse) < 1e-10);
    ck_assert(fabs(v[TN__M_RMSE] - reg_rmse) < 1e-10);
    ck_assert(fabs(v[TN__M_MAE] - reg_mae) < 1e-10);
    ck_assert(fabs(v[TN__M_R2] - reg_r2) < 1e-10);
    ck_assert(isnan(v[TN__M_ACCURACY]));
    tn__metrics_free(&a);
    /* A constant target predicted exactly: R^2 1; predicted off: 0 (scikit-learn). */
    const float t[] = {2, 2, 2}, y1[] = {2, 2, 2}, y2[] = {2, 3, 2};
    run_acc(&a, TN__TASK_REGRESSION, 1, 1, 3, 0.5, y1, t, v);
    NEAR(v[TN__M_R2], 1);
    tn__metrics_free(&a);
    run_acc(&a, TN__TASK_REGRESSION, 1, 1, 3, 0.5, y2, t, v);
    NEAR(v[TN__M_R2], 0);
    NEAR(v[TN__M_MSE], 1.0 / 3);
    tn__metrics_free(&a);
}
END_TEST

START_TEST(metric_names_and_tasks)
{
    for (int k = 0; k < TN__M_COUNT; k++)
        ck_assert_int_eq(tn__metric_find(tn__metric_names[k]), k);
    ck_assert_int_eq(tn__metric_find("roc"), -1);
    ck_assert(tn__metric_applies(TN__M_AUC, TN__TASK_BINARY));
    ck_assert(!tn__metric_applies(TN__M_AUC, TN__TASK_MULTICLASS));
    ck_assert(tn__metric_applies(TN__M_R2, TN__TASK_REGRESSION));
    ck_assert(!tn__metric_applies(TN__M_ACCURACY, TN__TASK_REGRESSION));
    ck_assert(tn__metric_applies(TN__M_LOSS, TN__TASK_OTHER));
}
END_TEST

START_TEST(schedules_follow_their_formulas)
{
    tn_lr_schedule s = {.kind = TN_LR_STEP, .step_size = 3, .gamma = 0.5};
    NEAR(tn__lr_at(&s, 0.1, 1, 10, NULL), 0.1);
    NEAR(tn__lr_at(&s, 0.1, 3, 10, NULL), 0.1);
    NEAR(tn__lr_at(&s, 0.1, 4, 10, NULL), 0.05);
    NEAR(tn__lr_at(&s, 0.1, 7, 10, NULL), 0.025);
    s = (tn_lr_schedule){.kind = TN_LR_EXPONENTIAL, .gamma = 0.9};
    NEAR(tn__lr_at(&s, 0.1, 1, 10, NULL), 0.1);
    NEAR(tn__lr_at(&s, 0.1, 3, 10, NULL), 0.1 * 0.81);
    /* Cosine over 10 epochs, 2 of warm-up: 0.05, 0.1, then from 0.1 down to min_lr. */
    s = (tn_lr_schedule){.kind = TN_LR_COSINE, .warmup = 2, .min_lr = 0.001};
    NEAR(tn__lr_at(&s, 0.1, 1, 10, NULL), 0.05);
    NEAR(tn__lr_at(&s, 0.1, 2, 10, NULL), 0.1);
    NEAR(tn__lr_at(&s, 0.1, 3, 10, NULL), 0.1);
    NEAR(tn__lr_at(&s, 0.1, 7, 10, NULL), 0.001 + 0.099 * 0.5); /* half way: cos = 0 */
    ck_assert(tn__lr_at(&s, 0.1, 10, 10, NULL) > 0.001);
    ck_assert(tn__lr_at(&s, 0.1, 10, 10, NULL) < tn__lr_at(&s, 0.1, 9, 10, NULL));
    /* A constant schedule gives the configured rate's bits back. */
    s = (tn_lr_schedule){.kind = TN_LR_CONSTANT};
    ck_assert(tn__lr_at(&s, 0.01, 5, 10, NULL) == 0.01);
}
END_TEST

START_TEST(plateau_reduces_after_patience)
{
    tn_lr_schedule s = {.kind = TN_LR_PLATEAU, .factor = 0.5, .patience = 2, .min_lr = 0.02};
    tn_plateau p = {1, INFINITY, 0};
    const double losses[] = {1.0, 0.9, 0.95, 0.92, 0.91, 0.8, 0.85, 0.85, 0.85, 0.9, 0.9, 0.9};
    /* Improvements at 1, 2, 6; more than 2 bad evaluations in a row at 5 and 9 and 12 ->
     * halved each time, never below min_lr / lr = 0.2. */
    const double scale[] = {1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2};
    for (int i = 0; i < 12; i++) {
        tn__plateau_update(&s, 0.1, &p, losses[i]);
        ck_assert_msg(fabs(p.scale - scale[i]) < 1e-15, "evaluation %d: scale %g, want %g",
                      i + 1, p.scale, scale[i]);
        NEAR(tn__lr_at(&s, 0.1, i + 2, 20, &p), 0.1 * scale[i]);
    }
}
END_TEST

START_TEST(balanced_weights_match_sklearn)
{
    tn_dataset *d;
    size_t width = 1;
    ck_assert_int_eq(tn__dataset_new(BIN_ROWS, 1, &width, 1, &d, NULL), TN_OK);
    memcpy(d->t, bin_label, sizeof bin_label);
    double w[2];
    tn__class_weights_balanced(d, 2, w);
    NEAR(w[0], bin_balanced[0]);
    NEAR(w[1], bin_balanced[1]);
    tn__dataset_free(d);
    /* One-hot rows and class indices name the same classes. */
    const float onehot[] = {0, 0, 1}, index[] = {2};
    ck_assert_uint_eq(tn__target_class(onehot, 3, 3), 2);
    ck_assert_uint_eq(tn__target_class(index, 1, 3), 2);
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, binary_matches_sklearn);
    tcase_add_test(tc, auc_by_hand);
    tcase_add_test(tc, binary_without_positive_predictions);
    tcase_add_test(tc, multiclass_matches_sklearn);
    tcase_add_test(tc, macro_skips_classes_never_seen);
    tcase_add_test(tc, regression_matches_sklearn);
    tcase_add_test(tc, metric_names_and_tasks);
    tcase_add_test(tc, schedules_follow_their_formulas);
    tcase_add_test(tc, plateau_reduces_after_patience);
    tcase_add_test(tc, balanced_weights_match_sklearn);
    suite_add_tcase(s, tc);
    return s;
}
