/* Sharded training rows: which rows a process keeps, the epoch's order of its rows, and
 * the statistics decided over all shards (see shard.h). */
#include "train/shard.h"

#include "dist/dist.h"
#include "train/schedule.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <string.h>

void tn__shards_free(tn_shards *sh)
{
    if (!sh)
        return;
    tn__free(sh->rows);
    tn__free(sh->take);
    tn__free(sh->lo);
    tn__free(sh->pos);
    tn__free(sh->order);
    tn__free(sh->cursor);
    tn__free(sh);
}

/* Shard k of n file rows: [n k / K, n (k + 1) / K). */
static size_t shard_start(size_t n, int K, int k)
{
    return (size_t)(((unsigned long long)n * (unsigned)k) / (unsigned)K);
}

/* What a load is asked to keep: the rows of the training file this process keeps, in
 * ascending order (its shards' training rows, then... all shards' validation rows, merged
 * into one ascending list), and which of them are validation rows. */
typedef struct keep {
    tn_shards *sh;
    double validation;
    unsigned long long seed;
    uint32_t *rows;         /* ascending rows of the file */
    size_t n;
    unsigned char *is_val;  /* [n] */
    size_t n_val;
} keep;

/* Marks each shard's held-out rows in mark[n_all]: the last round(fraction x n_k) of the
 * shard's rows shuffled by (seed, stream K-independent per shard). */
static int hold_out(keep *kp, size_t n_all, unsigned char *mark, tn_error *err)
{
    tn_shards *sh = kp->sh;
    size_t most = 0;
    for (int k = 0; k < sh->k; k++) {
        size_t n_k = shard_start(n_all, sh->k, k + 1) - shard_start(n_all, sh->k, k);
        most = n_k > most ? n_k : most;
    }
    uint32_t *perm = kp->validation > 0 ? tn__calloc(most ? most : 1, sizeof *perm) : NULL;
    if (kp->validation > 0 && !perm)
        return tn__err(err, TN_ENOMEM, "out of memory");
    int rc = TN_OK;
    sh->total = 0;
    for (int k = 0; k < sh->k && rc == TN_OK; k++) {
        size_t a = shard_start(n_all, sh->k, k), n_k = shard_start(n_all, sh->k, k + 1) - a;
        size_t n_val = (size_t)((double)n_k * kp->validation + 0.5);
        if (n_k == 0 || (kp->validation > 0 && (n_val == 0 || n_val >= n_k))) {
            rc = tn__err(err, TN_ECONFIG, "train.shards: shard %d has %zu of the %zu training "
                         "rows, too few%s: use fewer shards", k + 1, n_k, n_all,
                         kp->validation > 0 ? " to hold out validation rows from" : "");
            break;
        }
        if (n_val) {
            tn_rng r;
            tn__rng_seed(&r, kp->seed, ((uint64_t)(k + 1) << 8) | TN_STREAM_VALIDATION);
            for (size_t i = 0; i < n_k; i++)
                perm[i] = (uint32_t)i;
            tn__rng_shuffle(&r, perm, n_k);
            for (size_t i = n_k - n_val; i < n_k; i++)
                mark[a + perm[i]] = 1;
        }
        sh->rows[k] = n_k - n_val;
        sh->total += n_k - n_val;
    }
    tn__free(perm);
    return rc;
}

/* Given the file's row count: the rows to keep (ascending); asked again (an images
 * file, then its labels), the same list. */
static int choose_rows(void *user, size_t n_all, const uint32_t **rows, size_t *n,
                       tn_error *err)
{
    keep *kp = user;
    tn_shards *sh = kp->sh;
    if (kp->rows) {
        *rows = kp->rows;
        *n = kp->n;
        return n_all == sh->file_rows ? TN_OK
               : tn__err(err, TN_EDATA, "the training files disagree: %zu rows, then %zu",
                         sh->file_rows, n_all);
    }
    if (n_all > UINT32_MAX)
        return tn__err(err, TN_EDATA, "too many rows (%zu)", n_all);
    sh->file_rows = n_all;
    unsigned char *mark = tn__calloc(n_all ? n_all : 1, 1);
    if (!mark)
        return tn__err(err, TN_ENOMEM, "out of memory");
    int rc = hold_out(kp, n_all, mark, err);
    size_t lo = shard_start(n_all, sh->k, sh->first);
    size_t hi = shard_start(n_all, sh->k, sh->first + sh->count);
    size_t count = 0;
    for (size_t i = 0; rc == TN_OK && i < n_all; i++)
        count += mark[i] || (i >= lo && i < hi);
    if (rc == TN_OK && (!(kp->rows = tn__calloc(count ? count : 1, sizeof *kp->rows)) ||
                        !(kp->is_val = tn__calloc(count ? count : 1, 1))))
        rc = tn__err(err, TN_ENOMEM, "out of memory");
    for (size_t i = 0; rc == TN_OK && i < n_all; i++)
        if (mark[i] || (i >= lo && i < hi)) {
            kp->is_val[kp->n] = mark[i];
            kp->n_val += mark[i];
            kp->rows[kp->n++] = (uint32_t)i;
        }
    tn__free(mark);
    *rows = kp->rows;
    *n = kp->n;
    return rc;
}

/* Splits the kept rows (as kp lists them) into the validation rows (*val, a copy: a small
 * fraction) and this process's training rows, moved up in place in kept (no second copy
 * of the share). */
static int split_kept(const keep *kp, tn_dataset *kept, tn_dataset **val, tn_error *err)
{
    *val = NULL;
    if (kp->n_val == 0)
        return TN_OK;
    uint32_t *idx = tn__calloc(kp->n_val, sizeof *idx);
    if (!idx)
        return tn__err(err, TN_ENOMEM, "out of memory");
    size_t nv = 0;
    for (size_t i = 0; i < kp->n; i++)
        if (kp->is_val[i])
            idx[nv++] = (uint32_t)i;
    int rc = tn__dataset_pick(kept, idx, nv, val, err);
    tn__free(idx);
    if (rc)
        return rc;
    size_t nt = 0;
    for (size_t i = 0; i < kp->n; i++) {
        if (kp->is_val[i])
            continue;
        for (int j = 0; nt < i && j < kept->n_inputs; j++)
            memmove(kept->x[j] + nt * kept->width[j], kept->x[j] + i * kept->width[j],
                    kept->width[j] * sizeof(float));
        if (nt < i && kept->t)
            memmove(kept->t + nt * kept->t_width, kept->t + i * kept->t_width,
                    kept->t_width * sizeof(float));
        nt++;
    }
    kept->rows = nt;
    return TN_OK;
}

int tn__shards_load(const tn_data_format *f, const void *state, const tn_data_ctx *ctx,
                    unsigned long long seed, int k, double validation, tn_data_loaded *out,
                    tn_dataset **val, tn_shards **out_sh, tn_error *err)
{
    *val = NULL;
    *out_sh = NULL;
    memset(out, 0, sizeof *out);
    int P = tn_dist_size(), p = tn_dist_rank();
    if (k % P != 0)
        return tn__err(err, TN_ECONFIG, "train.shards is %d, which %d processes cannot share: "
                       "use a multiple of %d (or 1: every process reads all rows)", k, P, P);
    tn_shards *sh = tn__calloc(1, sizeof *sh);
    if (!sh || !(sh->rows = tn__calloc((size_t)k, sizeof *sh->rows))) {
        tn__shards_free(sh); /* the others wait in the agreement below: meet them there */
        return tn_dist_agree(tn__err(err, TN_ENOMEM, "out of memory"), err);
    }
    sh->k = k; /* the same on every process: refused by all or by none */
    sh->count = k / P;
    sh->first = p * sh->count;
    keep kp = {sh, validation, seed, NULL, 0, NULL, 0};
    tn_row_select sel = {choose_rows, &kp};
    /* A format that can read only the chosen rows does; the others read all. */
    int rc = f->load_rows ? f->load_rows(state, ctx, seed, &sel, out, &sh->read_rows, err)
                          : tn__data_load_chosen(f->load, state, ctx, seed, &sel, out,
                                                 &sh->read_rows, err);
    if (rc == TN_OK && (!kp.rows || out->train->rows != kp.n))
        rc = tn__err(err, TN_EDATA, "the format kept %zu rows, %zu were chosen",
                     out->train->rows, kp.n);
    if (rc == TN_OK)
        rc = split_kept(&kp, out->train, val, err);
    tn__free(kp.rows);
    tn__free(kp.is_val);
    rc = tn_dist_agree(rc, err); /* one process that could not read: none sums below */
    if (rc == TN_OK) {
        sh->local = out->train->rows;
        rc = tn__dist_note_rows(sh->local, sh->read_rows, sh->file_rows, err);
    }
    if (rc == TN_OK) {
        *out_sh = sh;
        return TN_OK;
    }
    tn__dataset_free(*val);
    *val = NULL;
    tn__data_loaded_free(out);
    tn__shards_free(sh);
    return rc;
}

int tn__shards_sum(const tn_shards *sh, double *v, size_t n, double *sum, tn_error *err)
{
    int rc = tn__dist_sum_doubles(v, (size_t)sh->k * n, err);
    for (size_t j = 0; rc == TN_OK && j < n; j++) {
        sum[j] = 0;
        for (int k = 0; k < sh->k; k++)
            sum[j] += v[(size_t)k * n + j];
    }
    return rc;
}

/* Zeroed per-shard figures: v[k x n .. (k + 1) x n) for shard k. */
static double *per_shard(const tn_shards *sh, size_t n, tn_error *err)
{
    double *v = tn__calloc((size_t)sh->k * n, sizeof *v);
    if (!v)
        tn__err(err, TN_ENOMEM, "out of memory for the shards' statistics");
    return v;
}

int tn__shards_scaling(const tn_shards *sh, tn_scaling *s, int kind, float type_max,
                       const tn_net *net, const tn_dataset *train, tn_error *err)
{
    /* Made (kind, input, buffers) as for no rows; the values are set below. */
    int rc = tn__scaling_fit(s, kind, type_max, net, train->x, 0, err);
    if (rc || kind == TN_SCALING_NONE || (kind == TN_SCALING_UNIT && type_max > 0))
        return rc;
    size_t W = train->width[s->input], n = kind == TN_SCALING_UNIT ? 1 : W;
    double *v = per_shard(sh, n, err), *sum = tn__calloc(n, sizeof *sum);
    double *mean = tn__calloc(n, sizeof *mean);
    rc = tn_dist_agree(v && sum && mean ? TN_OK : tn__err(err, TN_ENOMEM, "out of memory for "
                       "the scaling statistics"), err); /* no process is left in a sum below */
    if (rc) {
        tn__free(v);
        tn__free(sum);
        tn__free(mean);
        tn__scaling_free(s);
        return rc;
    }
    const float *x = train->x[s->input];
    /* unit: each shard's largest |x|; the sum over the shards of values each from one
     * process is exact, the largest is then taken over the shards. */
    for (int pass = 0; pass < (kind == TN_SCALING_UNIT ? 1 : 2) && rc == TN_OK; pass++) {
        memset(v, 0, (size_t)sh->k * n * sizeof *v);
        const float *row = x;
        for (int j = 0; j < sh->count; j++) {
            double *vk = v + (size_t)(sh->first + j) * n;
            for (size_t r = 0; r < sh->rows[sh->first + j]; r++, row += W)
                for (size_t c = 0; c < W; c++) {
                    if (kind == TN_SCALING_UNIT)
                        vk[0] = fabsf(row[c]) > vk[0] ? fabsf(row[c]) : vk[0];
                    else if (pass == 0)
                        vk[c] += row[c];
                    else
                        vk[c] += (row[c] - mean[c]) * (row[c] - mean[c]);
                }
        }
        if (kind == TN_SCALING_UNIT) {
            rc = tn__dist_sum_doubles(v, (size_t)sh->k, err);
            double m = 0;
            for (int k = 0; k < sh->k; k++)
                m = v[k] > m ? v[k] : m;
            s->std[0] = m > 0 ? (float)m : 1.0f;
            break;
        }
        if ((rc = tn__shards_sum(sh, v, n, sum, err)))
            break;
        for (size_t c = 0; c < W; c++) {
            double t = sh->total ? (double)sh->total : 1;
            if (pass == 0) {
                mean[c] = sum[c] / t;
                s->mean[c] = (float)mean[c];
            } else {
                double sd = sqrt(sum[c] / t);
                s->std[c] = sd < TN_SCALING_MIN_STD ? 1.0f : (float)sd;
            }
        }
    }
    tn__free(v);
    tn__free(sum);
    tn__free(mean);
    if (rc)
        tn__scaling_free(s);
    return rc;
}

int tn__shards_class_weights(const tn_shards *sh, const tn_dataset *train, size_t classes,
                             double *w, tn_error *err)
{
    double *v = per_shard(sh, classes, err);
    int rc = tn_dist_agree(v ? TN_OK : TN_ENOMEM, err); /* no process is left in the sum */
    if (rc) {
        tn__free(v);
        return rc;
    }
    size_t i = 0;
    for (int j = 0; j < sh->count; j++)
        for (size_t r = 0; r < sh->rows[sh->first + j]; r++, i++)
            v[(size_t)(sh->first + j) * classes +
              tn__target_class(train->t + i * train->t_width, train->t_width, classes)] += 1;
    rc = tn__shards_sum(sh, v, classes, w, err);
    for (size_t c = 0; rc == TN_OK && c < classes; c++) /* as tn__class_weights_balanced */
        w[c] = w[c] > 0 ? (double)sh->total / ((double)classes * w[c]) : 1;
    tn__free(v);
    return rc;
}

int tn__shards_evaluate(const tn_shards *sh, const tn_net *net, const tn_loss *loss,
                        const tn_dataset *train, size_t batch, tn_metrics *m, tn_error *err)
{
    double *v = per_shard(sh, 2, err), sum[2];
    int rc = v ? TN_OK : TN_ENOMEM;
    size_t off = 0;
    for (int j = 0; j < sh->count && rc == TN_OK; j++) {
        size_t n = sh->rows[sh->first + j];
        tn_dataset part = *train; /* a view of shard j's rows */
        part.rows = n;
        for (int i = 0; i < part.n_inputs; i++)
            part.x[i] = train->x[i] + off * train->width[i];
        part.t = train->t + off * train->t_width;
        part.keys = NULL;
        tn_metrics one;
        if ((rc = tn__evaluate(net, loss, &part, NULL, batch, &one, err)))
            break;
        v[(size_t)(sh->first + j) * 2] = one.loss * (double)n;
        v[(size_t)(sh->first + j) * 2 + 1] = isnan(one.accuracy) ? 0 : one.accuracy * (double)n;
        off += n;
    }
    rc = tn_dist_agree(rc, err); /* no process is left in the sum below */
    if (rc == TN_OK)
        rc = tn__shards_sum(sh, v, 2, sum, err);
    tn__free(v);
    if (rc == TN_OK) {
        double t = (double)sh->total;
        *m = (tn_metrics){sum[0] / t, tn__loss_has_accuracy(loss) ? round(sum[1]) / t : NAN,
                          sh->total};
    }
    return rc;
}

void tn__shards_report(const tn_metrics *m, tn_report *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->m = *m;
    for (int k = 0; k < TN__M_COUNT; k++)
        rep->v[k] = NAN;
    rep->v[TN__M_LOSS] = m->loss;
    rep->v[TN__M_ACCURACY] = m->accuracy;
}

/* ---- the batches --------------------------------------------------------------------- */

int tn__shards_plan(tn_shards *sh, size_t batch_size, tn_error *err)
{
    size_t K = (size_t)sh->k, nb = (sh->total + batch_size - 1) / batch_size;
    tn__free(sh->take);
    tn__free(sh->lo);
    tn__free(sh->pos);
    tn__free(sh->order);
    tn__free(sh->cursor);
    sh->take = NULL, sh->lo = sh->pos = sh->cursor = NULL, sh->order = NULL;
    size_t *c = tn__calloc(K, sizeof *c);
    if (!c || !(sh->take = tn__calloc(nb * K, sizeof *sh->take)) ||
        !(sh->lo = tn__calloc(nb, sizeof *sh->lo)) ||
        !(sh->pos = tn__calloc(nb, sizeof *sh->pos)) ||
        !(sh->order = tn__calloc(sh->local ? sh->local : 1, sizeof *sh->order)) ||
        !(sh->cursor = tn__calloc((size_t)sh->count, sizeof *sh->cursor))) {
        tn__free(c);
        return tn__err(err, TN_ENOMEM, "out of memory for the shards' batches");
    }
    sh->batch_size = batch_size;
    sh->n_batches = nb;
    /* Deal: the next row is the shard whose next row has the smallest (2 c_k + 1) / n_k,
     * compared exactly as (2 c_a + 1) n_b < (2 c_b + 1) n_a; ties go to the lower shard. */
    for (size_t j = 0; j < sh->total; j++) {
        size_t best = K;
        for (size_t k = 0; k < K; k++) {
            if (c[k] >= sh->rows[k])
                continue;
            if (best == K || (unsigned long long)(2 * c[k] + 1) * sh->rows[best] <
                                 (unsigned long long)(2 * c[best] + 1) * sh->rows[k])
                best = k;
        }
        c[best]++;
        sh->take[(j / batch_size) * K + best]++;
    }
    tn__free(c);
    size_t pos = 0;
    for (size_t b = 0; b < nb; b++) {
        const uint32_t *t = sh->take + b * K;
        size_t lo = 0, mine = 0;
        for (size_t k = 0; k < K; k++) {
            if (k < (size_t)sh->first)
                lo += t[k];
            else if (k < (size_t)(sh->first + sh->count))
                mine += t[k];
        }
        sh->lo[b] = lo;
        sh->pos[b] = pos;
        pos += mine;
    }
    return TN_OK;
}

void tn__shards_order(tn_shards *sh, tn_rng *shuffle, int do_shuffle, uint32_t *perm)
{
    uint64_t u = 0;
    if (do_shuffle) {
        u = tn__rng_u32(shuffle);
        u = u << 32 | tn__rng_u32(shuffle);
    }
    size_t off = 0, K = (size_t)sh->k;
    for (int j = 0; j < sh->count; j++) {
        size_t n = sh->rows[sh->first + j];
        for (size_t i = 0; i < n; i++)
            sh->order[off + i] = (uint32_t)(off + i);
        if (do_shuffle) {
            tn_rng r;
            tn__rng_seed(&r, u, (uint64_t)(sh->first + j));
            tn__rng_shuffle(&r, sh->order + off, n);
        }
        sh->cursor[j] = off;
        off += n;
    }
    size_t at = 0;
    for (size_t b = 0; b < sh->n_batches; b++)
        for (int j = 0; j < sh->count; j++) {
            size_t n = sh->take[b * K + (size_t)(sh->first + j)];
            memcpy(perm + at, sh->order + sh->cursor[j], n * sizeof *perm);
            sh->cursor[j] += n;
            at += n;
        }
}

void tn__shards_batch(const tn_shards *sh, size_t b, size_t *pos, size_t *lo, size_t *n)
{
    *pos = sh->pos[b];
    *lo = sh->lo[b];
    *n = (b + 1 < sh->n_batches ? sh->pos[b + 1] : sh->local) - sh->pos[b];
}
