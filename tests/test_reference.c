/* The config reference: every key the config accepts, at every extension point and in
 * every section, has a description (a new key without one fails here, and `tinynet help
 * config` would print "(undocumented)"); every description names a key that exists; a
 * key the parser refuses is not documented; defaults and ranges come from the tables. */
#include "data/format.h"
#include "graph/graph.h"
#include "layers/layer.h"
#include "optim/optim.h"
#include "train/config.h"
#include "tinynet/train.h"
#include "tn_check.h"

#include <check.h>
#include <string.h>

static const char *const kind_names[] = {"activation", "layer", "loss", "optimizer",
                                         "data format"};

START_TEST(every_module_and_key_is_documented)
{
    size_t keys_seen = 0;
    for (int kind = TN_EXT_ACTIVATION; kind <= TN_EXT_DATA_FORMAT; kind++) {
        size_t n = tn_extension_count(kind);
        ck_assert_uint_gt(n, 0);
        for (size_t i = 0; i < n; i++) {
            const char *name = tn_extension_name(kind, i), *doc = tn_extension_doc(kind, i);
            ck_assert_msg(doc && doc[0], "%s \"%s\" has no description", kind_names[kind],
                          name);
            const char *keys[64];
            size_t nk = tn_extension_keys(kind, i, keys, 63);
            ck_assert_uint_lt(nk, 64);
            for (size_t k = 0; k < nk; k++) {
                char buf[512];
                int rc = tn_extension_key_doc(kind, i, keys[k], buf, sizeof buf);
                ck_assert_msg(rc == TN_OK && buf[0], "%s \"%s\": key \"%s\" is undocumented "
                              "(give it a one-line description in the module's table)",
                              kind_names[kind], name, keys[k]);
                keys_seen++;
            }
            char buf[64] = "x";
            ck_assert_int_eq(tn_extension_key_doc(kind, i, "no_such_key", buf, sizeof buf),
                             TN_ENOTFOUND);
            ck_assert_str_eq(buf, "");
        }
    }
    ck_assert_uint_gt(keys_seen, 40);
}
END_TEST

START_TEST(every_section_key_is_documented)
{
    static const char *const sections[] = {"top level", "inputs", "layers", "train", "data"};
    for (int s = TN_CONFIG_TOP; s <= TN_CONFIG_DATA; s++) {
        const char *keys[64];
        size_t n = tn_config_keys(s, keys, 63);
        ck_assert_uint_gt(n, 0);
        ck_assert_ptr_null(keys[n]);
        for (size_t k = 0; k < n; k++) {
            char buf[512];
            ck_assert_msg(tn_config_key_doc(s, keys[k], buf, sizeof buf) == TN_OK && buf[0],
                          "%s: key \"%s\" is undocumented", sections[s], keys[k]);
        }
    }
    ck_assert_uint_eq(tn_config_keys(99, NULL, 0), 0);
    char buf[8];
    ck_assert_int_eq(tn_config_key_doc(TN_CONFIG_TRAIN, "epoch", buf, sizeof buf), TN_ENOTFOUND);
}
END_TEST

/* A description beside a key list must describe one of its keys: a key renamed or
 * removed from the parser must not leave its old description behind. */
static void check_no_stale(const char *what, const char *const *keys, const tn__keydoc *docs)
{
    for (const tn__keydoc *d = docs; d && d->key; d++) {
        int found = 0;
        for (size_t k = 0; keys && keys[k]; k++)
            found |= strcmp(keys[k], d->key) == 0;
        ck_assert_msg(found, "%s: a description of \"%s\", which is not one of its keys", what,
                      d->key);
    }
}

START_TEST(no_description_without_its_key)
{
    for (size_t i = 0; i < tn__layer_ops_count(); i++)
        check_no_stale(tn__layer_ops_at(i)->type, tn__layer_ops_at(i)->keys,
                       tn__layer_ops_at(i)->key_docs);
    for (size_t i = 0; i < tn__data_format_count(); i++)
        check_no_stale(tn__data_format_at(i)->name, tn__data_format_at(i)->keys,
                       tn__data_format_at(i)->key_docs);
    check_no_stale("data", tn__data_common_keys, tn__data_common_docs);
    check_no_stale("top level", tn__config_top_keys, tn__config_top_docs);
    check_no_stale("train", tn__config_train_keys, tn__config_train_docs);
    check_no_stale("inputs", tn__graph_input_keys, tn__graph_input_docs);
    check_no_stale("layers", tn__graph_layer_keys, tn__graph_layer_docs);
    static const char *const optim_common[] = {"lr", "weight_decay", "clip_norm", NULL};
    check_no_stale("optimizer", optim_common, tn__optim_common_docs);
}
END_TEST

START_TEST(defaults_and_ranges_come_from_the_tables)
{
    char buf[512];
    size_t i = 0;
    while (strcmp(tn_extension_name(TN_EXT_ACTIVATION, i), "leaky_relu") != 0)
        i++;
    ck_assert_int_eq(tn_extension_key_doc(TN_EXT_ACTIVATION, i, "alpha", buf, sizeof buf), TN_OK);
    ck_assert_msg(strstr(buf, "(default 0.01, in [0, 1])"), "%s", buf);
    for (i = 0; strcmp(tn_extension_name(TN_EXT_OPTIMIZER, i), "adamw") != 0;)
        i++;
    ck_assert_int_eq(tn_extension_key_doc(TN_EXT_OPTIMIZER, i, "weight_decay", buf, sizeof buf),
                     TN_OK);
    ck_assert_msg(strstr(buf, "(default 0.01)"), "%s", buf);
    ck_assert_int_eq(tn_extension_key_doc(TN_EXT_OPTIMIZER, i, "beta2", buf, sizeof buf), TN_OK);
    ck_assert_msg(strstr(buf, "in [0, 0.999999999]"), "a bound rounded onto 1: %s", buf);
    /* A short buffer is cut, not overrun. */
    char small[8];
    ck_assert_int_eq(tn_extension_key_doc(TN_EXT_OPTIMIZER, i, "lr", small, sizeof small), TN_OK);
    ck_assert_uint_eq(strlen(small), 7);
}
END_TEST

Suite *tn_check_suite(void)
{
    Suite *s = suite_create("reference");
    TCase *tc = tcase_create("keys");
    tcase_add_test(tc, every_module_and_key_is_documented);
    tcase_add_test(tc, every_section_key_is_documented);
    tcase_add_test(tc, no_description_without_its_key);
    tcase_add_test(tc, defaults_and_ranges_come_from_the_tables);
    suite_add_tcase(s, tc);
    return s;
}
