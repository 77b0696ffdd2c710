#include "train/config.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "data/format.h"
#include "core/json.h"
#include "model/scaling.h"
#include "loss/loss.h"
#include "train/metrics.h"
#include "train/schedule.h"

#include <stdio.h>
#include <string.h>

const char *const tn__config_top_keys[] = {"name", "seed", "inputs", "layers", "loss",
                                           "optimizer", "train", "data", "metrics",
                                           "threshold", NULL};
const char *const tn__config_train_keys[] = {"epochs", "batch_size", "shuffle", "patience",
                                             "min_delta", "threads", "validation",
                                             "eval_every", "lr_schedule", "class_weights",
                                             "shards", NULL};
const tn__keydoc tn__config_top_docs[] = {
    {"name", "the network's name, recorded in the model (default \"network\")"},
    {"seed", "the seed of initialisation, shuffling, the holdout split, negative sampling and "
            "dropout, each its own stream; an integer in [0, 2^53] (default 1)"},
    {"inputs", "the named inputs: [{\"name\", \"type\", \"size\"}, ...] (required)"},
    {"layers", "the layers in order: [{\"type\": NAME, ...}, ...]; the last one is the output "
              "(required)"},
    {"loss", "a loss name, or {\"type\": NAME, parameters...} (required)"},
    {"optimizer", "an optimizer name, or {\"type\": NAME, keys...} (default \"adam\")"},
    {"train", "the training settings: {\"epochs\": N, ...} (required)"},
    {"data", "the data: {\"format\": NAME, keys...} (required)"},
    {"metrics", "the metrics tracked on the validation rows (train.validation > 0) at each "
               "evaluation, in the log's epoch records (val_NAME): names of \"loss\", \"accuracy\", and by task "
               "\"precision\", \"recall\", \"f1\", \"auc\" (binary), \"macro_precision\", "
               "\"macro_recall\", \"macro_f1\" (multi-class), \"mse\", \"rmse\", \"mae\", "
               "\"r2\" (regression) (default [])"},
    {"threshold", "binary metrics: a score >= threshold predicts class 1, in [0, 1] (default "
                 "0.5)"},
    {NULL, NULL}};
const tn__keydoc tn__config_train_docs[] = {
    {"epochs", "passes over the training rows, in [1, 1000000] (required)"},
    {"batch_size", "rows per step, in [1, 1048576] (default 32)"},
    {"shuffle", "shuffle the training rows before each epoch (default true)"},
    {"patience", "stop after this many evaluations (epochs, with eval_every 1) without "
                "improvement of the validation loss (the training loss when validation is 0), "
                "keeping the best epoch's parameters; 0: never stop early (default 0)"},
    {"min_delta", "the least decrease of the monitored loss that counts as an improvement, in [0, "
                 "1e9] (default 0)"},
    {"threads", "training threads, in [1, 256] (default 1): tinynet's own pool splits each "
               "step's products and element-wise work across them (OpenBLAS runs one thread); "
               "the results are reproducible for a count, and the same bits at every count with "
               "OpenBLAS's Haswell, Zen or Sandybridge kernels, where the pool also times steps "
               "split and serial and keeps the faster"},
    {"validation", "the fraction of the training rows held out (seeded) as validation rows, "
                  "which early stopping and the plateau schedule monitor; never the test "
                  "rows, which are evaluated once after training; in [0, 0.9] (default 0.1 "
                  "with patience or a plateau schedule, else 0)"},
    {"shards", "split the training rows into K contiguous shards, each shuffled by its own "
               "stream, every batch taking rows from all of them in proportion; the result "
               "depends on K, not on the number of MPI processes P, and with K a multiple of "
               "P each process keeps only its K/P shards (IDX reads only those rows); "
               "validation rows are held out of each shard; in [1, 4096] (default 1: one "
               "shuffle of all rows)"},
    {"eval_every", "evaluate the validation rows every N epochs and after the last, in [0, "
                  "1000000]; 0: never (default 1)"},
    {"lr_schedule", "the learning rate of each epoch (in the log), a function of the epoch "
                   "(and of the plateau state, which checkpoints keep): {\"type\": \"step\", "
                   "\"step_size\": 10, \"gamma\": 0.1} (times gamma every step_size epochs), "
                   "{\"type\": \"exponential\", \"gamma\": 0.95} (every epoch), "
                   "{\"type\": \"cosine\", \"warmup\": 0, \"min_lr\": 0} (linear warm-up from "
                   "lr/warmup, then a half cosine to min_lr over the remaining epochs), "
                   "{\"type\": \"plateau\", \"factor\": 0.1, \"patience\": 10, \"min_lr\": 0, "
                   "\"min_delta\": 0} (times factor after more than patience evaluations "
                   "without improvement of the monitored loss, as PyTorch's ReduceLROnPlateau) "
                   "(default: constant)"},
    {"class_weights", "each training row's loss weighted by its class: \"balanced\" (n / "
                     "(classes x rows of the class), from the training rows) or one positive "
                     "number per class ([w0, w1] for one binary output) (default none)"},
    {NULL, NULL}};

/* ---- sections ----------------------------------------------------------------------- */

static int parse_train(tn_jr *r, const cJSON *root, tn_config *c)
{
    const cJSON *obj;
    int rc = tn__jr_object(r, root, "train", 1, &obj);
    if (rc)
        return rc;
    size_t mark = tn__jr_push_key(r, "train");
    long long epochs, batch, patience, threads, every, shards;
    double min_delta, validation;
    int shuffle;
    if (!(rc = tn__jr_check_keys(r, obj, tn__config_train_keys)) &&
        !(rc = tn__jr_int(r, obj, "epochs", 1, 0, 1, TN_MAX_EPOCHS, &epochs)) &&
        !(rc = tn__jr_int(r, obj, "batch_size", 0, 32, 1, 1 << 20, &batch)) &&
        !(rc = tn__jr_bool(r, obj, "shuffle", 0, 1, &shuffle)) &&
        !(rc = tn__jr_int(r, obj, "patience", 0, 0, 0, TN_MAX_EPOCHS, &patience)) &&
        !(rc = tn__jr_num(r, obj, "min_delta", 0, 0, 0, 1e9, &min_delta)) &&
        !(rc = tn__jr_int(r, obj, "threads", 0, 1, 1, TN_MAX_THREADS, &threads)) &&
        !(rc = tn__jr_num(r, obj, "validation", 0, 0, 0, 0.9, &validation)) &&
        !(rc = tn__jr_int(r, obj, "eval_every", 0, 1, 0, TN_MAX_EPOCHS, &every)) &&
        !(rc = tn__jr_int(r, obj, "shards", 0, 1, 1, TN_MAX_SHARDS, &shards)) &&
        !(rc = tn__lr_schedule_parse(r, obj, &c->train.lr))) {
        c->train.epochs = (int)epochs;
        c->train.batch_size = (size_t)batch;
        c->train.shuffle = shuffle;
        c->train.patience = (int)patience;
        c->train.min_delta = min_delta;
        c->threads = (int)threads;
        c->train.eval_every = (int)every;
        c->train.shards = (int)shards;
        /* Whatever chooses during training gets validation rows unless told otherwise. */
        int monitors = patience > 0 || c->train.lr.kind == TN_LR_PLATEAU;
        c->train.validation_given = cJSON_GetObjectItemCaseSensitive(obj, "validation") != NULL;
        c->train.validation = c->train.validation_given ? validation : monitors ? 0.1 : 0;
        if (monitors && c->train.validation > 0 && every == 0)
            rc = tn__jr_fail(r, "eval_every", "early stopping and the plateau schedule need "
                             "evaluations of the validation rows: eval_every must be at least 1");
    }
    tn__jr_pop(r, mark);
    return rc;
}

/* "metrics" and "threshold" (top level) and train.class_weights: they depend on the task,
 * known once the network and the loss are. */
static int parse_task_keys(tn_jr *r, const cJSON *root, tn_config *c)
{
    size_t W = c->net->nodes[c->net->output].width;
    int task = tn__metrics_task(&c->loss, W);
    const cJSON *list = NULL;
    int rc = tn__jr_num(r, root, "threshold", 0, 0.5, 0, 1, &c->train.threshold);
    if (rc == TN_OK)
        rc = tn__jr_array(r, root, "metrics", 0, &list);
    size_t k = 0;
    for (const cJSON *e = list ? list->child : NULL; rc == TN_OK && e; e = e->next, k++) {
        size_t mark = tn__jr_push_key(r, "metrics");
        tn__jr_push_index(r, k);
        char got[64];
        int m = cJSON_IsString(e) ? tn__metric_find(e->valuestring) : -1;
        const char *hint = cJSON_IsString(e) && m < 0
                               ? tn__jr_suggest(e->valuestring, tn__metric_names) : NULL;
        if (m < 0)
            rc = tn__jr_fail(r, NULL, "expected a metric name, got %s%s%s%s",
                             tn__jr_describe(e, got, sizeof got), hint ? " (did you mean \"" : "",
                             hint ? hint : "", hint ? "\"?)" : "");
        else if (!tn__metric_applies(m, task))
            rc = tn__jr_fail(r, NULL, "\"%s\" does not apply to this network's task (%s)",
                             tn__metric_names[m], task == TN__TASK_BINARY ? "binary"
                             : task == TN__TASK_MULTICLASS ? "multi-class"
                             : task == TN__TASK_REGRESSION ? "regression"
                             : "independent labels: loss and accuracy only");
        else if (c->train.n_metrics < TN__M_COUNT)
            c->train.metrics[c->train.n_metrics++] = m;
        tn__jr_pop(r, mark);
    }
    if (rc == TN_OK && c->train.n_metrics > 0 &&
        (c->train.validation <= 0 || c->train.eval_every == 0))
        rc = tn__jr_fail(r, "metrics", "the metrics are tracked on the validation rows at "
                         "each evaluation: set train.validation (e.g. 0.1) and eval_every >= 1");
    const cJSON *train = cJSON_GetObjectItemCaseSensitive(root, "train");
    size_t classes = task == TN__TASK_MULTICLASS ? W : task == TN__TASK_BINARY ? 2 : 0;
    if (rc == TN_OK) {
        size_t mark = tn__jr_push_key(r, "train");
        double *w;
        size_t n;
        rc = tn__class_weights_parse(r, train, classes, &c->train.balanced, &w, &n);
        if (rc == TN_OK && c->train.balanced && classes < 2)
            rc = tn__jr_fail(r, "class_weights", "class weights need a class output (a "
                             "categorical loss, or binary cross-entropy with one output)");
        if (rc == TN_OK) {
            c->class_weight = w;
            c->train.class_weight = w;
            c->train.classes = classes;
        } else {
            tn__free(w);
        }
        tn__jr_pop(r, mark);
    }
    return rc;
}

/* The data section: the format (its own keys, read by the format module) and the scaling
 * fitted on its training rows. */
static int parse_data(tn_jr *r, const cJSON *root, tn_config *c)
{
    const cJSON *obj;
    int rc = tn__jr_object(r, root, "data", 1, &obj);
    if (rc)
        return rc;
    size_t mark = tn__jr_push_key(r, "data");
    tn_data_ctx ctx = tn__config_data_ctx(c);
    tn_error e;
    if (!(rc = tn__jr_enum(r, obj, "scaling", 0, TN_SCALING_NONE, tn__scaling_names,
                           &c->scaling)) &&
        c->scaling != TN_SCALING_NONE && tn__scaling_input(c->net, &e) < 0)
        rc = tn__jr_fail(r, "scaling", "%s", e.msg);
    if (rc == TN_OK)
        rc = tn__data_spec_parse(r, obj, &ctx, &c->data);
    tn__jr_pop(r, mark);
    return rc;
}

static int parse_root(tn_jr *r, const cJSON *root, tn_config *c)
{
    long long seed;
    tn_error e;
    int rc;
    /* The optimizer and the training settings first: what training holds per parameter
     * is then known, and a network too large for it is refused before it is allocated. */
    if ((rc = tn__jr_check_keys(r, root, tn__config_top_keys)) ||
        (rc = tn__jr_int(r, root, "seed", 0, 1, 0, TN_MAX_SEED, &seed)) ||
        (rc = tn__optim_parse(r, root, "optimizer", &c->optim)) || (rc = parse_train(r, root, c)))
        return rc;
    int copies = 2 + (c->optim.ops->n_state ? c->optim.ops->n_state(&c->optim) : 0) +
                 (c->train.patience > 0); /* P, G, optimizer state, best parameters */
    char use[64];
    snprintf(use, sizeof use, "training with %s", c->optim.ops->name);
    if ((rc = tn__net_from_json_budget(r, root, copies, use, &c->net)) ||
        (rc = tn__loss_parse(r, root, "loss", &c->loss)))
        return rc;
    const tn_layer *out = tn__net_output_layer(c->net);
    if (tn__loss_check_output(&c->loss, out->act ? out->act->m : NULL, &e))
        return tn__jr_fail(r, "loss", "%s", e.msg);
    if ((rc = parse_data(r, root, c)) || (rc = parse_task_keys(r, root, c)))
        return rc;
    c->train.seed = (unsigned long long)seed;
    size_t tw = c->data.format->target_width(c->data.state);
    if (tn__loss_check_targets(&c->loss, c->net->nodes[c->net->output].width, tw, &e))
        return tn__jr_fail(r, "data", "target: %s", e.msg);
    return TN_OK;
}

/* FNV-1a over the config as cJSON prints it, without the settings a resumed run may
 * change (train.epochs: more of them; train.threads: said to break bit-exactness):
 * comments and spacing do not count, every value does. 0 only when out of memory. */
static uint64_t config_hash(cJSON *root)
{
    cJSON *train = cJSON_GetObjectItemCaseSensitive(root, "train");
    cJSON *epochs = cJSON_DetachItemFromObjectCaseSensitive(train, "epochs");
    cJSON *threads = cJSON_DetachItemFromObjectCaseSensitive(train, "threads");
    char *text = cJSON_PrintUnformatted(root);
    uint64_t h = 0;
    if (text) {
        h = 0xcbf29ce484222325ULL;
        for (const unsigned char *p = (const unsigned char *)text; *p; p++)
            h = (h ^ *p) * 0x100000001b3ULL;
        h |= !h; /* 0 is reserved for failure */
    }
    cJSON_free(text);
    cJSON_Delete(epochs); /* the tree is deleted next anyway */
    cJSON_Delete(threads);
    return h;
}

int tn__config_parse(const char *path, const char *text, size_t len, tn_config **out,
                     tn_error *err)
{
    *out = NULL;
    cJSON *root;
    int rc = tn__jr_parse(path, text, len, &root, err);
    if (rc)
        return rc;
    tn_config *c = tn__calloc(1, sizeof *c);
    if (!c || !(c->path = tn__strdup(path))) {
        tn__free(c);
        cJSON_Delete(root);
        return tn__err(err, TN_ENOMEM, "out of memory");
    }
    tn_jr r;
    tn__jr_init(&r, path, err);
    rc = parse_root(&r, root, c);
    if (rc == TN_OK && !(c->hash = config_hash(root)))
        rc = tn__err(err, TN_ENOMEM, "out of memory");
    cJSON_Delete(root);
    if (rc) {
        tn__config_free(c);
        return rc;
    }
    *out = c;
    return TN_OK;
}

int tn__config_load(const char *path, tn_config **out, tn_error *err)
{
    unsigned char *text;
    size_t len;
    *out = NULL;
    int rc = tn__read_file(path, TN_CONFIG_MAX_BYTES, &text, &len, err);
    if (rc)
        return rc;
    rc = tn__config_parse(path, (const char *)text, len, out, err);
    tn__free(text);
    return rc;
}

void tn__config_free(tn_config *c)
{
    if (!c)
        return;
    tn__data_spec_free(&c->data);
    tn__free(c->class_weight);
    tn__net_free(c->net);
    tn__free(c->path);
    tn__free(c);
}

tn_data_ctx tn__config_data_ctx(const tn_config *c)
{
    tn_data_ctx ctx = {c->net, tn__loss_target_rule(&c->loss, c->net->nodes[c->net->output].width),
                       c->path};
    return ctx;
}
