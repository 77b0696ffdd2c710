/* tinynet info MODEL: what a model file holds, layer by layer. */
#include "cli/cli.h"

#include "model/model.h"
#include "model/modelfile.h"

#include <stdio.h>
#include <string.h>

static const char usage[] = "tinynet info MODEL";

static void print_columns(const tn_model *m)
{
    for (int i = 0; i < m->columns.n_inputs; i++) {
        const tn_colspec *c = &m->columns.in[i];
        printf("  input %-10s <- ", m->net->nodes[i].name);
        for (size_t k = 0; k < c->n; k++)
            printf("%s%s", k ? ", " : "", c->names[k]);
        printf("\n");
    }
    if (m->columns.target.n) {
        printf("  target           <- ");
        for (size_t k = 0; k < m->columns.target.n; k++)
            printf("%s%s", k ? ", " : "", m->columns.target.names[k]);
        printf("\n");
    }
}

static void print_layers(const tn_net *net)
{
    printf("%-14s %-10s %-22s %-10s %10s  %s\n", "layer", "type", "inputs", "output", "params",
           "details");
    for (int i = 0; i < net->n_inputs; i++) {
        const tn_node *n = &net->nodes[i];
        char shape[32];
        snprintf(shape, sizeof shape, "(B, %zu)", n->width);
        printf("%-14s %-10s %-22s %-10s %10s  %s", n->name, "input", "-", shape, "0",
               n->kind == TN_NODE_INDEX_INPUT ? "ids in [0, " : "floats");
        if (n->kind == TN_NODE_INDEX_INPUT)
            printf("%zu)", n->vocab);
        printf("\n");
    }
    for (int i = 0; i < net->n_layers; i++) {
        const tn_layer *L = &net->layers[i];
        char ins[64] = "", shape[32], details[96] = "";
        size_t used = 0;
        for (int j = 0; j < L->n_in && used < sizeof ins; j++)
            used += (size_t)snprintf(ins + used, sizeof ins - used, "%s%s", j ? "," : "",
                                     net->nodes[L->in[j]].name);
        snprintf(shape, sizeof shape, "(B, %zu)", L->width);
        if (L->ops->summary)
            L->ops->summary(L, details, sizeof details);
        printf("%-14s %-10s %-22s %-10s %10zu  %s\n", L->name, L->ops->type, ins, shape,
               L->n_params, details);
    }
}

/* The record of how the model was trained, one "key value" line each. */
static void print_training(const cJSON *rec)
{
    printf("\ntraining\n");
    const cJSON *v;
    cJSON_ArrayForEach(v, rec) {
        printf("  %-18s ", v->string);
        if (cJSON_IsString(v)) {
            printf("%s\n", v->valuestring);
        } else if (cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble) {
            printf("%lld\n", (long long)v->valuedouble);
        } else if (cJSON_IsNumber(v)) {
            printf("%.6f\n", v->valuedouble);
        } else {
            char *t = cJSON_PrintUnformatted(v);
            printf("%s\n", t ? t : "?");
            cJSON_free(t);
        }
    }
}

int tn_cli_info(int argc, char **argv)
{
    if (tn_cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nValidates MODEL (format, checksum, shapes) and describes it.\n",
               usage);
        return TN_EXIT_OK;
    }
    int bad = tn_cli_no_options("info", usage, argc, argv);
    if (bad)
        return bad;
    if (argc != 2)
        return tn_cli_usage("info", usage, "expected MODEL");
    tn_error err = {0};
    tn_model *m = NULL;
    if (tn__model_load(argv[1], &m, &err))
        return tn_cli_fail(&err);
    printf("model      %s\n", argv[1]);
    printf("format     tinynet model, version %d (checksum verified)\n", TN_MODELFILE_VERSION);
    printf("network    %s: %d input%s, %d layers, %zu parameters\n", m->net->name,
           m->net->n_inputs, m->net->n_inputs == 1 ? "" : "s", m->net->n_layers,
           m->net->n_params);
    char *loss = cJSON_PrintUnformatted(m->loss);
    printf("loss       %s\n\n", cJSON_IsString(m->loss) ? m->loss->valuestring : loss ? loss : "?");
    cJSON_free(loss);
    print_layers(m->net);
    if (m->columns.n_inputs) {
        printf("\ncolumns\n");
        print_columns(m);
    }
    if (m->scaling.kind != TN_SCALING_NONE)
        printf("\nscaling    %s of input \"%s\": (x - mean) / std, %zu value%s each\n",
               tn__scaling_names[m->scaling.kind], m->net->nodes[m->scaling.input].name,
               m->scaling.n, m->scaling.n == 1 ? "" : "s");
    if (m->training)
        print_training(m->training);
    tn__model_free(m);
    return TN_EXIT_OK;
}
