#include "train/schedule.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <string.h>

static const char *const kinds[] = {"constant", "step", "exponential", "cosine", "plateau", NULL};

const char *const tn__lr_schedule_keys[] = {"type", "step_size", "gamma", "warmup", "min_lr",
                                            "factor", "patience", "min_delta", NULL};
int tn__lr_schedule_parse(tn_jr *r, const cJSON *train, tn_lr_schedule *out)
{
    *out = (tn_lr_schedule){.kind = TN_LR_CONSTANT};
    const cJSON *o;
    int rc = tn__jr_object(r, train, "lr_schedule", 0, &o);
    if (rc || !o)
        return rc;
    size_t mark = tn__jr_push_key(r, "lr_schedule");
    long long step = 10, warmup = 0, patience = 10;
    int kind;
    if (!(rc = tn__jr_check_keys(r, o, tn__lr_schedule_keys)) &&
        !(rc = tn__jr_enum(r, o, "type", 1, 0, kinds, &kind))) {
        out->kind = kind;
        double gamma_def = kind == TN_LR_STEP ? 0.1 : 0.95;
        if (!(rc = tn__jr_int(r, o, "step_size", 0, 10, 1, 1000000, &step)) &&
            !(rc = tn__jr_num_open_lo(r, o, "gamma", 0, gamma_def, 0, 1, &out->gamma)) &&
            !(rc = tn__jr_int(r, o, "warmup", 0, 0, 0, 1000000, &warmup)) &&
            !(rc = tn__jr_num(r, o, "min_lr", 0, 0, 0, 10, &out->min_lr)) &&
            !(rc = tn__jr_num_open_lo(r, o, "factor", 0, 0.1, 0, 1, &out->factor)) &&
            !(rc = tn__jr_int(r, o, "patience", 0, 10, 0, 1000000, &patience)) &&
            !(rc = tn__jr_num(r, o, "min_delta", 0, 0, 0, 1e9, &out->min_delta)) &&
            out->factor >= 1)
            rc = tn__jr_fail(r, "factor", "expected a number in (0, 1), got 1");
        /* A key of another kind is a mistake the user would want to hear of. */
        static const int used_by[] = {0, TN_LR_STEP, -1, TN_LR_COSINE, -2, TN_LR_PLATEAU,
                                      TN_LR_PLATEAU, TN_LR_PLATEAU};
        for (int k = 1; rc == TN_OK && tn__lr_schedule_keys[k]; k++) {
            const char *key = tn__lr_schedule_keys[k];
            int u = used_by[k];
            int fits = u == kind || (u == -1 && (kind == TN_LR_STEP || kind == TN_LR_EXPONENTIAL)) ||
                       (u == -2 && (kind == TN_LR_COSINE || kind == TN_LR_PLATEAU));
            if (!fits && cJSON_GetObjectItemCaseSensitive(o, key))
                rc = tn__jr_fail(r, key, "not a key of the \"%s\" schedule", kinds[kind]);
        }
    }
    out->step_size = (int)step;
    out->warmup = (int)warmup;
    out->patience = (int)patience;
    tn__jr_pop(r, mark);
    return rc;
}

double tn__lr_at(const tn_lr_schedule *s, double base, int epoch, int epochs,
                 const tn_plateau *p)
{
    int e = epoch - 1;
    switch (s->kind) {
    case TN_LR_STEP: return base * pow(s->gamma, (double)(e / s->step_size));
    case TN_LR_EXPONENTIAL: return base * pow(s->gamma, (double)e);
    case TN_LR_COSINE: {
        if (e < s->warmup)
            return base * (double)(e + 1) / (double)s->warmup;
        int span = epochs - s->warmup;
        double x = span > 0 ? (double)(e - s->warmup) / (double)span : 0;
        double lo = s->min_lr < base ? s->min_lr : base;
        return lo + (base - lo) * (1 + cos(3.14159265358979323846 * x)) / 2;
    }
    case TN_LR_PLATEAU: return p ? base * p->scale : base;
    default: return base;
    }
}

void tn__plateau_update(const tn_lr_schedule *s, double base, tn_plateau *p, double monitored)
{
    if (s->kind != TN_LR_PLATEAU)
        return;
    if (monitored < p->best - s->min_delta) {
        p->best = monitored;
        p->wait = 0;
        return;
    }
    if (++p->wait <= s->patience)
        return;
    /* PyTorch's ReduceLROnPlateau: more than patience bad evaluations, then count anew. */
    double floor = base > 0 ? s->min_lr / base : 0;
    p->scale = p->scale * s->factor > floor ? p->scale * s->factor : floor;
    p->wait = 0;
}

/* ---- class weights ------------------------------------------------------------------ */

int tn__class_weights_parse(tn_jr *r, const cJSON *train, size_t classes, int *balanced,
                            double **weights, size_t *n)
{
    *balanced = 0;
    *weights = NULL;
    *n = 0;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(train, "class_weights");
    if (!v)
        return TN_OK;
    char got[64];
    if (cJSON_IsString(v) && strcmp(v->valuestring, "balanced") == 0) {
        *balanced = 1;
        return TN_OK;
    }
    if (!cJSON_IsArray(v))
        return tn__jr_fail(r, "class_weights", "expected \"balanced\" or an array of %zu "
                           "positive numbers, got %s", classes, tn__jr_describe(v, got, sizeof got));
    if (classes < 2)
        return tn__jr_fail(r, "class_weights", "class weights need a class output (a "
                           "categorical loss, or binary cross-entropy with one output)");
    size_t count = (size_t)cJSON_GetArraySize(v);
    if (count != classes)
        return tn__jr_fail(r, "class_weights", "expected %zu weights (one per class), got %zu",
                           classes, count);
    double *w = tn__calloc(classes, sizeof *w);
    if (!w)
        return tn__jr_oom(r, "class_weights");
    size_t k = 0;
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble) || e->valuedouble <= 0 ||
            e->valuedouble > 1e6) {
            tn__free(w);
            size_t mark = tn__jr_push_key(r, "class_weights");
            tn__jr_push_index(r, k);
            int rc = tn__jr_fail(r, NULL, "expected a number in (0, 1e6], got %s",
                                 tn__jr_describe(e, got, sizeof got));
            tn__jr_pop(r, mark);
            return rc;
        }
        w[k] = e->valuedouble;
    }
    *weights = w;
    *n = classes;
    return TN_OK;
}

size_t tn__target_class(const float *t, size_t tw, size_t classes)
{
    if (tw == 1 && classes == 2 && t[0] <= 1.0f)
        return t[0] >= 0.5f; /* one binary column (also a class index 0 or 1) */
    if (tw == 1)
        return t[0] >= 0 && t[0] < (float)classes ? (size_t)t[0] : 0;
    size_t k = 0;
    for (size_t i = 1; i < tw; i++)
        if (t[i] > t[k])
            k = i;
    return k;
}

void tn__class_weights_balanced(const tn_dataset *d, size_t classes, double *w)
{
    for (size_t k = 0; k < classes; k++)
        w[k] = 0;
    for (size_t i = 0; i < d->rows; i++)
        w[tn__target_class(d->t + i * d->t_width, d->t_width, classes)] += 1;
    for (size_t k = 0; k < classes; k++)
        w[k] = w[k] > 0 ? (double)d->rows / ((double)classes * w[k]) : 1;
}
