#include "train/checkpoint.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/json.h"
#include "core/text.h"
#include "model/modelfile.h"
#include "train/config.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

/* A state is between epochs: the next may be one past the last. */
#define TN_MAX_EPOCHS_CKPT (TN_MAX_EPOCHS + 1)

uint32_t tn__dataset_crc(const tn_dataset *d)
{
    /* zlib's crc32 is several times faster than the table loop of core/file.c, which
     * matters for the 188 MB of Fashion-MNIST; both compute the same CRC-32. */
    uLong crc = crc32(0L, Z_NULL, 0);
    for (int i = 0; i < d->n_inputs; i++) {
        const unsigned char *p = (const unsigned char *)d->x[i];
        size_t n = d->rows * d->width[i] * sizeof(float);
        for (size_t done = 0; done < n;) {
            uInt chunk = n - done > (1u << 30) ? (1u << 30) : (uInt)(n - done);
            crc = crc32(crc, p + done, chunk);
            done += chunk;
        }
    }
    if (d->t)
        crc = crc32(crc, (const unsigned char *)d->t, (uInt)(d->rows * d->t_width * sizeof(float)));
    return (uint32_t)crc;
}

/* ---- writing ------------------------------------------------------------------------- */

static cJSON *add_hex(cJSON *o, const char *key, uint64_t v)
{
    char buf[17];
    snprintf(buf, sizeof buf, "%016llx", (unsigned long long)v);
    return cJSON_AddStringToObject(o, key, buf);
}

static uint64_t bits_of(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static cJSON *add_rng(cJSON *o, const char *key, const tn_rng *r)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%016llx:%016llx", (unsigned long long)r->state,
             (unsigned long long)r->inc);
    return cJSON_AddStringToObject(o, key, buf);
}

static int add_metrics(cJSON *o, const char *key, const tn_metrics *m)
{
    cJSON *v = cJSON_AddObjectToObject(o, key);
    return v && cJSON_AddNumberToObject(v, "rows", (double)m->rows) &&
           add_hex(v, "loss", bits_of(m->loss)) && add_hex(v, "accuracy", bits_of(m->accuracy));
}

/* Reduce-on-plateau's state, only when it has left its start (so checkpoints of runs
 * without that schedule read as they did before it existed). */
static int add_plateau(cJSON *o, const tn_plateau *p)
{
    if (p->scale == 1 && p->best == INFINITY && p->wait == 0)
        return 1;
    cJSON *v = cJSON_AddObjectToObject(o, "plateau");
    return v && add_hex(v, "scale", bits_of(p->scale)) && add_hex(v, "best", bits_of(p->best)) &&
           cJSON_AddNumberToObject(v, "wait", p->wait);
}

/* A path as a JSON string: escaped where it is not printable UTF-8 (a header must be). */
static cJSON *add_path(cJSON *o, const char *key, const char *path)
{
    char buf[4096];
    tn__text_escape(buf, sizeof buf, path);
    return cJSON_AddStringToObject(o, key, buf);
}

static cJSON *header_of(const tn_ckpt_meta *m, const tn_train_snapshot *s)
{
    const tn_train_state *st = &s->state;
    cJSON *h = cJSON_CreateObject(), *o;
    int ok = h && cJSON_AddStringToObject(h, "format", TN_CHECKPOINT_FORMAT) &&
             cJSON_AddNumberToObject(h, "version", TN_CHECKPOINT_VERSION) &&
             add_path(h, "config", m->config) &&
             add_hex(h, "config_hash", m->config_hash) &&
             cJSON_AddNumberToObject(h, "seed", (double)m->seed) &&
             cJSON_AddNumberToObject(h, "threads", m->threads) &&
             cJSON_AddNumberToObject(h, "epochs", m->epochs) &&
             cJSON_AddNumberToObject(h, "batch_size", (double)m->batch_size) &&
             (!m->scaling || cJSON_AddItemToObject(h, "scaling", cJSON_Duplicate(m->scaling, 1))) &&
             (o = cJSON_AddObjectToObject(h, "data")) &&
             cJSON_AddNumberToObject(o, "train_rows", (double)m->train_rows) &&
             add_hex(o, "train_crc", m->train_crc) &&
             (o = cJSON_AddObjectToObject(h, "optimizer")) &&
             cJSON_AddStringToObject(o, "type", m->optimizer) &&
             cJSON_AddNumberToObject(o, "steps", (double)s->opt_t) &&
             cJSON_AddNumberToObject(o, "blocks", s->opt_blocks) &&
             cJSON_AddNumberToObject(h, "parameters", (double)s->n_params) &&
             cJSON_AddBoolToObject(h, "best_parameters", s->best != NULL) &&
             (o = cJSON_AddObjectToObject(h, "state")) &&
             cJSON_AddNumberToObject(o, "epoch", st->epoch) &&
             cJSON_AddNumberToObject(o, "batch", (double)st->batch) &&
             add_rng(o, "shuffle", &st->shuffle) && add_rng(o, "noise", &st->noise) &&
             add_hex(o, "loss_sum", bits_of(st->total)) &&
             cJSON_AddNumberToObject(o, "correct", (double)st->correct) &&
             add_hex(o, "best_loss", bits_of(st->best)) &&
             cJSON_AddNumberToObject(o, "since_best", st->since_best) &&
             cJSON_AddNumberToObject(o, "epochs_run", st->res.epochs_run) &&
             cJSON_AddNumberToObject(o, "best_epoch", st->res.best_epoch) &&
             cJSON_AddBoolToObject(o, "stopped_early", st->res.stopped_early) &&
             add_metrics(o, "train", &st->res.train) && add_metrics(o, "val", &st->res.val) &&
             add_plateau(o, &st->plateau);
    if (!ok) {
        cJSON_Delete(h);
        return NULL;
    }
    return h;
}

int tn__checkpoint_write(const char *path, const tn_ckpt_meta *meta, const tn_train_snapshot *s,
                         tn_error *err)
{
    /* The blocks go to the file as they are: a checkpoint costs no memory beyond them. */
    const float *blocks[2 + TN_OPTIM_MAX_STATE];
    size_t k = 0;
    blocks[k++] = s->P;
    for (int i = 0; i < s->opt_blocks; i++)
        blocks[k++] = s->opt_state[i];
    if (s->best)
        blocks[k++] = s->best;
    cJSON *h = header_of(meta, s);
    char *text = h ? cJSON_PrintUnformatted(h) : NULL;
    cJSON_Delete(h);
    int rc = text ? tn__modelfile_write_blocks(path, text, blocks, k, s->n_params, err)
                  : tn__err(err, TN_ENOMEM, "%s: out of memory writing the checkpoint", path);
    cJSON_free(text);
    return rc;
}

/* ---- reading ------------------------------------------------------------------------- */

/* "<16 hex digits>" (or two of them joined by ':' into b when b is not NULL). */
static int get_hex(tn_jr *r, const cJSON *o, const char *key, uint64_t *a, uint64_t *b)
{
    const char *s;
    int rc = tn__jr_str(r, o, key, 1, NULL, &s);
    if (rc)
        return rc;
    unsigned long long x = 0, y = 0;
    int used = 0;
    size_t want = b ? 33 : 16;
    int ok = strlen(s) == want &&
             (b ? sscanf(s, "%16llx:%16llx%n", &x, &y, &used) == 2
                : sscanf(s, "%16llx%n", &x, &used) == 1) &&
             (size_t)used == want && strspn(s, "0123456789abcdef:") == want;
    if (!ok)
        return tn__jr_fail(r, key, "expected %s, got \"%.40s\"",
                           b ? "two 16-digit hex numbers joined by ':'" : "16 hex digits", s);
    *a = x;
    if (b)
        *b = y;
    return TN_OK;
}

static int get_double(tn_jr *r, const cJSON *o, const char *key, double *v)
{
    uint64_t bits;
    int rc = get_hex(r, o, key, &bits, NULL);
    if (rc == TN_OK)
        memcpy(v, &bits, sizeof *v);
    return rc;
}

static int get_rng(tn_jr *r, const cJSON *o, const char *key, tn_rng *g)
{
    uint64_t s, inc;
    int rc = get_hex(r, o, key, &s, &inc);
    if (rc == TN_OK && !(inc & 1)) /* PCG's increment is always odd */
        rc = tn__jr_fail(r, key, "not a random stream state (even increment)");
    if (rc == TN_OK)
        *g = (tn_rng){s, inc};
    return rc;
}

static int get_size(tn_jr *r, const cJSON *o, const char *key, long long hi, size_t *v)
{
    long long x;
    int rc = tn__jr_int(r, o, key, 1, 0, 0, hi, &x);
    if (rc == TN_OK)
        *v = (size_t)x;
    return rc;
}

static int get_int(tn_jr *r, const cJSON *o, const char *key, long long lo, long long hi, int *v)
{
    long long x;
    int rc = tn__jr_int(r, o, key, 1, 0, lo, hi, &x);
    if (rc == TN_OK)
        *v = (int)x;
    return rc;
}

static int get_metrics(tn_jr *r, const cJSON *o, const char *key, tn_metrics *m)
{
    static const char *const keys[] = {"rows", "loss", "accuracy", NULL};
    const cJSON *v;
    int rc = tn__jr_object(r, o, key, 1, &v);
    if (rc)
        return rc;
    size_t mark = tn__jr_push_key(r, key);
    if (!(rc = tn__jr_check_keys(r, v, keys)) &&
        !(rc = get_size(r, v, "rows", (long long)UINT32_MAX, &m->rows)) &&
        !(rc = get_double(r, v, "loss", &m->loss)))
        rc = get_double(r, v, "accuracy", &m->accuracy);
    tn__jr_pop(r, mark);
    return rc;
}

static int get_plateau(tn_jr *r, const cJSON *o, tn_plateau *p)
{
    static const char *const keys[] = {"scale", "best", "wait", NULL};
    const cJSON *v;
    *p = (tn_plateau){1, INFINITY, 0};
    int rc = tn__jr_object(r, o, "plateau", 0, &v);
    if (rc || !v)
        return rc;
    size_t mark = tn__jr_push_key(r, "plateau");
    if (!(rc = tn__jr_check_keys(r, v, keys)) && !(rc = get_double(r, v, "scale", &p->scale)) &&
        !(rc = get_double(r, v, "best", &p->best)) &&
        !(rc = get_int(r, v, "wait", 0, TN_MAX_EPOCHS_CKPT, &p->wait)) &&
        (!(p->scale > 0 && p->scale <= 1) || isnan(p->best)))
        rc = tn__jr_fail(r, "scale", "not a plateau state (scale in (0, 1], a best loss)");
    tn__jr_pop(r, mark);
    return rc;
}

static int get_state(tn_jr *r, const cJSON *h, tn_train_state *st)
{
    static const char *const keys[] = {"epoch", "batch", "shuffle", "noise", "loss_sum",
                                       "correct", "best_loss", "since_best", "epochs_run",
                                       "best_epoch", "stopped_early", "train", "val",
                                       "plateau", NULL};
    const cJSON *o;
    int rc = tn__jr_object(r, h, "state", 1, &o);
    if (rc)
        return rc;
    size_t mark = tn__jr_push_key(r, "state");
    if (!(rc = tn__jr_check_keys(r, o, keys)) &&
        !(rc = get_int(r, o, "epoch", 1, TN_MAX_EPOCHS_CKPT, &st->epoch)) &&
        !(rc = get_size(r, o, "batch", (long long)UINT32_MAX, &st->batch)) &&
        !(rc = get_rng(r, o, "shuffle", &st->shuffle)) &&
        !(rc = get_rng(r, o, "noise", &st->noise)) &&
        !(rc = get_double(r, o, "loss_sum", &st->total)) &&
        !(rc = get_size(r, o, "correct", (long long)UINT32_MAX, &st->correct)) &&
        !(rc = get_double(r, o, "best_loss", &st->best)) &&
        !(rc = get_int(r, o, "since_best", 0, TN_MAX_EPOCHS_CKPT, &st->since_best)) &&
        !(rc = get_int(r, o, "epochs_run", 0, TN_MAX_EPOCHS_CKPT, &st->res.epochs_run)) &&
        !(rc = get_int(r, o, "best_epoch", 0, TN_MAX_EPOCHS_CKPT, &st->res.best_epoch)) &&
        !(rc = tn__jr_bool(r, o, "stopped_early", 1, 0, &st->res.stopped_early)) &&
        !(rc = get_metrics(r, o, "train", &st->res.train)) &&
        !(rc = get_metrics(r, o, "val", &st->res.val)))
        rc = get_plateau(r, o, &st->plateau);
    /* The loop's own invariants, so a resumed run never starts from a state no run had. */
    if (rc == TN_OK && (st->res.epochs_run != st->epoch - 1 ||
                        st->res.best_epoch > st->res.epochs_run || !isfinite(st->total) ||
                        st->total < 0 || isnan(st->best) || (st->correct > 0 && st->batch == 0)))
        rc = tn__jr_fail(r, NULL, "inconsistent training state (epoch %d, %d epochs run, best "
                         "epoch %d, batch %zu)", st->epoch, st->res.epochs_run,
                         st->res.best_epoch, st->batch);
    tn__jr_pop(r, mark);
    return rc;
}

static const char *const header_keys[] = {"format", "version", "config", "config_hash", "seed",
                                          "threads", "epochs", "batch_size", "scaling", "data",
                                          "optimizer", "parameters", "best_parameters", "state",
                                          NULL};

static int parse_header(tn_jr *r, const cJSON *h, size_t blob, tn_checkpoint *c)
{
    static const char *const data_keys[] = {"train_rows", "train_crc", NULL};
    static const char *const optim_keys[] = {"type", "steps", "blocks", NULL};
    tn_ckpt_meta *m = &c->meta;
    tn_train_snapshot *s = &c->snap;
    const char *format, *config, *optimizer;
    const cJSON *data, *opt, *scaling;
    long long version, seed, steps, n;
    uint64_t crc = 0;
    int best, rc;
    if ((rc = tn__jr_str(r, h, "format", 1, NULL, &format)))
        return rc;
    if (strcmp(format, TN_CHECKPOINT_FORMAT) != 0)
        return tn__jr_fail(r, "format", "expected \"%s\", got \"%.64s\"%s", TN_CHECKPOINT_FORMAT,
                           format, strcmp(format, "tinynet-model") == 0
                                       ? ": this is a model; --init MODEL starts from one" : "");
    if ((rc = tn__jr_check_keys(r, h, header_keys)) ||
        (rc = tn__jr_int(r, h, "version", 1, 0, 1, INT_MAX, &version)))
        return rc;
    if (version > TN_CHECKPOINT_VERSION)
        return tn__err(r->err, TN_EVERSION, "%s: checkpoint version %lld is newer than this "
                       "tinynet reads (%d)", r->file, version, TN_CHECKPOINT_VERSION);
    if ((rc = tn__jr_str(r, h, "config", 1, NULL, &config)) ||
        (rc = get_hex(r, h, "config_hash", &m->config_hash, NULL)) ||
        (rc = tn__jr_int(r, h, "seed", 1, 0, 0, 1LL << 53, &seed)) ||
        (rc = get_int(r, h, "threads", 1, 256, &m->threads)) ||
        (rc = get_int(r, h, "epochs", 1, TN_MAX_EPOCHS_CKPT, &m->epochs)) ||
        (rc = get_size(r, h, "batch_size", 1 << 20, &m->batch_size)) ||
        (rc = tn__jr_object(r, h, "scaling", 0, &scaling)) ||
        (rc = tn__jr_object(r, h, "data", 1, &data)) ||
        (rc = tn__jr_object(r, h, "optimizer", 1, &opt)))
        return rc;
    m->seed = (unsigned long long)seed;
    size_t mark = tn__jr_push_key(r, "data");
    if (!(rc = tn__jr_check_keys(r, data, data_keys)) &&
        !(rc = get_size(r, data, "train_rows", (long long)UINT32_MAX, &m->train_rows)) &&
        !(rc = get_hex(r, data, "train_crc", &crc, NULL)) && crc > UINT32_MAX)
        rc = tn__jr_fail(r, "train_crc", "expected a 32-bit CRC");
    m->train_crc = (uint32_t)crc;
    tn__jr_pop(r, mark);
    mark = tn__jr_push_key(r, "optimizer");
    if (rc == TN_OK && !(rc = tn__jr_check_keys(r, opt, optim_keys)) &&
        !(rc = tn__jr_str(r, opt, "type", 1, NULL, &optimizer)) &&
        !(rc = tn__jr_int(r, opt, "steps", 1, 0, 0, 1LL << 53, &steps)))
        rc = get_int(r, opt, "blocks", 0, TN_OPTIM_MAX_STATE, &s->opt_blocks);
    tn__jr_pop(r, mark);
    if (rc || (rc = tn__jr_int(r, h, "parameters", 1, 0, 0, 1LL << 53, &n)) ||
        (rc = tn__jr_bool(r, h, "best_parameters", 1, 0, &best)) ||
        (rc = get_state(r, h, &s->state)))
        return rc;
    s->opt_t = steps;
    s->n_params = (size_t)n;
    c->has_best = best;
    size_t k = 1 + (size_t)s->opt_blocks + (size_t)best, want;
    if (tn__mul_size(s->n_params, k, &want) || want != blob)
        return tn__jr_fail(r, NULL, "the file holds %zu floats, where %zu parameters with %d "
                           "optimizer blocks%s need %zu x %zu", blob, s->n_params,
                           s->opt_blocks, best ? " and the best parameters" : "", k,
                           s->n_params);
    if (!(m->config = tn__strdup(config)) || !(m->optimizer = tn__strdup(optimizer)) ||
        (scaling && !(c->scaling = cJSON_Duplicate(scaling, 1))))
        return tn__jr_oom(r, NULL);
    return TN_OK;
}

int tn__checkpoint_read(const char *path, tn_checkpoint *out, tn_error *err)
{
    memset(out, 0, sizeof *out);
    tn_modelfile f;
    int rc = tn__modelfile_read(path, 0, &f, err);
    if (rc)
        return rc;
    cJSON *h = NULL;
    rc = tn__jr_parse(path, f.header, f.header_len, &h, err);
    if (rc == TN_OK) {
        tn_jr r;
        tn__jr_init(&r, path, err);
        rc = parse_header(&r, h, f.n_params, out);
    }
    cJSON_Delete(h);
    if (rc == TN_OK) {
        tn_train_snapshot *s = &out->snap;
        out->params = f.params; /* the blob is ours now */
        f.params = NULL;
        size_t n = s->n_params;
        for (int i = 0; i < s->opt_blocks; i++)
            s->opt_state[i] = out->params + n * (size_t)(1 + i);
        s->best = out->has_best ? out->params + n * (size_t)(1 + s->opt_blocks) : NULL;
        s->P = out->params;
    }
    tn__modelfile_release(&f);
    if (rc)
        tn__checkpoint_release(out);
    return rc;
}

void tn__checkpoint_release(tn_checkpoint *c)
{
    if (!c)
        return;
    tn__free(c->meta.config);
    tn__free(c->meta.optimizer);
    cJSON_Delete(c->scaling);
    tn__floats_free(c->params);
    memset(c, 0, sizeof *c);
}
