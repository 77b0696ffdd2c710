/* Sharded training rows (train/shard.c): the batches' plan deals every shard's rows in
 * proportion, whole batches of batch_size and the remainder last; each process's view of
 * a batch (its offset in it, its rows) is the one-process plan cut at its shards; the
 * epoch's order is a permutation of the process's rows, shard by shard within a batch,
 * and the same rows of a shard whatever process holds it. */
#include "tn_check.h"

#include "core/alloc.h"
#include "train/shard.h"

#include <string.h>

/* A plan of K shards with the given training rows, seen by the process holding shards
 * [first, first + count). */
static tn_shards *make(const size_t *rows, int K, int first, int count, size_t bs)
{
    tn_shards *sh = tn__calloc(1, sizeof *sh);
    ck_assert_ptr_nonnull(sh);
    sh->rows = tn__calloc((size_t)K, sizeof *sh->rows);
    ck_assert_ptr_nonnull(sh->rows);
    sh->k = K;
    sh->first = first;
    sh->count = count;
    for (int k = 0; k < K; k++) {
        sh->rows[k] = rows[k];
        sh->total += rows[k];
        if (k >= first && k < first + count)
            sh->local += rows[k];
    }
    ck_assert_int_eq(tn__shards_plan(sh, bs, NULL), TN_OK);
    return sh;
}

START_TEST(plan_deals_in_proportion)
{
    const size_t rows[3] = {50, 30, 21}; /* 101 rows, batches of 10: ten of 10 and one of 1 */
    tn_shards *sh = make(rows, 3, 0, 3, 10);
    ck_assert_uint_eq(sh->n_batches, 11);
    size_t per_shard[3] = {0};
    for (size_t b = 0; b < sh->n_batches; b++) {
        size_t sum = 0;
        for (int k = 0; k < 3; k++) {
            size_t t = sh->take[b * 3 + (size_t)k];
            per_shard[k] += t;
            sum += t;
            /* in proportion: within one row of rows[k] / 101 of the batch, up to the batch */
            double done = (double)((b + 1) * 10 < 101 ? (b + 1) * 10 : 101);
            double want = (double)rows[k] * done / 101.0;
            ck_assert(per_shard[k] + 1 >= (size_t)want && (double)per_shard[k] <= want + 1);
        }
        ck_assert_uint_eq(sum, b + 1 < sh->n_batches ? 10 : 1);
    }
    for (int k = 0; k < 3; k++)
        ck_assert_uint_eq(per_shard[k], rows[k]);
    tn__shards_free(sh);
}
END_TEST

START_TEST(process_views_cut_the_one_process_plan)
{
    const size_t rows[4] = {25, 25, 24, 26};
    tn_shards *all = make(rows, 4, 0, 4, 16);
    size_t pos_all = 0;
    for (int p = 0; p < 2; p++) {
        tn_shards *sh = make(rows, 4, 2 * p, 2, 16);
        ck_assert_uint_eq(sh->n_batches, all->n_batches);
        size_t pos_expect = 0;
        for (size_t b = 0; b < sh->n_batches; b++) {
            size_t pos, lo, n, lo_want = 0, n_want = 0;
            tn__shards_batch(sh, b, &pos, &lo, &n);
            for (int k = 0; k < 4; k++) {
                size_t t = all->take[b * 4 + (size_t)k];
                if (k < 2 * p)
                    lo_want += t;
                else if (k < 2 * p + 2)
                    n_want += t;
            }
            ck_assert_uint_eq(lo, lo_want);
            ck_assert_uint_eq(n, n_want);
            ck_assert_uint_eq(pos, pos_expect);
            pos_expect += n;
        }
        ck_assert_uint_eq(pos_expect, sh->local);
        pos_all += pos_expect;
        tn__shards_free(sh);
    }
    ck_assert_uint_eq(pos_all, all->total);
    tn__shards_free(all);
}
END_TEST

START_TEST(order_is_a_permutation_by_shard)
{
    const size_t rows[4] = {13, 12, 12, 13};
    tn_shards *all = make(rows, 4, 0, 4, 8), *half = make(rows, 4, 2, 2, 8);
    uint32_t perm[50], mine[25];
    tn_rng r1, r2;
    tn__rng_seed(&r1, 7, TN_STREAM_SHUFFLE);
    r2 = r1;
    tn__shards_order(all, &r1, 1, perm);
    tn__shards_order(half, &r2, 1, mine);
    ck_assert(r1.state == r2.state); /* one draw per epoch, whatever the shards held */
    int seen[50] = {0};
    for (int i = 0; i < 50; i++) {
        ck_assert_uint_lt(perm[i], 50);
        ck_assert_int_eq(seen[perm[i]]++, 0);
    }
    /* Process 1's rows are the one-process order's rows of shards 2 and 3, less the
     * rows of shards 0 and 1 (25) before them, batch by batch. */
    for (size_t b = 0; b < all->n_batches; b++) {
        size_t pos, lo, n, apos, alo, an;
        tn__shards_batch(half, b, &pos, &lo, &n);
        tn__shards_batch(all, b, &apos, &alo, &an);
        for (size_t i = 0; i < n; i++)
            ck_assert_uint_eq(mine[pos + i] + 25, perm[apos + lo + i]);
        /* within a batch, shard by shard: rows below 25 (shards 0, 1) first */
        for (size_t i = 1; i < an; i++)
            ck_assert(!(perm[apos + i - 1] >= 25 && perm[apos + i] < 25));
    }
    /* unshuffled: each shard's rows in file order */
    tn__shards_order(all, &r1, 0, perm);
    for (size_t i = 1; i < all->take[0]; i++)
        ck_assert_uint_gt(perm[i], perm[i - 1]);
    tn__shards_free(all);
    tn__shards_free(half);
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("shard");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, plan_deals_in_proportion);
    tcase_add_test(tc, process_views_cut_the_one_process_plan);
    tcase_add_test(tc, order_is_a_permutation_by_shard);
    suite_add_tcase(s, tc);
    return s;
}
