/* tinynet train CONFIG: load data, train, report, save the model. */
#include "cli.h"
#include "interrupt.h"
#include "progress.h"
#include "report.h"

#include "tinynet/dist.h"
#include "tinynet/inspect.h"
#include "tinynet/recsys.h"
#include "tinynet/train.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "tinynet train CONFIG [-o MODEL] [--epochs N] [--seed S] [--threads T] [--log FILE.jsonl]\n"
    "                     [--plot DIR [--plot-scale auto|linear|log]]\n"
    "                     [--checkpoint-every N[steps]] [--checkpoint-prefix P]\n"
    "                     [--keep-checkpoints K] [--resume CKPT [--allow-changes]]\n"
    "                     [--init MODEL]";

typedef struct train_opts {
    const char *config, *model, *log, *plot, *resume, *init, *prefix;
    int plot_scale;     /* TN_PLOT_* */
    int every_epochs, keep, allow_changes;
    long long every_steps;
    tn_cli_overrides run;
    int argc;               /* the command line, for the hint of how to resume */
    char **argv;
} train_opts;

/* "N" epochs or "Nsteps" (also "Nepochs", "Nstep", "Nepoch"). */
static int parse_every(const char *v, train_opts *o)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || n < 1 || !(*v >= '0' && *v <= '9'))
        return -1;
    if (!*end || !strcmp(end, "epochs") || !strcmp(end, "epoch")) {
        if (n > 1000000)
            return -1;
        o->every_epochs = (int)n;
    } else if (!strcmp(end, "steps") || !strcmp(end, "step")) {
        o->every_steps = n;
    } else {
        return -1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, train_opts *o)
{
    *o = (train_opts){.run = {-1, -1, -1}, .keep = 2, .argc = argc, .argv = argv};
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int m;
        long long k;
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
        } else if ((m = tn_cli_option(argc, argv, &i, "--checkpoint-every", &v))) {
            if (m < 0 || parse_every(v, o))
                return tn_cli_usage("train", usage, "--checkpoint-every needs a number of "
                                    "epochs (e.g. 5) or of steps (e.g. 500steps)");
        } else if ((m = tn_cli_option(argc, argv, &i, "--checkpoint-prefix", &v))) {
            if (m < 0 || !*v)
                return tn_cli_usage("train", usage, "--checkpoint-prefix needs a path prefix");
            o->prefix = v;
        } else if ((m = tn_cli_option(argc, argv, &i, "--keep-checkpoints", &v))) {
            if (m < 0 || tn_cli_int(v, 0, 1000000, &k))
                return tn_cli_usage("train", usage, "--keep-checkpoints needs a count (0: "
                                    "keep all)");
            o->keep = (int)k;
        } else if ((m = tn_cli_option(argc, argv, &i, "--resume", &v))) {
            if (m < 0)
                return tn_cli_usage("train", usage, "--resume needs a checkpoint file");
            o->resume = v;
        } else if ((m = tn_cli_option(argc, argv, &i, "--init", &v))) {
            if (m < 0)
                return tn_cli_usage("train", usage, "--init needs a model file");
            o->init = v;
        } else if (!strcmp(argv[i], "--allow-changes")) {
            o->allow_changes = 1;
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
    if (o->resume && o->init)
        return tn_cli_usage("train", usage, "--resume continues a run, --init starts one from a "
                            "model: give one of them");
    if (o->allow_changes && !o->resume)
        return tn_cli_usage("train", usage, "--allow-changes goes with --resume");
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
    int n, cap;
} history;

static void history_epoch(void *user, const tn_epoch_info *r)
{
    history *hi = user;
    tn_progress_epoch(hi->pg, r);
    if (hi->h && hi->n < hi->cap)
        hi->h[hi->n++] = *r;
}

static void history_batch(void *user, int epoch, size_t batch, size_t n_batches)
{
    tn_progress_batch(((history *)user)->pg, epoch, batch, n_batches);
}

static void history_checkpoint(void *user, const char *path)
{
    tn_progress_checkpoint(((history *)user)->pg, path);
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
    /* The curves are of the rows seen during training: training and validation rows. */
    tn_plot_info info = {tn_model_name(m), loss, "validation", res->best_epoch, res->train,
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
           res.interrupted ? " (interrupted)" : res.stopped_early ? " (stopped early)" : "",
           res.best_epoch, tn_model_n_params(m));
    const char *chosen = tn_trainer_chosen_by(t);
    if (chosen && strncmp(chosen, "nothing", 7) != 0)
        printf("chosen during training: %s\n", chosen);
    print_metrics("train", &res.train);
    if (res.val.rows)
        print_metrics("validation", &res.val);
    if (kind >= 0)
        print_metrics(kind ? "test" : "holdout", &res.test);
    int rc = TN_OK;
    /* The fullest figures of the rows furthest from training: the test rows, else the
     * validation rows, else the training rows; from the passes training already made. */
    int split = kind >= 0 ? TN_SPLIT_TEST : res.val.rows ? TN_SPLIT_VAL : TN_SPLIT_TRAIN;
    const char *label = split == TN_SPLIT_TEST ? (kind ? "test" : "holdout")
                        : split == TN_SPLIT_VAL ? "validation" : "train";
    const tn_data *d = tn_trainer_data(t, split);
    const tn_report *rep = tn_trainer_report(t, split);
    if (rep)
        tn_cli_print_report(label, m, rep);
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

/* The checkpoints' path prefix: --checkpoint-prefix, else the model's path without its
 * extension, else the config's file name without its directory and extension (in the
 * working directory). */
static char *checkpoint_prefix(const train_opts *o)
{
    if (o->prefix)
        return strdup(o->prefix);
    const char *from = o->model ? o->model : o->config;
    if (!o->model) {
        const char *slash = strrchr(from, '/');
        from = slash ? slash + 1 : from;
    }
    char *p = strdup(from);
    char *dot = p ? strrchr(p, '.') : NULL, *slash = p ? strrchr(p, '/') : NULL;
    if (dot && dot != p && (!slash || dot > slash + 1))
        *dot = '\0';
    return p;
}

/* Everything before training that can fail: the config, overrides, where the outputs go,
 * the checkpoint to resume or the model to start from, the data, the plot directory. */
static int prepare(const train_opts *o, tn_trainer *t, history *hist, tn_error *err)
{
    int rc = tn_cli_trainer_err(t, tn_cli_apply_overrides(&o->run, t), err);
    if (rc == TN_OK)
        warn_untrainable(tn_trainer_model(t));
    if (rc == TN_OK && o->model) /* found now, not after the training */
        rc = tn_check_writable(o->model, err);
    char *prefix = rc == TN_OK ? checkpoint_prefix(o) : NULL;
    if (rc == TN_OK && !prefix)
        rc = tn_cli_err(err, TN_ENOMEM, "out of memory");
    if (rc == TN_OK) {
        /* A checkpoint's name is the prefix plus "-epochE[-batchB].ckpt": checking one
         * such name checks the directory. Asked-for checkpoints must be writable; the one
         * a signal would leave is only dropped (with a note) when it could not be. */
        size_t n = strlen(prefix) + 8;
        char *probe = malloc(n);
        tn_error perr = {0};
        if (!probe) {
            rc = tn_cli_err(err, TN_ENOMEM, "out of memory");
        } else {
            snprintf(probe, n, "%s.ckpt", prefix);
            if (tn_check_writable(probe, &perr) == TN_OK) {
                /* fine */
            } else if (o->every_epochs || o->every_steps || o->prefix) {
                *err = perr;
                rc = perr.code;
            } else {
                if (tn_cli_verbosity >= 0 && isatty(STDERR_FILENO))
                    fprintf(stderr, "tinynet: note: Ctrl-C will leave no checkpoint: %s\n",
                            perr.msg);
                free(prefix);
                prefix = NULL;
            }
            free(probe);
        }
    }
    if (rc == TN_OK)
        rc = tn_cli_trainer_err(t, tn_trainer_set_checkpoints(t, prefix, o->every_epochs,
                                                              o->every_steps, o->keep), err);
    free(prefix);
    if (rc == TN_OK && o->resume)
        rc = tn_cli_trainer_err(t, tn_trainer_resume(t, o->resume, o->allow_changes
                                                                  ? TN_RESUME_ALLOW_CHANGES : 0),
                                err);
    if (rc == TN_OK && o->init) {
        tn_model *m = NULL;
        rc = tn_model_load(o->init, 0, &m, err);
        if (rc == TN_OK)
            rc = tn_cli_trainer_err(t, tn_trainer_init_from(t, m), err);
        tn_model_free(m);
    }
    if (rc == TN_OK)
        rc = tn_cli_trainer_err(t, tn_trainer_load_data(t), err);
    /* The plot directory is made before training, so a bad one costs no training time. */
    tn_train_settings set;
    tn_trainer_settings(t, &set);
    if (rc == TN_OK && o->plot && mkdir(o->plot, 0777) != 0 && errno != EEXIST)
        rc = tn_cli_err(err, TN_EIO, "%s: cannot create the directory: %s", o->plot,
                        strerror(errno));
    if (rc == TN_OK && o->plot) {
        hist->cap = set.epochs;
        if (!(hist->h = calloc((size_t)set.epochs, sizeof *hist->h)))
            rc = tn_cli_err(err, TN_ENOMEM, "out of memory");
    }
    return rc;
}

/* An argument as a shell reads it back: quoted unless it is plainly safe. */
static void put_arg(const char *a)
{
    if (*a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                        "_-+=./,:@%") == strlen(a)) {
        fprintf(stderr, " %s", a);
        return;
    }
    fputs(" '", stderr);
    for (; *a; a++) {
        if (*a == '\'')
            fputs("'\\''", stderr);
        else if ((unsigned char)*a < 0x20 || *a == 0x7f)
            fprintf(stderr, "'$'\\x%02x''", (unsigned char)*a);
        else
            fputc(*a, stderr);
    }
    fputc('\'', stderr);
}

/* After an interrupted fit: what was kept, and the command that goes on: this one with
 * every option it had (epochs, seed, threads, -o, ...), --resume in place of --resume or
 * --init. */
static void say_interrupted(const train_opts *o, tn_trainer *t, int signo)
{
    const char *ck = tn_trainer_last_checkpoint(t);
    fprintf(stderr, "tinynet: interrupted by %s%s%s\n", tn_cli_signal_name(signo),
            ck ? ": checkpoint " : "", ck ? ck : "");
    if (!ck)
        return;
    fprintf(stderr, "tinynet: continue with: tinynet train");
    for (int i = 1; i < o->argc; i++) {
        const char *a = o->argv[i];
        int with_value = !strcmp(a, "--resume") || !strcmp(a, "--init");
        if (with_value || !strncmp(a, "--resume=", 9) || !strncmp(a, "--init=", 7) ||
            !strcmp(a, "--allow-changes")) {
            i += with_value;
            continue;
        }
        put_arg(a);
    }
    fprintf(stderr, " --resume");
    put_arg(ck);
    fputc('\n', stderr);
}

static int run(const train_opts *o, tn_error *err)
{
    tn_trainer *t = NULL;
    tn_progress pg = {0};
    history hist = {&pg, NULL, 0, 0};
    int rc = tn_trainer_new(o->config, &t, err);
    if (rc == TN_OK)
        rc = prepare(o, t, &hist, err);
    if (rc == TN_OK)
        rc = tn_progress_open(&pg, o->log, t, err);
    rc = tn_dist_agree(rc, err); /* under mpirun, one process's failure ends all */
    if (rc) {
        free(hist.h);
        tn_trainer_free(t);
        return rc;
    }
    if (!o->model && tn_cli_verbosity >= 0 && isatty(STDERR_FILENO))
        fprintf(stderr, "tinynet: note: no -o MODEL given: the trained model will not be "
                "saved\n");
    tn_train_hooks hooks = {.user = &hist, .on_batch = history_batch, .on_epoch = history_epoch,
                            .should_stop = tn_cli_should_stop,
                            .on_checkpoint = history_checkpoint};
    tn_cli_interrupt_catch();
    rc = tn_cli_trainer_err(t, tn_trainer_fit(t, &hooks), err);
    tn_fit_result res;
    int fitted = rc == TN_OK && tn_trainer_result(t, &res) == TN_OK;
    /* The model is saved first: the log, the report and the pictures after it may fail
     * without costing the training. A signal now waits for the save (a second one ends
     * the process; the temporary file it leaves is removed by the next save). */
    int saved = 0;
    if (fitted && o->model)
        saved = (rc = tn_cli_trainer_err(t, tn_trainer_save(t, o->model), err)) == TN_OK;
    /* Past the save, a signal is the default one again: it ends the report at once. */
    int signo = tn_cli_interrupted();
    tn_cli_interrupt_restore();
    const char *ck_error = tn_trainer_checkpoint_error(t);
    if (ck_error) /* training went on without it; the exit status says so below */
        fprintf(stderr, "tinynet: warning: %s\n", ck_error);
    tn_error log_err = {0};
    tn_progress_end end = {fitted ? &res : NULL, rc ? err->msg : NULL, signo,
                           tn_cli_signal_name(signo), tn_trainer_last_checkpoint(t), ck_error,
                           fitted ? tn_trainer_chosen_by(t) : NULL,
                           {tn_trainer_report(t, TN_SPLIT_TRAIN), tn_trainer_report(t, TN_SPLIT_VAL),
                            tn_trainer_report(t, TN_SPLIT_TEST)}};
    int log_rc = tn_progress_close(&pg, &end, &log_err);
    if (fitted && res.interrupted)
        say_interrupted(o, t, signo);
    if (rc == TN_OK && tn_dist_rank() == 0) /* under mpirun, the others' would repeat it */
        rc = report(o, t, &hist, err);
    if (saved)
        printf("saved %s\n", o->model);
    if (rc == TN_OK && log_rc) {
        *err = log_err;
        rc = log_rc;
    }
    if (rc == TN_OK && ck_error)
        rc = tn_cli_err(err, TN_EIO, "%s", ck_error);
    if (rc && saved) { /* what failed after the save did not cost the model */
        tn_error first = *err;
        tn_cli_err(err, rc, "the model was saved to %s, but %s", o->model, first.msg);
    }
    free(hist.h);
    tn_trainer_free(t);
    if (rc == TN_OK && signo)
        return 128 + signo; /* the shell's convention for "ended by this signal" */
    return rc;
}

int tn_cli_train(int argc, char **argv)
{
    if (tn_cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Trains the network described by CONFIG (JSON) and prints the final loss and\n"
               "accuracy on the training rows, on the validation rows (train.validation: held\n"
               "out of the training rows, they choose the kept epoch with patience) and on\n"
               "the test or held-out rows, evaluated once after training, then the task's\n"
               "metrics (see tinynet eval --help). With ratings\n"
               "data (\"format\": \"ratings\") it then prints log-loss, AUC, HR@k and NDCG@k\n"
               "of the model beside a popularity baseline.\n\n"
               "  -o, --output MODEL  save the trained model (.tnn)\n"
               "  --epochs N          override train.epochs\n"
               "  --seed S            override the seed (initialisation, shuffling, dropout)\n"
               "  --threads T         BLAS threads (results are bit-exact per thread count)\n"
               "  --log FILE.jsonl    write one JSON object per epoch\n"
               "  --plot DIR          write DIR/curves.svg (loss and accuracy per epoch,\n"
               "                      train and validation, the kept epoch marked) and, for a class\n"
               "                      output whose input is a square image,\n"
               "                      DIR/misclassified.svg (the most confidently misclassified\n"
               "                      test images, true and predicted class)\n"
               "  --plot-scale S      the loss axis: linear, log, or auto (log when the loss\n"
               "                      spans more than a factor of 100; the default)\n"
               "  --checkpoint-every N[steps]\n"
               "                      write a checkpoint every N epochs (or N steps) and at\n"
               "                      the end: PREFIX-epochE.ckpt, PREFIX-epochE-batchB.ckpt\n"
               "  --checkpoint-prefix P  PREFIX (default: MODEL without .tnn, else the\n"
               "                      config's name in the working directory)\n"
               "  --keep-checkpoints K  keep the last K checkpoints (default 2; 0: all)\n"
               "  --resume CKPT       continue a checkpoint bit for bit (same config, seed,\n"
               "                      thread count and data; --epochs may grow)\n"
               "  --allow-changes     resume even though the config, seed, threads or data\n"
               "                      changed (the result is then not bit-exact)\n"
               "  --init MODEL        start from a saved model's parameters and input scaling,\n"
               "                      with a fresh optimizer (fine-tuning, more epochs)\n\n"
               "Ctrl-C (SIGINT) or SIGTERM stops after the current step, writes a checkpoint\n"
               "and the model (with -o), says how to continue and exits 130 (143); a second\n"
               "one stops at once.\n"
               "The log has each epoch's learning rate (train.lr_schedule) and the config's\n"
               "\"metrics\" on the validation rows; its end record the final metrics.\n"
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
    /* Under mpirun, process 0 alone writes the model, the log, the plots and checkpoints. */
    rc = tn_cli_dist_start(&err);
    if (rc == TN_OK && tn_dist_rank() > 0) {
        o.model = o.log = o.plot = o.prefix = NULL;
        o.every_epochs = 0;
        o.every_steps = 0;
    }
    int rank = tn_dist_rank();
    if (rc == TN_OK)
        rc = run(&o, &err);
    /* Process 0 says why before MPI ends: once the others have left MPI_Finalize and exit
     * non-zero, mpirun may end process 0 before it could. Interrupted (> 128): work saved. */
    int code = rc > 128 ? rc : rc == TN_OK ? TN_EXIT_OK
                                : rank == 0 ? tn_cli_fail(&err) : TN_EXIT_FAIL;
    tn_cli_dist_end();
    return code;
}
