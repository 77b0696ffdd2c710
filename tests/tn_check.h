/* The contract between each Check test file and the shared main (tests/check_main.c):
 * a test file defines tn_check_suite instead of main, doing there whatever per-process
 * setup its tests need. A suite that cannot run on this machine (its data set is not
 * installed, say) calls tn_check_skip with the reason and returns NULL: the test then
 * exits 77, which CTest reports as skipped rather than passed. */
#ifndef TN_TESTS_TN_CHECK_H
#define TN_TESTS_TN_CHECK_H

#include <check.h>

Suite *tn_check_suite(void);
/* Records why the suite cannot run (the text is copied). */
void tn_check_skip(const char *why);

#endif
