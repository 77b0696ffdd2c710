/* What every data format shares: the "format" key, the model record, key checks, paths
 * relative to the config, and source checks. */
#include "data/format.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"

#include <stdio.h>
#include <string.h>

void tn__data_spec_free(tn_data_spec *s)
{
    if (s && s->format && s->format->free)
        s->format->free(s->state);
    if (s)
        memset(s, 0, sizeof *s);
}

int tn__data_spec_parse(tn_jr *r, const cJSON *obj, const tn_data_ctx *c, tn_data_spec *out)
{
    memset(out, 0, sizeof *out);
    const char **names = tn__data_format_names();
    if (!names)
        return tn__jr_oom(r, NULL);
    int csv = 0, index;
    while (names[csv] && strcmp(names[csv], "csv") != 0)
        csv++;
    int rc = tn__jr_enum(r, obj, "format", 0, csv, names, &index);
    tn__free(names);
    if (rc)
        return rc;
    out->format = tn__data_format_at((size_t)index);
    rc = out->format->parse(r, obj, c, &out->state);
    if (rc)
        tn__data_spec_free(out);
    return rc;
}

int tn__data_spec_record(const tn_data_spec *s, const tn_data_ctx *c, cJSON *header)
{
    cJSON *o = cJSON_AddObjectToObject(header, "data");
    if (!o || !cJSON_AddStringToObject(o, "format", s->format->name))
        return TN_ENOMEM;
    return s->format->record ? s->format->record(s->state, c, o) : TN_OK;
}

int tn__data_spec_from_record(tn_jr *r, const cJSON *obj, const tn_data_ctx *c,
                              tn_data_spec *out)
{
    memset(out, 0, sizeof *out);
    const char **names = tn__data_format_names();
    if (!names)
        return tn__jr_oom(r, NULL);
    int index;
    size_t mark = tn__jr_push_key(r, "data");
    int rc = tn__jr_enum(r, obj, "format", 1, 0, names, &index);
    tn__free(names);
    if (rc == TN_OK) {
        out->format = tn__data_format_at((size_t)index);
        rc = out->format->from_record(r, obj, c, &out->state);
    }
    tn__jr_pop(r, mark);
    if (rc)
        tn__data_spec_free(out);
    return rc;
}

const char *const tn__data_common_keys[] = {"format", "scaling", NULL};
const tn__keydoc tn__data_common_docs[] = {
    {"format", "the data format (default \"csv\")"},
    {"scaling", "\"none\" (the default), \"unit\" (divided by the largest value of the data's "
               "type, e.g. 255 for bytes) or \"standardize\" ((x - mean) / std per feature, from "
               "the training rows); stored in the model and applied by eval, predict and the "
               "runtime"},
    {NULL, NULL}};

int tn__data_check_keys(tn_jr *r, const cJSON *obj, const tn_data_format *f)
{
    const char *allowed[40] = {"format"};
    size_t n = 1;
    for (size_t k = 0; f->keys && f->keys[k] && n < 38; k++)
        allowed[n++] = f->keys[k];
    allowed[n++] = "scaling";
    allowed[n] = NULL;
    return tn__jr_check_keys(r, obj, allowed);
}

int tn__data_path(tn_jr *r, const cJSON *obj, const char *key, int required, const char *config,
                  char **out)
{
    const char *p;
    *out = NULL;
    int rc = tn__jr_str(r, obj, key, required, NULL, &p);
    if (rc || !p)
        return rc;
    if (!(*out = tn__path_beside(config, p)))
        return tn__jr_oom(r, key);
    return TN_OK;
}

int tn__data_source_check(const tn_data_format *f, const tn_data_source *src, int n,
                          int text_ok, tn_error *err)
{
    if (src->text ? text_ok : src->n_paths == n)
        return TN_OK;
    return tn__err(err, TN_EINVAL, "data in format \"%s\" is read from %s", f->name,
                   f->sources);
}

int tn__data_parse_holdout(tn_jr *r, const cJSON *obj, int has_test, const char *what,
                           double *out)
{
    int rc = tn__jr_num(r, obj, "holdout", 0, 0, 0, 0.9, out);
    if (rc == TN_OK && has_test && cJSON_GetObjectItemCaseSensitive(obj, "holdout"))
        rc = tn__jr_fail(r, "holdout", "give either a test %s or a holdout fraction, not both",
                         what);
    return rc;
}

int tn__data_holdout(tn_data_loaded *out, double fraction, unsigned long long seed,
                     tn_error *err)
{
    if (out->test || fraction <= 0)
        return TN_OK;
    tn_dataset *all = out->train;
    int rc = tn__dataset_split(all, fraction, seed, &out->train, &out->test, err);
    tn__dataset_free(all);
    out->holdout = rc == TN_OK;
    return rc;
}

int tn__data_load_chosen(tn_data_load_fn load, const void *state, const tn_data_ctx *c,
                         unsigned long long seed, const tn_row_select *sel,
                         tn_data_loaded *out, size_t *read, tn_error *err)
{
    *read = 0;
    const uint32_t *rows = NULL;
    size_t n = 0;
    tn_dataset *kept = NULL;
    int rc = load(state, c, seed, out, err);
    if (rc == TN_OK) {
        *read = out->train->rows;
        rc = sel->select(sel->user, out->train->rows, &rows, &n, err);
    }
    if (rc == TN_OK)
        rc = tn__dataset_pick(out->train, rows, n, &kept, err);
    if (rc == TN_OK) { /* the other rows go at once */
        tn__dataset_free(out->train);
        out->train = kept;
    } else {
        tn__data_loaded_free(out);
    }
    return rc;
}

void tn__data_loaded_free(tn_data_loaded *d)
{
    if (!d)
        return;
    tn__dataset_free(d->train);
    tn__dataset_free(d->test);
    if (d->free_extra)
        d->free_extra(d->extra);
    memset(d, 0, sizeof *d);
}

/* Files from before "data": the training record's ratings settings, or the CSV columns;
 * neither means IDX images. */
static const cJSON *legacy_record(const tn_model *m, const char **format)
{
    const cJSON *rec = m->training ? cJSON_GetObjectItemCaseSensitive(m->training, "data") : NULL;
    *format = rec ? "ratings" : m->columns ? "csv" : "idx";
    return rec ? rec : m->columns;
}

const tn_data_format *tn__data_format_of_model(const tn_model *m)
{
    const cJSON *f = m->data ? cJSON_GetObjectItemCaseSensitive(m->data, "format") : NULL;
    if (cJSON_IsString(f))
        return tn__data_format_find(f->valuestring);
    const char *format;
    legacy_record(m, &format);
    return tn__data_format_find(format);
}

int tn__data_spec_of_model(const tn_model *m, const tn_data_ctx *c, tn_data_spec *out,
                           tn_error *err)
{
    char label[300];
    snprintf(label, sizeof label, "%s: header", m->source ? m->source : "model");
    tn_jr r;
    tn__jr_init(&r, label, err);
    memset(out, 0, sizeof *out);
    int rc;
    if (m->data) {
        rc = tn__data_spec_from_record(&r, m->data, c, out);
    } else {
        const char *format;
        const cJSON *legacy = legacy_record(m, &format);
        cJSON *empty = legacy ? NULL : cJSON_CreateObject();
        if (!legacy && !empty)
            return tn__err(err, TN_ENOMEM, "out of memory");
        out->format = tn__data_format_find(format);
        size_t mark = tn__jr_push_key(&r, legacy == m->columns && legacy ? "columns" : "training");
        if (legacy && legacy != m->columns)
            tn__jr_push_key(&r, "data");
        rc = out->format->from_record(&r, legacy ? legacy : empty, c, &out->state);
        tn__jr_pop(&r, mark);
        cJSON_Delete(empty);
    }
    /* A record the format refuses is a malformed file, not a bad config. */
    if (rc == TN_ECONFIG) {
        rc = TN_EFORMAT;
        if (err)
            err->code = rc;
    }
    if (rc)
        tn__data_spec_free(out);
    return rc;
}
