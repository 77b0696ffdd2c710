/* The activation registry: the built-in modules in a fixed table, then the ones a program
 * registered with tn_activation_register, in registration order. Lookup is by exact,
 * case-sensitive name. The custom table is process-wide and not locked: register at
 * start-up, before networks are built or loaded (activation.h says so). */
#include "act/act.h"
#include "act/inst.h"
#include "core/error.h"
#include "core/registry.h"

#include <math.h>
#include <string.h>

/* The built-in modules, in the order `tinynet activations` lists them. */
#define BUILTINS(X, T)            \
    X(T, tn__act_identity)        \
    X(T, tn__act_binary_step)     \
    X(T, tn__act_sigmoid)         \
    X(T, tn__act_bipolar_sigmoid) \
    X(T, tn__act_tanh)            \
    X(T, tn__act_relu)            \
    X(T, tn__act_relu6)           \
    X(T, tn__act_leaky_relu)      \
    X(T, tn__act_prelu)           \
    X(T, tn__act_rrelu)           \
    X(T, tn__act_elu)             \
    X(T, tn__act_selu)            \
    X(T, tn__act_celu)            \
    X(T, tn__act_gelu)            \
    X(T, tn__act_gelu_tanh)       \
    X(T, tn__act_silu)            \
    X(T, tn__act_swish)           \
    X(T, tn__act_mish)            \
    X(T, tn__act_softplus)        \
    X(T, tn__act_softsign)        \
    X(T, tn__act_hard_sigmoid)    \
    X(T, tn__act_hard_swish)      \
    X(T, tn__act_softmax)         \
    X(T, tn__act_log_softmax)     \
    /* one line per activation, above this one */

TN__REGISTRY_TABLE(tn_activation, BUILTINS, builtins);
#define N_BUILTINS (sizeof builtins / sizeof builtins[0])

#define TN__ACT_MAX_CUSTOM 64
static const tn_activation *custom[TN__ACT_MAX_CUSTOM];
static size_t n_custom;

#define TN__ACT_KNOWN_FLAGS ((unsigned)(TN_ACT_ROWWISE | TN_ACT_RANDOM | TN_ACT_ZERO_GRAD))

size_t tn_activation_count(void) { return N_BUILTINS + n_custom; }

const tn_activation *tn_activation_at(size_t i)
{
    if (i < N_BUILTINS)
        return builtins[i];
    i -= N_BUILTINS;
    return i < n_custom ? custom[i] : NULL;
}

int tn__act_builtin(const tn_activation *m)
{
    for (size_t i = 0; i < N_BUILTINS; i++)
        if (builtins[i] == m)
            return 1;
    return 0;
}

const tn_activation *tn_activation_find(const char *name)
{
    if (!name)
        return NULL;
    size_t n = tn_activation_count();
    for (size_t i = 0; i < n; i++) {
        const tn_activation *m = tn_activation_at(i);
        if (strcmp(m->name, name) == 0)
            return m;
    }
    return NULL;
}

/* Names of modules and parameters are identifiers: they are JSON keys and values, items of
 * comma-separated lists on the command line, and printed on terminals. */
static const char *identifier_problem(const char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return "is empty";
    if (n > 63)
        return "is longer than 63 characters";
    if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != n)
        return "holds a character other than a letter, digit, '_' or '-'";
    return NULL;
}

/* The checks on one declared hyper-parameter; i is its index, for the message. */
static int check_param(const tn_activation *m, int i, tn_error *err)
{
    const tn_act_param *p = &m->params[i];
    if (!p->name || !p->name[0])
        return tn__err(err, TN_EINVAL, "activation '%s': parameter %d has no name", m->name, i);
    const char *bad = identifier_problem(p->name);
    if (bad)
        return tn__err(err, TN_EINVAL, "activation '%s': the name of parameter %d %s", m->name,
                       i, bad);
    if (strcmp(p->name, "type") == 0)
        return tn__err(err, TN_EINVAL, "activation '%s': parameter %d cannot be named \"type\" "
                       "(the key that names the activation)", m->name, i);
    if (p->kind != TN_ACT_PARAM_NUMBER && p->kind != TN_ACT_PARAM_BOOL)
        return tn__err(err, TN_EINVAL, "activation '%s': parameter '%s' has an unknown kind %d",
                       m->name, p->name, p->kind);
    if (p->kind == TN_ACT_PARAM_BOOL && (p->min != 0 || p->max != 1 || (p->def != 0 && p->def != 1)))
        return tn__err(err, TN_EINVAL, "activation '%s': boolean parameter '%s' needs range [0, "
                       "1] and a default of 0 or 1", m->name, p->name);
    for (int k = 0; k < i; k++)
        if (strcmp(m->params[k].name, p->name) == 0)
            return tn__err(err, TN_EINVAL, "activation '%s': parameter '%s' declared twice",
                           m->name, p->name);
    if (!isfinite(p->min) || !isfinite(p->max) || p->min > p->max)
        return tn__err(err, TN_EINVAL,
                       "activation '%s': parameter '%s' has an invalid range [%g, %g]", m->name,
                       p->name, (double)p->min, (double)p->max);
    if (!(p->def >= p->min && p->def <= p->max))
        return tn__err(err, TN_EINVAL,
                       "activation '%s': parameter '%s' default %g is outside its range [%g, %g]",
                       m->name, p->name, (double)p->def, (double)p->min, (double)p->max);
    return TN_OK;
}

int tn_activation_register(const tn_activation *m, tn_error *err)
{
    if (!m)
        return tn__err(err, TN_EINVAL, "activation module is NULL");
    if (!m->name || !m->name[0])
        return tn__err(err, TN_EINVAL, "activation module has no name");
    const char *bad = identifier_problem(m->name);
    if (bad) /* the name itself may be what must not be printed: not quoted here */
        return tn__err(err, TN_EINVAL, "an activation's name %s", bad);
    if (tn_activation_find(m->name))
        return tn__err(err, TN_EINVAL, "activation '%s' is already registered", m->name);
    if (!m->forward)
        return tn__err(err, TN_EINVAL, "activation '%s': forward is NULL", m->name);
    if (!m->backward)
        return tn__err(err, TN_EINVAL, "activation '%s': backward is NULL", m->name);
    if (m->flags & ~TN__ACT_KNOWN_FLAGS)
        return tn__err(err, TN_EINVAL, "activation '%s': unknown flags 0x%x", m->name,
                       m->flags & ~TN__ACT_KNOWN_FLAGS);
    if (m->n_params < 0 || m->n_params > TN_ACT_MAX_PARAMS)
        return tn__err(err, TN_EINVAL, "activation '%s': n_params %d is not within 0..%d",
                       m->name, m->n_params, TN_ACT_MAX_PARAMS);
    for (int i = 0; i < m->n_params; i++) {
        int rc = check_param(m, i, err);
        if (rc != TN_OK)
            return rc;
    }
    if (!m->n_learnable != !m->init_learnable)
        return tn__err(err, TN_EINVAL,
                       "activation '%s': n_learnable and init_learnable must both be set or "
                       "both be NULL", m->name);
    if (n_custom == TN__ACT_MAX_CUSTOM)
        return tn__err(err, TN_EINVAL,
                       "activation '%s': too many custom activations (at most %d)", m->name,
                       TN__ACT_MAX_CUSTOM);
    custom[n_custom++] = m;
    return TN_OK;
}
