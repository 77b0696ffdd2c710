/* tinynet train CONFIG: load data, train, report, save the model. */
#include "cli.h"
#include "progress.h"
#include "report.h"

#include "tinynet/inspect.h"
#include "tinynet/recsys.h"
#include "tinynet/train.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "tinynet train CONFIG [-o MODEL] [--epochs N] [--seed S] [--threads T] [--log FILE.jsonl]\n"
    "                     [--plot DIR [--plot-scale auto|linear|log]]";

typedef struct train_opts {
    const char *config, *model, *log, *plot;
    int plot_scale;     /* TN_PLOT_* */
    tn_cli_overrides run;
} train_opts;

static int parse_args(int argc, char **argv, train_opts *o)
{
    *o = (train_opts){.run = {-1, -1, -1}};
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int m;
        if ((m = tn_cli_option(argc, argv, &i, "-o", &v)) ||
            (m = tn_cli_option(argc, argv, &i, "--output", &v))) {
            if (m < 0)
                return tn_cli_usage("train", usage, "%s needs a file name", argv[i]);
            o->model = v;
        } else if ((m = tn_cli_option(argc, argv, &i, "--log", &v))) {
            if (m < 0)
                return tn_cli_usage("train", usage, "--log needs a file name");
            o->log = v;
        } else if ((m = tn_cli_option(argc, argv, &i, "--plot", &v))) {
            if (m < 0)
                return tn_cli_usage("train", usage, "--plot needs a directory");
            o->plot = v;
        } else if ((m = tn_cli_option(argc, argv, &i, "--plot-scale", &v))) {
            static const char *const scales[] = {"auto", "linear", "log"};
            o->plot_scale = -1;
            for (int k = 0; m > 0 && k < 3; k++)
                if (strcmp(v, scales[k]) == 0)
                    o->plot_scale = k;
            if (o->plot_scale < 0)
                return tn_cli_usage("train", usage, "--plot-scale needs auto, linear or log");
        } else if ((m = tn_cli_override("train", usage, argc, argv, &i, &o->run))) {
            if (m != 1)
                return m;
        } else if ((m = tn_cli_positional("train", usage, i, argv[i], &o->config))) {
            return m;
        }
    }
    if (!o->config)
        return tn_cli_usage("train", usage, "missing CONFIG");
    if (o->plot_scale && !o->plot)
        return tn_cli_usage("train", usage, "--plot-scale is for --plot");
    return TN_EXIT_OK;
}

/* A layer whose activation has a zero derivative stops every gradient below it. */
static void warn_untrainable(const tn_model *m)
{
    for (size_t i = 0; m && i < tn_model_n_layers(m); i++) {
        const tn_activation *a = tn_model_layer_activation(m, i);
        if (a && (a->flags & TN_ACT_ZERO_GRAD))
            fprintf(stderr, "tinynet: warning: layers[%zu] (\"%s\") uses %s, whose derivative "
                    "is zero: gradient descent cannot train it or the layers before it\n", i,
                    tn_model_layer_name(m, i), a->name);
    }
}

/* The epochs seen so far, for --plot; the progress display sees them first. */
typedef struct history {
    tn_progress *pg;
    tn_epoch_info *h;
    int n;
} history;

static void history_epoch(void *user, const tn_epoch_info *r)
{
    history *hi = user;
    tn_progress_epoch(hi->pg, r);
    if (hi->h && r->epoch <= r->epochs)
        hi->h[hi->n++] = *r;
}

static void history_batch(void *user, int epoch, size_t batch, size_t n_batches)
{
    tn_progress_batch(((history *)user)->pg, epoch, batch, n_batches);
}

static void print_metrics(const char *label, const tn_metrics *m)
{
    if (isnan(m->accuracy))
        printf("%-10s loss %.6f  (%zu rows)\n", label, m->loss, m->rows);
    else
        printf("%-10s loss %.6f  accuracy %.4f  (%zu rows)\n", label, m->loss, m->accuracy,
               m->rows);
}

static int write_plots(const train_opts *o, const tn_model *m, const tn_data *d,
                       const history *hist, const char *label, const tn_fit_result *res,
                       tn_error *err)
{
    const char *dir = o->plot;
    char loss[128];
    if (tn_model_loss(m, loss, sizeof loss) != TN_OK)
        snprintf(loss, sizeof loss, "the");
    tn_plot_info info = {tn_model_name(m), loss, label, res->best_epoch, res->train,
                         o->plot_scale};
    int rc = tn_plot_curves(dir, hist->h, hist->n, &info, err);
    if (rc == TN_OK)
        printf("wrote %s/curves.svg\n", dir);
    if (rc == TN_OK && tn_model_output_width(m) > 1 && tn_data_has_targets(d)) {
        rc = tn_plot_misclassified(dir, m, d, label, err);
        if (rc == TN_OK)
            printf("wrote %s/misclassified.svg\n", dir);
        else if (rc == TN_ESHAPE) { /* not images: the curves are still worth having */
            if (tn_cli_verbosity >= 0)
                fprintf(stderr, "tinynet: note: %s\n", err->msg);
            rc = TN_OK;
        }
    }
    return rc;
}

/* What `train` prints after training: metrics, confusion matrix, pictures, ranking. */
static int report(const train_opts *o, tn_trainer *t, const history *hist, tn_error *err)
{
    tn_fit_result res;
    tn_trainer_result(t, &res);
    const tn_model *m = tn_trainer_model(t);
    if (!m)
        return tn_cli_trainer_err(t, TN_ENOMEM, err);
    int kind = tn_trainer_val_kind(t);
    printf("trained %s: %d epoch%s%s, best epoch %d, %zu parameters\n", tn_model_name(m),
           res.epochs_run, res.epochs_run == 1 ? "" : "s",
           res.stopped_early ? " (stopped early)" : "", res.best_epoch, tn_model_n_params(m));
    print_metrics("train", &res.train);
    if (kind >= 0)
        print_metrics(kind ? "test" : "validation", &res.val);
    int rc = TN_OK;
    const char *label = kind > 0 ? "test" : kind == 0 ? "validation" : "train";
    const tn_data *d = tn_trainer_data(t, kind >= 0 ? TN_SPLIT_VAL : TN_SPLIT_TRAIN);
    if (!isnan(res.train.accuracy))
        rc = tn_cli_print_confusion(label, m, d, err);
    if (rc == TN_OK && o->plot)
        rc = write_plots(o, m, d, hist, label, &res, err);
    tn_ranking rk;
    int rrc = rc == TN_OK ? tn_trainer_ranking(t, &rk) : TN_ENOTFOUND;
    if (rrc == TN_OK)
        tn_cli_print_ranking(&rk);
    else if (rrc != TN_ENOTFOUND)
        rc = tn_cli_trainer_err(t, rrc, err);
    return rc;
}

static int run(const train_opts *o, tn_error *err)
{
    tn_trainer *t = NULL;
    tn_progress pg = {0};
    history hist = {&pg, NULL, 0};
    int rc = tn_trainer_new(o->config, &t, err);
    if (rc)
        return rc;
    rc = tn_cli_trainer_err(t, tn_cli_apply_overrides(&o->run, t), err);
    if (rc == TN_OK)
        warn_untrainable(tn_trainer_model(t));
    if (rc == TN_OK && o->model) /* found now, not after the training */
        rc = tn_check_writable(o->model, err);
    if (rc == TN_OK)
        rc = tn_cli_trainer_err(t, tn_trainer_load_data(t), err);
    /* The plot directory is made before training, so a bad one costs no training time,
     * and before the log opens, so every log that starts also ends. */
    tn_train_settings set;
    tn_trainer_settings(t, &set);
    if (rc == TN_OK && o->plot && mkdir(o->plot, 0777) != 0 && errno != EEXIST)
        rc = tn_cli_err(err, TN_EIO, "%s: cannot create the directory: %s", o->plot,
                        strerror(errno));
    if (rc == TN_OK && o->plot && !(hist.h = calloc((size_t)set.epochs, sizeof *hist.h)))
        rc = tn_cli_err(err, TN_ENOMEM, "out of memory");
    if (rc == TN_OK)
        rc = tn_progress_open(&pg, o->log, t, err);
    if (rc == TN_OK) {
        tn_train_hooks hooks = {.user = &hist, .on_batch = history_batch,
                                .on_epoch = history_epoch};
        rc = tn_cli_trainer_err(t, tn_trainer_fit(t, &hooks), err);
        tn_fit_result res;
        if (rc == TN_OK && tn_trainer_result(t, &res) == TN_OK)
            rc = tn_progress_close(&pg, &res, err);
        else
            tn_progress_close(&pg, NULL, NULL);
    }
    if (rc == TN_OK)
        rc = report(o, t, &hist, err);
    if (rc == TN_OK && o->model && (rc = tn_cli_trainer_err(t, tn_trainer_save(t, o->model), err)) == 0)
        printf("saved %s\n", o->model);
    free(hist.h);
    tn_trainer_free(t);
    return rc;
}

int tn_cli_train(int argc, char **argv)
{
    if (tn_cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Trains the network described by CONFIG (JSON) and prints the final loss and\n"
               "accuracy on the training data and on the test or held-out data. With ratings\n"
               "data (\"format\": \"ratings\") it then prints log-loss, AUC, HR@k and NDCG@k\n"
               "of the model beside a popularity baseline.\n\n"
               "  -o, --output MODEL  save the trained model (.tnn)\n"
               "  --epochs N          override train.epochs\n"
               "  --seed S            override the seed (initialisation, shuffling, dropout)\n"
               "  --threads T         BLAS threads (results are bit-exact per thread count)\n"
               "  --log FILE.jsonl    write one JSON object per epoch\n"
               "  --plot DIR          write DIR/curves.svg (loss and accuracy per epoch,\n"
               "                      train and test, the kept epoch marked) and, for a class\n"
               "                      output whose input is a square image,\n"
               "                      DIR/misclassified.svg (the most confidently misclassified\n"
               "                      test images, true and predicted class)\n"
               "  --plot-scale S      the loss axis: linear, log, or auto (log when the loss\n"
               "                      spans more than a factor of 100; the default)\n\n"
               "A class output also gets a confusion matrix of the test (or held-out) data.\n"
               "Data formats (see the config's \"data\" section, or `tinynet help config`):\n"
               "\"csv\", \"idx\" with {\"images\", \"labels\"} files, \"fashion-mnist\" (Debian's\n"
               "package), \"ratings\", \"libsvm\"; \"scaling\": \"none\", \"unit\" or\n"
               "\"standardize\" is fitted on the training data and stored in the model.\n\n"
               "A progress line is shown while stderr is a terminal (-q, -v and --progress\n"
               "change that: see tinynet --help).\n", usage);
        return TN_EXIT_OK;
    }
    train_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    tn_error err = {0};
    if (run(&o, &err))
        return tn_cli_fail(&err);
    return TN_EXIT_OK;
}
