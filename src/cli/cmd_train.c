/* tinynet train CONFIG: load data, train, report, save the model. */
#include "cli/cli.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "cli/recsys.h"

#include "train/session.h"

#include "core/error.h"
#include "core/file.h"
#include "data/idx.h"
#include "act/inst.h"
#include "loss/loss.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "tinynet train CONFIG [-o MODEL] [--epochs N] [--seed S] [--threads T] [--log FILE.jsonl]\n"
    "                     [--plot DIR]";

typedef struct train_opts {
    const char *config, *model, *log, *plot;
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
        } else if ((m = tn_cli_override("train", usage, argc, argv, &i, &o->run))) {
            if (m != 1)
                return m;
        } else if ((m = tn_cli_positional("train", usage, argv[i], &o->config))) {
            return m;
        }
    }
    if (!o->config)
        return tn_cli_usage("train", usage, "missing CONFIG");
    return TN_EXIT_OK;
}

/* A layer whose activation has a zero derivative stops every gradient below it. */
static void warn_untrainable(const tn_net *net)
{
    for (int i = 0; i < net->n_layers; i++) {
        const tn_layer *L = &net->layers[i];
        const tn_act_inst *a = L->act;
        if (a && (a->m->flags & TN_ACT_ZERO_GRAD))
            fprintf(stderr, "tinynet: warning: layers[%d] (\"%s\") uses %s, whose derivative "
                    "is zero: gradient descent cannot train it or the layers before it\n", i,
                    L->name, a->m->name);
    }
}

/* The epochs seen so far, for --plot; the progress display sees them first. */
typedef struct history {
    tn_progress *pg;
    tn_epoch_report *h;
    int n;
} history;

static void history_epoch(void *user, const tn_epoch_report *r)
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
    if (isnan(m->acc))
        printf("%-10s loss %.6f  (%zu rows)\n", label, m->loss, m->n);
    else
        printf("%-10s loss %.6f  accuracy %.4f  (%zu rows)\n", label, m->loss, m->acc, m->n);
}

static int write_plots(const char *dir, const tn_net *net, const tn_dataset *d,
                       const tn_scaling *s, const char *const *names, const history *hist,
                       const char *label, tn_error *err)
{
    int rc = tn_plot_curves(dir, hist->h, hist->n, label, err);
    if (rc == TN_OK)
        printf("wrote %s/curves.svg\n", dir);
    if (rc == TN_OK && net->nodes[net->output].width > 1 && d->t) {
        rc = tn_plot_misclassified(dir, net, d, s, names, err);
        if (rc == TN_OK)
            printf("wrote %s/misclassified.svg\n", dir);
        else if (rc == TN_ESHAPE) { /* not images: the curves are still worth having */
            fprintf(stderr, "tinynet: note: %s\n", err->msg);
            rc = TN_OK;
        }
    }
    return rc;
}

/* What `train` prints after training: metrics, confusion matrix, pictures, ranking. */
static int report(const train_opts *o, const tn_session *s, const history *hist, tn_error *err)
{
    const tn_config *c = s->config;
    const tn_train_result *res = &s->result;
    const tn_dataset *train = s->train, *val = s->val;
    printf("trained %s: %d epoch%s%s, best epoch %d, %zu parameters\n", c->net->name,
           res->epochs_run, res->epochs_run == 1 ? "" : "s",
           res->stopped_early ? " (stopped early)" : "", res->best_epoch, c->net->n_params);
    print_metrics("train", &s->final_train);
    if (val)
        print_metrics(s->val_is_test ? "test" : "validation", &s->result.val);
    int rc = TN_OK;
    const char *const *names = c->data.format == TN_DATA_FASHION ? tn__fashion_classes : NULL;
    const char *label = s->val_is_test ? "test" : val ? "validation" : "train";
    if (rc == TN_OK && tn__loss_has_accuracy(&c->loss))
        rc = tn_cli_print_confusion(label, c->net, val ? val : train, names, err);
    if (rc == TN_OK && o->plot)
        rc = write_plots(o->plot, c->net, val ? val : train, &s->scaling, names, hist, label,
                         err);
    if (rc == TN_OK && s->im)
        rc = tn_cli_recsys_report(c, s->im, s->ranks, err);
    return rc;
}

static int run(const train_opts *o, tn_error *err)
{
    tn_session s;
    tn_progress pg = {0};
    history hist = {&pg, NULL, 0};
    int rc = tn__session_open(o->config, &s, err);
    if (rc)
        return rc;
    tn_config *c = s.config;
    tn_cli_apply_overrides(&o->run, c, &s.threads);
    warn_untrainable(c->net);
    if (o->model) /* found now, not after the training */
        rc = tn__check_writable(o->model, err);
    if (rc == TN_OK)
        rc = tn__session_load_data(&s, err);
    /* The plot directory is made before training, so a bad one costs no training time,
     * and before the log opens, so every log that starts also ends. */
    if (rc == TN_OK && o->plot && mkdir(o->plot, 0777) != 0 && errno != EEXIST)
        rc = tn__err(err, TN_EIO, "%s: cannot create the directory: %s", o->plot,
                     strerror(errno));
    if (rc == TN_OK && o->plot && !(hist.h = calloc((size_t)c->train.epochs, sizeof *hist.h)))
        rc = tn__err(err, TN_ENOMEM, "out of memory");
    if (rc == TN_OK)
        rc = tn_progress_open(&pg, o->log, c, s.threads, err);
    if (rc == TN_OK) {
        tn_train_hooks hooks = {.user = &hist, .on_batch = history_batch,
                                .on_epoch = history_epoch};
        rc = tn__session_fit(&s, &hooks, err);
        if (rc == TN_OK)
            rc = tn_progress_close(&pg, &s.result, err);
        else
            tn_progress_close(&pg, NULL, NULL);
    }
    if (rc == TN_OK)
        rc = report(o, &s, &hist, err);
    if (rc == TN_OK && o->model && (rc = tn__session_save(&s, o->model, err)) == TN_OK)
        printf("saved %s\n", o->model);
    free(hist.h);
    tn__session_close(&s);
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
               "                      train and test) and, for a class output whose input is\n"
               "                      a square image, DIR/misclassified.svg (test images\n"
               "                      labelled true/predicted)\n\n"
               "A class output also gets a confusion matrix of the test (or held-out) data.\n"
               "Data formats (see the config's \"data\" section): \"csv\", \"idx\" with\n"
               "{\"images\", \"labels\"} files, \"fashion-mnist\" (Debian's package);\n"
               "\"scaling\": \"none\", \"unit\" or \"standardize\" is fitted on the training\n"
               "data and stored in the model.\n\n"
               "A progress line is shown while stderr is a terminal.\n", usage);
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
