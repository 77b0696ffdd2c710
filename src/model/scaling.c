#include "model/scaling.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <string.h>


const char *const tn__scaling_names[] = {"none", "unit", "standardize", NULL};

static const char *const scaling_keys[] = {"kind", "input", "mean", "std", NULL};

int tn__scaling_input(const tn_net *net, tn_error *err)
{
    int found = -1, n = 0;
    for (int i = 0; i < net->n_inputs; i++)
        if (net->nodes[i].kind == TN_NODE_FLOAT_INPUT) {
            found = i;
            n++;
        }
    if (n == 1)
        return found;
    tn__err(err, TN_ECONFIG, "scaling applies to the network's one float input, but it has %d",
            n);
    return -1;
}

void tn__scaling_apply_rows(const tn_scaling *s, float *x, size_t rows, size_t W)
{
    if (!s || s->kind == TN_SCALING_NONE)
        return;
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < W; j++) {
            size_t k = s->n == 1 ? 0 : j;
            x[r * W + j] = (x[r * W + j] - s->mean[k]) / s->std[k];
        }
}

void tn__scaling_invert_row(const tn_scaling *s, float *x, size_t width)
{
    if (!s || s->kind == TN_SCALING_NONE)
        return;
    for (size_t j = 0; j < width; j++) {
        size_t k = s->n == 1 ? 0 : j;
        x[j] = x[j] * s->std[k] + s->mean[k];
    }
}

static int parse_stats(tn_jr *r, const cJSON *obj, const char *key, size_t width, int positive,
                       size_t *n, float **out)
{
    const cJSON *a;
    int rc = tn__jr_array(r, obj, key, 1, &a);
    if (rc)
        return rc;
    size_t len = (size_t)cJSON_GetArraySize(a);
    if (len != 1 && len != width)
        return tn__jr_fail(r, key, "expected 1 or %zu numbers (the input's width), got %zu",
                           width, len);
    if (*n && len != *n)
        return tn__jr_fail(r, key, "expected %zu numbers, as many as \"mean\"", *n);
    *n = len;
    if (!(*out = tn__floats_alloc(len)))
        return tn__jr_oom(r, key);
    size_t i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, a) {
        double x = cJSON_IsNumber(v) ? v->valuedouble : NAN;
        /* A std the fit would never produce (below its floor) could round to 0 as a float
         * and turn every prediction into inf. */
        if (!isfinite(x) || fabs(x) > 3.4e38 || (positive && !(x >= TN_SCALING_MIN_STD))) {
            char got[64];
            size_t mark = tn__jr_push_key(r, key);
            tn__jr_push_index(r, i);
            rc = tn__jr_fail(r, NULL, "expected %s, got %s",
                             positive ? "a standard deviation >= 1e-06" : "a number",
                             tn__jr_describe(v, got, sizeof got));
            tn__jr_pop(r, mark);
            return rc;
        }
        (*out)[i++] = (float)x;
    }
    return TN_OK;
}

int tn__scaling_parse(tn_jr *r, const cJSON *v, const tn_net *net, tn_scaling *out)
{
    memset(out, 0, sizeof *out);
    size_t mark = tn__jr_push_key(r, "scaling");
    const char *input;
    tn_error e;
    int rc, in = -1;
    if (!(rc = tn__jr_check_keys(r, v, scaling_keys)) &&
        !(rc = tn__jr_enum(r, v, "kind", 1, 0, tn__scaling_names, &out->kind)) &&
        !(rc = tn__jr_str(r, v, "input", 1, NULL, &input))) {
        if ((in = tn__scaling_input(net, &e)) < 0)
            rc = tn__jr_fail(r, NULL, "%s", e.msg);
        else if (strcmp(input, net->nodes[in].name) != 0)
            rc = tn__jr_fail(r, "input", "expected \"%s\" (the float input), got \"%s\"",
                             net->nodes[in].name, input);
        else if (out->kind == TN_SCALING_NONE)
            rc = tn__jr_fail(r, "kind", "\"none\" is written as no \"scaling\" at all");
    }
    out->input = in;
    if (rc == TN_OK)
        rc = parse_stats(r, v, "mean", net->nodes[in].width, 0, &out->n, &out->mean);
    if (rc == TN_OK)
        rc = parse_stats(r, v, "std", net->nodes[in].width, 1, &out->n, &out->std);
    tn__jr_pop(r, mark);
    if (rc)
        tn__scaling_free(out);
    return rc;
}

void tn__scaling_free(tn_scaling *s)
{
    if (!s)
        return;
    tn__floats_free(s->mean);
    tn__floats_free(s->std);
    memset(s, 0, sizeof *s);
}
