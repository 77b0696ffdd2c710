/* Reference rows for the export tests: random inputs for a model and tn_predict's outputs,
 * one row at a time (as the exported code runs). Public API only.
 *   tn_export_ref MODEL ROWS SEED LO HI INPUTS OUTPUTS [CALIBRATION DATA...]
 * Float features are uniform in [LO, HI] (integers when LO and HI are, as pixels are); ids
 * are uniform in [0, vocab), and one row in 16 of a model with ids gets a bad id (vocab, -1
 * or 0.5), whose expected output is the word EID. INPUTS gets the `in` floats of each row
 * (the exported code's layout), OUTPUTS the outputs; both %.9g, tab-separated. With
 * calibration data (in the model's format), the model is quantized (tn_model_quantize) and
 * the outputs are the int8 runtime's. The context is made in a buffer of exactly
 * tn_ctx_size(model, 1) bytes, which is printed ("ctx N"). */
#include "tinynet/export.h"
#include "tinynet/tinynet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long state;
static double uniform(void)
{
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(state >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    if (argc < 8) {
        fprintf(stderr, "usage: tn_export_ref MODEL ROWS SEED LO HI INPUTS OUTPUTS [DATA...]\n");
        return 2;
    }
    tn_error err = {0};
    tn_model *fm = NULL, *m = NULL;
    tn_data *calib = NULL;
    tn_ctx *ctx = NULL;
    if (tn_model_load(argv[1], 0, &fm, &err) ||
        (argc > 8 && (tn_data_read(fm, (const char *const *)argv + 8, argc - 8, 0, &calib, &err) ||
                      tn_model_quantize(fm, calib, &m, &err)))) {
        fprintf(stderr, "tn_export_ref: %s\n", err.msg);
        return 1;
    }
    if (!m) {
        m = fm;
        fm = NULL;
    }
    size_t size = tn_ctx_size(m, 1);
    void *buf = malloc(size);
    if (!buf || tn_ctx_new_in(m, 1, buf, size, &ctx, &err)) {
        fprintf(stderr, "tn_export_ref: %s\n", err.msg);
        return 1;
    }
    printf("ctx %zu\n", size);
    long rows = atol(argv[2]);
    state = strtoull(argv[3], NULL, 10) * 2654435761ULL + 1;
    double lo = atof(argv[4]), hi = atof(argv[5]);
    int integral = lo == floor(lo) && hi == floor(hi) && hi - lo >= 2;
    FILE *fi = fopen(argv[6], "w"), *fo = fopen(argv[7], "w");
    if (!fi || !fo) {
        perror("tn_export_ref");
        return 1;
    }
    size_t n_in = tn_model_n_inputs(m), W = tn_model_output_width(m), total = 0;
    int has_ids = 0;
    for (size_t i = 0; i < n_in; i++) {
        total += tn_model_input_width(m, i);
        has_ids |= tn_model_input_kind(m, i) == TN_INPUT_INDEX;
    }
    float *x = malloc(total * sizeof *x), *y = malloc(W * sizeof *y);
    const float *in[16];
    for (long r = 0; r < rows; r++) {
        size_t off = 0;
        for (size_t i = 0; i < n_in; i++) {
            in[i] = x + off;
            size_t w = tn_model_input_width(m, i);
            for (size_t j = 0; j < w; j++) {
                double u = uniform();
                if (tn_model_input_kind(m, i) == TN_INPUT_INDEX)
                    x[off + j] = (float)floor(u * (double)tn_model_input_vocab(m, i));
                else
                    x[off + j] = (float)(integral ? floor(lo + u * (hi - lo + 1))
                                                  : lo + u * (hi - lo));
            }
            off += w;
        }
        if (has_ids && r % 16 == 15) /* a bad id in the first index input */
            for (size_t i = 0, o = 0; i < n_in; o += tn_model_input_width(m, i), i++)
                if (tn_model_input_kind(m, i) == TN_INPUT_INDEX) {
                    const float bad[3] = {(float)tn_model_input_vocab(m, i), -1.0f, 0.5f};
                    x[o] = bad[(r / 16) % 3];
                    break;
                }
        for (size_t k = 0; k < total; k++)
            fprintf(fi, "%.9g%c", (double)x[k], k + 1 == total ? '\n' : '\t');
        int rc = tn_predict(ctx, in, 1, y);
        if (rc == TN_EDATA)
            fprintf(fo, "EID\n");
        else if (rc != TN_OK) {
            fprintf(stderr, "tn_export_ref: %s\n", tn_ctx_errmsg(ctx));
            return 1;
        } else
            for (size_t k = 0; k < W; k++)
                fprintf(fo, "%.9g%c", (double)y[k], k + 1 == W ? '\n' : '\t');
    }
    free(x);
    free(y);
    tn_ctx_free(ctx);
    free(buf);
    tn_data_free(calib);
    tn_model_free(m);
    tn_model_free(fm);
    return fclose(fi) || fclose(fo) ? 1 : 0;
}
