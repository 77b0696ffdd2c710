/* tinynet info MODEL|CONFIG: what a model file holds, layer by layer; for a config, the
 * network it describes before any training (as Keras' summary()): shapes and parameter
 * counts, without reading the data. */
#include "cli.h"

#include "tinynet/export.h"
#include "tinynet/inspect.h"

#include <stdio.h>
#include <string.h>

static const char usage[] = "tinynet info MODEL|CONFIG [--memory]";

static void print_layers(const tn_model *m)
{
    printf("%-14s %-10s %-22s %-10s %10s  %s\n", "layer", "type", "inputs", "output", "params",
           "details");
    for (size_t i = 0; i < tn_model_n_inputs(m); i++) {
        char shape[32];
        snprintf(shape, sizeof shape, "(B, %zu)", tn_model_input_width(m, i));
        printf("%-14s %-10s %-22s %-10s %10s  %s", tn_model_input_name(m, i), "input", "-",
               shape, "0", tn_model_input_kind(m, i) == TN_INPUT_INDEX ? "ids in [0, " : "floats");
        if (tn_model_input_kind(m, i) == TN_INPUT_INDEX)
            printf("%zu)", tn_model_input_vocab(m, i));
        printf("\n");
    }
    for (size_t l = 0; l < tn_model_n_layers(m); l++) {
        char ins[64] = "", shape[32], details[96];
        size_t used = 0;
        for (size_t j = 0; j < tn_model_layer_n_inputs(m, l) && used < sizeof ins; j++)
            used += (size_t)snprintf(ins + used, sizeof ins - used, "%s%s", j ? "," : "",
                                     tn_model_layer_input(m, l, j));
        snprintf(shape, sizeof shape, "(B, %zu)", tn_model_layer_width(m, l));
        tn_model_layer_summary(m, l, details, sizeof details);
        printf("%-14s %-10s %-22s %-10s %10zu  %s\n", tn_model_layer_name(m, l),
               tn_model_layer_type(m, l), ins, shape, tn_model_layer_params(m, l), details);
    }
    char total[32], bytes[32];
    printf("%-14s %-10s %-22s %-10s %10s  (%s bytes of float32)\n", "total", "", "", "",
           tn_cli_thousands(total, sizeof total, tn_model_n_params(m)),
           tn_cli_thousands(bytes, sizeof bytes, 4 * tn_model_n_params(m)));
}

/* What the outputs mean (tn_model_output_kind), and the classes' names when they have some. */
static void print_output(const tn_model *m)
{
    static const char *const kinds[] = {"values", "independent probabilities (sigmoid)",
                                        "class probabilities (softmax), the class is the argmax",
                                        "log class probabilities (log_softmax)"};
    int k = tn_model_output_kind(m);
    size_t w = tn_model_output_width(m);
    printf("output     %zu per row: %s\n", w, k >= 0 && k <= 3 ? kinds[k] : "?");
    if (w > 1 && tn_model_class_name(m, 0)) {
        printf("classes   ");
        for (size_t c = 0; c < w; c++)
            printf(" %zu %s%s", c, tn_model_class_name(m, c), c + 1 < w ? "," : "\n");
    }
}

/* A config: the network it builds, with its initial parameters, before any data is read.
 * B in the shapes is the batch size. */
static int info_config(const char *path)
{
    tn_error err = {0};
    tn_trainer *t = NULL;
    const tn_model *m = NULL;
    int rc = tn_trainer_new(path, &t, &err);
    if (rc == TN_OK && !(m = tn_trainer_model(t)))
        rc = tn_cli_err(&err, TN_ENOMEM, "%s", tn_trainer_errmsg(t));
    if (rc) {
        tn_trainer_free(t);
        return tn_cli_fail(&err);
    }
    char loss[128];
    if (tn_model_loss(m, loss, sizeof loss) != TN_OK)
        snprintf(loss, sizeof loss, "?");
    tn_train_settings set;
    tn_trainer_settings(t, &set);
    printf("config     %s (not trained: the network as the config describes it)\n", path);
    printf("network    %s: %zu input%s, %zu layers, %zu parameters\n", tn_model_name(m),
           tn_model_n_inputs(m), tn_model_n_inputs(m) == 1 ? "" : "s", tn_model_n_layers(m),
           tn_model_n_params(m));
    printf("loss       %s\n", loss);
    print_output(m);
    printf("training   %d epochs, batches of %zu, seed %llu, %d BLAS thread%s\n\n", set.epochs,
           set.batch_size, set.seed, set.threads, set.threads == 1 ? "" : "s");
    print_layers(m);
    char *data = NULL;
    if (tn_model_data_text(m, &data, NULL) == TN_OK && data[0])
        printf("\ndata\n%s", data);
    tn_free(data);
    tn_trainer_free(t);
    return TN_EXIT_OK;
}

/* The record of how the model was trained: "key<TAB>value" lines, printed aligned. */
static void print_training(const char *text)
{
    printf("\ntraining\n");
    for (const char *line = text; *line;) {
        const char *tab = strchr(line, '\t'), *end = strchr(line, '\n');
        if (!tab || !end || tab > end)
            break;
        printf("  %-18.*s %.*s\n", (int)(tab - line), line, (int)(end - tab - 1), tab + 1);
        line = end + 1;
    }
}

static int memory_bill(const char *path)
{
    tn_error err = {0};
    tn_model *m = NULL;
    char *text = NULL;
    int rc = tn_model_load(path, 0, &m, &err);
    if (rc == TN_OK)
        rc = tn_model_memory_text(m, &text, &err);
    if (rc == TN_OK)
        printf("model      %s\n%s", path, text);
    tn_free(text);
    tn_model_free(m);
    return rc ? tn_cli_fail(&err) : TN_EXIT_OK;
}

int tn_cli_info(int argc, char **argv)
{
    if (tn_cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nValidates MODEL (format, checksum, shapes) and describes it: its\n"
               "layers with their output shapes and parameter counts, the data format it reads,\n"
               "its input scaling and how it was trained. Given a JSON config instead (any file\n"
               "that is not a model), prints the network the config describes, before\n"
               "training and without reading the data: the same table of layers.\n"
               "--memory: a model's memory bill instead: flash (weights, code estimate) and RAM\n"
               "(the buffer plan, float and int8) of the exported C code and of a runtime\n"
               "context.\n", usage);
        return TN_EXIT_OK;
    }
    int memory = 0;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--memory") == 0) {
            memory = 1;
            memmove(argv + i, argv + i + 1, (size_t)(argc - i - 1) * sizeof *argv);
            argc--;
            break;
        }
    int bad = tn_cli_no_options("info", usage, argc, argv);
    if (bad)
        return bad;
    if (argc != 2)
        return tn_cli_usage("info", usage, "expected MODEL or CONFIG");
    if (memory)
        return memory_bill(argv[1]);
    if (!tn_cli_is_model_file(argv[1]))
        return info_config(argv[1]);
    tn_error err = {0};
    tn_model *m = NULL;
    char *data = NULL, *training = NULL, loss[128];
    int rc = tn_model_load(argv[1], 0, &m, &err);
    if (rc == TN_OK && !(rc = tn_model_data_text(m, &data, &err)))
        rc = tn_model_training_text(m, &training, &err);
    if (rc) {
        tn_free(data);
        tn_model_free(m);
        return tn_cli_fail(&err);
    }
    if (tn_model_loss(m, loss, sizeof loss) != TN_OK)
        snprintf(loss, sizeof loss, "?");
    printf("model      %s\n", argv[1]);
    printf("format     tinynet model, version %d (checksum verified)\n", tn_model_file_version(m));
    printf("network    %s: %zu input%s, %zu layers, %zu parameters\n", tn_model_name(m),
           tn_model_n_inputs(m), tn_model_n_inputs(m) == 1 ? "" : "s", tn_model_n_layers(m),
           tn_model_n_params(m));
    printf("loss       %s\n", loss);
    print_output(m);
    printf("\n");
    print_layers(m);
    printf("\ndata\n%s", data);
    size_t input, values;
    const char *scaling = tn_model_scaling(m, &input, &values);
    if (strcmp(scaling, "none") != 0)
        printf("\nscaling    %s of input \"%s\": (x - mean) / std, %zu value%s each\n", scaling,
               tn_model_input_name(m, input), values, values == 1 ? "" : "s");
    if (training[0])
        print_training(training);
    tn_free(data);
    tn_free(training);
    tn_model_free(m);
    return TN_EXIT_OK;
}
