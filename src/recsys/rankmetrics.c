#include "recsys/rankmetrics.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <stdlib.h>

double tn__log_loss(const float *p, const float *label, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double q = p[i] < 1e-7f ? 1e-7 : p[i] > 1 - 1e-7f ? 1 - 1e-7 : (double)p[i];
        sum -= label[i] > 0.5f ? log(q) : log(1 - q);
    }
    return n ? sum / (double)n : NAN;
}

/* A NaN score (a diverged model) ranks below everything: it must never count as a hit, and
 * qsort needs a total order. */
static float rankable(float s) { return isnan(s) ? -INFINITY : s; }

typedef struct scored {
    float s;
    int pos;
} scored;

static int by_score(const void *a, const void *b)
{
    float x = ((const scored *)a)->s, y = ((const scored *)b)->s;
    return (x > y) - (x < y);
}

int tn__roc_auc(const float *score, const float *label, size_t n, double *auc, tn_error *err)
{
    *auc = NAN;
    scored *v = tn__calloc(n ? n : 1, sizeof *v);
    if (!v)
        return tn__err(err, TN_ENOMEM, "out of memory for %zu scores", n);
    size_t n_pos = 0;
    for (size_t i = 0; i < n; i++) {
        v[i] = (scored){rankable(score[i]), label[i] > 0.5f};
        n_pos += (size_t)v[i].pos;
    }
    qsort(v, n, sizeof *v, by_score);
    /* Sum of the positives' mid-ranks (1-based) over runs of equal scores. */
    double rank_sum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i, pos = 0;
        while (j < n && v[j].s == v[i].s)
            pos += (size_t)v[j++].pos;
        rank_sum += (double)pos * ((double)(i + 1) + (double)j) / 2;
        i = j;
    }
    size_t n_neg = n - n_pos;
    if (n_pos && n_neg)
        *auc = (rank_sum - (double)n_pos * (double)(n_pos + 1) / 2) /
               ((double)n_pos * (double)n_neg);
    tn__free(v);
    return TN_OK;
}

void tn__rank_hit(float pos, const float *neg, size_t n_neg, size_t k, double *hit,
                  double *ndcg)
{
    size_t above = 0, equal = 0;
    pos = rankable(pos);
    for (size_t i = 0; i < n_neg; i++) {
        above += rankable(neg[i]) > pos;
        equal += rankable(neg[i]) == pos;
    }
    double h = 0, g = 0;
    for (size_t r = above; r <= above + equal && r < k; r++) {
        h += 1;
        g += 1 / log2((double)r + 2);
    }
    *hit = h / (double)(equal + 1);
    *ndcg = g / (double)(equal + 1);
}
