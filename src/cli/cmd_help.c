/* tinynet help [COMMAND|config]: the overview, one command's help, or the reference of the
 * JSON config, generated from the registries (src/cli/reference.c). */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char usage[] = "tinynet help [COMMAND | config [--man]]";

int tn_cli_help(int argc, char **argv)
{
    if (argc < 2) {
        fputs(tn_cli_usage_text, stdout);
        return TN_EXIT_OK;
    }
    if (strcmp(argv[1], "config") == 0) {
        int man = 0;
        for (int i = 2; i < argc; i++) {
            if (strcmp(argv[i], "--man") == 0)
                man = 1;
            else
                return tn_cli_usage("help", usage, "unexpected argument \"%s\"", argv[i]);
        }
        return tn_cli_reference(stdout, man);
    }
    if (argc > 2)
        return tn_cli_usage("help", usage, "unexpected argument \"%s\"", argv[2]);
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        printf("usage: %s\n\nWithout arguments, the list of commands. With COMMAND, its options\n"
               "(as `tinynet COMMAND --help`). `help config` prints the reference of every\n"
               "key of the JSON config as Markdown (docs/config.md), or with --man as the\n"
               "tinynet-config(5) manual page.\n", usage);
        return TN_EXIT_OK;
    }
    int rc = tn_cli_command_help(argv[1]);
    if (rc >= 0)
        return rc;
    return tn_cli_usage("help", usage, "unknown command \"%s\"", argv[1]);
}
