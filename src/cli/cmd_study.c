/* tinynet study CONFIG --activations A,B,...: the tutorials' claims about activations,
 * measured. The same network, data and seed are trained once per activation, which
 * replaces the activation of every hidden dense layer (the last layer keeps its own; an
 * explicit "init" in the config is kept, otherwise each activation brings its default
 * init, e.g. he_uniform for relu, lecun_normal for selu). For each run it reports
 *
 *   - best test accuracy over the epochs, and the first epoch reaching --target;
 *   - forward statistics at initialisation: mean and variance of each layer's outputs
 *     over the training data (all units and rows pooled), before any step; this is where
 *     SELU's self-normalisation claim applies;
 *   - dead units: units whose derivative f'(z) is exactly zero for every training row
 *     (a ReLU unit never active), at init and after training, in inference mode;
 *   - gradient norms in the first epoch: the mean over batches of ||dW|| per layer.
 *
 * The per-step gradient norms come from the training loop's on_step hook. */
#include "cli/cli.h"

#include "core/alloc.h"
#include "core/clock.h"
#include "core/blas.h"
#include "core/error.h"
#include "train/config.h"
#include "data/load.h"
#include "core/file.h"
#include "core/json.h"
#include "act/inst.h"
#include "train/train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    int to_target;            /* first epoch with test accuracy >= target; 0: never */
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
            const char *hint = tn__act_closest(p);
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
        } else if ((m = tn_cli_positional("study", usage, argv[i], &o->config))) {
            return m;
        }
    }
    if (!o->config)
        return tn_cli_usage("study", usage, "missing CONFIG");
    return split_acts(o, acts);
}

/* ---- the config with another hidden activation --------------------------------------- */

/* Parses the config text with every dense layer but the last using `act`. */
static int config_with(const char *path, const char *text, size_t len, const char *act,
                       tn_config **out, tn_error *err)
{
    cJSON *root;
    int rc = tn__jr_parse(path, text, len, &root, err);
    if (rc)
        return rc;
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
            return tn__err(err, TN_ENOMEM, "out of memory");
        }
        if (cJSON_GetObjectItemCaseSensitive(L, "activation"))
            cJSON_ReplaceItemInObjectCaseSensitive(L, "activation", s);
        else
            cJSON_AddItemToObject(L, "activation", s);
    }
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!json)
        return tn__err(err, TN_ENOMEM, "out of memory");
    /* Same path: errors name the file, and data paths resolve against its directory. */
    rc = tn__config_parse(path, json, strlen(json), out, err);
    cJSON_free(json);
    return rc;
}

/* The config's own data path (any format but ratings), with its scaling; the study
 * compares test accuracies, so it needs test or holdout data. */
static int load_data(const tn_config *c, tn_dataset **train, tn_dataset **test,
                     tn_scaling *scaling, tn_error *err)
{
    int val_is_test;
    *train = *test = NULL;
    if (c->data.format == TN_DATA_RATINGS)
        return tn__err(err, TN_ECONFIG, "%s: the study trains classifiers on csv, idx or "
                       "fashion-mnist data, not ratings", c->path);
    int rc = tn__data_load_config(c, train, test, &val_is_test, scaling, err);
    if (rc == TN_OK && !*test) {
        tn__dataset_free(*train);
        *train = NULL;
        rc = tn__err(err, TN_ECONFIG, "%s: the study needs test data (data.test or "
                     "data.holdout)", c->path);
    }
    return rc;
}

/* ---- measurements ------------------------------------------------------------------- */

static size_t max_width(const tn_net *net)
{
    size_t w = 1;
    for (int i = 0; i < net->n_layers; i++)
        w = net->layers[i].width > w ? net->layers[i].width : w;
    return w;
}

/* One inference pass over d: per layer mean and variance of the outputs (all units and
 * rows pooled) and the fraction of units whose derivative f'(z) is zero on every row.
 * Row-wise activations have no per-unit derivative: dead is NaN for them. */
static int forward_stats(const tn_net *net, const tn_dataset *d, size_t bs, double *mean,
                         double *var, double *dead, tn_error *err)
{
    tn_run *run;
    int rc = tn__run_new(net, bs, 0, 0, &run, err);
    if (rc)
        return rc;
    size_t W = max_width(net), nl = (size_t)net->n_layers;
    float *ones = tn__floats_alloc(bs * W), *dx = tn__floats_alloc(bs * W);
    float *dlearn = tn__floats_alloc(W + 1);
    double *s1 = tn__calloc(nl, sizeof *s1), *s2 = tn__calloc(nl, sizeof *s2);
    unsigned char **alive = tn__calloc(nl, sizeof *alive);
    if (!ones || !dx || !dlearn || !s1 || !s2 || !alive)
        rc = tn__err(err, TN_ENOMEM, "out of memory");
    for (size_t l = 0; rc == TN_OK && l < nl; l++)
        if (!(alive[l] = tn__calloc(net->layers[l].width, 1)))
            rc = tn__err(err, TN_ENOMEM, "out of memory");
    for (size_t i = 0; rc == TN_OK && i < bs * W; i++)
        ones[i] = 1.0f;
    for (size_t first = 0; rc == TN_OK && first < d->rows; first += bs) {
        size_t B = d->rows - first < bs ? d->rows - first : bs;
        for (int k = 0; k < d->n_inputs; k++)
            memcpy(run->out[k], d->x[k] + first * d->width[k], B * d->width[k] * sizeof(float));
        tn__run_forward(run, B);
        for (size_t l = 0; l < nl; l++) {
            const tn_layer *L = &net->layers[l];
            const float *y = run->out[L->node]; /* (B, width) */
            for (size_t i = 0; i < B * L->width; i++) {
                s1[l] += y[i];
                s2[l] += (double)y[i] * y[i];
            }
            const tn_act_inst *a = L->act;
            if (!a || (a->m->flags & TN_ACT_ROWWISE))
                continue;
            tn__act_inst_backward(a, net->P + tn__layer_act_offset(L), dlearn, run->training,
                                  &run->noise, tn__run_pre(run, (int)l), y, ones, dx, B,
                                  L->width);
            for (size_t i = 0; i < B * L->width; i++)
                if (dx[i] != 0.0f)
                    alive[l][i % L->width] = 1;
        }
    }
    for (size_t l = 0; rc == TN_OK && l < nl; l++) {
        const tn_layer *L = &net->layers[l];
        double n = (double)d->rows * (double)L->width;
        mean[l] = s1[l] / n;
        var[l] = fmax(s2[l] / n - mean[l] * mean[l], 0.0);
        const tn_act_inst *a = L->act;
        dead[l] = NAN;
        if (a && !(a->m->flags & TN_ACT_ROWWISE)) {
            size_t nd = 0;
            for (size_t j = 0; j < L->width; j++)
                nd += !alive[l][j];
            dead[l] = (double)nd / (double)L->width;
        }
    }
    for (size_t l = 0; alive && l < nl; l++)
        tn__free(alive[l]);
    tn__free(alive);
    tn__free(s1);
    tn__free(s2);
    tn__floats_free(ones);
    tn__floats_free(dx);
    tn__floats_free(dlearn);
    tn__run_free(run);
    return rc;
}

/* First epoch only: ||dW|| of each layer's first tensor (the weight matrix). */
static void on_step(void *user, const tn_run *run)
{
    study_run *s = user;
    if (s->epochs_done > 0)
        return;
    for (int l = 0; l < s->n_layers; l++) {
        const tn_layer *L = &run->net->layers[l];
        if (L->n_tensors == 0)
            continue;
        const tn_tensor_info *t = &L->tensors[0];
        const float *g = run->G + L->param_off + t->offset;
        double ss = 0;
        for (size_t i = 0; i < t->rows * t->cols; i++)
            ss += (double)g[i] * g[i];
        s->L[l].gsum += sqrt(ss);
        s->L[l].gn++;
    }
}

static void on_epoch(void *user, const tn_epoch_report *r)
{
    study_run *s = user;
    s->epochs_done = r->epoch;
    if (r->has_val && r->val.acc > s->best_acc)
        s->best_acc = r->val.acc;
    if (r->has_val && !s->to_target && r->val.acc >= s->target)
        s->to_target = r->epoch;
}

static int study_one(const study_opts *o, const char *text, size_t len, study_run *s,
                     tn_config **cfg_out, tn_error *err)
{
    tn_config *c = NULL;
    tn_dataset *train = NULL, *test = NULL;
    tn_scaling scaling = {0};
    double t0 = tn__seconds();
    int rc = config_with(o->config, text, len, s->act, &c, err);
    if (rc == TN_OK) {
        int threads;
        tn_cli_apply_overrides(&o->run, c, &threads);
        tn__blas_set_threads(threads);
        rc = load_data(c, &train, &test, &scaling, err);
    }
    if (rc == TN_OK) {
        s->n_layers = c->net->n_layers;
        if (!(s->L = tn__calloc((size_t)s->n_layers, sizeof *s->L)))
            rc = tn__err(err, TN_ENOMEM, "out of memory");
    }
    size_t nl = (size_t)s->n_layers;
    double *mean = NULL, *var = NULL, *dead = NULL;
    if (rc == TN_OK && (!(mean = tn__calloc(nl, sizeof *mean)) ||
                        !(var = tn__calloc(nl, sizeof *var)) ||
                        !(dead = tn__calloc(nl, sizeof *dead))))
        rc = tn__err(err, TN_ENOMEM, "out of memory");
    if (rc == TN_OK) {
        tn__net_init_params(c->net, c->train.seed);
        rc = forward_stats(c->net, train, c->train.batch_size, mean, var, dead, err);
        for (size_t l = 0; rc == TN_OK && l < nl; l++) {
            s->L[l].mean0 = mean[l];
            s->L[l].var0 = var[l];
            s->L[l].dead0 = dead[l];
        }
    }
    if (rc == TN_OK) {
        tn_train_hooks h = {.user = s, .on_epoch = on_epoch, .on_step = on_step};
        tn_train_result res;
        rc = tn__train(c->net, &c->loss, &c->optim, &c->train, train, test, &h, &res, err);
        /* A diverging activation is a result, not a failure of the study. */
        if (rc == TN_ERANGE) {
            s->diverged = 1;
            rc = TN_OK;
            for (size_t l = 0; l < nl; l++)
                s->L[l].mean1 = s->L[l].var1 = s->L[l].dead1 = NAN;
        }
    }
    if (rc == TN_OK && !s->diverged) {
        rc = forward_stats(c->net, train, c->train.batch_size, mean, var, dead, err);
        for (size_t l = 0; rc == TN_OK && l < nl; l++) {
            s->L[l].mean1 = mean[l];
            s->L[l].var1 = var[l];
            s->L[l].dead1 = dead[l];
        }
    }
    s->seconds = tn__seconds() - t0;
    tn__free(mean);
    tn__free(var);
    tn__free(dead);
    tn__dataset_free(train);
    tn__dataset_free(test);
    tn__scaling_free(&scaling);
    if (rc == TN_OK && cfg_out && !*cfg_out)
        *cfg_out = c;
    else
        tn__config_free(c);
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

static void report(const study_opts *o, const tn_config *c, const study_run *runs, int n)
{
    int nl = runs[0].n_layers, first = 0, mid = (nl - 2) / 2, last = nl - 2;
    if (nl < 2)
        mid = last = 0;
    printf("study of %s: %d hidden layer%s, seed %llu, %d epochs, target accuracy %g\n",
           c->path, nl - 1, nl == 2 ? "" : "s", (unsigned long long)c->train.seed,
           c->train.epochs, o->target);
    printf("hidden layers h1..h%d (the output layer keeps its activation); statistics over "
           "the %s\n\n", nl - 1, "training data");
    printf("%-12s %6s %6s |%-42s |%-14s |%s\n", "", "best", "epochs",
           " layer outputs at init: mean/var", " dead units", " mean ||dW|| in epoch 1");
    printf("%-12s %6s %6s |", "activation", "test", "to tgt");
    int which[3] = {first, mid, last};
    for (int k = 0; k < 3; k++) {
        char h[16];
        snprintf(h, sizeof h, "h%d", which[k] + 1);
        printf(" %-13s", h);
    }
    printf(" | %6s %6s | %8s %8s %8s %8s\n", "init", "end", "h1", "h2", "last h", "h2/last");
    printf("%.*s\n", 121, "---------------------------------------------------------------"
           "---------------------------------------------------------------");
    for (int r = 0; r < n; r++) {
        const study_run *s = &runs[r];
        char tt[16], best[16];
        snprintf(tt, sizeof tt, s->to_target ? "%d" : "-", s->to_target);
        snprintf(best, sizeof best, s->diverged ? "diverg" : "%.4f", s->best_acc);
        printf("%-12s %6s %6s |", s->act, best, tt);
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
    unsigned char *text;
    size_t len;
    int rc = tn__read_file(o->config, TN_CONFIG_MAX_BYTES, &text, &len, err);
    if (rc)
        return rc;
    study_run runs[MAX_ACTS];
    memset(runs, 0, sizeof runs);
    tn_config *first = NULL;
    for (int i = 0; rc == TN_OK && i < o->n_acts; i++) {
        runs[i].act = o->acts[i];
        runs[i].target = o->target;
        rc = study_one(o, (const char *)text, len, &runs[i], &first, err);
        /* Progress and timings are for a person watching; logs and pipes get none. */
        if (rc == TN_OK && isatty(2))
            fprintf(stderr, "tinynet study: %s done (%.1f s)\n", runs[i].act, runs[i].seconds);
        else if (rc)
            tn__err_prefix(err, "%s", runs[i].act);
    }
    if (rc == TN_OK)
        report(o, first, runs, o->n_acts);
    for (int i = 0; i < o->n_acts; i++)
        tn__free(runs[i].L);
    tn__config_free(first);
    tn__free(text);
    return rc;
}

int tn_cli_study(int argc, char **argv)
{
    if (tn_cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Trains the network of CONFIG once per activation, with the same seed and data,\n"
               "replacing the activation of every hidden dense layer (the last layer keeps\n"
               "its own), and prints a comparison table:\n\n"
               "  best test accuracy over the epochs, and the first epoch reaching --target;\n"
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
