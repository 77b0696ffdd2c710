/* The "columns" object shared by training configs and model headers: which data columns
 * feed each network input, and which are targets. Kept apart from config.c so a program
 * that only loads models and predicts links none of the training configuration code. */
#include "train/config.h"

#include "core/alloc.h"
#include "core/json.h"

#include <stdio.h>
#include <string.h>

/* A column list: a string (one column) or an array of strings. */
static int parse_colspec(tn_jr *r, const cJSON *obj, const char *key, size_t want,
                         const char *what, tn_colspec *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char got[64];
    size_t n = cJSON_IsString(v) ? 1 : cJSON_IsArray(v) ? (size_t)cJSON_GetArraySize(v) : 0;
    if (!cJSON_IsString(v) && !cJSON_IsArray(v))
        return tn__jr_fail(r, key, "expected a column name or an array of column names, got %s",
                           v ? tn__jr_describe(v, got, sizeof got) : "nothing");
    if (want && n != want)
        return tn__jr_fail(r, key, "%zu column%s given, but %s has %zu", n, n == 1 ? "" : "s",
                           what, want);
    if (n == 0)
        return tn__jr_fail(r, key, "expected at least one column name");
    out->names = tn__calloc(n, sizeof *out->names);
    if (!out->names)
        return tn__jr_oom(r, key);
    out->n = n;
    if (cJSON_IsString(v)) {
        snprintf(out->names[0], TN_MAX_NAME, "%s", v->valuestring);
        return TN_OK;
    }
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, v) {
        if (!cJSON_IsString(item) || !item->valuestring[0] ||
            strlen(item->valuestring) >= TN_MAX_NAME) {
            size_t mark = tn__jr_push_key(r, key);
            tn__jr_push_index(r, i);
            int rc = tn__jr_fail(r, NULL, "expected a column name (1 to %d characters), got %s",
                                 TN_MAX_NAME - 1, tn__jr_describe(item, got, sizeof got));
            tn__jr_pop(r, mark);
            return rc;
        }
        snprintf(out->names[i++], TN_MAX_NAME, "%s", item->valuestring);
    }
    return TN_OK;
}

int tn__columns_parse(tn_jr *r, const cJSON *obj, const tn_net *net, int need_target,
                      tn_columns *out)
{
    memset(out, 0, sizeof *out);
    out->n_inputs = net->n_inputs;
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(obj, "inputs");
    int rc = TN_OK;
    char what[TN_MAX_NAME + 16];
    if (cJSON_IsObject(inputs)) {
        const char *names[TN_MAX_INPUTS + 1];
        for (int i = 0; i < net->n_inputs; i++)
            names[i] = net->nodes[i].name;
        names[net->n_inputs] = NULL;
        size_t mark = tn__jr_push_key(r, "inputs");
        rc = tn__jr_check_keys(r, inputs, names);
        for (int i = 0; rc == TN_OK && i < net->n_inputs; i++) {
            if (!cJSON_GetObjectItemCaseSensitive(inputs, names[i]))
                rc = tn__jr_fail(r, NULL, "no columns given for input \"%s\"", names[i]);
            snprintf(what, sizeof what, "input \"%s\"", names[i]);
            if (rc == TN_OK)
                rc = parse_colspec(r, inputs, names[i], net->nodes[i].width, what, &out->in[i]);
        }
        tn__jr_pop(r, mark);
    } else if (!inputs) {
        rc = tn__jr_fail(r, "inputs", "missing (expected the data columns of each input)");
    } else if (net->n_inputs > 1) {
        rc = tn__jr_fail(r, "inputs", "the network has %d inputs: give an object mapping each "
                         "input name to its columns", net->n_inputs);
    } else {
        snprintf(what, sizeof what, "input \"%s\"", net->nodes[0].name);
        rc = parse_colspec(r, obj, "inputs", net->nodes[0].width, what, &out->in[0]);
    }
    if (rc == TN_OK && (need_target || cJSON_GetObjectItemCaseSensitive(obj, "target")))
        rc = parse_colspec(r, obj, "target", 0, "", &out->target);
    if (rc)
        tn__columns_free(out);
    return rc;
}

static cJSON *colspec_json(const tn_colspec *c)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < c->n; i++) {
        cJSON *s = cJSON_CreateString(c->names[i]);
        if (!s || !cJSON_AddItemToArray(a, s)) {
            cJSON_Delete(s);
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

int tn__columns_describe(const tn_columns *c, const tn_net *net, cJSON *obj)
{
    cJSON *inputs = cJSON_AddObjectToObject(obj, "inputs");
    if (!inputs)
        return TN_ENOMEM;
    for (int i = 0; i < c->n_inputs; i++) {
        cJSON *a = colspec_json(&c->in[i]);
        if (!a || !cJSON_AddItemToObject(inputs, net->nodes[i].name, a)) {
            cJSON_Delete(a);
            return TN_ENOMEM;
        }
    }
    if (c->target.n) {
        cJSON *a = colspec_json(&c->target);
        if (!a || !cJSON_AddItemToObject(obj, "target", a)) {
            cJSON_Delete(a);
            return TN_ENOMEM;
        }
    }
    return TN_OK;
}

void tn__columns_free(tn_columns *c)
{
    for (int i = 0; i < TN_MAX_INPUTS; i++)
        tn__free(c->in[i].names);
    tn__free(c->target.names);
    memset(c, 0, sizeof *c);
}
