/* Every built-in activation as C99 text: the same formulas as src/act/, in the same
 * precision (double where tinynet computes in double, float where it computes in float;
 * the smooth ones call act/vmath.h's kernels, emitted with the code), so the exported
 * code's activations give tinynet's bits for the same input. A registered
 * module (tn_activation_register) has no C form: its code is the program's own. */
#include "export/export.h"

#include "act/inst.h"

#include <string.h>

/* The helpers a body may call, emitted once (c.c): act/vmath.h itself, whose functions
 * are static, so two exported networks link together. */
#include "act/vmath_text.h" /* generated from act/vmath.h (CMakeLists.txt) */
const char *const tn__c_helper_text[TN__C_N_HELPERS] = {tn__vmath_text};

/* A piece of body per module; P is the prefix (for the helpers), then the parameters. The
 * loop variable is i over n; v is x[i] in double. */
static void hp(tn_sb *b, const tn_act_inst *a, int k) { tn__sb_double(b, (double)a->hyper[k]); }

int tn__c_act_body(tn_sb *b, const char *P, const tn_act_inst *a, size_t cols, unsigned *needs)
{
    const char *nm = a->m->name;
    (void)P; /* the helpers are vmath.h's static functions: no prefix needed */
    if (!tn__act_builtin(a->m))
        return TN_EINVAL;
    int math = 1;
    if (strcmp(nm, "softmax") == 0 || strcmp(nm, "log_softmax") == 0) {
        /* act/softmax.c: the row maximum, then sums in double. */
        tn__sb_printf(b, "    size_t i;\n    double m = x[0], s = 0.0;\n    (void)a;\n"
                         "    for (i = 1; i < n; i++)\n        m = fmax(m, (double)x[i]);\n");
        if (nm[0] == 's')
            tn__sb_printf(b, "    for (i = 0; i < n; i++)\n        s += tn__vexp((double)x[i] - m);\n"
                             "    for (i = 0; i < n; i++)\n"
                             "        x[i] = (float)(tn__vexp((double)x[i] - m) / s);\n");
        else
            tn__sb_printf(b, "    {\n        size_t k = 0;\n"
                             "        double lse;\n"
                             "        while (k + 1 < n && (double)x[k] != m)\n            k++;\n"
                             "        for (i = 0; i < n; i++)\n"
                             "            if (i != k)\n                s += tn__vexp((double)x[i] - m);\n"
                             "        lse = log1p(s);\n"
                             "        for (i = 0; i < n; i++)\n"
                             "            x[i] = (float)(((double)x[i] - m) - lse);\n    }\n");
        *needs |= TN__C_MATH | TN__C_NEED(TN__C_VMATH);
        return TN_OK;
    }
    tn__sb_printf(b, "    size_t i;\n    (void)a;\n    for (i = 0; i < n; i++) {\n"
                     "        double v = x[i];\n        (void)v;\n");
    if (strcmp(nm, "identity") == 0) {
        math = 0;
    } else if (strcmp(nm, "binary_step") == 0) {
        tn__sb_printf(b, "        x[i] = x[i] >= 0.0f ? 1.0f : 0.0f;\n");
        math = 0;
    } else if (strcmp(nm, "sigmoid") == 0) {
        tn__sb_printf(b, "        x[i] = tn__vsigmoidf(x[i]);\n");
        math = 0, *needs |= TN__C_NEED(TN__C_VMATH);
    } else if (strcmp(nm, "bipolar_sigmoid") == 0) {
        tn__sb_printf(b, "        x[i] = tn__vtanhf(0.5f * x[i]);\n");
        math = 0, *needs |= TN__C_NEED(TN__C_VMATH);
    } else if (strcmp(nm, "tanh") == 0) {
        tn__sb_printf(b, "        x[i] = tn__vtanhf(x[i]);\n");
        math = 0, *needs |= TN__C_NEED(TN__C_VMATH);
    } else if (strcmp(nm, "softsign") == 0) {
        tn__sb_printf(b, "        x[i] = (float)(v / (1.0 + (v < 0.0 ? -v : v)));\n");
        math = 0;
    } else if (strcmp(nm, "hard_sigmoid") == 0 || strcmp(nm, "hard_swish") == 0) {
        tn__sb_printf(b, "        double t = v + 3.0;\n        t = t > 0.0 ? t : 0.0;\n"
                         "        t = t < 6.0 ? t : 6.0;\n");
        tn__sb_printf(b, nm[5] == 's' && nm[6] == 'i' ? "        x[i] = (float)(t / 6.0);\n"
                                                       : "        x[i] = (float)(v * t / 6.0);\n");
        math = 0;
    } else if (strcmp(nm, "relu") == 0) {
        tn__sb_printf(b, "        x[i] = x[i] > 0.0f ? x[i] : 0.0f;\n");
        math = 0;
    } else if (strcmp(nm, "relu6") == 0) {
        tn__sb_printf(b, "        float t = x[i] > 0.0f ? x[i] : 0.0f;\n"
                         "        x[i] = t < 6.0f ? t : 6.0f;\n");
        math = 0;
    } else if (strcmp(nm, "leaky_relu") == 0) {
        tn__sb_printf(b, "        x[i] = x[i] > 0.0f ? x[i] : ");
        tn__sb_float(b, a->hyper[0]);
        tn__sb_printf(b, " * x[i];\n");
        math = 0;
    } else if (strcmp(nm, "prelu") == 0) {
        /* The slopes are learned values, passed as a: one per unit or one shared. */
        tn__sb_printf(b, "        x[i] = x[i] > 0.0f ? x[i] : a[%s] * x[i];\n",
                      a->n_learn == cols && cols > 1 ? "i" : "0");
        math = 0;
    } else if (strcmp(nm, "rrelu") == 0) {
        /* Inference: the mean slope (lower + upper) / 2, in double. */
        tn__sb_printf(b, "        x[i] = (float)(v >= 0.0 ? v : ");
        tn__sb_double(b, 0.5 * ((double)a->hyper[0] + (double)a->hyper[1]));
        tn__sb_printf(b, " * v);\n");
        math = 0;
    } else if (strcmp(nm, "elu") == 0) {
        tn__sb_printf(b, "        x[i] = tn__k_elu(");
        tn__sb_float(b, a->hyper[0]);
        tn__sb_printf(b, ", x[i]);\n");
        math = 0, *needs |= TN__C_NEED(TN__C_VMATH);
    } else if (strcmp(nm, "selu") == 0) {
        tn__sb_printf(b, "        x[i] = (float)tn__k_selu(x[i]);\n");
        math = 0, *needs |= TN__C_NEED(TN__C_VMATH);
    } else if (strcmp(nm, "celu") == 0) {
        tn__sb_printf(b, "        x[i] = tn__k_celu(");
        tn__sb_float(b, a->hyper[0]);
        tn__sb_printf(b, ", x[i]);\n");
        math = 0, *needs |= TN__C_NEED(TN__C_VMATH);
    } else if (strcmp(nm, "gelu") == 0) {
        tn__sb_printf(b, "        x[i] = (float)tn__k_gelu(v);\n");
        math = 0, *needs |= TN__C_NEED(TN__C_VMATH);
    } else if (strcmp(nm, "gelu_tanh") == 0) {
        tn__sb_printf(b, "        x[i] = (float)tn__k_gelu_tanh(v);\n");
        math = 0, *needs |= TN__C_NEED(TN__C_VMATH);
    } else if (strcmp(nm, "silu") == 0) {
        tn__sb_printf(b, "        x[i] = (float)tn__k_silu(v);\n");
        math = 0, *needs |= TN__C_NEED(TN__C_VMATH);
    } else if (strcmp(nm, "swish") == 0) {
        tn__sb_printf(b, "        x[i] = (float)tn__k_swish(");
        hp(b, a, 0);
        tn__sb_printf(b, ", v);\n");
        math = 0, *needs |= TN__C_NEED(TN__C_VMATH);
    } else if (strcmp(nm, "mish") == 0) {
        tn__sb_printf(b, "        x[i] = (float)tn__k_mish(v);\n");
        math = 0, *needs |= TN__C_NEED(TN__C_VMATH);
    } else if (strcmp(nm, "softplus") == 0) {
        tn__sb_printf(b, "        x[i] = (float)tn__k_softplus(");
        hp(b, a, 0);
        tn__sb_printf(b, ", ");
        hp(b, a, 1);
        tn__sb_printf(b, ", v);\n");
        math = 0, *needs |= TN__C_NEED(TN__C_VMATH);
    } else {
        return TN_EINVAL; /* a built-in without a C form: a test covers every one */
    }
    tn__sb_printf(b, "    }\n");
    if (math)
        *needs |= TN__C_MATH;
    return TN_OK;
}
