/* The normalised "inputs" and "layers" of a network, for the model header (a JSON
 * writer: apart from build.c so a predict-only program links none). */
#include "graph/graph.h"

static cJSON *describe_input(const tn_node *nd)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddStringToObject(o, "name", nd->name) ||
        !cJSON_AddStringToObject(o, "type", nd->kind == TN_NODE_INDEX_INPUT ? "index" : "float") ||
        !cJSON_AddNumberToObject(o, "size",
                                 (double)(nd->kind == TN_NODE_INDEX_INPUT ? nd->vocab : nd->width))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *describe_layer(const tn_net *net, const tn_layer *L)
{
    cJSON *o = cJSON_CreateObject(), *ins = cJSON_CreateArray();
    int ok = o && ins && cJSON_AddStringToObject(o, "type", L->ops->type) &&
             cJSON_AddStringToObject(o, "name", L->name);
    for (int j = 0; ok && j < L->n_in; j++) {
        cJSON *s = cJSON_CreateString(net->nodes[L->in[j]].name);
        ok = s && cJSON_AddItemToArray(ins, s);
        if (!ok)
            cJSON_Delete(s);
    }
    if (ok && cJSON_AddItemToObject(o, "inputs", ins))
        ins = NULL;
    else
        ok = 0;
    if (ok && L->ops->describe(L, o) != TN_OK)
        ok = 0;
    cJSON_Delete(ins);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int tn__net_describe(const tn_net *net, cJSON *obj)
{
    cJSON *inputs = cJSON_AddArrayToObject(obj, "inputs");
    cJSON *layers = cJSON_AddArrayToObject(obj, "layers");
    if (!inputs || !layers)
        return TN_ENOMEM;
    for (int i = 0; i < net->n_inputs; i++) {
        cJSON *o = describe_input(&net->nodes[i]);
        if (!o || !cJSON_AddItemToArray(inputs, o)) {
            cJSON_Delete(o);
            return TN_ENOMEM;
        }
    }
    for (int i = 0; i < net->n_layers; i++) {
        cJSON *o = describe_layer(net, &net->layers[i]);
        if (!o || !cJSON_AddItemToArray(layers, o)) {
            cJSON_Delete(o);
            return TN_ENOMEM;
        }
    }
    return TN_OK;
}

