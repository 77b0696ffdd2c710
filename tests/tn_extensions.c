/* Prints the names registered at one extension point, one per line, through the public
 * registry listing of train.h, so that the shell tests expect exactly the modules the
 * library has rather than a copy of the list that a new module would make stale.
 * Usage: tn_extensions activation|layer|loss|optimizer|data_format */
#include "tinynet/train.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int kind;
    } kinds[] = {{"activation", TN_EXT_ACTIVATION}, {"layer", TN_EXT_LAYER},
                 {"loss", TN_EXT_LOSS},             {"optimizer", TN_EXT_OPTIMIZER},
                 {"data_format", TN_EXT_DATA_FORMAT}};
    for (size_t k = 0; argc == 2 && k < sizeof kinds / sizeof kinds[0]; k++) {
        if (strcmp(argv[1], kinds[k].name) != 0)
            continue;
        size_t n = tn_extension_count(kinds[k].kind);
        for (size_t i = 0; i < n; i++)
            printf("%s\n", tn_extension_name(kinds[k].kind, i));
        return n > 0 && fflush(stdout) == 0 ? 0 : 1;
    }
    fprintf(stderr, "usage: tn_extensions activation|layer|loss|optimizer|data_format\n");
    return 2;
}
