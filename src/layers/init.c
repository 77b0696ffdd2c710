#include "layers/init.h"

#include <math.h>
#include <string.h>

const char *const tn__init_names[] = {
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform",
    "lecun_normal", "zeros", "xavier_uniform", "xavier_normal", "kaiming_uniform",
    "kaiming_normal", NULL};

int tn__init_find(const char *name)
{
    for (int i = 0; tn__init_names[i]; i++)
        if (strcmp(tn__init_names[i], name) == 0)
            return i;
    return -1;
}

int tn__init_canonical(int name_index)
{
    static const int alias[] = {TN_INIT_GLOROT_UNIFORM, TN_INIT_GLOROT_NORMAL,
                                TN_INIT_HE_UNIFORM, TN_INIT_HE_NORMAL};
    return name_index < TN_INIT_COUNT ? name_index : alias[name_index - TN_INIT_COUNT];
}

/* Uniform(-limit, limit) has variance limit^2/3, so each scheme's variance fixes both forms:
 * glorot 2/(fan_in+fan_out), he 2/fan_in, lecun 1/fan_in. Normal means plain (not truncated). */
void tn__init_fill(int kind, float *w, size_t n, size_t fan_in, size_t fan_out, tn_rng *rng)
{
    double var;
    switch (kind) {
    case TN_INIT_GLOROT_UNIFORM: case TN_INIT_GLOROT_NORMAL:
        var = 2.0 / (double)(fan_in + fan_out); break;
    case TN_INIT_HE_UNIFORM: case TN_INIT_HE_NORMAL:
        var = 2.0 / (double)fan_in; break;
    case TN_INIT_LECUN_UNIFORM: case TN_INIT_LECUN_NORMAL:
        var = 1.0 / (double)fan_in; break;
    default:
        for (size_t i = 0; i < n; i++)
            w[i] = 0.0f;
        return;
    }
    int normal = kind == TN_INIT_GLOROT_NORMAL || kind == TN_INIT_HE_NORMAL ||
                 kind == TN_INIT_LECUN_NORMAL;
    double sd = sqrt(var), limit = sqrt(3.0 * var);
    for (size_t i = 0; i < n; i++)
        w[i] = normal ? (float)(sd * tn__rng_normal(rng))
                      : (float)(limit * (2.0 * tn__rng_uniform_d(rng) - 1.0));
}
