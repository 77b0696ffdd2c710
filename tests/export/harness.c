/* Runs an exported model over rows of `in` floats (one row per line, from stdin) and prints
 * its outputs (%.9g, tab-separated), or EID for a row the model refuses. Compiled by
 * tests/cli_export_c.sh with -DMODEL_H='"name.h"' -DPREDICT=name_predict -DPFX=NAME_. */
#include MODEL_H

#include <stdio.h>

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

int main(void)
{
    static float in[CAT(PFX, IN_SIZE)], out[CAT(PFX, OUT_SIZE)];
    /* exactly the declared scratch, aligned for anything, so ASan sees any overrun */
    static union { double d; unsigned char b[CAT(PFX, SCRATCH_SIZE)]; } scratch;
    for (;;) {
        for (int k = 0; k < CAT(PFX, IN_SIZE); k++)
            if (scanf("%f", &in[k]) != 1)
                return k == 0 ? 0 : 1;
        int rc = PREDICT(in, out, &scratch);
        if (rc == CAT(PFX, EID)) {
            printf("EID\n");
            continue;
        }
        if (rc != CAT(PFX, OK))
            return 1;
        for (int k = 0; k < CAT(PFX, OUT_SIZE); k++)
            printf("%.9g%c", (double)out[k], k + 1 == CAT(PFX, OUT_SIZE) ? '\n' : '\t');
    }
}
