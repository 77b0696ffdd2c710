/* gen_ratings: synthetic explicit ratings in the MovieLens u.data layout (tab-separated
 * `user item rating timestamp`, no header), with planted structure for a recommender.
 *
 * Each user and item gets a latent vector of DIM standard normals; affinity a = u.v/sqrt(DIM).
 * Items have a popularity weight exp(0.9 z) (z standard normal), so a popularity baseline
 * is non-trivial. A user rates n ~ U[20, 115) distinct items drawn without replacement with
 * weights popularity * exp(1.2 a) (who watches what carries the taste), and gives
 * rating = round(3 + 1.3 a + N(0, 0.7)) clamped to 1..5 (how they liked it). Timestamps are
 * uniform over 100 days. Ids are 0-based (users [0, U), items [0, I)), so a config uses
 * "id_base": 0 with vocabularies U and I.
 *
 * The shipped file was made with exactly:
 *   build/gen_ratings --seed 11 --users 300 --items 400 data/ratings.tsv
 * (regenerating gives a byte-identical file with glibc's libm.)
 *
 * Usage: gen_ratings [--seed S] [--users U] [--items I] OUT.tsv   (OUT "-" = stdout) */
#include "core/rng.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIM 8
#define MAX_ENTITIES 100000

typedef struct keyed {
    double key;
    uint32_t item;
} keyed;

static int by_key(const void *a, const void *b)
{
    double x = ((const keyed *)a)->key, y = ((const keyed *)b)->key;
    return (x > y) - (x < y);
}

static double affinity(const double *u, const double *v)
{
    double s = 0;
    for (int k = 0; k < DIM; k++)
        s += u[k] * v[k];
    return s / sqrt(DIM);
}

static int parse_count(const char *s, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 1 || v > MAX_ENTITIES)
        return -1;
    *out = v;
    return 0;
}

static int generate(FILE *f, uint64_t seed, size_t n_users, size_t n_items)
{
    double *uf = calloc(n_users * DIM, sizeof *uf), *vf = calloc(n_items * DIM, sizeof *vf);
    double *pop = calloc(n_items, sizeof *pop);
    keyed *keys = calloc(n_items, sizeof *keys);
    if (!uf || !vf || !pop || !keys) {
        free(uf), free(vf), free(pop), free(keys);
        return -1;
    }
    tn_rng r;
    tn__rng_seed(&r, seed, TN_STREAM_DATA);
    for (size_t i = 0; i < n_users * DIM; i++)
        uf[i] = tn__rng_normal(&r);
    for (size_t i = 0; i < n_items * DIM; i++)
        vf[i] = tn__rng_normal(&r);
    for (size_t i = 0; i < n_items; i++)
        pop[i] = exp(0.9 * tn__rng_normal(&r));
    for (size_t u = 0; u < n_users; u++) {
        size_t n = 20 + tn__rng_below(&r, 95);
        n = n < n_items ? n : n_items;
        /* Weighted sampling without replacement (Efraimidis-Spirakis): the n smallest
         * -log(U)/w. */
        for (size_t i = 0; i < n_items; i++) {
            double w = pop[i] * exp(1.2 * affinity(uf + u * DIM, vf + i * DIM));
            keys[i] = (keyed){-log(1.0 - tn__rng_uniform_d(&r)) / w, (uint32_t)i};
        }
        qsort(keys, n_items, sizeof *keys, by_key);
        for (size_t j = 0; j < n; j++) {
            uint32_t i = keys[j].item;
            double a = affinity(uf + u * DIM, vf + i * DIM);
            long rating = lround(3 + 1.3 * a + 0.7 * tn__rng_normal(&r));
            rating = rating < 1 ? 1 : rating > 5 ? 5 : rating;
            long ts = 880000000L + (long)tn__rng_below(&r, 100u * 86400u);
            fprintf(f, "%zu\t%u\t%ld\t%ld\n", u, i, rating, ts);
        }
    }
    free(uf), free(vf), free(pop), free(keys);
    return 0;
}

int main(int argc, char **argv)
{
    long seed = 11, users = 300, items = 400;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        int more = i + 1 < argc;
        if (strcmp(argv[i], "--seed") == 0 && more) {
            char *end;
            seed = strtol(argv[++i], &end, 10);
            if (*end || seed < 0) {
                fprintf(stderr, "gen_ratings: --seed needs a non-negative integer\n");
                return 2;
            }
        } else if (strcmp(argv[i], "--users") == 0 && more) {
            if (parse_count(argv[++i], &users))
                return fprintf(stderr, "gen_ratings: --users needs 1..%d\n", MAX_ENTITIES), 2;
        } else if (strcmp(argv[i], "--items") == 0 && more) {
            if (parse_count(argv[++i], &items))
                return fprintf(stderr, "gen_ratings: --items needs 1..%d\n", MAX_ENTITIES), 2;
        } else if ((argv[i][0] == '-' && argv[i][1]) || out) {
            fprintf(stderr, "usage: gen_ratings [--seed S] [--users U] [--items I] OUT.tsv\n");
            return 2;
        } else {
            out = argv[i];
        }
    }
    if (!out) {
        fprintf(stderr, "usage: gen_ratings [--seed S] [--users U] [--items I] OUT.tsv\n");
        return 2;
    }
    FILE *f = strcmp(out, "-") == 0 ? stdout : fopen(out, "w");
    if (!f) {
        perror(out);
        return 1;
    }
    int bad = generate(f, (uint64_t)seed, (size_t)users, (size_t)items);
    bad |= ferror(f);
    bad |= f == stdout ? fflush(f) != 0 : fclose(f) != 0;
    if (bad) {
        fprintf(stderr, "gen_ratings: cannot write %s\n", out);
        return 1;
    }
    return 0;
}
