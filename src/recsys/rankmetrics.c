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

/* A NaN score (a diverged model) ranks below everything: it must never count as a hit. */
static float rankable(float s) { return isnan(s) ? -INFINITY : s; }

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
