/* tinynet recommend MODEL --user U [--top N] [--ratings FILE]: the items U has not rated,
 * best first. Unrated means absent from FILE, by default the ratings file the model was
 * trained on (the model's data record names it, with the id base and header). */
#include "cli.h"

#include "tinynet/recsys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "tinynet recommend MODEL --user U [--top N] [--ratings FILE]";

static int run(const char *model, const char *user_id, long long top, const char *ratings_path,
               tn_error *err)
{
    tn_model *m = NULL;
    tn_recommendation *rec = calloc((size_t)top, sizeof *rec);
    size_t n = 0;
    int rc = rec ? tn_model_load(model, 0, &m, err) : tn_cli_err(err, TN_ENOMEM, "out of memory");
    if (rc == TN_OK)
        rc = tn_recommend_id(m, user_id, ratings_path, (size_t)top, rec, &n, err);
    /* The library does not know this command's options; say which one helps. */
    if ((rc == TN_ENOTFOUND || rc == TN_EIO) && !ratings_path)
        strncat(err->msg, " (give --ratings FILE)", sizeof err->msg - strlen(err->msg) - 1);
    if (rc == TN_OK && n == 0)
        fprintf(stderr, "tinynet: user %s has rated every item%s%s\n", user_id,
                ratings_path ? " in " : "", ratings_path ? ratings_path : "");
    else if (rc == TN_OK)
        printf("rank\titem\tscore\n");
    for (size_t k = 0; rc == TN_OK && k < n; k++)
        printf("%zu\t%s\t%.6f\n", k + 1, rec[k].id, (double)rec[k].score);
    free(rec);
    tn_model_free(m);
    return rc;
}

int tn_cli_recommend(int argc, char **argv)
{
    if (tn_cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Scores every item USER has not rated with MODEL (a recommender with user and\n"
               "item index inputs) and prints the best N (default 10): rank, item, score.\n"
               "Ids are as in the ratings file (integers or text). Rated items are those in\n"
               "--ratings FILE\n"
               "(u.data layout or CSV), by default the file the model was trained on.\n", usage);
        return TN_EXIT_OK;
    }
    const char *model = NULL, *ratings = NULL, *user = NULL;
    long long top = 10;
    int have_user = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if ((m = tn_cli_option(argc, argv, &i, "--user", &v))) {
            if (m < 0 || !*v)
                return tn_cli_usage("recommend", usage, "--user needs an id");
            user = v;
            have_user = 1;
        } else if ((m = tn_cli_option(argc, argv, &i, "--top", &v))) {
            if (m < 0 || tn_cli_int(v, 1, 1000000, &top))
                return tn_cli_usage("recommend", usage, "--top needs an integer in [1, 1000000]");
        } else if ((m = tn_cli_option(argc, argv, &i, "--ratings", &v))) {
            if (m < 0)
                return tn_cli_usage("recommend", usage, "--ratings needs a file name");
            ratings = v;
        } else if (tn_cli_is_option(i, argv[i])) {
            return tn_cli_usage("recommend", usage, "unknown option \"%s\"", argv[i]);
        } else if (model) {
            return tn_cli_usage("recommend", usage, "unexpected argument \"%s\"", argv[i]);
        } else {
            model = argv[i];
        }
    }
    if (!model)
        return tn_cli_usage("recommend", usage, "missing MODEL");
    if (!have_user)
        return tn_cli_usage("recommend", usage, "missing --user U");
    tn_error err = {0};
    if (run(model, user, top, ratings, &err))
        return tn_cli_fail(&err);
    return TN_EXIT_OK;
}
