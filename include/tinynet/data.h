/* tinynet data and evaluation: read data in the format a model was trained on (the model
 * file records it: CSV columns, IDX images, ratings settings, ...), and evaluate or run the
 * model over it. */
#ifndef TINYNET_DATA_H
#define TINYNET_DATA_H

#include "tinynet/tinynet.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tn_metrics {
    double loss;       /* mean per row */
    double accuracy;   /* fraction correct; NaN for regression losses */
    size_t rows;
} tn_metrics;

typedef struct tn_data tn_data; /* rows in memory, for one model's inputs (and targets) */

enum {
    TN_DATA_TARGETS = 1u << 0 /* read the targets too (eval); without: inputs only (predict) */
};

/* Reads data for model m, in the format m was trained on, from n_paths files: most formats
 * take one file; IDX images take IMAGES LABELS (IMAGES alone without targets); Fashion-MNIST
 * also takes "fashion-mnist:test" (or ":train"). tn_model_data_sources says what m reads.
 * Every id and target is checked; messages name the file and the line. */
TN_API int tn_data_read(const tn_model *m, const char *const *paths, int n_paths,
                        unsigned flags, tn_data **out, tn_error *err);
/* The same from text in memory (e.g. standard input read by the caller); name is used in
 * messages. Text formats only (CSV, ratings, libsvm). */
TN_API int tn_data_parse(const tn_model *m, const char *name, const char *text, size_t len,
                         unsigned flags, tn_data **out, tn_error *err);
/* Streaming: a part of a text source, whose records start at 1-based line first_line of
 * it; head is the source's header record (head_len 0: none) when
 * tn_model_data_stream_header said the first record is one. Messages name the lines of the
 * source. A part holding no rows gives a dataset of 0 rows for CSV. */
TN_API int tn_data_parse_part(const tn_model *m, const char *name, const char *head,
                              size_t head_len, const char *text, size_t len, size_t first_line,
                              unsigned flags, tn_data **out, tn_error *err);
/* Whether the first record of a text source (text, len) is a header for m's format: 1, 0,
 * or -1 when m's format is not read in parts (binary formats, libsvm: read it whole). */
TN_API int tn_model_data_stream_header(const tn_model *m, const char *text, size_t len);
TN_API void tn_data_free(tn_data *d);
/* The key of row r (the "id" column a CSV model records, as text), or NULL. */
TN_API const char *tn_data_key(const tn_data *d, size_t r);
/* The name of that column as the model records it, or NULL (none, or given by position). */
TN_API const char *tn_model_key_name(const tn_model *m);

TN_API size_t tn_data_rows(const tn_data *d);
TN_API int tn_data_has_targets(const tn_data *d);
/* Row r of model input i as the data hold it (the model's scaling undone where the rows
 * were scaled), copied into out (tn_model_input_width(m, i) floats). TN_EINVAL for an
 * input or row out of range (these calls have no message to give). */
TN_API int tn_data_row(const tn_data *d, size_t i, size_t r, float *out);
/* The targets of row r (*width floats), or NULL without targets. */
TN_API const float *tn_data_target(const tn_data *d, size_t r, size_t *width);

/* Loss (the model's own) and accuracy of m on labelled d, in inference mode. */
TN_API int tn_evaluate(const tn_model *m, const tn_data *d, tn_metrics *out, tn_error *err);
/* The W x W confusion matrix of a class output (W = tn_model_output_width >= 2): row =
 * true class, column = predicted (argmax). cm holds W * W counts. */
TN_API int tn_confusion(const tn_model *m, const tn_data *d, size_t *cm, tn_error *err);
/* ---- Metrics by task ------------------------------------------------------------------
 *
 * An evaluation report: loss and accuracy with the metrics of the model's task, from one
 * pass over the rows. Binary (one output, binary cross-entropy): a confusion matrix at a
 * threshold, precision, recall, F1 of class 1 and ROC AUC (ties count one half).
 * Multi-class: the confusion matrix, per-class precision/recall/F1 and their macro
 * averages (over the classes that occur in the targets or the predictions). Regression:
 * MSE, RMSE, MAE and R^2 (averaged over the outputs). The definitions are scikit-learn's
 * (a class never predicted has precision 0). */
enum tn_task { TN_TASK_OTHER, TN_TASK_BINARY, TN_TASK_MULTICLASS, TN_TASK_REGRESSION };
#define TN_METRIC_COUNT 13
typedef struct tn_report tn_report;
/* The metric names, i < TN_METRIC_COUNT ("loss", "accuracy", "precision", "recall", "f1",
 * "auc", "macro_precision", "macro_recall", "macro_f1", "mse", "rmse", "mae", "r2"), else
 * NULL. */
TN_API const char *tn_metric_name(size_t i);
/* Evaluates m on labelled d; threshold: a binary score >= it predicts class 1 (0.5 is
 * the accuracy's). tn_report_free the result. */
TN_API int tn_evaluate_report(const tn_model *m, const tn_data *d, double threshold,
                              tn_report **out, tn_error *err);
TN_API void tn_report_free(tn_report *r);
TN_API int tn_report_task(const tn_report *r);                /* enum tn_task */
TN_API const tn_metrics *tn_report_metrics(const tn_report *r); /* loss, accuracy, rows */
/* A metric by name; NaN when it does not apply to the task, has no value (AUC with one
 * class only) or is unknown. */
TN_API double tn_report_metric(const tn_report *r, const char *name);
/* The confusion matrix (classes x classes, row = true class, column = predicted), NULL
 * for regression; *classes receives its size. */
TN_API const size_t *tn_report_confusion(const tn_report *r, size_t *classes);
/* Precision, recall, F1 and support (true rows) of class k; TN_EINVAL without a
 * confusion matrix or for k out of range. */
TN_API int tn_report_class(const tn_report *r, size_t k, double *precision, double *recall,
                           double *f1, size_t *support);
/* The threshold of a binary report. */
TN_API double tn_report_threshold(const tn_report *r);

/* rows x W outputs of m for every row of d, into out. */
TN_API int tn_predict_data(const tn_model *m, const tn_data *d, float *out, tn_error *err);

/* What the model was trained on: the data format's name ("csv", "idx", ...), what its
 * reader accepts (for messages and usage), the loss into buf ("categorical_crossentropy",
 * or "huber(delta=0.5)" with parameters; "" and a status when the model's loss is not one
 * this library knows), and the name of class k of a class output (NULL when the classes
 * have no names). */
TN_API const char *tn_model_data_format(const tn_model *m);
TN_API const char *tn_model_data_sources(const tn_model *m);
TN_API int tn_model_loss(const tn_model *m, char *buf, size_t n);
TN_API const char *tn_model_class_name(const tn_model *m, size_t k);

#ifdef __cplusplus
}
#endif
#endif
