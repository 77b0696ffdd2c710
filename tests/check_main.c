/* The one main of every Check test (tests/tn_check.h): run the file's suite, or report it
 * skipped with exit status 77 (CTest's SKIP_RETURN_CODE). CK_ENV: CK_VERBOSITY=verbose
 * lists each test, the default is Check's normal output. */
#include "tn_check.h"

#include <stdio.h>
#include <stdlib.h>

#define TN_CHECK_SKIPPED 77

static char skip_reason[512];

void tn_check_skip(const char *why)
{
    snprintf(skip_reason, sizeof skip_reason, "%s", why && why[0] ? why : "(no reason given)");
}

int main(void)
{
    Suite *s = tn_check_suite();
    if (!s) {
        if (!skip_reason[0]) {
            /* A NULL suite without a reason is a broken test, not a skipped one. */
            fprintf(stderr, "tn_check_suite returned no suite and gave no reason\n");
            return EXIT_FAILURE;
        }
        printf("SKIP: %s\n", skip_reason);
        return TN_CHECK_SKIPPED;
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
