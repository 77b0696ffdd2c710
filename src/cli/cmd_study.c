/* tinynet study CONFIG --activations A,B,...: the tutorials' claims about activations,
 * measured. The same network, data and seed are trained once per activation, which
 * replaces the activation of every hidden dense layer (the last layer keeps its own; an
 * explicit "init" in the config is kept, otherwise each activation brings its default
 * init, e.g. he_uniform for relu, lecun_normal for selu). For each run it reports
 *
 *   - the best validation accuracy over the epochs (validation rows held out of the
 *     training rows: train.validation, 0.2 when the config has none), the first epoch
 *     reaching --target on them, and the test accuracy of the last epoch's parameters,
 *     evaluated once after training (the best-over-epochs test figure would be chosen
 *     on the test rows);
 *   - forward statistics at initialisation: mean and variance of each layer's outputs
 *     over the training data (all units and rows pooled), before any step; this is where
 *     SELU's self-normalisation claim applies;
 *   - dead units: units whose derivative f'(z) is exactly zero for every training row
 *     (a ReLU unit never active), at init and after training, in inference mode;
 *   - gradient norms in the first epoch: the mean over batches of ||dW|| per layer.
 *
 * The per-step gradient norms come from the training loop's on_step hook. */
#include "cli.h"

#include "tinynet/inspect.h"
#include "tinynet/train.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "tinynet study CONFIG [--activations A,B,...] [--target ACC] [--epochs N] [--seed S] "
    "[--threads T]";

#define DEFAULT_ACTS "sigmoid,tanh,relu,leaky_relu,elu,selu"
#define MAX_ACTS 32

typedef struct study_opts {
    const char *config;
    const char *acts[MAX_ACTS];
    int n_acts;
    char act_buf[1024];
    double target;
    tn_cli_overrides run;
} study_opts;

/* Per layer of one run. */
typedef struct layer_stat {
    double mean0, var0;       /* outputs at init */
    double mean1, var1;       /* outputs after training */
    double dead0, dead1;      /* fraction of units with f' = 0 on every row; NaN: n/a */
    double gsum;              /* sum over first-epoch batches of ||dW|| */
    size_t gn;
} layer_stat;

typedef struct study_run {
    const char *act;
    layer_stat *L;            /* net->n_layers */
    int n_layers;
    double best_acc;
    int diverged;             /* training stopped on a non-finite loss */
    int to_target;            /* first epoch with validation accuracy >= target; 0: never */
    double test_acc;          /* the last epoch's parameters on the test rows */
    int epochs_done;
    double target, seconds;
} study_run;

/* ---- arguments ---------------------------------------------------------------------- */

static int split_acts(study_opts *o, const char *list)
{
    if (strlen(list) >= sizeof o->act_buf)
        return tn_cli_usage("study", usage, "--activations is too long");
    strcpy(o->act_buf, list);
    o->n_acts = 0;
    for (char *p = strtok(o->act_buf, ","); p; p = strtok(NULL, ",")) {
        if (o->n_acts == MAX_ACTS)
            return tn_cli_usage("study", usage, "at most %d activations", MAX_ACTS);
        if (!tn_activation_find(p)) {
            const char *hint = tn_activation_suggest(p);
            if (hint)
                return tn_cli_usage("study", usage, "unknown activation \"%s\" (did you mean "
                                    "\"%s\"?)", p, hint);
            return tn_cli_usage("study", usage, "unknown activation \"%s\" (`tinynet "
                                "activations` lists them)", p);
        }
        o->acts[o->n_acts++] = p;
    }
    if (o->n_acts == 0)
        return tn_cli_usage("study", usage, "--activations needs at least one name");
    return TN_EXIT_OK;
}

static int parse_args(int argc, char **argv, study_opts *o)
{
    memset(o, 0, sizeof *o);
    o->target = 0.95;
    o->run = (tn_cli_overrides){-1, -1, -1};
    const char *acts = DEFAULT_ACTS;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int m;
        if ((m = tn_cli_option(argc, argv, &i, "--activations", &v))) {
            if (m < 0)
                return tn_cli_usage("study", usage, "--activations needs a list A,B,...");
            acts = v;
        } else if ((m = tn_cli_option(argc, argv, &i, "--target", &v))) {
            char *end;
            if (m < 0 || !(o->target = strtod(v, &end), *v && !*end) || !(o->target > 0) ||
                o->target > 1)
                return tn_cli_usage("study", usage, "--target needs an accuracy in (0, 1]");
        } else if ((m = tn_cli_override("study", usage, argc, argv, &i, &o->run))) {
            if (m != 1)
                return m;
        } else if ((m = tn_cli_positional("study", usage, i, argv[i], &o->config))) {
            return m;
        }
    }
    if (!o->config)
        return tn_cli_usage("study", usage, "missing CONFIG");
    return split_acts(o, acts);
}

/* ---- the config with another hidden activation --------------------------------------- */

/* A trainer for the config text with every dense layer but the last using act. The text
 * was validated by the trainer of the original file, so cJSON's lenient parse is enough. */
static int trainer_with(const char *path, const char *text, size_t len, const char *act,
                        tn_trainer **out, tn_error *err)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root)
        return tn_cli_err(err, TN_ENOMEM, "out of memory");
    cJSON *layers = cJSON_GetObjectItemCaseSensitive(root, "layers");
    int n = cJSON_IsArray(layers) ? cJSON_GetArraySize(layers) : 0;
    for (int i = 0; i + 1 < n; i++) {
        cJSON *L = cJSON_GetArrayItem(layers, i);
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(L, "type");
        if (!cJSON_IsObject(L) || !cJSON_IsString(type) || strcmp(type->valuestring, "dense"))
            continue;
        cJSON *s = cJSON_CreateString(act);
        if (!s) {
            cJSON_Delete(root);
            return tn_cli_err(err, TN_ENOMEM, "out of memory");
        }
        if (cJSON_GetObjectItemCaseSensitive(L, "activation"))
            cJSON_ReplaceItemInObjectCaseSensitive(L, "activation", s);
        else
            cJSON_AddItemToObject(L, "activation", s);
    }
    /* Validation rows for the per-epoch figures, so the test rows stay unseen. */
    cJSON *train = cJSON_GetObjectItemCaseSensitive(root, "train");
    if (cJSON_IsObject(train) && !cJSON_GetObjectItemCaseSensitive(train, "validation") &&
        !cJSON_AddNumberToObject(train, "validation", 0.2)) {
        cJSON_Delete(root);
        return tn_cli_err(err, TN_ENOMEM, "out of memory");
    }
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!json)
        return tn_cli_err(err, TN_ENOMEM, "out of memory");
    /* Same path: errors name the file, and data paths resolve against its directory. */
    int rc = tn_trainer_new_text(path, json, strlen(json), out, err);
    cJSON_free(json);
    return rc;
}

/* ---- measurements ------------------------------------------------------------------- */

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* First epoch only: ||dW|| of each layer's first tensor (the weight matrix). */
static void on_step(void *user, const tn_step *step)
{
    study_run *s = user;
    if (s->epochs_done > 0)
        return;
    for (int l = 0; l < s->n_layers; l++) {
        double g = tn_step_grad_norm(step, (size_t)l);
        if (isnan(g))
            continue;
        s->L[l].gsum += g;
        s->L[l].gn++;
    }
}

static void on_epoch(void *user, const tn_epoch_info *r)
{
    study_run *s = user;
    s->epochs_done = r->epoch;
    if (r->has_val && r->val.accuracy > s->best_acc)
        s->best_acc = r->val.accuracy;
    if (r->has_val && !s->to_target && r->val.accuracy >= s->target)
        s->to_target = r->epoch;
}

/* Layer statistics of the trainer's current parameters over its training rows. */
static int stats(tn_trainer *t, tn_layer_stats *st, tn_error *err)
{
    tn_train_settings set;
    tn_trainer_settings(t, &set);
    const tn_model *m = tn_trainer_model(t);
    if (!m)
        return tn_cli_trainer_err(t, TN_ENOMEM, err);
    return tn_layer_stats_compute(m, tn_trainer_data(t, TN_SPLIT_TRAIN), set.batch_size, st,
                                  err);
}

/* The study trains classifiers: data with test rows, in any format but ratings. */
static int check_data(tn_trainer *t, tn_error *err)
{
    tn_train_settings set;
    tn_trainer_settings(t, &set);
    const tn_model *m = tn_trainer_model(t);
    const char *format = m ? tn_model_data_format(m) : "?";
    if (strcmp(format, "ratings") == 0)
        return tn_cli_err(err, TN_ECONFIG, "%s: the study trains classifiers on csv, idx or "
                    "fashion-mnist data, not ratings", set.config);
    int rc = tn_cli_trainer_err(t, tn_trainer_load_data(t), err);
    if (rc == TN_OK && !tn_trainer_data(t, TN_SPLIT_TEST))
        rc = tn_cli_err(err, TN_ECONFIG, "%s: the study needs test data (data.test or "
                  "data.holdout)", set.config);
    return rc;
}

static int study_one(const study_opts *o, const char *text, size_t len, study_run *s,
                     tn_trainer **first, tn_error *err)
{
    tn_trainer *t = NULL;
    tn_layer_stats *st = NULL;
    double t0 = seconds();
    int rc = trainer_with(o->config, text, len, s->act, &t, err);
    if (rc == TN_OK)
        rc = tn_cli_trainer_err(t, tn_cli_apply_overrides(&o->run, t), err);
    if (rc == TN_OK)
        rc = check_data(t, err);
    if (rc == TN_OK) {
        s->n_layers = (int)tn_model_n_layers(tn_trainer_model(t));
        if (!(s->L = calloc((size_t)s->n_layers, sizeof *s->L)) ||
            !(st = calloc((size_t)s->n_layers, sizeof *st)))
            rc = tn_cli_err(err, TN_ENOMEM, "out of memory");
    }
    size_t nl = (size_t)s->n_layers;
    if (rc == TN_OK && !(rc = tn_cli_trainer_err(t, tn_trainer_init(t), err)) &&
        !(rc = stats(t, st, err)))
        for (size_t l = 0; l < nl; l++) {
            s->L[l].mean0 = st[l].mean;
            s->L[l].var0 = st[l].var;
            s->L[l].dead0 = st[l].dead;
        }
    if (rc == TN_OK) {
        tn_train_hooks h = {.user = s, .on_epoch = on_epoch, .on_step = on_step};
        rc = tn_trainer_fit(t, &h);
        /* A diverging activation is a result, not a failure of the study. */
        if (rc == TN_ERANGE) {
            s->diverged = 1;
            rc = TN_OK;
            for (size_t l = 0; l < nl; l++)
                s->L[l].mean1 = s->L[l].var1 = s->L[l].dead1 = NAN;
        }
        rc = tn_cli_trainer_err(t, rc, err);
        tn_fit_result res;
        s->test_acc = rc == TN_OK && !s->diverged && tn_trainer_result(t, &res) == TN_OK
                          ? res.test.accuracy : NAN;
    }
    if (rc == TN_OK && !s->diverged && !(rc = stats(t, st, err)))
        for (size_t l = 0; l < nl; l++) {
            s->L[l].mean1 = st[l].mean;
            s->L[l].var1 = st[l].var;
            s->L[l].dead1 = st[l].dead;
        }
    s->seconds = seconds() - t0;
    free(st);
    if (rc == TN_OK && first && !*first)
        *first = t;
    else
        tn_trainer_free(t);
    return rc;
}

/* ---- report ------------------------------------------------------------------------- */

static double gmean(const layer_stat *L) { return L->gn ? L->gsum / (double)L->gn : NAN; }

/* Mean dead fraction over the hidden layers (those with a per-unit derivative). */
static double dead_frac(const study_run *s, int after)
{
    double sum = 0;
    int n = 0;
    for (int l = 0; l + 1 < s->n_layers; l++) {
        double d = after ? s->L[l].dead1 : s->L[l].dead0;
        if (!isnan(d)) {
            sum += d;
            n++;
        }
    }
    return n ? sum / n : NAN;
}

static void print_pct(double v)
{
    if (isnan(v))
        printf(" %6s", "-");
    else
        printf(" %5.1f%%", 100.0 * v);
}

static void report(const study_opts *o, tn_trainer *t, const study_run *runs, int n)
{
    tn_train_settings c;
    tn_trainer_settings(t, &c);
    int nl = runs[0].n_layers, first = 0, mid = (nl - 2) / 2, last = nl - 2;
    if (nl < 2)
        mid = last = 0;
    printf("study of %s: %d hidden layer%s, seed %llu, %d epochs, target accuracy %g\n",
           c.config, nl - 1, nl == 2 ? "" : "s", c.seed, c.epochs, o->target);
    printf("hidden layers h1..h%d (the output layer keeps its activation); statistics over "
           "the %s\n\n", nl - 1, "training data");
    printf("%-12s %6s %6s %6s |%-42s |%-14s |%s\n", "", "best", "epochs", "",
           " layer outputs at init: mean/var", " dead units", " mean ||dW|| in epoch 1");
    printf("%-12s %6s %6s %6s |", "activation", "val", "to tgt", "test");
    int which[3] = {first, mid, last};
    for (int k = 0; k < 3; k++) {
        char h[16];
        snprintf(h, sizeof h, "h%d", which[k] + 1);
        printf(" %-13s", h);
    }
    printf(" | %6s %6s | %8s %8s %8s %8s\n", "init", "end", "h1", "h2", "last h", "h2/last");
    printf("%.*s\n", 128, "----------------------------------------------------------------------"
           "---------------------------------------------------------------");
    for (int r = 0; r < n; r++) {
        const study_run *s = &runs[r];
        char tt[16], best[16], test[16];
        snprintf(tt, sizeof tt, s->to_target ? "%d" : "-", s->to_target);
        snprintf(best, sizeof best, s->diverged ? "diverg" : "%.4f", s->best_acc);
        snprintf(test, sizeof test, s->diverged || isnan(s->test_acc) ? "-" : "%.4f",
                 s->test_acc);
        printf("%-12s %6s %6s %6s |", s->act, best, tt, test);
        for (int k = 0; k < 3; k++)
            printf(" %6.3f/%-6.3f", s->L[which[k]].mean0, s->L[which[k]].var0);
        printf(" |");
        print_pct(dead_frac(s, 0));
        print_pct(dead_frac(s, 1));
        double g2 = gmean(&s->L[nl > 2 ? 1 : 0]), gl = gmean(&s->L[last]);
        printf(" | %8.2e %8.2e %8.2e %8.2e\n", gmean(&s->L[first]), g2, gl, g2 / gl);
    }
    printf("\nper layer (h1 .. h%d, then the output layer):\n", nl - 1);
    for (int r = 0; r < n; r++) {
        const study_run *s = &runs[r];
        printf("%s\n", s->act); /* no timings here: stdout stays byte-reproducible */
        printf("  %-18s", "mean at init");
        for (int l = 0; l < nl; l++)
            printf(" %7.3f", s->L[l].mean0);
        printf("\n  %-18s", "var at init");
        for (int l = 0; l < nl; l++)
            printf(" %7.3f", s->L[l].var0);
        printf("\n  %-18s", "var after training");
        for (int l = 0; l < nl; l++)
            printf(" %7.3g", s->L[l].var1);
        printf("\n  %-18s", "dead after training");
        for (int l = 0; l < nl; l++)
            isnan(s->L[l].dead1) ? printf(" %7s", "-") : printf(" %6.0f%%", 100 * s->L[l].dead1);
        printf("\n  %-18s", "||dW|| epoch 1");
        for (int l = 0; l < nl; l++)
            printf(" %7.1e", gmean(&s->L[l]));
        printf("\n");
    }
    printf("\ndead: units whose derivative is exactly 0 on every training row (mean over the "
           "hidden layers; '-': not defined for row-wise activations).\n"
           "||dW||: Frobenius norm of the weight gradient of the batch-mean loss, averaged "
           "over the batches of epoch 1\n(h1 has only as many weights as the input has "
           "features, so h2/last compares like with like).\n");
}

static int run(const study_opts *o, tn_error *err)
{
    char *text = NULL;
    size_t len;
    tn_trainer *check = NULL;
    /* The file as given first: its own errors, then its text for the variants. */
    int rc = tn_trainer_new(o->config, &check, err);
    tn_trainer_free(check);
    if (rc == TN_OK)
        rc = tn_read_file(o->config, (size_t)16 << 20, &text, &len, err);
    if (rc)
        return rc;
    study_run runs[MAX_ACTS];
    memset(runs, 0, sizeof runs);
    tn_trainer *first = NULL;
    for (int i = 0; rc == TN_OK && i < o->n_acts; i++) {
        runs[i].act = o->acts[i];
        runs[i].target = o->target;
        rc = study_one(o, text, len, &runs[i], &first, err);
        /* Progress and timings are for a person watching (or -v); logs and pipes get none. */
        if (rc == TN_OK && (tn_cli_show_progress() || tn_cli_verbosity > 0))
            fprintf(stderr, "tinynet study: %s done (%.1f s)\n", runs[i].act, runs[i].seconds);
        else if (rc) {
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err->msg);
            snprintf(err->msg, sizeof err->msg, "%.40s: %.400s", runs[i].act, msg);
        }
    }
    if (rc == TN_OK)
        report(o, first, runs, o->n_acts);
    for (int i = 0; i < o->n_acts; i++)
        free(runs[i].L);
    tn_trainer_free(first);
    tn_free(text);
    return rc;
}

int tn_cli_study(int argc, char **argv)
{
    if (tn_cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Trains the network of CONFIG once per activation, with the same seed and data,\n"
               "replacing the activation of every hidden dense layer (the last layer keeps\n"
               "its own), and prints a comparison table:\n\n"
               "  the best validation accuracy over the epochs (rows held out of the training\n"
               "  rows: train.validation, 0.2 when the config sets none) and the first epoch\n"
               "  reaching --target on them; the test accuracy of the last epoch, once;\n"
               "  mean and variance of the layer outputs at initialisation (training data);\n"
               "  dead units: derivative exactly 0 on every training row, at init and end;\n"
               "  mean over the batches of epoch 1 of ||dW|| per layer (gradient flow).\n\n"
               "  --activations A,B,...  default " DEFAULT_ACTS "\n"
               "  --target ACC           default 0.95\n"
               "  --epochs N, --seed S, --threads T   override the config\n\n"
               "Each activation uses its default weight init unless the config sets \"init\".\n"
               "Try: tinynet study models/deep_ring.json\n", usage);
        return TN_EXIT_OK;
    }
    study_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    tn_error err = {0};
    if (run(&o, &err))
        return tn_cli_fail(&err);
    return TN_EXIT_OK;
}
