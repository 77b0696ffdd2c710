/* tinynet command line: dispatches to one file per subcommand. */
#include "tinynet/tinynet.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("tinynet %s\n", tn_version());
        return 0;
    }
    fprintf(stderr, "usage: tinynet --version\n");
    return 2;
}
