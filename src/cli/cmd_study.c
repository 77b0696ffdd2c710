/* tinynet study: placeholder until the study lands (see the next commit). */
#include "cli/cli.h"

#include <stdio.h>

int tn_cli_study(int argc, char **argv)
{
    (void)argc, (void)argv;
    fputs("tinynet study: not implemented yet\n", stderr);
    return TN_EXIT_FAIL;
}
