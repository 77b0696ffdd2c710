/* Building the network graph from JSON: inputs, layers and their wiring, checked with
 * messages that name the JSON path; one parameter block. */
#include "graph/graph.h"

#include "core/alloc.h"
#include "core/error.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

const char *const tn__graph_input_keys[] = {"name", "type", "size", NULL};
const tn__keydoc tn__graph_input_docs[] = {
    {"name", "the input's name, which layers and the data section refer to (required)"},
    {"type", "\"float\" (features, the default) or \"index\" (one integer id per row, for an "
            "embedding)"},
    {"size", "floats: the number of features; index: the number of distinct ids (the ids are 0 .. "
            "size - 1) (required)"},
    {NULL, NULL}};

static const char *const input_types[] = {"float", "index", NULL};
const char *const tn__graph_layer_keys[] = {"type", "name", "input", "inputs", NULL};
#define N_COMMON_KEYS (sizeof tn__graph_layer_keys / sizeof tn__graph_layer_keys[0] - 1)
const tn__keydoc tn__graph_layer_docs[] = {
    {"type", "the layer type (required)"},
    {"name", "the layer's name (default: its type and its number among the layers of that type, "
            "e.g. \"dense_2\")"},
    {"input", "the name of the input or earlier layer it reads (default: the previous layer; the "
             "first layer reads the only input)"},
    {"inputs", "[names] of the inputs or earlier layers it reads, for layers that take several "
              "(concat)"},
    {NULL, NULL}};


int tn__net_output_kind(const tn_net *net)
{
    int node = net->output;
    while (net->nodes[node].layer >= 0 &&
           strcmp(net->layers[net->nodes[node].layer].ops->type, "dropout") == 0)
        node = net->layers[net->nodes[node].layer].in[0];
    int l = net->nodes[node].layer;
    const char *name = l >= 0 && net->layers[l].act ? net->layers[l].act->m->name : "";
    if (strcmp(name, "sigmoid") == 0)
        return TN_OUTPUT_PROBABILITIES;
    if (strcmp(name, "softmax") == 0)
        return TN_OUTPUT_CLASS_PROBABILITIES;
    if (strcmp(name, "log_softmax") == 0)
        return TN_OUTPUT_LOG_PROBABILITIES;
    return TN_OUTPUT_VALUES;
}

int tn__net_find_node(const tn_net *net, const char *name)
{
    for (int i = 0; i < net->n_nodes; i++)
        if (strcmp(net->nodes[i].name, name) == 0)
            return i;
    return -1;
}

const tn_layer *tn__net_output_layer(const tn_net *net)
{
    return &net->layers[net->n_layers - 1];
}

static int check_name(tn_jr *r, const cJSON *obj, const char *key, const char *name,
                      const tn_net *net)
{
    int rc = tn__jr_check_name(r, key, name);
    if (rc)
        return rc;
    (void)obj;
    int other = tn__net_find_node(net, name);
    if (other >= 0)
        return tn__jr_fail(r, key, "duplicate name \"%s\" (already used by %s %d)", name,
                           net->nodes[other].kind == TN_NODE_LAYER ? "layer" : "input",
                           net->nodes[other].kind == TN_NODE_LAYER ? net->nodes[other].layer
                                                                    : other);
    return TN_OK;
}

static int parse_inputs(tn_jr *r, const cJSON *root, tn_net *net)
{
    const cJSON *arr;
    int rc = tn__jr_array(r, root, "inputs", 1, &arr);
    if (rc)
        return rc;
    size_t mark = tn__jr_push_key(r, "inputs");
    int n = cJSON_GetArraySize(arr);
    if (n == 0)
        rc = tn__jr_fail(r, NULL, "expected at least one input");
    if (n > TN_MAX_INPUTS)
        rc = tn__jr_fail(r, NULL, "too many inputs (%d; at most %d)", n, TN_MAX_INPUTS);
    const cJSON *in;
    size_t i = 0;
    cJSON_ArrayForEach(in, arr) {
        if (rc)
            break;
        size_t m2 = tn__jr_push_index(r, i++);
        const char *name;
        int type;
        long long size;
        if (!(rc = tn__jr_check_keys(r, in, tn__graph_input_keys)) &&
            !(rc = tn__jr_str(r, in, "name", 1, NULL, &name)) &&
            !(rc = check_name(r, in, "name", name, net)) &&
            !(rc = tn__jr_enum(r, in, "type", 0, 0, input_types, &type)) &&
            !(rc = tn__jr_int(r, in, "size", 1, 0, 1, TN_MAX_WIDTH, &size))) {
            tn_node *node = &net->nodes[net->n_nodes++];
            snprintf(node->name, sizeof node->name, "%s", name);
            node->kind = type == 0 ? TN_NODE_FLOAT_INPUT : TN_NODE_INDEX_INPUT;
            node->width = type == 0 ? (size_t)size : 1;
            node->vocab = type == 0 ? 0 : (size_t)size;
            node->layer = -1;
        }
        tn__jr_pop(r, m2);
    }
    net->n_inputs = net->n_nodes;
    tn__jr_pop(r, mark);
    return rc;
}

/* Resolves a reference to an input or an earlier layer, with a helpful error otherwise. */
static int resolve_ref(tn_jr *r, const char *key, const char *ref, const cJSON *layers,
                       int self, tn_net *net, int *node)
{
    *node = tn__net_find_node(net, ref);
    if (*node >= 0)
        return TN_OK;
    int k = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, layers) {
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(l, "name");
        if (cJSON_IsString(nm) && strcmp(nm->valuestring, ref) == 0) {
            if (k == self)
                return tn__jr_fail(r, key, "layer \"%s\" cannot take its own output as input",
                                   ref);
            return tn__jr_fail(r, key,
                               "\"%s\" is layers[%d], defined later: a layer may only read "
                               "inputs and earlier layers (no cycles)", ref, k);
        }
        k++;
    }
    const char *names[TN_MAX_NODES + 1];
    for (int i = 0; i < net->n_nodes; i++)
        names[i] = net->nodes[i].name;
    names[net->n_nodes] = NULL;
    const char *hint = tn__jr_suggest(ref, names);
    if (hint)
        return tn__jr_fail(r, key, "unknown input or layer \"%s\" (did you mean \"%s\"?)", ref,
                           hint);
    return tn__jr_fail(r, key, "unknown input or layer \"%s\"", ref);
}

static int parse_layer_inputs(tn_jr *r, const cJSON *obj, const cJSON *layers, int self,
                              tn_net *net, tn_layer *L)
{
    const cJSON *one = cJSON_GetObjectItemCaseSensitive(obj, "input");
    const cJSON *many = cJSON_GetObjectItemCaseSensitive(obj, "inputs");
    int rc = TN_OK;
    if (one && many)
        return tn__jr_fail(r, "inputs", "give either \"input\" or \"inputs\", not both");
    if (one) {
        const char *ref;
        if ((rc = tn__jr_str(r, obj, "input", 1, NULL, &ref)))
            return rc;
        L->n_in = 1;
        return resolve_ref(r, "input", ref, layers, self, net, &L->in[0]);
    }
    if (many) {
        const cJSON *arr;
        if ((rc = tn__jr_array(r, obj, "inputs", 1, &arr)))
            return rc;
        size_t mark = tn__jr_push_key(r, "inputs");
        const cJSON *item;
        cJSON_ArrayForEach(item, arr) {
            char idx[32];
            snprintf(idx, sizeof idx, "[%d]", L->n_in);
            if (!cJSON_IsString(item)) {
                char got[64];
                rc = tn__jr_fail(r, NULL, "%s: expected a layer or input name, got %s", idx,
                                 tn__jr_describe(item, got, sizeof got));
                break;
            }
            if (L->n_in == TN_MAX_NODES) {
                rc = tn__jr_fail(r, NULL, "too many inputs");
                break;
            }
            size_t m2 = tn__jr_push_index(r, (size_t)L->n_in);
            rc = resolve_ref(r, NULL, item->valuestring, layers, self, net, &L->in[L->n_in]);
            for (int j = 0; rc == TN_OK && j < L->n_in; j++)
                if (L->in[j] == L->in[L->n_in])
                    rc = tn__jr_fail(r, NULL, "\"%s\" is listed twice", item->valuestring);
            tn__jr_pop(r, m2);
            if (rc)
                break;
            L->n_in++;
        }
        tn__jr_pop(r, mark);
        return rc;
    }
    /* Neither: the previous layer, or the single input. */
    if (self > 0) {
        L->in[0] = net->layers[self - 1].node;
    } else if (net->n_inputs == 1) {
        L->in[0] = 0;
    } else {
        return tn__jr_fail(r, NULL,
                           "has no \"input\" and the network has %d inputs: name the one it reads",
                           net->n_inputs);
    }
    L->n_in = 1;
    return TN_OK;
}

static int check_input_count(tn_jr *r, const tn_layer *L)
{
    const tn_layer_ops *ops = L->ops;
    if (L->n_in < ops->min_inputs || L->n_in > ops->max_inputs) {
        if (ops->min_inputs == ops->max_inputs)
            return tn__jr_fail(r, NULL, "a %s layer takes %d input%s, got %d", ops->type,
                               ops->min_inputs, ops->min_inputs == 1 ? "" : "s", L->n_in);
        if (L->n_in > ops->max_inputs)
            return tn__jr_fail(r, NULL, "a %s layer takes at most %d inputs, got %d",
                               ops->type, ops->max_inputs, L->n_in);
        return tn__jr_fail(r, NULL, "a %s layer takes at least %d inputs, got %d", ops->type,
                           ops->min_inputs, L->n_in);
    }
    return TN_OK;
}

static int parse_layer(tn_jr *r, const cJSON *obj, const cJSON *layers, int self, tn_net *net)
{
    tn_layer *L = &net->layers[self];
    const char **type_names = tn__layer_ops_names();
    int rc, type_index;
    if (!type_names)
        return tn__jr_oom(r, NULL);
    rc = tn__jr_enum(r, obj, "type", 1, 0, type_names, &type_index);
    tn__free(type_names);
    if (rc)
        return rc;
    L->ops = tn__layer_ops_at((size_t)type_index);
    const char *type = L->ops->type;

    size_t n_keys = 0;
    while (L->ops->keys[n_keys])
        n_keys++;
    const char **allowed = tn__malloc((N_COMMON_KEYS + n_keys + 1) * sizeof *allowed);
    if (!allowed)
        return tn__jr_oom(r, NULL);
    memcpy(allowed, tn__graph_layer_keys, N_COMMON_KEYS * sizeof *allowed);
    memcpy(allowed + N_COMMON_KEYS, L->ops->keys, (n_keys + 1) * sizeof *allowed);
    rc = tn__jr_check_keys(r, obj, allowed);
    tn__free(allowed);
    if (rc)
        return rc;

    /* Default names count layers of the same type: dense_1, dense_2, ... */
    int same = 1;
    for (int k = 0; k < self; k++)
        same += net->layers[k].ops == L->ops;
    char def_name[TN_MAX_NAME];
    snprintf(def_name, sizeof def_name, "%s_%d", type, same);
    const char *name;
    if ((rc = tn__jr_str(r, obj, "name", 0, def_name, &name)) ||
        (rc = check_name(r, obj, "name", name, net)))
        return rc;
    snprintf(L->name, sizeof L->name, "%s", name);
    if ((rc = parse_layer_inputs(r, obj, layers, self, net, L)) || (rc = check_input_count(r, L)))
        return rc;
    const tn_node *in[TN_MAX_NODES];
    for (int j = 0; j < L->n_in; j++) {
        in[j] = &net->nodes[L->in[j]];
        if (in[j]->kind == TN_NODE_INDEX_INPUT && !(L->ops->flags & TN_LAYER_READS_IDS))
            return tn__jr_fail(r, NULL, "input \"%s\" holds integer ids; only an embedding "
                                        "layer can read it", in[j]->name);
    }
    if ((rc = L->ops->configure(L, r, obj, in)))
        return rc;
    /* A row-wise activation over one unit is a constant (softmax: always 1). */
    if (L->act && (L->act->m->flags & TN_ACT_ROWWISE) && L->width < 2)
        return tn__jr_fail(r, "activation", "%s over 1 unit is always %s: give it at least 2 "
                           "units (one per class), or use sigmoid for one output",
                           L->act->m->name, strcmp(L->act->m->name, "log_softmax") ? "1" : "0");
    for (int j = 0; j < L->n_in; j++)
        net->nodes[L->in[j]].consumers++;
    tn_node *node = &net->nodes[net->n_nodes];
    L->node = net->n_nodes++;
    snprintf(node->name, sizeof node->name, "%s", L->name);
    node->kind = TN_NODE_LAYER;
    node->width = L->width;
    node->layer = self;
    return TN_OK;
}

/* Every input feeds a layer and every layer but the last feeds another. */
static int check_all_used(tn_jr *r, const tn_net *net)
{
    for (int i = 0; i < net->n_nodes - 1; i++) {
        const tn_node *nd = &net->nodes[i];
        if (nd->consumers)
            continue;
        size_t mark = nd->layer < 0 ? tn__jr_push_key(r, "inputs")
                                    : tn__jr_push_key(r, "layers");
        tn__jr_push_index(r, (size_t)(nd->layer < 0 ? i : nd->layer));
        int rc = tn__jr_fail(r, NULL, "%s \"%s\" is never used (only the last layer may be "
                                      "the output)", nd->layer < 0 ? "input" : "layer",
                             nd->name);
        tn__jr_pop(r, mark);
        return rc;
    }
    return TN_OK;
}

static int parse_layers(tn_jr *r, const cJSON *root, tn_net *net)
{
    const cJSON *arr;
    int rc = tn__jr_array(r, root, "layers", 1, &arr);
    if (rc)
        return rc;
    int n = cJSON_GetArraySize(arr);
    if (n == 0)
        return tn__jr_fail(r, "layers", "expected at least one layer");
    if (n + net->n_inputs > TN_MAX_NODES)
        return tn__jr_fail(r, "layers", "too many layers (%d; at most %d)", n,
                           TN_MAX_NODES - net->n_inputs);
    net->layers = tn__calloc((size_t)n, sizeof *net->layers);
    if (!net->layers)
        return tn__jr_oom(r, "layers");
    size_t mark = tn__jr_push_key(r, "layers");
    const cJSON *obj;
    cJSON_ArrayForEach(obj, arr) {
        size_t m2 = tn__jr_push_index(r, (size_t)net->n_layers);
        rc = parse_layer(r, obj, arr, net->n_layers, net);
        net->n_layers++; /* counted even on failure so its state gets destroyed */
        if (rc == TN_OK)
            tn__jr_pop(r, m2);
        if (rc)
            break;
    }
    if (rc == TN_OK) {
        tn__jr_pop(r, mark);
        rc = check_all_used(r, net);
    }
    return rc;
}

/* The parameters, times the copies the caller will hold of them (gradients, optimizer
 * state), must fit the memory budget: refused before any is allocated, at the layer that
 * holds the most. */
static int check_budget(tn_jr *r, const tn_net *net, int copies, const char *use)
{
    double bytes = (double)net->n_params * sizeof(float) * copies;
    if (bytes <= (double)tn__mem_limit())
        return TN_OK;
    int big = 0;
    for (int i = 1; i < net->n_layers; i++)
        big = net->layers[i].n_params > net->layers[big].n_params ? i : big;
    char what[TN_MAX_NAME + 256];
    snprintf(what, sizeof what, "%s the network's %zu parameters (%zu of them in this layer, "
             "\"%s\")", use ? use : "holding", net->n_params, net->layers[big].n_params,
             net->layers[big].name);
    tn_error e;
    tn__mem_check(bytes, what, &e);
    size_t mark = tn__jr_push_key(r, "layers");
    tn__jr_push_index(r, (size_t)big);
    int rc = tn__jr_fail(r, NULL, "%s", e.msg);
    tn__jr_pop(r, mark);
    return rc == TN_ECONFIG ? (r->err ? (r->err->code = TN_ENOMEM) : TN_ENOMEM) : rc;
}

static int build(tn_jr *r, const cJSON *root, size_t max_params, int copies, const char *use,
                 tn_net **out)
{
    *out = NULL;
    tn_net *net = tn__calloc(1, sizeof *net);
    if (!net)
        return tn__jr_oom(r, NULL);
    const char *name;
    int rc = tn__jr_str(r, root, "name", 0, "network", &name);
    if (rc == TN_OK)
        rc = tn__jr_check_name(r, "name", name); /* the rule of every name: never cut */
    if (rc == TN_OK)
        snprintf(net->name, sizeof net->name, "%s", name);
    if (rc == TN_OK)
        rc = parse_inputs(r, root, net);
    if (rc == TN_OK)
        rc = parse_layers(r, root, net);
    if (rc == TN_OK) {
        for (int i = 0; i < net->n_layers; i++) {
            net->layers[i].param_off = net->n_params;
            net->n_params += net->layers[i].n_params;
        }
        net->output = net->layers[net->n_layers - 1].node;
        /* A model header may claim layers far larger than its file: refuse before P is
         * allocated. Widths <= 2^24 and <= 256 layers keep the sum far from overflow. */
        if (net->n_params > max_params)
            rc = tn__jr_fail(r, NULL, "the architecture needs %zu parameters, the file holds "
                             "%zu", net->n_params, max_params);
    }
    if (rc == TN_OK)
        rc = check_budget(r, net, copies, use);
    if (rc == TN_OK) {
        net->P = tn__floats_alloc(net->n_params);
        if (!net->P || tn__net_plan_build(net) != TN_OK)
            rc = tn__jr_oom(r, NULL);
    }
    if (rc) {
        tn__net_free(net);
        return rc;
    }
    *out = net;
    return TN_OK;
}

int tn__net_from_json(tn_jr *r, const cJSON *root, tn_net **out)
{
    return build(r, root, SIZE_MAX, 1, NULL, out);
}

int tn__net_from_json_limit(tn_jr *r, const cJSON *root, size_t max_params, tn_net **out)
{
    return build(r, root, max_params, 1, NULL, out);
}

int tn__net_from_json_budget(tn_jr *r, const cJSON *root, int copies, const char *use,
                             tn_net **out)
{
    return build(r, root, SIZE_MAX, copies, use, out);
}

void tn__net_init_params(tn_net *net, unsigned long long seed)
{
    tn_rng rng;
    tn__rng_seed(&rng, seed, TN_STREAM_INIT);
    for (int i = 0; i < net->n_layers; i++) {
        const tn_layer *L = &net->layers[i];
        if (L->ops->init_params)
            L->ops->init_params(L, net->P + L->param_off, &rng);
    }
}

void tn__net_free(tn_net *net)
{
    if (!net)
        return;
    for (int i = 0; i < net->n_layers; i++)
        if (net->layers[i].ops && net->layers[i].ops->destroy)
            net->layers[i].ops->destroy(&net->layers[i]);
    tn__free(net->layers);
    tn__floats_free(net->P);
    tn__net_plan_free(net->plan);
    tn__free(net);
}

